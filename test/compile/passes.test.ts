import { describe, expect, it } from 'vitest';
import { loadArch } from '../../src/arch/load.js';
import { computeDerived, derivedParams } from '../../src/compile/derived.js';
import { compileGraph, graphFigures, PASS_NAMES } from '../../src/compile/index.js';
import { layoutBlock, targetBlock } from '../../src/compile/layout-block.js';
import { execute } from '../../src/execute/execute.js';
import { kernels } from '../../src/execute/kernels/index.js';
import { seededInputs } from '../../src/execute/inputs.js';
import { seededParams } from '../../src/execute/params.js';
import { loadVtaTarget } from '../../src/targets/vta/spec.js';
import { fromNumbers } from '../../src/execute/value.js';
import { errorOf } from '../../src/util/test-util.js';
import { GraphBuilder } from '../../src/workload/builder.js';
import type { Graph } from '../../src/workload/graph.js';
import { nodeInputTypes } from '../../src/workload/infer.js';
import { registry } from '../../src/workload/ops/index.js';
import { buildZooModel } from '../../src/workload/zoo/index.js';

/**
 * Every pass is checked by the executor: the graph before and after it run
 * on the same inputs and weights must agree to float rounding.
 */
function testNet(): Graph {
  const b = new GraphBuilder('passes', { batch: 2 });
  const x = b.input('x', [2, 3, 10, 10]);
  const c1 = b.relu(b.batchNorm(b.conv(x, 8, { kernel: 3, pad: 'same', name: 'c1' }), 'bn1'));
  const c2 = b.batchNorm(b.conv(c1, 8, { kernel: 3, pad: 'same', group: 2, bias: true, name: 'c2' }), 'bn2');
  const res = b.relu(b.add(c2, c1));
  const viewed = b.dropout(b.op('Identity', [res]), 0.5);
  // the same expression twice: CSE computes it once
  const twice = b.add(b.op('Sigmoid', [viewed]), b.op('Sigmoid', [viewed]));
  const pooled = b.flatten(b.globalAvgPool(twice));
  const fc = b.batchNorm(b.linear(pooled, 6, { name: 'fc' }), 'bn_fc');
  const mm = b.batchNorm(b.matmul(fc, b.weight('proj', [6, 4])), 'bn_mm');
  return b.build([b.softmax(b.op('Tanh', [mm]))]);
}

function maxRelDiff(before: Graph, after: ReturnType<typeof compileGraph>): number {
  const base = seededParams(before, 11);
  const feeds = seededInputs(before, 12);
  const want = execute(before, feeds, base);
  const got = execute(after.graph, feeds, derivedParams(base, after.derived, after.graph.tensors, before.tensors));
  let worst = 0;
  for (const o of before.outputs) {
    const a = want[o]!.data, b = got[o]!.data;
    expect(b.length).toBe(a.length);
    let scale = 0;
    for (const v of a) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  }
  return worst;
}

const ops = (g: Graph) => g.nodes.map((n) => n.op);

