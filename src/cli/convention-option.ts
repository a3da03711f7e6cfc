import { Option } from 'commander';
import { CONVENTIONS, type Convention } from '../mapping/model.js';
import { oneOf } from './flags.js';

/** `--convention accelmap|timeloop` (docs/timeloop-convention.md), with the command's default. */
export function conventionOption(defaultValue: Convention): Option {
  return new Option('--convention <name>', "timeloop: count multicast, sliding-window reuse and leakage as Timeloop does; accelmap: accelmap's own counts (docs/timeloop-convention.md)")
    .argParser(oneOf('--convention', CONVENTIONS))
    .default(defaultValue);
}
