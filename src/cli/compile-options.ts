import type { Command } from 'commander';
import { compileGraph } from '../compile/index.js';
import type { Graph } from '../workload/graph.js';

/** `--no-fuse`: commands that cost a model work on the compiled graph unless told otherwise. */
export function addFuseOption(cmd: Command): Command {
  return cmd.option('--no-fuse', 'cost the graph as exported (default: compiled — simplified, fused, BatchNorm folded in inference; a training graph gets only the passes valid for training)');
}

/** The graph a costing command works on: compiled (only training-valid passes for a training graph), or as exported with --no-fuse. */
export function graphToCost(graph: Graph, fuse: boolean): Graph {
  return fuse ? compileGraph(graph).graph : graph;
}
