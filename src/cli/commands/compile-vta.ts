import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { compileForVta, runOnVta } from '../../api/vta.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { readTensorFile, tensorFileFormat, writeTensorFile } from '../../execute/tensor-files.js';
import type { CalibrationMethod } from '../../quantize/calibrate.js';
import type { OutputAgreement } from '../../quantize/measure.js';
import { vtaCompileSummary } from '../../report/vta-compile.js';
import { vtaListing } from '../../report/vta.js';
import { vtaTrace } from '../../report/vta-trace.js';
import { runTiming } from '../../targets/vta/timing.js';
import { encodeProgram, encodeUop } from '../../targets/vta/isa.js';
import type { VtaCompiled } from '../../targets/vta/compile.js';
import { TUNE_STRATEGIES, TuningLog, type TuneStrategy } from '../../targets/vta/tune.js';
import { AccelmapError } from '../../util/errors.js';
import { fileErrorReason, makeDirectory, writeBinaryFile, writeTextFile } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { nonNegativeInt, oneOf, outputFile, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { loadOptions, type ModelFlags } from '../model-options.js';

/** The flags `compile --target vta` adds. */
export interface VtaFlags {
  target?: string;
  set: string[];
  tune?: number;
  tuneStrategy: TuneStrategy;
  tuningLog?: string;
  calibrate: number;
  calibration: CalibrationMethod;
  seed: number;
  run?: boolean;
  inputs?: string;
  outputs?: string;
  out?: string;
  trace?: string;
}

export function addVtaOptions(cmd: Command): Command {
  return cmd
    .option('--target <vta|file.yaml>', 'compile the int8-quantized graph for a VTA target (preset or spec file) instead of comparing passes')
    .option('--set <KEY=VALUE>', 'with --target: override a target field, e.g. alu.initiationInterval=1 (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--tune <n>', 'with --target: try up to N schedules per layer on the timing simulator', positiveInt('--tune'))
    .addOption(new Option('--tune-strategy <name>', `with --tune: how each layer's schedule space is searched (${TUNE_STRATEGIES.join(' or ')})`).argParser(oneOf('--tune-strategy', TUNE_STRATEGIES)).default('nsga2'))
    .option('--tuning-log <file>', 'with --target: JSON lines of tried schedules, read first and appended to by --tune')
    .option('--calibrate <n>', 'with --target: input sets (seeds seed+1…) that calibrate the activation scales', positiveInt('--calibrate'), 2)
    .addOption(new Option('--calibration <method>', 'with --target: activation clip from max, percentile (99.99th of |x|) or mse').argParser(oneOf('--calibration', ['max', 'percentile', 'mse'] as const)).default('max'))
    .option('--seed <n>', 'with --target: seed of a zoo model\'s weights, generated inputs and the tuner', nonNegativeInt('--seed'), 1)
    .option('--run', 'with --target: run the program on the simulator (host ops on the executor) and check it against the integer reference')
    .option('--inputs <file>', 'with --run: input values (.npz by name, .npy or .pb)')
    .option('--outputs <file>', 'with --run: write the outputs (.npz by name, .npy or .pb)', outputFile('--outputs', 'outputs'))
    .option('--trace <file>', 'with --target: write a Chrome/Perfetto trace of the load, compute and store modules, layer after layer')
    .option('--out <dir>', 'with --target: write each layer\'s program (NNN-name.insn.bin, .uop.bin, .wgt.bin, .acc.bin), layout.json and listing.txt');
}

/** `compile MODEL --target vta …`. */
export async function compileVtaCommand(model: string, flags: VtaFlags & ModelFlags & { json?: boolean }, io: Io): Promise<void> {
  if (!flags.target) throw new Error('compileVtaCommand without --target');
  if (!flags.run && (flags.inputs || flags.outputs)) throw new AccelmapError('bad-flag', `${flags.inputs ? '--inputs' : '--outputs'} needs --run`, {}, 'add --run to run the program on the simulator');
  if (flags.outputs) tensorFileFormat(flags.outputs, '--outputs');
  const graph = loadGraph(model, loadOptions(flags));
  const log = flags.tuningLog ? TuningLog.read(flags.tuningLog) : undefined;
  const progress = stderrProgress(`compile ${graph.name} for ${flags.target}`);
  const result = await compileForVta(graph, { weightsFrom: isModelFile(model) ? model : undefined, target: flags.target, set: flags.set, calibrate: flags.calibrate, calibration: flags.calibration, seed: flags.seed, tune: flags.tune, tuneStrategy: flags.tuneStrategy, log, onProgress: (m) => progress.update(m) });
  if (flags.tuningLog && result.tuned.length) {
    try {
      appendFileSync(flags.tuningLog, result.tuned.map((r) => JSON.stringify(r) + '\n').join(''));
    } catch (e) {
      throw new AccelmapError('io', `cannot write the tuning log: ${fileErrorReason(e)}`, { file: flags.tuningLog });
    }
  }
  if (flags.out) writeProgram(flags.out, result.compiled);
  if (flags.trace) {
    const c = result.compiled;
    writeTextFile(flags.trace, JSON.stringify(vtaTrace(c.layers.flatMap((cl) => cl.lowered.passes.map((p, i) => ({ name: passName(cl.layer.name, i), insns: p.program.insns, timing: runTiming(c.target, p.program) }))), c.target.clockHz)), '--trace');
  }
  let check: { bitExact: boolean; firstMismatch?: string; fp32: OutputAgreement[] } | undefined;
  if (flags.run) {
    let feeds = seededInputs(graph, flags.seed);
    if (flags.inputs) {
      const bound = bindInputs(graph, readTensorFile(flags.inputs, graph.inputs, '--inputs'), flags.inputs);
      bound.notes.forEach((n) => io.err(`note: ${n}`));
      feeds = bound.feeds;
    }
    const r = runOnVta(result.compiled, feeds, (m) => progress.update(m));
    check = { bitExact: r.bitExact, firstMismatch: r.firstMismatch, fp32: r.fp32 };
    if (flags.outputs) writeTensorFile(flags.outputs, r.run.outputs, '--outputs');
  }
  progress.done();
  const host = result.compiled.host;
  if (flags.json) {
    const { compiled: _c, ...rest } = result;
    return io.out(toJson({ model: graph.name, target: result.compiled.target, host, ...rest, ...(check ? { run: check } : {}) }));
  }
  io.out(vtaCompileSummary(result));
  if (flags.tuningLog) io.out(`tuning log ${flags.tuningLog}: ${result.tuned.length} record(s) added`);
  if (check) {
    io.out(check.bitExact ? 'run: the simulator\'s int8 result equals the integer reference on every tensor' : `run: MISMATCH against the integer reference, first at tensor '${check.firstMismatch}'`);
    for (const a of check.fp32) io.out(`int8 against fp32, output ${a.name}: SQNR ${a.sqnrDb.toFixed(1)} dB, top-1 agreement ${a.top1Agreement * a.rows}/${a.rows}, largest |error| ${a.maxAbsError.toPrecision(3)}`);
  }
  if (flags.outputs) io.out(`outputs written to ${flags.outputs}`);
  if (flags.out) io.out(`program written to ${flags.out}`);
}

/** Per layer: instructions, micro-ops, the constant DRAM regions (weights; bias and shift vectors); the layout and a listing. */
function writeProgram(dir: string, c: VtaCompiled): void {
  makeDirectory(dir, '--out');
  const layout: unknown[] = [];
  const listing: string[] = [];
  c.layers.forEach((cl, i) => {
    const base = `${String(i).padStart(3, '0')}-${cl.layer.name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    const sizes = cl.layer.inputs.map((t) => c.qgraph.graph.tensors[t]!.shape.reduce((a, b) => a * b, 1));
    cl.lowered.passes.forEach((pass, p) => {
      const stem = p === 0 ? base : `${base}.alu${p}`;
      const dram = pass.dram(p === 0 ? sizes.map((n) => new Int8Array(n)) : [new Int8Array(cl.lowered.passes[p - 1]!.elements)]);
      writeBinaryFile(join(dir, `${stem}.insn.bin`), encodeProgram(pass.program.insns), '--out');
      writeBinaryFile(join(dir, `${stem}.uop.bin`), new Uint8Array(Uint32Array.from(pass.uops.map(encodeUop)).buffer), '--out');
      const gemm = cl.layer.kind === 'gemm' && p === 0;
      if (gemm) {
        writeBinaryFile(join(dir, `${stem}.wgt.bin`), new Uint8Array(dram.wgt.buffer), '--out');
        writeBinaryFile(join(dir, `${stem}.acc.bin`), new Uint8Array(dram.acc.buffer), '--out');
      }
      const conv = cl.layer.kind === 'gemm' && cl.layer.conv;
      layout.push({
        layer: cl.layer.name,
        kind: p === 0 ? cl.layer.kind : 'alu pass',
        files: stem,
        schedule: cl.lowered.schedule,
        instructions: pass.program.insns.length,
        regions: {
          inp: { bytes: dram.inp.length, holds: gemm ? (conv ? 'im2col rows of the input, blocked [row/BATCH][k/BLOCK_IN][BATCH][BLOCK_IN]' : 'input rows, blocked [row/BATCH][k/BLOCK_IN][BATCH][BLOCK_IN]') : 'unused' },
          wgt: { bytes: dram.wgt.length, holds: gemm ? 'weights, blocked [n/BLOCK_OUT][k/BLOCK_IN][BLOCK_OUT][BLOCK_IN] (in .wgt.bin)' : 'unused' },
          acc: { bytes: dram.acc.length * 4, holds: gemm ? 'int32 bias (with the rounding half), then shift vectors, per output channel (in .acc.bin)' : p > 0 ? 'int32 codes of the GEMM pass\'s output' : cl.layer.kind === 'maxpool' ? 'int32 window elements, one operand per window position, padding −128' : 'int32 operands, operand-major' },
          out: { bytes: dram.out.length, holds: 'int8 output vectors' },
        },
      });
      listing.push(`# ${stem} (${p === 0 ? cl.layer.kind : 'alu pass'}: ${cl.layer.nodes.join(' + ')})`, vtaListing(pass.program.insns), '');
    });
  });
  writeTextFile(join(dir, 'layout.json'), JSON.stringify({ target: c.target, host: c.host, layers: layout }, null, 2) + '\n', '--out');
  writeTextFile(join(dir, 'listing.txt'), listing.join('\n'), '--out');
}

/** A pass's name in a trace: the layer's, and for a later pass which one. */
const passName = (layer: string, pass: number) => (pass === 0 ? layer : `${layer} (ALU pass ${pass})`);
