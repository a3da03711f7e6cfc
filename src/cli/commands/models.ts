import type { Command } from 'commander';
import { ZOO, buildZooModel } from '../../workload/zoo/index.js';
import { graphTotals } from '../../workload/counts.js';
import { paramCount } from '../../workload/graph.js';
import { renderTable } from '../../report/table.js';
import { formatCount } from '../../util/units.js';
import { toJson, type Io } from '../io.js';

const signedPercent = (got: number, want: number | undefined) => (want ? `${got >= want ? '+' : ''}${((got / want - 1) * 100).toFixed(2)}%` : '');

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
      const options = (d: (typeof rows)[number]['defaults']) => [d.imageSize && `image ${d.imageSize}`, d.seqLen && `seq ${d.seqLen}`].filter(Boolean).join(', ');
      io.out('MACs are multiply-accumulates at batch 1 with the default image size or sequence length.\n');
      io.out(
        renderTable(
          ['model', 'set', 'params', 'MACs', 'vs published params', 'vs published MACs', 'defaults', 'description'],
          rows.map((r) => [r.name, r.family, formatCount(r.params), formatCount(r.macs), signedPercent(r.params, r.published?.params), signedPercent(r.macs, r.published?.macs), options(r.defaults), r.description]),
        ),
      );
    });
}
