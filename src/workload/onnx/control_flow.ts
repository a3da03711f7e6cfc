import { AccelmapError } from '../../util/errors.js';
import type { DType } from '../dtype.js';
import type { Attrs, Tensor } from '../graph.js';
import type { OnnxAttribute, OnnxGraph, OnnxNode } from './proto.js';

/**
 * If, Loop and Scan run subgraphs. accelmap needs one static graph, so they
 * are unrolled at import: If takes the branch its (constant) condition
 * selects; Loop repeats its body for a trip count and condition known at
 * import; Scan repeats its body once per element of the scanned axis. Each
 * copy of a subgraph is imported with its names prefixed by the node's name
 * and the iteration; scan outputs are stacked with Unsqueeze and Concat.
 * Control flow that depends on run-time values is a clear error.
 */
export const CONTROL_FLOW_OPS: ReadonlySet<string> = new Set(['If', 'Loop', 'Scan']);

/** Most iterations unrolled for one Loop or Scan. */
export const MAX_UNROLLED_ITERATIONS = 4096;

/** Maps a tensor name as written in the graph being imported to its name in the accelmap graph. */
export interface Scope {
  name(local: string): string;
}

export const ROOT_SCOPE: Scope = { name: (n) => n };

export interface InlineHost {
  tensor(name: string): Tensor | undefined;
  /** A new constant tensor; returns its name. */
  constant(base: string, value: number[], shape: number[], dtype: DType): string;
  /** A fresh tensor name from `base`. */
  fresh(base: string): string;
  /** Adds one accelmap op whose tensor names are already resolved. */
  step(op: string, inputs: string[], outputs: string[], attrs: Attrs, name: string): void;
  /** Imports a subgraph with its formal inputs bound; returns the names of its outputs. */
  inline(g: OnnxGraph, bind: Map<string, string>, prefix: string, outer: Scope): string[];
  /** Nodes added to the graph so far. */
  size(): number;
  /** Most nodes the graph may grow to. */
  readonly maxSize: number;
  /** Fewest nodes one import of `g` adds (its nodes of a known op kind). */
  minSize(g: OnnxGraph): number;
}

/**
 * Unrolling work is bounded before it is done: before the first iteration by
 * the body's own nodes × the iterations (a lower bound), after each by what
 * the iterations so far added × those left. A nest of loops is refused after
 * one pass through its inner loops, not once the graph has grown to the cap.
 */
function checkUnrolling(host: InlineHost, op: string, body: OnnxGraph, done: number, total: number, sizeBefore: number): void {
  if (!Number.isFinite(total)) return;
  const perIteration = done === 0 ? host.minSize(body) : (host.size() - sizeBefore) / done;
  const estimate = host.size() + perIteration * (total - done);
  if (estimate > host.maxSize) {
    throw new AccelmapError('unsupported', `${op} runs ${total} iterations of about ${Math.ceil(perIteration)} nodes each, more than the ${host.maxSize} nodes accelmap unrolls in all`, {}, 'export the model with fewer iterations or a smaller loop body');
  }
}

function runTimeValue(op: string, what: string): AccelmapError {
  return new AccelmapError('unsupported', `${op} depends on ${what}, known only at run time`, {}, 'accelmap unrolls control flow only when its conditions and trip counts are constants');
}

function graphAttr(n: OnnxNode, name: string): OnnxGraph {
  const g = n.attributes.find((a) => a.name === name)?.g;
  if (!g) throw new AccelmapError('bad-input', `${n.opType} has no ${name} subgraph`);
  return g;
}

function intsOf(n: OnnxNode, name: string): number[] {
  return n.attributes.find((a: OnnxAttribute) => a.name === name)?.ints ?? [];
}

/** Gives `actual`'s value the node output name `target` (an Identity, a view). */
function alias(host: InlineHost, actual: string, target: string, name: string): void {
  if (target) host.step('Identity', [actual], [target], {}, name);
}

/** Stacks per-iteration tensors along a new axis into `target`. */
function stack(host: InlineHost, parts: string[], axis: number, target: string, name: string): void {
  if (!parts.length) throw new AccelmapError('unsupported', 'runs no iterations, so its stacked outputs have no known element shape');
  const rank = host.tensor(parts[0]!)!.shape.length + 1;
  const ax = axis < 0 ? axis + rank : axis;
  const axes = host.constant(`${name}/axes`, [ax], [1], 'int64');
  const lifted = parts.map((p, i) => {
    const out = host.fresh(`${name}/${i}`);
    host.step('Unsqueeze', [p, axes], [out], {}, `${name}/unsqueeze${i}`);
    return out;
  });
  if (lifted.length === 1) alias(host, lifted[0]!, target, `${name}/out`);
  else host.step('Concat', lifted, [target], { axis: ax }, `${name}/concat`);
}

