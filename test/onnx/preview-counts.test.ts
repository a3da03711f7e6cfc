import { describe, expect, it } from 'vitest';
import { nodeCounts } from '../../src/workload/counts.js';
import { importOnnx } from '../../src/workload/onnx/import.js';
import { hasShared, sharedDir } from '../../src/util/shared.js';

/**
 * Counts of the ONNX losses, FlexAttention and the training-preview
 * optimizers on the ONNX project's own test models (shapes from their
 * declared inputs), against figures derived by hand from those shapes and
 * each op's stated convention.
 */
function onlyNode(name: string) {
  const g = importOnnx(sharedDir('onnx-tests', 'node', name, 'model.onnx'));
  expect(g.nodes).toHaveLength(1);
  return nodeCounts(g, g.nodes[0]!);
}

describe.skipIf(!hasShared('counts of the ONNX preview-domain ops', 'onnx-tests', 'node'))('counts of ops from the preview domains and the ONNX losses', () => {
  it('FlexAttention with grouped heads: Q·Kᵀ and P·V MACs, 6 FLOPs per score', () => {
    // Q [2, 8, 4, 16], K and V [2, 2, 6, 16]: scores 2·8·4·6 = 384, each 16 + 16 MACs
    const c = onlyNode('test_flexattention_gqa');
    expect(c.macs).toBe(384 * 32);
    expect(c.otherFlops).toBe(384 * 6);
  });

  it('Adam over two weights of 1 and 2 elements: 12 FLOPs each; Nesterov momentum over 2: 4 each; Adagrad over 1: 6', () => {
    expect(onlyNode('test_adam_multiple').otherFlops).toBe(12 * 3);
    expect(onlyNode('test_nesterov_momentum').otherFlops).toBe(4 * 2);
    expect(onlyNode('test_adagrad').otherFlops).toBe(6 * 1);
  });

  it('NegativeLogLikelihoodLoss: one FLOP per target, two with class weights', () => {
    // input [3, 5, 6, 6], target [3, 6, 6]: 108 targets
    expect(onlyNode('test_nllloss_NCd1d2').otherFlops).toBe(108);
    expect(onlyNode('test_nllloss_NCd1d2_with_weight').otherFlops).toBe(216);
  });
});
