import { tensorBytes } from '../workload/shape.js';
import type { Graph, Node, Tensor, TensorKind } from '../workload/graph.js';
import type { OpClass } from '../workload/op.js';
import { opClassOf } from '../workload/ops/index.js';
import { VIEW_OPS } from '../workload/train/saved.js';

/**
 * The buffers of a training step and the steps that write and read them.
 *
 * A step runs one node: a forward, backward or update node of the training
 * graph, or a forward node run again in the backward pass (`recompute`).
 * A buffer is one allocation: a tensor together with the views of it
 * (Reshape, Flatten, Squeeze, Unsqueeze, Identity move no data) and, with
 * `inPlace`, the results of element-wise ops that overwrite an input dying
 * with them (ReLU over a convolution's output, an activation gradient
 * scaled in place) — as frameworks run activations in place.
 */
export type StepPhase = 'forward' | 'recompute' | 'backward' | 'update';

export type BufferCategory = 'weights' | 'weight-gradients' | 'optimizer-state' | 'activations' | 'activation-gradients' | 'inputs' | 'constants';

export const BUFFER_CATEGORIES: readonly BufferCategory[] = ['weights', 'weight-gradients', 'optimizer-state', 'activations', 'activation-gradients', 'inputs', 'constants'];

export interface StepSpec {
  node: Node;
  phase: StepPhase;
  /** The tensors read and written: the node's own names, or the names of recomputed copies. */
  inputs: string[];
  outputs: string[];
}

export interface Step {
  index: number;
  node: Node;
  phase: StepPhase;
  /** The buffer behind each input (−1 where the input is omitted). */
  inputs: number[];
  /** Buffers read (ids, no repeats). */
  reads: number[];
  /** Buffers this step creates. */
  allocs: number[];
}

export interface Buffer {
  id: number;
  /** The tensor that owns the storage. */
  name: string;
  bytes: number;
  category: BufferCategory;
  /** Present for the whole step: weights, optimizer state, constants. */
  persistent: boolean;
  /** The step that creates it; −1 when it exists before the step starts (graph inputs, weights, state, constants). */
  producer: number;
  /** Steps reading it, ascending. */
  readers: number[];
  /** Holds a graph output (the loss): kept to the end of the step. */
  output: boolean;
  /** Tensors stored in it (itself, its views, results written in place). */
  tensors: string[];
}

export interface Schedule {
  graph: Graph;
  steps: Step[];
  buffers: Buffer[];
}

export interface ScheduleOptions {
  /** Element-wise results overwrite an input that dies with them (default true). */
  inPlace?: boolean;
  /** Graph tensor behind a step's tensor name, for recomputed copies (default: the name itself). */
  tensorOf?: (name: string) => string;
}

const PRESENT: ReadonlySet<TensorKind> = new Set(['weight', 'optimizer-state', 'constant', 'input']);
const PERSISTENT: ReadonlySet<BufferCategory> = new Set(['weights', 'optimizer-state', 'constants']);
const IN_PLACE: ReadonlySet<OpClass> = new Set(['activation', 'elementwise']);

function categoryOf(t: Tensor): BufferCategory {
  switch (t.kind) {
    case 'weight':
      return 'weights';
    case 'optimizer-state':
      return 'optimizer-state';
    case 'constant':
      return 'constants';
    case 'input':
      return 'inputs';
    case 'gradient':
      return t.of ? 'weight-gradients' : 'activation-gradients';
    default:
      return 'activations';
  }
}

/** The steps of a training graph run once in its own order. */
export function graphSteps(graph: Graph): StepSpec[] {
  return graph.nodes.map((node) => ({ node, phase: node.phase, inputs: node.inputs, outputs: node.outputs }));
}

interface Group {
  members: string[];
  producer: number;
  readers: number[];
}