function scalarValue(host: InlineHost, tensor: string): number | undefined {
  return tensor ? host.tensor(tensor)?.value?.[0] : undefined;
}

export function unrollIf(host: InlineHost, n: OnnxNode, name: string, scope: Scope): void {
  const cond = scalarValue(host, scope.name(n.inputs[0] ?? ''));
  if (cond === undefined) throw runTimeValue('If', 'its condition');
  const branch = graphAttr(n, cond ? 'then_branch' : 'else_branch');
  const outs = host.inline(branch, new Map(), `${name}/${cond ? 'then' : 'else'}/`, scope);
  n.outputs.forEach((o, k) => alias(host, outs[k]!, scope.name(o), `${name}/out${k}`));
}

export function unrollLoop(host: InlineHost, n: OnnxNode, name: string, scope: Scope): void {
  const body = graphAttr(n, 'body');
  const [tripName = '', condName = '', ...initial] = n.inputs.map((i) => scope.name(i));
  const trips = tripName ? scalarValue(host, tripName) : Infinity;
  let cond = condName ? scalarValue(host, condName) : 1;
  if (trips === undefined) throw runTimeValue('Loop', 'its trip count');
  if (cond === undefined) throw runTimeValue('Loop', 'its condition');
  const carried = initial.length;
  let state = initial;
  const scans: string[][] = body.outputs.slice(1 + carried).map(() => []);
  let i = 0;
  const sizeBefore = host.size();
  for (; i < trips && cond; i++) {
    if (i >= MAX_UNROLLED_ITERATIONS) throw new AccelmapError('unsupported', `Loop runs more than ${MAX_UNROLLED_ITERATIONS} iterations`, {}, 'accelmap unrolls loops; export the model with fewer iterations');
    checkUnrolling(host, 'Loop', body, i, trips, sizeBefore);
    const bind = new Map<string, string>();
    const formal = body.inputs.map((vi) => vi.name);
    if (formal[0]) bind.set(formal[0], host.constant(`${name}/iter${i}/i`, [i], [], 'int64'));
    if (formal[1]) bind.set(formal[1], host.constant(`${name}/iter${i}/cond`, [1], [], 'bool'));
    state.forEach((s, j) => formal[2 + j] && bind.set(formal[2 + j]!, s));
    const outs = host.inline(body, bind, `${name}/iter${i}/`, scope);
    cond = scalarValue(host, outs[0]!);
    if (cond === undefined) throw runTimeValue('Loop', 'a condition its body computes');
    state = outs.slice(1, 1 + carried);
    outs.slice(1 + carried).forEach((s, k) => scans[k]!.push(s));
  }
  if (!Number.isFinite(trips) && cond) throw runTimeValue('Loop', 'a condition that never becomes false');
  n.outputs.forEach((o, k) => {
    if (k < carried) alias(host, state[k]!, scope.name(o), `${name}/out${k}`);
    else stack(host, scans[k - carried]!, 0, scope.name(o), `${name}/scan${k - carried}`);
  });
}

interface Scanned {
  t: string;
  axis: number;
  reverse: boolean;
}

