/** The part of the WebAssembly API the kernels use (the compiler's libraries declare none of it). */
export const wasm = (globalThis as unknown as {
  WebAssembly: {
    Module: (new (bytes: Uint8Array) => object) & { exports(module: object): { name: string; kind: string }[] };
    Instance: new (module: object, imports: object) => { exports: unknown };
  };
}).WebAssembly;

/** A kernel's exported memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
