import { AccelmapError } from '../util/errors.js';
import type { DType } from './dtype.js';
import type { Attrs, Graph, Node, Phase, Tensor, TensorKind } from './graph.js';
import { inferNode } from './infer.js';
import { registry } from './ops/index.js';

export interface ConvOptions {
  kernel: number | [number, number];
  stride?: number | [number, number];
  /** Symmetric padding per spatial axis; 'same' pads so that output = ceil(input / stride). */
  pad?: number | [number, number] | 'same';
  dilation?: number;
  group?: number;
  bias?: boolean;
  name?: string;
}

export interface PoolOptions {
  kernel: number | [number, number];
  stride?: number | [number, number];
  pad?: number | [number, number];
  ceil?: boolean;
  name?: string;
}

const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

/**
 * Builds graphs op by op, inferring shapes as it goes (zoo models, tests,
 * training transforms). Names are scoped: inside `scope('layer1', …)` a conv
 * named `conv1` becomes `layer1.conv1`, its weight `layer1.conv1.weight`.
 */
export class GraphBuilder {
  readonly graph: Graph;
  readonly dtype: DType;
  private readonly prefix: string[] = [];
  private readonly counters = new Map<string, number>();
  phase: Phase = 'forward';

  constructor(name: string, options: { batch?: number; dtype?: DType; mode?: 'infer' | 'train' } = {}) {
    this.dtype = options.dtype ?? 'float32';
    this.graph = { name, mode: options.mode ?? 'infer', batch: options.batch ?? 1, tensors: {}, nodes: [], inputs: [], outputs: [] };
  }

  get batch(): number {
    return this.graph.batch;
  }

  /** Runs `fn` with names prefixed by `name`. */
  scope<T>(name: string, fn: () => T): T {
    this.prefix.push(name);
    try {
      return fn();
    } finally {
      this.prefix.pop();
    }
  }

  /** A unique, scoped name from `base` (numbered when taken). */
  name(base: string): string {
    const full = [...this.prefix, base].join('.');
    if (!this.graph.tensors[full] && !this.graph.nodes.some((n) => n.name === full) && !this.counters.has(full)) {
      this.counters.set(full, 1);
      return full;
    }
    const k = this.counters.get(full) ?? 1;
    this.counters.set(full, k + 1);
    return this.name(`${base}_${k}`);
  }

  shape(tensor: string): number[] {
    const t = this.graph.tensors[tensor];
    if (!t) throw new Error(`no tensor ${tensor}`);
    return t.shape;
  }

  private addTensor(t: Tensor): string {
    if (this.graph.tensors[t.name]) throw new Error(`tensor ${t.name} defined twice`);
    this.graph.tensors[t.name] = t;
    return t.name;
  }

  input(name: string, shape: number[], dtype: DType = this.dtype): string {
    const n = this.addTensor({ name, shape, dtype, kind: 'input' });
    this.graph.inputs.push(n);
    return n;
  }

  weight(name: string, shape: number[], dtype: DType = this.dtype): string {
    return this.addTensor({ name: this.name(name), shape, dtype, kind: 'weight' });
  }

  /** A small constant (shape vectors, axes); kept with its value. */
  constant(name: string, value: number[], shape: number[] = [value.length], dtype: DType = 'int64'): string {
    return this.addTensor({ name: this.name(name), shape, dtype, kind: 'constant', value });
  }

  /** A constant known only by its shape (masks, large buffers): its contents are not kept. */
  buffer(name: string, shape: number[], dtype: DType = this.dtype): string {
    return this.addTensor({ name: this.name(name), shape, dtype, kind: 'constant' });
  }

  /** Adds a node of kind `op`; returns its output tensor names. */
  node(op: string, inputs: string[], rawAttrs: Attrs = {}, options: { name?: string; outputs?: number; kind?: TensorKind } = {}): string[] {
    return this.addNode(this.name(options.name ?? op.toLowerCase()), op, inputs, rawAttrs, options);
  }

