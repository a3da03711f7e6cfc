import { AccelmapError } from '../../util/errors.js';
import type { AluInsn, GemmInsn, Insn, Uop } from './isa.js';
import { MODULES, moduleOf, type ModuleName, type VtaDram, type VtaProgram } from './program.js';
import { bufferDepths, type VtaTarget } from './spec.js';

type Buffer = 'inp' | 'wgt' | 'acc' | 'uop';

/** A buffer range an instruction reads or writes, [lo, hi] in elements. */
interface Access {
  buffer: Buffer;
  lo: number;
  hi: number;
  write: boolean;
}

/** The four dependency queues, named by producer→consumer. */
export type QueueName = 'l2c' | 'c2l' | 'c2s' | 's2c';

/** The queue an instruction's flag pops from or pushes to; undefined where the module has no such neighbour. */
export function queueOf(module: ModuleName, flag: 'popPrev' | 'popNext' | 'pushPrev' | 'pushNext'): QueueName | undefined {
  const table: Record<ModuleName, Partial<Record<typeof flag, QueueName>>> = {
    load: { popNext: 'c2l', pushNext: 'l2c' },
    compute: { popPrev: 'l2c', pushPrev: 'c2l', popNext: 's2c', pushNext: 'c2s' },
    store: { popPrev: 'c2s', pushPrev: 's2c' },
  };
  return table[module][flag];
}

export const POPS = ['popPrev', 'popNext'] as const;
export const PUSHES = ['pushPrev', 'pushNext'] as const;

function reject(message: string, index: number | undefined, hint: string): never {
  throw new AccelmapError('infeasible', message, index === undefined ? { path: 'program' } : { path: `instruction ${index}` }, hint);
}

function loopRange(insn: GemmInsn | AluInsn, uops: readonly Uop[], key: keyof Uop, factorOut: number, factorIn: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let u = insn.uopBegin; u < insn.uopEnd; u++) {
    lo = Math.min(lo, uops[u]![key]);
    hi = Math.max(hi, uops[u]![key]);
  }
  return [lo, hi + (insn.iterOut - 1) * factorOut + (insn.iterIn - 1) * factorIn];
}

/** The buffer ranges an instruction touches, given the micro-ops loaded at that point (conservative: a loop's whole span). */
function accesses(insn: Insn, uops: readonly Uop[]): Access[] {
  if (insn.op === 'finish') return [];
  if (insn.op !== 'gemm' && insn.op !== 'alu') {
    const rows = insn.yPad0 + insn.ySize + insn.yPad1;
    const cols = insn.xPad0 + insn.xSize + insn.xPad1;
    if (rows * cols === 0) return [];
    const buffer: Buffer = insn.op === 'store' ? 'acc' : (insn.mem as Buffer);
    return [{ buffer, lo: insn.sramBase, hi: insn.sramBase + rows * cols - 1, write: insn.op === 'load' }];
  }
  const n = (insn.uopEnd - insn.uopBegin) * insn.iterOut * insn.iterIn;
  const list: Access[] = [{ buffer: 'uop', lo: insn.uopBegin, hi: insn.uopEnd - 1, write: false }];
  if (n === 0) return [];
  const [dlo, dhi] = loopRange(insn, uops, 'dst', insn.dstFactorOut, insn.dstFactorIn);
  list.push({ buffer: 'acc', lo: dlo, hi: dhi, write: true });
  if (insn.reset) return list;
  const [slo, shi] = loopRange(insn, uops, 'src', insn.srcFactorOut, insn.srcFactorIn);
  if (insn.op === 'gemm') {
    const [wlo, whi] = loopRange(insn, uops, 'wgt', insn.wgtFactorOut, insn.wgtFactorIn);
    list.push({ buffer: 'inp', lo: slo, hi: shi, write: false }, { buffer: 'wgt', lo: wlo, hi: whi, write: false });
  } else if (!insn.useImm) list.push({ buffer: 'acc', lo: slo, hi: shi, write: false });
  return list;
}

/**
 * Rejects, before simulation, a program that would misbehave: a flag naming
 * a neighbour the module lacks, a missing or misplaced FINISH, an access
 * outside a buffer or a DRAM region, a pop that no push can ever satisfy
 * (deadlock), tokens left over at the end, and a hazard: two instructions on
 * different modules touching the same buffer elements (one writing) that
 * the dependency tokens do not order the way the stream does.
 */
