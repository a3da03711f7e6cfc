import { macArea, macEnergy, type NumberKind } from '../arch/energy-table.js';

/**
 * What a knob changes beyond the field it writes: the models a design space
 * applies when it varies operand bits or pipeline depth. Each works on the
 * spec as data, after the knobs are written, so the arch module's loader
 * stays the one place that turns a spec into figures.
 *
 * MAC energy and area vs operand bits. The arch loader already derives a
 * MAC's energy and area from its operand and accumulator bits when a spec
 * gives none (arch/energy-table.ts: Horowitz, ISSCC 2014, 45 nm: integer
 * multiply 0.2 pJ at 8 bits and 3.1 pJ at 32, ∝ bits²; add ∝ bits). A spec
 * that gives its own figure (Eyeriss' 2 pJ per 16-bit MAC) would keep it at
 * every width; when a knob varies `compute.precisions[…].operandBits`, the
 * given `energyPerMac` and `compute.area` are scaled by the same table's
 * ratio new/base, so the spec's calibration is kept and the trend is the
 * table's.
 *
 * Clock vs pipeline depth. A knob with path `pipelineDepth` (d ≥ 1 stages
 * in the MAC datapath) sets the clock from the classic model of Hartstein
 * and Puzak ("The optimum pipeline depth for a microprocessor", ISCA 2002):
 *   t_clk(d) = t_logic / d + t_latch,
 * with t_logic the unpipelined logic delay and t_latch the per-stage latch
 * overhead, both given by the space (`pipeline:`). Each stage past the first
 * adds latches: the MAC's energy and area grow by `energyPerStage` and
 * `areaPerStage` (fractions of the one-stage figure) per extra stage, the
 * linear latch-growth term of Srinivasan et al. ("Optimizing pipelines for
 * power and performance", MICRO 2002); the fractions are the space's stated
 * assumptions. Pipeline fill is not modelled: the mapper's cycle counts are
 * steady-state.
 */

export interface PipelineModel {
  /** Unpipelined logic delay of the MAC datapath, ns. */
  logicNs: number;
  /** Latch (register) overhead per stage, ns. */
  latchNs: number;
  /** Extra MAC energy per stage past the first, as a fraction of the one-stage energy. */
  energyPerStage: number;
  /** Extra MAC area per stage past the first, as a fraction of the one-stage area. */
  areaPerStage: number;
}

/** The knob path that sets the pipeline depth (a model input, not a spec field). */
export const PIPELINE_DEPTH = 'pipelineDepth';

/** t_clk(d) = t_logic / d + t_latch, in Hz. */
export function pipelineClockHz(m: PipelineModel, depth: number): number {
  return 1e9 / (m.logicNs / depth + m.latchNs);
}

/** The MAC's energy (and area) at `depth` stages, as a multiple of its one-stage figure. */
export function pipelineOverhead(m: PipelineModel, depth: number): { energy: number; area: number } {
  return { energy: 1 + m.energyPerStage * (depth - 1), area: 1 + m.areaPerStage * (depth - 1) };
}

type Spec = Record<string, unknown>;
interface PrecisionSpec {
  kind?: NumberKind;
  operandBits: number;
  accumulatorBits?: number;
  energyPerMac?: number;
  source?: string;
}

const OPERAND_BITS = /^compute\.precisions\[[^\]]+\]\.operandBits$/;

/** Whether a knob path is the operand width of a precision. */
export const variesOperandBits = (path: string): boolean => OPERAND_BITS.test(path);

const accBits = (p: PrecisionSpec) => p.accumulatorBits ?? ((p.kind ?? 'int') === 'int' ? 32 : Math.max(16, p.operandBits));

/**
 * Rescales the MAC energy and area the base spec gives to the operand bits
 * the knobs set in `spec` (in place). Node scaling cancels in the ratio, so
 * the table is read at its 45 nm reference.
 */
export function rescaleMacBits(base: Spec, spec: Spec): void {
  const baseCompute = base.compute as { precisions: PrecisionSpec[]; area?: number };
  const compute = spec.compute as { precisions: PrecisionSpec[]; area?: number };
  compute.precisions.forEach((p, i) => {
    const b = baseCompute.precisions[i]!;
    if (b.energyPerMac === undefined || p.operandBits === b.operandBits) return;
    const kind = p.kind ?? 'int';
    p.energyPerMac = b.energyPerMac * (macEnergy(kind, p.operandBits, accBits(p), 45).value / macEnergy(kind, b.operandBits, accBits(b), 45).value);
    p.source = `${b.source ?? 'given'} at ${b.operandBits} bits, scaled to ${p.operandBits} bits by ${macEnergy(kind, p.operandBits, accBits(p), 45).source.replace(/, ∝ node$/, '')}`;
  });
  const p0 = compute.precisions[0]!;
  const b0 = baseCompute.precisions[0]!;
  if (baseCompute.area !== undefined && p0.operandBits !== b0.operandBits) {
    const kind = p0.kind ?? 'int';
    compute.area = baseCompute.area * (macArea(kind, p0.operandBits, accBits(p0), 45).value / macArea(kind, b0.operandBits, accBits(b0), 45).value);
  }
}

/**
 * Writes a pipeline depth into `spec` (in place): its clock, and its MAC
 * energy and area grown by the latch overhead from the one-stage figures
 * (`oneStage`: the arch loader's energy per precision and area of the spec).
 */
export function applyPipelineDepth(spec: Spec, m: PipelineModel, depth: number, oneStage: { energyPerMacPj: number[]; areaUm2: number }): void {
  const over = pipelineOverhead(m, depth);
  spec.clock = pipelineClockHz(m, depth);
  const compute = spec.compute as { precisions: PrecisionSpec[]; area?: number };
  compute.precisions.forEach((p, i) => {
    p.energyPerMac = oneStage.energyPerMacPj[i]! * over.energy;
    p.source = `${depth}-stage pipeline: the one-stage MAC energy × ${over.energy} (latch overhead, space file)`;
  });
  compute.area = oneStage.areaUm2 * over.area;
}
