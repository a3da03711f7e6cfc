import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { clippedRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `speech`: Deep Speech (Hannun et al. 2014) at Fathom's sizes.
 * Frames of 26 MFCC coefficients (`seqLen` frames, default 1566, TIMIT's
 * longest utterance); three fully connected layers of 1024 units with ReLU
 * clipped at 20; a bidirectional recurrent layer of 1024 units per
 * direction whose two directions are summed; a fully connected output over
 * 62 labels (61 phonemes and the CTC blank). The CTC loss is modeled as a
 * per-frame cross-entropy (its forward–backward recursion costs a few FLOPs
 * per label per frame, nothing next to the layers).
 */
export const SPEECH = { coefficients: 26, hidden: 1024, labels: 62, frames: 1566 };

export function speech(o: ZooOptions): Graph {
  const { coefficients, hidden: H, labels } = SPEECH;
  const T = o.seqLen ?? SPEECH.frames;
  const N = o.batch;
  const g = new GraphBuilder('speech', { batch: N, dtype: o.dtype });
  let x = g.input('features', [N, T, coefficients]);
  for (let l = 1; l <= 3; l++) x = clippedRelu(g, g.linear(x, H, { name: `fc${l}` }), 20, `fc${l}.clip`);
  const W = g.weight('birnn.W', [2, H, H]);
  const R = g.weight('birnn.R', [2, H, H]);
  const B = g.weight('birnn.B', [2, 2 * H]);
  const y = g.node('RNN', [x, W, R, B], { hidden_size: H, direction: 'bidirectional', layout: 1 }, { name: 'birnn', outputs: 2 })[0]!;
  const [fw, bw] = g.node('Split', [y], { axis: 2, num_outputs: 2 }, { name: 'birnn.directions', outputs: 2 }) as [string, string];
  x = g.reshape(g.add(fw, bw, 'birnn.sum'), [N, T, H], 'birnn.out');
  return g.build([g.linear(x, labels, { name: 'output' })]);
}
