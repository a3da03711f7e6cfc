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
import { searchDesigns, type DesignStrategy } from './search.js';
import { constraintViolation, designArch, designKnobs, designSpec, designStatic, type Design, type DesignSpace, type KnobValue } from './space.js';

export const EXPLORE_OBJECTIVES = ['latency', 'energy', 'area'] as const;
export type ExploreObjective = (typeof EXPLORE_OBJECTIVES)[number];

/** Mapper settings of the inner loop: a small budget per distinct loop nest by default, so that a design costs seconds, not minutes. */
export interface InnerMapper {
  strategy: Strategy;
  budget: Budget;
  objective: string;
  seed: number;
}

export const EXPLORE_MAPPER_DEFAULTS: InnerMapper = { strategy: 'hybrid', budget: { evaluations: 500 }, objective: 'edp', seed: 1 };

export interface ExploreWorkload {
  /** How it was named (zoo model, file or layer spec). */
  name: string;
  workload: Graph | Problem;
  /** What else fixes it (batch, sequence length, …), part of the content hash. */
  options: unknown;
  /** Its weight in a suite (default 1): a design's latency and energy are the weighted sums over the workloads. */
  weight?: number;
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
  threads?: number;
  store?: DesignStore;
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
  const version = accelmapVersion();
  const identity = workloads.map((w) => ({ name: w.name, options: w.options, ...(w.weight !== undefined && { weight: w.weight }) }));
  const settings = { workloads: identity, mapper: o.mapper };
  /** Mapping results by (workload, architecture without the clock): the clock alone changes seconds, not cycles or energy. */
  const mapped = new Map<string, NetworkResult>();
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

  const evaluate = async (d: Design): Promise<number[] | null> => {
    const arch = archOf(d) as Architecture;
    const spec = designSpec(space, d);
    const hash = contentHash({ spec, workloads: identity, mapper: o.mapper, version });
    let rec = o.store?.get(hash);
    if (rec) fromStore++;
    else {
      rec = await evaluateDesign(space, d, arch, workloads, o, hash, settings, mapped, () => cacheHits++);
      o.store?.put(rec);
    }
    stored.push(rec);
    const v = objectiveValues(rec, o.objectives);
    if (v) o.objectives.forEach((name, i) => (best[name] = Math.min(best[name] ?? Infinity, v[i]!)));
    o.onDesign?.({ done: stored.length, budget: o.budget, fromStore, best: { ...best } });
    return v;
  };

  const cards = space.knobs.map((k) => k.values.length);
  const r = await searchDesigns({ cardinalities: cards, admissible, evaluate }, { strategy: o.strategy, budget: o.budget, seconds: o.seconds, seed: o.seed, population: o.population });
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

async function evaluateDesign(
  space: DesignSpace, d: Design, arch: Architecture, workloads: ExploreWorkload[], o: ExploreOptions,
  hash: string, settings: unknown, mapped: Map<string, NetworkResult>, onCacheHit: () => void,
): Promise<StoredDesign> {
  const st = designStatic(arch);
  const base = { hash, space: space.name, knobs: designKnobs(space, d), areaMm2: st.areaMm2, sramBytes: st.sramBytes, settings };
  // The normalized architecture with the clock left out: bandwidths are per cycle there, so only a clock that changes nothing else is ignored.
  const mappingRelevant = { ...arch, clockHz: 0 };
  const results: StoredWorkload[] = [];
  const layers: StoredLayer[] = [];
  for (const w of workloads) {
    const key = canonicalJson({ w: w.name, arch: mappingRelevant });
    let net = mapped.get(key);
    if (net) onCacheHit();
    else {
      try {
        net = await mapNetwork(w.workload, arch, { name: w.name, strategy: o.mapper.strategy, budget: o.mapper.budget, objective: o.mapper.objective, seed: o.mapper.seed, threads: o.threads ?? 1 });
      } catch (e) {
        if (e instanceof AccelmapError && e.code === 'infeasible') return { ...base, status: 'infeasible', reason: `${w.name}: ${e.message}`, latencyS: null, energyPj: null, workloads: [], layers: [] };
        throw e;
      }
      mapped.set(key, net);
    }
    const t = net.totals;
    results.push({ name: w.name, weight: w.weight ?? 1, cycles: t.cycles, seconds: t.cycles / arch.clockHz, energyPj: t.energyPj, utilization: t.utilization });
    for (const l of net.layers) layers.push({ workload: w.name, name: l.name, op: l.op, cycles: l.cycles, energyPj: l.energyPj, utilization: l.utilization, dataflow: l.dataflow, mapping: l.mapping });
  }
  const latencyS = results.reduce((s, w) => s + w.weight * w.seconds, 0);
  const energyPj = results.reduce((s, w) => s + w.weight * w.energyPj, 0);
  return { ...base, status: 'ok', reason: null, latencyS, energyPj, workloads: results, layers };
}
