import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../src/util/shared.js';
import { errorOf } from '../../src/util/test-util.js';
import { graphTotals } from '../../src/workload/counts.js';
import { paramCount, type Graph } from '../../src/workload/graph.js';
import { loadGraph } from '../../src/workload/load.js';
import { importOnnx, type OnnxImportOptions } from '../../src/workload/onnx/import.js';
import type { OnnxModel } from '../../src/workload/onnx/proto.js';
import { writeModelFile } from '../../src/workload/onnx/write.js';
import { model, node, tensor, valueInfo } from './build.js';

/** Details of real exports: trained initializers that constant folding must keep, and `--batch` on a file exported with a fixed batch. */
const dir = mkdtempSync(join(tmpdir(), 'accelmap-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function load(m: OnnxModel, o: OnnxImportOptions = {}): Graph {
  const file = join(dir, `m${fileNo++}.onnx`);
  writeModelFile(file, m);
  return importOnnx(file, o);
}

/**
 * A ViT-style token prefix as torchvision exports it: a trained class token
 * [1, 1, D] expanded to the batch (the batch read from the input's shape),
 * concatenated before the patch tokens.
 */
function classTokenModel(batch: number | string) {
  const D = 8;
  return model({
    inputs: [valueInfo('x', 'float32', [batch, 4, D])],
    outputs: [valueInfo('y', 'float32')],
    initializers: [tensor('class_token', [1, 1, D], 'float32', Array.from({ length: D }, (_, i) => i / 10)), tensor('zero', [1], 'int64', [0]), tensor('tail', [2], 'int64', [1, 1])],
    nodes: [
      node('Shape', ['x'], ['xs'], {}, 'shape'),
      node('Gather', ['xs', 'zero'], ['n'], { axis: 0 }, 'batch'),
      node('Concat', ['n', 'tail'], ['target'], { axis: 0 }, 'target'),
      node('Expand', ['class_token', 'target'], ['tokens'], {}, 'expand'),
      node('Concat', ['tokens', 'x'], ['y'], { axis: 1 }, 'prefix'),
    ],
  });
}

describe('trained initializers are never folded into constants', () => {
  it('keeps a class token expanded to a static batch as a weight, with its Expand', () => {
    const g = load(classTokenModel(2));
    expect(paramCount(g)).toBe(8);
    expect(g.tensors.class_token!.kind).toBe('weight');
    expect(g.nodes.map((n) => n.op)).toEqual(['Expand', 'Concat']);
    expect(g.tensors.y!.shape).toEqual([2, 5, 8]);
  });

  it('still folds the shape arithmetic around it', () => {
    const g = load(classTokenModel('N'), { batch: 3 });
    expect(g.nodes.map((n) => n.name)).toEqual(['expand', 'prefix']);
    expect(g.tensors.target!.value).toEqual([3, 1, 1]);
  });

  it('folds a computation on constants that feeds no parameter slot', () => {
    const g = load(
      model({
        inputs: [valueInfo('x', 'float32', [2, 3])],
        outputs: [valueInfo('y', 'float32')],
        initializers: [tensor('shape', [2], 'int64', [3, 2])],
        nodes: [node('Identity', ['shape'], ['s2'], {}, 'copy'), node('Reshape', ['x', 's2'], ['y'], {}, 'reshape')],
      }),
    );
    expect(g.nodes.map((n) => n.name)).toEqual(['reshape']);
    expect(paramCount(g)).toBe(0);
  });
});

/** Conv → flatten → Gemm exported with a fixed batch of 1; the flatten either follows the batch (Shape → Gather → Concat → Reshape, or Flatten) or pins it (a constant shape). */
function fixedBatchModel(flatten: 'shape' | 'flatten' | 'constant') {
  const flat: Record<typeof flatten, ReturnType<typeof node>[]> = {
    shape: [node('Shape', ['r'], ['rs'], {}, 'shape'), node('Gather', ['rs', 'first'], ['n'], { axis: 0 }, 'batch'), node('Unsqueeze', ['n', 'zero'], ['n1'], {}, 'n1'), node('Concat', ['n1', 'minus1'], ['to'], { axis: 0 }, 'to'), node('Reshape', ['r', 'to'], ['f'], {}, 'flat')],
    flatten: [node('Flatten', ['r'], ['f'], { axis: 1 }, 'flat')],
    constant: [node('Reshape', ['r', 'pinned'], ['f'], {}, 'flat')],
  };
  return model({
    inputs: [valueInfo('x', 'float32', [1, 3, 8, 8])],
    outputs: [valueInfo('y', 'float32', [1, 10])],
    valueInfo: [valueInfo('c', 'float32', [1, 4, 8, 8])],
    initializers: [tensor('w', [4, 3, 3, 3]), tensor('fc', [10, 256]), tensor('first', [], 'int64', [0]), tensor('zero', [1], 'int64', [0]), tensor('minus1', [1], 'int64', [-1]), tensor('pinned', [2], 'int64', [1, 256])],
    nodes: [node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }, 'conv'), node('Relu', ['c'], ['r'], {}, 'relu'), ...flat[flatten], node('Gemm', ['f', 'fc'], ['y'], { transB: 1 }, 'fc')],
  });
}

