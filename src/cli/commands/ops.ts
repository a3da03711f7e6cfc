import type { Command } from 'commander';
import { registry } from '../../workload/ops/index.js';
import { renderTable } from '../../util/table.js';
import { toJson, type Io } from '../io.js';

/** `accelmap ops`: every op kind accelmap knows (the ONNX ops it imports), its class and FLOP convention. */
export function registerOps(program: Command, io: Io): void {
  program
    .command('ops')
    .description('list the supported op kinds with their FLOP conventions')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = registry
        .list()
        .map((k) => ({ op: k.op, class: k.opClass, lowered: k.lower !== undefined, flops: k.flopConvention }))
        .sort((a, b) => a.op.localeCompare(b.op));
      if (opts.json) return io.out(toJson(rows));
      io.out(renderTable(['op', 'class', 'loop nest', 'FLOP convention'], rows.map((r) => [r.op, r.class, r.lowered ? 'yes' : '', r.flops]), { align: ['left', 'left', 'left', 'left'] }));
      io.out(`${rows.length} op kinds; ONNX If, Loop and Scan are unrolled at import, Constant becomes a tensor, Upsample and Scatter are read as Resize and ScatterElements`);
    });
}
