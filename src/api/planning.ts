import { mappedTimes, rooflineTimes, type LayerTimes } from '../characterize/times.js';
import type { Device } from '../device/device.js';
import type { ConvAlgorithm } from '../memory/conv-algos.js';
import { comparePolicies, minimumBytes, planWith, preparePlanner, type MemoryPlan, type PolicyName, type PolicySummary } from '../memory/plan.js';
import type { AllReduceAlgorithm } from '../scaleout/collectives.js';
import { DEFAULT_COMPRESSION, type CompressionMethod } from '../scaleout/compress/compressors.js';
import { DEFAULT_WIRE } from '../scaleout/compress/wire.js';
import type { ExchangeSpec } from '../scaleout/exchange.js';
import { stepProfileFromGraph } from '../scaleout/from-graph.js';
import { scaleReport, type ScaleReport } from '../scaleout/scale.js';
import type { ParallelMode } from '../scaleout/step.js';
import { gbpsToBytesPerSecond, type TopologyName } from '../scaleout/system.js';
import type { Graph } from '../workload/graph.js';
import { deviceOf, type DeviceRef } from './characterize.js';

/** Per-node seconds from elsewhere (e.g. `mapNetwork`'s layers: cycles ÷ clock), with where they come from. */
export interface LayerSeconds {
  seconds: Record<string, number>;
  source: string;
}

/** Each node's time: the given seconds where they name the node, the device's roofline for the rest. */
function timesOf(device: Device, given: LayerSeconds | undefined): LayerTimes {
  const roofline = rooflineTimes(device);
  return given ? mappedTimes(given.seconds, roofline, given.source) : roofline;
}

export interface PlanMemoryOptions {
  /** Default: `v100-16gb`. */
  device?: DeviceRef;
  /** Device memory available (default: the device's). */
  capacityBytes?: number;
  /** Default `dyn` (vDNN_dyn). */
  policy?: PolicyName;
  /** Convolution algorithms for every policy but dyn: `fast` (default, with workspace) or `lean`. */
  algorithm?: ConvAlgorithm;
  /** Recompute: every k-th cut point is a checkpoint (default √ of the cut points). */
  checkpointEvery?: number;
  /** Element-wise results overwrite an input that dies with them (default true). */
  inPlace?: boolean;
  layerSeconds?: LayerSeconds;
}

export interface MemoryPlanResult {
  plan: MemoryPlan;
  /** Every policy under the same settings, side by side. */
  policies: PolicySummary[];
  /** When the plan does not fit: the least capacity any policy reaches, and which. */
  leastCapacity?: { bytes: number; policy: PolicyName };
}

/** The training-memory plan of a training graph (`toTraining`) on a device. */
export function planMemory(graph: Graph, options: PlanMemoryOptions = {}): MemoryPlanResult {
  const device = deviceOf(options.device);
  const algorithm = options.algorithm ?? 'fast';
  const planner = preparePlanner(graph, device, { capacityBytes: options.capacityBytes, checkpointEvery: options.checkpointEvery, inPlace: options.inPlace ?? true, times: timesOf(device, options.layerSeconds) });
  const plan = planWith(planner, options.policy ?? 'dyn', algorithm);
  return { plan, policies: comparePolicies(planner, algorithm), ...(plan.fits ? {} : { leastCapacity: minimumBytes(planner) }) };
}

/** The settings of a scale-out study; all but devices, topology and linkGbps have defaults (`SCALE_DEFAULTS`). */
export interface PlanScaleOptions {
  /** Default: `v100-16gb`. */
  device?: DeviceRef;
  devices: number;
  topology: TopologyName;
  /** Link bandwidth per direction in Gb/s (between nodes for `hier`). */
  linkGbps: number;
  latencyUs?: number;
  /** Torus dimensions (default: balanced). */
  dims?: number[];
  /** hier: devices per node. */
  nodeDevices?: number;
  intraGbps?: number;
  intraLatencyUs?: number;
  parallel?: ParallelMode;
  /** tp: tensor-parallel group size (default: devices per node for hier, else 8). */
  tp?: number;
  /** pp: pipeline stages (default 4). */
  stages?: number;
  /** pp: micro-batches per step (default 4 × stages, at most the batch). */
  microbatches?: number;
  /** Gradient bucket in MB for overlapping the exchange with backward (0: per layer). */
  bucketMb?: number;
  collective?: AllReduceAlgorithm | 'auto';
  compress?: CompressionMethod;
  exchange?: ExchangeSpec['exchange'];
  /** Assume this compression ratio for every layer instead of the method's own. */
  compressRatio?: number;
  topkFraction?: number;
  stromDensity?: number;
  layerSeconds?: LayerSeconds;
}

export const SCALE_DEFAULTS = {
  latencyUs: 5,
  nodeDevices: 8,
  intraGbps: 2400,
  intraLatencyUs: 1,
  parallel: 'dp',
  bucketMb: 25,
  collective: 'auto',
  compress: 'none',
  exchange: 'auto',
  topkFraction: DEFAULT_COMPRESSION.topkFraction,
  stromDensity: DEFAULT_WIRE.stromDensity,
} as const satisfies Partial<PlanScaleOptions>;

/** Step time, exposed communication and scaling efficiency of a training graph on many devices, with every compression method swept. */
export function planScale(graph: Graph, options: PlanScaleOptions): ScaleReport {
  const o = { ...SCALE_DEFAULTS, ...options };
  const device = deviceOf(o.device);
  const profile = stepProfileFromGraph(graph, device, timesOf(device, o.layerSeconds));
  const stages = o.stages ?? Math.min(4, o.devices);
  return scaleReport(
    profile,
    {
      devices: o.devices,
      topology: o.topology,
      link: { bandwidthBytesPerSecond: gbpsToBytesPerSecond(o.linkGbps), latencySeconds: o.latencyUs * 1e-6 },
      dims: o.dims,
      nodeDevices: o.topology === 'hier' ? Math.min(o.nodeDevices, o.devices) : undefined,
      intraLink: { bandwidthBytesPerSecond: gbpsToBytesPerSecond(o.intraGbps), latencySeconds: o.intraLatencyUs * 1e-6 },
    },
    {
      mode: o.parallel,
      tensorParallel: o.tp ?? Math.min(o.topology === 'hier' ? o.nodeDevices : 8, o.devices),
      stages,
      microbatches: o.microbatches ?? Math.min(4 * stages, graph.batch),
      bucketBytes: o.bucketMb * 1e6,
      exchange: {
        method: o.compress,
        options: { ...DEFAULT_COMPRESSION, topkFraction: o.topkFraction },
        wire: { ...DEFAULT_WIRE, stromDensity: o.stromDensity, ratio: o.compressRatio },
        algorithm: o.collective,
        exchange: o.exchange,
      },
    },
  );
}
