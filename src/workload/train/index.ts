import { AccelmapError, isAccelmapError } from '../../util/errors.js';
import { isFloat } from '../dtype.js';
import type { Attrs, Graph, Node, Phase, Tensor, TensorType } from '../graph.js';
import { atNode, inferNode, nodeInputTypes, nodeOutputTypes } from '../infer.js';
import type { GradContext } from '../op.js';
import { registry } from '../ops/index.js';
import { OPTIMIZERS, type OptimizerName } from '../ops/optimizer.js';
import { RULES } from './rules.js';
import { markSaved } from './saved.js';

/**
 * The training form of an inference graph: the forward pass in training mode
 * (dropout masks drawn, batch statistics computed, recurrent gate values
 * kept), a loss, the backward pass (input- and weight-gradient ops from the
 * rule table in rules.ts, accumulated where a tensor feeds several ops) and
 * one element-wise optimizer update per trained weight. Nodes are tagged
 * with their phase; every forward tensor the backward pass reads is marked
 * `savedForBackward`; weight gradients and optimizer state carry `of`.
 */
export type LossKind = 'cross-entropy' | 'mse';

export interface TrainOptions {
  /** Default: SGD with momentum. */
  optimizer?: OptimizerName;
  /** Default: guessed from the output (class scores → cross-entropy, otherwise mean squared error). */
  loss?: LossKind;
  /** Which graph output the loss reads (default 0). */
  lossOutput?: number;
}

export const DEFAULT_OPTIMIZER: OptimizerName = 'momentum';
export const LOSS_KINDS: readonly LossKind[] = ['cross-entropy', 'mse'];

export function toTraining(inference: Graph, options: TrainOptions = {}): Graph {
  if (inference.mode !== 'infer') throw new Error(`graph ${inference.name} is already in training form`);
  const t = new TrainingGraph(inference);
  for (const node of inference.nodes) t.forward(node);
  const loss = t.addLoss(options);
  t.backward(loss);
  t.addUpdates(options.optimizer ?? DEFAULT_OPTIMIZER);
  markSaved(t.graph);
  return t.graph;
}

/** Extra outputs an op has in training form, and the attributes that switch it on. */
const TRAINING_FORM: Record<string, { named: number[]; attrs?: Attrs }> = {
  Dropout: { named: [1], attrs: { training_mode: 1 } },
  BatchNormalization: { named: [1, 2], attrs: { training_mode: 1 } },
  LayerNormalization: { named: [1, 2] },
  LSTM: { named: [3], attrs: { training_mode: 1 } },
  GRU: { named: [2], attrs: { training_mode: 1 } },
};

/** The graph under construction, with the names it has taken. */
class TrainingGraph {
  readonly graph: Graph;
  private readonly taken = new Set<string>();
  private readonly grads = new Map<string, string>();
  private readonly forwardNodes: Node[] = [];
  private readonly inferenceOutputs: string[];

  constructor(inference: Graph) {
    this.graph = { name: inference.name, mode: 'train', batch: inference.batch, tensors: {}, nodes: [], inputs: [...inference.inputs], outputs: [] };
    for (const t of Object.values(inference.tensors)) {
      this.taken.add(t.name);
      if (t.kind === 'input' || t.kind === 'weight' || t.kind === 'constant') this.graph.tensors[t.name] = { ...t };
    }
    for (const n of inference.nodes) this.taken.add(n.name);
    this.inferenceOutputs = inference.outputs;
  }

  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  private addTensor(t: Tensor): string {
    this.taken.add(t.name);
    this.graph.tensors[t.name] = t;
    return t.name;
  }

  /** Appends a node (attributes validated, shapes inferred) and returns it. */
  private addNode(name: string, op: string, inputs: string[], raw: Attrs, outputs: string[], phase: Phase): Node {
    let attrs: Attrs;
    try {
      attrs = registry.get(op).attrs(raw);
    } catch (e) {
      throw isAccelmapError(e) ? e.at({ path: `node ${name}` }) : e;
    }
    const node: Node = { name, op, inputs, outputs, attrs, phase };
    this.graph.nodes.push(node);
    inferNode(this.graph, node);
    return node;
  }

