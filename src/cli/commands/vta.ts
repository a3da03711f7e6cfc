import { join } from 'node:path';
import type { Command } from 'commander';
import { encodeProgram, encodeUop } from '../../targets/vta/isa.js';
import { lowerDense, packDense } from '../../targets/vta/dense.js';
import { simulate } from '../../targets/vta/simulate.js';
import { loadVtaTarget } from '../../targets/vta/spec.js';
import { vtaListing, vtaRunSummary } from '../../report/vta.js';
import { vtaTrace } from '../../report/vta-trace.js';
import { AccelmapError } from '../../util/errors.js';
import { makeDirectory, writeBinaryFile, writeTextFile } from '../../util/files.js';
import { Rng } from '../../util/rng.js';
import { nonNegativeInt, oneOf, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';

interface VtaFlags {
  dense: string;
  target: string;
  set: string[];
  virtualThreads: '1' | '2';
  tileRows?: number;
  tileN?: number;
  tileK?: number;
  seed: number;
  out?: string;
  trace?: string;
  json?: boolean;
}

function denseShape(value: string): { m: number; k: number; n: number } {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(value.trim());
  if (!m || [m[1], m[2], m[3]].some((v) => Number(v) < 1)) throw new AccelmapError('bad-flag', `--dense '${value}' is not MxKxN`, {}, 'e.g. --dense 64x256x128 (rows × inputs × outputs)');
  return { m: Number(m[1]), k: Number(m[2]), n: Number(m[3]) };
}

export function registerVta(program: Command, io: Io): void {
  program
    .command('vta')
    .description('lower one dense layer (or 1×1 convolution) to a VTA program and simulate it: cycles, module busy/stall, VTA counters')
    .requiredOption('--dense <MxKxN>', 'rows × input features × output features (multiples of BATCH, BLOCK_IN, BLOCK_OUT)')
    .option('--target <name|file>', 'VTA target preset or spec file', 'vta')
    .option('--set <KEY=VALUE>', 'override a target field, e.g. dma.bytesPerCycle=16 (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--virtual-threads <n>', '1 or 2 instruction streams sharing the buffers in halves', oneOf('--virtual-threads', ['1', '2'] as const), '1')
    .option('--tile-rows <n>', 'row vectors per tile (default: the most that fit)', positiveInt('--tile-rows'))
    .option('--tile-n <n>', 'output-channel blocks per tile (default: the most that fit)', positiveInt('--tile-n'))
    .option('--tile-k <n>', 'reduction blocks per tile (default: the most that fit)', positiveInt('--tile-k'))
    .option('--seed <n>', 'seed of the random int8 inputs and weights', nonNegativeInt('--seed'), 1)
    .option('--out <dir>', 'write program.bin (16-byte instructions), uops.bin (32-bit micro-ops) and listing.txt')
    .option('--trace <file>', 'write a Chrome/Perfetto trace of the load, compute and store modules')
    .option('--json', 'print JSON')
    .action((flags: VtaFlags) => {
      const t = loadVtaTarget(flags.target, flags.set);
      const shape = denseShape(flags.dense);
      const lowering = lowerDense(t, shape, { virtualThreads: flags.virtualThreads === '2' ? 2 : 1, tileRows: flags.tileRows, tileN: flags.tileN, tileK: flags.tileK });
      const rng = new Rng(flags.seed);
      const int8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(256) - 128);
      const run = simulate(t, lowering.program, packDense(t, shape, lowering, int8(shape.m * shape.k), int8(shape.n * shape.k)));
      if (flags.out) {
        makeDirectory(flags.out, '--out');
        writeBinaryFile(join(flags.out, 'program.bin'), encodeProgram(lowering.program.insns), '--out');
        writeBinaryFile(join(flags.out, 'uops.bin'), new Uint8Array(Uint32Array.from(lowering.uops.map(encodeUop)).buffer), '--out');
        writeTextFile(join(flags.out, 'listing.txt'), vtaListing(lowering.program.insns) + '\n', '--out');
      }
      if (flags.trace) writeTextFile(flags.trace, JSON.stringify(vtaTrace([{ insns: lowering.program.insns, timing: run }], t.clockHz)), '--trace');
      const { dram: _dram, buffers: _buffers, spans: _spans, ...figures } = run;
      if (flags.json) return io.out(toJson({ target: t, shape, tiles: lowering.tiles, outputTiles: lowering.outputTiles, steps: lowering.steps, instructions: lowering.program.insns.length, ...figures }));
      io.out(`${t.name}: dense ${shape.m}×${shape.k}×${shape.n}, ${lowering.outputTiles} output tile(s) of ${lowering.tiles.tileRows} row(s) × ${lowering.tiles.tileN} channel block(s), ${lowering.steps} step(s) of ${lowering.tiles.tileK} reduction block(s), ${flags.virtualThreads} virtual thread(s), ${lowering.program.insns.length} instructions\n`);
      io.out(vtaRunSummary(run, t.clockHz));
    });
}
