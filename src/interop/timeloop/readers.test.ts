import { describe, expect, it } from 'vitest';
import { convProblem } from '../../problem/builders.js';
import { dataSpaceSize, problemMacs } from '../../problem/types.js';
import { presetPath } from '../../util/paths.js';
import { errorOf } from '../../util/test-util.js';
import { readTimeloopArch } from './arch.js';
import { readErt, storageEnergy } from './ert.js';
import { readTimeloopProblem } from './problem.js';
import { parseTimeloopYaml, readTimeloopFile, type Note } from './source.js';


const problemOf = (text: string) => readTimeloopProblem(parseTimeloopYaml(text, 'p.yaml'));
const archOf = (text: string) => readTimeloopArch(parseTimeloopYaml(text, 'a.yaml'));

const CONV = `problem:
  shape:
    name: conv
    dimensions: [R, S, P, Q, C, K, N]
    coefficients:
      - {name: Wstride, default: 1}
      - {name: Hstride, default: 1}
    data-spaces:
      - name: Weights
        projection: [[[C]], [[K]], [[R]], [[S]]]
      - name: Inputs
        projection: [[[N]], [[C]], [[R], [P, Wstride]], [[S], [Q, Hstride]]]
      - name: Outputs
        projection: [[[N]], [[K]], [[Q]], [[P]]]
        read-write: True
  instance:
    R: 3
    S: 3
    P: 7
    Q: 5
    C: 4
    K: 8
    N: 2
    Wstride: 2
    Hstride: 1
`;

