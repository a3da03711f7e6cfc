import { AccelmapError } from '../../util/errors.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import type { ZooOptions } from './types.js';

/**
 * Transformers: BERT-base (HuggingFace BertModel), GPT-2 small (HuggingFace
 * GPT2LMHeadModel, LM head tied to the token embedding) and ViT-B/16
 * (torchvision vit_b_16). All three: 12 layers, width 768, 12 heads of 64,
 * feed-forward 3072, GELU; dropout where the reference models have it.
 *
 * Attention over x [B, L, D]: Q, K, V projections (one fused projection
 * for GPT-2 and ViT, three for BERT: same weights and MACs), heads split
 * by a view and a transpose, scores Q·Kᵀ scaled by 1/√64, masked (an
 * additive padding bias for BERT, a causal mask for GPT-2), softmax,
 * context = scores·V, heads merged, output projection.
 */
interface Dims {
  width: number;
  heads: number;
  ffn: number;
}

const BASE: Dims = { width: 768, heads: 12, ffn: 3072 };
const LAYERS = 12;

interface AttentionOptions {
  fusedQkv: boolean;
  /** Added to the scores: [B, 1, 1, L] padding bias. */
  bias?: string;
  /** Selects the scores to keep: [1, 1, L, L] causal mask. */
  causalMask?: string;
  dropout: number;
}

function attention(g: GraphBuilder, x: string, d: Dims, o: AttentionOptions): string {
  const [B, L, D] = g.shape(x) as [number, number, number];
  const h = d.heads, dh = D / h;
  const heads = (t: string, name: string, perm: number[]) => g.transpose(g.reshape(t, [B, L, h, dh], `${name}.split`), perm, `${name}.heads`);
  let q: string, k: string, v: string;
  if (o.fusedQkv) {
    const qkv = g.linear(x, 3 * D, { name: 'qkv' });
    [q, k, v] = g.node('Split', [qkv], { axis: -1, num_outputs: 3 }, { name: 'qkv.split', outputs: 3 }) as [string, string, string];
  } else {
    [q, k, v] = [g.linear(x, D, { name: 'query' }), g.linear(x, D, { name: 'key' }), g.linear(x, D, { name: 'value' })];
  }
  let scores = g.matmul(heads(q, 'q', [0, 2, 1, 3]), heads(k, 'k', [0, 2, 3, 1]), 'scores');
  scores = g.op('Div', [scores, g.constant('scale', [Math.sqrt(dh)], [], g.dtype)], {}, 'scaled');
  if (o.bias) scores = g.add(scores, o.bias, 'masked');
  if (o.causalMask) scores = g.op('Where', [o.causalMask, scores, g.constant('mask_value', [-1e9], [], g.dtype)], {}, 'masked');
  const probs = dropout(g, g.softmax(scores, -1, 'probs'), o.dropout, 'probs.dropout');
  const context = g.transpose(g.matmul(probs, heads(v, 'v', [0, 2, 1, 3]), 'context'), [0, 2, 1, 3], 'context.merge');
  return g.linear(g.reshape(context, [B, L, D], 'context.flat'), D, { name: 'out' });
}

/** Dropout with probability `p`; none at all for p = 0 (torchvision's ViT). */
function dropout(g: GraphBuilder, x: string, p: number, name: string): string {
  return p > 0 ? g.dropout(x, p, name) : x;
}

function feedForward(g: GraphBuilder, x: string, d: Dims, gelu: 'none' | 'tanh', p: number): string {
  const hidden = g.op('Gelu', [g.linear(x, d.ffn, { name: 'fc1' })], { approximate: gelu }, 'gelu');
  return dropout(g, g.linear(hidden, d.width, { name: 'fc2' }), p, 'fc2.dropout');
}

/** Position ids 0 … L−1 looked up in a learned table of `maxPositions` rows: [L, D]. */
function positions(g: GraphBuilder, L: number, maxPositions: number, D: number, name: string): string {
  if (L > maxPositions) throw new AccelmapError('bad-flag', `--seq-len ${L} is longer than the ${maxPositions} positions ${g.graph.name} learned`, {}, `use --seq-len ${maxPositions} or less`);
  const ids = g.constant(`${name}.ids`, Array.from({ length: L }, (_, i) => i));
  return g.embedding(ids, maxPositions, D, name);
}

