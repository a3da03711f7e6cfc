import type { AluInsn, GemmInsn, Insn } from './isa.js';
import { POPS, PUSHES, queueOf, type QueueName } from './check.js';
import { MODULES, moduleOf, type ModuleName, type VtaProgram } from './program.js';
import { elementBytes, type VtaTarget } from './spec.js';

/** VTA's performance counters. */
export interface VtaCounters {
  inpBytesLoaded: number;
  wgtBytesLoaded: number;
  accBytesLoaded: number;
  uopBytesLoaded: number;
  outBytesStored: number;
  /** Micro-op executions (every loop iteration of every micro-op, resets included). */
  gemmUops: number;
  aluUops: number;
}

export interface ModuleTime {
  /** Cycles running instructions. */
  busy: number;
  /** Cycles an instruction had been fetched but waited for a dependency token. */
  depStall: number;
  /** Cycles the module waited for its next instruction to be fetched. */
  fetchStall: number;
}

export interface VtaTiming {
  cycles: number;
  modules: Record<ModuleName, ModuleTime>;
  counters: VtaCounters;
  /** Multiply-accumulates done by GEMM (reset micro-ops excluded). */
  macs: number;
  /** Start and end cycle of each instruction. */
  spans: { start: number; end: number }[];
}

/** Micro-op executions of a GEMM or ALU loop. */
function loopUops(insn: GemmInsn | AluInsn): number {
  return (insn.uopEnd - insn.uopBegin) * insn.iterOut * insn.iterIn;
}

/**
 * Cycles an ALU loop occupies the ALU, excluding pipeline fill. Each
 * micro-op execution works on one vector of BATCH × BLOCK_OUT elements; the
 * ALU takes `lanes` elements per issue, one issue every initiation interval:
 * a vector wider than the lanes takes ceil(vector / lanes) issues, and lanes
 * a multiple of the vector take lanes / vector consecutive executions of the
 * loop per issue (the lowering's ALU loops never write one accumulator twice
 * in a loop, so their executions are independent).
 */
export function aluIssueCycles(t: VtaTarget, insn: AluInsn): number {
  const vector = t.batch * t.blockOut;
  const n = loopUops(insn);
  const issues = t.alu.lanes >= vector ? Math.ceil(n / Math.floor(t.alu.lanes / vector)) : n * Math.ceil(vector / t.alu.lanes);
  return issues * t.alu.initiationInterval;
}

/** DRAM bytes an instruction moves (padding is written on chip, not read). */
export function dmaBytes(t: VtaTarget, insn: Insn): number {
  if (insn.op !== 'load' && insn.op !== 'store') return 0;
  return insn.ySize * insn.xSize * elementBytes(t)[insn.mem === 'inp' ? 'input' : insn.mem === 'wgt' ? 'weight' : insn.mem];
}

/**
 * Cycle timing of a checked program. Load, compute and store run their own
 * streams in order, concurrently, synchronised only by the dependency
 * queues (pops before an instruction starts, pushes when it ends).
 * Instructions are fetched in stream order over their own port at the DMA
 * rate (16 bytes each, after one DMA latency). Loads and stores share one
 * DRAM port, served first come first served: a transfer holds it for
 * ceil(bytes / bytesPerCycle) cycles and completes a DMA latency later;
 * padding is written at one element per cycle. GEMM issues one micro-op per
 * cycle and ALU one vector slice every initiation interval, each plus its
 * pipeline depth; FINISH takes one cycle.
 */
export function runTiming(t: VtaTarget, program: VtaProgram): VtaTiming {
  const insns = program.insns;
  const fetched = insns.map((_, i) => t.dma.latency + Math.ceil((16 * (i + 1)) / t.dma.bytesPerCycle));
  const streams = MODULES.map((m) => insns.flatMap((insn, i) => (moduleOf(insn) === m ? [i] : [])));
  const pos = [0, 0, 0];
  const freeAt = [0, 0, 0];
  const queues: Record<QueueName, number[]> = { l2c: [], c2l: [], c2s: [], s2c: [] };
  const modules = Object.fromEntries(MODULES.map((m) => [m, { busy: 0, depStall: 0, fetchStall: 0 }])) as Record<ModuleName, ModuleTime>;
  const counters: VtaCounters = { inpBytesLoaded: 0, wgtBytesLoaded: 0, accBytesLoaded: 0, uopBytesLoaded: 0, outBytesStored: 0, gemmUops: 0, aluUops: 0 };
  const spans = insns.map(() => ({ start: 0, end: 0 }));
  let portFree = 0;
  let macs = 0;
  let cycles = 0;

  for (;;) {
    let best: { mi: number; start: number; ready: number } | undefined;
    MODULES.forEach((m, mi) => {
      const i = streams[mi]![pos[mi]!];
      if (i === undefined) return;
      const pops = POPS.filter((f) => insns[i]![f]).map((f) => queues[queueOf(m, f)!]);
      if (pops.some((q) => q.length === 0)) return;
      const ready = Math.max(freeAt[mi]!, fetched[i]!);
      const start = Math.max(ready, ...pops.map((q) => q[0]!));
      if (!best || start < best.start) best = { mi, start, ready };
    });
    if (!best) break;
    const { mi, start, ready } = best;
    const m = MODULES[mi]!;
    const i = streams[mi]![pos[mi]!]!;
    const insn = insns[i]!;
    for (const f of POPS) if (insn[f]) queues[queueOf(m, f)!].shift();
    let end: number;
    if (insn.op === 'load' || insn.op === 'store') {
      const bytes = dmaBytes(t, insn);
      const padElements = (insn.yPad0 + insn.ySize + insn.yPad1) * (insn.xPad0 + insn.xSize + insn.xPad1) - insn.ySize * insn.xSize;
      let dmaEnd = start;
      if (bytes > 0) {
        const begin = Math.max(start, portFree);
        portFree = begin + Math.ceil(bytes / t.dma.bytesPerCycle);
        dmaEnd = portFree + t.dma.latency;
      }
      end = Math.max(start + 1, dmaEnd + padElements);
      const key = insn.op === 'store' ? 'outBytesStored' : (`${insn.mem}BytesLoaded` as const);
      counters[key as keyof VtaCounters] += bytes;
    } else if (insn.op === 'gemm') {
      const n = loopUops(insn);
      counters.gemmUops += n;
      if (!insn.reset) macs += n * t.batch * t.blockIn * t.blockOut;
      end = start + (n > 0 ? n + t.gemm.pipelineDepth : 1);
    } else if (insn.op === 'alu') {
      const n = loopUops(insn);
      counters.aluUops += n;
      end = start + (n > 0 ? aluIssueCycles(t, insn) + t.alu.pipelineDepth : 1);
    } else end = start + 1;
    for (const f of PUSHES) if (insn[f]) queues[queueOf(m, f)!].push(end);
    const time = modules[m];
    time.busy += end - start;
    time.depStall += start - ready;
    time.fetchStall += Math.max(0, fetched[i]! - freeAt[mi]!);
    spans[i] = { start, end };
    freeAt[mi] = end;
    pos[mi]!++;
    cycles = Math.max(cycles, end);
  }
  if (pos.some((p, mi) => p < streams[mi]!.length)) throw new Error('timing: program deadlocked (run checkProgram first)');
  return { cycles, modules, counters, macs, spans };
}
