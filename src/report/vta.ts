import type { Insn } from '../targets/vta/isa.js';
import { moduleOf } from '../targets/vta/program.js';
import type { VtaRun } from '../targets/vta/simulate.js';
import { renderTable } from './table.js';
import { formatCount, formatPercent } from '../util/units.js';

function flags(i: Insn): string {
  const on = (['popPrev', 'popNext', 'pushPrev', 'pushNext'] as const).filter((f) => i[f]);
  return on.length ? ` [${on.join(' ')}]` : '';
}

/** One readable line per instruction. */
export function vtaListing(insns: readonly Insn[]): string {
  return insns
    .map((i, n) => {
      let body: string;
      if (i.op === 'gemm' || i.op === 'alu') {
        const loop = `uop [${i.uopBegin},${i.uopEnd}) ${i.iterOut}×${i.iterIn} dst ${i.dstFactorOut},${i.dstFactorIn} src ${i.srcFactorOut},${i.srcFactorIn}`;
        body = i.op === 'gemm' ? `GEMM${i.reset ? ' reset' : ''} ${loop} wgt ${i.wgtFactorOut},${i.wgtFactorIn}` : `ALU ${i.aluOp}${i.useImm ? ` imm ${i.imm}` : ''}${i.reset ? ' reset' : ''} ${loop}`;
      } else if (i.op === 'finish') body = 'FINISH';
      else body = `${i.op.toUpperCase()} ${i.mem} sram ${i.sramBase} dram ${i.dramBase} ${i.ySize}×${i.xSize} stride ${i.xStride} pad ${i.yPad0},${i.yPad1},${i.xPad0},${i.xPad1}`;
      return `${String(n).padStart(4)}  ${moduleOf(i).padEnd(7)} ${body}${flags(i)}`;
    })
    .join('\n');
}

/** Cycles, achieved against peak, per-module time and VTA's counters. */
export function vtaRunSummary(run: VtaRun, clockHz: number): string {
  const modules = renderTable(
    ['module', 'busy', 'dependency stall', 'fetch stall'],
    (['load', 'compute', 'store'] as const).map((m) => [m, run.modules[m].busy, run.modules[m].depStall, run.modules[m].fetchStall]),
  );
  const c = run.counters;
  const counters = renderTable(
    ['counter', 'value'],
    [
      ['input bytes loaded', c.inpBytesLoaded],
      ['weight bytes loaded', c.wgtBytesLoaded],
      ['accumulator bytes loaded', c.accBytesLoaded],
      ['micro-op bytes loaded', c.uopBytesLoaded],
      ['output bytes stored', c.outBytesStored],
      ['GEMM micro-ops', c.gemmUops],
      ['ALU micro-ops', c.aluUops],
    ],
  );
  return `${run.cycles} cycles (${formatCount(run.cycles / clockHz * 1e6)} µs), ${formatCount(run.gops)} GOPS of ${formatCount(run.peakGops)} peak (${formatPercent(run.gops / run.peakGops)})\n\n${modules}\n\n${counters}\n`;
}
