import { hostBandwidthBytesPerSecond, type Device } from '../device/device.js';
import { AccelmapError } from '../util/errors.js';
import { nodeCounts } from '../workload/counts.js';
import type { Graph } from '../workload/graph.js';
import { loopOp } from '../workload/ops/fused.js';
import { convOptions, isConvolution, type ConvAlgorithm, type ConvMethod, type ConvOptions } from './conv-algos.js';
import { planRecompute, type RecomputePlan } from './recompute.js';
import { BUFFER_CATEGORIES, buildSchedule, graphSteps, type BufferCategory, type Schedule, type StepPhase } from './schedule.js';
import { offloadUse, simulate, type Timeline } from './timeline.js';
import { rooflineTimes, type LayerTimes } from '../characterize/times.js';

/**
 * Training-memory plans: which buffers leave the device between the forward
 * and the backward pass, which are recomputed, which convolution algorithm
 * each convolution runs — and what that costs in memory and time.
 *
 * Policies (vDNN's names, Rhu et al., MICRO'16, plus checkpointing):
 * - `none`: every buffer stays on the device from its creation to its last use;
 * - `conv`: the inputs of convolutions are offloaded (vDNN_conv);
 * - `all`: the inputs of every forward step that the backward pass reads again (vDNN_all);
 * - `recompute`: checkpoints only, the rest recomputed (see recompute.ts);
 * - `recompute+conv`, `recompute+all`: checkpointing, with the kept buffers offloaded;
 * - `dyn` (vDNN_dyn): the fastest of none, conv and all with fast
 *   convolutions that fits; if none fits, conv and all with convolutions
 *   switched to the memory-lean algorithm one at a time — the one running
 *   at the memory peak — until it fits (the faster that does); at last all
 *   with every convolution lean.
 * The other policies run every convolution with `algorithm` (default fast).
 * Every policy that offloads also keeps the optimizer state on the host
 * between updates (only the update reads it) when its copy takes no longer
 * than the forward pass: it leaves as the step starts and comes back,
 * prefetched like the feature maps, for the update.
 */
export const POLICIES = ['none', 'conv', 'all', 'dyn', 'recompute', 'recompute+conv', 'recompute+all'] as const;
export type PolicyName = (typeof POLICIES)[number];
export type OffloadKind = 'none' | 'conv' | 'all';

export interface PlannerOptions {
  /** Device memory available (default: the device's capacity). */
  capacityBytes?: number;
  /** Per-node times (default: the device's roofline). */
  times?: LayerTimes;
  /** Checkpointing: every k-th cut point becomes a segment boundary (default √ of the cut points). */
  checkpointEvery?: number;
  /** Element-wise results overwrite inputs that die with them (default true). */
  inPlace?: boolean;
}

/** Options of a plan made from scratch (largest-batch search). */
export interface PlanOptions extends PlannerOptions {
  policy?: PolicyName;
  /** Convolution algorithm class for every policy but dyn (default fast). */
  algorithm?: ConvAlgorithm;
}

/** A configuration the planner can run. */
export interface Config {
  recompute: boolean;
  offload: OffloadKind;
  /** Convolutions (by node name) on the memory-lean algorithm; `'all'`: every one. */
  lean: ReadonlySet<string> | 'all';
}

interface Variant {
  schedule: Schedule;
  recompute?: RecomputePlan;
}

/** A graph and device made ready for planning: schedules, per-node times and convolution options computed once. */
export interface Planner {
  graph: Graph;
  device: Device;
  capacityBytes: number;
  linkBytesPerSecond: number;
  times: LayerTimes;
  plain: Variant;
  recomputed: Variant;
  /** Per node name: seconds and FLOPs of the node as the graph gives it. */
  nodes: Map<string, { seconds: number; flops: number }>;
  conv: Map<string, ConvOptions>;
}

