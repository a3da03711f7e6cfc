import type { ChromeTrace, TraceEvent } from './trace.js';
import type { Insn } from '../targets/vta/isa.js';
import { MODULES, moduleOf } from '../targets/vta/program.js';
import type { VtaTiming } from '../targets/vta/timing.js';

/**
 * Simulated runs in the Chrome trace-event format (Perfetto opens it): one
 * thread per module, one slice per instruction; several programs (a
 * model's layers) run back to back, each slice named with its program's
 * name. Times in microseconds at the target's clock.
 */
export function vtaTrace(programs: readonly { name?: string; insns: readonly Insn[]; timing: VtaTiming }[], clockHz: number): ChromeTrace {
  const us = (cycles: number) => (cycles / clockHz) * 1e6;
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, args: { name: 'VTA' } }];
  MODULES.forEach((m, i) => events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: { name: m } }));
  let offset = 0;
  for (const p of programs) {
    p.insns.forEach((insn, i) => {
      const { start, end } = p.timing.spans[i]!;
      const op = insn.op === 'load' || insn.op === 'store' ? `${insn.op} ${insn.mem}` : insn.op;
      const name = p.name ? `${p.name}: ${op}` : op;
      events.push({ name, cat: insn.op, ph: 'X', pid: 1, tid: MODULES.indexOf(moduleOf(insn)) + 1, ts: us(offset + start), dur: us(end - start), args: { instruction: i, startCycle: offset + start, endCycle: offset + end } });
    });
    offset += p.timing.cycles;
  }
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { cycles: offset, clockHz } };
}
