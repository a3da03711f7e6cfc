import { matmulProblem } from '../../problem/builders.js';
import type { Attrs, TensorType } from '../graph.js';
import { defineOp, enumAttr, intAttr, req, shapeError, type OpKind } from '../op.js';
import { precisionOf } from './conv.js';
import { GRU, LSTM, RNN, type RnnAttrs } from './rnn.js';

/**
 * RecurrentGrad (training): backpropagation through time of a recurrent op
 * `of` (LSTM, GRU, RNN) with the forward attributes. Inputs: dY, X, W, R,
 * the forward output Y (every step's hidden state) and, for LSTM and GRU,
 * the training reserve (gate activations per step). Outputs: dX, dW, dR and
 * dB ([dirs, 2·gates·H], ONNX's bias layout).
 * MACs = 2 × the forward's: the input gradient dgates·W and the recurrent
 * gradient dgates·R per step, then the weight gradients dW = dgatesᵀ·X and
 * dR = dgatesᵀ·h over all steps. Other FLOPs (gate derivatives) as the forward's.
 */
const FORWARD: Record<string, OpKind<RnnAttrs>> = { LSTM, GRU, RNN };

export type RecurrentGradAttrs = { of: 'LSTM' | 'GRU' | 'RNN'; direction: RnnAttrs['direction']; layout: number; hidden_size: number };

function forwardAttrs(a: RecurrentGradAttrs): RnnAttrs {
  return { hidden_size: a.hidden_size, direction: a.direction, layout: a.layout, linear_before_reset: 0, training_mode: 0 };
}

function geometry(inputs: (TensorType | undefined)[], a: RecurrentGradAttrs) {
  const x = req(inputs, 1, 'X'), w = req(inputs, 2, 'W'), r = req(inputs, 3, 'R');
  const fwd = FORWARD[a.of]!;
  const y = fwd.infer([x, w, r], forwardAttrs(a))[0]!;
  const dy = req(inputs, 0, 'dY');
  if (dy.shape.join() !== y.shape.join()) throw shapeError(`RecurrentGrad dY must have the ${a.of} output shape [${y.shape}], got [${dy.shape}]`);
  const [T, B] = a.layout ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const dirs = w.shape[0]!, G = w.shape[1]!, I = x.shape[2]!, H = r.shape[2]!;
  return { x, w, r, T, B, dirs, G, I, H };
}

export const RecurrentGrad = defineOp<RecurrentGradAttrs>({
  op: 'RecurrentGrad',
  opClass: 'recurrent',
  flopConvention: 'MACs = 2 × the forward recurrent op (dirs·T·B·gates·H·(I+H) each); other FLOPs as the forward',
  attrs: (raw: Attrs) => ({
    of: enumAttr(raw, 'of', ['LSTM', 'GRU', 'RNN'], 'LSTM'),
    direction: enumAttr(raw, 'direction', ['forward', 'reverse', 'bidirectional'], 'forward'),
    layout: intAttr(raw, 'layout', 0),
    hidden_size: intAttr(raw, 'hidden_size', 0),
  }),
  infer(inputs, a) {
    const { x, w, r, dirs, G } = geometry(inputs, a);
    return [
      { shape: [...x.shape], dtype: x.dtype },
      { shape: [...w.shape], dtype: w.dtype },
      { shape: [...r.shape], dtype: r.dtype },
      { shape: [dirs, 2 * G], dtype: w.dtype },
    ];
  },
  counts(inputs, _o, a) {
    const { x, w, r } = geometry(inputs, a);
    const f = FORWARD[a.of]!.counts([x, w, r], [], forwardAttrs(a));
    return { macs: 2 * f.macs, otherFlops: f.otherFlops };
  },
  lower(inputs, _o, a) {
    const { x, T, B, dirs, G, I, H } = geometry(inputs, a);
    const p = precisionOf(x.dtype);
    const kind = `${a.of.toLowerCase()}-grad`;
    return [
      { problem: matmulProblem({ M: T * B, N: I, K: G }, p, `${kind}-input`), repeat: dirs },
      { problem: matmulProblem({ M: B, N: H, K: G }, p, `${kind}-recurrent`), repeat: dirs * T },
      { problem: matmulProblem({ M: G, N: I, K: T * B }, p, `${kind}-weight`), repeat: dirs },
      { problem: matmulProblem({ M: G, N: H, K: T * B }, p, `${kind}-recurrent-weight`), repeat: dirs },
    ];
  },
});
