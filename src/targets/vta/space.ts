import { gemmShape, hasActivation, vectorForm, type LayerSchedule, type VtaLayer } from './lower.js';
import type { VtaTarget } from './spec.js';
import { chooseTiles, gemmBlocks, LOOP_ORDERS, powersBelow } from './tiling.js';
import { maxTileVectors } from './vector.js';

/** One knob of a layer's schedule and its candidate values (`undefined`: the tiler's choice, the largest that fits). */
export interface ScheduleAxis {
  knob: keyof LayerSchedule;
  values: readonly unknown[];
}

/** A layer's schedule space as a grid of knob values, and which points of it fit the buffers. */
export interface ScheduleSpace {
  axes: ScheduleAxis[];
  fits(s: LayerSchedule): boolean;
}

/** The schedule a grid point (one value index per axis) stands for. */
export function scheduleAt(space: ScheduleSpace, point: readonly number[]): LayerSchedule {
  const s: Record<string, unknown> = {};
  space.axes.forEach((a, i) => {
    const v = a.values[point[i]!];
    if (v !== undefined) s[a.knob] = v;
  });
  return s as LayerSchedule;
}

const THREADS = [1, 2] as const;

/**
 * The tuner's space of a layer. A GEMM layer: virtual threads; reduction
 * and output-channel tiles over powers of two and the whole axis; row tiles
 * over powers of two and the most that fit; loop order; and, with an
 * activation, where it runs. An element-wise layer: virtual threads and
 * tile sizes over powers of two and the most that fit.
 */
export function layerSpace(t: VtaTarget, l: VtaLayer, elements: number): ScheduleSpace {
  if (l.kind !== 'gemm') {
    const form = vectorForm(t, l, elements);
    return {
      axes: [
        { knob: 'virtualThreads', values: THREADS },
        { knob: 'tileVectors', values: [...powersBelow(maxTileVectors(t, form, 1)), undefined] },
      ],
      fits: (s) => (s.tileVectors ?? 1) <= maxTileVectors(t, form, s.virtualThreads ?? 1),
    };
  }
  const shape = gemmShape(t, l);
  const { rows, kb, nb } = gemmBlocks(t, shape);
  const axes: ScheduleAxis[] = [
    { knob: 'virtualThreads', values: THREADS },
    { knob: 'tileK', values: [...powersBelow(kb), kb] },
    { knob: 'tileN', values: [...powersBelow(nb), nb] },
    { knob: 'tileRows', values: [...powersBelow(rows), undefined] },
    { knob: 'order', values: LOOP_ORDERS },
  ];
  if (hasActivation(l.bounds)) axes.push({ knob: 'epilogue', values: ['fused', 'separate'] });
  return {
    axes,
    fits: (s) => {
      try {
        chooseTiles(t, shape, s, 2);
        return true;
      } catch {
        return false;
      }
    },
  };
}