describe('Timeloop problems', () => {
  it('read the 7-D convolution with coefficients into the nest accelmap builds', () => {
    const { problem, notes } = problemOf(CONV);
    expect(notes).toEqual([]);
    expect(problem.dims).toEqual(['R', 'S', 'P', 'Q', 'C', 'K', 'N']);
    expect(problemMacs(problem)).toBe(3 * 3 * 7 * 5 * 4 * 8 * 2);
    // Inputs: N × C × (R + 2P: 1 + 2 + 2·6 = 15) × (S + Q: 1 + 2 + 4 = 7).
    const [w, i, o] = problem.dataSpaces;
    expect([dataSpaceSize(problem, w!), dataSpaceSize(problem, i!), dataSpaceSize(problem, o!)]).toEqual([3 * 3 * 4 * 8, 2 * 4 * 15 * 7, 2 * 8 * 5 * 7]);
    expect([w!.readWrite, i!.readWrite, o!.readWrite]).toEqual([false, false, true]);
    // The same data-space sizes as accelmap's own convolution (P along the strided width).
    const ours = convProblem({ N: 2, K: 8, C: 4, P: 5, Q: 7, R: 3, S: 3, strideW: 2 });
    expect(ours.dataSpaces.map((d) => dataSpaceSize(ours, d))).toEqual(problem.dataSpaces.map((d) => dataSpaceSize(problem, d)));
  });

  it('read the built-in cnn-layer shape, bounds under problem:, and rank expressions', () => {
    const builtin = readTimeloopProblem(readTimeloopFile(presetPath('timeloop', 'problems', 'conv3x3.problem.yaml'))).problem;
    expect(builtin.dims).toEqual(['R', 'S', 'P', 'Q', 'C', 'K', 'N']);
    expect(builtin.bounds).toEqual([3, 3, 14, 14, 16, 32, 1]);
    expect(dataSpaceSize(builtin, builtin.dataSpaces[1]!)).toBe(16 * 16 * 16);
    const expr = problemOf(CONV.replace('[[R], [P, Wstride]]', '"R + Wstride*P"')).problem;
    expect(expr.dataSpaces[1]!.projection).toEqual(problemOf(CONV).problem.dataSpaces[1]!.projection);
  });

  it('note what they default or leave out', () => {
    const { problem, notes } = problemOf(CONV.replace('    N: 2\n', '    H: 15\n'));
    expect(problem.bounds[6]).toBe(1);
    expect(notes.map((n) => n.message)).toEqual(['dimension N not given: 1', "'H' is not a dimension or coefficient of conv: not used"]);
    expect(notes[1]).toMatchObject({ file: 'p.yaml', line: 23, col: 5 });
  });

  it('refuse misspelled coefficients and keys with file:line:col and the key', () => {
    expect(errorOf(() => problemOf(CONV.replace('    Hstride: 1\n', '    HStride: 1\n'))).render()).toBe("p.yaml:25:5 problem.instance.HStride: unknown key 'HStride' (did you mean Hstride?) — the shape declares R, S, P, Q, C, K, N, Wstride, Hstride");
    expect(errorOf(() => problemOf(CONV.replace('[P, Wstride]', '[P, Wstrid]'))).render()).toMatch(/^p\.yaml:12:42 .*projection\[2\]\[1\]: unknown coefficient 'Wstrid' \(did you mean Wstride\?\)/);
    expect(errorOf(() => problemOf(CONV.replace('read-write: True', 'read-writ: True'))).render()).toMatch(/^p\.yaml:15:9 problem\.shape\.data-spaces\[2\]\.read-writ: unknown key 'read-writ' in a data space \(did you mean read_write\?\)/);
    expect(errorOf(() => problemOf(CONV.replace('dimensions:', 'dimension:'))).render()).toMatch(/^p\.yaml:4:5 problem\.shape\.dimension: unknown key 'dimension' in shape \(did you mean dimensions\?\)/);
    expect(errorOf(() => problemOf(CONV.replace('    P: 7\n', '    P: 7.5\n'))).render()).toMatch(/^p\.yaml:19:5 problem\.instance\.P: '7\.5' is not a positive integer/);
    expect(errorOf(() => problemOf(CONV.replace('[[S], [Q, Hstride]]', '[[S], [Q, K]]'))).render()).toMatch(/^p\.yaml:12:63 .*projection\[3\]\[1\]: 'Q\*K' multiplies two dimensions/);
    expect(errorOf(() => problemOf('problem:\n  shape: resnet-block\n')).render()).toMatch(/no built-in shape 'resnet-block'/);
    expect(errorOf(() => problemOf('problme:\n  shape: cnn-layer\n')).render()).toBe("p.yaml:1:1 problme: unknown key 'problme' (did you mean problem?) — a Timeloop problem file has problem: {shape: …, instance: …}");
    expect(errorOf(() => problemOf('shape: cnn-layer\n')).render()).toMatch(/^p\.yaml:1:1: no 'problem:' key/);
  });

  it('refuse a dimension on two ranks of one data space (a diagonal the tile model would count as a square)', () => {
    const diagonal = `problem:
  shape:
    dimensions: [R, P]
    data_spaces:
      - name: Weights
        projection: [[[R]]]
      - name: Inputs
        projection: [[[R], [P]]]
      - name: Outputs
        projection: [[[P]], [[P]]]
        read_write: true
  instance: {R: 3, P: 16}
`;
    const e = errorOf(() => problemOf(diagonal));
    expect(e.code).toBe('unsupported');
    expect(e.render()).toMatch(/^p\.yaml:10:9 problem\.shape\.data_spaces\[2\]\.projection: dimension P indexes two ranks of Outputs \(a diagonal\)/);
    // the same dimension twice within one rank (R + R) is a sum, not a diagonal
    expect(problemOf(diagonal.replace('[[P]], [[P]]', '[[P]]').replace('[[[R], [P]]]', '[[[R], [R], [P]]]')).problem.dims).toEqual(['R', 'P']);
  });
});

const TREE = `architecture:
  version: 0.3
  subtree:
    - name: sys
      attributes: {technology: 40nm}
      local:
        - name: DRAM
          class: DRAM
          attributes: {word-bits: 16, block-size: 4, read_bandwidth: 8}
        - name: GLB
          class: smartbuffer_SRAM
          attributes: {memory_depth: 512, memory_width: 64, word_bits: 16, multiple_buffering: 2}
      subtree:
        - name: PE[0..15]
          local:
            - name: RF
              class: regfile
              attributes: {entries: 32, datawidth: 16, meshX: 4}
            - name: MAC
              class: intmac
              attributes: {datawidth: 16, meshX: 4}
`;

