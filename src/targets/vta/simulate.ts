import { checkProgram } from './check.js';
import { runFunctional, type VtaBuffers } from './functional.js';
import type { VtaDram, VtaProgram } from './program.js';
import { peakOps, type VtaTarget } from './spec.js';
import { runTiming, type VtaTiming } from './timing.js';

export interface VtaRun extends VtaTiming {
  dram: VtaDram;
  buffers: VtaBuffers;
  /** Achieved GEMM operations per second (2 per multiply-add) and the target's peak. */
  gops: number;
  peakGops: number;
}

/** Checks a program, then runs both halves of the simulator over it. */
export function simulate(t: VtaTarget, program: VtaProgram, dram: VtaDram): VtaRun {
  checkProgram(t, program, dram);
  const { dram: after, buffers } = runFunctional(t, program, dram);
  const timing = runTiming(t, program);
  return { ...timing, dram: after, buffers, gops: (2 * timing.macs * t.clockHz) / timing.cycles / 1e9, peakGops: peakOps(t) / 1e9 };
}
