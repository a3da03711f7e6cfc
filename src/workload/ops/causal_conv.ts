import { convProblem } from '../../problem/builders.js';
import { defineOp, expectRank, req, shapeError, stringAttr } from '../op.js';
import { precisionOf } from './conv.js';

/**
 * CausalConvWithState (ONNX 27): a depthwise causal 1-D convolution over
 * input [B, C, L] with weight [C, 1, K], prepending past_state [B, C, K − 1]
 * (zeros when absent); outputs [B, C, L] and the new state [B, C, K − 1]
 * (state-space and linear-attention models). MACs = B·C·L·K, lowered as a
 * depthwise convolution; +1 FLOP per output element for a bias, +5 for a
 * SiLU activation.
 */
function geometry(inputs: Parameters<typeof req>[0]) {
  const x = req(inputs, 0, 'input'), w = req(inputs, 1, 'weight');
  expectRank(x, 3, 'CausalConvWithState input');
  expectRank(w, 3, 'CausalConvWithState weight');
  const [B, C, L] = x.shape as [number, number, number];
  const K = w.shape[2]!;
  if (w.shape[0] !== C || w.shape[1] !== 1 || K < 1) throw shapeError(`CausalConvWithState weight must be [${C}, 1, K], got [${w.shape}]`);
  const past = inputs[3];
  if (past && past.shape.join() !== [B, C, K - 1].join()) throw shapeError(`CausalConvWithState past_state must be [${B}, ${C}, ${K - 1}], got [${past.shape}]`);
  return { B, C, L, K, dtype: x.dtype };
}

export const CausalConvWithState = defineOp({
  op: 'CausalConvWithState',
  opClass: 'convolution',
  flopConvention: 'MACs = B·C·L·K; +1 FLOP per output element for a bias, +5 for a SiLU activation',
  attrs: (raw) => ({ activation: stringAttr(raw, 'activation', 'none') }),
  infer(inputs) {
    const g = geometry(inputs);
    return [{ shape: [g.B, g.C, g.L], dtype: g.dtype }, { shape: [g.B, g.C, g.K - 1], dtype: g.dtype }];
  },
  counts(inputs, _o, a) {
    const g = geometry(inputs);
    const outputs = g.B * g.C * g.L;
    return { macs: outputs * g.K, otherFlops: outputs * ((inputs[2] ? 1 : 0) + (a.activation === 'none' ? 0 : 5)) };
  },
  lower(inputs) {
    const g = geometry(inputs);
    return [{ problem: convProblem({ N: g.B, K: 1, C: 1, P: 1, Q: g.L, R: 1, S: g.K, G: g.C }, precisionOf(g.dtype), 'causal-conv'), repeat: 1 }];
  },
});