  /** A forward node in its training form. */
  forward(node: Node): void {
    const form = TRAINING_FORM[node.op];
    const outputs = [...node.outputs];
    for (const i of form?.named ?? []) {
      while (outputs.length <= i) outputs.push('');
      if (!outputs[i]) outputs[i] = this.fresh(`${node.name}:${i}`);
    }
    this.forwardNodes.push(this.addNode(node.name, node.op, [...node.inputs], { ...node.attrs, ...form?.attrs }, outputs, 'forward'));
  }

  addLoss(o: TrainOptions): string {
    const index = o.lossOutput ?? 0;
    const out = this.inferenceOutputs[index];
    if (!out) throw new AccelmapError('bad-input', `graph ${this.graph.name} has no output ${index} to put a loss on`);
    const y = this.graph.tensors[out]!;
    if (!isFloat(y.dtype)) throw new AccelmapError('unsupported', `cannot train on output '${out}' of type ${y.dtype}`);
    const kind = o.loss ?? guessLoss(y);
    const loss = this.fresh('loss');
    let node: Node;
    if (kind === 'cross-entropy') {
      if (y.shape.length < 2) throw new AccelmapError('bad-input', `a cross-entropy loss needs class scores of rank ≥ 2, output '${out}' is [${y.shape}]`, {}, 'use --loss mse');
      const rows = y.shape.slice(0, -1).reduce((p, d) => p * d, 1);
      const scores = y.shape.length === 2 ? out : this.view(out, [rows, y.shape.at(-1)!]);
      const labels = this.addTensor({ name: this.fresh('labels'), shape: [rows], dtype: 'int64', kind: 'input' });
      this.graph.inputs.push(labels);
      node = this.addNode(loss, 'SoftmaxCrossEntropyLoss', [scores, labels], {}, [loss, this.fresh(`${loss}.log_prob`)], 'forward');
    } else {
      const target = this.addTensor({ name: this.fresh('target'), shape: [...y.shape], dtype: y.dtype, kind: 'input' });
      this.graph.inputs.push(target);
      node = this.addNode(loss, 'MSELoss', [out, target], {}, [loss], 'forward');
    }
    this.forwardNodes.push(node);
    this.graph.outputs = [loss];
    return loss;
  }

  /** A forward view of `x` with another shape. */
  private view(x: string, shape: number[]): string {
    const name = this.fresh(`${x}.view`);
    const shapeConst = this.constant(shape, [shape.length], `${name}.shape`);
    const node = this.addNode(name, 'Reshape', [x, shapeConst], {}, [name], 'forward');
    this.forwardNodes.push(node);
    return node.outputs[0]!;
  }

  private constant(value: number[], shape: number[], base: string, dtype: Tensor['dtype'] = 'int64'): string {
    return this.addTensor({ name: this.fresh(base), shape, dtype, kind: 'constant', value });
  }

  /** The backward pass: gradients from the loss back to every weight. */
  backward(loss: string): void {
    const lossType = this.graph.tensors[loss]!;
    this.grads.set(loss, this.constant([1], [], `${loss}.grad`, lossType.dtype));
    const needs = this.requiresGrad();
    for (const node of [...this.forwardNodes].reverse()) {
      const outputGrads = node.outputs.map((o) => (o ? (this.grads.get(o) ?? '') : ''));
      if (!outputGrads.some(Boolean)) continue;
      const needsGrad = node.inputs.map((i) => i !== '' && needs.has(i));
      if (!needsGrad.some(Boolean)) continue;
      const rule = registry.get(node.op).backward ?? RULES[node.op];
      if (!rule) throw new AccelmapError('unsupported', `no gradient rule for ${node.op}`, { path: `node ${node.name}` }, 'training supports the op kinds listed in src/workload/train/rules.ts');
      let inputGrads: string[];
      try {
        inputGrads = rule(this.context(node, outputGrads, needsGrad), node.attrs);
      } catch (e) {
        throw atNode(e, node);
      }
      inputGrads.forEach((g, i) => {
        if (g && needsGrad[i]) this.accumulate(node.inputs[i]!, g);
      });
    }
    this.labelWeightGradients();
  }

