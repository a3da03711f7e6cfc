import { AccelmapError } from '../../util/errors.js';
import type { SystolicLayer } from './types.js';

/**
 * A layer as a GEMM after im2col: ofmap (pixels × filters) = ifmap matrix
 * (pixels × window) · filter matrix (window × filters). The ifmap matrix is
 * never built: the address of its element (p, k) is
 * `pixelBase[p] + windowOffset[k]`, in a height × width × channels (HWC)
 * ifmap, and the element lies beyond the ifmap's bottom or right edge (an
 * implicit zero) when `pixelRow[p] + windowRow[k] >= height` or
 * `pixelCol[p] + windowCol[k] >= width`. That happens when
 * E = ceil((H − R + stride) / stride) windows overrun the input, as in
 * SCALE-Sim's own topologies (AlexNet conv1 on 224 × 224).
 *
 * Ofmap (p, n) lives at `p · filters + n`.
 */
export interface Im2col {
  pixels: number;
  window: number;
  filters: number;
  ifmapWords: number;
  height: number;
  width: number;
  pixelBase: Int32Array;
  pixelRow: Int32Array;
  pixelCol: Int32Array;
  windowOffset: Int32Array;
  windowRow: Int32Array;
  windowCol: Int32Array;
}

export function lowerLayer(layer: SystolicLayer): Im2col {
  validateLayer(layer);
  if (layer.kind === 'gemm') {
    const { m, n, k } = layer;
    return {
      pixels: m,
      window: k,
      filters: n,
      ifmapWords: m * k,
      height: 1,
      width: 1,
      pixelBase: Int32Array.from({ length: m }, (_, p) => p * k),
      pixelRow: new Int32Array(m),
      pixelCol: new Int32Array(m),
      windowOffset: Int32Array.from({ length: k }, (_, i) => i),
      windowRow: new Int32Array(k),
      windowCol: new Int32Array(k),
    };
  }
  const H = layer.ifmapHeight;
  const W = layer.ifmapWidth;
  const C = layer.channels;
  const R = layer.filterHeight;
  const S = layer.filterWidth;
  const E = ofmapExtent(H, R, layer.strideHeight);
  const F = ofmapExtent(W, S, layer.strideWidth);
  const pixels = E * F;
  const window = R * S * C;
  const pixelBase = new Int32Array(pixels);
  const pixelRow = new Int32Array(pixels);
  const pixelCol = new Int32Array(pixels);
  for (let e = 0; e < E; e++) {
    for (let f = 0; f < F; f++) {
      const p = e * F + f;
      pixelRow[p] = e * layer.strideHeight;
      pixelCol[p] = f * layer.strideWidth;
      pixelBase[p] = (pixelRow[p]! * W + pixelCol[p]!) * C;
    }
  }
  const windowOffset = new Int32Array(window);
  const windowRow = new Int32Array(window);
  const windowCol = new Int32Array(window);
  for (let r = 0; r < R; r++) {
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) {
        const k = (r * S + s) * C + c;
        windowRow[k] = r;
        windowCol[k] = s;
        windowOffset[k] = (r * W + s) * C + c;
      }
    }
  }
  return { pixels, window, filters: layer.filters, ifmapWords: H * W * C, height: H, width: W, pixelBase, pixelRow, pixelCol, windowOffset, windowRow, windowCol };
}

/** Word address of ifmap-matrix element (pixel p, window position k), or -1 where the window overruns the ifmap's edge. */
export function ifmapAddress(g: Im2col, p: number, k: number): number {
  return g.pixelRow[p]! + g.windowRow[k]! < g.height && g.pixelCol[p]! + g.windowCol[k]! < g.width ? g.pixelBase[p]! + g.windowOffset[k]! : -1;
}

/** Output rows (or columns) of a convolution without padding: ceil((H − R + stride) / stride). */
export function ofmapExtent(input: number, filter: number, stride: number): number {
  return Math.ceil((input - filter + stride) / stride);
}

function validateLayer(layer: SystolicLayer): void {
  const fields: Record<string, number> =
    layer.kind === 'gemm'
      ? { m: layer.m, n: layer.n, k: layer.k }
      : {
          ifmapHeight: layer.ifmapHeight,
          ifmapWidth: layer.ifmapWidth,
          filterHeight: layer.filterHeight,
          filterWidth: layer.filterWidth,
          channels: layer.channels,
          filters: layer.filters,
          strideHeight: layer.strideHeight,
          strideWidth: layer.strideWidth,
        };
  for (const [key, v] of Object.entries(fields)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new AccelmapError('bad-input', `${key} must be a positive integer, not ${v}`, { path: `${layer.name}.${key}` });
  }
  if (layer.kind === 'conv' && (layer.filterHeight > layer.ifmapHeight || layer.filterWidth > layer.ifmapWidth)) {
    throw new AccelmapError('bad-input', `filter ${layer.filterHeight}×${layer.filterWidth} is larger than the ifmap ${layer.ifmapHeight}×${layer.ifmapWidth}`, { path: layer.name });
  }
}