describe('Timeloop architectures', () => {
  it('read attribute synonyms: depth × block, width ÷ word bits, entries, bandwidths, meshes', () => {
    const { arch, notes } = archOf(TREE);
    expect(notes.map((n) => n.message)).toEqual(["energies of DRAM, GLB, RF, MAC are not given (no ERT entry or vector-access-energy): accelmap's energy table is used"]);
    const [dram, glb, rf] = arch.levels;
    expect(dram).toMatchObject({ className: 'dram', capacityWords: Infinity, wordBits: 16, blockSize: 4, readBandwidth: 8, writeBandwidth: Infinity });
    // memory_depth 512 rows of 64 bits = 4 words per block.
    expect(glb).toMatchObject({ className: 'sram', capacityWords: 2048, blockSize: 4, multipleBuffering: 2, instances: 1 });
    expect(rf).toMatchObject({ className: 'regfile', capacityWords: 32, blockSize: 1, instances: 16, fanOut: { meshX: 4, meshY: 4, multicast: true, reduction: true, energyPerWordPj: 0 } });
    expect(arch.compute).toMatchObject({ instances: 16, fanOut: { meshX: 1, meshY: 1 } });
    expect(arch.technologyNm).toBe(40);
    // sizeKB, n_words, the deprecated bandwidth (split between reads and writes, noted).
    const other = archOf(TREE.replace('{memory_depth: 512, memory_width: 64, word_bits: 16, multiple_buffering: 2}', '{sizeKB: 4, n_words: 8, word-bits: 16, bandwidth: 10}'));
    expect(other.arch.levels[1]).toMatchObject({ capacityWords: 2048, blockSize: 8, readBandwidth: 5, writeBandwidth: 5 });
    expect(other.notes[0]!.message).toBe('GLB: bandwidth 10 is read as 5 words/cycle for reads and for writes (deprecated in Timeloop)');
    // cluster_size: width = block × word bits × cluster (simba_like's PEWeightRegs: 512 = 1 × 8 × 64).
    const clustered = archOf(TREE.replace('{entries: 32, datawidth: 16, meshX: 4}', '{depth: 1, width: 512, cluster_size: 64, datawidth: 8, meshX: 4}'));
    expect(clustered.arch.levels[2]).toMatchObject({ blockSize: 1, clusterSize: 64, capacityWords: 1 });
  });

  it('read the v0.3 and v0.4 forms of a design into the same architecture', () => {
    for (const design of ['eyeriss-like', 'simple-ws']) {
      const v3 = readTimeloopArch(readTimeloopFile(presetPath('timeloop', design, 'arch.yaml')));
      const v4 = readTimeloopArch(readTimeloopFile(presetPath('timeloop', design, 'arch.v04.yaml')));
      const strip = (a: typeof v3) => ({ ...a.arch, name: '', description: '' });
      expect(strip(v4)).toEqual(strip(v3));
      expect(v4.levels.map((l) => [l.name, l.instances, l.meshX, l.meshY])).toEqual(v3.levels.map((l) => [l.name, l.instances, l.meshX, l.meshY]));
    }
    const eyeriss = readTimeloopArch(readTimeloopFile(presetPath('timeloop', 'eyeriss-like', 'arch.v04.yaml')));
    expect(eyeriss.arch.levels.map((l) => [l.name, l.fanOut.meshX, l.fanOut.meshY, l.capacityWords])).toEqual([
      ['DRAM', 1, 1, Infinity],
      ['shared_glb', 1, 1, 55296],
      ['ifmap_spad', 14, 12, 12],
      ['weights_spad', 1, 1, 224],
      ['psum_spad', 1, 1, 24],
    ]);
    // Constraints: keep/bypass per level; the column container constrains X, the PE container Y.
    const spatial = eyeriss.constraints.filter((c) => c.type === 'spatial');
    expect(spatial.map((c) => [c.level, c.axis, c.factors.map((f) => `${f.dim}${f.op}${f.value}`).join(' ')])).toEqual([
      ['shared_glb', 'x', 'N=1 C=1 P=1 R=1 S=1'],
      ['shared_glb', 'y', 'N=1 P=1 Q=1 R=1'],
    ]);
    expect(eyeriss.constraints.find((c) => c.type === 'dataspace' && c.level === 'shared_glb')!.bypass.names).toEqual(['Weights']);
  });

  it('read the classic arch: form (storage listed innermost first)', () => {
    const { arch } = archOf(`arch:
  arithmetic: {instances: 64, word-bits: 8, meshX: 8}
  storage:
    - {name: Registers, entries: 1, instances: 64, meshX: 8, word-bits: 8}
    - {name: Buffer, sizeKB: 64, instances: 1, word-bits: 8, block-size: 8}
    - {name: DRAM, technology: DRAM, instances: 1, word-bits: 8, block-size: 8}
`);
    expect(arch.levels.map((l) => [l.name, l.className, l.capacityWords, l.instances])).toEqual([
      ['DRAM', 'dram', Infinity, 1],
      ['Buffer', 'sram', 65536, 1],
      ['Registers', 'sram', 1, 64],
    ]);
    expect(arch.levels[2]!.fanOut).toMatchObject({ meshX: 8, meshY: 8 });
  });

  it('note attributes the model does not use, and refuse near misses of the ones it does', () => {
    const { notes } = archOf(TREE.replace('{entries: 32, datawidth: 16, meshX: 4}', '{entries: 32, datawidth: 16, meshX: 4, n_banks: 2, vendor: acme}'));
    expect(notes.slice(0, 2).map((n: Note) => `${n.line}:${n.col} ${n.message}`)).toEqual(["18:66 RF: 'n_banks' is not modeled", "18:78 RF: 'vendor' is not read by Timeloop's model (energy estimators only)"]);
    expect(errorOf(() => archOf(TREE.replace('entries: 32', 'entrie: 32'))).render()).toMatch(/^a\.yaml:18:28 .*local\[0\]\.attributes\.entrie: unknown attribute 'entrie' of RF \(did you mean entries\?\)/);
    expect(errorOf(() => archOf(TREE.replace('read_bandwidth: 8', 'read_bandwith: 8'))).render()).toMatch(/unknown attribute 'read_bandwith' of DRAM \(did you mean read_bandwidth\?\)/);
  });

  it("accept Accelergy's attributes next to Timeloop's (multiplier_width beside datawidth) and placeholder technologies", () => {
    const { arch, notes } = archOf(TREE.replace('{datawidth: 16, meshX: 4}', '{datawidth: 16, multiplier_width: 8, adder_width: 16, meshX: 4}').replace('technology: 40nm', "technology: 'SET ME'"));
    expect(arch.compute.precisions[0]!.operandBits).toBe(16);
    expect(notes.filter((n) => n.ignored).map((n) => n.message)).toContain("MAC: 'multiplier_width' is not read by Timeloop's model (energy estimators only)");
  });

  it('refuse sparse optimizations and densities in one line naming the file and key', () => {
    const sparse = TREE.replace('              class: regfile\n', '              class: regfile\n              sparse_optimizations: {action_optimization: [{type: gating}]}\n');
    expect(errorOf(() => archOf(sparse)).render()).toMatch(/^a\.yaml:18:15 .*local\[0\]\.sparse_optimizations: sparse optimizations \(skipping, gating, compressed formats\) are not modeled — accelmap models dense tensors only/);
    const dense = problemOf(CONV.replace('    N: 2\n', '    N: 2\n    densities: {}\n'));
    expect(dense.problem.bounds).toEqual(problemOf(CONV).problem.bounds);
    expect(errorOf(() => problemOf(CONV.replace('    N: 2\n', '    N: 2\n    densities:\n      Inputs: {distribution: fixed_structured, density: 0.25}\n'))).render()).toMatch(/^p\.yaml:25:7 problem\.instance\.densities\.Inputs: densities \(Inputs: .*0\.25.*\) are not modeled/);
  });

  it('say what is wrong with a malformed architecture, where', () => {
    expect(errorOf(() => archOf(TREE.replace('{entries: 32, datawidth: 16, meshX: 4}', '{entries: 32, datawidth: 16, meshX: 3}'))).render()).toMatch(/^a\.yaml:18:15 .*attributes: RF: a mesh of 3 does not divide its 16 instances/);
    expect(errorOf(() => archOf(TREE.replace('              class: regfile\n', ''))).render()).toMatch(/^a\.yaml:16:15 .*local\[0\]: component RF needs a class/);
    expect(errorOf(() => archOf(TREE.replace('          local:\n            - name: RF', '          locals:\n            - name: RF'))).render()).toMatch(/unknown key 'locals' in a subtree node \(did you mean local\?\)/);
    expect(errorOf(() => archOf(TREE.replace('PE[0..15]', 'PE[0..x]'))).render()).toMatch(/cannot read the instance range of 'PE\[0\.\.x\]'/);
    expect(errorOf(() => archOf(TREE.replace('block-size: 4', 'block-size: 4, instances: 2'))).render()).toMatch(/the outermost storage level DRAM has 2 instances/);
    expect(errorOf(() => parseTimeloopYaml('architecture:\n  nodes:\n    - !Containr\n      name: x\n', 'a.yaml')).render()).toBe('a.yaml:3:7: unknown tag !Containr — tags are !Container, !Component, !Parallel, !Hierarchical, !Pipelined, !Nothing');
    expect(errorOf(() => archOf('architecture:\n  nodes:\n    - name: x\n')).render()).toMatch(/^a\.yaml:3:7 architecture\.nodes\[0\]: a node needs a tag/);
    expect(errorOf(() => archOf('architecture:\n  nodes:\n    - !Container\n      name: x\n      spatial: {meshZ: 4}\n')).render()).toMatch(/unknown key 'meshZ' in spatial \(did you mean meshX\?\)/);
  });
});

