import { archFromSpec } from '../arch/load.js';
import type { Architecture } from '../arch/types.js';
import { compileForVta, quantizeForVta } from '../api/vta.js';
import type { StoredDesign, StoredWorkload } from '../store/store.js';
import type { QGraph } from '../quantize/integer/graph.js';
import { archDisagreements, loadVtaTarget, type VtaTarget } from '../targets/vta/spec.js';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { readSourceFile } from '../util/source-file.js';
import type { Graph } from '../workload/graph.js';
import type { Design, DesignSpace } from './space.js';

/**
 * A design space over a compile target (`target: vta` in the space file)
 * rather than over an arch spec: each knob is a `--set` key of the target
 * spec (`blockOut`, `buffers.input`, `alu.lanes`, `gemm.pipelineDepth`), and
 * a design is evaluated by compiling every workload for the target and
 * timing it on the target's simulator, exactly as `accelmap compile M
 * --target vta --set KEY=VALUE` does. The target has no energy model, so its
 * designs have latency and area only; area and on-chip storage come from the
 * arch module's model of the same hardware (the target's `arch` preset with
 * the design's array, buffers, ALU lanes, DRAM port and clock written in).
 */
export interface TargetSpace {
  /** The target preset or spec file. */
  ref: string;
  /** Schedules the tuner tries per layer (0: the default schedules). */
  tune: number;
}

/** The `--set` overrides a design stands for. */
function designOverrides(space: DesignSpace, d: Design): string[] {
  return space.knobs.map((k, i) => `${k.path}=${String(k.values[d[i]!]!)}`);
}

/** The target a design describes, or the reason its combination of knobs is not a valid target spec. */
export function designTarget(space: DesignSpace, d: Design): VtaTarget | { invalid: string } {
  try {
    return loadVtaTarget(space.target!.ref, designOverrides(space, d));
  } catch (e) {
    if (e instanceof AccelmapError) return { invalid: e.message };
    throw e;
  }
}

const holding = (space: string) => (l: unknown) => {
  const ds = (l as { dataSpaces?: string[] }).dataSpaces;
  return ds?.length === 1 && ds[0] === space;
};

/**
 * The arch module's view of a target: its `arch` preset with the GEMM array
 * (BLOCK_OUT × BATCH·BLOCK_IN), buffer capacities and read/write ports (one
 * vector or block per cycle), ALU lanes, DRAM bytes per cycle and clock of
 * the target written in; checked to agree with the target field by field.
 */
export function targetArch(t: VtaTarget): Architecture {
  const spec = structuredClone(readSourceFile(presetPath('arch', `${t.arch}.yaml`), 'bad-spec').value) as Record<string, any>;
  spec.clock = t.clockHz;
  spec.compute.fanOut = { x: t.blockOut, y: t.batch * t.blockIn };
  spec.vector.lanes = t.alu.lanes;
  const ports: [string, keyof VtaTarget['buffers'], number][] = [['Inputs', 'input', t.batch * t.blockIn], ['Weights', 'weight', t.blockIn * t.blockOut], ['Outputs', 'acc', t.batch * t.blockOut]];
  for (const [space, key, words] of ports) {
    const level = (spec.levels as unknown[]).find(holding(space)) as Record<string, unknown>;
    Object.assign(level, { capacity: t.buffers[key], blockSize: words, readBandwidth: words, writeBandwidth: words });
  }
  const dram = spec.levels[0] as Record<string, unknown>;
  dram.sharedBandwidth = (t.dma.bytesPerCycle * 8) / ((dram.wordBits as number | undefined) ?? spec.wordBits ?? 8);
  const arch = archFromSpec(spec, t.arch);
  const off = archDisagreements(t, arch);
  if (off.length > 0) throw new Error(`the arch view of target '${t.name}' disagrees with it: ${off.join('; ')}`);
  return arch;
}

/** Int8 graphs by workload and seed: quantization does not depend on the target's knobs, so each design reuses them. */
const quantized = new WeakMap<Graph, Map<number, QGraph>>();

function quantizedFor(graph: Graph, seed: number): QGraph {
  let bySeed = quantized.get(graph);
  if (!bySeed) quantized.set(graph, (bySeed = new Map()));
  let q = bySeed.get(seed);
  if (!q) bySeed.set(seed, (q = quantizeForVta(graph, { seed })));
  return q;
}

/**
 * Evaluates one design of a target space: compiles every workload for the
 * design's target (default schedules, or tuned with the space's budget) and
 * sums the simulator's seconds, weighted. `base` carries the record's
 * identity, area and storage.
 */
export async function evaluateOnTarget(space: DesignSpace, d: Design, workloads: { name: string; workload: unknown; weight?: number }[], seed: number, base: Omit<StoredDesign, 'status' | 'reason' | 'latencyS' | 'energyPj' | 'workloads' | 'layers'>): Promise<StoredDesign> {
  const results: StoredWorkload[] = [];
  for (const w of workloads) {
    if (!isGraph(w.workload)) throw new AccelmapError('bad-input', `workload '${w.name}' is a single layer; a target space (${space.file}) compiles whole models`, {}, 'give a zoo model or an .onnx file');
    const r = await compileForVta(w.workload, { target: space.target!.ref, set: designOverrides(space, d), tune: space.target!.tune, seed, qgraph: quantizedFor(w.workload, seed) });
    const compute = r.layers.reduce((s, l) => s + l.utilization.compute * l.cycles, 0);
    results.push({ name: w.name, weight: w.weight ?? 1, cycles: r.totals.cycles, seconds: r.totals.seconds, energyPj: null, utilization: r.totals.cycles ? compute / r.totals.cycles : 0 });
  }
  const latencyS = results.reduce((s, w) => s + w.weight * w.seconds, 0);
  return { ...base, status: 'ok', reason: null, latencyS, energyPj: null, workloads: results, layers: [] };
}

const isGraph = (w: unknown): w is Graph => typeof w === 'object' && w !== null && 'nodes' in w && 'outputs' in w;
