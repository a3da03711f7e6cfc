import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `autoenc`: a variational autoencoder over 28×28 MNIST digits,
 * 784–200–784. The encoder maps the image to the mean and log-variance of a
 * 200-dimensional latent; a sample z = μ + √(exp(log σ²))·ε (ε an input of
 * standard normal noise) is decoded back to 784 pixels. Trained on the
 * squared reconstruction error (the latent KL term, a few FLOPs per latent
 * unit, is left out).
 */
export const AUTOENC_INPUT = 784;
export const AUTOENC_LATENT = 200;

export function autoenc(o: ZooOptions): Graph {
  const g = new GraphBuilder('autoenc', { batch: o.batch, dtype: o.dtype });
  const x = g.input('image', [o.batch, AUTOENC_INPUT]);
  const eps = g.input('noise', [o.batch, AUTOENC_LATENT]);
  const mean = g.linear(x, AUTOENC_LATENT, { name: 'z_mean' });
  const logVar = g.linear(x, AUTOENC_LATENT, { name: 'z_log_sigma_sq' });
  const sigma = g.op('Sqrt', [g.op('Exp', [logVar], {}, 'exp')], {}, 'sigma');
  const z = g.add(mean, g.mul(sigma, eps, 'scaled_noise'), 'z');
  return g.build([g.linear(z, AUTOENC_INPUT, { name: 'reconstruction' })]);
}
