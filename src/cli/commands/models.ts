import type { Command } from 'commander';
import { ZOO, buildZooModel } from '../../workload/zoo/index.js';
import { graphTotals } from '../../workload/counts.js';
import { paramCount } from '../../workload/graph.js';
import { renderModels } from '../../report/catalog.js';
import { toJson, type Io } from '../io.js';

export function registerModels(program: Command, io: Io): void {
  program
    .command('models')
    .description('list the reference model zoo (parameters and MACs at batch 1, against published figures)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = ZOO.map((z) => {
        const g = buildZooModel(z.name);
        return { name: z.name, family: z.family, params: paramCount(g), macs: graphTotals(g).macs, defaults: z.defaults, published: z.published, description: z.description };
      });
      if (opts.json) return io.out(toJson(rows));
      io.out(renderModels(rows));
    });
}
