import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../../src/util/test-util.js';
import { graphTotals } from '../../src/workload/counts.js';
import { paramCount, type Graph } from '../../src/workload/graph.js';
import { loadGraph } from '../../src/workload/load.js';
import { importOnnx, type OnnxImportOptions } from '../../src/workload/onnx/import.js';
import { readModelBytes, readModelFile, type OnnxModel } from '../../src/workload/onnx/proto.js';
import { encodeModel, writeModelFile } from '../../src/workload/onnx/write.js';
import { attr, model, node, tensor, valueInfo } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'accelmap-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function save(m: OnnxModel, name = `m${fileNo++}.onnx`): string {
  const file = join(dir, name);
  writeModelFile(file, m);
  return file;
}

function load(m: OnnxModel, o: OnnxImportOptions = {}): Graph {
  return importOnnx(save(m), o);
}

const shapeOf = (g: Graph, name: string) => g.tensors[name]!.shape;

/** The declared length of a top-level length-delimited field of a message, read by hand from the protobuf wire format. */
function fieldLength(bytes: Uint8Array, field: number): number {
  let at = 0;
  const varint = () => {
    let v = 0, shift = 0, b: number;
    do {
      b = bytes[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  while (at < bytes.length) {
    const tag = varint();
    if ((tag & 7) === 0) {
      varint();
      continue;
    }
    if ((tag & 7) !== 2) throw new Error(`unexpected wire type ${tag & 7}`);
    const n = varint();
    if (tag >>> 3 === field) return n;
    at += n;
  }
  throw new Error(`no field ${field}`);
}

/** A conv net block: input → Conv(+bias) → Relu → output. */
function convModel(inputShape: (number | string)[]) {
  return model({
    inputs: [valueInfo('x', 'float32', inputShape)],
    outputs: [valueInfo('y', 'float32')],
    initializers: [tensor('w', [8, 3, 3, 3]), tensor('b', [8])],
    nodes: [node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }, 'conv1'), node('Relu', ['c'], ['y'], {}, 'relu1')],
  });
}

describe('reading', () => {
  it('round-trips nodes, attributes and small tensor values of every integer and float width', () => {
    const values: [Parameters<typeof tensor>[2], number[]][] = [
      ['float32', [1.5, -2]], ['float64', [0.1]], ['int8', [-8, 7]], ['uint8', [255]], ['int16', [-300]], ['uint16', [65535]],
      ['int32', [-70000]], ['int64', [-(2 ** 40), 3]], ['uint32', [4e9]], ['bool', [1, 0]], ['int4', [-8, 7, 3]], ['uint4', [15, 0, 1]],
    ];
    const m = model({
      initializers: values.map(([d, v], i) => tensor(`t${i}`, [v.length], d, v)),
      nodes: [{ ...node('Conv', ['a', 'b'], ['c'], { strides: [2, 2], auto_pad: 'SAME_UPPER', alpha: 0.5 }, 'n'), domain: 'x.y' }],
    });
    const back = readModelBytes(encodeModel(m));
    expect(back.graph.initializers.map((t) => [t.dtype, t.value])).toEqual(values);
    expect(back.graph.nodes[0]).toEqual(m.graph.nodes[0]);
    expect(back.opsets).toEqual({ '': 18 });
  });

  it('skips weight bytes: a large initializer keeps its dims and type, not its values', () => {
    const file = save(model({ initializers: [tensor('big', [1024, 1024])] }));
    const [t] = readModelFile(file).graph.initializers;
    expect(t).toMatchObject({ name: 'big', dims: [1024, 1024], dtype: 'float32' });
    expect(t!.value).toBeUndefined();
  });

  it('refuses raw data whose length contradicts the dims', () => {
    const bytes = encodeModel(model({ initializers: [tensor('s', [3], 'int64', [1, 2, 3])] }));
    // the initializer's dims field is [3]; make it [4] (same varint length)
    const at = bytes.findIndex((b, i) => b === 0x0a && bytes[i + 1] === 0x01 && bytes[i + 2] === 3);
    bytes[at + 2] = 4;
    expect(errorOf(() => readModelBytes(bytes, 'bad.onnx')).render()).toMatch(/bad\.onnx: truncated or corrupt ONNX file: tensor 's' of shape \[4\] \(int64\) needs 32 bytes of raw data, has 24/);
  });

  it('refuses a declared dimension past 2^53, which a number cannot hold exactly', () => {
    const bytes = encodeModel(model({ inputs: [valueInfo('x', 'float32', [300])], outputs: [valueInfo('x', 'float32', [300])] }));
    // dim_value 300 is the varint ac 02 after its tag 08; 2^53 + 1 takes eight bytes: 81 80 80 80 80 80 80 10
    const at = bytes.findIndex((b, i) => b === 0x08 && bytes[i + 1] === 0xac && bytes[i + 2] === 0x02);
    const big = [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    const patched = new Uint8Array([...bytes.subarray(0, at + 1), ...big, ...bytes.subarray(at + 3)]);
    // the enclosing lengths grow by 6 — dim, shape, tensor type, type, value info:
    // 5a 10 | 0a 01 78 | 12 0b | 0a 09 | 08 01 | 12 05 | 0a 03 | 08 ac 02
    for (const lengthAt of [at - 1, at - 3, at - 7, at - 9, at - 14]) patched[lengthAt] = patched[lengthAt]! + 6;
    const e = errorOf(() => readModelBytes(patched, 'big.onnx'));
    expect(e.render()).toMatch(/big\.onnx: truncated or corrupt ONNX file: dimension 9007199254740992 is not a whole number below 2\^53/);
  });
});

describe('dynamic dimensions', () => {
  const m = convModel(['N', 3, 'H', 'W']);

  it('binds the batch with --batch and named dimensions with --dim', () => {
    const g = load(m, { batch: 2, dims: { H: 32, W: 16 } });
    expect(shapeOf(g, 'y')).toEqual([2, 8, 32, 16]);
    expect(g.batch).toBe(2);
    expect(g.nodes.map((n) => n.name)).toEqual(['conv1', 'relu1']);
  });

  it('names the input and the unbound dimension, with a hint', () => {
    const e = errorOf(() => load(m, { batch: 2, dims: { H: 32 } }));
    expect(e.render()).toMatch(/input 'x' dimension 3 \('W'\) has no size — bind it with --dim W=<size>/);
    expect(errorOf(() => load(m, { dims: { H: 1, W: 1 } })).render()).toMatch(/dimension 0 \('N'\) has no size — bind it with --dim N=<size> or --batch <n>/);
  });

  it('refuses --dim names the model lacks; --batch replaces a fixed batch', () => {
    expect(errorOf(() => load(m, { batch: 1, dims: { H: 1, W: 1, T: 3 } })).render()).toMatch(/--dim T names no dimension of the model's inputs — its named dimensions: N, H, W/);
    expect(shapeOf(load(convModel([1, 3, 8, 8]), { batch: 4 }), 'y')).toEqual([4, 8, 8, 8]);
    expect(shapeOf(load(convModel([1, 3, 8, 8]), { batch: 1 }), 'y')).toEqual([1, 8, 8, 8]);
  });
});

describe('older opsets are upgraded to the newest op forms', () => {
  /** One node over input x [2, 3, 4, 5] at `opset`; returns the output shape. */
  function run(opset: number, op: string, attrs: Record<string, Parameters<typeof attr>[1]>, extraInputs: string[] = [], initializers = [] as ReturnType<typeof tensor>[], outputs = ['y']): number[][] {
    const g = load(model({ inputs: [valueInfo('x', 'float32', [2, 3, 4, 5])], outputs: outputs.map((o) => valueInfo(o, 'float32')), initializers, nodes: [node(op, ['x', ...extraInputs], outputs, attrs)] }, opset));
    return outputs.map((o) => shapeOf(g, o));
  }

  it('Slice-1 starts/ends/axes attributes', () => expect(run(1, 'Slice', { starts: [1, 0], ends: [3, -1], axes: [2, 3] })).toEqual([[2, 3, 2, 4]]));
  it('Split-2 split attribute', () => expect(run(2, 'Split', { axis: 3, split: [2, 3] }, [], [], ['a', 'b'])).toEqual([[2, 3, 4, 2], [2, 3, 4, 3]]));
  it('Split-13 without sizes splits evenly', () => expect(run(13, 'Split', { axis: 2 }, [], [], ['a', 'b'])).toEqual([[2, 3, 2, 5], [2, 3, 2, 5]]));
  it('Pad-2 pads attribute', () => expect(run(2, 'Pad', { pads: [0, 0, 1, 2, 0, 0, 3, 4], mode: 'constant' })).toEqual([[2, 3, 8, 11]]));
  it('Squeeze-11 and Unsqueeze-11 axes attributes', () => {
    expect(run(11, 'Unsqueeze', { axes: [0, 5] })).toEqual([[1, 2, 3, 4, 5, 1]]);
    const g = load(model({ inputs: [valueInfo('x', 'float32', [1, 3, 1, 5])], outputs: [valueInfo('y', 'float32')], nodes: [node('Squeeze', ['x'], ['y'], { axes: [0, 2] })] }, 11));
    expect(shapeOf(g, 'y')).toEqual([3, 5]);
  });
  it('ReduceMean-13 axes attribute', () => expect(run(13, 'ReduceMean', { axes: [1, -1], keepdims: 0 })).toEqual([[2, 4]]));
  it('Reshape-1 shape attribute', () => expect(run(1, 'Reshape', { shape: [0, -1] })).toEqual([[2, 60]]));
  it('TopK-1 k attribute', () => expect(run(1, 'TopK', { k: 2, axis: 2 }, [], [], ['v', 'i'])).toEqual([[2, 3, 2, 5], [2, 3, 2, 5]]));
  it('Clip-6 min/max attributes', () => expect(run(6, 'Clip', { min: 0, max: 6 })).toEqual([[2, 3, 4, 5]]));
  it('Upsample-7 scales attribute and Upsample-9 scales input become Resize', () => {
    expect(run(7, 'Upsample', { scales: [1, 1, 2, 3], mode: 'nearest' })).toEqual([[2, 3, 8, 15]]);
    expect(run(9, 'Upsample', { mode: 'linear' }, ['s'], [tensor('s', [4], 'float32', [1, 1, 0.5, 2])])).toEqual([[2, 3, 2, 10]]);
  });
  it('Resize-10 (X, scales)', () => expect(run(10, 'Resize', {}, ['s'], [tensor('s', [4], 'float32', [1, 2, 1, 1])])).toEqual([[2, 6, 4, 5]]));
  it('Cast-1 element-type name', () => {
    const g = load(model({ inputs: [valueInfo('x', 'float32', [2])], outputs: [valueInfo('y', 'int64')], nodes: [node('Cast', ['x'], ['y'], { to: 'INT64' })] }, 1));
    expect(g.tensors.y!.dtype).toBe('int64');
  });
  it('legacy broadcast along an axis (Add-6 with broadcast=1, axis=1)', () => {
    const g = load(model({ inputs: [valueInfo('x', 'float32', [2, 3, 4, 5]), valueInfo('b', 'float32', [3])], outputs: [valueInfo('y', 'float32')], nodes: [node('Add', ['x', 'b'], ['y'], { broadcast: 1, axis: 1 })] }, 6));
    expect(shapeOf(g, 'y')).toEqual([2, 3, 4, 5]);
  });
});

describe('constant folding', () => {
  it('folds a Shape → Gather → Unsqueeze → Concat → Reshape chain to a static shape', () => {
    const m = model({
      inputs: [valueInfo('x', 'float32', ['N', 16, 7, 7])],
      outputs: [valueInfo('y', 'float32')],
      initializers: [tensor('zero', [], 'int64', [0]), tensor('minus1', [1], 'int64', [-1]), tensor('axes0', [1], 'int64', [0])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], { axis: 0 }),
        node('Unsqueeze', ['n', 'axes0'], ['n1']),
        node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }),
        node('Reshape', ['x', 'target'], ['y'], {}, 'flatten'),
      ],
    });
    const g = load(m, { batch: 3 });
    expect(shapeOf(g, 'y')).toEqual([3, 784]);
    expect(g.tensors.target!.value).toEqual([3, -1]);
    expect(g.nodes.map((n) => n.op)).toEqual(['Reshape']);
  });

  it('keeps Constant values of every form', () => {
    const m = model({
      outputs: ['a', 'b', 'c', 'd'].map((n) => valueInfo(n, 'float32')),
      nodes: [
        node('Constant', [], ['a'], { value_float: 2.5 }),
        node('Constant', [], ['b'], { value_ints: [1, 2, 3] }),
        node('Constant', [], ['c'], { value: tensor('', [2, 2], 'int32', [1, 2, 3, 4]) }),
        node('Constant', [], ['d'], { value_int: 7 }),
      ],
    });
    m.graph.nodes[0]!.attributes = [attr('value_float', 2.5, true)];
    const g = load(m);
    expect([g.tensors.a, g.tensors.b, g.tensors.c, g.tensors.d].map((t) => [t!.shape, t!.dtype, t!.value])).toEqual([
      [[], 'float32', [2.5]], [[3], 'int64', [1, 2, 3]], [[2, 2], 'int32', [1, 2, 3, 4]], [[], 'int64', [7]],
    ]);
  });
});

