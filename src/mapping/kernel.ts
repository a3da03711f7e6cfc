import { costModelWasm } from '../generated/costmodel-wasm.js';
import { MAX_RANK_TERMS, OUT_LENGTH, PARAMS_LENGTH } from '../generated/kernel-contract.js';
import { wasm, type WasmMemory } from '../util/wasm.js';

/**
 * The interface to the cost model's WebAssembly kernel (assembly/costmodel.ts,
 * compiled by scripts/build.mjs into src/generated/): instantiation, the
 * layout of the kernel's arrays in its memory (the kernel allocates nothing:
 * the host places every array and sets the kernel's exported globals to their
 * addresses), the arrays as typed-array views, and the indices of the scalar
 * inputs and results (generated with the kernel's from one table,
 * assembly/contract.mjs). CostModel (model.ts) is its one user.
 */

type ArrayType = Int32Array | Int8Array | Uint8Array | Float64Array;
/** Levels, dims, data spaces, tensor ranks and projection terms of a (problem, architecture). */
export type Sizes = { L: number; D: number; DS: number; R: number; terms: number };

/**
 * Every array of the kernel, by the name of its global there, with its type
 * and length. Laid out in this order, each at its natural alignment: the five
 * mapping arrays first, so that they sit back to back as in MappingArrays'
 * buffer.
 */
const ARRAYS = {
  temporal: [Int32Array, (z: Sizes) => z.L * z.D],
  spatialX: [Int32Array, (z: Sizes) => z.L * z.D],
  spatialY: [Int32Array, (z: Sizes) => z.L * z.D],
  order: [Int8Array, (z: Sizes) => z.L * z.D],
  keep: [Uint8Array, (z: Sizes) => z.L * z.DS],
  params: [Float64Array, () => PARAMS_LENGTH],
  bounds: [Float64Array, (z: Sizes) => z.D],
  readWrite: [Uint8Array, (z: Sizes) => z.DS],
  rankStart: [Int32Array, (z: Sizes) => z.DS + 1],
  sTermStart: [Int32Array, (z: Sizes) => z.DS + 1],
  sTermDim: [Int32Array, (z: Sizes) => z.terms],
  sTermRank: [Int32Array, (z: Sizes) => z.terms],
  sTermCoef: [Float64Array, (z: Sizes) => z.terms],
  dimRank: [Int32Array, (z: Sizes) => z.DS * z.D],
  dimCoef: [Float64Array, (z: Sizes) => z.DS * z.D],
  rankMulti: [Uint8Array, (z: Sizes) => z.R],
  capacity: [Float64Array, (z: Sizes) => z.L],
  blockSize: [Float64Array, (z: Sizes) => z.L],
  readPj: [Float64Array, (z: Sizes) => z.L],
  fillPj: [Float64Array, (z: Sizes) => z.L],
  updatePj: [Float64Array, (z: Sizes) => z.L],
  readBw: [Float64Array, (z: Sizes) => z.L],
  writeBw: [Float64Array, (z: Sizes) => z.L],
  sharedBw: [Float64Array, (z: Sizes) => z.L],
  fanX: [Float64Array, (z: Sizes) => z.L],
  fanY: [Float64Array, (z: Sizes) => z.L],
  multicast: [Uint8Array, (z: Sizes) => z.L],
  reduction: [Uint8Array, (z: Sizes) => z.L],
  netPj: [Float64Array, (z: Sizes) => z.L],
  leakPj: [Float64Array, (z: Sizes) => z.L],
  clusters: [Float64Array, (z: Sizes) => z.L],
  allowed: [Uint8Array, (z: Sizes) => z.L * z.DS],
  width: [Float64Array, (z: Sizes) => z.L * z.DS],
  finalWidth: [Float64Array, (z: Sizes) => z.DS],
  T: [Float64Array, (z: Sizes) => (z.L + 1) * z.D],
  padded: [Float64Array, (z: Sizes) => z.D],
  strides: [Float64Array, (z: Sizes) => z.L * z.D],
  extent: [Float64Array, (z: Sizes) => z.L * z.R],
  W: [Float64Array, (z: Sizes) => z.R],
  tiles: [Float64Array, (z: Sizes) => z.R],
  rankTerms: [Int32Array, (z: Sizes) => z.R],
  termStep: [Float64Array, (z: Sizes) => z.R * MAX_RANK_TERMS],
  termCount: [Float64Array, (z: Sizes) => z.R * MAX_RANK_TERMS],
  loopDim: [Int32Array, (z: Sizes) => z.L * z.D],
  loopN: [Float64Array, (z: Sizes) => z.L * z.D],
  loopStride: [Float64Array, (z: Sizes) => z.L * z.D],
  loopsFrom: [Int32Array, (z: Sizes) => z.L + 1],
  loopSteps: [Float64Array, (z: Sizes) => z.L * z.D],
  laneSpan: [Float64Array, (z: Sizes) => z.D],
  spatialProd: [Float64Array, (z: Sizes) => z.L],
  spatialDims: [Int32Array, (z: Sizes) => z.L * z.D],
  spatialCount: [Int32Array, (z: Sizes) => z.L],
  usedInstances: [Float64Array, (z: Sizes) => z.L + 1],
  out: [Float64Array, () => OUT_LENGTH],
  tileSize: [Float64Array, (z: Sizes) => z.L * z.DS],
  partition: [Float64Array, (z: Sizes) => z.L * z.DS],
  reads: [Float64Array, (z: Sizes) => z.L * z.DS],
  fills: [Float64Array, (z: Sizes) => z.L * z.DS],
  updates: [Float64Array, (z: Sizes) => z.L * z.DS],
  networkWords: [Float64Array, (z: Sizes) => z.L * z.DS],
  energyPj: [Float64Array, (z: Sizes) => z.L * z.DS],
  slowdown: [Float64Array, (z: Sizes) => z.L],
  levelCycles: [Float64Array, (z: Sizes) => z.L],
  networkEnergyPj: [Float64Array, (z: Sizes) => z.L],
} as const;

