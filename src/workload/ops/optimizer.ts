import { numel, type TensorType } from '../graph.js';
import { defineOp, floatAttr, req, shapeError, type OpKind } from '../op.js';
import { tensorBytes } from '../shape.js';

/**
 * Optimizer updates (training), element-wise over one weight. Inputs: the
 * weight W, its gradient dW, then the optimizer state; the op rewrites W and
 * its state in place, so it has no outputs and its bytes written are W's and
 * the state's.
 *   SGDUpdate (W, dW):                    W −= lr·dW                        2 FLOPs per element
 *   MomentumUpdate (W, dW, velocity):     V = μ·V + dW; W −= lr·V           4
 *   AdamUpdate (W, dW, m, v):             M = β₁M + (1−β₁)dW; V = β₂V + (1−β₂)dW²;
 *                                   W −= lr·M / (√V + ε)  (bias corrections folded into lr)  12
 */
interface UpdateSpec {
  op: string;
  states: readonly string[];
  flopsPerElement: number;
  params: Readonly<Record<string, number>>;
}

function update(spec: UpdateSpec): OpKind {
  return defineOp({
    op: spec.op,
    opClass: 'optimizer',
    flopConvention: `${spec.flopsPerElement} FLOPs per weight element; updates the weight${spec.states.length ? ' and its state' : ''} in place`,
    attrs: (raw) => Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, floatAttr(raw, k, v)])),
    infer(inputs) {
      const w = req(inputs, 0, 'W');
      const others = [req(inputs, 1, 'dW'), ...spec.states.map((s, i) => req(inputs, i + 2, s))];
      for (const t of others) if (t.shape.join() !== w.shape.join()) throw shapeError(`${spec.op} inputs must all have the weight's shape [${w.shape}], got [${t.shape}]`);
      return [];
    },
    counts(inputs) {
      const w = req(inputs, 0, 'W');
      const rewritten: TensorType[] = [w, ...spec.states.map((s, i) => req(inputs, i + 2, s))];
      return { macs: 0, otherFlops: spec.flopsPerElement * numel(w.shape), bytesWritten: rewritten.reduce((s, t) => s + tensorBytes(t), 0) };
    },
  });
}

/** The optimizers `--optimizer` offers, by name: the update op and its state tensors (named `<weight>.<state>`). */
export const OPTIMIZERS = {
  sgd: { op: 'SGDUpdate', states: [], flopsPerElement: 2, params: { lr: 0.01 } },
  momentum: { op: 'MomentumUpdate', states: ['velocity'], flopsPerElement: 4, params: { lr: 0.01, momentum: 0.9 } },
  adam: { op: 'AdamUpdate', states: ['m', 'v'], flopsPerElement: 12, params: { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
} as const satisfies Record<string, UpdateSpec>;

export type OptimizerName = keyof typeof OPTIMIZERS;

export const UPDATE_OPS: OpKind[] = Object.values(OPTIMIZERS).map(update);

/**
 * The ONNX training-preview optimizers (ai.onnx.preview.training), which
 * return new tensors instead of rewriting their inputs: R (learning rate), T
 * (step count), then n weights, their n gradients and n values of each
 * state; outputs the n new weights, then the n new values of each state.
 *   Adagrad (state H):     6 FLOPs per weight element
 *   Momentum (state V):    4 (standard or Nesterov)
 *   Adam (states V, H):   12
 */
function previewOptimizer(op: string, states: readonly string[], flopsPerElement: number): OpKind {
  const groups = (inputs: (TensorType | undefined)[]): TensorType[][] => {
    req(inputs, 0, 'R');
    req(inputs, 1, 'T');
    const per = 2 + states.length;
    const rest = inputs.length - 2;
    if (rest <= 0 || rest % per !== 0) throw shapeError(`${op} takes R, T, then n weights, n gradients and n of each of ${states.join(', ')}; got ${inputs.length} inputs`);
    const n = rest / per;
    const names = ['X', 'G', ...states];
    return names.map((name, g) => Array.from({ length: n }, (_, i) => req(inputs, 2 + g * n + i, `${name}${i + 1}`)));
  };
  return defineOp({
    op,
    opClass: 'optimizer',
    flopConvention: `${flopsPerElement} FLOPs per weight element; returns the new weights and state`,
    attrs: () => ({}),
    infer(inputs) {
      const [xs, ...others] = groups(inputs);
      for (const group of others) {
        group.forEach((t, i) => {
          if (t.shape.join() !== xs![i]!.shape.join()) throw shapeError(`${op} input [${t.shape}] does not have weight ${i + 1}'s shape [${xs![i]!.shape}]`);
        });
      }
      return [xs!, ...others.slice(1)].flat().map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
    },
    counts: (inputs) => ({ macs: 0, otherFlops: flopsPerElement * groups(inputs)[0]!.reduce((sum, x) => sum + numel(x.shape), 0) }),
  });
}

export const PREVIEW_OPTIMIZERS: OpKind[] = [
  previewOptimizer('Adagrad', ['H'], 6),
  previewOptimizer('Momentum', ['V'], OPTIMIZERS.momentum.flopsPerElement),
  previewOptimizer('Adam', ['V', 'H'], OPTIMIZERS.adam.flopsPerElement),
];
