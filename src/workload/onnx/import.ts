import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { AccelmapError, isAccelmapError } from '../../util/errors.js';
import { bytesFor, isFloat } from '../dtype.js';
import { numel, type AttrValue, type Attrs, type Graph, type Node, type Tensor, type TensorType } from '../graph.js';
import { inferNode, undefinedInput } from '../infer.js';
import { registry } from '../ops/index.js';
import { STORED_VALUE_ELEMENTS, readModelFile, type OnnxAttribute, type OnnxFunction, type OnnxDim, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js';
import { CONTROL_FLOW_OPS, ROOT_SCOPE, unrollIf, unrollLoop, unrollScan, type InlineHost, type Scope } from './control_flow.js';
import { isParameterSlot } from './slots.js';
import { RENAMED_OPS, upgradeNode, type RawNode, type UpgradeContext } from './upgrade.js';

/**
 * ONNX model → Graph. Reads the file lazily (weights are skipped), binds
 * named dynamic dimensions from options, upgrades older-opset node forms to
 * accelmap's op kinds, infers every shape node by node while folding
 * constant subgraphs (exported Shape → Gather → Concat → Reshape chains end
 * up static), checks the file's own value_info against the inferred shapes,
 * turns lookups into weight tables into Embedding ops and marks stored
 * tensors as weights or constants.
 */
export interface OnnxImportOptions {
  /** Binds the first (batch) dimension of inputs whose first dimension is dynamic. */
  batch?: number;
  /** Binds named dynamic dimensions (`dim_param`s) of the inputs. */
  dims?: Record<string, number>;
  /** Types (and, optionally, values) to use for graph inputs instead of the declared ones. */
  inputs?: Record<string, TensorType>;
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);
/** Ops of other ONNX domains that have an op kind of the same name. */
const PREVIEW_OPS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['ai.onnx.preview', new Set(['FlexAttention'])],
  ['ai.onnx.preview.training', new Set(['Adagrad', 'Momentum', 'Adam'])],
]);

export function importOnnx(file: string, o: OnnxImportOptions = {}): Graph {
  return importModel(readModelFile(file), file, o);
}

/** The op kind an ONNX node maps to (or the control-flow op it is unrolled as), or undefined when accelmap has none. */
export function kindFor(node: Pick<OnnxNode, 'opType' | 'domain'>): string | undefined {
  if (PREVIEW_OPS.get(node.domain)?.has(node.opType)) return node.opType;
  if (!DEFAULT_DOMAINS.has(node.domain)) return undefined;
  const op = RENAMED_OPS[node.opType] ?? node.opType;
  return op === 'Constant' || CONTROL_FLOW_OPS.has(op) || registry.has(op) ? op : undefined;
}

type Functions = ReadonlyMap<string, OnnxFunction>;

const functionKey = (domain: string, name: string) => `${domain}\u0000${name}`;

/** The model-local function a node calls, when it is not an op accelmap knows. */
function functionOf(n: OnnxNode, functions: Functions): OnnxFunction | undefined {
  return kindFor(n) ? undefined : functions.get(functionKey(n.domain, n.opType));
}

/** Most nested function calls followed (a function may not call itself). */
const MAX_CALL_DEPTH = 32;
/** Most nodes an imported graph may have once functions are inlined and loops unrolled. */
const MAX_GRAPH_NODES = 1 << 21;

function tooLarge(): AccelmapError {
  return new AccelmapError('unsupported', `the graph grows beyond ${MAX_GRAPH_NODES} nodes once its functions are inlined and its loops unrolled`);
}

/** Every node of a graph, of the subgraphs in its nodes' attributes and of the functions they call, with display names. */
function allNodes(nodes: OnnxNode[], functions: Functions, prefix = '', depth = 0, seen = { count: 0 }): [OnnxNode, string][] {
  if (depth > MAX_CALL_DEPTH) throw new AccelmapError('bad-input', `subgraphs or functions nested more than ${MAX_CALL_DEPTH} deep`, { path: prefix });
  if ((seen.count += nodes.length) > MAX_GRAPH_NODES) throw tooLarge();
  const names = nodeNames(nodes);
  return nodes.flatMap((n, i) => {
    const name = prefix + names[i]!;
    const inner = [...n.attributes.flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])].map((g) => g.nodes)), functionOf(n, functions)?.nodes ?? []];
    const own: [OnnxNode, string][] = functionOf(n, functions) ? [] : [[n, name]];
    return [...own, ...inner.flatMap((ns) => allNodes(ns, functions, `${name}/`, depth + 1, seen))];
  });
}