type ArrayName = keyof typeof ARRAYS;
export type Views = { [K in ArrayName]: InstanceType<(typeof ARRAYS)[K][0]> };

/** Indices into the kernel's `params` (inputs) and `out` (results), from the table both sides share (assembly/contract.mjs). */
export { O, P } from '../generated/kernel-contract.js';

/** A mutable global of the kernel: an array's address or a size. */
type Global = { value: number };

export type KernelExports = {
  memory: WasmMemory;
  evaluate(): number;
  gridDistinct(a: number, n: number, b: number, k: number): number;
} & Record<ArrayName | 'L' | 'D' | 'DS' | 'R' | 'heapBase', Global>;

let kernelModule: object | undefined;

/** Compiles the kernel once; its globals must be exactly the arrays of ARRAYS, the sizes and heapBase. */
function compileKernel(): object {
  const module = new wasm.Module(Buffer.from(costModelWasm, 'base64'));
  const globals = new Set(wasm.Module.exports(module).filter((e) => e.kind === 'global').map((e) => e.name));
  const expected = new Set([...Object.keys(ARRAYS), 'L', 'D', 'DS', 'R', 'heapBase']);
  const unlaid = [...globals].filter((g) => !expected.has(g)), missing = [...expected].filter((g) => !globals.has(g));
  if (unlaid.length || missing.length) throw new Error(`cost-model kernel and kernel.ts disagree: globals not laid out: ${unlaid.join(', ') || 'none'}; no such global: ${missing.join(', ') || 'none'}`);
  return module;
}

/**
 * What the kernel calls back for its two rare general cases (general-cases.ts
 * computes them from the loops the host reads out of the kernel's arrays):
 * the distinct positions of data space s's tile under the merging spatial
 * loops between levels `parent` and `child` (`rw`: reductions, else
 * multicasts), and the positions along rank r covered by a tile of extent
 * `ext` moved by the temporal loops first … end − 1.
 */
export interface KernelHost {
  listPositions(parent: number, child: number, s: number, rw: number): number;
  coveredOnBitmap(s: number, r: number, first: number, end: number, ext: number): number;
}

export function instantiate(host: KernelHost): KernelExports {
  kernelModule ??= compileKernel();
  const instance = new wasm.Instance(kernelModule, { host });
  return instance.exports as unknown as KernelExports;
}

/** A kernel lent to one model at a time: its calls back go to `host.target`. */
export interface KernelLease {
  exports: KernelExports;
  host: { target: KernelHost | null };
}

/**
 * Kernels their models gave back (`releaseKernel`), for the next model of
 * this thread: a search of a few thousand evaluations spent about a tenth
 * of its time instantiating its kernel.
 */
const idle: KernelLease[] = [];

/** A kernel for `host`: one given back, or a new one. kernelViews lays it out afresh either way. */
export function leaseKernel(host: KernelHost): KernelLease {
  let lease = idle.pop();
  if (!lease) {
    const slot: KernelLease['host'] = { target: null };
    const exports = instantiate({
      listPositions: (parent, child, s, rw) => slot.target!.listPositions(parent, child, s, rw),
      coveredOnBitmap: (s, r, first, end, ext) => slot.target!.coveredOnBitmap(s, r, first, end, ext),
    });
    lease = { exports, host: slot };
  }
  lease.host.target = host;
  return lease;
}

/** Gives a kernel back: its model must not evaluate again. */
export function releaseKernel(lease: KernelLease): void {
  lease.host.target = null;
  idle.push(lease);
}

/** Distinct values of a·i + b·j for 0 ≤ i < n, 0 ≤ j < k (a, b > 0), by the kernel's closed form (for tests). */
export function gridDistinct(a: number, n: number, b: number, k: number): number {
  gridKernel ??= instantiate({ listPositions: () => 0, coveredOnBitmap: () => 0 });
  return gridKernel.gridDistinct(a, n, b, k);
}
let gridKernel: KernelExports | undefined;

/** Lays out the kernel's arrays for these sizes after its static data (growing its memory if need be, zeroing them) and points its globals at them; returns a view of each. */
export function kernelViews(kernel: KernelExports, sizes: Sizes): Views {
  const addresses: [ArrayName, number][] = [];
  let end = kernel.heapBase.value;
  for (const name of Object.keys(ARRAYS) as ArrayName[]) {
    const [Ctor, length] = ARRAYS[name];
    end = Math.ceil(end / Ctor.BYTES_PER_ELEMENT) * Ctor.BYTES_PER_ELEMENT;
    addresses.push([name, end]);
    end += Ctor.BYTES_PER_ELEMENT * length(sizes);
  }
  const missing = end - kernel.memory.buffer.byteLength;
  if (missing > 0) kernel.memory.grow(Math.ceil(missing / 65536));
  // As a new instance's: a kernel given back holds its last model's arrays.
  new Uint8Array(kernel.memory.buffer, kernel.heapBase.value, end - kernel.heapBase.value).fill(0);
  const views: Partial<Record<ArrayName, ArrayType>> = {};
  for (const [name, at] of addresses) {
    const [Ctor, length] = ARRAYS[name];
    kernel[name].value = at;
    views[name] = new Ctor(kernel.memory.buffer, at, length(sizes));
  }
  for (const size of ['L', 'D', 'DS', 'R'] as const) kernel[size].value = sizes[size];
  const v = views as Views;
  v.T.fill(1, sizes.L * sizes.D); // the row below the innermost level
  return v;
}
