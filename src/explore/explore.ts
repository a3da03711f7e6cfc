import type { Architecture } from '../arch/types.js';
import { mapNetwork } from '../api/network.js';
import type { Budget, Strategy } from '../search/search.js';
import type { NetworkResult } from '../network/map.js';
import type { Problem } from '../problem/types.js';
import type { StoredDesign, StoredLayer, StoredWorkload } from '../store/store.js';
import { AccelmapError } from '../util/errors.js';
import { accelmapVersion } from '../util/provenance.js';
import type { Graph } from '../workload/graph.js';
import { canonicalJson, contentHash } from './hash.js';
import { ThreadEvaluator } from '../queue/threads.js';
import { evaluateOnTarget } from './target-space.js';
import { searchDesigns, type DesignStrategy } from './search.js';
import { constraintViolation, designArch, designKnobs, designSpec, designStatic, type Design, type DesignSpace, type KnobValue } from './space.js';

export const EXPLORE_OBJECTIVES = ['latency', 'energy', 'area'] as const;
export type ExploreObjective = (typeof EXPLORE_OBJECTIVES)[number];

/** The objectives when none are asked for: all three, or latency and area on a compile target (it has no energy model). */
export const defaultObjectives = (space: DesignSpace): ExploreObjective[] => (space.target ? ['latency', 'area'] : [...EXPLORE_OBJECTIVES]);

/** Mapper settings of the inner loop: a small budget per distinct loop nest by default, so that a design costs seconds, not minutes. */
export interface InnerMapper {
  strategy: Strategy;
  budget: Budget;
  objective: string;
  seed: number;
}

export const EXPLORE_MAPPER_DEFAULTS: InnerMapper = { strategy: 'hybrid', budget: { evaluations: 2000 }, objective: 'edp', seed: 1 };

export interface ExploreWorkload {
  /** How it was named (zoo model, file or layer spec). */
  name: string;
  workload: Graph | Problem;
  /** What else fixes it (batch, sequence length, …), part of the content hash. */
  options: unknown;
  /** Its weight in a suite (default 1): a design's latency and energy are the weighted sums over the workloads. */
  weight?: number;
}

/** What every design of a run is evaluated against: plain data (JSON), so that it can be sent as is to the workers of a queue. */
export interface ExplorationContext {
  space: DesignSpace;
  workloads: ExploreWorkload[];
  mapper: InnerMapper;
  /** The accelmap version, part of each design's content hash: a worker of another version refuses the design. */
  version: string;
}

/** A design to evaluate, with the content hash its record is stored under. */
export interface DesignPoint {
  hash: string;
  design: Design;
}

/** A design's record, and how many workload mappings it took from the evaluator's cache. */
export interface EvaluatedPoint {
  record: StoredDesign;
  mapperCacheHits: number;
}

/**
 * Evaluates designs somewhere else than in this thread (the BullMQ queue of
 * src/queue): `explore` hands it each generation's designs that are not in
 * the store, and stores each record as `onResult` receives it.
 */
export interface DesignEvaluator {
  evaluate(context: ExplorationContext, points: DesignPoint[], onResult: (r: EvaluatedPoint) => void): Promise<void>;
}

/** Where evaluated designs are kept between runs (the SQLite store implements it). */
export interface DesignStore {
  get(hash: string): StoredDesign | undefined;
  put(d: StoredDesign): boolean;
}

export interface ExploreOptions {
  objectives: ExploreObjective[];
  strategy: DesignStrategy;
  /** Designs to evaluate; `Infinity` when only `seconds` bounds the run. */
  budget: number;
  /** Wall-clock seconds: no new design starts once they have passed (the first always runs). Designs read from the store cost next to none, so a rerun retraces them and goes on. */
  seconds?: number;
  seed: number;
  population?: number;
  mapper: InnerMapper;
  /** Designs evaluated at once, each on a thread of its own with its mapping searched there alone (`ThreadEvaluator`); default 1, one after another in this thread. Not with `evaluator`. */
  threads?: number;
  store?: DesignStore;
  /** Evaluates designs elsewhere, a generation at a time (default: one by one in this process); the designs and the front are the same. */
  evaluator?: DesignEvaluator;
  /** Called after each design with the count so far and the objective values of the best design per objective. */
  onDesign?: (p: ExploreProgress) => void;
}

export interface ExploreProgress {
  done: number;
  budget: number;
  fromStore: number;
  best: Partial<Record<ExploreObjective, number>>;
}

export interface ExploredDesign {
  hash: string;
  knobs: Record<string, KnobValue>;
  /** Lower is better: latency in seconds and energy in pJ (weighted sums over the workloads), area in mm². */
  objectives: Partial<Record<ExploreObjective, number>>;
  status: 'ok' | 'infeasible';
  reason: string | null;
  latencyS: number | null;
  energyPj: number | null;
  areaMm2: number;
}

