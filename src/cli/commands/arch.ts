import type { Command } from 'commander';
import { listPresets, loadArch } from '../../arch/load.js';
import { summarizeArch } from '../../arch/summary.js';
import { renderArch, renderPresets } from '../../report/arch-report.js';
import { fraction } from '../flags.js';
import { toJson, type Io } from '../io.js';

export function registerArch(program: Command, io: Io): void {
  program
    .command('arch')
    .description('summarize an accelerator spec: peak MACs/s per precision, capacities, bandwidths, energy table, area (no argument: list presets)')
    .argument('[arch]', 'preset name or spec file (.yaml/.json)')
    .option('--utilization <u>', 'fraction of peak MAC throughput the efficiency figures assume', fraction('--utilization'), 1)
    .option('--json', 'print JSON')
    .action((ref: string | undefined, opts: { json?: boolean; utilization: number }) => {
      if (!ref) {
        const rows = listPresets().map((name) => {
          const a = loadArch(name);
          return { name, description: a.description };
        });
        if (opts.json) return io.out(toJson(rows));
        return io.out(renderPresets(rows));
      }
      const s = summarizeArch(loadArch(ref), opts.utilization);
      if (opts.json) return io.out(toJson(s));
      io.out(renderArch(s));
    });
}
