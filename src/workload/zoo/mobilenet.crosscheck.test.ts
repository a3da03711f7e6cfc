import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedDir } from '../../util/shared.js';
import { nodeCounts } from '../counts.js';
import { paramCount } from '../graph.js';
import { buildZooModel } from './index.js';

/**
 * Cross-check against an independent source: torchvision's MobileNetV2 as
 * exported by PyTorch's ONNX exporter (batch norm folded into the
 * convolutions), with every node's output shape from ONNX shape inference
 * and the MACs of each Conv and Gemm computed by the ONNX tooling
 * (../shared/models/mobilenet_v2.expected.json).
 */
interface ExpectedNode {
  op_type: string;
  outputs: { shape: number[] }[];
  macs?: number;
}

const present = hasShared('the mobilenet_v2 cross-check', 'models', 'mobilenet_v2.expected.json');
const expected = (present ? JSON.parse(readFileSync(sharedDir('models', 'mobilenet_v2.expected.json'), 'utf8')) : {}) as {
  torch_param_count: number;
  macs: number;
  op_histogram: Record<string, number>;
  nodes: ExpectedNode[];
};

describe.skipIf(!present)('mobilenet_v2 against the exported model', () => {
  const g = buildZooModel('mobilenet_v2');
  const compute = (ops: string[]) => g.nodes.filter((n) => ops.includes(n.op));

  it('has the same convolutions and classifier, in order, with the same output shapes and MACs', () => {
    const theirs = expected.nodes.filter((n) => n.op_type === 'Conv' || n.op_type === 'Gemm').map((n) => ({ op: n.op_type, shape: n.outputs[0]!.shape, macs: n.macs }));
    const ours = compute(['Conv', 'Gemm']).map((n) => ({ op: n.op, shape: g.tensors[n.outputs[0]!]!.shape, macs: nodeCounts(g, n).macs }));
    expect(ours).toEqual(theirs);
  });

  it('has as many ReLU6 clips and residual adds', () => {
    expect(compute(['Clip']).length).toBe(expected.op_histogram.Clip);
    expect(compute(['Add']).length).toBe(expected.op_histogram.Add);
  });

  it('matches the parameter count PyTorch reports and the total MACs', () => {
    expect(paramCount(g)).toBe(expected.torch_param_count);
    expect(compute(['Conv', 'Gemm']).reduce((s, n) => s + nodeCounts(g, n).macs, 0)).toBe(expected.macs);
  });
});