export function checkProgram(t: VtaTarget, program: VtaProgram, dram: VtaDram): void {
  const insns = program.insns;
  const depth: Record<Buffer, number> = (({ input, weight, acc, uop }) => ({ inp: input, wgt: weight, acc, uop }))(bufferDepths(t));
  const dramLen: Record<string, number> = { inp: dram.inp.length / (t.batch * t.blockIn), wgt: dram.wgt.length / (t.blockIn * t.blockOut), acc: dram.acc.length / (t.batch * t.blockOut), uop: dram.uop.length, out: dram.out.length / (t.batch * t.blockOut) };
  const last = insns.length - 1;
  if (insns[last]?.op !== 'finish') reject('the program does not end with FINISH', undefined, 'end every program with one FINISH');

  // Footprints, with the micro-op buffer's contents tracked along the compute stream.
  const uopBuf = new Array<Uop>(depth.uop).fill({ dst: 0, src: 0, wgt: 0 });
  const foot: Access[][] = insns.map((insn, i) => {
    if (insn.op === 'finish' && i !== last) reject('FINISH before the end of the program', i, 'only the last instruction may be FINISH');
    const mod = moduleOf(insn);
    for (const flag of [...POPS, ...PUSHES]) if (insn[flag] && !queueOf(mod, flag)) reject(`${flag} on the ${mod} module, which has no such neighbour`, i, 'load has no previous module, store no next');
    if (insn.op === 'load' || insn.op === 'store') {
      if ((insn.op === 'store') !== (insn.mem === 'out')) reject(`${insn.op.toUpperCase()} of '${insn.mem}'`, i, 'STORE writes outputs; LOAD fills uop, wgt, inp or acc');
      if (insn.op === 'store' && insn.xPad0 + insn.xPad1 + insn.yPad0 + insn.yPad1 > 0) reject('STORE with padding', i, 'only LOAD pads');
      if (insn.ySize > 0 && insn.xSize > 0 && (insn.xStride < insn.xSize || insn.dramBase + (insn.ySize - 1) * insn.xStride + insn.xSize > dramLen[insn.mem]!)) reject(`${insn.mem} DRAM access beyond the region's ${dramLen[insn.mem]} elements or rows overlapping (x_stride < x_size)`, i, 'fix dram_base, sizes or stride');
      if (insn.op === 'load' && insn.mem === 'uop') {
        const cols = insn.xPad0 + insn.xSize + insn.xPad1;
        for (let r = 0; r < insn.yPad0 + insn.ySize + insn.yPad1; r++)
          for (let c = 0; c < cols; c++) {
            const y = r - insn.yPad0;
            const x = c - insn.xPad0;
            const inside = y >= 0 && y < insn.ySize && x >= 0 && x < insn.xSize;
            const at = insn.sramBase + r * cols + c;
            if (at < depth.uop) uopBuf[at] = inside ? dram.uop[insn.dramBase + y * insn.xStride + x]! : { dst: 0, src: 0, wgt: 0 };
          }
      }
    } else if ((insn.op === 'gemm' || insn.op === 'alu') && insn.uopEnd > depth.uop) reject(`micro-ops up to ${insn.uopEnd} beyond the ${depth.uop}-entry buffer`, i, 'fix uop_end');
    const list = accesses(insn, uopBuf);
    for (const a of list) if (a.lo < 0 || a.hi >= depth[a.buffer]) reject(`${a.buffer} buffer access [${a.lo}, ${a.hi}] outside its ${depth[a.buffer]} elements`, i, 'tile to fit the buffer');
    return list;
  });

  // Token replay with vector clocks (entry m: instructions of module m that happen before).
  const streams = MODULES.map((m) => insns.flatMap((insn, i) => (moduleOf(insn) === m ? [i] : [])));
  const queues: Record<QueueName, number[][]> = { l2c: [], c2l: [], c2s: [], s2c: [] };
  const clock: number[][] = insns.map(() => [0, 0, 0]);
  const pos = [0, 0, 0];
  let progressed = true;
  while (progressed) {
    progressed = false;
    MODULES.forEach((m, mi) => {
      for (;;) {
        const i = streams[mi]![pos[mi]!];
        if (i === undefined) return;
        const insn = insns[i]!;
        const pops = POPS.filter((f) => insn[f]).map((f) => queueOf(m, f)!);
        if (pops.some((q) => queues[q].length === 0)) return;
        const vc = pos[mi]! > 0 ? clock[streams[mi]![pos[mi]! - 1]!]!.slice() : [0, 0, 0];
        for (const q of pops) queues[q].shift()!.forEach((v, k) => (vc[k] = Math.max(vc[k]!, v)));
        vc[mi] = pos[mi]! + 1;
        clock[i] = vc;
        for (const f of PUSHES) if (insn[f]) queues[queueOf(m, f)!].push(vc);
        pos[mi]!++;
        progressed = true;
      }
    });
  }
  MODULES.forEach((m, mi) => {
    const i = streams[mi]![pos[mi]!];
    if (i !== undefined) reject(`deadlock: the ${m} module waits forever for a token (${POPS.filter((f) => insns[i]![f]).join(' and ')})`, i, 'every pop needs a matching push on the neighbouring module');
  });
  for (const q of Object.keys(queues) as QueueName[]) if (queues[q].length > 0) reject(`${queues[q].length} token(s) left in the ${q} queue at the end`, undefined, 'pushes and pops must balance');

  // Hazards: conflicting accesses on different modules must be ordered as in the stream.
  const moduleIndex = insns.map((insn) => MODULES.indexOf(moduleOf(insn)));
  const indexInModule = insns.map((_, i) => clock[i]![moduleIndex[i]!]!);
  for (let b = 0; b < insns.length; b++) {
    for (let a = 0; a < b; a++) {
      if (moduleIndex[a] === moduleIndex[b]) continue;
      const conflict = foot[a]!.some((x) => foot[b]!.some((y) => x.buffer === y.buffer && (x.write || y.write) && x.lo <= y.hi && y.lo <= x.hi));
      if (conflict && clock[b]![moduleIndex[a]!]! < indexInModule[a]!) {
        reject(`hazard: instruction ${a} (${insns[a]!.op} on ${moduleOf(insns[a]!)}) and this ${insns[b]!.op} on ${moduleOf(insns[b]!)} touch the same buffer elements without a dependency token ordering them`, b, 'add a push/pop pair between the two modules');
      }
    }
  }
}