describe('--batch on a file exported with a fixed batch', () => {
  it.each(['shape', 'flatten'] as const)('rebinds the inputs and re-infers every shape (flatten by %s)', (flatten) => {
    const g = load(fixedBatchModel(flatten), { batch: 4 });
    expect(g.batch).toBe(4);
    expect([g.tensors.x, g.tensors.c, g.tensors.f, g.tensors.y].map((t) => t!.shape)).toEqual([[4, 3, 8, 8], [4, 4, 8, 8], [4, 256], [4, 10]]);
    // conv: 4 images × 4·8·8 outputs × 27 MACs; fc: 4 × 10 × 256
    expect(graphTotals(g).macs).toBe(4 * 256 * 27 + 4 * 10 * 256);
  });

  it('keeps the exported batch without --batch or with the same one', () => {
    expect(load(fixedBatchModel('constant')).tensors.y!.shape).toEqual([1, 10]);
    expect(load(fixedBatchModel('constant'), { batch: 1 }).tensors.y!.shape).toEqual([1, 10]);
  });

  it('refuses in one line where a Reshape constant pins the batch', () => {
    expect(errorOf(() => load(fixedBatchModel('constant'), { batch: 4 })).render()).toMatch(
      /node flat \(Reshape\): its constant shape \[1,256\] fixes the batch at 1, so --batch 4 cannot replace the batch the file was exported with — export the model with a dynamic batch \(PyTorch: torch\.onnx\.export\(\.\.\., dynamic_axes=/,
    );
  });
});

const models = sharedDir('models');
const light = sharedDir('onnx-tests', 'light');
if (!existsSync(models) || !existsSync(light)) console.log(`exports.test: ${models} or ${light} absent; the real-export checks are skipped`);

describe.skipIf(!existsSync(models))('--batch on the PyTorch exports in ../shared/models (fixed batch of 1)', () => {
  it.each(['squeezenet1_1', 'mobilenet_v2'])('%s: every figure the ONNX tooling gives at batch 1, times 4', (name) => {
    const expected = JSON.parse(readFileSync(join(models, `${name}.expected.json`), 'utf8')) as { macs: number; param_count_float_initializers: number; outputs: { shape: number[] }[]; nodes: { outputs: { name: string; shape: number[] }[] }[] };
    const g = loadGraph(join(models, `${name}.onnx`), { batch: 4 });
    expect(graphTotals(g).macs).toBe(4 * expected.macs);
    expect(paramCount(g)).toBe(expected.param_count_float_initializers);
    const wrong = expected.nodes.flatMap((n) => n.outputs).filter((o) => o.shape.length > 0).filter((o) => g.tensors[o.name]!.shape.join(',') !== [4, ...o.shape.slice(1)].join(','));
    expect(wrong).toEqual([]);
  });

  it('gpt_mini: refused where its attention reshape pins the batch', () => {
    expect(errorOf(() => loadGraph(join(models, 'gpt_mini.onnx'), { batch: 2 })).render()).toMatch(/node \/blocks\.0\/Reshape \(Reshape\): its constant shape \[1,128,4,64\] fixes the batch at 1/);
  });
});

describe.skipIf(!existsSync(light))('--batch on the ONNX model zoo files in ../shared/onnx-tests/light', () => {
  it('rebinds SqueezeNet (no flatten reshape) and refuses VGG-19 at its classifier reshape', () => {
    const one = loadGraph(join(light, 'light_squeezenet.onnx'));
    const eight = loadGraph(join(light, 'light_squeezenet.onnx'), { batch: 8 });
    expect(graphTotals(eight).macs).toBe(8 * graphTotals(one).macs);
    expect(eight.outputs.map((o) => eight.tensors[o]!.shape[0])).toEqual([8]);
    expect(errorOf(() => loadGraph(join(light, 'light_vgg19.onnx'), { batch: 8 })).render()).toMatch(/node n37 \(Reshape\): its constant shape \[1,25088\] fixes the batch at 1/);
  });
});
