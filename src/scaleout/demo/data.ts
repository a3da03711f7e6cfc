import { Rng } from '../../util/rng.js';

/**
 * A generated image-classification task: each class is a stroke pattern
 * (bars, diagonals, a plus, a cross, a box, a corner) drawn on a 6×6 stamp
 * at a random place in a noisy square image, with a random intensity. A
 * model has to find the pattern wherever it is — a job for convolutions.
 */
export interface Dataset {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  imageSize: number;
  classes: number;
}

const STAMP = 6;

const PATTERNS: ((i: number, j: number) => boolean)[] = [
  (i) => i === STAMP / 2,
  (_i, j) => j === STAMP / 2,
  (i, j) => i === j,
  (i, j) => i + j === STAMP - 1,
  (i, j) => i === STAMP / 2 || j === STAMP / 2,
  (i, j) => i === j || i + j === STAMP - 1,
  (i, j) => i === 0 || j === 0 || i === STAMP - 1 || j === STAMP - 1,
  (i, j) => j === 0 || i === STAMP - 1,
];

export const MAX_CLASSES = PATTERNS.length;

export interface DatasetOptions {
  count: number;
  imageSize: number;
  classes: number;
  /** Standard deviation of the pixel noise. */
  noise: number;
  seed: number;
}

export function makeDataset(o: DatasetOptions): Dataset {
  if (o.classes < 2 || o.classes > MAX_CLASSES) throw new Error(`classes must be 2..${MAX_CLASSES}`);
  if (o.imageSize < STAMP) throw new Error(`images must be at least ${STAMP} pixels wide`);
  const rng = new Rng(o.seed);
  const S = o.imageSize;
  const images = new Float32Array(o.count * S * S);
  const labels = new Uint8Array(o.count);
  for (let n = 0; n < o.count; n++) {
    const label = n % o.classes;
    labels[n] = label;
    const base = n * S * S;
    for (let i = 0; i < S * S; i++) images[base + i] = rng.normal() * o.noise;
    const top = rng.int(S - STAMP + 1);
    const left = rng.int(S - STAMP + 1);
    const amplitude = 0.7 + 0.6 * rng.next();
    const pattern = PATTERNS[label]!;
    for (let i = 0; i < STAMP; i++) for (let j = 0; j < STAMP; j++) if (pattern(i, j)) images[base + (top + i) * S + left + j]! += amplitude;
  }
  return { images, labels, count: o.count, imageSize: S, classes: o.classes };
}

/** Samples `indices` of a dataset, packed into one batch. */
export function batchOf(d: Dataset, indices: ArrayLike<number>): { x: Float32Array; y: Uint8Array } {
  const px = d.imageSize * d.imageSize;
  const x = new Float32Array(indices.length * px);
  const y = new Uint8Array(indices.length);
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b]!;
    x.set(d.images.subarray(i * px, (i + 1) * px), b * px);
    y[b] = d.labels[i]!;
  }
  return { x, y };
}
