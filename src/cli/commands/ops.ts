import type { Command } from 'commander';
import { registry } from '../../workload/ops/index.js';
import { renderTable } from '../../report/table.js';
import { toJson, type Io } from '../io.js';

/** `accelmap ops`: every op kind accelmap knows (the ONNX ops it imports and its training ops), its class and FLOP convention. */
export function registerOps(program: Command, io: Io): void {
  program
    .command('ops')
    .description('list the op kinds accelmap knows, with their class and FLOP convention')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = registry
        .list()
        .map((k) => ({ op: k.op, opClass: k.opClass, compute: k.lower !== undefined, flopConvention: k.flopConvention }))
        .sort((a, b) => a.op.localeCompare(b.op));
      if (opts.json) return io.out(toJson(rows));
      io.out('FLOPs are counted apart from MACs (1 MAC = 2 FLOPs); "other FLOPs" follow each op\'s convention below.\n');
      io.out(renderTable(['op', 'class', 'loop nest', 'FLOP convention'], rows.map((r) => [r.op, r.opClass, r.compute ? 'yes' : '', r.flopConvention]), { align: ['left', 'left', 'left', 'left'] }));
      io.out(`${rows.length} op kinds; ONNX If, Loop and Scan are unrolled at import, Constant becomes a tensor, Upsample and Scatter are read as Resize and ScatterElements`);
    });
}