describe('Accelergy energy reference tables', () => {
  const V2 = `ERT:
  version: 0.2
  tables:
    top.PE[0..3].buf:
      read:
        - {arguments: {data_delta: 0}, energy: 0.1}
        - {arguments: {data_delta: 1}, energy: 2.5}
      write: [{arguments: null, energy: 1.5}]
      leak: {arguments: null, energy: 0.01}
`;
  const V3 = `ERT:
  version: "0.3"
  tables:
    - name: top.PE[0..3].buf
      actions:
        - {name: read, arguments: {data_delta: 0}, energy: 0.1}
        - {name: read, arguments: {data_delta: 1}, energy: 2.5}
        - {name: write, energy: 1.5}
        - {name: leak, energy: 0.01}
`;
  it('read both layouts, take the largest energy of an action, and map actions per Timeloop', () => {
    for (const text of [V2, V3]) {
      const ert = readErt(parseTimeloopYaml(text, 'ERT.yaml'));
      const buf = ert.components.get('buf')!;
      expect(buf.fullName).toBe('top.PE[0..3].buf');
      const notes: Note[] = [];
      expect(storageEnergy(ert, buf, 'per-action', notes)).toEqual({ readPj: 2.5, fillPj: 1.5, updatePj: 1.5, leakPjPerCycle: 0.01 });
      expect(storageEnergy(ert, buf, 'max', notes)).toEqual({ readPj: 2.5, fillPj: 2.5, updatePj: 2.5, leakPjPerCycle: 0.01 });
      expect(notes).toEqual([]);
    }
  });

  it('read v0.4 tables whose names carry instance ranges on the component and its parents', () => {
    const V4 = `ERT:
  version: '0.4'
  tables:
    - name: system_top_level.DRAM[1..1]
      actions: [{name: read, arguments: {global_cycle_seconds: 1e-09}, energy: 512.0}]
    - name: system.chip.PE[0..255].pe_spad
      actions: [{name: read, arguments: {}, energy: 0.2}]
    - name: system_top_level.mac[1..168]
      actions: [{name: compute, arguments: {}, energy: 0.207692}]
`;
    const ert = readErt(parseTimeloopYaml(V4, 'ERT.yaml'));
    expect([...ert.components.keys()]).toEqual(['DRAM', 'pe_spad', 'mac']);
    expect(ert.components.get('pe_spad')!.fullName).toBe('system.chip.PE[0..255].pe_spad');
    expect(errorOf(() => readErt(parseTimeloopYaml(V4.replace('system.chip.PE[0..255].pe_spad', 'system.DRAM[0..1]'), 'ERT.yaml'))).render()).toMatch(/two ERT entries for component DRAM/);
  });

  it('note a missing action and refuse a malformed entry', () => {
    const ert = readErt(parseTimeloopYaml(V3.replace('        - {name: write, energy: 1.5}\n', ''), 'ERT.yaml'));
    const notes: Note[] = [];
    expect(storageEnergy(ert, ert.components.get('buf')!, 'per-action', notes).fillPj).toBe(2.5);
    expect(notes.map((n) => n.message)).toEqual(['no fill action (random_fill | random_write | fill | write): the largest action energy is used', 'no update action (random_update | update | write): the largest action energy is used']);
    expect(errorOf(() => readErt(parseTimeloopYaml(V3.replace('energy: 1.5', 'energy: -1'), 'ERT.yaml'))).render()).toMatch(/^ERT\.yaml:8:25 ERT\.tables\[0\]\.actions\[2\]\.energy: '-1' is not a non-negative number/);
    expect(errorOf(() => readErt(parseTimeloopYaml(V3.replace('energy: 1.5', 'enrgy: 1.5'), 'ERT.yaml'))).render()).toMatch(/unknown key 'enrgy' in an ERT action \(did you mean energy\?\)/);
  });
});