/** Throws one error listing every unsupported op type with the nodes that use it (subgraphs and functions included). */
function checkSupported(g: OnnxGraph, functions: Functions): void {
  const missing = new Map<string, string[]>();
  for (const [n, name] of allNodes(g.nodes, functions)) {
    if (kindFor(n)) continue;
    const key = DEFAULT_DOMAINS.has(n.domain) ? n.opType : `${n.domain}.${n.opType}`;
    const list = missing.get(key);
    if (list) list.push(name);
    else missing.set(key, [name]);
  }
  if (!missing.size) return;
  const list = [...missing].map(([op, ns]) => `${op} (node${ns.length > 1 ? 's' : ''} ${ns.slice(0, 3).map((s) => `'${s}'`).join(', ')}${ns.length > 3 ? ` and ${ns.length - 3} more` : ''})`);
  throw new AccelmapError('unknown-op', `unsupported ONNX op${missing.size > 1 ? 's' : ''}: ${list.join('; ')}`, {}, 'run `accelmap ops` for the supported op kinds');
}

/** Stable, unique node names: the file's names, or `<OpType>_<index>` for unnamed nodes. */
function nodeNames(nodes: OnnxNode[]): string[] {
  const seen = new Set<string>();
  return nodes.map((n, i) => {
    const base = n.name || `${n.opType}_${i}`;
    let name = base;
    for (let k = 1; seen.has(name); k++) name = `${base}_${k}`;
    seen.add(name);
    return name;
  });
}

/** Nodes in a valid execution order (the file's order when it already is one). */
function topoOrder(g: OnnxGraph, known: Set<string>): number[] {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  // the usual case: every input is defined before the node that reads it
  const defined = new Set(known);
  const inOrder = g.nodes.every((n) => {
    const ok = n.inputs.every((name) => !name || defined.has(name) || !producer.has(name));
    for (const o of n.outputs) defined.add(o);
    return ok;
  });
  if (inOrder) return g.nodes.map((_, i) => i);
  const order: number[] = [];
  const state = new Uint8Array(g.nodes.length); // 0 new, 1 on the stack, 2 placed
  for (let root = 0; root < g.nodes.length; root++) {
    if (state[root]) continue;
    // iterative depth-first search placing producers first
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [i, k] = top;
      const inputs = g.nodes[i]!.inputs;
      if (k < inputs.length) {
        top[1]++;
        const name = inputs[k]!;
        if (!name || known.has(name)) continue;
        const p = producer.get(name);
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1) throw new AccelmapError('bad-input', `the graph has a cycle through tensor '${name}'`);
        state[p] = 1;
        stack.push([p, 0]);
      } else {
        state[i] = 2;
        order.push(i);
        stack.pop();
      }
    }
  }
  return order;
}

function attrValue(a: OnnxAttribute): AttrValue | undefined {
  switch (a.type) {
    case 'float': return a.f ?? 0;
    case 'int': return a.i ?? 0;
    case 'string': return a.s ?? '';
    case 'floats': return a.floats ?? [];
    case 'ints': return a.ints ?? [];
    case 'strings': return a.strings ?? [];
    case 'tensor':
    case 'sparse-tensor': return a.t ? tensorType(a.t) : undefined;
    default: return undefined;
  }
}

function rawAttrs(n: OnnxNode): Attrs {
  const out: Attrs = {};
  for (const a of n.attributes) {
    const v = attrValue(a);
    if (v !== undefined && a.name !== '__proto__') out[a.name] = v;
  }
  return out;
}

function tensorType(t: OnnxTensor): TensorType {
  const out: TensorType = { shape: [...t.dims], dtype: t.dtype! };
  if (t.value) out.value = t.value;
  return out;
}