export function preparePlanner(graph: Graph, device: Device, o: PlannerOptions = {}): Planner {
  if (graph.mode !== 'train') throw new Error(`graph ${graph.name} is not in training form`);
  const times = o.times ?? rooflineTimes(device);
  const nodes = new Map<string, { seconds: number; flops: number }>();
  const conv = new Map<string, ConvOptions>();
  for (const node of graph.nodes) {
    const counts = nodeCounts(graph, node);
    nodes.set(node.name, { seconds: times.seconds(graph, node), flops: counts.flops });
    if (isConvolution(node)) conv.set(node.name, convOptions(graph, node, counts, times));
  }
  const inPlace = o.inPlace ?? true;
  const recompute = planRecompute(graph, o.checkpointEvery);
  return {
    graph,
    device,
    capacityBytes: o.capacityBytes ?? device.memoryCapacityBytes,
    linkBytesPerSecond: hostBandwidthBytesPerSecond(device),
    times,
    plain: { schedule: buildSchedule(graph, graphSteps(graph), { inPlace }) },
    recomputed: { schedule: buildSchedule(graph, recompute.specs, { inPlace, tensorOf: recompute.tensorOf }), recompute },
    nodes,
    conv,
  };
}

/** A configuration run on the planner's graph. */
export interface Evaluation {
  config: Config;
  variant: Variant;
  timeline: Timeline;
  stepSeconds: number[];
  workspaceBytes: number[];
  algorithms: Map<string, ConvAlgorithm>;
  offload: Set<number>;
  /** Optimizer-state buffers kept on the host between updates. */
  hostState: Set<number>;
  fits: boolean;
}

function algorithmOf(config: Config, node: string): ConvAlgorithm {
  return config.lean === 'all' || config.lean.has(node) ? 'lean' : 'fast';
}

/** Buffers a configuration offloads: read in the forward pass and again after it (`conv`: only those a convolution takes as its data input). */
function offloadSet(schedule: Schedule, kind: OffloadKind): Set<number> {
  const set = new Set<number>();
  if (kind === 'none') return set;
  for (const b of schedule.buffers) {
    if (b.persistent || !offloadUse(schedule, b.id)) continue;
    if (kind === 'conv' && !b.readers.some((s) => schedule.steps[s]!.phase === 'forward' && loopOp(schedule.steps[s]!.node) === 'Conv' && schedule.steps[s]!.inputs[0] === b.id)) continue;
    set.add(b.id);
  }
  return set;
}

/**
 * Optimizer state that only update steps read: it waits on the host for
 * them, when its copy there takes no longer than the forward pass (so it
 * has left before the backward pass may call it back); else it stays.
 */
function hostStateSet(schedule: Schedule, kind: OffloadKind, stepSeconds: readonly number[], linkBytesPerSecond: number): Set<number> {
  if (kind === 'none') return new Set();
  const updateOnly = (b: Schedule['buffers'][number]) => b.readers.length > 0 && b.readers.every((s) => schedule.steps[s]!.phase === 'update');
  const state = schedule.buffers.filter((b) => b.category === 'optimizer-state' && b.producer < 0 && updateOnly(b));
  const forwardSeconds = schedule.steps.reduce((s, step, i) => s + (step.phase === 'forward' ? stepSeconds[i]! : 0), 0);
  const copySeconds = state.reduce((s, b) => s + b.bytes, 0) / linkBytesPerSecond;
  return copySeconds <= forwardSeconds ? new Set(state.map((b) => b.id)) : new Set();
}