describe('compiler passes, checked by the executor', () => {
  const g = testNet();

  it.each(PASS_NAMES)('%s alone keeps the outputs', (pass) => {
    expect(maxRelDiff(g, compileGraph(g, { passes: [pass] }))).toBeLessThan(1e-5);
  });

  it('the whole pipeline keeps the outputs', () => {
    expect(maxRelDiff(g, compileGraph(g))).toBeLessThan(1e-5);
  });

  it('simplify bypasses inference views and shares the repeated Sigmoid', () => {
    const s = compileGraph(g, { passes: ['simplify'] }).graph;
    expect(ops(s)).not.toContain('Identity');
    expect(ops(s)).not.toContain('Dropout');
    expect(ops(s).filter((o) => o === 'Sigmoid')).toHaveLength(1);
  });

  it('bn-fold removes every BatchNormalization after a Conv, Gemm or rank-2 MatMul', () => {
    const f = compileGraph(g, { passes: ['bn-fold'] }).graph;
    expect(ops(f)).not.toContain('BatchNormalization');
    expect(ops(f).filter((o) => o === 'Gemm')).toHaveLength(2);
  });

  it('fusion puts BN, ReLU and the residual Add into the convolutions', () => {
    const f = compileGraph(g).graph;
    const groups = f.nodes.filter((n) => n.op === 'FusedGroup');
    const bodies = groups.map((n) => (JSON.parse(n.attrs.body as string) as { op: string }[]).map((m) => m.op));
    expect(bodies).toContainEqual(['Conv', 'Relu']);
    expect(bodies).toContainEqual(['Conv', 'Add', 'Relu', 'Sigmoid', 'Add']);
    expect(groups.every((n) => n.attrs.anchor === '' || (JSON.parse(n.attrs.body as string) as { op: string }[])[0]!.op === n.attrs.anchor)).toBe(true);
  });

  it('a training graph is not BN-folded, and says so', () => {
    const t = buildZooModel('resnet18', { batch: 2 });
    const train = { ...t, mode: 'train' as const };
    const c = compileGraph(train, { passes: ['bn-fold'] });
    expect(c.applied).toEqual([]);
    expect(c.skipped).toEqual([{ pass: 'bn-fold', reason: 'not valid for a training graph' }]);
    expect(c.graph).toBe(train);
  });

  it('BatchNormalization folded into stored values: W·s/√(v+ε) and (b − m)·s/√(v+ε) + β', () => {
    const b = new GraphBuilder('small');
    const x = b.input('x', [1, 1, 2, 2]);
    const y = b.node('BatchNormalization', [b.node('Conv', [x, b.constant('w', [2], [1, 1, 1, 1], 'float32'), b.constant('b0', [1], [1], 'float32')], { kernel_shape: [1, 1] }, { name: 'c' })[0]!, b.constant('s', [3], [1], 'float32'), b.constant('beta', [0.5], [1], 'float32'), b.constant('m', [1], [1], 'float32'), b.constant('v', [3], [1], 'float32')], { epsilon: 1 }, { name: 'bn' })[0]!;
    const f = compileGraph(b.build([y]), { passes: ['bn-fold'] }).graph;
    const conv = f.nodes[0]!;
    // a = 3/√(3+1) = 1.5: W' = 2·1.5 = 3, b' = (1 − 1)·1.5 + 0.5 = 0.5
    expect(f.tensors[conv.inputs[1]!]!.value).toEqual([3]);
    expect(f.tensors[conv.inputs[2]!]!.value).toEqual([0.5]);
  });

  it('unknown passes are refused', () => {
    expect(errorOf(() => compileGraph(g, { passes: ['nope'] })).message).toMatch(/unknown pass 'nope'/);
  });
});

