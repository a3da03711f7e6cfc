import { AccelmapError } from '../util/errors.js';
import { bestAllReduce, pointToPoint } from './collectives.js';
import { exchangeCost, type ExchangeAlgorithm, type ExchangeCost, type ExchangeSpec } from './exchange.js';
import { subgroup } from './groups.js';
import { forwardSeconds, singleDeviceSeconds, type LayerProfile, type StepProfile } from './profile.js';
import type { System } from './system.js';

/**
 * Time of one training step on a system, for three ways of splitting the
 * work (each combined with data parallelism over the remaining devices):
 *
 * - `dp`: every device holds the whole model and a batch of `profile.batch`.
 *   Backward runs last layer first; gradients are grouped into buckets of
 *   about `bucketBytes` in that order (0: one bucket per layer with
 *   weights); a bucket's exchange starts when its last gradient is ready and
 *   the previous exchange is done. Only what is left after the backward
 *   pass adds to the step.
 * - `tp` (Megatron-style tensor parallelism over groups of t neighbours):
 *   every layer's work and weights split t ways; layers with weights pair up
 *   (column- then row-parallel), and each pair all-reduces its output
 *   activations in forward and their gradients in backward, on the critical
 *   path. Gradients (1/t of the model) are exchanged across the N/t groups as
 *   in `dp`.
 * - `pp` (GPipe): the layers are cut into p contiguous stages of balanced
 *   time, the batch into m micro-batches; a micro-batch slot lasts as long as
 *   the slowest stage plus its activation sends (forward) and gradient sends
 *   (backward) to the neighbouring stage, and the step takes (m + p − 1)
 *   slots — a bubble of (p − 1)/(m + p − 1). Stage gradients are then
 *   exchanged across the N/p pipelines, after the flush.
 *
 * Scaling efficiency = throughput / (N × one device's throughput on the same
 * per-device batch): weak scaling.
 */
export type ParallelMode = 'dp' | 'tp' | 'pp';

export interface ParallelConfig {
  mode: ParallelMode;
  /** Tensor-parallel group size (tp). */
  tensorParallel: number;
  /** Pipeline stages (pp). */
  stages: number;
  /** Micro-batches per step (pp). */
  microbatches: number;
  /** Gradient bucket size for overlapping (dp, tp); 0: one bucket per layer. */
  bucketBytes: number;
  exchange: ExchangeSpec;
}

export interface StepResult {
  devices: number;
  dataParallel: number;
  tensorParallel: number;
  pipelineStages: number;
  stepSeconds: number;
  /** Busy time of the busiest device: forward, backward, update. */
  computeSeconds: number;
  /** All communication of the step, hidden or not (including compression codecs). */
  commSeconds: number;
  exposedCommSeconds: number;
  hiddenCommSeconds: number;
  /** Idle time in the pipeline's fill and drain. */
  bubbleSeconds: number;
  /** Encode and decode time of compression (part of commSeconds). */
  codecSeconds: number;
  /** Bytes each device sends per step. */
  bytesSentPerDevice: number;
  /** How the gradient buckets travelled: buckets per exchange algorithm. */
  exchangeAlgorithms: Partial<Record<ExchangeAlgorithm, number>>;
  samplesPerSecond: number;
  scalingEfficiency: number;
}

export function stepTime(profile: StepProfile, system: System, cfg: ParallelConfig): StepResult {
  switch (cfg.mode) {
    case 'dp':
      return dataParallelStep(profile, system, cfg);
    case 'tp':
      return tensorParallelStep(profile, system, cfg);
    case 'pp':
      return pipelineStep(profile, system, cfg);
  }
}

interface Overlap {
  /** When the last exchange finishes, from the start of backward. */
  end: number;
  commSeconds: number;
  codecSeconds: number;
  bytesSent: number;
  algorithms: Partial<Record<ExchangeAlgorithm, number>>;
}

/** Buckets per exchange algorithm. */
function tally(exchanges: readonly ExchangeCost[]): Partial<Record<ExchangeAlgorithm, number>> {
  const out: Partial<Record<ExchangeAlgorithm, number>> = {};
  for (const e of exchanges) if (e.seconds > 0) out[e.algorithm] = (out[e.algorithm] ?? 0) + 1;
  return out;
}

/**
 * Backward from the last layer to the first, `backward[i]` seconds each,
 * with bucketed gradient exchanges overlapping it on one network queue.
 */
