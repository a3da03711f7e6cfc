import { dataSpaceSize, problemMacs, type LoweredProblem, type Problem } from '../problem/types.js';
import { countsFrom, nodeCounts, type NodeCounts } from '../workload/counts.js';
import { dtypeBits } from '../workload/dtype.js';
import type { Graph, Phase } from '../workload/graph.js';
import { atNode, nodeInputTypes, nodeOutputTypes } from '../workload/infer.js';
import { registry } from '../workload/ops/index.js';
import { fusedEpilogue, type FusedAttrs } from '../workload/ops/fused.js';

/**
 * What each node of a graph asks of an accelerator: the loop nests of its
 * MACs (compute ops, lowered by their op kind) or, for ops without MACs,
 * element operations and bytes for the vector unit. A fused group with a
 * loop nest (compile/) also has an epilogue for the vector unit.
 */
export interface LayerWork {
  name: string;
  op: string;
  phase: Phase;
  counts: NodeCounts;
  /** Bits of one element of the op's output (an accelerator moves it as one word). */
  elementBits: number;
  /** Empty for ops without MACs. */
  problems: LoweredProblem[];
  /** A fused group's epilogue on the vector unit (element operations, and the bytes and elements it reads beyond the anchor's inputs). */
  epilogue?: { ops: number; bytesRead: number; elementsRead: number };
}

export function layerWork(graph: Graph): LayerWork[] {
  return graph.nodes.map((node) => {
    const counts = nodeCounts(graph, node);
    const kind = registry.get(node.op);
    let problems: LoweredProblem[] = [];
    if (counts.macs > 0 && kind.lower) {
      try {
        problems = kind.lower(nodeInputTypes(graph, node), nodeOutputTypes(graph, node), node.attrs);
      } catch (e) {
        throw atNode(e, node);
      }
    }
    const out = graph.tensors[node.outputs[0] ?? ''];
    const work: LayerWork = { name: node.name, op: node.op, phase: node.phase, counts, elementBits: out ? dtypeBits(out.dtype) : 32, problems };
    if (node.op === 'FusedGroup' && problems.length) work.epilogue = fusedEpilogue(nodeInputTypes(graph, node), node.attrs as FusedAttrs);
    return work;
  });
}

/** One loop nest as a one-layer work list, with its counts from the nest (operands and result at the problem's operand width). */
export function problemWork(name: string, problem: Problem): LayerWork[] {
  const bytes = (dataSpace: string) => {
    const ds = problem.dataSpaces.find((s) => s.name === dataSpace);
    return ds ? (dataSpaceSize(problem, ds) * problem.operandBits) / 8 : 0;
  };
  const counts = countsFrom({ macs: problemMacs(problem), otherFlops: 0, weightBytes: bytes('Weights'), activationBytes: bytes('Inputs'), bytesWritten: bytes('Outputs') });
  return [{ name, op: problem.kind, phase: 'forward', elementBits: problem.operandBits, problems: [{ problem, repeat: 1 }], counts }];
}