describe('layout rewrite (NCHW → NCHW[b]c)', () => {
  const transforms = (g: Graph) => g.nodes.filter((n) => n.op === 'LayoutTransform').map((n) => n.attrs.direction);

  function chain(): Graph {
    const b = new GraphBuilder('blocked', { batch: 1 });
    const x = b.input('x', [1, 16, 6, 6]);
    const c2 = b.conv(b.relu(b.conv(x, 32, { kernel: 3, pad: 'same', bias: true, name: 'c1' })), 16, { kernel: 3, pad: 'same', name: 'c2' });
    return b.build([c2]);
  }

  it('conv → relu → conv keeps its outputs and keeps only the 2 transforms at its edges', () => {
    const g = chain();
    const c = compileGraph(g, { passes: ['layout'] });
    // 3 nodes × (block, unblock) inserted; the 2 unblock→block pairs between them cancel
    expect(transforms(c.graph)).toEqual(['block', 'unblock']);
    expect(ops(c.graph)).toEqual(['LayoutTransform', 'Blocked', 'Relu', 'Blocked', 'LayoutTransform']);
    expect(c.graph.tensors[c.graph.nodes[2]!.outputs[0]!]!.shape).toEqual([1, 2, 6, 6, 16]);
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('--block 8 blocks by 8, and a pool joins the chain', () => {
    const b = new GraphBuilder('pooled', { batch: 1 });
    const x = b.input('x', [2, 8, 6, 6]);
    const y = b.maxPool(b.op('Sigmoid', [b.conv(x, 16, { kernel: 1, name: 'c' })]), { kernel: 2, stride: 2 });
    const g = b.build([b.globalAvgPool(y)]);
    const c = compileGraph(g, { passes: ['layout'], block: 8 });
    expect(transforms(c.graph)).toEqual(['block', 'unblock']);
    expect(c.graph.tensors[c.graph.nodes[3]!.outputs[0]!]!.shape).toEqual([2, 2, 3, 3, 8]);
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('a residual block: the skip and the Add stay blocked, 2 transforms in all', () => {
    const b = new GraphBuilder('residual', { batch: 1 });
    const x = b.relu(b.input('x', [1, 16, 5, 5]));
    const y = b.relu(b.add(b.conv(b.relu(b.conv(x, 16, { kernel: 3, pad: 'same', name: 'c1' })), 16, { kernel: 3, pad: 'same', name: 'c2' }), x));
    const g = b.build([b.globalAvgPool(y)]);
    const c = compileGraph(g, { passes: ['layout'] });
    expect(transforms(c.graph)).toEqual(['block', 'unblock']);
    expect(ops(c.graph).filter((o) => o === 'Blocked')).toHaveLength(2);
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('channels not a multiple of the block stay NCHW', () => {
    const c = compileGraph(testNet(), { passes: ['layout'], block: 16 });
    expect(transforms(c.graph)).toEqual([]);
  });

  it('runs before fusion: blocked convolutions take their ReLU, and the outputs stay', () => {
    const g = chain();
    const c = compileGraph(g, { passes: ['simplify', 'bn-fold', 'fuse', 'layout'] });
    expect(c.applied).toEqual(['simplify', 'bn-fold', 'layout', 'fuse']);
    expect(ops(c.graph)).toEqual(['LayoutTransform', 'FusedGroup', 'Blocked', 'LayoutTransform']);
    expect(c.graph.nodes[1]!.attrs.anchor).toBe('Blocked');
    // a blocked convolution lowers to the loop nest of the NCHW one it wraps
    const conv = g.nodes[0]!, group = c.graph.nodes[1]!;
    expect(registry.get('FusedGroup').lower!(nodeInputTypes(c.graph, group), [c.graph.tensors[group.outputs[0]!]!], group.attrs))
      .toEqual(registry.get('Conv').lower!(nodeInputTypes(g, conv), [g.tensors[conv.outputs[0]!]!], registry.get('Conv').attrs(conv.attrs)));
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('blocks the filters too, once when compiling: OIHW → OIHW[16]i[16]o', () => {
    const c = compileGraph(chain(), { passes: ['layout'] });
    expect(c.derived.map((d) => [d.rule, d.from[0]])).toEqual([['block-weight', 'c1.weight'], ['block-weight', 'c2.weight']]);
    const convs = c.graph.nodes.filter((n) => n.op === 'Blocked');
    // c1: 32 filters of 16 channels; c2: 16 of 32
    expect(convs.map((n) => c.graph.tensors[n.inputs[1]!]!.shape)).toEqual([[2, 1, 3, 3, 16, 16], [1, 2, 3, 3, 16, 16]]);
    expect(convs.map((n) => n.attrs.weight_block)).toEqual([16, 16]);
  });

  it('a BatchNorm-folded filter is blocked after folding, and the outputs stay', () => {
    const b = new GraphBuilder('folded', { batch: 2 });
    const x = b.input('x', [2, 16, 5, 5]);
    const y = b.conv(b.relu(b.batchNorm(b.conv(x, 16, { kernel: 3, pad: 'same', name: 'c1' }), 'bn')), 16, { kernel: 1, name: 'c2' });
    const g = b.build([y]);
    const c = compileGraph(g, { passes: ['bn-fold', 'layout'] });
    expect(c.derived.map((d) => d.rule)).toEqual(['bn-weight', 'bn-bias', 'block-weight', 'block-weight']);
    expect(c.derived[2]!.from).toEqual([c.derived[0]!.name]);
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('an activation after an NCHW convolution stays its epilogue; the pool after it goes blocked', () => {
    const b = new GraphBuilder('edge', { batch: 1 });
    const x = b.input('x', [1, 3, 8, 8]);
    const g = b.build([b.maxPool(b.relu(b.conv(x, 16, { kernel: 3, pad: 'same', name: 'c' })), { kernel: 2, stride: 2 })]);
    const c = compileGraph(g, { passes: ['layout', 'fuse'] });
    expect(ops(c.graph)).toEqual(['FusedGroup', 'LayoutTransform', 'Blocked', 'LayoutTransform']);
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it("compile's figures price the transforms: two copies of a 16 × 6 × 6 float32 tensor, each read and written", () => {
    const c = compileGraph(chain(), { passes: ['layout'] });
    const f = graphFigures(c.graph, loadArch('eyeriss'));
    expect(f.layoutTransforms.nodes).toBe(2);
    expect(f.layoutTransforms.dramBytes).toBe(2 * 2 * 16 * 6 * 6 * 4);
    expect(f.layoutTransforms.vectorCycles).toBeGreaterThan(0);
    expect(graphFigures(chain(), loadArch('eyeriss')).layoutTransforms).toEqual({ nodes: 0, dramBytes: 0, vectorCycles: 0 });
  });

  it('block-weight puts filter (o, i) at block (o/b, i/b), lane (i%b, o%b)', () => {
    // [4, 4, 1, 1] holding 4·o + i, blocked by 2 → [2, 2, 1, 1, 2, 2] in (ob, ib, i%2, o%2) order
    const w = { name: 'w', shape: [4, 4, 1, 1], dtype: 'float32' as const, kind: 'weight' as const };
    const blocked = computeDerived({ name: 'wb', rule: 'block-weight', from: ['w'], block: 2 }, () => fromNumbers(w, Array.from({ length: 16 }, (_, k) => k)));
    expect(blocked.shape).toEqual([2, 2, 1, 1, 2, 2]);
    expect(Array.from(blocked.data)).toEqual([0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15]);
  });

  it('is not in the default pipeline', () => {
    expect(compileGraph(chain()).applied).toEqual(['simplify', 'bn-fold', 'fuse']);
  });

  it('LayoutTransform puts channel c at block c/b, lane c%b, and back', () => {
    // [1, 4, 1, 2] holding c·2 + w, blocked by 2 → [1, 2, 1, 2, 2] in (cb, w, lane) order
    const v = { shape: [1, 4, 1, 2], dtype: 'float32' as const, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
    const run = (x: typeof v, direction: string, shape: number[]) => kernels.get('LayoutTransform')!.run({
      node: { name: 't', op: 'LayoutTransform', inputs: ['x'], outputs: ['y'], attrs: {}, phase: 'forward' },
      inputs: [x], attrs: { block: 2, direction }, outputs: [{ shape, dtype: 'float32' }], kernels,
    })[0]!;
    const blocked = run(v, 'block', [1, 2, 1, 2, 2]);
    expect(blocked.shape).toEqual([1, 2, 1, 2, 2]);
    expect(Array.from(blocked.data)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect(Array.from(run(blocked as typeof v, 'unblock', [1, 4, 1, 2]).data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("the layout block comes from the target's GEMM intrinsic", () => {
  const vta32 = () => loadVtaTarget('vta', ['blockIn=32', 'blockOut=32']);

  it('a 32 × 32 GEMM core blocks by 32: NCHW[32]c, transforms of 8 KiB in all, the same outputs', () => {
    const { block, from } = targetBlock(vta32(), 'vta32');
    expect(block).toBe(32);
    expect(from).toMatch(/BLOCK_IN = BLOCK_OUT = 32/);
    const b = new GraphBuilder('gemm32', { batch: 1 });
    const x = b.input('x', [1, 32, 4, 4]);
    const g = b.build([b.conv(b.relu(b.conv(x, 64, { kernel: 3, pad: 'same', name: 'c1' })), 32, { kernel: 1, name: 'c2' })]);
    const c = compileGraph(g, { passes: ['layout'], block });
    expect(ops(c.graph)).toEqual(['LayoutTransform', 'Blocked', 'Relu', 'Blocked', 'LayoutTransform']);
    // x [1,32,4,4] → [1,1,4,4,32]; c1's 64 channels → [1,2,4,4,32]; c2's 32 → [1,1,4,4,32]
    expect(c.graph.nodes.map((n) => c.graph.tensors[n.outputs[0]!]!.shape)).toEqual([[1, 1, 4, 4, 32], [1, 2, 4, 4, 32], [1, 2, 4, 4, 32], [1, 1, 4, 4, 32], [1, 32, 4, 4]]);
    // filters: c1 [64,32,3,3] → [2,1,3,3,32,32]; c2 [32,64,1,1] → [1,2,1,1,32,32]
    expect(c.derived.map((d) => c.graph.tensors[d.name]!.shape)).toEqual([[2, 1, 3, 3, 32, 32], [1, 2, 1, 1, 32, 32]]);
    // each transform reads and writes 32·4·4 float32 = 2 KiB: 2 transforms × 4 KiB
    expect(graphFigures(c.graph, loadArch('vta')).layoutTransforms).toMatchObject({ nodes: 2, dramBytes: 2 * 2 * 32 * 4 * 4 * 4 });
    expect(maxRelDiff(g, c)).toBeLessThan(1e-5);
  });

  it('one width for every activation: BLOCK_IN ≠ BLOCK_OUT is refused, naming --block', () => {
    expect(errorOf(() => targetBlock(loadVtaTarget('vta', ['blockIn=32']), 'wide')).render()).toMatch(/'wide'.*BLOCK_IN 32 ≠ BLOCK_OUT 16.*--block/);
  });

  it('--block overrides; else --block-from; else the target preset describing --arch; else 16', () => {
    expect(layoutBlock({ block: 8, blockFrom: 'vta', arch: 'vta' })).toEqual({ block: 8, from: '--block' });
    expect(layoutBlock({ blockFrom: 'vta', arch: 'eyeriss' }).block).toBe(16);
    expect(layoutBlock({ arch: 'vta' }).from).toMatch(/target vta/);
    expect(layoutBlock({ arch: 'eyeriss' })).toEqual({ block: 16, from: 'default (no target describes arch eyeriss)' });
  });
});
