import { matmulProblem } from '../../problem/builders.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, expectRank, floatAttr, intAttr, req, shapeError } from '../op.js';
import { precisionOf } from './conv.js';

/**
 * Attention (ONNX 23: scaled dot-product attention with multi-, grouped- or
 * multi-query heads). Q is [B, Hq, Sq, D] or [B, Sq, Hq·D]; K and V are
 * [B, Hkv, Skv, D|Dv] or [B, Skv, Hkv·(D|Dv)]; past_key/past_value
 * [B, Hkv, P, D|Dv] are extended to present_key/present_value over T = P + Skv.
 * Y has Q's layout with Dv; qk_matmul_output is [B, Hq, Sq, T].
 * MACs = B·Hq·Sq·T·(D + Dv) (Q·Kᵀ and P·V), lowered to those two batched
 * matmuls; other FLOPs per score element: 1 scale + 5 softmax, +1 with a mask
 * or causal masking, +3 with softcap.
 */
export type AttentionAttrs = { is_causal: number; q_num_heads: number; kv_num_heads: number; qk_matmul_output_mode: number; scale: number; softcap: number };

interface AttentionGeometry {
  B: number;
  Hq: number;
  Hkv: number;
  Sq: number;
  Skv: number;
  T: number;
  D: number;
  Dv: number;
  threeD: boolean;
}

/** Batch, heads, sequence and head size of a [B, H, S, D] tensor, or of a [B, S, H·D] one with `n` heads. */
export function heads(t: TensorType, what: string, n: number): { B: number; H: number; S: number; D: number } {
  expectRank(t, [3, 4], what);
  if (t.shape.length === 4) return { B: t.shape[0]!, H: t.shape[1]!, S: t.shape[2]!, D: t.shape[3]! };
  if (!(n > 0) || t.shape[2]! % n !== 0) throw shapeError(`${what} [${t.shape}] is 3-D: its hidden size must be a multiple of the head count ${n}`);
  return { B: t.shape[0]!, H: n, S: t.shape[1]!, D: t.shape[2]! / n };
}

function geometry(inputs: (TensorType | undefined)[], a: AttentionAttrs): AttentionGeometry {
  const q = heads(req(inputs, 0, 'Q'), 'Attention Q', a.q_num_heads);
  const k = heads(req(inputs, 1, 'K'), 'Attention K', a.kv_num_heads);
  const v = heads(req(inputs, 2, 'V'), 'Attention V', a.kv_num_heads);
  if (q.B !== k.B || k.B !== v.B) throw shapeError(`Attention Q, K and V have batch sizes ${q.B}, ${k.B}, ${v.B}`);
  if (q.D !== k.D) throw shapeError(`Attention Q and K head sizes differ: ${q.D} and ${k.D}`);
  if (k.H !== v.H || k.S !== v.S) throw shapeError('Attention K and V differ in heads or sequence length');
  if (q.H % k.H !== 0) throw shapeError(`Attention query heads ${q.H} are not a multiple of key/value heads ${k.H}`);
  const past = inputs[4];
  const P = past ? past.shape[2] ?? 0 : 0;
  if (past && (past.shape.length !== 4 || past.shape[0] !== k.B || past.shape[1] !== k.H || past.shape[3] !== k.D)) throw shapeError(`Attention past_key [${past.shape}] must be [${k.B}, ${k.H}, past, ${k.D}]`);
  return { B: q.B, Hq: q.H, Hkv: k.H, Sq: q.S, Skv: k.S, T: P + k.S, D: q.D, Dv: v.D, threeD: req(inputs, 0, 'Q').shape.length === 3 };
}

