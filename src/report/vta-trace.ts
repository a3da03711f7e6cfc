import type { ChromeTrace, TraceEvent } from './trace.js';
import type { Insn } from '../targets/vta/isa.js';
import { MODULES, moduleOf } from '../targets/vta/program.js';
import type { VtaTiming } from '../targets/vta/timing.js';

/**
 * A simulated run in the Chrome trace-event format (Perfetto opens it): one
 * thread per module, one slice per instruction. Times in microseconds at the
 * target's clock.
 */
export function vtaTrace(insns: readonly Insn[], timing: VtaTiming, clockHz: number): ChromeTrace {
  const us = (cycles: number) => (cycles / clockHz) * 1e6;
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, args: { name: 'VTA' } }];
  MODULES.forEach((m, i) => events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: { name: m } }));
  insns.forEach((insn, i) => {
    const { start, end } = timing.spans[i]!;
    const name = insn.op === 'load' || insn.op === 'store' ? `${insn.op} ${insn.mem}` : insn.op;
    events.push({ name, cat: insn.op, ph: 'X', pid: 1, tid: MODULES.indexOf(moduleOf(insn)) + 1, ts: us(start), dur: us(end - start), args: { instruction: i, startCycle: start, endCycle: end } });
  });
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { cycles: timing.cycles, clockHz } };
}
