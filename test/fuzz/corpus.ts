import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, presetPath } from '../../src/util/paths.js';
import { sharedDir } from '../../src/util/shared.js';
import { encodeModel } from '../../src/workload/onnx/write.js';
import { model, node, tensor, valueInfo } from '../onnx/build.js';
import { CASE_FOLDERS, listCases } from '../onnx/cases.js';

/**
 * What the fuzzer mutates: real inputs of each reader. A seed is one or more
 * files read together (a Timeloop run is an architecture, a problem, a
 * mapping and an energy table; a SCALE-Sim run a config and a topology); a
 * case mutates one of them. ONNX seeds are the models in ../shared (when
 * present) and small models built here, so a fresh clone fuzzes too.
 */
export type Target = 'onnx' | 'arch' | 'timeloop' | 'scalesim';
export const TARGETS: readonly Target[] = ['onnx', 'arch', 'timeloop', 'scalesim'];

export interface SeedFile {
  /** The reader's role for the file (model, arch, problem, mapping, ert, config, topology). */
  role: string;
  /** Name the readers see (errors must name it). */
  name: string;
  data: Uint8Array;
}

export interface Seed {
  target: Target;
  name: string;
  files: SeedFile[];
  /** SCALE-Sim topology form. */
  gemm?: boolean;
}

const packagePath = (...parts: string[]) => join(packageRoot(), ...parts);
const read = (path: string): SeedFile['data'] => new Uint8Array(readFileSync(path));
const file = (role: string, path: string): SeedFile => ({ role, name: path, data: read(path) });

/** Small models built in memory: a CNN, an attention-like block, a Split by count and a folded shape chain. */
function builtOnnxSeeds(): Seed[] {
  const f32 = 'float32' as const;
  const models = {
    cnn: model({
      inputs: [valueInfo('x', f32, [1, 3, 16, 16])],
      outputs: [valueInfo('y', f32, [1, 10])],
      initializers: [tensor('w', [8, 3, 3, 3]), tensor('b', [8]), tensor('fc', [10, 512]), tensor('fcb', [10])],
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1] }),
        node('Relu', ['c'], ['r']),
        node('MaxPool', ['r'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] }),
        node('Flatten', ['p'], ['f'], { axis: 1 }),
        node('Gemm', ['f', 'fc', 'fcb'], ['y'], { transB: 1 }),
      ],
    }),
    attention: model({
      inputs: [valueInfo('q', f32, [2, 8, 16]), valueInfo('k', f32, [2, 16, 8])],
      outputs: [valueInfo('o', f32, [2, 8, 8])],
      nodes: [node('MatMul', ['q', 'k'], ['s']), node('Softmax', ['s'], ['o'], { axis: -1 })],
    }),
    split: model({
      inputs: [valueInfo('x', f32, [4, 6])],
      outputs: [valueInfo('a', f32, [4, 2]), valueInfo('b', f32, [4, 2]), valueInfo('c', f32, [4, 2])],
      nodes: [node('Split', ['x'], ['a', 'b', 'c'], { axis: 1, num_outputs: 3 })],
    }),
    shapeChain: model({
      inputs: [valueInfo('x', f32, [2, 3, 4])],
      outputs: [valueInfo('y', f32, [2, 12])],
      initializers: [tensor('i0', [1], 'int64', [0]), tensor('m1', [1], 'int64', [-1])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'i0'], ['n'], { axis: 0 }),
        node('Concat', ['n', 'm1'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
      ],
    }),
  };
  return Object.entries(models).map(([name, m]) => ({ target: 'onnx', name: `built:${name}`, files: [{ role: 'model', name: `${name}.onnx`, data: encodeModel(m) }] }));
}

function sharedOnnxSeeds(): Seed[] {
  const paths: string[] = [];
  const models = sharedDir('models');
  if (existsSync(models)) paths.push(...readdirSync(models).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(models, f)));
  for (const folder of CASE_FOLDERS) paths.push(...listCases(folder).map((c) => c.model));
  return paths.map((p) => ({ target: 'onnx', name: p, files: [file('model', p)] }));
}

function archSeeds(): Seed[] {
  const dir = presetPath('arch');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ target: 'arch', name: `presets/arch/${f}`, files: [file('arch', join(dir, f))] }));
}

