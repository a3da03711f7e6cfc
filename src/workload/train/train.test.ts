import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { problemMacs } from '../../problem/types.js';
import { errorOf } from '../../util/test-util.js';
import { GraphBuilder } from '../builder.js';
import { graphTotals, nodeCounts } from '../counts.js';
import { numel, paramCount, type Graph } from '../graph.js';
import { nodeInputTypes, nodeOutputTypes } from '../infer.js';
import { registry } from '../ops/index.js';
import { buildZooModel } from '../zoo/index.js';
import { toTraining } from './index.js';
import { producers, storageRoot } from './saved.js';

const macs = (g: Graph) => graphTotals(g).macs;
const opMacs = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).reduce((s, n) => s + nodeCounts(g, n).macs, 0);

/** conv 3×3 (pad 1) → ReLU → 2×2 max pool → conv 3×3 → ReLU → flatten → FC, on [2, 3, 8, 8]. */
function smallCnn(): Graph {
  const g = new GraphBuilder('small', { batch: 2 });
  let x = g.input('image', [2, 3, 8, 8]);
  x = g.relu(g.conv(x, 4, { kernel: 3, pad: 1, bias: true, name: 'conv1' }));
  x = g.maxPool(x, { kernel: 2 });
  x = g.relu(g.conv(x, 8, { kernel: 3, pad: 1, name: 'conv2' }));
  return g.build([g.linear(g.flatten(x), 10, { name: 'fc' })]);
}

describe('training MACs, derived by hand', () => {
  it('a small CNN: forward + input gradients + weight gradients, no input gradient for the image', () => {
    // forward MACs: conv1 2·4·8·8·(3·9), conv2 2·8·4·4·(4·9), fc 2·10·128
    const conv1 = 2 * 4 * 8 * 8 * 27, conv2 = 2 * 8 * 4 * 4 * 36, fcl = 2 * 10 * 128;
    const inference = smallCnn();
    expect(macs(inference)).toBe(conv1 + conv2 + fcl);
    // conv1: forward + dW; conv2 and fc: forward + dX + dW
    expect(macs(toTraining(inference))).toBe(2 * conv1 + 3 * conv2 + 3 * fcl);
  });

  it('ResNet-50: 3× the forward MACs less the first convolution\'s input gradient', () => {
    const inference = buildZooModel('resnet50', { batch: 2 });
    const training = toTraining(inference);
    const conv1 = 2 * 64 * 112 * 112 * (3 * 7 * 7);
    expect(macs(training)).toBe(3 * macs(inference) - conv1);
    // a convolution's backward costs 2× its forward (conv1: 1×, its input is the image)
    expect(opMacs(training, 'ConvGradInput') + opMacs(training, 'ConvGradWeight')).toBe(2 * opMacs(inference, 'Conv') - conv1);
  });

  it('the LSTM language model: backpropagation through time costs 2× the recurrent forward', () => {
    const inference = buildZooModel('lstm_lm', { batch: 2, seqLen: 10 });
    const training = toTraining(inference);
    expect(opMacs(training, 'RecurrentGrad')).toBe(2 * opMacs(inference, 'LSTM'));
    // every MAC-carrying op's input needs a gradient (the embedding trains), so exactly 3×
    expect(macs(training)).toBe(3 * macs(inference));
  });

  it('chains of fully connected layers: 3× less the first layer\'s input gradient (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 2, maxLength: 5 }), fc.constantFrom('Relu', 'Tanh', 'Sigmoid', 'Gelu'), (batch, widths, act) => {
        const g = new GraphBuilder('mlp', { batch });
        let x = g.input('x', [batch, widths[0]!]);
        for (let i = 1; i < widths.length; i++) x = g.op(act, [g.linear(x, widths[i]!, { name: `fc${i}` })]);
        const inference = g.build([x]);
        const forward = widths.slice(1).reduce((s, w, i) => s + batch * widths[i]! * w, 0);
        expect(macs(inference)).toBe(forward);
        expect(macs(toTraining(inference, { loss: 'mse' }))).toBe(3 * forward - batch * widths[0]! * widths[1]!);
      }),
      { numRuns: 50 },
    );
  });
});