export function evaluate(p: Planner, config: Config): Evaluation {
  const variant = config.recompute ? p.recomputed : p.plain;
  const { steps } = variant.schedule;
  const algorithms = new Map<string, ConvAlgorithm>();
  const stepSeconds: number[] = [], workspaceBytes: number[] = [];
  for (const s of steps) {
    const options = p.conv.get(s.node.name);
    if (options) {
      const a = algorithmOf(config, s.node.name);
      algorithms.set(s.node.name, a);
      stepSeconds.push(options[a].seconds);
      workspaceBytes.push(options[a].workspaceBytes);
    } else {
      stepSeconds.push(p.nodes.get(s.node.name)!.seconds);
      workspaceBytes.push(0);
    }
  }
  const offload = offloadSet(variant.schedule, config.offload);
  const hostState = hostStateSet(variant.schedule, config.offload, stepSeconds, p.linkBytesPerSecond);
  const timeline = simulate({ schedule: variant.schedule, stepSeconds, workspaceBytes, offload, hostResident: hostState, linkBytesPerSecond: p.linkBytesPerSecond });
  return { config, variant, timeline, stepSeconds, workspaceBytes, algorithms, offload, hostState, fits: timeline.peakBytes <= p.capacityBytes };
}

const FAST: ReadonlySet<string> = new Set();

/** Switches the convolution running at the memory peak to the lean algorithm until the plan fits or the peak has no workspace. */
function greedyLean(p: Planner, offload: OffloadKind, start: Evaluation): Evaluation {
  const lean = new Set<string>();
  for (let e = start; ; ) {
    if (e.fits) return e;
    const at = e.timeline.events[e.timeline.peakEvent];
    const name = at && at.step >= 0 && at.step < e.variant.schedule.steps.length ? e.variant.schedule.steps[at.step]!.node.name : undefined;
    if (!name || lean.has(name) || !(p.conv.get(name)?.fast.workspaceBytes ?? 0)) return e;
    lean.add(name);
    e = evaluate(p, { recompute: false, offload, lean: new Set(lean) });
  }
}

function fastest(es: Evaluation[]): Evaluation | undefined {
  return es.filter((e) => e.fits).reduce<Evaluation | undefined>((best, e) => (!best || e.timeline.totalSeconds < best.timeline.totalSeconds ? e : best), undefined);
}

/** vDNN_dyn: see the module comment. */
function dynamic(p: Planner): Evaluation {
  const tries = (['none', 'conv', 'all'] as const).map((offload) => evaluate(p, { recompute: false, offload, lean: FAST }));
  return fastest(tries) ?? fastest([greedyLean(p, 'conv', tries[1]!), greedyLean(p, 'all', tries[2]!)]) ?? evaluate(p, { recompute: false, offload: 'all', lean: 'all' });
}

export function configOf(policy: Exclude<PolicyName, 'dyn'>, algorithm: ConvAlgorithm = 'fast'): Config {
  const [recompute, offload] = policy.startsWith('recompute') ? [true, (policy.split('+')[1] ?? 'none') as OffloadKind] : [false, policy as OffloadKind];
  return { recompute, offload, lean: algorithm === 'lean' ? 'all' : FAST };
}

/** The policies a device can run: offloading needs a host link. */
export function runnablePolicies(p: Planner): PolicyName[] {
  return p.linkBytesPerSecond > 0 ? [...POLICIES] : ['none', 'recompute'];
}

export function runPolicy(p: Planner, policy: PolicyName, algorithm: ConvAlgorithm = 'fast'): Evaluation {
  if (!runnablePolicies(p).includes(policy)) throw new AccelmapError('bad-input', `policy ${policy} offloads to the host, and device ${p.device.name} has no host link`, {}, 'use --policy none or recompute, or a device with a hostLink');
  return policy === 'dyn' ? dynamic(p) : evaluate(p, configOf(policy, algorithm));
}

