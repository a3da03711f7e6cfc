import type { Architecture } from '../arch/types.js';
import { cloneMapping, copyMapping, type MappingArrays } from '../mapping/mapping.js';
import { CostModel } from '../mapping/model.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { Constraints } from './constraints.js';
import { compare, metricValue, type Objective } from './objective.js';
import { MapSpace } from './space.js';

/**
 * Searching one problem's mapspace. Strategies:
 *   exhaustive — every point (MapSpace.enumerate), stopping at the budget;
 *   random     — uniform random points;
 *   anneal     — the default: a fixed number of chains, each seeded from the
 *                best of a few random points and improved by simulated
 *                annealing over local moves; deterministic for a seed.
 * A budget is a number of evaluations (deterministic) or of seconds (best
 * so far when time runs out). Every strategy returns the best valid mapping
 * found.
 */
export type Strategy = 'anneal' | 'random' | 'exhaustive';
export const STRATEGIES: readonly Strategy[] = ['anneal', 'random', 'exhaustive'];

export interface Budget {
  evaluations?: number;
  seconds?: number;
}

export interface SearchOptions {
  strategy: Strategy;
  objective: Objective;
  budget: Budget;
  seed: number;
  precision?: string;
  /** Called every few thousand evaluations. */
  onProgress?: (p: SearchProgress) => void;
}

export interface SearchProgress {
  evaluated: number;
  valid: number;
  bestCycles: number;
  bestEnergyPj: number;
}

export interface SearchResult {
  constraints: string;
  /** Best mapping (null when no valid mapping was found). */
  mapping: MappingArrays | null;
  cycles: number;
  energyPj: number;
  utilization: number;
  evaluated: number;
  valid: number;
  /** Whether an exhaustive search visited every point. */
  complete: boolean;
  seconds: number;
  log10Size: number;
}

export const ANNEAL_CHAINS = 4;

class Tracker {
  readonly model: CostModel;
  best: MappingArrays | null = null;
  bestCycles = Infinity;
  bestEnergy = Infinity;
  bestUtil = 0;
  evaluated = 0;
  valid = 0;
  private readonly started = performance.now();
  private readonly minUnits: number;

  constructor(
    problem: Problem,
    arch: Architecture,
    constraints: Constraints,
    readonly options: SearchOptions,
  ) {
    this.model = new CostModel(problem, arch, { precision: options.precision });
    this.minUnits = constraints.minUtilization * arch.compute.instances;
  }

  exhausted(): boolean {
    const b = this.options.budget;
    if (b.evaluations !== undefined && this.evaluated >= b.evaluations) return true;
    if (b.seconds !== undefined && (this.evaluated & 255) === 0 && (performance.now() - this.started) / 1000 >= b.seconds) return true;
    return false;
  }

