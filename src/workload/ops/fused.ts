import { AccelmapError } from '../../util/errors.js';
import { bytesFor } from '../dtype.js';
import { numel, type Attrs, type Node, type TensorType } from '../graph.js';
import { defineOp, stringAttr, stringsAttr, type OpKind } from '../op.js';

/**
 * FusedGroup: ops a compiler fused into one node (see compile/fuse.ts). Its
 * members run as one loop nest — the anchor's (a convolution or matrix
 * product), or the first member's for a group of element-wise ops — with the
 * rest as an epilogue on each output element, so only the group's inputs and
 * its output touch memory. Attributes: `body`, the member nodes as JSON in
 * execution order (their own tensor names); `inputs` and `outputs`, which
 * tensors of the body are the node's inputs and outputs; `anchor`, the op of
 * the member that carries the loop nest ('' for an element-wise group).
 * Counts: the members' MACs and other FLOPs; bytes: the node's inputs and output.
 */
export type FusedAttrs = { body: string; inputs: string[]; outputs: string[]; anchor: string };

/** The op kinds, resolved when a group is used (the registry lists this kind too). */
let kinds: ((op: string) => OpKind) | undefined;
export function bindFusedRegistry(get: (op: string) => OpKind): void {
  kinds = get;
}

/** An op kind of the registry, for ops that wrap others. */
export function boundKind(op: string): OpKind {
  return kinds!(op);
}

export interface FusedMember {
  node: Node;
  inputs: (TensorType | undefined)[];
  outputs: TensorType[];
}

/** Every member with the types of its inputs and outputs, inferred through the body from the group's inputs. */
export function fusedMembers(inputs: (TensorType | undefined)[], a: FusedAttrs): FusedMember[] {
  const types = new Map<string, TensorType>();
  a.inputs.forEach((name, i) => inputs[i] && types.set(name, inputs[i]!));
  const body = JSON.parse(a.body) as Node[];
  return body.map((node) => {
    const ins = node.inputs.map((t) => (t ? types.get(t) : undefined));
    const kind = kinds!(node.op);
    const outs = kind.infer(ins, kind.attrs(node.attrs));
    node.outputs.forEach((t, i) => t && types.set(t, outs[i]!));
    return { node, inputs: ins, outputs: outs };
  });
}

export const FusedGroup = defineOp<FusedAttrs>({
  op: 'FusedGroup',
  opClass: 'other',
  flopConvention: "its members' MACs and other FLOPs; reads its inputs and writes its output only",
  attrs: (raw: Attrs) => {
    const body = stringAttr(raw, 'body');
    try {
      if (!Array.isArray(JSON.parse(body))) throw new Error();
    } catch {
      throw new AccelmapError('bad-input', 'attribute body must be a JSON list of nodes');
    }
    return { body, inputs: stringsAttr(raw, 'inputs'), outputs: stringsAttr(raw, 'outputs'), anchor: stringAttr(raw, 'anchor', '') };
  },
  infer(inputs, a) {
    const members = fusedMembers(inputs, a);
    const types = new Map<string, TensorType>();
    for (const m of members) m.node.outputs.forEach((t, i) => t && types.set(t, m.outputs[i]!));
    return a.outputs.map((t) => {
      const { shape, dtype } = types.get(t)!;
      return { shape, dtype };
    });
  },
  counts(inputs, _outputs, a) {
    let macs = 0, otherFlops = 0;
    for (const m of fusedMembers(inputs, a)) {
      const c = kinds!(m.node.op).counts(m.inputs, m.outputs, m.node.attrs);
      macs += c.macs;
      otherFlops += c.otherFlops;
    }
    return { macs, otherFlops };
  },
  lower(inputs, _outputs, a) {
    const anchor = fusedAnchor(inputs, a);
    const kind = anchor && kinds!(anchor.node.op);
    return kind?.lower ? kind.lower(anchor!.inputs, anchor!.outputs, anchor!.node.attrs) : [];
  },
});

/** The member that carries an anchored group's loop nest, with its types; none for an element-wise group. */
export function fusedAnchor(inputs: (TensorType | undefined)[], a: FusedAttrs): FusedMember | undefined {
  return a.anchor ? fusedMembers(inputs, a).find((m) => m.node.op === a.anchor) : undefined;
}

/** The members of a fused node, as nodes (their own names and tensors); a plain node is its own only member. */
export function memberNodes(node: Node): Node[] {
  return node.op === 'FusedGroup' ? (JSON.parse((node.attrs as FusedAttrs).body) as Node[]) : [node];
}

/**
 * The op a node runs as: a fused group's anchor, or its first member's op
 * for a group without one (an element-wise chain runs as its first op's
 * loop); a plain node's own op. Planners that treat op kinds differently
 * (convolution algorithms, op classes) see a fused group through it.
 */
export function loopOp(node: Node): string {
  if (node.op !== 'FusedGroup') return node.op;
  return (node.attrs as FusedAttrs).anchor || memberNodes(node)[0]!.op;
}

/**
 * The epilogue of an anchored group, for the vector unit: the other FLOPs of
 * every member but the anchor, and the bytes (and elements) of the group
 * inputs the anchor does not read (a residual): the epilogue's only memory
 * traffic.
 */
export function fusedEpilogue(inputs: (TensorType | undefined)[], a: FusedAttrs): { ops: number; bytesRead: number; elementsRead: number } {
  const members = fusedMembers(inputs, a);
  const anchor = a.anchor ? members.find((m) => m.node.op === a.anchor) : undefined;
  let ops = 0;
  for (const m of members) if (m !== anchor) ops += kinds!(m.node.op).counts(m.inputs, m.outputs, m.node.attrs).otherFlops;
  const anchorInputs = new Set(anchor?.node.inputs ?? []);
  let bytesRead = 0, elementsRead = 0;
  a.inputs.forEach((t, i) => {
    const type = inputs[i];
    if (type && !anchorInputs.has(t)) {
      bytesRead += bytesFor(numel(type.shape), type.dtype);
      elementsRead += numel(type.shape);
    }
  });
  return { ops, bytesRead, elementsRead };
}