describe('graph construction', () => {
  it('turns a Gather on a weight table into an Embedding and counts the table as parameters', () => {
    const g = load(model({
      inputs: [valueInfo('ids', 'int64', ['B', 'T'])],
      outputs: [valueInfo('y', 'float32')],
      initializers: [tensor('emb', [1000, 64])],
      nodes: [node('Gather', ['emb', 'ids'], ['y'], {}, 'tok_emb')],
    }), { batch: 2, dims: { T: 16 } });
    expect(g.nodes[0]).toMatchObject({ name: 'tok_emb', op: 'Embedding', inputs: ['ids', 'emb'] });
    expect(shapeOf(g, 'y')).toEqual([2, 16, 64]);
    expect(paramCount(g)).toBe(64000);
  });

  it('refuses a lookup index known at import to lie outside the table', () => {
    const m = (ids: number[]) => model({
      outputs: [valueInfo('y', 'float32')],
      initializers: [tensor('emb', [1000, 64]), tensor('ids', [2], 'int64', ids)],
      nodes: [node('Gather', ['emb', 'ids'], ['y'], {}, 'tok_emb')],
    });
    expect(shapeOf(load(m([3, -1000])), 'y')).toEqual([2, 64]);
    expect(errorOf(() => load(m([3, 1000]))).render()).toMatch(/node tok_emb \(Gather\): Gather index 1000 is out of range for an axis of size 1000/);
    expect(errorOf(() => load(m([-1001, 0]))).render()).toMatch(/Gather index -1001 is out of range for an axis of size 1000/);
  });

  it('marks parameters as weights and configuration operands as constants', () => {
    const g = load(model({
      inputs: [valueInfo('x', 'float32', [1, 4, 8, 8])],
      outputs: [valueInfo('y', 'float32')],
      initializers: [tensor('scale', [4]), tensor('bias', [4]), tensor('mean', [4]), tensor('var', [4]), tensor('shape', [2], 'int64', [1, -1])],
      nodes: [node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['bn']), node('Reshape', ['bn', 'shape'], ['y'])],
    }));
    expect(['scale', 'bias', 'mean', 'var', 'shape'].map((n) => g.tensors[n]!.kind)).toEqual(['weight', 'weight', 'constant', 'constant', 'constant']);
    expect(paramCount(g)).toBe(8);
  });

  it('counts an int8 weight of a quantized convolution as parameters', () => {
    const g = load(model({
      inputs: [valueInfo('x', 'uint8', [1, 3, 8, 8])],
      outputs: [valueInfo('y', 'uint8')],
      initializers: [tensor('xs', [], 'float32', [0.1]), tensor('xz', [], 'uint8', [0]), tensor('w', [4, 3, 3, 3], 'int8'), tensor('ws', [], 'float32', [0.2]), tensor('wz', [], 'int8', [0]), tensor('ys', [], 'float32', [0.3]), tensor('yz', [], 'uint8', [0])],
      nodes: [node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y'])],
    }));
    expect(paramCount(g)).toBe(108);
    expect(shapeOf(g, 'y')).toEqual([1, 4, 6, 6]);
    expect(graphTotals(g).macs).toBe(4 * 36 * 27);
  });

  it('names unnamed nodes by op type and position, keeping names unique', () => {
    const g = load(model({
      inputs: [valueInfo('x', 'float32', [4])],
      outputs: [valueInfo('z', 'float32')],
      nodes: [node('Relu', ['x'], ['a'], {}, 'act'), node('Relu', ['a'], ['b'], {}, 'act'), node('Sigmoid', ['b'], ['z'])],
    }));
    expect(g.nodes.map((n) => n.name)).toEqual(['act', 'act_1', 'Sigmoid_2']);
  });

  it('imports nodes listed out of order, and initializers listed as inputs (IR 3)', () => {
    const m = convModel([1, 3, 8, 8]);
    m.graph.nodes.reverse();
    m.irVersion = 3;
    m.graph.inputs.push(valueInfo('w', 'float32', [8, 3, 3, 3]), valueInfo('b', 'float32', [8]));
    const g = load(m);
    expect(g.nodes.map((n) => n.name)).toEqual(['conv1', 'relu1']);
    expect(g.inputs).toEqual(['x']);
    expect(paramCount(g)).toBe(8 * 27 + 8);
  });

  it('reads tensors kept in an external-data file without reading the file', () => {
    const m = convModel([1, 3, 8, 8]);
    m.graph.initializers[0]!.external = { location: 'weights.bin', offset: 64 };
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(64 + 8 * 27 * 4));
    const g = importOnnx(save(m, 'ext.onnx'));
    expect(g.tensors.w).toMatchObject({ shape: [8, 3, 3, 3], kind: 'weight' });
    expect(graphTotals(g).macs).toBe(8 * 64 * 27);
  });
});