describe('training graph structure', () => {
  const training = toTraining(buildZooModel('resnet50'));
  const t = training.tensors;

  it('orders forward, backward and update phases', () => {
    const phases = training.nodes.map((n) => n.phase);
    expect(phases.indexOf('backward')).toBeGreaterThan(phases.lastIndexOf('forward'));
    expect(phases.indexOf('update')).toBeGreaterThan(phases.lastIndexOf('backward'));
    expect(training.mode).toBe('train');
    expect(training.outputs).toEqual(['loss']);
  });

  it('keeps the parameter count and gives each weight one gradient of its shape and one update', () => {
    expect(paramCount(training)).toBe(25_557_032);
    const weights = Object.values(t).filter((x) => x.kind === 'weight');
    for (const w of weights) {
      const grads = Object.values(t).filter((x) => x.kind === 'gradient' && x.of === w.name);
      expect(grads, w.name).toHaveLength(1);
      expect(grads[0]!.shape).toEqual(w.shape);
      expect(training.nodes.filter((n) => n.phase === 'update' && n.inputs[0] === w.name), w.name).toHaveLength(1);
    }
  });

  it('marks what backward reads: ReLU outputs, convolution inputs, batch-norm inputs and statistics', () => {
    expect(t['layer1.0.relu1']!.savedForBackward).toBe(true);
    expect(t['image']!.savedForBackward).toBe(true); // conv1's weight gradient reads it
    expect(t['layer1.0.conv1']!.savedForBackward).toBe(true); // bn1's input
    expect(t['layer1.0.bn1:1']!.savedForBackward).toBe(true); // bn1's statistics
    expect(t['labels']!.savedForBackward).toBe(true);
    // a batch-norm output feeding a ReLU is not needed: ReLU's derivative reads its own output
    expect(t['layer1.0.bn1']!.savedForBackward).toBeUndefined();
    // the residual sum is only read by its ReLU, which keeps its own output
    expect(t['layer1.0.add']!.savedForBackward).toBeUndefined();
  });

  it('marks exactly the forward tensors that backward nodes read, and their view roots', () => {
    for (const name of ['resnet18', 'vgg16', 'lstm_lm', 'bert_base', 'gpt2'] as const) {
      const g = toTraining(buildZooModel(name, name === 'bert_base' || name === 'gpt2' ? { seqLen: 16 } : {}));
      const byOutput = producers(g);
      const read = new Set<string>();
      for (const n of g.nodes) {
        if (n.phase !== 'backward') continue;
        for (const i of n.inputs) {
          const k = g.tensors[i]?.kind;
          if (k === 'input' || (k === 'activation' && byOutput.get(i)?.phase === 'forward')) read.add(i).add(storageRoot(g, i, byOutput));
        }
      }
      const saved = new Set(Object.values(g.tensors).filter((x) => x.savedForBackward).map((x) => x.name));
      expect(saved, name).toEqual(read);
      for (const s of saved) expect(['input', 'activation'], s).toContain(g.tensors[s]!.kind);
    }
  });

  it('keeps dropout masks and LSTM gate reserves for the backward pass', () => {
    const vgg = toTraining(buildZooModel('vgg16'));
    expect(vgg.tensors['drop6:1']).toMatchObject({ dtype: 'bool', savedForBackward: true });
    const lm = toTraining(buildZooModel('lstm_lm', { seqLen: 10 }));
    // LSTM reserve: 4 gates + cell per hidden unit, step and batch row
    expect(lm.tensors['lstm0:3']).toMatchObject({ shape: [10, 1, 1, 5 * 650], savedForBackward: true });
  });

  it('sums the gradients of a weight used twice (GPT-2\'s tied embedding)', () => {
    const g = toTraining(buildZooModel('gpt2', { seqLen: 8 }));
    const grad = Object.values(g.tensors).find((x) => x.of === 'wte.weight' && x.kind === 'gradient')!;
    const producer = producers(g).get(grad.name)!;
    expect(producer.op).toBe('Add');
    expect(producer.inputs.map((i) => producers(g).get(i)!.op).sort()).toEqual(['GatherGrad', 'Gemm']);
  });
});