/** Runs a Scan body over every position of the scanned axes; returns the final states and each scan output's per-step parts (in output order). */
function scanSteps(host: InlineHost, body: OnnxGraph, initial: string[], scanned: Scanned[], outDirs: number[], prefix: string, scope: Scope): { state: string[]; scans: string[][] } {
  const length = host.tensor(scanned[0]!.t)!.shape[scanned[0]!.axis]!;
  if (scanned.some((s) => host.tensor(s.t)!.shape[s.axis] !== length)) throw new AccelmapError('shape', 'Scan inputs differ in sequence length');
  if (length > MAX_UNROLLED_ITERATIONS) throw new AccelmapError('unsupported', `Scan runs ${length} iterations, more than the ${MAX_UNROLLED_ITERATIONS} accelmap unrolls`);
  const carried = initial.length;
  let state = initial;
  const scans: string[][] = body.outputs.slice(carried).map(() => []);
  const formal = body.inputs.map((vi) => vi.name);
  const sizeBefore = host.size();
  for (let t = 0; t < length; t++) {
    checkUnrolling(host, 'Scan', body, t, length, sizeBefore);
    const bind = new Map<string, string>();
    state.forEach((s, j) => bind.set(formal[j]!, s));
    scanned.forEach((s, j) => bind.set(formal[carried + j]!, take(host, s.t, s.axis, s.reverse ? length - 1 - t : t, `${prefix}iter${t}/in${j}`)));
    const outs = host.inline(body, bind, `${prefix}iter${t}/`, scope);
    state = outs.slice(0, carried);
    outs.slice(carried).forEach((s, k) => scans[k]!.push(s));
  }
  return { state, scans: scans.map((parts, k) => (outDirs[k] === 1 ? [...parts].reverse() : parts)) };
}

/** The slice of `t` at `index` along `axis`, the axis removed (a Gather with a scalar index). */
function take(host: InlineHost, t: string, axis: number, index: number, name: string): string {
  const out = host.fresh(name);
  host.step('Gather', [t, host.constant(`${name}/index`, [index], [], 'int64')], [out], { axis }, name);
  return out;
}

/**
 * Scan (opset ≥ 9) unrolls over its scan inputs' axes. Scan-8 carried a
 * batch axis first on every input and output (and optional sequence
 * lengths, which must be absent): its body runs per batch entry.
 */
export function unrollScan(host: InlineHost, n: OnnxNode, name: string, scope: Scope, opset: number): void {
  const body = graphAttr(n, 'body');
  const m = n.attributes.find((a) => a.name === 'num_scan_inputs')?.i ?? 0;
  const batched = opset < 9;
  if (batched && n.inputs[0]) throw new AccelmapError('unsupported', 'Scan-8 with sequence_lens is not supported', {}, 're-export the model with opset 9 or later');
  const inputs = n.inputs.slice(batched ? 1 : 0).map((i) => scope.name(i));
  const carried = inputs.length - m;
  if (m < 1 || carried < 0) throw new AccelmapError('bad-input', `Scan has ${inputs.length} inputs for ${m} scan inputs`);
  const inAxes = intsOf(n, 'scan_input_axes');
  const inDirs = intsOf(n, batched ? 'directions' : 'scan_input_directions');
  const outAxes = intsOf(n, 'scan_output_axes');
  const outDirs = intsOf(n, 'scan_output_directions');
  const scannedOf = (ts: string[]): Scanned[] =>
    ts.map((t, j) => {
      const rank = host.tensor(t)!.shape.length;
      const axis = inAxes[j] ?? 0;
      return { t, axis: axis < 0 ? axis + rank : axis, reverse: inDirs[j] === 1 };
    });
  const outputs = n.outputs.map((o) => scope.name(o));
  const emit = (state: string[], scans: string[][], targets: string[], prefix: string) =>
    targets.forEach((o, k) => (k < carried ? alias(host, state[k]!, o, `${prefix}out${k}`) : stack(host, scans[k - carried]!, outAxes[k - carried] ?? 0, o, `${prefix}scan${k - carried}`)));
  if (!batched) {
    const r = scanSteps(host, body, inputs.slice(0, carried), scannedOf(inputs.slice(carried)), outDirs, `${name}/`, scope);
    return emit(r.state, r.scans, outputs, `${name}/`);
  }
  const batch = host.tensor(inputs[0]!)!.shape[0]!;
  const perBatch: string[][] = outputs.map(() => []);
  const sizeBefore = host.size();
  for (let b = 0; b < batch; b++) {
    checkUnrolling(host, 'Scan', body, b, batch, sizeBefore);
    const prefix = `${name}/batch${b}/`;
    const own = inputs.map((t, j) => take(host, t, 0, b, `${prefix}in${j}`));
    const r = scanSteps(host, body, own.slice(0, carried), scannedOf(own.slice(carried)), outDirs, prefix, scope);
    const targets = outputs.map((_, k) => host.fresh(`${prefix}result${k}`));
    emit(r.state, r.scans, targets, prefix);
    targets.forEach((t, k) => perBatch[k]!.push(t));
  }
  outputs.forEach((o, k) => stack(host, perBatch[k]!, 0, o, `${name}/batched${k}`));
}
