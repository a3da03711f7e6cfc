import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphTotals, nodeCounts } from '../../src/workload/counts.js';
import { numel, paramCount, type Graph } from '../../src/workload/graph.js';
import { loadGraph } from '../../src/workload/load.js';
import { readModelFile } from '../../src/workload/onnx/proto.js';
import { hasShared, sharedDir } from '../../src/util/shared.js';

/**
 * Real PyTorch exports with figures computed independently by the ONNX
 * tooling (`<name>.expected.json`). `param_count` counts every initializer
 * element (gpt_mini's includes a boolean attention mask, a buffer);
 * `param_count_float_initializers` counts the float ones, which are the
 * trained parameters accelmap marks as weights. Constant nodes are listed
 * as nodes there; accelmap keeps their outputs as constant tensors.
 */
interface Expected {
  param_count: number;
  param_count_float_initializers: number;
  constant_node_numel: number;
  macs: number;
  macs_by_op: Record<string, number>;
  outputs: { name: string; shape: number[] }[];
  nodes: { name: string; op_type: string; outputs: { name: string; shape: number[] }[]; macs?: number }[];
}

const present = hasShared('the exported models and the ONNX model zoo classics', 'models');

describe.skipIf(!present).each(['squeezenet1_1', 'mobilenet_v2', 'gpt_mini'])('%s', (name) => {
  const file = sharedDir('models', `${name}.onnx`);
  let expected: Expected, g: Graph;
  beforeAll(() => {
    expected = JSON.parse(readFileSync(sharedDir('models', `${name}.expected.json`), 'utf8')) as Expected;
    g = loadGraph(file);
  });

  it('has the expected parameter counts', () => {
    expect(paramCount(g)).toBe(expected.param_count_float_initializers);
    const stored = readModelFile(file).graph.initializers.reduce((s, t) => s + numel(t.dims), 0);
    expect(stored).toBe(expected.param_count);
    const constantNodes = expected.nodes.filter((n) => n.op_type === 'Constant').flatMap((n) => n.outputs);
    expect(constantNodes.reduce((s, o) => s + numel(g.tensors[o.name]!.shape), 0)).toBe(expected.constant_node_numel);
  });

  it('infers every node output shape', () => {
    const wrong = expected.nodes.flatMap((n) => n.outputs.filter((o) => g.tensors[o.name]?.shape.join(',') !== o.shape.join(',') || g.tensors[o.name]!.shape.length !== o.shape.length).map((o) => `${n.name} ${o.name}`));
    expect(wrong).toEqual([]);
    expect(g.outputs.map((o) => g.tensors[o]!.shape)).toEqual(expected.outputs.map((o) => o.shape));
  });

  it('counts the MACs of every Conv, Gemm and MatMul', () => {
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    const macNodes = expected.nodes.filter((n) => n.macs !== undefined);
    expect(macNodes.length).toBeGreaterThan(0);
    for (const n of macNodes) expect({ node: n.name, macs: nodeCounts(g, byName.get(n.name)!).macs }).toEqual({ node: n.name, macs: n.macs });
    expect(graphTotals(g).macs).toBe(expected.macs);
    expect(Object.values(expected.macs_by_op).reduce((s, v) => s + v, 0)).toBe(expected.macs);
  });
});

/**
 * The ONNX model zoo's classic networks (weights replaced by ConstantOfShape
 * placeholders in light/): parameter counts from the original model cards
 * (torchvision / Caffe), which must come out exactly — plus any float
 * initializer the file stores but no node reads (resnet50 keeps one unused
 * 1×1 blob) — and MACs where REFERENCES.md or the model cards give them.
 */
describe.skipIf(!present)('ONNX zoo classics (light/)', () => {
  const published: [string, number, number | undefined][] = [
    ['light_bvlc_alexnet', 60965224, undefined],
    ['light_vgg19', 143667240, 19.6e9],
    ['light_resnet50', 25557032, 4.09e9],
    // the Caffe2 conversion stores every BatchNorm's affine twice: SpatialBN's scale and bias, and the
    // γ and β (bn_w, bn_b) of the Caffe Scale layer after it, applied by Mul and Add; both are trained
    // float operands, so the file holds the published count plus the BatchNorm affine again: 2 × 41,824
    // BatchNorm channels (norm0 64, the dense layers' norm1 and norm2, transitions, norm5 1,024) = 83,648
    ['light_densenet121', 7978856 + 83648, undefined],
    ['light_squeezenet', 1235496, undefined],
  ];
  it.each(published)('%s has %i parameters', (name, params, macs) => {
    const file = sharedDir('onnx-tests', 'light', `${name}.onnx`);
    const m = readModelFile(file);
    const read = new Set(m.graph.nodes.flatMap((n) => n.inputs));
    const unused = m.graph.initializers.filter((t) => !read.has(t.name) && t.dtype === 'float32').reduce((s, t) => s + numel(t.dims), 0);
    const g = loadGraph(file);
    expect(paramCount(g)).toBe(params + unused);
    if (macs) expect(Math.abs(graphTotals(g).macs / macs - 1)).toBeLessThan(0.01);
  });
});
