import type { Command } from 'commander';
import { registry } from '../../workload/ops/index.js';
import { renderTable } from '../../util/table.js';
import { toJson, type Io } from '../io.js';

export function registerOps(program: Command, io: Io): void {
  program
    .command('ops')
    .description('list the op kinds accelmap knows, with their class and FLOP convention')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = registry.list().map((k) => ({ op: k.op, opClass: k.opClass, compute: Boolean(k.lower), flopConvention: k.flopConvention }));
      if (opts.json) return io.out(toJson(rows));
      io.out('FLOPs are counted apart from MACs (1 MAC = 2 FLOPs); "other FLOPs" follow each op\'s convention below.\n');
      io.out(renderTable(['op', 'class', 'loop nest', 'FLOP convention'], rows.map((r) => [r.op, r.opClass, r.compute ? 'yes' : '', r.flopConvention]), { align: ['left', 'left', 'left', 'left'] }));
    });
}