describe('subgraphs and functions', () => {
  it('inlines model-local functions, filling attributes that refer to the caller', () => {
    const m = model({
      inputs: [valueInfo('x', 'float32', [2, 6])],
      outputs: [valueInfo('y', 'float32')],
      nodes: [{ ...node('ScaledSoftmax', ['x'], ['y'], { axis: 0 }, 'call'), domain: 'my.lib' }],
    });
    m.opsets['my.lib'] = 1;
    m.functions.push({
      name: 'ScaledSoftmax', domain: 'my.lib', inputs: ['a'], outputs: ['b'], attributes: ['axis'], attributeDefaults: [], opsets: { '': 18 },
      nodes: [node('Constant', [], ['two'], { value_float: 2 }), node('Mul', ['a', 'two'], ['s']), { ...node('Softmax', ['s'], ['b']), attributes: [{ name: 'axis', type: 'undefined', refAttrName: 'axis' }] }],
    });
    m.functions[0]!.nodes[0]!.attributes = [attr('value_float', 2, true)];
    const g = load(m);
    expect(g.nodes.map((n) => [n.name, n.op])).toEqual([['call/Mul_1', 'Mul'], ['call/Softmax_2', 'Softmax']]);
    expect(g.nodes[1]!.attrs.axis).toBe(0);
    expect(shapeOf(g, 'y')).toEqual([2, 6]);
  });

  it('unrolls a Loop with a constant trip count, stacking its scan outputs', () => {
    const body = {
      name: 'body', initializers: [], valueInfo: [],
      inputs: [valueInfo('i', 'int64', []), valueInfo('c', 'bool', []), valueInfo('acc', 'float32', [3])],
      outputs: [valueInfo('c_out', 'bool'), valueInfo('acc_out', 'float32'), valueInfo('step', 'float32')],
      nodes: [node('Identity', ['c'], ['c_out']), node('Add', ['acc', 'x'], ['acc_out']), node('Relu', ['acc_out'], ['step'])],
    };
    const g = load(model({
      inputs: [valueInfo('x', 'float32', [3])],
      outputs: [valueInfo('final', 'float32'), valueInfo('steps', 'float32')],
      initializers: [tensor('n', [], 'int64', [4]), tensor('zero', [3], 'float32', [0, 0, 0])],
      nodes: [node('Loop', ['n', '', 'zero'], ['final', 'steps'], { body }, 'loop')],
    }));
    expect(shapeOf(g, 'final')).toEqual([3]);
    expect(shapeOf(g, 'steps')).toEqual([4, 3]);
    expect(g.nodes.filter((n) => n.op === 'Add').map((n) => n.name)).toEqual(['loop/iter0/Add_1', 'loop/iter1/Add_1', 'loop/iter2/Add_1', 'loop/iter3/Add_1']);
  });

  it('bounds unrolling before doing it: nested loops are refused after one pass through the inner loop', () => {
    const loopBody = (inner: ReturnType<typeof node>[]) => ({
      name: 'body', initializers: [], valueInfo: [],
      inputs: [valueInfo('i', 'int64', []), valueInfo('c', 'bool', []), valueInfo('acc', 'float32', [3])],
      outputs: [valueInfo('c_out', 'bool'), valueInfo('acc_out', 'float32')],
      nodes: [node('Identity', ['c'], ['c_out']), ...inner],
    });
    const nest = (body: ReturnType<typeof loopBody>) => model({
      inputs: [valueInfo('x', 'float32', [3])],
      outputs: [valueInfo('final', 'float32')],
      initializers: [tensor('n', [], 'int64', [4096]), tensor('zero', [3], 'float32', [0, 0, 0])],
      nodes: [node('Loop', ['n', '', 'zero'], ['final'], { body }, 'outer')],
    });
    // 4096 × (4096 × 2 + 2) nodes: refused once the first outer iteration shows its cost
    const innerLoop = node('Loop', ['n', '', 'acc'], ['acc_out'], { body: loopBody([node('Add', ['acc', 'x'], ['acc_out'])]) }, 'inner');
    expect(errorOf(() => load(nest(loopBody([innerLoop])))).render()).toMatch(/node outer \(Loop\): Loop runs 4096 iterations of about 819\d nodes each, more than the 2097152 nodes accelmap unrolls in all/);
    // 4096 × 600 nodes: refused before the first iteration
    const adds = Array.from({ length: 599 }, (_, k) => node('Add', [k ? `a${k - 1}` : 'acc', 'x'], [k === 598 ? 'acc_out' : `a${k}`]));
    expect(errorOf(() => load(nest(loopBody(adds)))).render()).toMatch(/Loop runs 4096 iterations of about 600 nodes each/);
  });

  it('refuses control flow that depends on run-time values', () => {
    const branch = (v: number) => ({ name: 'b', initializers: [tensor('v', [1], 'float32', [v])], inputs: [], outputs: [valueInfo('v', 'float32')], nodes: [], valueInfo: [] });
    const m = model({
      inputs: [valueInfo('flag', 'bool', [])],
      outputs: [valueInfo('y', 'float32')],
      nodes: [node('If', ['flag'], ['y'], { then_branch: branch(1), else_branch: branch(0) }, 'choose')],
    });
    expect(errorOf(() => load(m)).render()).toMatch(/node choose \(If\): If depends on its condition, known only at run time — accelmap unrolls control flow only when/);
    expect(load(m, { inputs: { flag: { shape: [], dtype: 'bool', value: [0] } } }).tensors.y!.value).toEqual([0]);
  });

  it('refuses data-dependent shapes on run-time data', () => {
    const m = model({ inputs: [valueInfo('x', 'float32', [4])], outputs: [valueInfo('y', 'int64')], nodes: [node('NonZero', ['x'], ['y'], {}, 'nz')] });
    expect(errorOf(() => load(m)).render()).toMatch(/node nz \(NonZero\): NonZero's output shape depends on the values of its input, which are known only at run time/);
    expect(shapeOf(load(m, { inputs: { x: { shape: [4], dtype: 'float32', value: [0, 1, 0, 2] } } }), 'y')).toEqual([1, 2]);
  });
});

describe('bad input is one line naming the file and the node', () => {
  it('lists every unsupported op type at once, with node names', () => {
    const m = model({
      inputs: [valueInfo('x', 'float32', [4])],
      outputs: [valueInfo('y', 'float32')],
      nodes: [node('Relu', ['x'], ['a']), node('FancyOp', ['a'], ['b'], {}, 'f1'), node('FancyOp', ['b'], ['c'], {}, 'f2'), { ...node('Custom', ['c'], ['y'], {}, 'k'), domain: 'com.example' }],
    });
    const e = errorOf(() => load(m));
    expect(e.code).toBe('unknown-op');
    expect(e.render()).toMatch(/\.onnx: unsupported ONNX ops: FancyOp \(nodes 'f1', 'f2'\); com\.example\.Custom \(node 'k'\) — run `accelmap ops`/);
  });

  it('finds unsupported ops inside subgraphs too', () => {
    const branch = { name: 'b', initializers: [], inputs: [], outputs: [valueInfo('v', 'float32')], nodes: [node('Mystery', ['x'], ['v'], {}, 'inner')], valueInfo: [] };
    const m = model({
      inputs: [valueInfo('x', 'float32', [4])],
      outputs: [valueInfo('y', 'float32')],
      initializers: [tensor('flag', [], 'bool', [1])],
      nodes: [node('If', ['flag'], ['y'], { then_branch: branch, else_branch: branch }, 'choose')],
    });
    expect(errorOf(() => load(m)).render()).toMatch(/unsupported ONNX op: Mystery \(nodes 'choose\/inner', 'choose\/inner'\)/);
  });

  it('a missing or short external-data file', () => {
    const m = convModel([1, 3, 8, 8]);
    m.graph.initializers[0]!.external = { location: 'nowhere.bin', offset: 0 };
    expect(errorOf(() => importOnnx(save(m))).render()).toMatch(/\.onnx initializer 'w': tensor 'w' keeps its data in 'nowhere\.bin', which does not exist/);
    writeFileSync(join(dir, 'short.bin'), new Uint8Array(100));
    m.graph.initializers[0]!.external = { location: 'short.bin', offset: 0 };
    expect(errorOf(() => importOnnx(save(m))).render()).toMatch(/tensor 'w' needs bytes 0–864 of 'short\.bin', which has 100/);
  });

  it("external data outside the model's folder, or not a file, is refused without being opened", () => {
    const m = convModel([1, 3, 8, 8]);
    const inner = join(dir, 'inner');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(dir, 'outside.bin'), new Uint8Array(8 * 27 * 4));
    symlinkSync(join(dir, 'outside.bin'), join(inner, 'link.bin'));
    mkdirSync(join(inner, 'folder.bin'), { recursive: true });
    const refused = (location: string) => {
      m.graph.initializers[0]!.external = { location, offset: 0 };
      return errorOf(() => importOnnx(save(m, 'inner/m.onnx'))).render();
    };
    expect(refused('../outside.bin')).toMatch(/keeps its data in '\.\.\/outside\.bin', which is outside the model's folder — external data must be a file in the model's folder/);
    expect(refused('../../../../../../etc/passwd')).toMatch(/which is outside the model's folder/);
    expect(refused(join(dir, 'outside.bin'))).toMatch(/which is outside the model's folder/);
    expect(refused('.')).toMatch(/which is outside the model's folder/);
    expect(refused('link.bin')).toMatch(/which links outside the model's folder/);
    expect(refused('folder.bin')).toMatch(/'folder\.bin', which is not a file/);
  });

  it('a value_info that contradicts inference', () => {
    const m = convModel([1, 3, 8, 8]);
    m.graph.valueInfo.push(valueInfo('c', 'float32', [1, 8, 6, 6]));
    const e = errorOf(() => load(m));
    expect(e.code).toBe('shape');
    expect(e.render()).toMatch(/\.onnx node conv1 \(Conv\): output 'c' is declared \[1,8,6,6\] in the file, but Conv gives \[1,8,8,8\]/);
  });

  it('a shape error inside a node names it', () => {
    const m = convModel([1, 4, 8, 8]);
    expect(errorOf(() => load(m)).render()).toMatch(/node conv1 \(Conv\): Conv weight has 3 input channels per group, input X has 4\/1 = 4/);
  });

  it('a truncated file', () => {
    const file = save(convModel([1, 3, 8, 8]));
    const bytes = encodeModel(convModel([1, 3, 8, 8]));
    writeFileSync(file, bytes.subarray(0, bytes.length - 30));
    const e = errorOf(() => importOnnx(file));
    expect(e.code).toBe('bad-file');
    // ModelProto field 7 is the graph; the cut leaves it 30 bytes short
    expect(e.render().startsWith(`${file}: truncated or corrupt ONNX file: graph of ${fieldLength(bytes, 7)} bytes runs past the end of its message`)).toBe(true);
  });

  it('a file that does not exist, and a graph output nothing produces', () => {
    expect(errorOf(() => loadGraph(join(dir, 'absent.onnx'))).render()).toMatch(/absent\.onnx: cannot open: ENOENT/);
    mkdirSync(join(dir, 'folder.onnx'));
    expect(errorOf(() => loadGraph(join(dir, 'folder.onnx'))).render()).toMatch(/folder\.onnx: is not a file/);
    const m = convModel([1, 3, 8, 8]);
    m.graph.outputs.push(valueInfo('ghost', 'float32'));
    expect(errorOf(() => load(m)).render()).toMatch(/graph output 'ghost' is produced by no node/);
  });
});

describe('loadGraph', () => {
  it('takes .onnx files and refuses zoo-only flags', () => {
    const file = save(convModel(['N', 3, 16, 16]));
    const g = loadGraph(file, { batch: 2 });
    expect(graphTotals(g).macs).toBe(2 * 8 * 256 * 27);
    expect(errorOf(() => loadGraph(file, { batch: 2, seqLen: 8 })).render()).toMatch(/--seq-len applies to zoo models — bind an ONNX model's named dimensions with --dim name=value/);
  });
});
