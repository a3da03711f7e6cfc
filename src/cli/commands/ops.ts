import type { Command } from 'commander';
import { registry } from '../../workload/ops/index.js';
import { renderOps } from '../../report/catalog.js';
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
      io.out(renderOps(rows));
    });
}
