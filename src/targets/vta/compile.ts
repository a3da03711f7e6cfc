import type { Feeds } from '../../execute/execute.js';
import type { Value } from '../../execute/value.js';
import { AccelmapError } from '../../util/errors.js';
import { numel } from '../../workload/graph.js';
import { lowerLayer, type LayerSchedule, type LoweredLayer, type VtaLayer } from './lower.js';
import { checkLowered, runLowered, timeLowered } from './passes.js';
import type { ModuleName } from './program.js';
import type { QGraph, QLayer } from '../../quantize/integer/graph.js';
import type { Codes } from '../../quantize/integer/kernels.js';
import { runQGraph } from '../../quantize/integer/run.js';
import { peakOps, type VtaTarget } from './spec.js';
import type { VtaCounters, VtaTiming } from './timing.js';
import { layerKey, type TuningLog } from './tune.js';

/** A VTA layer's program, the schedule it was lowered with and where that schedule came from. */
export interface CompiledLayer {
  layer: VtaLayer;
  /** Output elements. */
  elements: number;
  lowered: LoweredLayer;
  key: string;
  scheduleFrom: 'default' | 'tuning log';
}

export interface VtaCompiled {
  target: VtaTarget;
  qgraph: QGraph;
  /** One entry per VTA layer, in graph order. */
  layers: CompiledLayer[];
  /** Host layers, with why each is not on VTA. */
  host: { name: string; op: string; reason: string }[];
}

const sizeOf = (q: QGraph, t: string) => numel(q.graph.tensors[t]!.shape);

/** Lowers every VTA layer of the int8 graph, with the best schedule the tuning log holds for its key, else the default. */
export function compileVta(t: VtaTarget, q: QGraph, log?: TuningLog): VtaCompiled {
  const layers: CompiledLayer[] = [];
  const host: VtaCompiled['host'] = [];
  for (const l of q.layers) {
    if (l.kind === 'host') {
      host.push({ name: l.name, op: l.node.op, reason: l.reason });
      continue;
    }
    const elements = sizeOf(q, l.output);
    const key = layerKey(t, l, elements);
    const tuned = log?.best(key);
    let lowered: LoweredLayer;
    try {
      lowered = lowerLayer(t, l, elements, tuned?.schedule);
    } catch (e) {
      throw e instanceof AccelmapError ? new AccelmapError(e.code, e.message, { ...e.location, path: `layer ${l.name}${e.location.path ? ` (${e.location.path})` : ''}` }, e.hint) : e;
    }
    layers.push({ layer: l, elements, lowered, key, scheduleFrom: tuned ? 'tuning log' : 'default' });
  }
  return { target: t, qgraph: q, layers, host };
}

/** Per-layer figures from the timing half. */
export interface LayerFigures {
  name: string;
  kind: QLayer['kind'];
  nodes: string[];
  schedule: LayerSchedule;
  scheduleFrom: CompiledLayer['scheduleFrom'];
  instructions: number;
  cycles: number;
  macs: number;
  gops: number;
  /** Busy cycles over the layer's cycles, per module. */
  utilization: Record<ModuleName, number>;
  modules: VtaTiming['modules'];
  counters: VtaCounters;
}

function figures(t: VtaTarget, c: CompiledLayer, timing: VtaTiming): LayerFigures {
  const util = (m: ModuleName) => timing.modules[m].busy / timing.cycles;
  return {
    name: c.layer.name,
    kind: c.layer.kind,
    nodes: c.layer.nodes,
    schedule: c.lowered.schedule,
    scheduleFrom: c.scheduleFrom,
    instructions: c.lowered.passes.reduce((s, p) => s + p.program.insns.length, 0),
    cycles: timing.cycles,
    macs: timing.macs,
    gops: (2 * timing.macs * t.clockHz) / timing.cycles / 1e9,
    utilization: { load: util('load'), compute: util('compute'), store: util('store') },
    modules: timing.modules,
    counters: timing.counters,
  };
}

/** Checks and times every layer's program (the DRAM image built from zero inputs: timing does not depend on the data). */
export function timeLayers(c: VtaCompiled): LayerFigures[] {
  return c.layers.map((cl) => {
    checkLowered(c.target, cl.lowered, cl.layer.inputs.map((name) => sizeOf(c.qgraph, name)));
    return figures(c.target, cl, timeLowered(c.target, cl.lowered));
  });
}

/** Totals over layers run one after another. */
export function totals(t: VtaTarget, layers: readonly LayerFigures[]): { cycles: number; macs: number; gops: number; peakGops: number; seconds: number } {
  const cycles = layers.reduce((s, l) => s + l.cycles, 0);
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return { cycles, macs, gops: cycles ? (2 * macs * t.clockHz) / cycles / 1e9 : 0, peakGops: peakOps(t) / 1e9, seconds: cycles / t.clockHz };
}

export interface VtaModelRun {
  outputs: Record<string, Value>;
  codes: Map<string, Codes>;
  layers: LayerFigures[];
}

/** Runs the whole model: VTA layers on the simulator (checked, then both halves), host layers on the executor. */
export function runVta(c: VtaCompiled, feeds: Feeds, progress?: (done: number, total: number) => void): VtaModelRun {
  const byName = new Map(c.layers.map((cl) => [cl.layer.name, cl]));
  const layers: LayerFigures[] = [];
  const run = runQGraph(
    c.qgraph,
    feeds,
    (l, inputs) => {
      const cl = byName.get(l.name)!;
      // VTA's profile keeps every code within int8
      const out = runLowered(c.target, cl.lowered, inputs.map((x) => Int8Array.from(x)));
      layers.push(figures(c.target, cl, timeLowered(c.target, cl.lowered)));
      return Int32Array.from(out);
    },
    progress,
  );
  return { ...run, layers };
}

/** Runs the same int8 graph with the integer kernels in place of the simulator. */
export function runReference(q: QGraph, feeds: Feeds, progress?: (done: number, total: number) => void): { outputs: Record<string, Value>; codes: Map<string, Codes> } {
  return runQGraph(q, feeds, undefined, progress);
}
