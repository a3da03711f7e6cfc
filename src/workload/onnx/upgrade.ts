import { AccelmapError } from '../../util/errors.js';
import type { DType } from '../dtype.js';
import type { Attrs, TensorType } from '../graph.js';
import { dtypeOfCode } from './proto.js';

/**
 * Older ONNX opsets wrote some operands as attributes that later became
 * inputs (Slice, Split, Pad, Squeeze/Unsqueeze, Clip, TopK, Reduce* axes,
 * Reshape's shape), renamed ops (Upsample → Resize, Scatter →
 * ScatterElements) and broadcast along an explicit axis. accelmap's op kinds
 * take the newest form; `upgradeNode` rewrites a node of an older opset into
 * it, so one shape rule serves every opset.
 */
export interface RawNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

export interface UpgradeContext {
  /** Version of the default ONNX opset the model imports. */
  opset: number;
  /** Type of a tensor defined so far. */
  type(name: string): TensorType | undefined;
  /** Adds a constant tensor and returns its name. */
  constant(base: string, value: number[], shape: number[], dtype: DType): string;
}

/** ONNX op types accelmap reads under another kind's name. */
export const RENAMED_OPS: Readonly<Record<string, string>> = { Upsample: 'Resize', Scatter: 'ScatterElements' };

const REDUCE_OPS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];
/** Ops that took numpy-incompatible `broadcast`/`axis` attributes before opset 7. */
const LEGACY_BROADCAST = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less', 'PRelu'];

/** Element-type names of the string form of Cast's `to` (opset 1). */
const DTYPE_NAMES: Record<string, DType> = {
  FLOAT: 'float32', UINT8: 'uint8', INT8: 'int8', UINT16: 'uint16', INT16: 'int16', INT32: 'int32', INT64: 'int64', STRING: 'string', BOOL: 'bool',
  FLOAT16: 'float16', DOUBLE: 'float64', UINT32: 'uint32', UINT64: 'uint64', COMPLEX64: 'complex64', COMPLEX128: 'complex128', BFLOAT16: 'bfloat16',
};

/** An element-type attribute (an ONNX data-type code, or a name in opset 1) as an accelmap element-type name. */
function dtypeAttr(v: Attrs[string], name: string): string {
  const d = typeof v === 'number' ? dtypeOfCode(v) : typeof v === 'string' ? (DTYPE_NAMES[v.toUpperCase()] ?? v) : undefined;
  if (!d) throw new AccelmapError('bad-input', `attribute ${name} ${JSON.stringify(v)} is not an ONNX element type`);
  return d;
}

/** Moves attribute `name` (a list of integers) to input slot `slot` as an int64 constant. */
function attrToInput(n: RawNode, ctx: UpgradeContext, name: string, slot: number, dtype: DType = 'int64'): void {
  const v = n.attrs[name];
  delete n.attrs[name];
  while (n.inputs.length < slot) n.inputs.push('');
  if (v === undefined || v === null) return;
  const list = Array.isArray(v) ? (v as number[]) : [v as number];
  n.inputs[slot] = ctx.constant(`${n.outputs[0] ?? n.op}_${name}`, list, [list.length], dtype);
}

/** Scalar constant of the first input's element type. */
function scalarInput(n: RawNode, ctx: UpgradeContext, name: string, slot: number, dflt?: number): void {
  const v = n.attrs[name];
  delete n.attrs[name];
  while (n.inputs.length < slot) n.inputs.push('');
  const value = typeof v === 'number' ? v : dflt;
  if (value === undefined) return;
  const dtype = ctx.type(n.inputs[0]!)?.dtype ?? 'float32';
  n.inputs[slot] = ctx.constant(`${n.outputs[0] ?? n.op}_${name}`, [value], [], dtype);
}

