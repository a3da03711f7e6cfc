import { achievedSeconds, peakFor, PRECISION_BITS, ridgeFlopsPerByte, type Device, type Precision } from '../device/device.js';
import { dtypeBits, isFloat, type DType } from '../workload/dtype.js';
import { addCounts, emptyTotals, nodeCounts, type CountTotals, type NodeCounts } from '../workload/counts.js';
import { paramCount, type Graph, type Node, type Phase } from '../workload/graph.js';
import type { OpClass } from '../workload/op.js';
import { opClassOf } from '../workload/ops/index.js';
import { tensorBytes } from '../workload/shape.js';
import { producers, storageRoot } from '../workload/train/saved.js';

/**
 * Fathom-style characterization of one graph on a roofline device: every
 * node's counts and modeled time (max(FLOPs / peak, bytes / bandwidth)),
 * grouped by op type, op class and phase; the smallest set of op types
 * covering 90% of the time; the spread of arithmetic intensity.
 * MACs and FLOPs are kept apart: FLOPs = 2·MACs + other FLOPs.
 */
export interface NodeProfile {
  name: string;
  op: string;
  opClass: OpClass;
  phase: Phase;
  outputShapes: number[][];
  macs: number;
  flops: number;
  bytesRead: number;
  bytesWritten: number;
  /** FLOPs per byte moved. */
  intensity: number;
  seconds: number;
  /** Which roof limits the node ('none' when it neither computes nor moves data). */
  bound: 'compute' | 'memory' | 'none';
}

export interface GroupRow extends CountTotals {
  /** Op type, op class or phase. */
  key: string;
  /** For op-type rows, the op's class. */
  opClass?: OpClass;
  nodes: number;
  seconds: number;
  timeShare: number;
}

export interface IntensitySpread {
  /** Nodes that compute (FLOPs > 0). */
  nodes: number;
  min: number;
  p10: number;
  median: number;
  p90: number;
  max: number;
  /** log10(p90 / p10): how many decades the middle 80% of nodes span. */
  spreadDecades: number;
  ridgeFlopsPerByte: number;
  /** Fraction of modeled time spent in memory-bound nodes. */
  memoryBoundTimeShare: number;
}

export interface Profile {
  model: string;
  mode: 'infer' | 'train';
  batch: number;
  params: number;
  device: { name: string; precision: Precision; exactPrecision: boolean; peakFlopsPerSecond: number; memoryBandwidthBytesPerSecond: number };
  totals: CountTotals & { seconds: number };
  byOpType: GroupRow[];
  byOpClass: GroupRow[];
  byPhase: GroupRow[];
  /** The fewest op types whose modeled time reaches `threshold` of the total. */
  coverage: { threshold: number; opTypes: string[]; timeShare: number };
  intensity: IntensitySpread;
  /** Training graphs: what lives in memory across the step. */
  memory?: TrainingMemory;
  nodes: NodeProfile[];
}

export interface TrainingMemory {
  weightBytes: number;
  weightGradientBytes: number;
  optimizerStateBytes: number;
  /** Activations and inputs kept from the forward pass for the backward pass (views counted once, at their source). */
  savedForBackwardBytes: number;
}

export function trainingMemory(graph: Graph): TrainingMemory {
  const byOutput = producers(graph);
  const m: TrainingMemory = { weightBytes: 0, weightGradientBytes: 0, optimizerStateBytes: 0, savedForBackwardBytes: 0 };
  for (const t of Object.values(graph.tensors)) {
    const bytes = tensorBytes(t);
    if (t.kind === 'weight') m.weightBytes += bytes;
    else if (t.kind === 'gradient' && t.of) m.weightGradientBytes += bytes;
    else if (t.kind === 'optimizer-state') m.optimizerStateBytes += bytes;
    if (t.savedForBackward && storageRoot(graph, t.name, byOutput) === t.name) m.savedForBackwardBytes += bytes;
  }
  return m;
}

export const COVERAGE_THRESHOLD = 0.9;

/** The element type an op computes in: its first output's, else its first input's. */
export function computeDtype(graph: Graph, node: Node): string {
  const name = node.outputs.find(Boolean) ?? node.inputs.find(Boolean);
  return name ? graph.tensors[name]!.dtype : 'float32';
}

/**
 * A node's counts with its bytes at the precision the device runs it in: a
 * float element type the device lacks runs converted to the precision it is
 * costed at (a float32 model on an int8-only chip moves int8 elements).
 */
export function countsOnDevice(graph: Graph, node: Node, device: Device, c: NodeCounts = nodeCounts(graph, node)): NodeCounts {
  const dtype = computeDtype(graph, node) as DType;
  const peak = peakFor(device, dtype);
  if (peak.exact || !isFloat(dtype)) return c;
  const scale = PRECISION_BITS[peak.precision] / dtypeBits(dtype);
  if (scale === 1) return c;
  return { ...c, weightBytes: c.weightBytes * scale, activationBytes: c.activationBytes * scale, bytesRead: c.bytesRead * scale, bytesWritten: c.bytesWritten * scale, intensity: c.intensity / scale };
}

