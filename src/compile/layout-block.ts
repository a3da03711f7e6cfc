import { existsSync, readdirSync } from 'node:fs';
import { loadVtaTarget, type VtaTarget } from '../targets/vta/spec.js';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';

/** The layout pass's channel block and where it came from. */
export interface LayoutBlock {
  block: number;
  from: string;
}

export const DEFAULT_BLOCK = 16;

/**
 * A target's GEMM intrinsic multiplies a BATCH × BLOCK_IN input vector by a
 * BLOCK_IN × BLOCK_OUT weight tile, so a convolution's input channels are
 * read in blocks of BLOCK_IN and its output channels written in blocks of
 * BLOCK_OUT. The layout pass blocks every activation by one width (the
 * output of one convolution is the input of the next), so it takes the
 * target's block only when BLOCK_IN = BLOCK_OUT.
 */
export function targetBlock(t: VtaTarget, ref: string): LayoutBlock {
  if (t.blockIn !== t.blockOut) {
    throw new AccelmapError('bad-input', `target '${ref}' has BLOCK_IN ${t.blockIn} ≠ BLOCK_OUT ${t.blockOut}: the layout pass blocks every channel count by one width`, {}, 'give the block with --block N');
  }
  return { block: t.blockIn, from: `target ${t.name}'s GEMM intrinsic (BLOCK_IN = BLOCK_OUT = ${t.blockIn})` };
}

/** The target preset (presets/targets/) describing the architecture preset `arch`, if any. */
function presetTargetOf(arch: string): string | undefined {
  const dir = presetPath('targets');
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => f.slice(0, -'.yaml'.length))
    .find((name) => loadVtaTarget(name).arch === arch);
}

/** The target `--block-from` names; a load error says which flag gave the name. */
function targetOfFlag(ref: string): VtaTarget {
  try {
    return loadVtaTarget(ref);
  } catch (e) {
    throw e instanceof AccelmapError ? e.at({ path: '--block-from' }) : e;
  }
}

/**
 * The block the layout pass uses: `--block` when given; else the GEMM
 * intrinsic of the target named by `--block-from`; else that of the target
 * preset describing `--arch` (an architecture spec alone does not fix one:
 * its spatial fan-out says how many PEs there are, not which problem
 * dimensions the mapper spreads over them); else 16.
 */
export function layoutBlock(o: { block?: number; blockFrom?: string; arch: string }): LayoutBlock {
  if (o.block !== undefined) return { block: o.block, from: '--block' };
  if (o.blockFrom) return targetBlock(targetOfFlag(o.blockFrom), o.blockFrom);
  const preset = presetTargetOf(o.arch);
  if (preset) return targetBlock(loadVtaTarget(preset), preset);
  return { block: DEFAULT_BLOCK, from: `default (no target describes arch ${o.arch})` };
}