  /** Tensors that need a gradient: float weights and everything computed from them. */
  private requiresGrad(): Set<string> {
    const needs = new Set<string>();
    for (const t of Object.values(this.graph.tensors)) if (t.kind === 'weight' && isFloat(t.dtype)) needs.add(t.name);
    for (const n of this.forwardNodes) {
      if (!n.inputs.some((i) => needs.has(i))) continue;
      for (const o of n.outputs) if (o && isFloat(this.graph.tensors[o]!.dtype)) needs.add(o);
    }
    return needs;
  }

  private context(node: Node, outputGrads: string[], needsGrad: boolean[]): GradContext {
    return {
      node,
      inputs: nodeInputTypes(this.graph, node),
      outputs: nodeOutputTypes(this.graph, node),
      outputGrads,
      needsGrad,
      emit: (op, inputs, attrs = {}, outputs = 1) => {
        const name = this.fresh(`${node.name}.${op}`);
        const names = Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.fresh(`${name}:${i}`)));
        return this.addNode(name, op, inputs, attrs, names, 'backward').outputs;
      },
      constant: (value, shape = [value.length]) => this.constant(value, shape, `${node.name}.const`, shape.length ? 'int64' : nodeOutputTypes(this.graph, node)[0]!.dtype),
      zeros: (type: TensorType) => this.addTensor({ name: this.fresh(`${node.name}.zeros`), shape: [...type.shape], dtype: type.dtype, kind: 'constant' }),
    };
  }

  /** Records gradient `g` of tensor `t`, adding it to what is already there. */
  private accumulate(t: string, g: string): void {
    const want = this.graph.tensors[t]!.shape, got = this.graph.tensors[g]!.shape;
    if (want.join() !== got.join()) throw new Error(`gradient ${g} [${got}] of ${t} [${want}] has the wrong shape`);
    const prev = this.grads.get(t);
    if (!prev) {
      this.grads.set(t, g);
      return;
    }
    const name = this.fresh(`${t}.grad_accum`);
    this.grads.set(t, this.addNode(name, 'Add', [prev, g], {}, [name], 'backward').outputs[0]!);
  }

  /** Gives every weight a gradient tensor of its own, marked `of` the weight. */
  private labelWeightGradients(): void {
    const owners = new Map<string, number>();
    for (const g of this.grads.values()) owners.set(g, (owners.get(g) ?? 0) + 1);
    for (const [t, g] of this.grads) {
      if (this.graph.tensors[t]!.kind !== 'weight') continue;
      let grad = g;
      if (owners.get(g)! > 1) {
        const name = this.fresh(`${t}.grad`);
        grad = this.addNode(name, 'Identity', [g], {}, [name], 'backward').outputs[0]!;
        this.grads.set(t, grad);
      }
      this.graph.tensors[grad]!.of = t;
    }
  }

  /** One optimizer update per weight that received a gradient; state tensors are created beside it. */
  addUpdates(optimizer: OptimizerName): void {
    const spec = OPTIMIZERS[optimizer];
    for (const [t, g] of this.grads) {
      const w = this.graph.tensors[t]!;
      if (w.kind !== 'weight') continue;
      const states = spec.states.map((s) => this.addTensor({ name: this.fresh(`${t}.${s}`), shape: [...w.shape], dtype: w.dtype, kind: 'optimizer-state', of: t }));
      this.addNode(this.fresh(`${t}.${spec.op}`), spec.op, [t, g, ...states], {}, [], 'update');
    }
  }
}

/** Class scores ([N, C] or [N, …, V] with C, V > 1) get cross-entropy; anything else mean squared error. */
export function guessLoss(y: TensorType): LossKind {
  return y.shape.length >= 2 && y.shape.at(-1)! > 1 ? 'cross-entropy' : 'mse';
}
