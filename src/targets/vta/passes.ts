import { checkProgram } from './check.js';
import { runFunctional } from './functional.js';
import type { LoweredLayer } from './lower.js';
import { MODULES } from './program.js';
import type { VtaTarget } from './spec.js';
import { runTiming, type VtaCounters, type VtaTiming } from './timing.js';

/** The timing of passes run one after another: cycles, busy and stall cycles, counters and MACs add up; spans follow each other. */
function sequentialTiming(timings: readonly VtaTiming[]): VtaTiming {
  if (timings.length === 1) return timings[0]!;
  const modules = Object.fromEntries(MODULES.map((m) => [m, { busy: 0, depStall: 0, fetchStall: 0 }])) as VtaTiming['modules'];
  const counters = { inpBytesLoaded: 0, wgtBytesLoaded: 0, accBytesLoaded: 0, uopBytesLoaded: 0, outBytesStored: 0, gemmUops: 0, aluUops: 0 } satisfies VtaCounters;
  let cycles = 0;
  let macs = 0;
  const spans: VtaTiming['spans'] = [];
  for (const ti of timings) {
    for (const m of MODULES) for (const k of ['busy', 'depStall', 'fetchStall'] as const) modules[m][k] += ti.modules[m][k];
    for (const k of Object.keys(counters) as (keyof VtaCounters)[]) counters[k] += ti.counters[k];
    for (const s of ti.spans) spans.push({ start: s.start + cycles, end: s.end + cycles });
    cycles += ti.cycles;
    macs += ti.macs;
  }
  return { cycles, modules, counters, macs, spans };
}

/** The timing half over every pass of a layer (timing does not depend on the data). */
export function timeLowered(t: VtaTarget, l: LoweredLayer): VtaTiming {
  return sequentialTiming(l.passes.map((p) => runTiming(t, p.program)));
}

/** Checks every pass's program against its DRAM image built from zero inputs of the given sizes (later passes: the previous output's size). */
export function checkLowered(t: VtaTarget, l: LoweredLayer, inputSizes: readonly number[]): void {
  l.passes.forEach((p, i) => checkProgram(t, p.program, p.dram(i === 0 ? inputSizes.map((n) => new Int8Array(n)) : [new Int8Array(l.passes[i - 1]!.elements)])));
}

/** Runs a layer's passes on the functional half (each checked first), each later pass on the previous pass's output; the layer's output codes. */
export function runLowered(t: VtaTarget, l: LoweredLayer, inputs: Int8Array[]): Int8Array {
  let codes = inputs;
  for (const p of l.passes) {
    const dram = p.dram(codes);
    checkProgram(t, p.program, dram);
    codes = [p.output(runFunctional(t, p.program, dram).dram.out)];
  }
  return codes[0]!;
}
