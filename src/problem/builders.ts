import type { DataSpace, Problem, Projection, Term } from './types.js';

/**
 * Builders for the standard loop nests. Dimension names follow Timeloop:
 * N batch, K output channels, C input channels, P/Q output rows/columns,
 * R/S filter rows/columns, G groups; a matmul is M×K · K×N with an optional
 * batch B.
 */
export interface ConvShape {
  N: number;
  /** Output channels per group. */
  K: number;
  /** Input channels per group. */
  C: number;
  P: number;
  Q: number;
  R: number;
  S: number;
  /** Groups (1 for an ordinary convolution; channels for a depthwise one). */
  G?: number;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
}

export interface Precision {
  operandBits: number;
  resultBits: number;
}

const DEFAULT_PRECISION: Precision = { operandBits: 16, resultBits: 16 };

type DimSpec = [name: string, bound: number];

/**
 * Grouped convolutions give the group its own tensor rank (Weights[g, k, c, r, s],
 * Inputs[n, g, c, h, w]) rather than a flattened channel index g·K + k: the
 * element count is the same, and a tile over part of K and part of G stays an
 * axis-aligned box (no gaps between groups).
 */
function groupRank(G: number): string[] {
  return G > 1 ? ['G'] : [];
}

function nest(kind: string, dimSpecs: DimSpec[], spaces: { name: string; readWrite?: boolean; index: (Record<string, number> | string)[] }[], precision: Precision): Problem {
  const dims = dimSpecs.map((d) => d[0]);
  const at = (name: string) => {
    const i = dims.indexOf(name);
    if (i < 0) throw new Error(`${kind}: unknown dimension ${name}`);
    return i;
  };
  const proj = (e: Record<string, number> | string): Projection =>
    typeof e === 'string' ? [{ dim: at(e), coef: 1 }] : Object.entries(e).filter(([n]) => dims.includes(n)).map(([n, c]): Term => ({ dim: at(n), coef: c }));
  const dataSpaces: DataSpace[] = spaces.map((s) => ({ name: s.name, readWrite: s.readWrite ?? false, projection: s.index.map(proj) }));
  return { kind, dims, bounds: dimSpecs.map((d) => d[1]), dataSpaces, ...precision };
}

/** Forward convolution: Outputs[n, (g,) k, p, q] += Inputs[n, (g,) c, p·sh + r·dh, q·sw + s·dw] · Weights[(g,) k, c, r, s]. */
export function convProblem(s: ConvShape, precision: Precision = DEFAULT_PRECISION, kind = 'conv'): Problem {
  const G = s.G ?? 1;
  const sh = s.strideH ?? 1, sw = s.strideW ?? 1, dh = s.dilationH ?? 1, dw = s.dilationW ?? 1;
  const dims: DimSpec[] = [['N', s.N], ['K', s.K], ['C', s.C], ['P', s.P], ['Q', s.Q], ['R', s.R], ['S', s.S]];
  if (G > 1) dims.unshift(['G', G]);
  return nest(kind, dims, [
    { name: 'Weights', index: [...groupRank(G), 'K', 'C', 'R', 'S'] },
    { name: 'Inputs', index: ['N', ...groupRank(G), 'C', { P: sh, R: dh }, { Q: sw, S: dw }] },
    { name: 'Outputs', readWrite: true, index: ['N', ...groupRank(G), 'K', 'P', 'Q'] },
  ], precision);
}

/**
 * Weight gradient of a convolution: the same loop nest, but the weight
 * gradient is the read-write tensor and the output gradient is read:
 * dW[k, c, r, s] += dY[n, k, p, q] · X[n, c, p·sh + r·dh, q·sw + s·dw].
 * Data-space names keep their roles: Inputs = X, Weights = dY, Outputs = dW.
 */
export function convGradWeightProblem(s: ConvShape, precision: Precision = DEFAULT_PRECISION): Problem {
  const G = s.G ?? 1;
  const sh = s.strideH ?? 1, sw = s.strideW ?? 1, dh = s.dilationH ?? 1, dw = s.dilationW ?? 1;
  const dims: DimSpec[] = [['N', s.N], ['K', s.K], ['C', s.C], ['P', s.P], ['Q', s.Q], ['R', s.R], ['S', s.S]];
  if (G > 1) dims.unshift(['G', G]);
  return nest('conv-grad-weight', dims, [
    { name: 'Weights', index: ['N', ...groupRank(G), 'K', 'P', 'Q'] },
    { name: 'Inputs', index: ['N', ...groupRank(G), 'C', { P: sh, R: dh }, { Q: sw, S: dw }] },
    { name: 'Outputs', readWrite: true, index: [...groupRank(G), 'K', 'C', 'R', 'S'] },
  ], precision);
}

/**
 * Input gradient of a convolution as a transposed convolution over the
 * output gradient: dX[n, c, h, w] += dY[n, k, p, q] · W[k, c, r, s] with
 * h = p·sh + r·dh. Written with the output index affine in (p, r), so the
 * iteration space and MACs are those of the forward convolution.
 * Inputs = dY, Weights = W, Outputs = dX.
 */
export function convGradInputProblem(s: ConvShape, precision: Precision = DEFAULT_PRECISION): Problem {
  const G = s.G ?? 1;
  const sh = s.strideH ?? 1, sw = s.strideW ?? 1, dh = s.dilationH ?? 1, dw = s.dilationW ?? 1;
  const dims: DimSpec[] = [['N', s.N], ['K', s.K], ['C', s.C], ['P', s.P], ['Q', s.Q], ['R', s.R], ['S', s.S]];
  if (G > 1) dims.unshift(['G', G]);
  return nest('conv-grad-input', dims, [
    { name: 'Weights', index: [...groupRank(G), 'K', 'C', 'R', 'S'] },
    { name: 'Inputs', index: ['N', ...groupRank(G), 'K', 'P', 'Q'] },
    { name: 'Outputs', readWrite: true, index: ['N', ...groupRank(G), 'C', { P: sh, R: dh }, { Q: sw, S: dw }] },
  ], precision);
}

export interface MatmulShape {
  /** Batch (1 or absent for a plain matmul). */
  B?: number;
  M: number;
  N: number;
  K: number;
  /** Whether the Weights operand (K×N) has the batch index; false when it is shared across the batch. */
  weightsBatched?: boolean;
}

/** Outputs[b, m, n] += Inputs[b, m, k] · Weights[b?, k, n]. */
export function matmulProblem(s: MatmulShape, precision: Precision = DEFAULT_PRECISION, kind = 'matmul'): Problem {
  const B = s.B ?? 1;
  if (B > 1) {
    const wIndex = s.weightsBatched === false ? ['K', 'N'] : ['B', 'K', 'N'];
    return nest(kind, [['B', B], ['M', s.M], ['N', s.N], ['K', s.K]], [
      { name: 'Weights', index: wIndex },
      { name: 'Inputs', index: ['B', 'M', 'K'] },
      { name: 'Outputs', readWrite: true, index: ['B', 'M', 'N'] },
    ], precision);
  }
  return nest(kind, [['M', s.M], ['N', s.N], ['K', s.K]], [
    { name: 'Weights', index: ['K', 'N'] },
    { name: 'Inputs', index: ['M', 'K'] },
    { name: 'Outputs', readWrite: true, index: ['M', 'N'] },
  ], precision);
}
