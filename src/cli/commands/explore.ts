import { Option, type Command } from 'commander';
import { defaultObjectives, EXPLORE_MAPPER_DEFAULTS, EXPLORE_OBJECTIVES, explore, type ExploreObjective, type ExploreWorkload } from '../../explore/explore.js';
import { DESIGN_STRATEGIES, type DesignStrategy } from '../../explore/search.js';
import { loadSpace, spaceSize } from '../../explore/space.js';
import { loadSuite } from '../../explore/suite.js';
import { formatObjective, renderExplore } from '../../report/explore.js';
import { parseLayerSpec } from '../../problem/parse.js';
import { ResultsStore } from '../../store/store.js';
import { AccelmapError } from '../../util/errors.js';
import { stderrProgress } from '../../util/progress.js';
import { formatSeconds } from '../../util/units.js';
import { loadGraph } from '../../workload/load.js';
import { queueUrl } from '../../queue/url.js';
import { oneOf, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { stderrCoordinator } from '../queue-events.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';

interface ExploreFlags extends ModelFlags {
  space: string;
  suite?: string;
  objectives?: ExploreObjective[];
  strategy: DesignStrategy;
  budget: ExploreBudget;
  population?: number;
  mapBudget: number;
  store?: string;
  seed: number;
  threads?: number;
  queue?: string;
  json?: boolean;
  progress: boolean;
}

/** A count of designs, or wall-clock seconds. */
export type ExploreBudget = { designs: number } | { seconds: number };

/** `40` → 40 designs; `30s` (or `2.5s`) → 30 seconds. */
export function exploreBudgetFlag(value: string): ExploreBudget {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s?)\s*$/.exec(value);
  const n = Number(m?.[1]);
  if (m?.[2] && n > 0) return { seconds: n };
  if (m && !m[2] && Number.isSafeInteger(n) && n >= 1) return { designs: n };
  throw new AccelmapError('bad-flag', `--budget '${value}' is not a whole number of designs or a number of seconds`, {}, 'e.g. --budget 40 or --budget 90s');
}

/** `latency,energy,area` → the list, each one checked. */
export function objectivesFlag(value: string): ExploreObjective[] {
  const list = value.split(',').map((s) => s.trim());
  for (const o of list) if (!(EXPLORE_OBJECTIVES as readonly string[]).includes(o)) throw new AccelmapError('bad-flag', `--objectives: '${o}' is not one of ${EXPLORE_OBJECTIVES.join(', ')}`);
  if (new Set(list).size !== list.length) throw new AccelmapError('bad-flag', `--objectives '${value}' names an objective twice`);
  return list as ExploreObjective[];
}

function loadWorkload(name: string, f: ModelFlags, weight?: number): ExploreWorkload {
  const single = name.includes(':') && !/\.onnx$/i.test(name);
  const options = loadOptions(f);
  return { name, workload: single ? parseLayerSpec(name) : loadGraph(name, options), options: single ? {} : options, weight };
}

/** The models named on the command line, each weighing 1, or a suite file's weighted list: one or the other. */
function loadWorkloads(models: string[], f: ExploreFlags): ExploreWorkload[] {
  if (f.suite && models.length > 0) throw new AccelmapError('bad-flag', '--suite replaces the models on the command line; give one or the other');
  if (f.suite) return loadSuite(f.suite).map((e) => loadWorkload(e.model, f, e.weight));
  if (models.length === 0) throw new AccelmapError('bad-flag', 'explore needs models to map, or --suite FILE.yaml');
  return models.map((m) => loadWorkload(m, f));
}

