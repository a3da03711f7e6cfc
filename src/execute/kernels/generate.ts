import type { TensorType } from '../../workload/graph.js';
import { defineKernel, input, type Kernel } from '../kernel.js';
import { alloc } from '../value.js';

/** Tensors made from shapes: ConstantOfShape, Range, Shape, Size (shapes are static, so these mostly fold before running). */
const ConstantOfShape = defineKernel('ConstantOfShape', ({ attrs, outputs }) => {
  const out = alloc(outputs[0]!.shape, outputs[0]!.dtype);
  out.data.fill((attrs.value as TensorType).value?.[0] ?? 0);
  return [out];
});

const Range = defineKernel('Range', (call) => {
  const start = input(call, 0).data[0]!, delta = input(call, 2).data[0]!;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  for (let i = 0; i < out.data.length; i++) out.data[i] = start + i * delta;
  return [out];
});

const Shape = defineKernel('Shape', (call) => {
  const x = input(call, 0);
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const dims = x.shape.slice(clamp(call.attrs.start as number), clamp(call.attrs.end as number));
  const out = alloc([dims.length], 'int64');
  out.data.set(dims);
  return [out];
});

const Size = defineKernel('Size', (call) => {
  const out = alloc([], 'int64');
  out.data[0] = input(call, 0).data.length;
  return [out];
});

export const GENERATE_KERNELS: Kernel[] = [ConstantOfShape, Range, Shape, Size];