export function buildSchedule(graph: Graph, specs: StepSpec[], options: ScheduleOptions = {}): Schedule {
  const tensorOf = options.tensorOf ?? ((n: string) => n);
  const tensor = (name: string): Tensor => {
    const t = graph.tensors[tensorOf(name)];
    if (!t) throw new Error(`graph ${graph.name}: no tensor '${name}'`);
    return t;
  };
  const outputs = new Set(graph.outputs);

  // 1. groups: a tensor and its views
  const groups: Group[] = [];
  const groupOf = new Map<string, number>();
  const newGroup = (name: string, producer: number): number => {
    groups.push({ members: [name], producer, readers: [] });
    groupOf.set(name, groups.length - 1);
    return groups.length - 1;
  };
  const groupFor = (name: string, step: number): number => {
    const g = groupOf.get(name);
    if (g !== undefined) return g;
    if (!PRESENT.has(tensor(name).kind)) throw new Error(`step ${step} (${specs[step]!.node.name}) reads '${name}' before any step writes it`);
    return newGroup(name, -1);
  };
  specs.forEach((spec, s) => {
    for (const name of spec.inputs) if (name) groups[groupFor(name, s)]!.readers.push(s);
    spec.outputs.forEach((name, j) => {
      if (!name) return;
      if (j === 0 && VIEW_OPS.has(spec.node.op) && spec.inputs[0]) {
        const g = groupFor(spec.inputs[0], s);
        groups[g]!.members.push(name);
        groupOf.set(name, g);
      } else newGroup(name, s);
    });
  });

  // 2. in place: an element-wise result takes over an input group that dies at this step
  const parent = groups.map((_, i) => i);
  const find = (g: number): number => (parent[g] === g ? g : (parent[g] = find(parent[g]!)));
  const last = groups.map((g) => (g.readers.length ? g.readers[g.readers.length - 1]! : g.producer));
  const isOutput = (g: Group) => g.members.some((m) => outputs.has(m));
  if (options.inPlace ?? true) {
    specs.forEach((spec, s) => {
      const out = spec.outputs[0];
      if (!out || VIEW_OPS.has(spec.node.op) || !IN_PLACE.has(opClassOf(spec.node))) return;
      const go = groupOf.get(out)!;
      const outT = tensor(out);
      if (isOutput(groups[go]!)) return;
      for (const name of spec.inputs) {
        if (!name) continue;
        const gi = find(groupOf.get(name)!);
        const target = groups[gi]!;
        const t = tensor(target.members[0]!);
        if (last[gi] !== s || target.producer < 0 || isOutput(target) || t.dtype !== outT.dtype || tensorBytes(t) !== tensorBytes(outT)) continue;
        parent[go] = gi;
        last[gi] = Math.max(last[gi]!, last[go]!);
        break;
      }
    });
  }

  // 3. buffers: one per root group
  const bufferOf = new Map<number, number>();
  const buffers: Buffer[] = [];
  groups.forEach((g, i) => {
    if (find(i) !== i) return;
    const t = tensor(g.members[0]!);
    bufferOf.set(i, buffers.length);
    const category = categoryOf(t);
    buffers.push({ id: buffers.length, name: g.members[0]!, bytes: tensorBytes(t), category, persistent: PERSISTENT.has(category), producer: g.producer, readers: [], output: false, tensors: [] });
  });
  groups.forEach((g, i) => {
    const b = buffers[bufferOf.get(find(i))!]!;
    b.tensors.push(...g.members);
    b.readers.push(...g.readers);
    if (isOutput(g)) b.output = true;
    if (g.members.some((m) => categoryOf(tensor(m)) === 'weight-gradients')) b.category = 'weight-gradients';
  });
  for (const b of buffers) b.readers = [...new Set(b.readers)].sort((x, y) => x - y);

  const steps: Step[] = specs.map((spec, s) => {
    const inputs = spec.inputs.map((n) => (n ? bufferOf.get(find(groupOf.get(n)!))! : -1));
    return { index: s, node: spec.node, phase: spec.phase, inputs, reads: [...new Set(inputs.filter((b) => b >= 0))], allocs: [] };
  });
  for (const b of buffers) if (b.producer >= 0) steps[b.producer]!.allocs.push(b.id);
  return { graph, steps, buffers };
}

/** The step after which a buffer is no longer needed: its last reader, or its producer when nothing reads it. */
export function lastUse(b: Buffer): number {
  return b.readers.length ? b.readers[b.readers.length - 1]! : b.producer;
}
