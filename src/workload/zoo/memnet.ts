import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `memnet`: an end-to-end memory network (Sukhbaatar et al. 2015)
 * answering bAbI questions, with Fathom's sizes: 20-dimensional embeddings,
 * 3 hops, 50 memory slots, a shared story embedding A (also the output
 * memory), a query embedding B, a temporal encoding TA, a hop map H and an
 * answer map W over a 177-word vocabulary (bAbI's). Sentences of
 * `seqLen` words (default 7) are embedded with position encoding: each word
 * vector is weighted element-wise, then the words are summed — written as a
 * product with a row of ones, which costs the same additions.
 * Each hop: p = softmax(m·u), o = pᵀ·m, u ← u·H + o. Answer logits u·W.
 */
export const MEMNET = { vocab: 177, embedding: 20, memory: 50, hops: 3 };

export function memnet(o: ZooOptions): Graph {
  const { vocab, embedding: D, memory: M, hops } = MEMNET;
  const S = o.seqLen ?? 7;
  const N = o.batch;
  const g = new GraphBuilder('memnet', { batch: N, dtype: o.dtype });
  const stories = g.input('stories', [N, M, S], 'int64');
  const queries = g.input('queries', [N, S], 'int64');
  const encoding = g.buffer('position_encoding', [S, D]);
  const ones = g.constant('word_sum', new Array<number>(S).fill(1), [1, S], g.dtype);
  /** Σ over words of (word vectors ⊙ position encoding): [..., S, D] → [..., 1, D]. */
  const bagOfWords = (emb: string, name: string) => g.matmul(ones, g.mul(emb, encoding, `${name}.encode`), `${name}.sum`);

  const A = g.weight('A', [vocab, D]);
  const B = g.weight('B', [vocab, D]);
  const TA = g.weight('TA', [M, D]);
  const H = g.weight('H', [D, D]);
  const W = g.weight('W', [D, vocab]);
  let u = g.reshape(bagOfWords(g.op('Embedding', [queries, B], {}, 'query_embedding'), 'query'), [N, D], 'u0');
  const m = g.add(g.reshape(bagOfWords(g.op('Embedding', [stories, A], {}, 'story_embedding'), 'memory'), [N, M, D], 'memory.flat'), TA, 'memory');
  for (let h = 0; h < hops; h++) {
    u = g.scope(`hop${h}`, () => {
      const scores = g.reshape(g.matmul(m, g.reshape(u, [N, D, 1], 'u_col'), 'match'), [N, M], 'scores');
      const p = g.reshape(g.softmax(scores, -1, 'attention'), [N, 1, M], 'p_row');
      const out = g.reshape(g.matmul(p, m, 'read'), [N, D], 'o');
      return g.add(g.matmul(u, H, 'map'), out, 'u');
    });
  }
  return g.build([g.matmul(u, W, 'answer')]);
}
