import { matmulProblem } from '../../problem/builders.js';
import { type TensorType } from '../graph.js';
import { defineOp, enumAttr, floatAttr, intAttr, req, shapeError } from '../op.js';
import { heads } from './attention.js';
import { precisionOf } from './conv.js';

/**
 * LinearAttention (ONNX 27): attention with a recurrent state S [B, Hkv, Dk, Dv]
 * per key/value head instead of a softmax over all keys. Query, key and value
 * are [B, T, H·D] (with q_num_heads / kv_num_heads) or [B, H, T, D]; the
 * output has the query's layout with Dv; present_state is the final state.
 * Per step and head the state takes a rank-1 update k ⊗ v (the delta rules
 * first read S·k, a second product) and each query head reads q·S.
 * MACs = B·T·(Hq + u·Hkv)·Dk·Dv with u = 2 for the delta rules, 1 otherwise;
 * gated rules add 1 FLOP per state element per step (the decay). Lowered as
 * the query read (B·Hq × Dv × Dk) and the state update (B·Hkv·Dk × Dv × 1),
 * each repeated per step.
 */
export type LinearAttentionAttrs = { q_num_heads: number; kv_num_heads: number; update_rule: string; scale: number };

function geometry(inputs: (TensorType | undefined)[], a: LinearAttentionAttrs) {
  const q = heads(req(inputs, 0, 'query'), 'LinearAttention query', a.q_num_heads);
  const k = heads(req(inputs, 1, 'key'), 'LinearAttention key', a.kv_num_heads);
  const v = heads(req(inputs, 2, 'value'), 'LinearAttention value', a.kv_num_heads);
  if (q.B !== k.B || k.B !== v.B || q.S !== k.S || k.S !== v.S) throw shapeError('LinearAttention query, key and value differ in batch or sequence length');
  if (q.D !== k.D || k.H !== v.H || q.H % k.H !== 0) throw shapeError(`LinearAttention heads do not match: query ${q.H}×${q.D}, key ${k.H}×${k.D}, value ${v.H}×${v.D}`);
  return { B: q.B, T: q.S, Hq: q.H, Hkv: k.H, Dk: k.D, Dv: v.D, threeD: req(inputs, 0, 'query').shape.length === 3 };
}

export const LinearAttention = defineOp<LinearAttentionAttrs>({
  op: 'LinearAttention',
  opClass: 'recurrent',
  flopConvention: 'MACs = B·T·(Hq + u·Hkv)·Dk·Dv (u = 2 for delta rules); gated rules +1 FLOP per state element per step',
  attrs: (raw) => ({
    q_num_heads: intAttr(raw, 'q_num_heads', 0),
    kv_num_heads: intAttr(raw, 'kv_num_heads', 0),
    update_rule: enumAttr(raw, 'update_rule', ['linear', 'gated', 'delta', 'gated_delta'], 'gated_delta'),
    scale: floatAttr(raw, 'scale', 0),
  }),
  infer(inputs, a) {
    const g = geometry(inputs, a);
    const dtype = req(inputs, 0, 'query').dtype;
    const y = g.threeD ? [g.B, g.T, g.Hq * g.Dv] : [g.B, g.Hq, g.T, g.Dv];
    return [{ shape: y, dtype }, { shape: [g.B, g.Hkv, g.Dk, g.Dv], dtype }];
  },
  counts(inputs, _o, a) {
    const g = geometry(inputs, a);
    const u = a.update_rule.endsWith('delta') ? 2 : 1;
    const state = g.B * g.Hkv * g.Dk * g.Dv;
    return { macs: g.B * g.T * (g.Hq + u * g.Hkv) * g.Dk * g.Dv, otherFlops: a.update_rule.startsWith('gated') ? g.T * state : 0 };
  },
  lower(inputs, _o, a) {
    const g = geometry(inputs, a);
    const p = precisionOf(req(inputs, 0, 'query').dtype);
    const u = a.update_rule.endsWith('delta') ? 2 : 1;
    return [
      { problem: matmulProblem({ M: g.B * g.Hq, N: g.Dv, K: g.Dk }, p, 'linear-attention-read'), repeat: g.T },
      { problem: matmulProblem({ M: g.B * g.Hkv * g.Dk, N: g.Dv, K: 1 }, p, 'linear-attention-update'), repeat: u * g.T },
    ];
  },
});
