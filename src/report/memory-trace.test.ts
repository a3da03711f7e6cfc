import { describe, expect, it } from 'vitest';
import { loadDevice } from '../device/load.js';
import { loadGraph } from '../workload/load.js';
import { planWith, preparePlanner } from '../memory/plan.js';
import { traceProblems } from './trace-check.js';
import { chromeTrace, THREADS } from './memory-trace.js';

describe('Chrome trace of a plan', () => {
  const plan = planWith(preparePlanner(loadGraph('alexnet', { batch: 128, mode: 'train' }), loadDevice('titan-x')), 'all');
  const trace = chromeTrace(plan);
  const json = JSON.stringify(trace);

  it('is valid trace-event JSON', () => {
    expect(traceProblems(json)).toEqual([]);
  });

  it('has a compute thread, both copy threads and a memory counter', () => {
    const x = trace.traceEvents.filter((e) => e.ph === 'X');
    const steps = x.filter((e) => e.tid === THREADS.compute && e.cat !== 'stall');
    expect(steps.map((e) => e.name)).toEqual(plan.steps.map((s) => s.name));
    // the feature maps go and come back; so does the optimizer state (alexnet's momentum, one buffer per weight and bias)
    expect(plan.hostResident.length).toBe(16);
    expect(x.filter((e) => e.tid === THREADS.offload).length).toBe(plan.offloaded.length + plan.hostResident.length);
    expect(x.filter((e) => e.tid === THREADS.prefetch).length).toBe(plan.offloaded.length + plan.hostResident.length);
    const counters = trace.traceEvents.filter((e) => e.ph === 'C');
    expect(Math.max(...counters.map((e) => e.args!.bytes as number))).toBe(plan.peakBytes);
  });

  it('never overlaps two events on one thread, and stalls fill the compute thread’s gaps', () => {
    for (const tid of Object.values(THREADS)) {
      const events = trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid).sort((a, b) => a.ts! - b.ts!);
      events.forEach((e, i) => i > 0 && expect(e.ts!).toBeGreaterThanOrEqual(events[i - 1]!.ts! + events[i - 1]!.dur! - 1e-6));
      if (tid === THREADS.compute) {
        const busy = events.reduce((s, e) => s + e.dur!, 0);
        expect(busy).toBeCloseTo(plan.stepSeconds * 1e6, 3);
      }
    }
  });
});