export interface ExploreResult {
  space: string;
  objectives: ExploreObjective[];
  strategy: DesignStrategy;
  seed: number;
  mapper: InnerMapper;
  /** Designs evaluated (mapped, or read back from the store). */
  evaluated: number;
  fromStore: number;
  /** Designs dropped by the space's constraints before mapping. */
  rejected: number;
  infeasible: number;
  /** Mapper runs skipped because a design with the same mapping-relevant spec had been mapped. */
  mapperCacheHits: number;
  designs: ExploredDesign[];
  /** The non-dominated designs, in the order they were evaluated. */
  front: ExploredDesign[];
}

function objectiveValues(d: StoredDesign, objectives: readonly ExploreObjective[]): number[] | null {
  if (d.status !== 'ok') return null;
  return objectives.map((o) => (o === 'latency' ? d.latencyS! : o === 'energy' ? d.energyPj! : d.areaMm2));
}

function explored(d: StoredDesign, objectives: readonly ExploreObjective[]): ExploredDesign {
  const v = objectiveValues(d, objectives);
  return { hash: d.hash, knobs: d.knobs, objectives: v ? Object.fromEntries(objectives.map((o, i) => [o, v[i]!])) : {}, status: d.status, reason: d.reason, latencyS: d.latencyS, energyPj: d.energyPj, areaMm2: d.areaMm2 };
}

/**
 * Searches the designs of a space for the given workloads: the outer loop
 * proposes designs (NSGA-II or random), the inner loop maps every distinct
 * layer of every workload with the mapper. Each evaluated design is written
 * to the store (when given) and read back from it on a rerun, which retraces
 * the same seeded search without mapping again.
 */
export async function explore(space: DesignSpace, workloads: ExploreWorkload[], o: ExploreOptions): Promise<ExploreResult> {
  if (!Number.isFinite(o.budget) && o.seconds === undefined) throw new AccelmapError('bad-input', 'explore needs a finite budget of designs or of seconds', { path: 'budget' }, 'set budget to a count, or seconds');
  if (space.target && o.objectives.includes('energy')) throw new AccelmapError('bad-flag', `space '${space.name}' is simulated on a compile target, which has no energy model: energy is not an objective there`, { path: 'objectives' }, 'use --objectives latency,area');
  if (o.evaluator && (o.threads ?? 1) > 1) throw new AccelmapError('bad-input', 'threads is how many designs this process evaluates at once; with an evaluator, the evaluator decides', { path: 'threads' }, 'leave out threads or the evaluator');
  const threads = (o.threads ?? 1) > 1 ? new ThreadEvaluator(o.threads!) : undefined;
  try {
    return await exploreWith(space, workloads, { ...o, evaluator: o.evaluator ?? threads });
  } finally {
    await threads?.close();
  }
}

async function exploreWith(space: DesignSpace, workloads: ExploreWorkload[], o: ExploreOptions): Promise<ExploreResult> {
  const context: ExplorationContext = { space, workloads, mapper: o.mapper, version: accelmapVersion() };
  const cache: MappingCache = new Map();
  const archs = new Map<string, Architecture | { invalid: string }>();
  let fromStore = 0, cacheHits = 0;
  const stored: StoredDesign[] = [];
  const best: Partial<Record<ExploreObjective, number>> = {};

  const archOf = (d: Design) => {
    const k = d.join(',');
    let a = archs.get(k);
    if (!a) archs.set(k, (a = designArch(space, d)));
    return a;
  };
  const admissible = (d: Design) => {
    const a = archOf(d);
    return !('invalid' in a) && constraintViolation(space, designStatic(a)) === undefined;
  };
  /** Notes a design's objective values in the best so far and reports progress. */
  const arrived = (rec: StoredDesign, done: number) => {
    const v = objectiveValues(rec, o.objectives);
    if (v) o.objectives.forEach((name, i) => (best[name] = Math.min(best[name] ?? Infinity, v[i]!)));
    o.onDesign?.({ done, budget: o.budget, fromStore, best: { ...best } });
  };
  const fromTheStore = (hash: string) => {
    const rec = o.store?.get(hash);
    if (rec) fromStore++;
    return rec;
  };

  const evaluate = async (d: Design): Promise<number[] | null> => {
    const point = { hash: designHash(context, d), design: d };
    let rec = fromTheStore(point.hash);
    if (!rec) {
      const r = await evaluatePoint(context, point, cache);
      cacheHits += r.mapperCacheHits;
      rec = r.record;
      o.store?.put(rec);
    }
    stored.push(rec);
    arrived(rec, stored.length);
    return objectiveValues(rec, o.objectives);
  };

  /** A generation through `o.evaluator`: records are stored as they arrive, and kept in the order of the designs. */
  const evaluateBatch = async (ds: Design[]): Promise<(number[] | null)[]> => {
    const points = ds.map((d) => ({ hash: designHash(context, d), design: d }));
    const records = new Map<string, StoredDesign>();
    for (const p of points) {
      const rec = fromTheStore(p.hash);
      if (rec) records.set(p.hash, rec), arrived(rec, stored.length + records.size);
    }
    const missing = [...new Map(points.filter((p) => !records.has(p.hash)).map((p) => [p.hash, p])).values()];
    const wanted = new Set(missing.map((p) => p.hash));
    if (missing.length > 0) {
      await o.evaluator!.evaluate(context, missing, ({ record, mapperCacheHits }) => {
        if (records.has(record.hash) || !wanted.has(record.hash)) return;
        o.store?.put(record);
        records.set(record.hash, record);
        cacheHits += mapperCacheHits;
        arrived(record, stored.length + records.size);
      });
    }
    return points.map((p) => {
      const rec = records.get(p.hash);
      if (!rec) throw new Error(`the evaluator returned no record for design ${p.hash}`);
      stored.push(rec);
      return objectiveValues(rec, o.objectives);
    });
  };

  const cards = space.knobs.map((k) => k.values.length);
  const r = await searchDesigns({ cardinalities: cards, admissible, evaluate, ...(o.evaluator && { evaluateBatch }) }, { strategy: o.strategy, budget: o.budget, seconds: o.seconds, seed: o.seed, population: o.population });
  const designs = stored.map((d) => explored(d, o.objectives));
  return {
    space: space.name,
    objectives: o.objectives,
    strategy: o.strategy,
    seed: o.seed,
    mapper: o.mapper,
    evaluated: designs.length,
    fromStore,
    rejected: r.rejected,
    infeasible: designs.filter((d) => d.status !== 'ok').length,
    mapperCacheHits: cacheHits,
    designs,
    front: r.front.map((i) => designs[i]!),
  };
}

