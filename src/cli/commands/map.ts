import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { loadArch } from '../../arch/load.js';
import type { Architecture } from '../../arch/types.js';
import { evaluationBudget, MAP_DEFAULTS, resolveSettings } from '../../api/mapping.js';
import { availableParallelism } from 'node:os';
import { mapPerLayer } from './map-precision.js';
import { mapNetwork } from '../../api/network.js';
import { layerWork, problemWork, type LayerWork } from '../../network/layers.js';
import type { NetworkResult } from '../../network/map.js';
import { parseLayerSpec } from '../../problem/parse.js';
import { problemKey, type Problem } from '../../problem/types.js';
import { mapReportHtml } from '../../report/map-report.js';
import { renderMap, renderMapCsv } from '../../report/map-table.js';
import { timeloopMappingYaml } from '../../interop/timeloop/mapping.js';
import { mappingFromDirectives } from '../../mapping/directives.js';
import { loadConstraintsFile, type UserConstraints } from '../../search/constraints-file.js';
import { applyUserConstraints } from '../../search/user-constraints.js';
import { constraintSets, DATAFLOW_CHOICES, type DataflowChoice } from '../../search/dataflows.js';
import { parseObjective } from '../../search/objective.js';
import { STRATEGIES, type Budget, type Strategy } from '../../search/search.js';
import { MapSpace } from '../../search/space.js';
import { startSearchWorkers } from '../../search/pool.js';
import { AccelmapError } from '../../util/errors.js';
import { makeDirectory, writeTextFile } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { loadGraph } from '../../workload/load.js';
import { MAX_THREADS, nonNegativeNumber, oneOf, outputFile, outputFolder, positiveInt, threadsFlag } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';
import { addTimeloopMapOptions, timeloopTarget, writeTimeloopOut, type TimeloopMapFlags } from './map-timeloop.js';
import { graphToCost } from '../../compile/index.js';
import { addFuseOption } from '../compile-options.js';


export interface MapFlags extends ModelFlags, TimeloopMapFlags {
  arch?: string;
  dataflow: DataflowChoice;
  objective: string;
  strategy: Strategy;
  budget: Budget;
  seed: number;
  threads?: number;
  precision?: string;
  json?: boolean;
  csv?: boolean;
  out?: string;
  constraints?: string;
  timeloopOut?: string;
  progress: boolean;
  fuse: boolean;
  plan?: string;
  maxSqnrDrop?: number;
}

function budgetFlag(value: string): Budget {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s)?\s*$/.exec(value);
  if (!m || Number(m[1]) <= 0) throw new AccelmapError('bad-flag', `--budget '${value}' is not a number of evaluations or of seconds`, {}, 'e.g. --budget 20000 or --budget 10s');
  if (m[2]) return { seconds: Number(m[1]) };
  const evaluations = Math.round(Number(m[1]));
  if (evaluations < 1 || !Number.isSafeInteger(evaluations)) throw new AccelmapError('bad-flag', `--budget '${value}' rounds to ${evaluations} evaluations`, {}, 'give a whole number of evaluations ≥ 1, e.g. --budget 20000, or seconds, e.g. --budget 10s');
  return evaluationBudget(evaluations);
}