  /** Evaluates; records it if it is the best so far. Returns the model's validity. */
  evaluate(m: MappingArrays): boolean {
    this.evaluated++;
    const model = this.model;
    if (!model.evaluate(m)) return false;
    if (model.usedUnits < this.minUnits) return false;
    this.valid++;
    if (compare(this.options.objective, model.cycles, model.totalEnergyPj, this.bestCycles, this.bestEnergy) < 0) {
      this.bestCycles = model.cycles;
      this.bestEnergy = model.totalEnergyPj;
      this.bestUtil = model.utilization;
      if (this.best) copyMapping(m, this.best);
      else this.best = cloneMapping(m);
    }
    if ((this.evaluated & 4095) === 0) this.options.onProgress?.({ evaluated: this.evaluated, valid: this.valid, bestCycles: this.bestCycles, bestEnergyPj: this.bestEnergy });
    return true;
  }

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

function primary(o: Objective, cycles: number, energy: number): number {
  return metricValue(o.metrics[0]!, cycles, energy);
}

function runRandom(space: MapSpace, t: Tracker, rng: Rng): void {
  const m = space.base();
  while (!t.exhausted()) {
    space.randomize(m, rng);
    t.evaluate(m);
  }
}

/**
 * One annealing chain: the best of `seedDraws` random points, then local
 * moves accepted when better, or worse with probability exp(−Δ/T) where Δ is
 * the relative change of the primary metric (log ratio) and T falls
 * geometrically from 0.3 to 0.001 over the chain's budget.
 */
function runChain(space: MapSpace, t: Tracker, rng: Rng, evaluations: number, deadline: () => boolean): void {
  const o = t.options.objective;
  const model = t.model;
  const cur = space.base();
  const cand = space.base();
  let curScore = Infinity, curCycles = Infinity, curEnergy = Infinity;
  const seedDraws = Math.max(8, Math.floor(evaluations * 0.15));
  let used = 0;
  for (; used < seedDraws && !deadline(); used++) {
    space.randomize(cand, rng);
    if (t.evaluate(cand) && compare(o, model.cycles, model.totalEnergyPj, curCycles, curEnergy) < 0) {
      curCycles = model.cycles;
      curEnergy = model.totalEnergyPj;
      curScore = primary(o, curCycles, curEnergy);
      copyMapping(cand, cur);
    }
  }
  if (curScore === Infinity) return;
  const steps = Math.max(1, evaluations - used);
  const t0 = 0.3, t1 = 0.001;
  for (let k = 0; k < steps && !deadline(); k++) {
    copyMapping(cur, cand);
    if (!space.move(cand, rng)) break;
    if (!t.evaluate(cand)) continue;
    const c = model.cycles, e = model.totalEnergyPj;
    const score = primary(o, c, e);
    const temp = t0 * Math.pow(t1 / t0, k / steps);
    const delta = Math.log(score / curScore);
    if (compare(o, c, e, curCycles, curEnergy) < 0 || (delta >= 0 && rng.next() < Math.exp(-delta / temp))) {
      copyMapping(cand, cur);
      curScore = score;
      curCycles = c;
      curEnergy = e;
    }
  }
}

export function searchProblem(problem: Problem, arch: Architecture, constraints: Constraints, options: SearchOptions): SearchResult {
  const space = new MapSpace(problem, arch, constraints);
  const t = new Tracker(problem, arch, constraints, options);
  const rng = new Rng(options.seed);
  let complete = false;
  switch (options.strategy) {
    case 'exhaustive':
      complete = space.enumerate((m) => {
        t.evaluate(m);
        return !t.exhausted();
      });
      break;
    case 'random':
      if (options.budget.evaluations === undefined && options.budget.seconds === undefined) throw new AccelmapError('bad-flag', 'random search needs a budget (--budget N or Ns)');
      runRandom(space, t, rng);
      break;
    case 'anneal': {
      const total = options.budget.evaluations ?? Infinity;
      for (let chain = 0; chain < ANNEAL_CHAINS; chain++) {
        const chainRng = new Rng((options.seed ^ Math.imul(chain + 1, 0x9e3779b1)) >>> 0);
        const share = Number.isFinite(total) ? Math.floor(total / ANNEAL_CHAINS) : Infinity;
        const start = t.evaluated;
        const limit = Number.isFinite(share) ? share : 1e12;
        const seconds = options.budget.seconds;
        const chainDeadline = seconds !== undefined ? t.seconds() + seconds / ANNEAL_CHAINS : Infinity;
        runChain(space, t, chainRng, Number.isFinite(share) ? share : 20000, () => t.evaluated - start >= limit || t.seconds() >= chainDeadline);
      }
      break;
    }
  }
  return {
    constraints: constraints.name,
    mapping: t.best,
    cycles: t.bestCycles,
    energyPj: t.bestEnergy,
    utilization: t.bestUtil,
    evaluated: t.evaluated,
    valid: t.valid,
    complete,
    seconds: t.seconds(),
    log10Size: space.log10Size(),
  };
}