/** Mapping results by (workload, architecture without the clock): the clock alone changes seconds, not cycles or energy. */
export type MappingCache = Map<string, NetworkResult>;

const identity = (workloads: ExploreWorkload[]) => workloads.map((w) => ({ name: w.name, options: w.options, ...(w.weight !== undefined && { weight: w.weight }) }));

/** The content hash a design's record is stored under: of its full spec, the workloads, the mapper settings and the accelmap version. */
export function designHash(context: ExplorationContext, d: Design): string {
  return contentHash({ spec: designSpec(context.space, d), workloads: identity(context.workloads), mapper: context.mapper, version: context.version });
}

/**
 * Evaluates one design: maps every workload onto its architecture (through
 * `cache`) and sums the weighted results. A design the workloads cannot be
 * mapped onto gets an `infeasible` record.
 */
export async function evaluatePoint(context: ExplorationContext, point: DesignPoint, cache: MappingCache): Promise<EvaluatedPoint> {
  const { space, workloads, mapper } = context;
  const arch = designArch(space, point.design);
  if ('invalid' in arch) throw new AccelmapError('bad-input', `design ${point.hash} is not a valid spec of space '${space.name}': ${arch.invalid}`);
  const st = designStatic(arch);
  const base = { hash: point.hash, space: space.name, knobs: designKnobs(space, point.design), areaMm2: st.areaMm2, sramBytes: st.sramBytes, settings: { workloads: identity(workloads), mapper } };
  if (space.target) return { record: await evaluateOnTarget(space, point.design, workloads, mapper.seed, base), mapperCacheHits: 0 };
  // The normalized architecture with the clock left out: bandwidths are per cycle there, so only a clock that changes nothing else is ignored.
  const mappingRelevant = { ...arch, clockHz: 0 };
  const results: StoredWorkload[] = [];
  const layers: StoredLayer[] = [];
  let mapperCacheHits = 0;
  for (const w of workloads) {
    const key = canonicalJson({ w: w.name, arch: mappingRelevant });
    let net = cache.get(key);
    if (net) mapperCacheHits++;
    else {
      try {
        net = await mapNetwork(w.workload, arch, { name: w.name, strategy: mapper.strategy, budget: mapper.budget, objective: mapper.objective, seed: mapper.seed, threads: 1 });
      } catch (e) {
        if (e instanceof AccelmapError && e.code === 'infeasible') return { record: { ...base, status: 'infeasible', reason: `${w.name}: ${e.message}`, latencyS: null, energyPj: null, workloads: [], layers: [] }, mapperCacheHits };
        throw e;
      }
      cache.set(key, net);
    }
    const t = net.totals;
    results.push({ name: w.name, weight: w.weight ?? 1, cycles: t.cycles, seconds: t.cycles / arch.clockHz, energyPj: t.energyPj, utilization: t.utilization });
    for (const l of net.layers) layers.push({ workload: w.name, name: l.name, op: l.op, cycles: l.cycles, energyPj: l.energyPj, utilization: l.utilization, dataflow: l.dataflow, mapping: l.mapping });
  }
  const latencyS = results.reduce((s, w) => s + w.weight * w.seconds, 0);
  const energyPj = results.reduce((s, w) => s + w.weight * w.energyPj!, 0);
  return { record: { ...base, status: 'ok', reason: null, latencyS, energyPj, workloads: results, layers }, mapperCacheHits };
}