/** The least device memory any policy needs: the memory-lean configurations, with and without checkpointing. */
export function minimumBytes(p: Planner): { bytes: number; policy: PolicyName } {
  const policies = p.linkBytesPerSecond > 0 ? (['all', 'recompute', 'recompute+all'] as const) : (['none', 'recompute'] as const);
  const candidates = policies.map((policy) => ({ policy, bytes: evaluate(p, configOf(policy, 'lean')).timeline.peakBytes }));
  return candidates.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

// ---------------------------------------------------------------- results

export type MemoryCategory = BufferCategory | 'workspace';

export interface PolicySummary {
  policy: PolicyName;
  offload: OffloadKind;
  recompute: boolean;
  fastConvolutions: number;
  leanConvolutions: number;
  fits: boolean;
  peakBytes: number;
  avgBytes: number;
  /** Feature-map bytes copied to the host (and as many back). */
  offloadedBytes: number;
  /** Optimizer-state bytes kept on the host between updates (copied out and back). */
  hostStateBytes: number;
  stepSeconds: number;
  /** Sum of the steps' own times, recomputation included. */
  computeSeconds: number;
  recomputeSeconds: number;
  /** stepSeconds / baselineStepSeconds − 1. */
  slowdown: number;
}

export interface MemoryPlan extends PolicySummary {
  model: string;
  batch: number;
  device: { name: string; capacityBytes: number; hostLinkBytesPerSecond: number };
  timesSource: string;
  /** The step on a device with unlimited memory: nothing offloaded or recomputed, fast convolutions. */
  baselineStepSeconds: number;
  /** Every buffer allocated for the whole step, one workspace as large as the largest (vDNN's baseline). */
  networkWideBytes: number;
  /** Peak with buffers freed as soon as dead, nothing offloaded, fast convolutions. */
  layerWisePeakBytes: number;
  /** Bytes over the host link, both directions. */
  linkBytes: number;
  recomputeFlops: number;
  peak: { seconds: number; step: string; breakdown: Record<MemoryCategory, number> };
  recomputation?: { segments: number; checkpointEvery: number; checkpoints: string[]; recomputed: string[] };
  convolutions: { node: string; method: ConvMethod; algorithm: ConvAlgorithm; workspaceBytes: number; seconds: number }[];
  offloaded: { buffer: string; bytes: number }[];
  /** Optimizer state kept on the host between updates. */
  hostResident: { buffer: string; bytes: number }[];
  steps: { name: string; op: string; phase: StepPhase; startSeconds: number; endSeconds: number; workspaceBytes: number }[];
  transfers: { buffer: string; direction: 'offload' | 'prefetch'; issueSeconds: number; startSeconds: number; endSeconds: number; bytes: number }[];
  /** Device memory after each allocation and release. */
  memory: { seconds: number; bytes: number }[];
}

function summarize(policy: PolicyName, e: Evaluation, baselineStepSeconds: number): PolicySummary {
  const { timeline, variant } = e;
  const recomputeSeconds = variant.schedule.steps.reduce((s, step, i) => s + (step.phase === 'recompute' ? e.stepSeconds[i]! : 0), 0);
  const lean = [...e.algorithms.values()].filter((a) => a === 'lean').length;
  return {
    policy,
    offload: e.config.offload,
    recompute: e.config.recompute,
    fastConvolutions: e.algorithms.size - lean,
    leanConvolutions: lean,
    fits: e.fits,
    peakBytes: timeline.peakBytes,
    avgBytes: timeline.avgBytes,
    offloadedBytes: [...e.offload].reduce((s, b) => s + variant.schedule.buffers[b]!.bytes, 0),
    hostStateBytes: [...e.hostState].reduce((s, b) => s + variant.schedule.buffers[b]!.bytes, 0),
    stepSeconds: timeline.totalSeconds,
    computeSeconds: timeline.computeSeconds,
    recomputeSeconds,
    slowdown: timeline.totalSeconds / baselineStepSeconds - 1,
  };
}

function peakBreakdown(e: Evaluation): Record<MemoryCategory, number> {
  const out = Object.fromEntries([...BUFFER_CATEGORIES, 'workspace'].map((c) => [c, 0])) as Record<MemoryCategory, number>;
  e.timeline.events.slice(0, e.timeline.peakEvent + 1).forEach((ev) => (out[ev.category] += ev.bytes));
  return out;
}

/** The baseline: nothing offloaded or recomputed, fast convolutions. */
export function baselineOf(p: Planner): { evaluation: Evaluation; networkWideBytes: number } {
  const evaluation = evaluate(p, configOf('none'));
  const buffers = p.plain.schedule.buffers.reduce((s, b) => s + b.bytes, 0);
  return { evaluation, networkWideBytes: buffers + Math.max(0, ...evaluation.workspaceBytes) };
}

export function planWith(p: Planner, policy: PolicyName, algorithm: ConvAlgorithm = 'fast'): MemoryPlan {
  const base = baselineOf(p);
  const baselineStepSeconds = base.evaluation.timeline.totalSeconds;
  const e = runPolicy(p, policy, algorithm);
  const { schedule, recompute } = e.variant;
  const { timeline } = e;
  const summary = summarize(policy, e, baselineStepSeconds);
  const peakEvent = timeline.events[timeline.peakEvent];
  const name = (b: number) => schedule.buffers[b]!.name;
  return {
    model: p.graph.name,
    batch: p.graph.batch,
    ...summary,
    device: { name: p.device.name, capacityBytes: p.capacityBytes, hostLinkBytesPerSecond: p.linkBytesPerSecond },
    timesSource: p.times.source,
    baselineStepSeconds,
    networkWideBytes: base.networkWideBytes,
    layerWisePeakBytes: base.evaluation.timeline.peakBytes,
    linkBytes: timeline.transfers.reduce((s, t) => s + t.bytes, 0),
    recomputeFlops: schedule.steps.reduce((s, step) => s + (step.phase === 'recompute' ? p.nodes.get(step.node.name)!.flops : 0), 0),
    peak: {
      seconds: peakEvent?.seconds ?? 0,
      step: peakEvent && peakEvent.step >= 0 && peakEvent.step < schedule.steps.length ? schedule.steps[peakEvent.step]!.node.name : '(before the first step)',
      breakdown: peakBreakdown(e),
    },
    ...(e.config.recompute && recompute
      ? { recomputation: { segments: recompute.segments, checkpointEvery: recompute.checkpointEvery, checkpoints: recompute.checkpoints, recomputed: recompute.recomputed } }
      : {}),
    convolutions: [...p.conv].map(([node, options]) => {
      const algorithm = e.algorithms.get(node) ?? 'fast';
      const o = options[algorithm];
      return { node, method: o.method, algorithm, workspaceBytes: o.workspaceBytes, seconds: o.seconds };
    }),
    offloaded: [...e.offload].map((b) => ({ buffer: name(b), bytes: schedule.buffers[b]!.bytes })),
    hostResident: [...e.hostState].map((b) => ({ buffer: name(b), bytes: schedule.buffers[b]!.bytes })),
    steps: schedule.steps.map((s, i) => ({ name: s.node.name, op: s.node.op, phase: s.phase, startSeconds: timeline.startSeconds[i]!, endSeconds: timeline.endSeconds[i]!, workspaceBytes: e.workspaceBytes[i]! })),
    transfers: timeline.transfers.map((t) => ({ buffer: name(t.buffer), direction: t.direction, issueSeconds: t.issueSeconds, startSeconds: t.startSeconds, endSeconds: t.endSeconds, bytes: t.bytes })),
    memory: memoryCurve(timeline),
  };
}

function memoryCurve(t: Timeline): { seconds: number; bytes: number }[] {
  let level = 0;
  return [{ seconds: 0, bytes: 0 }, ...t.events.map((e) => ({ seconds: e.seconds, bytes: (level += e.bytes) }))];
}

/** Every policy on one planner, for comparison. */
export function comparePolicies(p: Planner, algorithm: ConvAlgorithm = 'fast'): PolicySummary[] {
  const baseline = baselineOf(p).evaluation.timeline.totalSeconds;
  return runnablePolicies(p).map((policy) => summarize(policy, runPolicy(p, policy, algorithm), baseline));
}
