import { costModelWasm } from '../generated/costmodel-wasm.js';

/**
 * The interface to the cost model's WebAssembly kernel (assembly/costmodel.ts,
 * compiled by scripts/build.mjs into src/generated/): instantiation, the
 * kernel's arrays as typed-array views of its memory, and the indices of its
 * scalar inputs and results. CostModel (model.ts) is its one user.
 */

type ArrayType = Int32Array | Int8Array | Uint8Array | Float64Array;
/** Levels, dims, data spaces, tensor ranks and projection terms of a (problem, architecture). */
export type Sizes = { L: number; D: number; DS: number; R: number; terms: number };

/** The kernel's arrays in the order of `address(id)` in assembly/costmodel.ts, with their types and lengths. */
const ARRAYS = {
  temporal: [Int32Array, (z: Sizes) => z.L * z.D],
  spatialX: [Int32Array, (z: Sizes) => z.L * z.D],
  spatialY: [Int32Array, (z: Sizes) => z.L * z.D],
  order: [Int8Array, (z: Sizes) => z.L * z.D],
  keep: [Uint8Array, (z: Sizes) => z.L * z.DS],
  params: [Float64Array, () => 8],
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
  allowed: [Uint8Array, (z: Sizes) => z.L * z.DS],
  T: [Float64Array, (z: Sizes) => (z.L + 1) * z.D],
  extent: [Float64Array, (z: Sizes) => z.L * z.R],
  loopDim: [Int32Array, (z: Sizes) => z.L * z.D],
  loopN: [Float64Array, (z: Sizes) => z.L * z.D],
  loopStride: [Float64Array, (z: Sizes) => z.L * z.D],
  loopsFrom: [Int32Array, (z: Sizes) => z.L + 1],
  spatialProd: [Float64Array, (z: Sizes) => z.L],
  usedInstances: [Float64Array, (z: Sizes) => z.L + 1],
  out: [Float64Array, () => 12],
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

/** Indices into the kernel's `params` (inputs) and `out` (results). */
export const P = { macsPerCycle: 0, energyPerMac: 1, leakPjPerCycle: 2, realMacs: 3, macUnits: 4, elide: 5 } as const;
export const O = {
  invalidCode: 0, invalidWhere: 1, invalidValue: 2, computeCycles: 3, cycles: 4, paddedMacs: 5,
  usedUnits: 6, macEnergyPj: 7, leakEnergyPj: 8, totalEnergyPj: 9, utilization: 10, loops: 11,
} as const;

export interface KernelExports {
  memory: { buffer: ArrayBuffer };
  setup(L: number, D: number, DS: number, R: number, terms: number): void;
  address(id: number): number;
  evaluate(): number;
  gridDistinct(a: number, n: number, b: number, k: number): number;
}

/** The part of the WebAssembly API used here (the compiler's libraries declare none of it). */
const wasm = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: unknown } };
}).WebAssembly;
let kernelModule: object | undefined;

/** What the kernel calls back for its two rare general cases (see CostModel). */
export interface KernelHost {
  listPositions(parent: number, child: number, s: number, rw: number): number;
  coveredOnBitmap(s: number, r: number, first: number, ext: number): number;
}

export function instantiate(host: KernelHost): KernelExports {
  kernelModule ??= new wasm.Module(Buffer.from(costModelWasm, 'base64'));
  const instance = new wasm.Instance(kernelModule, {
    // The kernel allocates only in setup(); AssemblyScript's runtime aborts when such an allocation fails.
    env: { abort: () => { throw new Error('cost-model kernel: out of memory while allocating its arrays'); } },
    host,
  });
  return instance.exports as unknown as KernelExports;
}

/** Distinct values of a·i + b·j for 0 ≤ i < n, 0 ≤ j < k (a, b > 0), by the kernel's closed form (for tests). */
export function gridDistinct(a: number, n: number, b: number, k: number): number {
  gridKernel ??= instantiate({ listPositions: () => 0, coveredOnBitmap: () => 0 });
  return gridKernel.gridDistinct(a, n, b, k);
}
let gridKernel: KernelExports | undefined;

/** Allocates the kernel's arrays for these sizes; returns a view of each. */
export function kernelViews(kernel: KernelExports, sizes: Sizes): Views {
  kernel.setup(sizes.L, sizes.D, sizes.DS, sizes.R, sizes.terms);
  const buffer = kernel.memory.buffer;
  const views: Partial<Record<ArrayName, ArrayType>> = {};
  (Object.keys(ARRAYS) as ArrayName[]).forEach((name, id) => {
    const [Ctor, length] = ARRAYS[name];
    views[name] = new Ctor(buffer, kernel.address(id), length(sizes));
  });
  return views as Views;
}