/** The value of a Constant node (any of its value_* forms). */
function constantValue(n: OnnxNode): TensorType {
  const a = n.attributes.find((x) => x.name.startsWith('value') || x.name === 'sparse_value');
  if (!a) throw new AccelmapError('bad-input', 'Constant has no value attribute');
  switch (a.name) {
    case 'value':
    case 'sparse_value':
      if (!a.t) break;
      return tensorType(a.t);
    case 'value_float': return { shape: [], dtype: 'float32', value: [a.f ?? 0] };
    case 'value_int': return { shape: [], dtype: 'int64', value: [a.i ?? 0] };
    case 'value_floats': return { shape: [a.floats?.length ?? 0], dtype: 'float32', value: a.floats ?? [] };
    case 'value_ints': return { shape: [a.ints?.length ?? 0], dtype: 'int64', value: a.ints ?? [] };
    case 'value_string': return { shape: [], dtype: 'string' };
    case 'value_strings': return { shape: [a.strings?.length ?? 0], dtype: 'string' };
  }
  throw new AccelmapError('bad-input', `Constant attribute ${a.name} holds no value`);
}

function dimText(d: OnnxDim): string {
  return d.value !== undefined && d.value >= 0 ? String(d.value) : (d.param ?? '?');
}

/**
 * Where an external-data side file is: a relative path that stays inside the
 * model's own folder (ONNX's rule), even once symbolic links are followed.
 * An absolute path, a `..` escape or a folder is refused; nothing outside the
 * folder is looked at.
 */
function externalPath(t: OnnxTensor, modelFile: string, where: string): string {
  const location = t.external!.location;
  const folder = dirname(resolve(modelFile));
  const path = resolve(folder, location);
  const inside = (p: string, dir: string) => {
    const rel = relative(dir, p);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  const refuse = (why: string) => new AccelmapError('bad-file', `tensor '${t.name}' keeps its data in '${location}', ${why}`, { path: where }, "external data must be a file in the model's folder or below it, named by a relative path");
  if (isAbsolute(location) || /^[\\/]/.test(location) || !inside(path, folder)) throw refuse("which is outside the model's folder");
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new AccelmapError('io', `tensor '${t.name}' keeps its data in '${location}', which does not exist`, { path: where }, 'keep the external-data file beside the model, under the name the model gives');
  }
  if (!inside(real, realpathSync(folder))) throw refuse("which links outside the model's folder");
  if (!statSync(real).isFile()) throw refuse('which is not a file');
  return real;
}

/** The external-data side file must exist and be long enough (it is not read). */
function checkExternal(t: OnnxTensor, modelFile: string, where: string): void {
  const ext = t.external!;
  const path = externalPath(t, modelFile, where);
  const needed = bytesFor(t.dims.reduce((p, d) => p * d, 1), t.dtype!);
  if (ext.length !== undefined && ext.length !== needed) {
    throw new AccelmapError('bad-file', `tensor '${t.name}' of shape [${t.dims}] (${t.dtype}) needs ${needed} bytes but its external data says ${ext.length}`, { path: where });
  }
  const size = statSync(path).size;
  if (ext.offset + needed > size) {
    throw new AccelmapError('bad-file', `tensor '${t.name}' needs bytes ${ext.offset}–${ext.offset + needed} of '${ext.location}', which has ${size}`, { path: where }, 'the external-data file is truncated or belongs to another model');
  }
}

class Importer {
  readonly graph: Graph;
  private readonly declared = new Map<string, OnnxValueInfo>();
  private readonly bindings = new Map<string, number>();
  /** Initializers and weight placeholders: marked weight or constant once their consumers are known. */
  private readonly stored = new Set<string>();
  private readonly opset: number;
  private readonly functions = new Map<string, OnnxFunction>();
  /** Nodes added so far, folded ones included. */
  private steps = 0;
  /** Stored tensors read as parameters and what is computed from them: never folded into constants. */
  private readonly fromParameters = new Set<string>();
  /** Set when `--batch` replaced the fixed batch the file was exported with. */
  private rebound: { from: number; to: number } | undefined;

  constructor(
    private readonly model: OnnxModel,
    private readonly file: string,
    private readonly o: OnnxImportOptions,
  ) {
    this.opset = model.opsets[''] ?? 1;
    this.upgrades.opset = this.opset;
    const name = basename(file, extname(file)) || model.graph.name || 'model';
    this.graph = { name, mode: 'infer', batch: 1, tensors: Object.create(null) as Record<string, Tensor>, nodes: [], inputs: [], outputs: [] };
    for (const vi of [...model.graph.valueInfo, ...model.graph.outputs]) this.declared.set(vi.name, vi);
    for (const f of model.functions) this.functions.set(functionKey(f.domain, f.name), f);
  }