/** The runs presets/timeloop ships: architecture, problem, mapping and energy table. */
function timeloopSeeds(): Seed[] {
  const p = (...parts: string[]) => presetPath('timeloop', ...parts);
  const ex = (f: string) => p('exercises', f);
  const runs: [string, string, string, string, string][] = [
    ['conv1d-1level', ex('conv1d-1level.arch.yaml'), ex('conv1d.problem.yaml'), ex('conv1d-1level.mapping.yaml'), ex('conv1d-1level.ERT.yaml')],
    ['conv1d-2level-ws', ex('conv1d-2level.arch.yaml'), ex('conv1d.problem.yaml'), ex('conv1d-2level-ws.mapping.yaml'), ex('conv1d-2level.ERT.yaml')],
    ['conv1d-2level-os', ex('conv1d-2level.arch.yaml'), ex('conv1d.problem.yaml'), ex('conv1d-2level-os.mapping.yaml'), ex('conv1d-2level.ERT.yaml')],
    ['conv1d-3level', ex('conv1d-3level.arch.yaml'), ex('conv1d-oc.problem.yaml'), ex('conv1d-3level.mapping.yaml'), ex('conv1d-3level.ERT.yaml')],
    ['conv1d-3level-bypass', ex('conv1d-3level.arch.yaml'), ex('conv1d-oc.problem.yaml'), ex('conv1d-3level-bypass.mapping.yaml'), ex('conv1d-3level.ERT.yaml')],
    ['simple-ws', p('simple-ws', 'arch.yaml'), p('problems', 'alexnet-conv1.problem.yaml'), p('simple-ws', 'alexnet-conv1.mapping.yaml'), p('simple-ws', 'ERT.yaml')],
    ['simple-ws-v04', p('simple-ws', 'arch.v04.yaml'), p('problems', 'alexnet-conv1.problem.yaml'), p('simple-ws', 'alexnet-conv1.mapping.yaml'), p('simple-ws', 'ERT.yaml')],
    ['simple-os', p('simple-os', 'arch.yaml'), p('problems', 'alexnet-conv1.problem.yaml'), p('simple-os', 'alexnet-conv1.mapping.yaml'), p('simple-os', 'ERT.yaml')],
    ['eyeriss-like', p('eyeriss-like', 'arch.yaml'), p('problems', 'conv3x3.problem.yaml'), p('eyeriss-like', 'conv3x3.mapping.yaml'), p('eyeriss-like', 'ERT.yaml')],
    ['eyeriss-like-v04', p('eyeriss-like', 'arch.v04.yaml'), p('problems', 'conv3x3.problem.yaml'), p('eyeriss-like', 'conv3x3.v04.mapping.yaml'), p('eyeriss-like', 'ERT.yaml')],
  ];
  const presets: Seed[] = runs.map(([name, arch, problem, mapping, ert]) => ({
    target: 'timeloop',
    name: `presets/timeloop:${name}`,
    files: [file('arch', arch), file('problem', problem), file('mapping', mapping), file('ert', ert)],
  }));
  // the public exercises' runs as timeloopfe wrote them: one merged input, the mapper's mapping, the ERT
  const exercises = packagePath('test', 'fixtures', 'timeloop-exercises');
  const runsOf = existsSync(exercises) ? readdirSync(exercises).filter((d) => existsSync(join(exercises, d, 'parsed-processed-input.yaml'))).sort() : [];
  return [
    ...presets,
    ...runsOf.map((d): Seed => {
      const at = (f: string) => join(exercises, d, f);
      const files = [file('input', at('parsed-processed-input.yaml')), ...(existsSync(at('map.yaml')) ? [file('mapping', at('map.yaml'))] : []), file('ert', at('ERT.yaml'))];
      return { target: 'timeloop', name: `timeloop-exercises:${d}`, files };
    }),
  ];
}

function scalesimSeeds(): Seed[] {
  const p = (f: string) => presetPath('scalesim', f);
  const configs = ['scale.cfg', 'scale_ws.cfg', 'scale_is.cfg', 'google.cfg', 'eyeriss.cfg'];
  const topologies: [string, boolean][] = [['alexnet.csv', false], ['resnet18.csv', false], ['yolo_tiny.csv', false], ['transformer_gemm.csv', true]];
  return configs.flatMap((c) =>
    topologies.map(([t, gemm]) => ({ target: 'scalesim' as const, name: `presets/scalesim:${c}+${t}`, gemm, files: [file('config', p(c)), file('topology', p(t))] })),
  );
}

export function loadCorpus(options: { shared?: boolean } = {}): Record<Target, Seed[]> {
  return {
    onnx: [...builtOnnxSeeds(), ...(options.shared === false ? [] : sharedOnnxSeeds())],
    arch: archSeeds(),
    timeloop: timeloopSeeds(),
    scalesim: scalesimSeeds(),
  };
}