export function overlapBackward(layers: readonly LayerProfile[], backward: readonly number[], bucketBytes: number, exchange: (bucket: LayerProfile[]) => ExchangeCost): Overlap {
  let t = 0;
  let netFree = 0;
  let bucket: LayerProfile[] = [];
  let bucketSize = 0;
  const out: Overlap = { end: 0, commSeconds: 0, codecSeconds: 0, bytesSent: 0, algorithms: {} };
  const done: ExchangeCost[] = [];
  const flush = () => {
    const c = exchange(bucket);
    done.push(c);
    const start = Math.max(t, netFree);
    netFree = start + c.seconds;
    out.commSeconds += c.seconds;
    out.codecSeconds += c.codecSeconds;
    out.bytesSent += c.bytesSent;
    bucket = [];
    bucketSize = 0;
  };
  for (let i = layers.length - 1; i >= 0; i--) {
    t += backward[i]!;
    const l = layers[i]!;
    if (l.gradientBytes === 0) continue;
    bucket.push(l);
    bucketSize += l.gradientBytes;
    if (bucketSize >= bucketBytes) flush();
  }
  if (bucket.length > 0) flush();
  out.end = Math.max(t, netFree);
  out.algorithms = tally(done);
  return out;
}

function result(
  profile: StepProfile,
  devices: number,
  parts: { dp: number; tp: number; pp: number; samplesPerStep: number; step: number; compute: number; comm: number; bubble: number; codec: number; bytes: number; algorithms: Partial<Record<ExchangeAlgorithm, number>> },
): StepResult {
  // never below zero (rounding), by construction step ≥ compute + bubble
  const exposed = Math.max(0, parts.step - parts.compute - parts.bubble);
  const single = profile.batch / singleDeviceSeconds(profile);
  const samplesPerSecond = parts.samplesPerStep / parts.step;
  return {
    devices,
    dataParallel: parts.dp,
    tensorParallel: parts.tp,
    pipelineStages: parts.pp,
    stepSeconds: parts.step,
    computeSeconds: parts.compute,
    commSeconds: parts.comm,
    exposedCommSeconds: exposed,
    hiddenCommSeconds: parts.comm - exposed,
    bubbleSeconds: parts.bubble,
    codecSeconds: parts.codec,
    bytesSentPerDevice: parts.bytes,
    exchangeAlgorithms: parts.algorithms,
    samplesPerSecond,
    scalingEfficiency: samplesPerSecond / (devices * single),
  };
}

function dataParallelStep(profile: StepProfile, system: System, cfg: ParallelConfig): StepResult {
  const o = overlapBackward(
    profile.layers,
    profile.layers.map((l) => l.backwardSeconds),
    cfg.bucketBytes,
    (bucket) => exchangeCost(system, bucket, cfg.exchange, profile.memoryBytesPerSecond),
  );
  const compute = singleDeviceSeconds(profile);
  return result(profile, system.devices, {
    dp: system.devices,
    tp: 1,
    pp: 1,
    samplesPerStep: system.devices * profile.batch,
    step: forwardSeconds(profile) + o.end + profile.updateSeconds,
    compute,
    comm: o.commSeconds,
    bubble: 0,
    codec: o.codecSeconds,
    bytes: o.bytesSent,
    algorithms: o.algorithms,
  });
}

function tensorParallelStep(profile: StepProfile, system: System, cfg: ParallelConfig): StepResult {
  const t = cfg.tensorParallel;
  const tpGroup = subgroup(system, t, 'inner');
  const dpGroup = subgroup(system, system.devices / t, 'outer');
  const activationAllReduce = (bytes: number) => (t > 1 ? bestAllReduce(tpGroup, bytes) : { seconds: 0, bytesSentPerDevice: 0 });
  let forward = 0;
  let tpComm = 0;
  let tpBytes = 0;
  const backward: number[] = [];
  let weighted = 0;
  for (const l of profile.layers) {
    let fwd = l.forwardSeconds / t;
    let bwd = l.backwardSeconds / t;
    if (l.gradientBytes > 0 && (l.layerClass === 'matmul' || l.layerClass === 'convolution') && ++weighted % 2 === 0) {
      const c = activationAllReduce(l.outputBytes);
      fwd += c.seconds;
      bwd += c.seconds;
      tpComm += 2 * c.seconds;
      tpBytes += 2 * c.bytesSentPerDevice;
    }
    forward += fwd;
    backward.push(bwd);
  }
  const o = overlapBackward(profile.layers, backward, cfg.bucketBytes, (bucket) => exchangeCost(dpGroup, bucket, cfg.exchange, profile.memoryBytesPerSecond, 1 / t));
  const update = profile.updateSeconds / t;
  const compute = singleDeviceSeconds(profile) / t;
  return result(profile, system.devices, {
    dp: dpGroup.devices,
    tp: t,
    pp: 1,
    samplesPerStep: dpGroup.devices * profile.batch,
    step: forward + o.end + update,
    compute,
    comm: tpComm + o.commSeconds,
    bubble: 0,
    codec: o.codecSeconds,
    bytes: tpBytes + o.bytesSent,
    algorithms: o.algorithms,
  });
}

