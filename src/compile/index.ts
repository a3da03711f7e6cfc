import type { Architecture } from '../arch/types.js';
import { dramWordsOf, vectorCost } from '../arch/vector.js';
import { AccelmapError } from '../util/errors.js';
import { nodeCounts } from '../workload/counts.js';
import type { Graph } from '../workload/graph.js';
import { nodeInputTypes } from '../workload/infer.js';
import { fusedEpilogue, type FusedAttrs } from '../workload/ops/fused.js';
import { foldBatchNorm } from './bn-fold.js';
import { fuseOps } from './fuse.js';
import { layout } from './layout.js';
import { DEFAULT_BLOCK } from './layout-block.js';
import type { CompileState, Pass } from './pass.js';
import { simplify } from './simplify.js';

/**
 * The pass pipeline, in order. Inference graphs get every pass asked for;
 * training graphs only those that keep training's meaning (no BatchNormalization
 * folding: training normalizes by batch statistics). The layout rewrite runs
 * only when named, before fusion so blocked convolutions take their epilogues.
 */
export const PASSES: readonly Pass[] = [simplify, foldBatchNorm, layout, fuseOps];
export const PASS_NAMES = PASSES.map((p) => p.name);
export const DEFAULT_PASSES = PASS_NAMES.filter((p) => p !== layout.name);

export interface Compiled extends CompileState {
  /** Passes run, in order. */
  applied: string[];
  /** Passes left out, with why. */
  skipped: { pass: string; reason: string }[];
  /** The graph after each pass named in `dumpAfter`. */
  snapshots: { pass: string; graph: Graph }[];
}

export interface CompileOptions {
  /** Pass names to run, in pipeline order whatever their order here (default: all but layout). */
  passes?: readonly string[];
  dumpAfter?: readonly string[];
  /** Channel block of the layout pass (default DEFAULT_BLOCK; layout-block.ts says where a command takes it from). */
  block?: number;
}

export function compileGraph(graph: Graph, o: CompileOptions = {}): Compiled {
  const wanted = o.passes ?? DEFAULT_PASSES;
  for (const name of [...wanted, ...(o.dumpAfter ?? [])]) {
    if (!PASS_NAMES.includes(name)) throw new AccelmapError('bad-flag', `unknown pass '${name}'`, {}, `passes: ${PASS_NAMES.join(', ')}`);
  }
  let state: CompileState = { graph, derived: [] };
  const out: Compiled = { ...state, applied: [], skipped: [], snapshots: [] };
  for (const pass of PASSES) {
    if (!wanted.includes(pass.name)) continue;
    if (graph.mode === 'train' && !pass.training) {
      out.skipped.push({ pass: pass.name, reason: 'not valid for a training graph' });
      continue;
    }
    state = pass.run(state, { block: o.block ?? DEFAULT_BLOCK });
    out.applied.push(pass.name);
    if (o.dumpAfter?.includes(pass.name)) out.snapshots.push({ pass: pass.name, graph: state.graph });
  }
  return { ...out, ...state };
}

/** What a graph asks of memory and the vector unit: every node reads its inputs from and writes its outputs to DRAM. */
export interface GraphFigures {
  nodes: number;
  dramBytes: number;
  /** Vector-unit cycles of ops without MACs and of fused groups' epilogues (none for a graph without them). */
  vectorCycles: number;
  /** The layout rewrite's price, included in the totals above: its LayoutTransform nodes, their DRAM bytes and vector-unit cycles (a copy each). */
  layoutTransforms: { nodes: number; dramBytes: number; vectorCycles: number };
}

export function graphFigures(graph: Graph, arch: Architecture): GraphFigures {
  const all = { nodes: graph.nodes.length, dramBytes: 0, vectorCycles: 0 };
  const layoutTransforms = { nodes: 0, dramBytes: 0, vectorCycles: 0 };
  for (const n of graph.nodes) {
    const c = nodeCounts(graph, n);
    let cycles = 0;
    if (c.macs === 0) cycles = vectorCost(arch, { ops: c.otherFlops, readWords: dramWordsOf(arch, c.bytesRead), writeWords: dramWordsOf(arch, c.bytesWritten) }).cycles;
    else if (n.op === 'FusedGroup') {
      const e = fusedEpilogue(nodeInputTypes(graph, n), n.attrs as FusedAttrs);
      cycles = vectorCost(arch, { ops: e.ops, readWords: dramWordsOf(arch, e.bytesRead), writeWords: 0 }).cycles;
    }
    for (const f of n.op === 'LayoutTransform' ? [all, layoutTransforms] : [all]) {
      f.dramBytes += c.bytesRead + c.bytesWritten;
      f.vectorCycles += cycles;
    }
    if (n.op === 'LayoutTransform') layoutTransforms.nodes++;
  }
  return { ...all, layoutTransforms };
}

/** The graph a costing command works on: compiled (only training-valid passes for a training graph), or as exported when `fuse` is false (the CLI's `--no-fuse`). */
export function graphToCost(graph: Graph, fuse: boolean): Graph {
  return fuse ? compileGraph(graph).graph : graph;
}
