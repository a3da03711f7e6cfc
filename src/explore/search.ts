import { Rng } from '../util/rng.js';
import { crowdingDistance, nondominatedSort, paretoFront } from './pareto.js';
import type { Design } from './space.js';

export const DESIGN_STRATEGIES = ['nsga2', 'random'] as const;
export type DesignStrategy = (typeof DESIGN_STRATEGIES)[number];

/** The design search's view of a space: how many values each knob has, and which designs pass the constraints. */
export interface SearchProblem {
  cardinalities: number[];
  /** Whether a design passes the constraints (checked before it is evaluated; rejected designs cost no budget). */
  admissible(d: Design): boolean;
  /** Objective values (lower is better), or null when the design cannot run the workloads. */
  evaluate(d: Design): Promise<number[] | null>;
  /**
   * Evaluates a whole generation at once (same values, in the same order), for
   * evaluators that run designs side by side. The designs proposed do not
   * depend on which one finishes first, so the search is the same as with
   * `evaluate` one design at a time.
   */
  evaluateBatch?(ds: Design[]): Promise<(number[] | null)[]>;
}

export interface DesignSearchOptions {
  strategy: DesignStrategy;
  /** Designs to evaluate (admissible ones; fewer when the space has fewer); `Infinity` with `seconds`. */
  budget: number;
  /** Wall-clock seconds: no new design is started once they have passed (the first always runs; one under way finishes). */
  seconds?: number;
  seed: number;
  /** NSGA-II population (default: min(budget, 16)). */
  population?: number;
}

export interface Evaluated {
  design: Design;
  objectives: number[] | null;
}

export interface DesignSearchResult {
  evaluated: Evaluated[];
  /** Indices into `evaluated` of the non-dominated designs. */
  front: number[];
  /** Designs dropped by the constraints. */
  rejected: number;
}

const keyOf = (d: Design) => d.join(',');

/**
 * Searches a discrete design space: uniform random sampling, or NSGA-II
 * (Deb et al., 2002: non-dominated sorting, crowding distance, binary
 * tournaments, uniform crossover, per-knob mutation to a neighbouring or a
 * random value). Seeded: the same seed and the same evaluations give the same
 * sequence of designs, so a rerun that reads stored evaluations retraces it.
 */
export async function searchDesigns(p: SearchProblem, o: DesignSearchOptions): Promise<DesignSearchResult> {
  const rng = new Rng(o.seed);
  const size = p.cardinalities.reduce((n, c) => n * c, 1);
  const seen = new Set<string>();
  let rejected = 0;
  const evaluated: Evaluated[] = [];
  const started = performance.now();
  /** Whether another design may start: budget left, and time left once one has run. */
  const more = () => evaluated.length < o.budget && (o.seconds === undefined || evaluated.length === 0 || (performance.now() - started) / 1000 < o.seconds);

  /** Marks `d` seen; true when it is new and admissible. */
  const admit = (d: Design): boolean => {
    const k = keyOf(d);
    if (seen.has(k)) return false;
    seen.add(k);
    if (p.admissible(d)) return true;
    rejected++;
    return false;
  };
  const exhausted = () => seen.size >= size;
  const randomDesign = (): Design => p.cardinalities.map((c) => rng.int(c));
  /** A new admissible design drawn uniformly, or undefined once every design has been seen. */
  const fresh = (): Design | undefined => {
    for (let tries = 0; tries < 64 && !exhausted(); tries++) {
      const d = randomDesign();
      if (admit(d)) return d;
    }
    // Dense sampling stalls near the end of a small space: walk it in order from a random point instead.
    const start = rng.int(size);
    for (let i = 0; i < size && !exhausted(); i++) {
      const d = decode((start + i) % size, p.cardinalities);
      if (admit(d)) return d;
    }
    return undefined;
  };
  /** Fresh designs until the space runs out. */
  function* freshDesigns(): Generator<Design> {
    for (let d = fresh(); d; d = fresh()) yield d;
  }
  /** A generation's children: each from a tournament, crossover and mutation (or fresh when those give nothing new). They depend on the parents only. */
  function* children(ranked: Ranked[]): Generator<Design> {
    for (;;) {
      const a = tournament(ranked, rng), b = tournament(ranked, rng);
      let child = a && b ? crossover(a.design, b.design, rng) : randomDesign();
      let ok = false;
      for (let tries = 0; tries < 16 && !ok; tries++) {
        child = mutate(child, p.cardinalities, rng);
        ok = admit(child);
      }
      const d = ok ? child : fresh();
      if (!d) return;
      yield d;
    }
  }
  /**
   * Evaluates up to `limit` designs drawn from `source`. One at a time, the
   * next is drawn only while budget and time are left; with `evaluateBatch`,
   * as many as the budget allows are drawn first (the time is checked once,
   * before), then evaluated together.
   */
  const generation = async (source: Iterator<Design>, limit: number): Promise<Evaluated[]> => {
    const out: Evaluated[] = [];
    if (!p.evaluateBatch) {
      for (let next; out.length < limit && more() && !(next = source.next()).done; ) {
        const e = { design: next.value, objectives: await p.evaluate(next.value) };
        evaluated.push(e);
        out.push(e);
      }
      return out;
    }
    if (!more()) return out;
    const ds: Design[] = [];
    for (let next; ds.length < limit && evaluated.length + ds.length < o.budget && !(next = source.next()).done; ) ds.push(next.value);
    const values = ds.length > 0 ? await p.evaluateBatch(ds) : [];
    ds.forEach((design, i) => out.push({ design, objectives: values[i]! }));
    evaluated.push(...out);
    return out;
  };

  const n = Math.max(2, Math.min(o.budget, o.population ?? 16));
  if (o.strategy === 'random') {
    const source = freshDesigns();
    while ((await generation(source, p.evaluateBatch ? n : Infinity)).length > 0);
  } else {
    let population = await generation(freshDesigns(), n);
    while (more() && !exhausted()) {
      const born = await generation(children(rankPopulation(population)), n);
      if (born.length === 0) break;
      population = select([...population, ...born], n);
    }
  }
  const feasible = evaluated.flatMap((e, i) => (e.objectives ? [i] : []));
  const front = paretoFront(feasible.map((i) => evaluated[i]!.objectives!)).map((j) => feasible[j]!);
  return { evaluated, front, rejected };
}