export const Attention = defineOp<AttentionAttrs>({
  op: 'Attention',
  opClass: 'matmul',
  flopConvention: 'MACs = B·Hq·Sq·T·(D + Dv); 6 FLOPs per score element (+1 masked, +3 softcap)',
  attrs: (raw) => ({
    is_causal: intAttr(raw, 'is_causal', 0),
    q_num_heads: intAttr(raw, 'q_num_heads', 0),
    kv_num_heads: intAttr(raw, 'kv_num_heads', 0),
    qk_matmul_output_mode: intAttr(raw, 'qk_matmul_output_mode', 0),
    scale: floatAttr(raw, 'scale', 0),
    softcap: floatAttr(raw, 'softcap', 0),
  }),
  infer(inputs, a) {
    const g = geometry(inputs, a);
    const dtype = req(inputs, 0, 'Q').dtype;
    const y = g.threeD ? [g.B, g.Sq, g.Hq * g.Dv] : [g.B, g.Hq, g.Sq, g.Dv];
    return [
      { shape: y, dtype },
      { shape: [g.B, g.Hkv, g.T, g.D], dtype },
      { shape: [g.B, g.Hkv, g.T, g.Dv], dtype },
      { shape: [g.B, g.Hq, g.Sq, g.T], dtype },
    ];
  },
  counts(inputs, _o, a) {
    const g = geometry(inputs, a);
    const scores = g.B * g.Hq * g.Sq * g.T;
    const per = 6 + (inputs[3] || a.is_causal ? 1 : 0) + (a.softcap ? 3 : 0);
    return { macs: scores * (g.D + g.Dv), otherFlops: per * scores };
  },
  lower(inputs, _o, a) {
    const g = geometry(inputs, a);
    const p = precisionOf(req(inputs, 0, 'Q').dtype);
    const B = g.B * g.Hq;
    return [
      { problem: matmulProblem({ B, M: g.Sq, N: g.T, K: g.D }, p, 'attention-scores'), repeat: 1 },
      { problem: matmulProblem({ B, M: g.Sq, N: g.Dv, K: g.T }, p, 'attention-values'), repeat: 1 },
    ];
  },
});

/** FlexAttention's geometry and counts are Attention's without mask, past, causal masking or softcap. */
const FLEX_AS_ATTENTION: AttentionAttrs = { is_causal: 0, q_num_heads: 0, kv_num_heads: 0, qk_matmul_output_mode: 0, scale: 0, softcap: 0 };

/**
 * FlexAttention (ai.onnx.preview): scaled dot-product attention on rank-4
 * Q [B, Hq, Sq, D], K [B, Hkv, Skv, D], V [B, Hkv, Skv, Dv] (grouped heads
 * when Hkv divides Hq) → Y [B, Hq, Sq, Dv], with optional score_mod and
 * prob_mod subgraphs applied per score element. MACs and lowering as
 * Attention; 6 FLOPs per score element (scale and softmax); the subgraphs'
 * element-wise work is not counted.
 */
export const FlexAttention = defineOp({
  op: 'FlexAttention',
  opClass: 'matmul',
  flopConvention: 'MACs = B·Hq·Sq·Skv·(D + Dv); 6 FLOPs per score element (score_mod and prob_mod not counted)',
  attrs: (raw) => ({ scale: floatAttr(raw, 'scale', 0) }),
  infer(inputs) {
    for (const [i, what] of ['Q', 'K', 'V'].entries()) expectRank(req(inputs, i, what), 4, `FlexAttention ${what}`);
    const g = geometry(inputs, FLEX_AS_ATTENTION);
    return [{ shape: [g.B, g.Hq, g.Sq, g.Dv], dtype: req(inputs, 0, 'Q').dtype }];
  },
  counts: (inputs) => Attention.counts(inputs.slice(0, 3), [], FLEX_AS_ATTENTION),
  lower: (inputs) => Attention.lower!(inputs.slice(0, 3), [], FLEX_AS_ATTENTION),
});

/**
 * RotaryEmbedding (ONNX 23): rotates pairs of the first rotary_embedding_dim
 * features of X ([B, H, S, D] or [B, S, H·D]) by position; same shape out.
 * 3 FLOPs per rotated element (two products and a sum).
 */
export const RotaryEmbedding = defineOp({
  op: 'RotaryEmbedding',
  opClass: 'elementwise',
  flopConvention: '3 FLOPs per rotated element',
  attrs: (raw) => ({ interleaved: intAttr(raw, 'interleaved', 0), num_heads: intAttr(raw, 'num_heads', 0), rotary_embedding_dim: intAttr(raw, 'rotary_embedding_dim', 0) }),
  infer(inputs) {
    const x = req(inputs, 0, 'X');
    expectRank(x, [3, 4], 'RotaryEmbedding X');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts(inputs, _o, a) {
    const x = req(inputs, 0, 'X');
    const n = numel(x.shape);
    const head = x.shape.length === 4 ? x.shape[3]! : a.num_heads ? x.shape[2]! / a.num_heads : x.shape[2]!;
    const rotated = a.rotary_embedding_dim ? (n * a.rotary_embedding_dim) / head : n;
    return { macs: 0, otherFlops: 3 * rotated };
  },
});