/** Also validates the user constraints against every problem (errors point into the file). */
function spaceSummary(works: LayerWork[], arch: Architecture, dataflow: DataflowChoice, user: UserConstraints | undefined): string {
  const seen = new Map<string, Problem>();
  for (const w of works) for (const p of w.problems) seen.set(problemKey(p.problem), p.problem);
  let lo = Infinity, hi = -Infinity;
  for (const p of seen.values()) {
    for (const base of constraintSets(dataflow, p, arch)) {
      const c = user ? applyUserConstraints(base, user, p, arch) : base;
      const s = new MapSpace(p, arch, c).log10Size();
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
  }
  return `${seen.size} distinct loop nests; mapspace up to 10^${lo.toFixed(1)} … 10^${hi.toFixed(1)} points each (dataflow ${dataflow}, before capacity pruning)`;
}

export function registerMap(program: Command, io: Io): void {
  const cmd = program
    .command('map')
    .description('search mappings for every layer of a model (or one layer) on an accelerator: cycles, energy, utilization, roofline')
    .argument('[model]', 'zoo model, .onnx file, or one layer (conv:K=64,C=64,P=56,Q=56,R=3,S=3); none with --timeloop')
    .option('--arch <arch>', 'preset name or spec file (required unless --timeloop)')
    .addOption(new Option('--dataflow <name>', `${DATAFLOW_CHOICES.join('|')}: a named constraint set, each one and auto compared (all), or unconstrained, starting from the named ones (auto)`).argParser(oneOf('--dataflow', DATAFLOW_CHOICES)).default(MAP_DEFAULTS.dataflow))
    .option('--objective <list>', 'latency | energy | edp, or a lexicographic list such as energy,latency', MAP_DEFAULTS.objective)
    .addOption(new Option('--strategy <name>', `${STRATEGIES.join('|')}`).argParser(oneOf('--strategy', STRATEGIES)).default(MAP_DEFAULTS.strategy))
    .addOption(new Option('--budget <n|Ns>', 'per distinct loop nest: at most N evaluations (deterministic; searches stop earlier once they stop improving) or N seconds (spent in full)').argParser(budgetFlag).default({ ...MAP_DEFAULTS.budget }, String(MAP_DEFAULTS.budget.evaluations)))
    .addOption(new Option('--seed <n>', 'random seed').argParser(positiveInt('--seed')).default(MAP_DEFAULTS.seed))
    .option('--threads <n>', `threads that search: this one and n - 1 workers, at most ${MAX_THREADS} (default: the cores of this machine); the result does not depend on it`, threadsFlag)
    .option('--precision <name>', 'precision mode of the compute unit (its word widths, MAC rate and MAC energy), or auto: per layer by measured SQNR (--max-sqnr-drop)')
    .option('--max-sqnr-drop <dB>', 'with --precision auto: the largest drop of a layer\'s output SQNR, that layer alone at a lower mode, against the 8-bit mode', nonNegativeNumber('--max-sqnr-drop'))
    .option('--plan <file>', 'per-layer precision modes (YAML as quantize reads: precision, first-last, layers)')
    .addOption(new Option('--json', 'print JSON').conflicts('csv'))
    .option('--csv', 'print one CSV row per layer')
    .option('--out <file.html>', 'write a self-contained HTML report', outputFile('--out', 'HTML report'))
    .option('--constraints <file>', 'user constraints (YAML/JSON, Timeloop vocabulary) added to the dataflow')
    .option('--timeloop-out <dir>', "write each layer's mapping as a Timeloop mapping (v0.4 YAML) into <dir>; with --timeloop, the best mapping (timeloop-mapper.map.yaml) and its stats (timeloop-mapper.stats.txt)", outputFolder('--timeloop-out', 'Timeloop mappings'))
    .option('--no-progress', 'no progress on stderr');
  addTimeloopMapOptions(cmd);
  addFuseOption(cmd);
  addModelOptions(cmd).action(async (model: string | undefined, opts: MapFlags) => {
    const timeloop = opts.timeloop ? timeloopTarget(model, opts, io) : undefined;
    if (!timeloop && model === undefined) throw new AccelmapError('bad-flag', 'map needs a model, a layer or --timeloop FILE...', {}, 'e.g. accelmap map resnet50 --arch eyeriss');
    if (!timeloop && opts.arch === undefined) throw new AccelmapError('bad-flag', 'map needs --arch (or --timeloop FILE..., whose architecture is used)');
    const threads = opts.threads ?? Math.max(1, availableParallelism());
    // the search's workers load while the model is read and planned
    startSearchWorkers(threads);
    const arch = timeloop?.design.arch.arch ?? loadArch(opts.arch!);
    parseObjective(opts.objective);
    // --timeloop-out was checked when the flags were read; made here, before the search
    if (opts.timeloopOut) makeDirectory(opts.timeloopOut, 'Timeloop mappings');
    const name = timeloop?.name ?? model!;
    const single = !timeloop && name.includes(':') && !/\.onnx$/i.test(name);
    const exported = timeloop || single ? undefined : loadGraph(name, loadOptions(opts));
    const graph = exported && graphToCost(exported, opts.fuse);
    const workload = timeloop?.design.problem ?? graph ?? parseLayerSpec(name);
    const works = 'nodes' in workload ? layerWork(workload) : problemWork(name, workload);
    const user = timeloop?.constraints ?? (opts.constraints ? loadConstraintsFile(opts.constraints) : undefined);
    if (opts.maxSqnrDrop !== undefined && opts.precision !== 'auto') throw new AccelmapError('bad-flag', '--max-sqnr-drop goes with --precision auto', {}, 'add --precision auto, or drop --max-sqnr-drop');
    if (opts.precision === 'auto' || opts.plan) {
      if (!exported || !graph) throw new AccelmapError('bad-flag', `${opts.plan ? '--plan' : '--precision auto'} needs a model (zoo name or .onnx file), not a single layer or --timeloop`);
      const progress = stderrProgress('map', opts.progress);
      const s = resolveSettings({ ...opts, precision: undefined, constraints: opts.constraints });
      const o = { ...s, threads, progress: { update: (m: string) => progress.update(m), done: () => undefined } };
      return mapPerLayer(name, exported, graph, arch, opts, o, progress, io);
    }
    const summary = spaceSummary(works, arch, opts.dataflow, user);
    if (opts.progress) io.err(`map ${name} on ${arch.name}: ${summary}`);
    const progress = stderrProgress('map', opts.progress);
    const result = await mapNetwork(workload, arch, {
      name,
      dataflow: opts.dataflow,
      objective: opts.objective,
      strategy: opts.strategy,
      budget: opts.budget,
      seed: opts.seed,
      threads,
      precision: opts.precision,
      convention: opts.convention,
      constraints: timeloop ? { constraints: timeloop.constraints.entries } : opts.constraints,
      onProgress: (m) => progress.update(m),
      // the graph as exported is priced with the same searches, for the totals without compilation
      baseline: exported && graph !== exported ? exported : undefined,
    });
    progress.done();
    if (timeloop && opts.timeloopOut) writeTimeloopOut(timeloop, result, opts, io);
    if (opts.out) {
      writeTextFile(opts.out, mapReportHtml(result), 'HTML report');
      io.err(`wrote ${opts.out}`);
    }
    if (opts.timeloopOut && !timeloop) {
      const files = writeTimeloopMappings(result, arch, opts.timeloopOut);
      io.err(`wrote ${files} Timeloop mappings into ${opts.timeloopOut}`);
    }
    if (opts.json) return io.out(toJson(result));
    if (opts.csv) return io.out(renderMapCsv(result));
    io.out(renderMap(result));
  });
}

/** Writes every mapped layer's mapping (each of its loop nests) into `dir` as `<n>-<layer>.mapping.yaml`; returns how many. */
function writeTimeloopMappings(r: NetworkResult, arch: Architecture, dir: string): number {
  let n = 0;
  r.layers.forEach((l, i) =>
    l.problems.forEach((p, k) => {
      if (!p.mapping) return;
      const problem = p.partition.perCoreProblem;
      const file = join(dir, `${String(i).padStart(3, '0')}-${l.name.replace(/[^\w.-]+/g, '_')}${l.problems.length > 1 ? `-${k + 1}` : ''}.mapping.yaml`);
      writeTextFile(file, timeloopMappingYaml(problem, arch, mappingFromDirectives(p.mapping, problem, arch)), 'Timeloop mapping');
      n++;
    }),
  );
  return n;
}