function decode(index: number, cardinalities: number[]): Design {
  const d: Design = [];
  for (const c of cardinalities) {
    d.push(index % c);
    index = Math.floor(index / c);
  }
  return d;
}

interface Ranked {
  design: Design;
  rank: number;
  crowding: number;
}

/** Rank and crowding distance of each feasible member (designs that cannot run are left out). */
function rankPopulation(pop: Evaluated[]): Ranked[] {
  const feasible = pop.filter((e) => e.objectives);
  const points = feasible.map((e) => e.objectives!);
  const out: Ranked[] = [];
  nondominatedSort(points).forEach((front, rank) => {
    const crowd = crowdingDistance(points, front);
    front.forEach((i, j) => out.push({ design: feasible[i]!.design, rank, crowding: crowd[j]! }));
  });
  return out;
}

function better(a: Ranked, b: Ranked): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.crowding > b.crowding);
}

function tournament(ranked: Ranked[], rng: Rng): Ranked | undefined {
  if (ranked.length === 0) return undefined;
  const a = ranked[rng.int(ranked.length)]!, b = ranked[rng.int(ranked.length)]!;
  return better(b, a) ? b : a;
}

function crossover(a: Design, b: Design, rng: Rng): Design {
  return a.map((x, i) => (rng.next() < 0.5 ? x : b[i]!));
}

/** Each knob moves with probability 1/knobs (at least one moves): to a neighbouring value, or half the time to any value. */
function mutate(d: Design, cardinalities: number[], rng: Rng): Design {
  const out = [...d];
  const forced = rng.int(d.length);
  for (let i = 0; i < d.length; i++) {
    const c = cardinalities[i]!;
    if (c < 2 || (i !== forced && rng.next() >= 1 / d.length)) continue;
    if (rng.next() < 0.5) out[i] = rng.int(c);
    else out[i] = Math.min(c - 1, Math.max(0, out[i]! + (rng.next() < 0.5 ? -1 : 1)));
  }
  return out;
}

/** NSGA-II survivor selection: whole fronts in rank order, the last one cut by crowding distance; infeasible designs last. */
function select(pool: Evaluated[], n: number): Evaluated[] {
  const feasible = pool.filter((e) => e.objectives);
  const points = feasible.map((e) => e.objectives!);
  const out: Evaluated[] = [];
  for (const front of nondominatedSort(points)) {
    if (out.length + front.length <= n) {
      out.push(...front.map((i) => feasible[i]!));
      continue;
    }
    const crowd = crowdingDistance(points, front);
    const order = [...front.keys()].sort((a, b) => crowd[b]! - crowd[a]! || front[a]! - front[b]!);
    out.push(...order.slice(0, n - out.length).map((j) => feasible[front[j]!]!));
    break;
  }
  return out;
}