  private addNode(name: string, op: string, inputs: string[], rawAttrs: Attrs, options: { outputs?: number; kind?: TensorKind } = {}): string[] {
    let attrs: Attrs;
    try {
      attrs = registry.get(op).attrs(rawAttrs);
    } catch (e) {
      throw e instanceof AccelmapError ? e.at({ path: `node ${name}` }) : e;
    }
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => (i === 0 ? name : `${name}:${i}`));
    const node: Node = { name, op, inputs, outputs, attrs, phase: this.phase };
    this.graph.nodes.push(node);
    inferNode(this.graph, node, options.kind);
    return outputs;
  }

  /** Single-output node. */
  op(op: string, inputs: string[], rawAttrs: Attrs = {}, name?: string): string {
    return this.node(op, inputs, rawAttrs, name === undefined ? {} : { name })[0]!;
  }

  private param(name: string, shape: number[], kind: TensorKind = 'weight'): string {
    return this.addTensor({ name, shape, dtype: this.dtype, kind });
  }

  // ------------------------------------------------------------ layers (parameters named <layer>.<param>)

  conv(x: string, outChannels: number, o: ConvOptions): string {
    const [kh, kw] = pair(o.kernel);
    const [sh, sw] = pair(o.stride ?? 1);
    const inC = this.shape(x)[1]!;
    const group = o.group ?? 1;
    const d = o.dilation ?? 1;
    const [ph, pw] = o.pad === 'same' ? [((kh - 1) * d) >> 1, ((kw - 1) * d) >> 1] : pair(o.pad ?? 0);
    const l = this.name(o.name ?? 'conv');
    const inputs = [x, this.param(`${l}.weight`, [outChannels, inC / group, kh, kw])];
    if (o.bias) inputs.push(this.param(`${l}.bias`, [outChannels]));
    return this.addNode(l, 'Conv', inputs, { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph, pw, ph, pw], dilations: [d, d], group })[0]!;
  }

  batchNorm(x: string, name = 'bn'): string {
    const c = this.shape(x)[1]!;
    const l = this.name(name);
    const params = [this.param(`${l}.weight`, [c]), this.param(`${l}.bias`, [c]), this.param(`${l}.running_mean`, [c], 'constant'), this.param(`${l}.running_var`, [c], 'constant')];
    return this.addNode(l, 'BatchNormalization', [x, ...params], {})[0]!;
  }

  /** Fully connected layer over the last axis: x [..., in] → [..., out] (Gemm for rank 2, MatMul + Add above). */
  linear(x: string, out: number, o: { bias?: boolean; name?: string } = {}): string {
    const shape = this.shape(x);
    const inF = shape[shape.length - 1]!;
    const bias = o.bias ?? true;
    const l = this.name(o.name ?? 'fc');
    if (shape.length === 2) {
      const inputs = [x, this.param(`${l}.weight`, [out, inF])];
      if (bias) inputs.push(this.param(`${l}.bias`, [out]));
      return this.addNode(l, 'Gemm', inputs, { transB: 1 })[0]!;
    }
    const y = this.addNode(l, 'MatMul', [x, this.param(`${l}.weight`, [inF, out])], {})[0]!;
    if (!bias) return y;
    return this.addNode(`${l}.bias_add`, 'Add', [y, this.param(`${l}.bias`, [out])], {})[0]!;
  }

  relu(x: string, name?: string): string {
    return this.op('Relu', [x], {}, name);
  }

  add(a: string, b: string, name?: string): string {
    return this.op('Add', [a, b], {}, name);
  }

  mul(a: string, b: string, name?: string): string {
    return this.op('Mul', [a, b], {}, name);
  }

  matmul(a: string, b: string, name?: string): string {
    return this.op('MatMul', [a, b], {}, name);
  }

  maxPool(x: string, o: PoolOptions): string {
    return this.pool('MaxPool', x, o);
  }

  avgPool(x: string, o: PoolOptions): string {
    return this.pool('AveragePool', x, o);
  }

  private pool(op: string, x: string, o: PoolOptions): string {
    const [kh, kw] = pair(o.kernel);
    const [sh, sw] = pair(o.stride ?? o.kernel);
    const [ph, pw] = pair(o.pad ?? 0);
    return this.node(op, [x], { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph, pw, ph, pw], ceil_mode: o.ceil ? 1 : 0 }, { name: o.name ?? op.toLowerCase() })[0]!;
  }

  globalAvgPool(x: string, name?: string): string {
    return this.op('GlobalAveragePool', [x], {}, name);
  }

  flatten(x: string, axis = 1, name?: string): string {
    return this.op('Flatten', [x], { axis }, name);
  }

  reshape(x: string, shape: number[], name?: string): string {
    return this.op('Reshape', [x, this.constant('shape', shape)], {}, name);
  }

  transpose(x: string, perm: number[], name?: string): string {
    return this.op('Transpose', [x], { perm }, name);
  }

  concat(xs: string[], axis: number, name?: string): string {
    return this.op('Concat', xs, { axis }, name);
  }

  softmax(x: string, axis = -1, name?: string): string {
    return this.op('Softmax', [x], { axis }, name);
  }

  layerNorm(x: string, name = 'ln'): string {
    const d = this.shape(x).at(-1)!;
    const l = this.name(name);
    return this.addNode(l, 'LayerNormalization', [x, this.param(`${l}.weight`, [d]), this.param(`${l}.bias`, [d])], { axis: -1 })[0]!;
  }

  dropout(x: string, ratio = 0.1, name?: string): string {
    return this.op('Dropout', [x], { ratio }, name);
  }

  embedding(indices: string, vocab: number, dim: number, name = 'embedding'): string {
    const l = this.name(name);
    return this.addNode(l, 'Embedding', [indices, this.param(`${l}.weight`, [vocab, dim])], {})[0]!;
  }

  /** Marks graph outputs and returns the graph. */
  build(outputs: string[]): Graph {
    this.graph.outputs = outputs;
    return this.graph;
  }
}
