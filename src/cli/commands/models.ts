import type { Command } from 'commander';
import { ZOO } from '../../workload/zoo/index.js';
import { buildZooModel } from '../../workload/zoo/index.js';
import { graphTotals } from '../../workload/counts.js';
import { paramCount } from '../../workload/graph.js';
import { renderTable } from '../../util/table.js';
import { formatCount } from '../../util/units.js';
import { toJson, type Io } from '../io.js';

export function registerModels(program: Command, io: Io): void {
  program
    .command('models')
    .description('list the reference model zoo')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = ZOO.map((z) => {
        const g = buildZooModel(z.name);
        return { name: z.name, family: z.family, params: paramCount(g), macs: graphTotals(g).macs, description: z.description };
      });
      if (opts.json) return io.out(toJson(rows));
      io.out(renderTable(['model', 'set', 'params', 'MACs (batch 1)', 'description'], rows.map((r) => [r.name, r.family, formatCount(r.params), formatCount(r.macs), r.description])));
    });
}