export function profileNode(graph: Graph, node: Node, device: Device, c: NodeCounts = countsOnDevice(graph, node, device)): NodeProfile {
  const dtype = computeDtype(graph, node);
  const peak = peakFor(device, dtype);
  const opClass = opClassOf(node);
  const bytes = c.bytesRead + c.bytesWritten;
  const compute = c.flops / peak.flopsPerSecond, memory = bytes / device.memoryBandwidthBytesPerSecond;
  return {
    name: node.name,
    op: node.op,
    opClass,
    phase: node.phase,
    outputShapes: node.outputs.filter(Boolean).map((o) => graph.tensors[o]!.shape),
    macs: c.macs,
    flops: c.flops,
    bytesRead: c.bytesRead,
    bytesWritten: c.bytesWritten,
    intensity: c.intensity,
    seconds: achievedSeconds(device, opClass, dtype, c.flops, bytes),
    bound: compute === 0 && memory === 0 ? 'none' : compute >= memory ? 'compute' : 'memory',
  };
}

export function profileGraph(graph: Graph, device: Device): Profile {
  const peak = peakFor(device, 'float32');
  const rows = graph.nodes.map((n) => {
    const counts = countsOnDevice(graph, n, device);
    return { node: profileNode(graph, n, device, counts), counts };
  });
  const totals = { ...emptyTotals(), seconds: 0 };
  for (const r of rows) {
    addCounts(totals, r.counts);
    totals.seconds += r.node.seconds;
  }
  const byOpType = group(rows, (n) => n.op, totals.seconds, true);
  return {
    model: graph.name,
    mode: graph.mode,
    batch: graph.batch,
    params: paramCount(graph),
    device: { name: device.name, precision: peak.precision, exactPrecision: peak.exact, peakFlopsPerSecond: peak.flopsPerSecond, memoryBandwidthBytesPerSecond: device.memoryBandwidthBytesPerSecond },
    totals,
    byOpType,
    byOpClass: group(rows, (n) => n.opClass, totals.seconds),
    byPhase: group(rows, (n) => n.phase, totals.seconds),
    coverage: coverage(byOpType, COVERAGE_THRESHOLD),
    intensity: intensitySpread(rows.map((r) => r.node), ridgeFlopsPerByte(device)),
    ...(graph.mode === 'train' ? { memory: trainingMemory(graph) } : {}),
    nodes: rows.map((r) => r.node),
  };
}

/** Rows grouped by a key, sorted by modeled time (then name) descending; op-type rows (`withClass`) carry their op's class. */
function group(rows: { node: NodeProfile; counts: CountTotals }[], key: (n: NodeProfile) => string, totalSeconds: number, withClass = false): GroupRow[] {
  const groups = new Map<string, GroupRow>();
  for (const { node, counts } of rows) {
    const k = key(node);
    let g = groups.get(k);
    if (!g) {
      g = { key: k, ...emptyTotals(), nodes: 0, seconds: 0, timeShare: 0 };
      if (withClass) g.opClass = node.opClass;
      groups.set(k, g);
    }
    addCounts(g, counts);
    g.nodes++;
    g.seconds += node.seconds;
  }
  for (const g of groups.values()) g.timeShare = totalSeconds > 0 ? g.seconds / totalSeconds : 0;
  return [...groups.values()].sort((a, b) => b.seconds - a.seconds || a.key.localeCompare(b.key));
}

/** The fewest rows (taken by time, largest first) whose time share reaches `threshold`. */
export function coverage(byTime: GroupRow[], threshold: number): Profile['coverage'] {
  const opTypes: string[] = [];
  let share = 0;
  for (const r of byTime) {
    if (share >= threshold) break;
    opTypes.push(r.key);
    share += r.timeShare;
  }
  return { threshold, opTypes, timeShare: share };
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function intensitySpread(nodes: NodeProfile[], ridge: number): IntensitySpread {
  const computing = nodes.filter((n) => n.flops > 0 && Number.isFinite(n.intensity));
  const sorted = computing.map((n) => n.intensity).sort((a, b) => a - b);
  const total = nodes.reduce((s, n) => s + n.seconds, 0);
  const memorySeconds = nodes.filter((n) => n.bound === 'memory').reduce((s, n) => s + n.seconds, 0);
  const p10 = quantile(sorted, 0.1), p90 = quantile(sorted, 0.9);
  return {
    nodes: computing.length,
    min: sorted[0] ?? 0,
    p10,
    median: quantile(sorted, 0.5),
    p90,
    max: sorted.at(-1) ?? 0,
    spreadDecades: p10 > 0 ? Math.log10(p90 / p10) : 0,
    ridgeFlopsPerByte: ridge,
    memoryBoundTimeShare: total > 0 ? memorySeconds / total : 0,
  };
}
