import type { Command } from 'commander';
import { profile } from '../../api/characterize.js';
import { loadDevice } from '../../device/load.js';
import { loadGraph } from '../../workload/load.js';
import { renderProfile } from '../../report/profile-report.js';
import { addDeviceOption } from '../device-options.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';
import { graphToCost } from '../../compile/index.js';
import { addFuseOption } from '../compile-options.js';

/** What the counts mean, printed with every profile. */
export const UNITS = {
  macs: 'multiply-accumulates',
  flops: 'floating-point operations: 2 per MAC plus the other FLOPs of each op (see accelmap ops)',
  bytes: 'bytes read and written by each op',
  seconds: 'modeled time per op on the device roofline: max(FLOPs / peak, bytes / bandwidth)',
};

export function registerProfile(program: Command, io: Io): void {
  const cmd = program
    .command('profile')
    .description('characterize a model: MACs, FLOPs, bytes and modeled time per op type and class (Fathom-style)')
    .argument('<model>', 'zoo model name (accelmap models) or .onnx file')
    .option('--json', 'print JSON');
  addFuseOption(cmd);
  addDeviceOption(addModelOptions(cmd)).action((model: string, opts: ModelFlags & { device: string; json?: boolean; fuse: boolean }) => {
    const device = loadDevice(opts.device);
    const graph = graphToCost(loadGraph(model, loadOptions(opts)), opts.fuse);
    const p = profile(graph, { device });
    if (!p.device.exactPrecision) io.err(`note: ${device.name} has no fp32 peak; float ops costed at its ${p.device.precision} peak, their bytes at ${p.device.precision} elements`);
    if (opts.json) return io.out(toJson({ ...p, units: UNITS }));
    io.out(renderProfile(p));
  });
}
