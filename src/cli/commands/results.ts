import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { paretoFront } from '../../explore/pareto.js';
import type { ExploreObjective } from '../../explore/explore.js';
import { renderDesignLayers, renderDesigns, renderDesignsCsv, renderLayersCsv, renderStoredDesigns, resultsReportHtml } from '../../report/explore.js';
import { checkWritable, writeTextFile } from '../../util/files.js';
import { ResultsStore, type StoredDesign, type StoredLayer } from '../../store/store.js';
import { filterDesigns } from '../../store/where.js';
import { AccelmapError } from '../../util/errors.js';
import { toJson, type Io } from '../io.js';
import { objectivesFlag } from './explore.js';

interface ResultsFlags {
  pareto?: boolean;
  objectives: ExploreObjective[];
  space?: string;
  where?: string;
  design?: string;
  csv?: boolean;
  json?: boolean;
  out?: string;
}

const value = (d: StoredDesign, o: ExploreObjective) => (o === 'latency' ? d.latencyS! : o === 'energy' ? d.energyPj! : d.areaMm2);

/** The designs of a store that are not dominated (over `objectives`) by another mapped design of the store. */
export function storedFront(designs: StoredDesign[], objectives: readonly ExploreObjective[]): StoredDesign[] {
  const ok = designs.filter((d) => d.status === 'ok');
  return paretoFront(ok.map((d) => objectives.map((o) => value(d, o)))).map((i) => ok[i]!);
}

export function registerResults(program: Command, io: Io): void {
  program
    .command('results')
    .description('list the designs of a results store (written by accelmap explore --store), or their Pareto front')
    .argument('<store.db>', 'SQLite results store')
    .option('--pareto', 'only the non-dominated designs')
    .addOption(new Option('--objectives <list>', 'objectives of --pareto, each minimized').argParser(objectivesFlag).default(['latency', 'energy', 'area'], 'latency,energy,area'))
    .option('--space <name>', 'only designs of this space')
    .option('--where <expr>', 'only designs matching a filter over knobs and figures (latency s, energy pJ, area mm², sram bytes, status, space, hash), e.g. "area<=2 and pe_x=14"; --pareto then takes the front of these')
    .addOption(new Option('--csv', 'print CSV').conflicts('json'))
    .option('--json', 'print JSON')
    .option('--design <hash>', 'one design (a hash or its unique prefix): print its per-layer table, and draw it in the --out page')
    .option('--out <file.html>', 'write an HTML page: scatter plots of the objectives with the front, the front, and each front design\'s layers')
    .action((file: string, opts: ResultsFlags) => {
      if (!existsSync(file)) throw new AccelmapError('bad-file', 'no such results store', { file }, 'give a file written by accelmap explore --store');
      if (opts.out) checkWritable(opts.out, 'HTML page');
      const store = new ResultsStore(file, { mustExist: true });
      try {
        let designs = store.all();
        if (opts.space !== undefined) designs = designs.filter((d) => d.space === opts.space);
        const knobNames = [...new Set(designs.flatMap((d) => Object.keys(d.knobs)))];
        if (opts.where !== undefined) designs = filterDesigns(designs, opts.where);
        const front = storedFront(designs, opts.objectives);
        const chosen = opts.design === undefined ? undefined : designByHash(designs, opts.design);
        if (opts.out) {
          writeTextFile(opts.out, resultsReportHtml(`accelmap results: ${file}`, designs, front, knobNames, (h) => store.layers(h), chosen), 'HTML page');
          io.err(`wrote ${opts.out}`);
        }
        if (chosen) printDesign(chosen, store.layers(chosen.hash), knobNames, opts, io);
        else printDesigns(file, opts.pareto ? front : designs, knobNames, opts, io);
      } finally {
        store.close();
      }
    });
}

/** The design whose hash starts with `prefix`, among those listed. */
function designByHash(designs: StoredDesign[], prefix: string): StoredDesign {
  const hits = designs.filter((d) => d.hash.startsWith(prefix.toLowerCase()));
  if (hits.length === 1) return hits[0]!;
  throw new AccelmapError('bad-flag', `--design '${prefix}' ${hits.length === 0 ? 'matches no listed design' : `matches ${hits.length} designs`}`, {}, hits.length === 0 ? 'give a hash from accelmap results (with the same --space/--where)' : 'give more of the hash');
}

function printDesign(d: StoredDesign, layers: StoredLayer[], knobNames: string[], opts: ResultsFlags, io: Io): void {
  if (opts.json) return io.out(toJson({ design: { ...d, layers } }));
  if (opts.csv) return io.out(renderLayersCsv(layers));
  io.out(`design ${d.hash} (space ${d.space})\n\n${renderDesigns([d], knobNames)}\n\n${renderDesignLayers(layers)}`);
}

function printDesigns(file: string, designs: StoredDesign[], knobNames: string[], opts: ResultsFlags, io: Io): void {
  if (opts.json) return io.out(toJson({ designs: designs.map(({ layers: _layers, ...d }) => d) }));
  if (opts.csv) return io.out(renderDesignsCsv(designs, knobNames));
  io.out(renderStoredDesigns(file, designs, knobNames, opts.pareto ? opts.objectives : undefined));
}