  run(): Graph {
    const g = this.model.graph;
    const names = nodeNames(g.nodes);
    checkSupported(g, this.functions);
    for (const t of g.initializers) this.addStored(t, `initializer '${t.name}'`);
    this.bindInputs(g);
    const known = new Set(Object.keys(this.graph.tensors));
    for (const i of topoOrder(g, known)) this.addNode(g.nodes[i]!, names[i]!);
    for (const vi of g.outputs) {
      if (!this.graph.tensors[vi.name]) throw new AccelmapError('bad-input', `graph output '${vi.name}' is produced by no node`);
      this.graph.outputs.push(vi.name);
    }
    this.classifyStored();
    return this.graph;
  }

  private define(t: Tensor, where: string): void {
    if (this.graph.tensors[t.name]) throw new AccelmapError('bad-input', `tensor '${t.name}' is defined twice`, { path: where });
    this.graph.tensors[t.name] = t;
  }

  private addStored(t: OnnxTensor, where: string): void {
    if (t.external) checkExternal(t, this.file, where);
    this.define({ name: t.name, kind: 'constant', ...tensorType(t) }, where);
    this.stored.add(t.name);
  }

  /** A fresh tensor name from `base`. */
  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.graph.tensors[name]; k++) name = `${base}~${k}`;
    return name;
  }

  private bindInputs(g: OnnxGraph): void {
    const o = this.o;
    const params = new Set<string>();
    for (const vi of g.inputs) for (const d of vi.shape ?? []) if (d.param) params.add(d.param);
    for (const name of Object.keys(o.dims ?? {})) {
      if (!params.has(name)) {
        throw new AccelmapError('bad-flag', `--dim ${name} names no dimension of the model's inputs`, {}, params.size ? `its named dimensions: ${[...params].join(', ')}` : 'the model has no named dimensions');
      }
    }
    let batchBound = false;
    for (const vi of g.inputs) {
      if (this.graph.tensors[vi.name]) continue; // an initializer listed as an input (IR < 4)
      const given = o.inputs?.[vi.name];
      let type: TensorType;
      if (given) type = given;
      else {
        if (vi.typeKind !== 'tensor') throw new AccelmapError('unsupported', `input '${vi.name}' is a ${vi.typeKind === 'none' ? 'value without a type' : vi.typeKind}; accelmap reads tensor inputs only`);
        if (!vi.dtype) throw new AccelmapError('bad-input', `input '${vi.name}' has no element type`);
        if (!vi.shape) throw new AccelmapError('bad-input', `input '${vi.name}' has no shape`, {}, 'export the model with input shapes');
        type = { shape: vi.shape.map((d, i) => this.bindDim(vi.name, d, i, () => (batchBound = true))), dtype: vi.dtype };
      }
      this.define({ name: vi.name, kind: 'input', ...type }, `input '${vi.name}'`);
      this.graph.inputs.push(vi.name);
    }
    const first = this.graph.inputs.map((n) => this.graph.tensors[n]!).find((t) => t.shape.length >= 2);
    if (o.batch !== undefined && !batchBound && first && first.shape[0] !== o.batch) this.rebindBatch(first.shape[0]!, o.batch);
    this.graph.batch = o.batch ?? first?.shape[0] ?? 1;
  }

  /**
   * `--batch` on a file exported with a fixed batch: the leading dimension of
   * every input that has the exported batch there becomes the new batch, and
   * shapes are inferred anew (Shape → … → Reshape chains follow). The file's
   * own intermediate shapes describe the exported batch and are checked for
   * rank only; a Reshape whose constant shape pins the batch is refused.
   */
  private rebindBatch(from: number, to: number): void {
    for (const name of this.graph.inputs) {
      const t = this.graph.tensors[name]!;
      if (!this.o.inputs?.[name] && t.shape.length >= 1 && t.shape[0] === from) t.shape = [to, ...t.shape.slice(1)];
    }
    this.rebound = { from, to };
  }

  private bindDim(input: string, d: OnnxDim, i: number, usedBatch: () => void): number {
    if (d.value !== undefined && d.value >= 0 && d.param === undefined) return d.value;
    const named = d.param !== undefined ? (this.o.dims?.[d.param] ?? this.bindings.get(d.param)) : undefined;
    let v = named;
    if (v === undefined && i === 0 && this.o.batch !== undefined) {
      v = this.o.batch;
      usedBatch();
    }
    if (v === undefined) {
      const what = d.param ? `('${d.param}')` : '(unnamed)';
      const hint = d.param ? `bind it with --dim ${d.param}=<size>${i === 0 ? ' or --batch <n>' : ''}` : i === 0 ? 'bind it with --batch <n>' : 'export the model with a static size or a named dimension';
      throw new AccelmapError('bad-input', `input '${input}' dimension ${i} ${what} has no size`, {}, hint);
    }
    if (d.param !== undefined) this.bindings.set(d.param, v);
    return v;
  }

  private readonly upgrades: UpgradeContext = {
    opset: 0,
    type: (name) => this.graph.tensors[name],
    constant: (base, value, shape, dtype) => {
      const name = this.fresh(base);
      this.graph.tensors[name] = { name, shape, dtype, kind: 'constant', value };
      return name;
    },
  };

  /** Adds an ONNX node written in `scope` (a subgraph's names are resolved through it). */
  private addNode(n: OnnxNode, name: string, scope: Scope = ROOT_SCOPE): void {
    const where = `node ${name} (${n.opType})`;
    try {
      for (const a of n.attributes) if (a.t?.external) checkExternal(a.t, this.file, where);
      const inputs = n.inputs.map((i) => scope.name(i));
      const missing = inputs.find((i) => i && !this.graph.tensors[i]);
      if (missing) throw undefinedInput(missing, name);
      const outputs = n.outputs.map((o) => scope.name(o));
      if (n.opType === 'Constant') {
        if (outputs[0]) this.define({ name: outputs[0], kind: 'constant', ...constantValue(n) }, where);
        return;
      }
      const fn = functionOf(n, this.functions);
      if (fn) return this.inlineFunction(fn, n, name, scope);
      if (n.opType === 'If') return unrollIf(this.host, n, name, scope);
      if (n.opType === 'Loop') return unrollLoop(this.host, n, name, scope);
      if (n.opType === 'Scan') return unrollScan(this.host, n, name, scope, this.opset);
      const raw: RawNode = { op: n.opType, inputs, outputs, attrs: rawAttrs(n) };
      const steps = upgradeNode(raw, this.upgrades);
      steps.forEach((step, k) => this.addStep(step, k === steps.length - 1 ? name : `${name}/${step.op}`, where));
    } catch (e) {
      throw isAccelmapError(e) && !e.location.path ? e.at({ path: where }) : e;
    }
  }

  /** What control-flow unrolling may do to the graph. */
  private readonly host: InlineHost = {
    tensor: (name) => this.graph.tensors[name],
    constant: (base, value, shape, dtype) => this.upgrades.constant(base, value, shape, dtype),
    fresh: (base) => this.fresh(base),
    step: (op, inputs, outputs, attrs, name) => this.addStep({ op, inputs, outputs, attrs }, name, `node ${name} (${op})`),
    inline: (g, bind, prefix, outer) => this.inline(g, bind, prefix, outer),
    size: () => this.steps,
    maxSize: MAX_GRAPH_NODES,
    minSize: (g) => g.nodes.filter((n) => n.opType !== 'Constant' && !CONTROL_FLOW_OPS.has(n.opType) && registry.has(kindFor(n) ?? '')).length,
  };

  /** Imports a copy of subgraph `g`, its local names prefixed, its formal inputs bound; returns its output tensors. */
  private inline(g: OnnxGraph, bind: Map<string, string>, prefix: string, outer: Scope): string[] {
    const locals = new Map<string, string>();
    for (const t of g.initializers) locals.set(t.name, this.fresh(prefix + t.name));
    for (const n of g.nodes) for (const o of n.outputs) if (o && !locals.has(o) && !bind.has(o)) locals.set(o, this.fresh(prefix + o));
    const scope: Scope = { name: (n) => (n === '' ? '' : (bind.get(n) ?? locals.get(n) ?? outer.name(n))) };
    for (const t of g.initializers) this.addStored({ ...t, name: locals.get(t.name)! }, `initializer '${prefix}${t.name}'`);
    const names = nodeNames(g.nodes);
    for (const i of topoOrder(g, new Set(bind.keys()))) this.addNode(g.nodes[i]!, prefix + names[i]!, scope);
    return g.outputs.map((o) => {
      const actual = scope.name(o.name);
      if (!this.graph.tensors[actual]) throw new AccelmapError('bad-input', `subgraph output '${o.name}' is produced by no node`, { path: prefix.slice(0, -1) });
      return actual;
    });
  }

  /**
   * A call of a model-local function: its body is imported in place, formal
   * inputs and outputs bound to the call's tensors, attributes that refer to
   * the caller's (ref_attr_name) filled from the call or the defaults.
   */
  private inlineFunction(fn: OnnxFunction, call: OnnxNode, name: string, scope: Scope): void {
    const bind = new Map<string, string>();
    fn.inputs.forEach((formal, i) => bind.set(formal, call.inputs[i] ? scope.name(call.inputs[i]!) : ''));
    const targets = fn.outputs.map((_, k) => (call.outputs[k] ? scope.name(call.outputs[k]!) : ''));
    fn.outputs.forEach((formal, k) => targets[k] && !bind.has(formal) && bind.set(formal, targets[k]!));
    const given = (ref: string) => call.attributes.find((a) => a.name === ref) ?? fn.attributeDefaults.find((a) => a.name === ref);
    const nodes = fn.nodes.map((n) => ({
      ...n,
      attributes: n.attributes.flatMap((a) => {
        if (!a.refAttrName) return [a];
        const v = given(a.refAttrName);
        return v ? [{ ...v, name: a.name }] : [];
      }),
    }));
    const body: OnnxGraph = { name: fn.name, nodes, initializers: [], inputs: fn.inputs.map((i) => ({ name: i, typeKind: 'tensor' })), outputs: fn.outputs.map((o) => ({ name: o, typeKind: 'tensor' })), valueInfo: [] };
    const actual = this.inline(body, bind, `${name}/`, scope);
    targets.forEach((t, k) => t && actual[k] !== t && this.host.step('Identity', [actual[k]!], [t], {}, `${name}/out${k}`));
  }

  private addStep(step: RawNode, name: string, where: string): void {
    if (++this.steps > MAX_GRAPH_NODES) throw tooLarge();
    for (const out of step.outputs) if (out && this.graph.tensors[out]) throw new AccelmapError('bad-input', `output '${out}' is already defined`, { path: where });
    let node: Node = { name, op: step.op, inputs: step.inputs, outputs: step.outputs, attrs: registry.get(step.op).attrs(step.attrs), phase: 'forward' };
    if (node.op === 'ConstantOfShape' && this.isStoredValue(node.inputs[0]!)) return this.addPlaceholder(node);
    node = this.asEmbedding(node);
    if (this.rebound) this.checkBatchNotPinned(node);
    try {
      inferNode(this.graph, node);
    } catch (e) {
      if (!this.rebound || !isAccelmapError(e) || e.code !== 'shape') throw e;
      throw new AccelmapError('shape', `${e.message}, once --batch ${this.rebound.to} replaces the batch of ${this.rebound.from} the file was exported with`, e.location, DYNAMIC_AXES_HINT);
    }
    const outs = node.outputs.filter(Boolean).map((o) => this.graph.tensors[o]!);
    for (const t of outs) {
      if (!t.shape.every((d) => d >= 0 && Number.isSafeInteger(d)) || !Number.isSafeInteger(numel(t.shape))) {
        throw new AccelmapError('shape', `${node.op} gives output '${t.name}' an invalid shape [${t.shape}]`, { path: `node ${node.name} (${node.op})` });
      }
      this.checkDeclared(t.name, node);
    }
    const fromParameters = node.inputs.some((name, slot) => name !== '' && (this.stored.has(name) || this.fromParameters.has(name)) && isParameterSlot(node.op, slot, this.graph.tensors[name]!.dtype));
    if (fromParameters) for (const t of outs) this.fromParameters.add(t.name);
    else if (outs.length && outs.every((t) => t.value)) {
      for (const t of outs) t.kind = 'constant';
      return;
    }
    this.graph.nodes.push(node);
  }

  /** A Reshape to a shape stored in the file whose leading size is the exported batch, applied to a tensor that leads with the batch, cannot follow a new batch. */
  private checkBatchNotPinned(node: Node): void {
    if (node.op !== 'Reshape' || !this.isStoredValue(node.inputs[1]!)) return;
    const { from, to } = this.rebound!;
    const shape = this.graph.tensors[node.inputs[1]!]!.value!;
    if (this.graph.tensors[node.inputs[0]!]?.shape[0] === to && shape[0] === from) {
      throw new AccelmapError('unsupported', `its constant shape [${shape.join(',')}] fixes the batch at ${from}, so --batch ${to} cannot replace the batch the file was exported with`, { path: `node ${node.name} (Reshape)` }, DYNAMIC_AXES_HINT);
    }
  }

  /**
   * A ConstantOfShape of a stored shape is how tools that strip weights keep
   * their place: it becomes a stored tensor (a weight or a constant by its
   * use), with its value only when it is small enough to matter for shapes.
   */
  private addPlaceholder(node: Node): void {
    const shape = this.graph.tensors[node.inputs[0]!]!.value!;
    if (!shape.every((d) => d >= 0 && Number.isSafeInteger(d)) || !Number.isSafeInteger(numel(shape))) throw new AccelmapError('shape', `ConstantOfShape shape [${shape}] is invalid`);
    const fill = node.attrs.value as TensorType;
    const t: Tensor = { name: node.outputs[0]!, shape: [...shape], dtype: fill.dtype, kind: 'constant' };
    if (numel(shape) <= STORED_VALUE_ELEMENTS && fill.value) t.value = new Array<number>(numel(shape)).fill(fill.value[0]!);
    this.define(t, `node ${node.name} (ConstantOfShape)`);
    this.checkDeclared(t.name, node);
    this.stored.add(t.name);
  }

  /** Whether a tensor's value comes straight from the file (an initializer or a Constant node). */
  private isStoredValue(name: string): boolean {
    const t = this.graph.tensors[name];
    return !!t && t.kind === 'constant' && t.value !== undefined;
  }

  /** A Gather on axis 0 of a rank-2 float weight table, with indices known only at run time, is an Embedding. */
  private asEmbedding(node: Node): Node {
    if (node.op !== 'Gather' || node.attrs.axis !== 0) return node;
    const table = this.graph.tensors[node.inputs[0]!];
    const idx = this.graph.tensors[node.inputs[1]!];
    if (!table || !idx || idx.value || !this.stored.has(table.name) || table.shape.length !== 2 || !isFloat(table.dtype)) return node;
    return { ...node, op: 'Embedding', inputs: [node.inputs[1]!, node.inputs[0]!], attrs: registry.get('Embedding').attrs({}) };
  }

  /** The file's own value_info (or graph output type) must agree with the inferred shape. */
  private checkDeclared(name: string, node: Node): void {
    const vi = this.declared.get(name);
    const t = this.graph.tensors[name]!;
    if (!vi?.shape || vi.typeKind !== 'tensor') return;
    const agrees = vi.shape.length === t.shape.length && (this.rebound !== undefined || vi.shape.every((d, i) => {
      const want = d.value !== undefined && d.value >= 0 && d.param === undefined ? d.value : d.param !== undefined ? this.bindings.get(d.param) : undefined;
      return want === undefined || want === t.shape[i];
    }));
    if (!agrees) {
      throw new AccelmapError('shape', `output '${name}' is declared [${vi.shape.map(dimText).join(',')}] in the file, but ${node.op} gives [${t.shape.join(',')}]`, { path: `node ${node.name} (${node.op})` }, 'the file contradicts itself; re-export it or check it with onnx.shape_inference');
    }
  }

  /** Stored tensors feeding a parameter slot of a remaining node (or feeding nothing, when float) are weights. */
  private classifyStored(): void {
    const consumers = new Map<string, { op: string; slot: number }[]>();
    for (const n of this.graph.nodes) {
      n.inputs.forEach((name, slot) => {
        if (!this.stored.has(name)) return;
        const uses = consumers.get(name);
        if (uses) uses.push({ op: n.op, slot });
        else consumers.set(name, [{ op: n.op, slot }]);
      });
    }
    const read = new Set(this.model.graph.nodes.flatMap((n) => n.inputs));
    for (const name of this.stored) {
      const t = this.graph.tensors[name]!;
      const uses = consumers.get(name);
      const weight = uses ? uses.some((u) => isParameterSlot(u.op, u.slot, t.dtype)) : isFloat(t.dtype) && !read.has(name);
      t.kind = weight ? 'weight' : 'constant';
    }
  }
}

const DYNAMIC_AXES_HINT = "export the model with a dynamic batch (PyTorch: torch.onnx.export(..., dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}))";

/** A decoded model → Graph; errors name `file` (external-data paths are relative to it). */
export function importModel(model: OnnxModel, file: string, o: OnnxImportOptions = {}): Graph {
  try {
    return new Importer(model, file, o).run();
  } catch (e) {
    throw isAccelmapError(e) && !e.location.file ? e.at({ file }) : e;
  }
}