export function registerExplore(program: Command, io: Io): void {
  const cmd = program
    .command('explore')
    .description('search accelerator designs of a design space for the given workloads: Pareto front of latency, energy and area, kept in a resumable store')
    .argument('[model...]', 'zoo models, .onnx files or layers (conv:K=16,C=16,P=8,Q=8,R=3,S=3); latency and energy are summed over them')
    .requiredOption('--space <file>', 'design space (YAML; see presets/spaces/)')
    .option('--suite <file.yaml>', 'weighted workload suite instead of models: a list of {model, weight}; latency and energy are the weighted sums')
    .addOption(new Option('--objectives <list>', `comma-separated, each minimized: ${EXPLORE_OBJECTIVES.join(', ')}`).argParser(objectivesFlag).default(undefined, 'latency,energy,area; latency,area on a target space'))
    .addOption(new Option('--strategy <name>', DESIGN_STRATEGIES.join('|')).argParser(oneOf('--strategy', DESIGN_STRATEGIES)).default('nsga2'))
    .addOption(new Option('--budget <n|Ns>', 'designs to evaluate, or seconds: no new design starts once they have passed (a rerun with --store goes on from there)').argParser(exploreBudgetFlag).default({ designs: 40 }, '40'))
    .option('--population <n>', 'NSGA-II population (default: min(budget, 16))', positiveInt('--population'))
    .addOption(new Option('--map-budget <n>', 'mapper evaluations per distinct loop nest of each design (small by default: a design costs seconds)').argParser(positiveInt('--map-budget')).default(EXPLORE_MAPPER_DEFAULTS.budget.evaluations))
    .option('--store <file.db>', 'SQLite results store: evaluated designs are kept there and skipped on a rerun')
    .addOption(new Option('--seed <n>', 'random seed (designs and mappings)').argParser(positiveInt('--seed')).default(1))
    .option('--threads <n>', 'designs evaluated at once, each on a thread of its own (default 1: one after another in this thread)', positiveInt('--threads'))
    .addOption(new Option('--queue <redis-url>', 'coordinate workers (accelmap worker) over a BullMQ queue on this Redis server instead of mapping here: redis://HOST:PORT, redis://:PASSWORD@HOST:PORT, rediss:// for TLS').argParser((v) => queueUrl('--queue', v)))
    .option('--json', 'print JSON: evaluated, front[] with hash, knobs, objectives')
    .option('--no-progress', 'no progress on stderr');
  addModelOptions(cmd).action(async (models: string[], opts: ExploreFlags) => {
    const space = loadSpace(opts.space);
    const objectives = opts.objectives ?? defaultObjectives(space);
    const workloads = loadWorkloads(models, opts);
    const mapper = { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: opts.mapBudget }, seed: opts.seed };
    if (opts.queue && opts.threads) throw new AccelmapError('bad-flag', '--threads sets the threads of a local run; with --queue each worker sets its own', {}, 'give the workers --concurrency instead');
    const store = opts.store ? new ResultsStore(opts.store) : undefined;
    const designs = 'designs' in opts.budget ? opts.budget.designs : Infinity;
    const seconds = 'seconds' in opts.budget ? opts.budget.seconds : undefined;
    const budgetText = seconds === undefined ? `${designs} designs` : formatSeconds(seconds);
    if (opts.progress) io.err(`explore ${space.name}: ${space.knobs.length} knobs, ${spaceSize(space)} designs before constraints; ${opts.strategy}, budget ${budgetText}; ${space.target ? `compiled for target ${space.target.ref} and simulated${space.target.tune ? `, tuned ${space.target.tune} schedules per layer` : ''}` : `mapper ${mapper.strategy}, ${opts.mapBudget} evaluations per loop nest (--map-budget)`}`);
    const progress = stderrProgress('explore', opts.progress);
    const start = Date.now();
    const evaluator = opts.queue ? await stderrCoordinator(opts.queue, io, opts.progress) : undefined;
    try {
      const result = await explore(space, workloads, {
        objectives, strategy: opts.strategy, budget: designs, seconds, seed: opts.seed, population: opts.population, mapper, threads: opts.threads, store, evaluator,
        onDesign: (p) => {
          const elapsed = (Date.now() - start) / 1000;
          const fresh = p.done - p.fromStore;
          const eta = seconds !== undefined ? Math.max(0, seconds - elapsed) : fresh > 0 ? ((p.budget - p.done) * elapsed) / fresh : 0;
          const best = objectives.flatMap((o) => (p.best[o] === undefined ? [] : [`${o} ${formatObjective(o, p.best[o])}`])).join(', ');
          progress.update(`${seconds === undefined ? `${p.done}/${p.budget}` : p.done} designs (${p.fromStore} from store); best ${best || 'none yet'}; ETA ${formatSeconds(eta)}`);
        },
      });
      if (result.evaluated === 0) throw new AccelmapError('infeasible', `none of the ${spaceSize(space)} designs meets the constraints`, { file: opts.space, path: 'constraints' }, 'loosen maxAreaMm2 / maxSram / maxPower or change the knobs');
      progress.done(`${result.evaluated} designs in ${formatSeconds((Date.now() - start) / 1000)} (${result.fromStore} from the store), front of ${result.front.length}`);
      if (opts.json) return io.out(toJson({ evaluated: result.evaluated, fromStore: result.fromStore, rejected: result.rejected, infeasible: result.infeasible, mapperCacheHits: result.mapperCacheHits, mapper: result.mapper, objectives: result.objectives, front: result.front.map((d) => ({ hash: d.hash, knobs: d.knobs, objectives: d.objectives })) }));
      io.out(renderExplore(result));
    } finally {
      store?.close();
      await evaluator?.close();
    }
  });
}
