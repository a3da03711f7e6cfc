import { matmulProblem } from '../../problem/builders.js';
import { type TensorType } from '../graph.js';
import { defineOp, enumAttr, expectRank, intAttr, req, shapeError, type OpKind } from '../op.js';
import { precisionOf } from './conv.js';

/**
 * Recurrent layers with ONNX semantics: LSTM (4 gates), GRU (3), RNN (1).
 * X [T, B, I] (layout 0) or [B, T, I] (layout 1); W [dirs, gates·H, I];
 * R [dirs, gates·H, H]; outputs Y [T, dirs, B, H] (layout 1: [B, T, dirs, H]),
 * Y_h and (LSTM) Y_c [dirs, B, H] (layout 1: [B, dirs, H]).
 *
 * MACs = dirs · T · B · gates · H · (I + H).
 * Other FLOPs per (direction, step, batch row), by gate arithmetic:
 *   LSTM 30·H: sum of the two products 4H, two biases 8H, 3 sigmoids 12H,
 *        tanh 1H, c = f·c + i·g 3H, h = o·tanh(c) 2H (tanh(c) counted 0: in the 1H);
 *   GRU 23·H: sums 3H, biases 6H, 2 sigmoids 8H, tanh 1H, r ⊙ (R·h) 1H,
 *        h = (1 − z)·ĥ + z·h 4H;
 *   RNN 4·H: sum 1H, biases 2H, tanh 1H.
 * Lowered as an input projection (T·B × I × gates·H, all steps at once) and a
 * recurrent product (B × H × gates·H) repeated T times, per direction.
 */
export type RnnAttrs = { hidden_size: number; direction: 'forward' | 'reverse' | 'bidirectional'; layout: number; linear_before_reset: number; training_mode: number };

interface RnnSpec {
  op: string;
  gates: number;
  otherFlopsPerH: number;
  hasCell: boolean;
  /**
   * Training (`training_mode` 1): values per hidden unit, step and batch row
   * kept for the backward pass in an extra last output, the reserve
   * [T, dirs, B, reserve·H] (LSTM: 4 gates + cell; GRU: 3 gates + the
   * recurrent product inside the candidate gate; RNN: none, its output is enough).
   */
  reserve: number;
}

function geometry(spec: RnnSpec, inputs: (TensorType | undefined)[], a: RnnAttrs) {
  const x = req(inputs, 0, 'X'), w = req(inputs, 1, 'W'), r = req(inputs, 2, 'R');
  expectRank(x, 3, `${spec.op} X`);
  expectRank(w, 3, `${spec.op} W`);
  expectRank(r, 3, `${spec.op} R`);
  const [T, B] = a.layout ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const I = x.shape[2]!;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const H = a.hidden_size || r.shape[2]!;
  if (w.shape[0] !== dirs || r.shape[0] !== dirs) throw shapeError(`${spec.op} W and R must have ${dirs} direction(s)`);
  if (w.shape[1] !== spec.gates * H || w.shape[2] !== I) throw shapeError(`${spec.op} W must be [${dirs}, ${spec.gates * H}, ${I}], got [${w.shape}]`);
  if (r.shape[1] !== spec.gates * H || r.shape[2] !== H) throw shapeError(`${spec.op} R must be [${dirs}, ${spec.gates * H}, ${H}], got [${r.shape}]`);
  return { T, B, I, H, dirs, dtype: x.dtype };
}

function recurrent(spec: RnnSpec): OpKind<RnnAttrs> {
  return defineOp<RnnAttrs>({
    op: spec.op,
    opClass: 'recurrent',
    flopConvention: `MACs = dirs·T·B·${spec.gates}·H·(I+H); ${spec.otherFlopsPerH}·H other FLOPs per direction, step and batch row`,
    attrs: (raw) => ({
      hidden_size: intAttr(raw, 'hidden_size', 0),
      direction: enumAttr(raw, 'direction', ['forward', 'reverse', 'bidirectional'], 'forward'),
      layout: intAttr(raw, 'layout', 0),
      linear_before_reset: intAttr(raw, 'linear_before_reset', 0),
      training_mode: intAttr(raw, 'training_mode', 0),
    }),
    infer(inputs, a) {
      const { T, B, H, dirs, dtype } = geometry(spec, inputs, a);
      const y = a.layout ? [B, T, dirs, H] : [T, dirs, B, H];
      const state = a.layout ? [B, dirs, H] : [dirs, B, H];
      const outs: TensorType[] = [{ shape: y, dtype }, { shape: state, dtype }];
      if (spec.hasCell) outs.push({ shape: [...state], dtype });
      if (a.training_mode && spec.reserve) outs.push({ shape: [T, dirs, B, spec.reserve * H], dtype });
      return outs;
    },
    counts(inputs, _o, a) {
      const { T, B, I, H, dirs } = geometry(spec, inputs, a);
      const steps = dirs * T * B;
      return { macs: steps * spec.gates * H * (I + H), otherFlops: steps * spec.otherFlopsPerH * H };
    },
    lower(inputs, _o, a) {
      const { T, B, I, H, dirs, dtype } = geometry(spec, inputs, a);
      const p = precisionOf(dtype);
      return [
        { problem: matmulProblem({ M: T * B, N: spec.gates * H, K: I }, p, `${spec.op.toLowerCase()}-input`), repeat: dirs },
        { problem: matmulProblem({ M: B, N: spec.gates * H, K: H }, p, `${spec.op.toLowerCase()}-recurrent`), repeat: dirs * T },
      ];
    },
  });
}

export const LSTM = recurrent({ op: 'LSTM', gates: 4, otherFlopsPerH: 30, hasCell: true, reserve: 5 });
export const GRU = recurrent({ op: 'GRU', gates: 3, otherFlopsPerH: 23, hasCell: false, reserve: 4 });
export const RNN = recurrent({ op: 'RNN', gates: 1, otherFlopsPerH: 4, hasCell: false, reserve: 0 });