/** Rewrites one node of opset `ctx.opset` into the newest form; may add constants and (for legacy broadcasting) a Reshape before it. */
export function upgradeNode(node: RawNode, ctx: UpgradeContext): RawNode[] {
  const n: RawNode = { op: RENAMED_OPS[node.op] ?? node.op, inputs: [...node.inputs], outputs: [...node.outputs], attrs: { ...node.attrs } };
  const v = ctx.opset;
  const before: RawNode[] = [];
  switch (node.op) {
    case 'Reshape':
      if (v < 5) attrToInput(n, ctx, 'shape', 1);
      break;
    case 'Slice':
      if (v < 10) {
        const rank = ctx.type(n.inputs[0]!)?.shape.length ?? 0;
        if (n.attrs.axes === undefined) n.attrs.axes = Array.from({ length: (n.attrs.starts as number[] | undefined)?.length ?? rank }, (_, i) => i);
        attrToInput(n, ctx, 'starts', 1);
        attrToInput(n, ctx, 'ends', 2);
        attrToInput(n, ctx, 'axes', 3);
      }
      break;
    case 'Split':
      if (v < 13 && n.attrs.split !== undefined) attrToInput(n, ctx, 'split', 1);
      n.attrs.num_outputs ??= n.outputs.length;
      if (n.attrs.num_outputs !== n.outputs.length) throw new AccelmapError('bad-input', `Split has num_outputs ${String(n.attrs.num_outputs)} but ${n.outputs.length} output${n.outputs.length === 1 ? '' : 's'}`, {}, 'num_outputs must equal the number of outputs the node names');
      break;
    case 'Pad':
      if (v < 11) {
        if (n.attrs.paddings !== undefined) n.attrs.pads = n.attrs.paddings;
        delete n.attrs.paddings;
        attrToInput(n, ctx, 'pads', 1);
        scalarInput(n, ctx, 'value', 2);
      }
      break;
    case 'Squeeze':
    case 'Unsqueeze':
      if (v < 13) attrToInput(n, ctx, 'axes', 1);
      break;
    case 'Clip':
      if (v < 11) {
        scalarInput(n, ctx, 'min', 1);
        scalarInput(n, ctx, 'max', 2);
      }
      break;
    case 'TopK':
      if (v < 10) attrToInput(n, ctx, 'k', 1);
      break;
    case 'Upsample':
      // Upsample-7 had `scales` as an attribute, Upsample-9 as input 1; Resize takes (X, roi, scales)
      if (n.attrs.scales !== undefined) {
        const scales = n.attrs.scales as number[];
        delete n.attrs.scales;
        n.inputs = [n.inputs[0]!, '', ctx.constant(`${n.outputs[0]}_scales`, scales, [scales.length], 'float32')];
      } else n.inputs = [n.inputs[0]!, '', n.inputs[1] ?? ''];
      if (n.attrs.mode === 'bilinear') n.attrs.mode = 'linear';
      break;
    case 'Resize':
      if (v < 11) n.inputs = [n.inputs[0]!, '', n.inputs[1] ?? ''];
      break;
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax':
      if (v < 13) n.attrs.axis ??= 1;
      break;
    case 'Concat':
      if (v < 4) n.attrs.axis ??= 1;
      break;
    case 'Cast':
    case 'BitCast':
      n.attrs.to = dtypeAttr(n.attrs.to ?? null, 'to');
      break;
    case 'DFT':
      if (v < 20) {
        n.attrs.axis ??= 1;
        attrToInput(n, ctx, 'axis', 2);
      }
      break;
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'RandomNormal':
    case 'RandomUniform':
    case 'Bernoulli':
      if (n.attrs.dtype !== undefined) n.attrs.dtype = dtypeAttr(n.attrs.dtype, 'dtype');
      break;
    case 'QuantizeLinear':
      if (n.attrs.output_dtype !== undefined && n.attrs.output_dtype !== 0) n.attrs.output_dtype = dtypeAttr(n.attrs.output_dtype, 'output_dtype');
      else delete n.attrs.output_dtype;
      break;
    case 'BatchNormalization':
      // before opset 14 a BatchNormalization with more than one output ran in training mode
      if (v < 14 && n.outputs.length > 1) n.attrs.training_mode = 1;
      break;
    case 'PRelu':
      // before opset 7 a slope of C values applied per channel (axis 1)
      if (v < 7 && ctx.type(n.inputs[1]!)?.shape.length === 1 && (ctx.type(n.inputs[0]!)?.shape.length ?? 0) > 2) before.push(...alignAt(n, ctx, 1));
      break;
    default:
      if (REDUCE_OPS.includes(node.op) && (v < (node.op === 'ReduceSum' ? 13 : 18))) attrToInput(n, ctx, 'axes', 1);
      if (LEGACY_BROADCAST.includes(node.op) && v < 7 && n.attrs.broadcast) {
        const axis = n.attrs.axis;
        delete n.attrs.broadcast;
        delete n.attrs.axis;
        if (typeof axis === 'number') before.push(...alignAt(n, ctx, axis));
      }
  }
  return [...before, n];
}

/**
 * Before opset 7, `broadcast: 1, axis: k` aligned B's dimensions with A's
 * starting at axis k; numpy broadcasting aligns trailing dimensions. Reshaping
 * B to [1]·k + B.shape + [1]·(rank A − k − rank B) gives the same result.
 */
function alignAt(n: RawNode, ctx: UpgradeContext, axis: number): RawNode[] {
  const a = ctx.type(n.inputs[0]!);
  const b = ctx.type(n.inputs[1]!);
  if (!a || !b) return [];
  const k = axis < 0 ? axis + a.shape.length : axis;
  const trailing = a.shape.length - k - b.shape.length;
  if (k < 0 || trailing < 0) throw new AccelmapError('shape', `broadcast axis ${axis} does not fit B [${b.shape}] into A [${a.shape}]`);
  if (trailing === 0) return [];
  const target = [...new Array<number>(k).fill(1), ...b.shape, ...new Array<number>(trailing).fill(1)];
  const reshaped = `${n.inputs[1]}_aligned_${n.outputs[0]}`;
  const reshape: RawNode = { op: 'Reshape', inputs: [n.inputs[1]!, ctx.constant(`${reshaped}_shape`, target, [target.length], 'int64')], outputs: [reshaped], attrs: {} };
  n.inputs[1] = reshaped;
  return [reshape];
}
