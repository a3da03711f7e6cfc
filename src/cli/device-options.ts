import type { Command } from 'commander';
import { devicePresets } from '../device/load.js';

/** The device a command models when none is given. */
export const DEFAULT_DEVICE = 'v100-16gb';

export function addDeviceOption(cmd: Command): Command {
  return cmd.option('--device <name|file>', `roofline device: ${devicePresets().join(', ')}, or a YAML/JSON device file`, DEFAULT_DEVICE);
}
