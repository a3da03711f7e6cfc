import type { DType } from '../../src/workload/dtype.js';
import type { OnnxAttribute, OnnxDim, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from '../../src/workload/onnx/proto.js';
import { dtypeCode } from '../../src/workload/onnx/write.js';

/** Small builders for hand-written ONNX models in tests. */
export function tensor(name: string, dims: number[], dtype: DType = 'float32', value?: number[]): OnnxTensor {
  const t: OnnxTensor = { name, dims, dataType: dtypeCode(dtype), dtype };
  if (value) t.value = value;
  return t;
}

/** A tensor value's declared type; without `shape` its rank is unknown. */
export function valueInfo(name: string, dtype: DType, shape?: (number | string)[]): OnnxValueInfo {
  const vi: OnnxValueInfo = { name, dtype, typeKind: 'tensor' };
  if (shape) vi.shape = shape.map((d): OnnxDim => (typeof d === 'number' ? { value: d } : { param: d }));
  return vi;
}

type AttrInput = number | string | number[] | string[] | OnnxTensor | OnnxGraph;

export function attr(name: string, v: AttrInput, float = false): OnnxAttribute {
  if (typeof v === 'number') return float || !Number.isInteger(v) ? { name, type: 'float', f: v } : { name, type: 'int', i: v };
  if (typeof v === 'string') return { name, type: 'string', s: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: 'strings', strings: v as string[] };
    return float || !(v as number[]).every(Number.isInteger) ? { name, type: 'floats', floats: v as number[] } : { name, type: 'ints', ints: v as number[] };
  }
  if ('nodes' in v) return { name, type: 'graph', g: v };
  return { name, type: 'tensor', t: v };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrInput> = {}, name = ''): OnnxNode {
  return { name, opType, domain: '', inputs, outputs, attributes: Object.entries(attrs).map(([k, v]) => attr(k, v)) };
}

export function graph(parts: Partial<OnnxGraph>): OnnxGraph {
  return { name: 'g', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], ...parts };
}

export function model(g: Partial<OnnxGraph>, opset = 18, irVersion = 8): OnnxModel {
  return { irVersion, opsets: { '': opset }, producer: 'accelmap-test', graph: graph(g), functions: [] };
}