/**
 * Cuts `costs` into `parts` contiguous runs minimising the largest run's sum
 * (exact dynamic programme); returns the start index of every run.
 */
export function balancedPartition(costs: readonly number[], parts: number): number[] {
  const n = costs.length;
  if (parts < 1 || parts > n) throw new AccelmapError('bad-input', `cannot cut ${n} layers into ${parts} pipeline stages`, {}, `use 1 to ${n} stages`);
  const prefix = [0];
  for (const c of costs) prefix.push(prefix[prefix.length - 1]! + c);
  // best[k][i]: smallest largest-run sum cutting the first i costs into k runs
  const best: number[][] = [Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 0 : Infinity))];
  const cut: number[][] = [[]];
  for (let k = 1; k <= parts; k++) {
    const row = new Array<number>(n + 1).fill(Infinity);
    const from = new Array<number>(n + 1).fill(0);
    for (let i = k; i <= n; i++) {
      for (let j = k - 1; j < i; j++) {
        const v = Math.max(best[k - 1]![j]!, prefix[i]! - prefix[j]!);
        if (v < row[i]!) {
          row[i] = v;
          from[i] = j;
        }
      }
    }
    best.push(row);
    cut.push(from);
  }
  const starts: number[] = [];
  let i = n;
  for (let k = parts; k >= 1; k--) {
    i = cut[k]![i]!;
    starts.unshift(i);
  }
  return starts;
}

function pipelineStep(profile: StepProfile, system: System, cfg: ParallelConfig): StepResult {
  const p = cfg.stages;
  const m = cfg.microbatches;
  if (!Number.isSafeInteger(m) || m < 1) throw new AccelmapError('bad-input', `micro-batches must be a positive integer, got ${m}`);
  if (m > profile.batch) throw new AccelmapError('bad-input', `${m} micro-batches do not fit a batch of ${profile.batch} (a micro-batch holds at least one sample)`, {}, 'use fewer micro-batches or a larger batch');
  const ppGroup = subgroup(system, p, 'inner');
  const dpGroup = subgroup(system, system.devices / p, 'outer');
  const layers = profile.layers;
  const totalGradient = layers.reduce((s, l) => s + l.gradientBytes, 0);
  const starts = balancedPartition(layers.map((l) => l.forwardSeconds + l.backwardSeconds), p);
  const stages = starts.map((start, j) => {
    const stage = layers.slice(start, j + 1 < p ? starts[j + 1]! : layers.length);
    const work = stage.reduce((s, l) => s + l.forwardSeconds + l.backwardSeconds, 0) / m;
    // per micro-batch: activations forward to the next stage, their gradient back from it
    const outBytes = j + 1 < p ? stage[stage.length - 1]!.outputBytes / m : 0;
    const inBytes = j > 0 ? layers[start - 1]!.outputBytes / m : 0;
    const p2p = (outBytes > 0 ? pointToPoint(outBytes, ppGroup.link).seconds : 0) + (inBytes > 0 ? pointToPoint(inBytes, ppGroup.link).seconds : 0);
    const gradient = stage.reduce((s, l) => s + l.gradientBytes, 0);
    const update = totalGradient > 0 ? (profile.updateSeconds * gradient) / totalGradient : 0;
    const exchange = exchangeCost(dpGroup, stage, cfg.exchange, profile.memoryBytesPerSecond);
    return { work, p2p, update, exchange, bytes: m * (outBytes + inBytes) + exchange.bytesSent };
  });
  const slot = Math.max(...stages.map((s) => s.work + s.p2p));
  const critical = stages.find((s) => s.work + s.p2p === slot)!;
  const step = (m + p - 1) * slot + Math.max(...stages.map((s) => s.update + s.exchange.seconds));
  const compute = m * critical.work + critical.update;
  const bubble = (p - 1) * slot;
  // nothing overlaps in this schedule: every second of the step that is neither the critical stage's compute nor the bubble is communication
  const comm = step - compute - bubble;
  return result(profile, system.devices, {
    dp: dpGroup.devices,
    tp: 1,
    pp: p,
    samplesPerStep: dpGroup.devices * profile.batch,
    step,
    compute,
    comm,
    bubble,
    codec: Math.max(...stages.map((s) => s.exchange.codecSeconds)),
    bytes: Math.max(...stages.map((s) => s.bytes)),
    algorithms: tally(stages.map((s) => s.exchange)),
  });
}