/** BERT-base, uncased (Devlin et al. 2018; HuggingFace BertModel with its pooler). Post-LayerNorm layers. */
export function bert(o: ZooOptions): Graph {
  const d = BASE;
  const L = o.seqLen ?? 128, B = o.batch;
  const g = new GraphBuilder('bert_base', { batch: B, dtype: o.dtype });
  const ids = g.input('input_ids', [B, L], 'int64');
  const types = g.input('token_type_ids', [B, L], 'int64');
  const padding = g.input('attention_bias', [B, 1, 1, L]);
  let x = g.scope('embeddings', () => {
    const sum = g.add(g.add(g.embedding(ids, 30522, d.width, 'word'), positions(g, L, 512, d.width, 'position'), 'add_position'), g.embedding(types, 2, d.width, 'token_type'), 'add_type');
    return g.dropout(g.layerNorm(sum, 'ln'), 0.1, 'dropout');
  });
  for (let l = 0; l < LAYERS; l++) {
    x = g.scope(`layer${l}`, () => {
      const a = g.dropout(attention(g, x, d, { fusedQkv: false, bias: padding, dropout: 0.1 }), 0.1, 'attention.dropout');
      const h = g.layerNorm(g.add(a, x, 'attention.residual'), 'attention.ln');
      return g.layerNorm(g.add(feedForward(g, h, d, 'none', 0.1), h, 'ffn.residual'), 'ffn.ln');
    });
  }
  const first = g.op('Gather', [x, g.constant('cls_index', [0], [])], { axis: 1 }, 'cls');
  const pooled = g.op('Tanh', [g.linear(first, d.width, { name: 'pooler' })], {}, 'pooled');
  return g.build([x, pooled]);
}

/** GPT-2 small, 124 M (Radford et al. 2019; HuggingFace GPT2LMHeadModel). Pre-LayerNorm layers, causal attention. */
export function gpt2(o: ZooOptions): Graph {
  const d = BASE;
  const vocab = 50257;
  const L = o.seqLen ?? 1024, B = o.batch;
  const g = new GraphBuilder('gpt2', { batch: B, dtype: o.dtype });
  const ids = g.input('input_ids', [B, L], 'int64');
  const tokens = g.embedding(ids, vocab, d.width, 'wte');
  let x = g.dropout(g.add(tokens, positions(g, L, 1024, d.width, 'wpe'), 'embed'), 0.1, 'embed.dropout');
  // HuggingFace's registered `bias` buffer, lower-triangular ones: built here as the graph computes it, so it has values
  const ones = g.op('ConstantOfShape', [g.constant('causal_shape', [1, 1, L, L])], { value: { shape: [1], dtype: 'bool', value: [1] } }, 'causal_ones');
  const causal = g.op('Trilu', [ones], { upper: 0 }, 'causal_mask');
  for (let l = 0; l < LAYERS; l++) {
    x = g.scope(`h${l}`, () => {
      const a = g.scope('attn', () => g.dropout(attention(g, g.layerNorm(x, 'ln_1'), d, { fusedQkv: true, causalMask: causal, dropout: 0.1 }), 0.1, 'dropout'));
      const h = g.add(x, a, 'attn.residual');
      return g.add(h, g.scope('mlp', () => feedForward(g, g.layerNorm(h, 'ln_2'), d, 'tanh', 0.1)), 'mlp.residual');
    });
  }
  const rows = g.reshape(g.layerNorm(x, 'ln_f'), [B * L, d.width], 'ln_f.rows');
  // the LM head reuses the token embedding (tied weights): counted once
  const logits = g.op('Gemm', [rows, `${tokens}.weight`], { transB: 1 }, 'lm_head');
  return g.build([g.reshape(logits, [B, L, vocab], 'logits')]);
}

/** ViT-B/16 (Dosovitskiy et al. 2020; torchvision vit_b_16): 16×16 patches, a class token, pre-LayerNorm layers. */
export function vitB16(o: ZooOptions): Graph {
  const d = BASE;
  const size = o.imageSize ?? 224, B = o.batch, patch = 16;
  if (size % patch !== 0) throw new AccelmapError('bad-flag', `--image-size ${size} does not cut into ViT-B/16's ${patch}×${patch} patches`, {}, 'use a multiple of 16');
  const side = size / patch, L = side * side + 1;
  const g = new GraphBuilder('vit_b_16', { batch: B, dtype: o.dtype });
  const image = g.input('image', [B, 3, size, size]);
  const patches = g.conv(image, d.width, { kernel: patch, stride: patch, bias: true, name: 'conv_proj' });
  const tokens = g.transpose(g.reshape(patches, [B, d.width, side * side], 'patches.flat'), [0, 2, 1], 'patches');
  // the class token, broadcast over the batch
  const cls = g.add(g.weight('class_token', [1, 1, d.width]), g.constant('class_token.batch', new Array<number>(B).fill(0), [B, 1, 1], g.dtype), 'class_token.expand');
  const pos = g.weight('encoder.pos_embedding', [1, L, d.width]);
  let x = g.add(g.concat([cls, tokens], 1, 'sequence'), pos, 'embed');
  for (let l = 0; l < LAYERS; l++) {
    x = g.scope(`encoder.layer${l}`, () => {
      const a = attention(g, g.layerNorm(x, 'ln_1'), d, { fusedQkv: true, dropout: 0 });
      const h = g.add(a, x, 'attn.residual');
      return g.add(h, feedForward(g, g.layerNorm(h, 'ln_2'), d, 'none', 0), 'mlp.residual');
    });
  }
  const first = g.op('Gather', [g.layerNorm(x, 'encoder.ln'), g.constant('cls_index', [0], [])], { axis: 1 }, 'cls');
  return g.build([g.linear(first, 1000, { name: 'head' })]);
}
