/**
 * A Problem is one loop nest in einsum form: named dimensions with bounds and
 * data spaces (tensors) whose indices are affine expressions of those
 * dimensions, e.g. a convolution's input row = p·stride + r·dilation.
 * Every point of the iteration space is one MAC. Outputs are read-write.
 *
 * Compute problems name their three data spaces `Weights`, `Inputs` and
 * `Outputs` (Timeloop's names) whatever the op: for a matmul Z = A·B the
 * left operand A is `Inputs` and B is `Weights`. Architecture specs and
 * mappings refer to data spaces by these names.
 */
export interface Term {
  /** Index into Problem.dims. */
  dim: number;
  coef: number;
}

/** One tensor index = Σ coef · dim. */
export type Projection = Term[];

export interface DataSpace {
  name: string;
  /** One affine expression per tensor rank. */
  projection: Projection[];
  readWrite: boolean;
}

export interface Problem {
  /** Family of the loop nest (conv, matmul, conv-grad-weight …), for display. */
  kind: string;
  /** Loop dimension names, e.g. N K C P Q R S. */
  dims: string[];
  /** Loop bounds, one per dim. */
  bounds: number[];
  dataSpaces: DataSpace[];
  /** Bits per element of the operands and of the partial sums. */
  operandBits: number;
  resultBits: number;
}

/** A compute op lowers to one or more problems, each run `repeat` times in sequence (e.g. an RNN's recurrent matmul once per time step). */
export interface LoweredProblem {
  problem: Problem;
  repeat: number;
}

export function problemMacs(p: Problem): number {
  let n = 1;
  for (const b of p.bounds) n *= b;
  return n;
}

export function dimIndex(p: Problem, name: string): number {
  const i = p.dims.indexOf(name);
  if (i < 0) throw new Error(`problem ${p.kind}: no dimension ${name}`);
  return i;
}

/**
 * Why a data space cannot be modelled: a dimension that indexes two of its
 * ranks (a diagonal such as `Outputs[q][q]`); undefined when none does. The cost model's tiles are boxes, one
 * extent per rank, so it would count a diagonal's box (q² elements) where the
 * loop nest touches q: problems with one are refused where they are read.
 */
export function diagonalProblem(dims: readonly string[], ds: DataSpace): string | undefined {
  const seen = new Set<number>();
  for (const proj of ds.projection) {
    const here = new Set(proj.filter((t) => t.coef !== 0).map((t) => t.dim));
    for (const d of here) {
      if (seen.has(d)) return `dimension ${dims[d]} indexes two ranks of ${ds.name} (a diagonal)`;
      seen.add(d);
    }
  }
  return undefined;
}

export const DIAGONAL_HINT = "accelmap's tiles are boxes with one extent per rank: give each rank its own dimension";

/** Size of a data space over the whole problem (number of distinct elements touched). */
export function dataSpaceSize(p: Problem, ds: DataSpace): number {
  let n = 1;
  for (const proj of ds.projection) {
    let extent = 1;
    for (const t of proj) extent += Math.abs(t.coef) * (p.bounds[t.dim]! - 1);
    n *= extent;
  }
  return n;
}

/** A stable text key: identical loop nests get identical keys (for caching mapper results). */
export function problemKey(p: Problem): string {
  const ds = p.dataSpaces
    .map((d) => `${d.name}${d.readWrite ? '*' : ''}[${d.projection.map((pr) => pr.map((t) => `${t.coef}${p.dims[t.dim]}`).join('+')).join(',')}]`)
    .join(' ');
  return `${p.kind} ${p.dims.map((d, i) => `${d}=${p.bounds[i]}`).join(',')} ${ds} ${p.operandBits}/${p.resultBits}`;
}

/**
 * Elements of a data space the nest really touches (the compulsory traffic):
 * per tensor rank, the distinct values of its index expression. Unlike
 * `dataSpaceSize` (the bounding box), a strided window with gaps counts only
 * the rows it uses.
 */
export function dataSpaceFootprint(p: Problem, ds: DataSpace): number {
  let n = 1;
  for (const terms of ds.projection) {
    const moving = terms.filter((t) => t.coef > 0 && p.bounds[t.dim]! > 1);
    if (moving.length <= 1) {
      n *= moving.length === 0 ? 1 : p.bounds[moving[0]!.dim]!;
      continue;
    }
    let values = new Set([0]);
    for (const t of moving) {
      const next = new Set<number>();
      for (const v of values) for (let x = 0; x < p.bounds[t.dim]!; x++) next.add(v + t.coef * x);
      values = next;
    }
    n *= values.size;
  }
  return n;
}