describe('optimizers', () => {
  const inference = smallCnn();
  const params = paramCount(inference);
  const update = (g: Graph) => g.nodes.filter((n) => n.phase === 'update').map((n) => nodeCounts(g, n)).reduce((s, c) => ({ flops: s.flops + c.flops, written: s.written + c.bytesWritten }), { flops: 0, written: 0 });

  it('SGD: 2 FLOPs per weight, rewrites the weights', () => {
    expect(update(toTraining(inference, { optimizer: 'sgd' }))).toEqual({ flops: 2 * params, written: 4 * params });
  });

  it('momentum (the default): 4 FLOPs per weight and a velocity per weight', () => {
    const g = toTraining(inference);
    expect(update(g)).toEqual({ flops: 4 * params, written: 8 * params });
    expect(Object.values(g.tensors).filter((x) => x.kind === 'optimizer-state').reduce((s, x) => s + numel(x.shape), 0)).toBe(params);
  });

  it('Adam: 12 FLOPs per weight and two moments per weight', () => {
    const g = toTraining(inference, { optimizer: 'adam' });
    expect(update(g)).toEqual({ flops: 12 * params, written: 12 * params });
    expect(Object.values(g.tensors).filter((x) => x.kind === 'optimizer-state').reduce((s, x) => s + numel(x.shape), 0)).toBe(2 * params);
  });
});

describe('backward ops lower to loop nests', () => {
  it('every node with MACs in the training graphs lowers to problems carrying exactly those MACs', () => {
    const models: [string, Record<string, number>][] = [
      ['resnet18', {}], ['mobilenet_v2', {}], ['googlenet', {}], ['alexnet', {}], ['deepq', {}], ['memnet', {}],
      ['lstm_lm', { seqLen: 6 }], ['speech', { seqLen: 12 }], ['seq2seq', { seqLen: 4 }], ['bert_base', { seqLen: 8 }], ['vit_b_16', {}],
    ];
    for (const [name, o] of models) {
      const g = toTraining(buildZooModel(name, { batch: 2, ...o }));
      for (const n of g.nodes) {
        const m = nodeCounts(g, n).macs;
        if (!m) continue;
        const kind = registry.get(n.op);
        expect(kind.lower, `${name}: ${n.op}`).toBeDefined();
        const lowered = kind.lower!(nodeInputTypes(g, n), nodeOutputTypes(g, n), n.attrs);
        expect(lowered.reduce((s, p) => s + problemMacs(p.problem) * p.repeat, 0), `${name}: ${n.name}`).toBe(m);
      }
    }
  });
});

describe('training errors', () => {
  it('names the node of an op without a gradient rule', () => {
    const g = new GraphBuilder('m');
    const x = g.input('x', [2, 4]);
    const y = g.op('Max', [g.linear(x, 4, { name: 'a' }), g.linear(x, 4, { name: 'b' })], {}, 'max');
    expect(errorOf(() => toTraining(g.build([y]), { loss: 'mse' })).render()).toMatch(/^node max: no gradient rule for Max/);
  });

  it('refuses a cross-entropy loss on a vector output', () => {
    const g = new GraphBuilder('m');
    const x = g.input('x', [4]);
    const w = g.weight('w', [4]);
    expect(() => toTraining(g.build([g.mul(x, w)]), { loss: 'cross-entropy' })).toThrow(/cross-entropy loss needs class scores/);
  });
});
