import type { MemoryPlan } from '../memory/plan.js';
import type { ChromeTrace, TraceEvent } from './trace.js';

const PID = 1;
export const THREADS = { compute: 1, offload: 2, prefetch: 3 } as const;
const us = (seconds: number) => seconds * 1e6;

/**
 * The memory plan's schedule as a Chrome trace: one process with a compute
 * thread (each step, and the time it waits for copies), a thread per copy
 * direction, and a counter of device memory.
 */
export function chromeTrace(plan: MemoryPlan): ChromeTrace {
  const meta = (name: string, tid: number | undefined, value: string): TraceEvent => ({ name, ph: 'M', pid: PID, ...(tid === undefined ? {} : { tid }), args: { name: value } });
  const events: TraceEvent[] = [
    meta('process_name', undefined, `${plan.model} batch ${plan.batch}, policy ${plan.policy} on ${plan.device.name}`),
    meta('thread_name', THREADS.compute, 'compute'),
    meta('thread_name', THREADS.offload, 'copy device → host (offload)'),
    meta('thread_name', THREADS.prefetch, 'copy host → device (prefetch)'),
  ];
  let free = 0;
  for (const s of plan.steps) {
    if (s.startSeconds > free) events.push({ name: 'waiting for copies', cat: 'stall', ph: 'X', pid: PID, tid: THREADS.compute, ts: us(free), dur: us(s.startSeconds - free) });
    events.push({ name: s.name, cat: s.phase, ph: 'X', pid: PID, tid: THREADS.compute, ts: us(s.startSeconds), dur: us(s.endSeconds - s.startSeconds), args: { op: s.op, phase: s.phase, workspaceBytes: s.workspaceBytes } });
    free = s.endSeconds;
  }
  if (plan.stepSeconds > free) events.push({ name: 'waiting for copies', cat: 'stall', ph: 'X', pid: PID, tid: THREADS.compute, ts: us(free), dur: us(plan.stepSeconds - free) });
  for (const t of plan.transfers) {
    events.push({ name: t.buffer, cat: t.direction, ph: 'X', pid: PID, tid: THREADS[t.direction], ts: us(t.startSeconds), dur: us(t.endSeconds - t.startSeconds), args: { bytes: t.bytes, issuedUs: us(t.issueSeconds) } });
  }
  for (const m of plan.memory) events.push({ name: 'device memory', ph: 'C', pid: PID, ts: us(m.seconds), args: { bytes: m.bytes } });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { model: plan.model, batch: plan.batch, policy: plan.policy, device: plan.device.name, peakBytes: plan.peakBytes, stepSeconds: plan.stepSeconds },
  };
}
