import { loadArch as loadArchRef, archFromSpec } from '../arch/load.js';
import type { Architecture } from '../arch/types.js';
import { costOf, type Cost } from '../mapping/cost.js';
import { mappingFromDirectives, mappingToDirectives, type Directive } from '../mapping/directives.js';
import { mappingFromBytes } from '../mapping/mapping.js';
import type { Convention, ModelOptions } from '../mapping/model.js';
import { loadLayer as loadLayerRef } from '../problem/load.js';
import { problemKey, type Problem } from '../problem/types.js';
import { constraintsFromValue, loadConstraintsFile, type UserConstraints } from '../search/constraints-file.js';
import type { DataflowChoice } from '../search/dataflows.js';
import { noValidMapping, runTask, type SearchJob } from '../search/job.js';
import { searchNestHere } from '../search/nest.js';
import { parseObjective } from '../search/objective.js';
import type { Budget, Strategy } from '../search/search.js';
import { formatCount } from '../util/units.js';
import type { OnProgress } from './progress.js';

/**
 * An accelerator: a preset name (`eyeriss`, see `accelmap arch`), a YAML/JSON
 * spec file, or a spec as data (the form of presets/arch/*.yaml).
 */
export function loadArch(ref: string | Record<string, unknown>): Architecture {
  return typeof ref === 'string' ? loadArchRef(ref) : archFromSpec(ref);
}

/** One loop nest: the compact form (`conv:K=64,C=64,P=56,Q=56,R=3,S=3`, `matmul:M=128,N=768,K=768`) or a YAML/JSON layer file. */
export function loadLayer(spec: string): Problem {
  return loadLayerRef(spec);
}

export interface EvaluateOptions {
  /** Precision mode of the compute unit (default: the first). */
  precision?: string;
  readWriteFills?: ModelOptions['readWriteFills'];
}

/**
 * The cost of one mapping (Timeloop-style directives, as `searchMapping` and
 * `accelmap map --json` give them) of a loop nest on an accelerator. An
 * invalid mapping throws an `infeasible` AccelmapError saying why.
 */
export function evaluate(problem: Problem, arch: Architecture, mapping: readonly Directive[], options: EvaluateOptions = {}): Cost {
  return costOf(problem, arch, mappingFromDirectives(mapping, problem, arch), options);
}

/** What the mapper searches for, and how long. Every field has a default (`MAP_DEFAULTS`). */
export interface SearchSettings {
  /** A named dataflow (`ws`, `os`, `is`, `rs`, `nlr`), each of them (`all`) or the whole space (`auto`, default). */
  dataflow?: DataflowChoice;
  /** `latency`, `energy`, `edp` (default) or a lexicographic list such as `energy,latency`. */
  objective?: string;
  strategy?: Strategy;
  /** Per distinct loop nest (and per dataflow for `all`): at most N evaluations (deterministic; with `patience`, descents and annealing chains stop once their best has not improved for that many; with `gap`, a search stops once its best is within that fraction of the nest's lower bound) or N seconds (spent in full). Default 14,000 evaluations, patience 4,000, no gap. */
  budget?: Budget;
  seed?: number;
  precision?: string;
  /** `accelmap` (default) or `timeloop`: count as Timeloop does (docs/timeloop-convention.md). */
  convention?: Convention;
  /** User constraints added to the dataflow's: a YAML/JSON file, or the same as data (`{constraints: [...]}`). */
  constraints?: string | { constraints: unknown[] };
}

/** The defaults of `SearchSettings` (and of `accelmap map`). */
export const MAP_DEFAULTS = {
  dataflow: 'auto',
  objective: 'edp',
  strategy: 'hybrid',
  budget: { evaluations: 14000, patience: 4000 },
  seed: 1,
} as const satisfies Required<Pick<SearchSettings, 'dataflow' | 'objective' | 'strategy' | 'budget' | 'seed'>>;

/** A budget of N evaluations per loop nest, with the default patience (what `accelmap map --budget N` searches with). */
export function evaluationBudget(evaluations: number): Budget {
  return { evaluations, patience: MAP_DEFAULTS.budget.patience };
}

/** Settings with defaults filled in and the objective and constraints parsed. */
export type ResolvedSettings = Omit<SearchJob, 'problem' | 'arch' | 'constraints'> & { constraints?: UserConstraints };

/** What the searches look for (dataflow, objective, strategy) with defaults filled in: all that picking and assembling need. */
export function resolveChoice(s: Pick<SearchSettings, 'dataflow' | 'objective' | 'strategy'>): Pick<ResolvedSettings, 'dataflow' | 'metrics' | 'strategy'> {
  return {
    dataflow: s.dataflow ?? MAP_DEFAULTS.dataflow,
    metrics: parseObjective(s.objective ?? MAP_DEFAULTS.objective).metrics,
    strategy: s.strategy ?? MAP_DEFAULTS.strategy,
  };
}

export function resolveSettings(s: SearchSettings): ResolvedSettings {
  const c = s.constraints;
  return {
    ...resolveChoice(s),
    budget: s.budget ?? MAP_DEFAULTS.budget,
    seed: s.seed ?? MAP_DEFAULTS.seed,
    precision: s.precision,
    convention: s.convention,
    constraints: c === undefined ? undefined : typeof c === 'string' ? loadConstraintsFile(c) : constraintsFromValue(c),
  };
}

export interface SearchMappingOptions extends SearchSettings {
  onProgress?: OnProgress;
}

/** The best mapping found for one loop nest. */
export interface LayerMapping {
  problem: Problem;
  arch: string;
  /** The dataflow whose space held the best mapping. */
  dataflow: string;
  /** Timeloop-style directives; `evaluate(problem, arch, mapping)` gives `cost` again. */
  mapping: Directive[];
  cost: Cost;
  evaluated: number;
  valid: number;
  /** Whether an exhaustive search visited every point. */
  complete: boolean;
  /** Each dataflow searched (one entry unless `dataflow: 'all'`) with its best cycles and energy. */
  byDataflow: { dataflow: string; cycles: number; energyPj: number; valid: number }[];
}

/**
 * Searches the mappings of one loop nest on an accelerator (in this thread).
 * The search is seeded from the nest itself, so `mapNetwork` finds the same
 * mapping for the same nest and settings.
 */
export function searchMapping(problem: Problem, arch: Architecture, options: SearchMappingOptions = {}): LayerMapping {
  const s = resolveSettings(options);
  const { onProgress } = options;
  const r = searchNestHere(
    { problem, arch, dataflow: s.dataflow, metrics: s.metrics, strategy: s.strategy, budget: s.budget, seed: s.seed, precision: s.precision, convention: s.convention, constraints: s.constraints?.entries },
    problemKey(problem),
    (task) => runTask(task, onProgress && ((p) => onProgress(`${p.dataflow}: ${formatCount(p.evaluated)} mappings evaluated, ${formatCount(p.valid)} valid`))),
  );
  const { mapping, cost } = r.best;
  if (!mapping || !cost) throw noValidMapping(problem, arch.name, r);
  return {
    problem,
    arch: arch.name,
    dataflow: r.best.dataflow,
    mapping: mappingToDirectives(problem, arch, mappingFromBytes(problem, arch, mapping)),
    cost,
    evaluated: r.byDataflow.reduce((n, x) => n + x.evaluated, 0),
    valid: r.byDataflow.reduce((n, x) => n + x.valid, 0),
    complete: r.byDataflow.every((x) => x.complete),
    byDataflow: r.byDataflow.map((x) => ({ dataflow: x.dataflow, cycles: x.cycles, energyPj: x.energyPj, valid: x.valid })),
  };
}
