import { archFromSpec } from '../../arch/load.js';
import type { ArchSpec, LevelSpec } from '../../arch/schema.js';
import type { Architecture } from '../../arch/types.js';
import type { SourceDoc } from '../../util/source-file.js';
import { nearest } from '../../util/suggest.js';
import { computeEnergy, storageEnergy, type Ert, type ErtMode } from './ert.js';
import { parseFactors, parsePermutation, type Factor } from './loops.js';
import { Fields, fileError, normalKey, noteAt, tagOf, type Note, type Path } from './source.js';
import { checkSparseOptimizations } from './sparse.js';

/**
 * Timeloop architecture files, in any of their three layouts, read into
 * accelmap's Architecture:
 *
 * - v0.2/v0.3 tree: `architecture: {subtree: [{name: system, local: […], subtree: […]}]}`;
 *   `PE[0..255]` multiplies everything below by 256; within a `local` list
 *   the first storage is the outermost, and deeper subtrees sit closer to the
 *   compute unit (Timeloop's order). `instances`, `meshX`, `meshY` attributes
 *   override the counts.
 * - v0.4 nodes: a list in which every `!Container` (with `spatial: {meshX, meshY}`)
 *   encloses the nodes after it, `!Component` is a storage level or the
 *   compute unit, `!Parallel` lists siblings (read as consecutive levels,
 *   each keeping its own data spaces); `constraints:` on a node are kept as
 *   `ArchConstraint`s (data-space keep/bypass become the mapping's defaults).
 * - the classic `arch: {arithmetic, storage}` (storage innermost first).
 *
 * A component is storage when its class contains DRAM, SRAM, regfile,
 * smartbuffer or storage, and the compute unit when it contains mac or
 * compute (Timeloop's keywords); networks and other classes are noted and
 * left out. Attributes are read with Timeloop's synonyms (see `STORAGE`):
 * word bits = datawidth = word-bits = word_width (16 when absent); block
 * size = block-size = n_words, else width ÷ word bits; capacity = entries
 * words, or depth (memory_depth) rows of a block each, or sizeKB; bandwidths
 * in words per cycle per instance (`bandwidth` alone is split evenly, as
 * Timeloop does). Energies per block come from the ERT (see ert.ts), else a
 * `vector-access-energy` attribute, else accelmap's energy table (noted).
 * Networks cost nothing (no wire energies are read) and always multicast and
 * reduce; the clock is 1 GHz (Timeloop reports GFLOPs at 1 GHz).
 */
export interface TimeloopArch {
  arch: Architecture;
  /** Per storage level, outermost first: how Timeloop sees it. */
  levels: LevelInfo[];
  compute: { name: string; instances: number; meshX: number; meshY: number };
  constraints: ArchConstraint[];
  notes: Note[];
}

export interface LevelInfo {
  name: string;
  className: string;
  instances: number;
  meshX: number;
  meshY: number;
  clusterSize: number;
  path: Path;
}

/** A mapspace constraint written inline in a v0.4 architecture. */
export interface ArchConstraint {
  /** Storage level: the one it constrains (temporal, dataspace) or the one whose fan-out it constrains (spatial). */
  level: string;
  type: 'temporal' | 'spatial' | 'dataspace';
  /** With where each is written in the architecture file. */
  factors: (Factor & { at: Note })[];
  permutation?: { dims: string[]; path: Path };
  split?: number;
  /** Spatial: the mesh axis the constraint's node spans (a container with only meshX constrains X). */
  axis: 'x' | 'y' | 'both';
  keep: { names: string[]; path: Path };
  bypass: { names: string[]; path: Path };
  path: Path;
}

export interface ArchOptions {
  ert?: Ert;
  ertMode?: ErtMode;
}

interface Leaf {
  name: string;
  className: string;
  subclass?: string;
  path: Path;
  attrs: Fields;
  instances: number;
  meshX?: number;
  meshY?: number;
  /** Instances and mesh fixed by the v0.4 hierarchy (attributes may not override them). */
  fixedMesh: boolean;
  technology?: string;
  constraints?: { value: unknown; path: Path };
}

/** Constraints as written, with the index of the first leaf after them (a component's own: its index). */
interface RawConstraints {
  value: unknown;
  path: Path;
  at: number;
  own?: Leaf;
  axis: ArchConstraint['axis'];
}

const BUFFER_CLASSES = ['dram', 'sram', 'regfile', 'smartbuffer', 'storage'];
const COMPUTE_CLASSES = ['mac', 'compute'];
const NETWORK_CLASSES = ['xy_noc', 'legacy', 'reductiontree', 'simplemulticast'];

/** Attributes read from a storage component (synonyms grouped). */
const STORAGE = {
  wordBits: ['word_bits', 'datawidth', 'word_width'],
  blockSize: ['block_size', 'n_words'],
  clusterSize: ['cluster_size'],
  width: ['width', 'memory_width', 'data_storage_width'],
  entries: ['entries'],
  depth: ['depth', 'memory_depth', 'data_storage_depth'],
  sizeKB: ['sizeKB', 'size_kb'],
  readBandwidth: ['read_bandwidth'],
  writeBandwidth: ['write_bandwidth'],
  sharedBandwidth: ['shared_bandwidth'],
  bandwidth: ['bandwidth'],
  multipleBuffering: ['multiple_buffering'],
  energy: ['vector_access_energy'],
};
/**
 * Timeloop reads a compute unit's word bits (datawidth, 16 when absent);
 * `multiplier_width` is Accelergy's (noted as not read), `adder_width` is read
 * for accelmap's own energy table.
 */
const COMPUTE = {
  operandBits: ['datawidth', 'word_bits', 'word_width'],
  accumulatorBits: ['adder_width'],
};
const MESH = ['instances', 'meshX', 'meshY', 'technology'];
/** Attributes Timeloop's model does not use (energy estimators, sparse or network options): noted. */
const NOT_MODELED = [
  'n_banks', 'num_banks', 'n_ports', 'num_ports', 'n_rdwr_ports', 'n_rd_ports', 'n_wr_ports', 'n_buffets', 'latency', 'type',
  'min_utilization', 'allow_overbooking', 'update_fifo_depth', 'network_read', 'network_fill', 'network_update', 'network_drain',
  'reduction_supported', 'metadata_datawidth', 'metadata_word_bits', 'metadata_block_size', 'metadata_storage_width',
  'metadata_storage_depth', 'addr_gen_energy', 'cluster_area', 'num_pipeline_stages', 'network_word_bits', 'global_cycle_seconds',
  'action_latency_cycles', 'cycle_seconds', 'power_gated_at', 'ports', 'resolution', 'voltage',
];

const COMPONENT_KEYS = ['name', 'class', 'subclass', 'attributes', 'required_actions', 'description', 'area_share', 'enabled', 'energy_scale', 'area_scale', 'spatial', 'constraints', 'actions', 'sparse_optimizations'];
const TREE_KEYS = ['name', 'attributes', 'local', 'subtree', 'description'];
const CONTAINER_KEYS = ['name', 'attributes', 'spatial', 'constraints', 'description', 'networks'];

/** `PE[0..255]` → ['PE', 256]. */
function nameRange(src: SourceDoc, path: Path, raw: string): [string, number] {
  const m = /^(.*?)\s*\[\s*(\d+)\s*\.\.\s*(\d+)\s*\]\s*$/.exec(raw);
  if (!m) {
    if (/[[\]]/.test(raw)) throw fileError(src, path, `cannot read the instance range of '${raw}'`, 'write name[0..N]');
    return [raw.trim(), 1];
  }
  const lo = Number(m[2]), hi = Number(m[3]);
  if (hi < lo) throw fileError(src, path, `empty instance range in '${raw}'`);
  return [m[1]!, hi - lo + 1];
}

function classOf(className: string): 'storage' | 'compute' | 'network' | 'other' {
  const c = className.toLowerCase();
  if (BUFFER_CLASSES.some((k) => c.includes(k))) return 'storage';
  if (COMPUTE_CLASSES.some((k) => c.includes(k))) return 'compute';
  if (NETWORK_CLASSES.includes(c)) return 'network';
  return 'other';
}

export function readTimeloopArch(src: SourceDoc, options: ArchOptions = {}): TimeloopArch {
  const root = Fields.of(src, [], src.value, 'the architecture file');
  const notes: Note[] = [];
  const leaves: Leaf[] = [];
  const constraints: RawConstraints[] = [];
  const tree = root.take('architecture');
  const classic = root.take('arch');
  if (tree) {
    const a = Fields.of(src, tree.path, tree.value, 'architecture');
    a.take('version');
    const nodes = a.take('nodes');
    const subtree = a.take('subtree');
    if (a.has('local') && !subtree) throw fileError(src, a.path, 'a flattened architecture (local: with full names) cannot be read', 'give the tree form (subtree:) or the v0.4 form (nodes:)');
    if (nodes) {
      if (!Array.isArray(nodes.value)) throw fileError(src, nodes.path, 'nodes must be a list');
      walkNodes(src, nodes.value, nodes.path, { instances: 1, meshX: 1, meshY: 1 }, leaves, constraints, notes);
    } else if (subtree) {
      walkTree(src, subtree, 1, undefined, leaves, notes);
    } else {
      throw fileError(src, a.path, 'an architecture has nodes: (v0.4) or subtree: (v0.2/v0.3)');
    }
    a.finish(['version', 'nodes', 'subtree']);
  } else if (classic) {
    readClassic(src, classic.path, classic.value, leaves);
  } else {
    throw root.missingTop('architecture', 'a Timeloop architecture file has architecture: {version, subtree | nodes}');
  }
  return build(src, leaves, constraints, notes, options);
}

function walkTree(src: SourceDoc, sub: { value: unknown; path: Path }, mult: number, technology: string | undefined, leaves: Leaf[], notes: Note[]): void {
  if (!Array.isArray(sub.value)) throw fileError(src, sub.path, 'subtree must be a list');
  if (sub.value.length === 0) return;
  if (sub.value.length > 1) throw fileError(src, [...sub.path, 1], 'Timeloop reads one subtree per level', 'nest the subtrees');
  const path = [...sub.path, 0];
  const f = Fields.of(src, path, sub.value[0], 'a subtree node');
  const rawName = f.string('name');
  if (!rawName) throw fileError(src, path, 'a subtree node needs a name');
  const count = nameRange(src, [...path, 'name'], rawName)[1];
  const tech = containerAttributes(src, f, notes) ?? technology;
  const local = f.take('local');
  if (local) {
    if (!Array.isArray(local.value)) throw fileError(src, local.path, 'local must be a list of components');
    local.value.forEach((c, i) => leaves.push(componentLeaf(src, [...local.path, i], c, mult * count, tech, false)));
  }
  const next = f.take('subtree');
  f.finish(TREE_KEYS);
  if (next) walkTree(src, next, mult * count, tech, leaves, notes);
}

interface Mesh {
  instances: number;
  meshX: number;
  meshY: number;
  technology?: string;
}

function walkNodes(src: SourceDoc, list: unknown[], path: Path, ctx: Mesh, leaves: Leaf[], constraints: RawConstraints[], notes: Note[]): Mesh {
  list.forEach((node, i) => (ctx = walkNode(src, node, [...path, i], ctx, leaves, constraints, notes)));
  return ctx;
}

/** One v0.4 node; returns the mesh the nodes after it sit in. */
function walkNode(src: SourceDoc, node: unknown, at: Path, ctx: Mesh, leaves: Leaf[], constraints: RawConstraints[], notes: Note[]): Mesh {
  const tag = tagOf(node);
  if (!tag) throw fileError(src, at, 'a node needs a tag', 'tag nodes !Container, !Component, !Parallel or !Hierarchical');
  switch (tag) {
    case 'Container': {
      const f = Fields.of(src, at, node, 'a !Container');
      f.string('name');
      const inner = { ...spatialOf(src, f, ctx), technology: containerAttributes(src, f, notes) ?? ctx.technology };
      const c = f.take('constraints');
      const axis = inner.meshY === ctx.meshY ? 'x' : inner.meshX === ctx.meshX ? 'y' : 'both';
      if (c) constraints.push({ value: c.value, path: c.path, at: leaves.length, axis });
      if (f.has('networks')) notes.push(f.note('networks', 'networks are not modeled', true));
      f.take('networks');
      f.finish(CONTAINER_KEYS);
      return inner;
    }
    case 'Component': {
      const f = Fields.of(src, at, node, 'a !Component');
      const inner = { ...spatialOf(src, f, ctx), technology: ctx.technology };
      const leaf = componentLeaf(src, at, node, inner.instances, inner.technology, true, inner);
      leaves.push(leaf);
      if (leaf.constraints) constraints.push({ ...leaf.constraints, at: leaves.length - 1, own: leaf, axis: 'both' });
      return inner;
    }
    case 'Parallel':
    case 'Hierarchical': {
      const f = Fields.of(src, at, node, `a !${tag}`);
      f.string('name');
      const nodes = f.take('nodes');
      f.finish(['name', 'nodes']);
      if (!nodes || !Array.isArray(nodes.value)) throw fileError(src, nodes?.path ?? at, `a !${tag} needs a list of nodes`);
      if (tag === 'Hierarchical') return walkNodes(src, nodes.value, nodes.path, ctx, leaves, constraints, notes);
      nodes.value.forEach((n, k) => walkNode(src, n, [...nodes.path, k], ctx, leaves, constraints, notes));
      return ctx;
    }
    case 'Nothing':
      return ctx;
    default:
      throw fileError(src, at, `!${tag} nodes are not supported`, 'use !Container, !Component, !Parallel or !Hierarchical');
  }
}

/** `spatial: {meshX, meshY}` of a v0.4 node multiplies the mesh of everything it encloses. */
function spatialOf(src: SourceDoc, f: Fields, ctx: Mesh): Mesh {
  const s = f.take('spatial');
  if (!s) return ctx;
  const sf = Fields.of(src, s.path, s.value, 'spatial');
  const x = sf.number('meshX', 'integer') ?? 1;
  const y = sf.number('meshY', 'integer') ?? 1;
  sf.finish(['meshX', 'meshY']);
  return { instances: ctx.instances * x * y, meshX: ctx.meshX * x, meshY: ctx.meshY * y, technology: ctx.technology };
}

/** Reads a container's attributes: the technology is passed down; the rest only matter to energy estimators. */
function containerAttributes(src: SourceDoc, f: Fields, notes: Note[]): string | undefined {
  const a = f.take('attributes');
  if (!a) return undefined;
  const af = Fields.of(src, a.path, a.value, 'attributes');
  const tech = af.string('technology');
  for (const key of af.rest()) notes.push(af.note(key, `container attribute '${key}' is not read by the model`, true));
  return tech;
}

function componentLeaf(src: SourceDoc, path: Path, value: unknown, mult: number, technology: string | undefined, v04: boolean, mesh?: Mesh): Leaf {
  const f = Fields.of(src, path, value, 'a component');
  const rawName = f.string('name');
  if (!rawName) throw fileError(src, path, 'a component needs a name');
  const [name, count] = nameRange(src, [...path, 'name'], rawName);
  const className = f.string('class');
  if (!className) throw fileError(src, path, `component ${name} needs a class`, 'e.g. class: SRAM, regfile, DRAM, smartbuffer_SRAM or intmac');
  const subclass = f.string('subclass');
  const a = f.take('attributes');
  const attrs = a ? Fields.of(src, a.path, a.value, `attributes of ${name}`) : new Fields(src, [...path, 'attributes'], {}, `attributes of ${name}`);
  const c = f.take('constraints');
  const sparse = f.take('sparse_optimizations');
  if (sparse) checkSparseOptimizations(src, sparse.path, sparse.value);
  for (const k of ['required_actions', 'description', 'area_share', 'enabled', 'energy_scale', 'area_scale', 'actions']) f.take(k);
  const spatial = f.take('spatial');
  if (spatial && !v04) throw fileError(src, spatial.path, 'spatial: belongs to the v0.4 nodes layout', 'in a subtree, give instances, meshX or a name[0..N] range');
  f.finish(COMPONENT_KEYS);
  return {
    name,
    className: subclass && classOf(className) === 'other' ? subclass : className,
    subclass,
    path,
    attrs,
    instances: mult * count,
    meshX: mesh?.meshX,
    meshY: mesh?.meshY,
    fixedMesh: v04,
    technology,
    constraints: c ? { value: c.value, path: c.path } : undefined,
  };
}

function readClassic(src: SourceDoc, path: Path, value: unknown, leaves: Leaf[]): void {
  const f = Fields.of(src, path, value, 'arch');
  const storage = f.take('storage');
  const arithmetic = f.take('arithmetic');
  f.finish(['storage', 'arithmetic']);
  if (!storage || !Array.isArray(storage.value)) throw fileError(src, storage?.path ?? path, 'arch: needs a storage: list (innermost first)');
  if (!arithmetic) throw fileError(src, path, 'arch: needs arithmetic:');
  const leaf = (at: Path, v: unknown, className: string): Leaf => {
    const attrs = Fields.of(src, at, v, 'a level');
    const name = attrs.string('name') ?? className;
    const dram = attrs.value.technology === 'DRAM';
    return { name, className: dram ? 'DRAM' : className, path: at, attrs, instances: 1, fixedMesh: false };
  };
  for (let i = storage.value.length - 1; i >= 0; i--) leaves.push(leaf([...storage.path, i], storage.value[i], 'SRAM'));
  leaves.push(leaf(arithmetic.path, arithmetic.value, 'intmac'));
}

interface StorageRead {
  leaf: Leaf;
  spec: LevelSpec;
  mesh: Mesh;
  clusterSize: number;
}

function build(src: SourceDoc, leaves: Leaf[], rawConstraints: RawConstraints[], notes: Note[], options: ArchOptions): TimeloopArch {
  const storages: StorageRead[] = [];
  let compute: { leaf: Leaf; mesh: Mesh; operandBits: number; accumulatorBits?: number; technology?: string } | undefined;
  const storageAt = new Map<Leaf, number>();
  for (const leaf of leaves) {
    const kind = classOf(leaf.className);
    if (kind === 'storage') {
      storageAt.set(leaf, storages.length);
      storages.push(readStorage(src, leaf, notes));
    } else if (kind === 'compute') {
      if (compute) throw fileError(src, leaf.path, `a second compute unit (${leaf.name}; the first is ${compute.leaf.name})`, 'Timeloop models one compute unit');
      const operandBits = leaf.attrs.number(COMPUTE.operandBits, 'integer') ?? 16;
      const accumulatorBits = leaf.attrs.number(COMPUTE.accumulatorBits, 'integer');
      const technology = leaf.attrs.string('technology') ?? leaf.technology;
      const mesh = meshOf(src, leaf);
      finishAttributes(leaf, [...Object.values(COMPUTE).flat(), ...MESH], notes);
      compute = { leaf, mesh, operandBits, accumulatorBits, technology };
    } else {
      notes.push(noteAt(src, leaf.path, `${leaf.name} (class ${leaf.className}) is ${kind === 'network' ? 'a network; networks are not modeled' : 'neither storage nor compute: left out'}`));
    }
  }
  if (storages.length === 0) throw fileError(src, [], 'no storage level (a component whose class contains DRAM, SRAM, regfile, smartbuffer or storage)');
  if (!compute) throw fileError(src, [], 'no compute unit (a component whose class contains mac or compute, e.g. intmac)');
  const names = new Set<string>();
  for (const s of storages) {
    if (names.has(s.leaf.name) || s.leaf.name === compute.leaf.name) throw fileError(src, [...s.leaf.path, 'name'], `two components are named ${s.leaf.name}`);
    names.add(s.leaf.name);
  }
  if (storages[0]!.mesh.instances !== 1) throw fileError(src, storages[0]!.leaf.path, `the outermost storage level ${storages[0]!.leaf.name} has ${storages[0]!.mesh.instances} instances`, 'Timeloop needs a single backing store');
  const fan = (outer: Mesh, inner: Mesh, leaf: Leaf) => {
    const x = inner.meshX / outer.meshX, y = inner.meshY / outer.meshY;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x * y * outer.instances !== inner.instances) {
      throw fileError(src, leaf.path, `${leaf.name} is a ${inner.meshX}×${inner.meshY} mesh (${inner.instances} instances) under a ${outer.meshX}×${outer.meshY} mesh (${outer.instances})`, 'each level’s mesh must be a whole multiple of the mesh above it along X and along Y');
    }
    return { x, y, multicast: true, reduction: true, energyPerWord: 0 };
  };
  storages.forEach((s, i) => {
    if (i > 0) s.spec.fanOut = fan(storages[i - 1]!.mesh, s.mesh, s.leaf);
  });
  const innermost = storages[storages.length - 1]!;

  // Energies: ERT, else vector-access-energy (already in the spec), else accelmap's table.
  const ert = options.ert;
  const mode = options.ertMode ?? 'per-action';
  let tabled = false;
  for (const s of storages) {
    const entry = ert?.components.get(s.leaf.name);
    if (entry) {
      const e = storageEnergy(ert!, entry, mode, notes);
      s.spec.energy = { read: e.readPj, fill: e.fillPj, update: e.updatePj, leak: e.leakPjPerCycle };
      s.spec.source = `ERT ${ert!.file} (${mode})`;
    } else if (!s.spec.energy) {
      tabled = true;
    }
  }
  const computeEntry = ert?.components.get(compute.leaf.name);
  const energyPerMac = computeEntry ? computeEnergy(ert!, computeEntry, mode, notes) : undefined;
  if (energyPerMac === undefined) tabled = true;
  if (tabled) notes.push(noteAt(src, [], `energies of ${[...storages.filter((s) => !s.spec.energy).map((s) => s.leaf.name), ...(energyPerMac === undefined ? [compute.leaf.name] : [])].join(', ')} are not given (no ERT entry or vector-access-energy): accelmap's energy table is used`));
  if (ert) {
    const known = new Set([...storages.map((s) => s.leaf.name), compute.leaf.name]);
    for (const [key, c] of ert.components) if (!known.has(key)) notes.push(noteAt(ert.src, c.path, `ERT component ${c.fullName} is not a storage level or the compute unit: not used`));
  }

  const technology = parseTechnology(compute.technology) ?? firstTechnology(storages) ?? 45;
  const kind = compute.leaf.className.toLowerCase().includes('fp') ? 'float' : 'int';
  const spec: ArchSpec = {
    name: src.file.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, ''),
    description: `Timeloop architecture ${src.file}`,
    technology,
    clock: 1e9,
    levels: storages.map((s) => s.spec),
    compute: {
      name: compute.leaf.name,
      fanOut: fan(innermost.mesh, compute.mesh, compute.leaf),
      precisions: [{ name: `${kind}${compute.operandBits}`, kind, operandBits: compute.operandBits, ...(compute.accumulatorBits ? { accumulatorBits: compute.accumulatorBits } : {}), ...(energyPerMac !== undefined ? { energyPerMac, source: `ERT ${ert!.file} (${mode})` } : {}) }],
    },
  };
  const arch = archFromSpec(spec, src.file);
  const levelNames = storages.map((s) => s.leaf.name);
  // Temporal and dataspace constraints of a storage component are its own; spatial ones (on a
  // container or a component) constrain the fan-out of the storage level above.
  const constraints = rawConstraints.flatMap((c) =>
    readConstraints(src, c, c.own ? storageAt.get(c.own) : undefined, storagesBefore(leaves, storageAt, c.at - 1), levelNames, notes),
  );
  return {
    arch,
    levels: storages.map((s) => ({ name: s.leaf.name, className: s.leaf.className, instances: s.mesh.instances, meshX: s.mesh.meshX, meshY: s.mesh.meshY, clusterSize: s.clusterSize, path: s.leaf.path })),
    compute: { name: compute.leaf.name, instances: compute.mesh.instances, meshX: compute.mesh.meshX, meshY: compute.mesh.meshY },
    constraints,
    notes,
  };
}

/** Index of the last storage level among leaves[0 … upTo]. */
function storagesBefore(leaves: Leaf[], storageAt: Map<Leaf, number>, upTo: number): number | undefined {
  for (let i = Math.min(upTo, leaves.length - 1); i >= 0; i--) {
    const s = storageAt.get(leaves[i]!);
    if (s !== undefined) return s;
  }
  return undefined;
}

function meshOf(src: SourceDoc, leaf: Leaf): Mesh {
  const a = leaf.attrs;
  const instances = a.number('instances', 'integer');
  const mx = a.number('meshX', 'integer');
  const my = a.number('meshY', 'integer');
  if (leaf.fixedMesh) {
    if (instances !== undefined || mx !== undefined || my !== undefined) throw fileError(src, a.path, `${leaf.name}: instances and meshes of a v0.4 component come from spatial: of its containers`, 'set spatial: {meshX, meshY} on a !Container');
    return { instances: leaf.instances, meshX: leaf.meshX ?? leaf.instances, meshY: leaf.meshY ?? 1 };
  }
  const n = instances ?? leaf.instances;
  const at = a.path;
  if (mx !== undefined && my !== undefined && mx * my !== n) throw fileError(src, at, `${leaf.name}: meshX ${mx} × meshY ${my} is not its ${n} instances`);
  const x = mx ?? (my !== undefined ? n / my : n);
  const y = my ?? n / x;
  if (!Number.isInteger(x) || !Number.isInteger(y)) throw fileError(src, at, `${leaf.name}: a mesh of ${mx ?? my} does not divide its ${n} instances`);
  return { instances: n, meshX: x, meshY: y };
}

function readStorage(src: SourceDoc, leaf: Leaf, notes: Note[]): StorageRead {
  const a = leaf.attrs;
  const tech = a.string('technology') ?? leaf.technology;
  const dram = leaf.className.toLowerCase().includes('dram') || tech === 'DRAM';
  const wordBits = a.number(STORAGE.wordBits, 'integer') ?? 16;
  let blockSize = a.number(STORAGE.blockSize, 'integer');
  let clusterSize = a.number(STORAGE.clusterSize, 'integer');
  const width = a.number(STORAGE.width, 'integer');
  if (width !== undefined) {
    const at = a.path;
    if (blockSize !== undefined && clusterSize !== undefined) {
      if (blockSize * wordBits * clusterSize !== width) throw fileError(src, at, `${leaf.name}: width ${width} is not block size ${blockSize} × word bits ${wordBits} × cluster size ${clusterSize}`);
    } else if (clusterSize !== undefined) {
      blockSize = width / clusterSize / wordBits;
    } else if (blockSize !== undefined) {
      clusterSize = width / (wordBits * blockSize);
    } else {
      blockSize = width / wordBits;
    }
    if (!Number.isInteger(blockSize) || !Number.isInteger(clusterSize ?? 1)) throw fileError(src, at, `${leaf.name}: width ${width} is not a whole number of ${wordBits}-bit words${blockSize !== undefined ? ` in blocks of ${blockSize}` : ''}`);
  }
  blockSize ??= 1;
  clusterSize ??= 1;
  if (clusterSize > 1) notes.push(noteAt(src, a.path, `${leaf.name}: cluster size ${clusterSize}: an access costs its energy once per utilized cluster under --convention timeloop, once per instance under accelmap's`));
  const entries = a.number(STORAGE.entries, 'integer');
  const depth = a.number(STORAGE.depth, 'integer');
  const sizeKB = a.number(STORAGE.sizeKB, 'positive');
  let words = entries ?? (depth !== undefined ? depth * blockSize : sizeKB !== undefined ? Math.floor((sizeKB * 1024 * 8) / wordBits) : undefined);
  if (words === undefined && !dram) {
    notes.push(noteAt(src, a.path, `${leaf.name}: no depth, entries or sizeKB: unbounded`));
    words = Number.MAX_SAFE_INTEGER;
  }
  const bw = a.number(STORAGE.bandwidth, 'positive');
  const read = a.number(STORAGE.readBandwidth, 'positive') ?? (bw !== undefined ? bw / 2 : undefined);
  const write = a.number(STORAGE.writeBandwidth, 'positive') ?? (bw !== undefined ? bw / 2 : undefined);
  if (bw !== undefined) notes.push(noteAt(src, a.path, `${leaf.name}: bandwidth ${bw} is read as ${bw / 2} words/cycle for reads and for writes (deprecated in Timeloop)`));
  const shared = a.number(STORAGE.sharedBandwidth, 'positive');
  const multipleBuffering = a.number(STORAGE.multipleBuffering, 'positive');
  if (multipleBuffering !== undefined && multipleBuffering < 1) throw fileError(src, a.path, `${leaf.name}: multiple buffering ${multipleBuffering} is below 1`);
  const vae = a.number(STORAGE.energy, 'non-negative');
  const mesh = meshOf(src, leaf);
  finishAttributes(leaf, [...Object.values(STORAGE).flat(), ...MESH], notes);
  const spec: LevelSpec = {
    name: leaf.name,
    class: dram ? 'dram' : /reg|_rf\b|rf$/i.test(`${leaf.className} ${leaf.subclass ?? ''}`.trim()) ? 'regfile' : 'sram',
    ...(words !== undefined ? { words } : {}),
    wordBits,
    blockSize,
    ...(read !== undefined ? { readBandwidth: read } : {}),
    ...(write !== undefined ? { writeBandwidth: write } : {}),
    ...(shared !== undefined ? { sharedBandwidth: shared } : {}),
    ...(multipleBuffering !== undefined ? { multipleBuffering } : {}),
    ...(clusterSize > 1 ? { clusterSize } : {}),
    ...(vae !== undefined ? { energy: { read: vae, fill: vae, update: vae }, source: 'vector-access-energy attribute' } : {}),
    // timeloopfe writes each spatial container as a dummy level that keeps nothing and costs nothing.
    ...(leaf.className.toLowerCase() === 'dummy_storage' ? { energy: { read: 0, fill: 0, update: 0 }, source: 'dummy level (keeps nothing)' } : {}),
    fanOut: { x: 1, y: 1, multicast: true, reduction: true, energyPerWord: 0 },
  };
  return { leaf, spec, mesh, clusterSize };
}

/** Attributes nobody read: a near miss of a read one is an error (a typo would silently change the model), the rest are noted. */
function finishAttributes(leaf: Leaf, used: string[], notes: Note[]): void {
  const a = leaf.attrs;
  for (const key of a.rest()) {
    const k = normalKey(key);
    if (NOT_MODELED.includes(k)) {
      notes.push(a.note(key, `${leaf.name}: '${key}' is not modeled`, true));
      continue;
    }
    const near = nearest(k, used.map(normalKey));
    if (near !== undefined) throw fileError(a.src, [...a.path, key], `unknown attribute '${key}' of ${leaf.name} (did you mean ${near}?)`, `Timeloop reads ${used.join(', ')}`);
    notes.push(a.note(key, `${leaf.name}: '${key}' is not read by Timeloop's model (energy estimators only)`, true));
  }
}

/**
 * A process node in nm (`45nm`, `32`). Generated files carry placeholders
 * (`SET ME`, `-1` on timeloopfe's dummy levels); only energy estimators read
 * the technology, and accelmap only for its own energy table, so anything
 * else is read as no technology.
 */
function parseTechnology(value: unknown): number | undefined {
  if (value === undefined || value === 'DRAM') return undefined;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(nm)?\s*$/i.exec(String(value));
  return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
}

function firstTechnology(storages: StorageRead[]): number | undefined {
  for (const s of storages) {
    const t = parseTechnology(s.leaf.attrs.value.technology ?? s.leaf.technology);
    if (t !== undefined) return t;
  }
  return undefined;
}

const CONSTRAINT_KEYS: Record<ArchConstraint['type'], string[]> = {
  temporal: ['factors', 'permutation', 'default_max_factor', 'default_min_factor', 'remainders', 'no_reuse', 'rmw_first_update', 'factors_only'],
  spatial: ['factors', 'permutation', 'split', 'default_max_factor', 'default_min_factor', 'remainders', 'no_reuse', 'no_link_transfer', 'maximize_dims'],
  dataspace: ['keep', 'bypass', 'no_coalesce'],
};

/** A spatial constraint's split: a number, else (an expression of the problem, e.g. len(spec.problem.instance)) noted and left out. */
function splitOf(src: SourceDoc, cf: Fields, notes: Note[]): { split?: number } {
  const raw = cf.take('split');
  if (!raw) return {};
  if (typeof raw.value === 'string' && !/^\s*\d+\s*$/.test(raw.value)) {
    notes.push(noteAt(src, raw.path, `split '${raw.value}' is not a number: the mesh axis of each spatial dim is searched`));
    return {};
  }
  const split = Number(raw.value);
  if (!Number.isInteger(split) || split < 0) throw fileError(src, raw.path, `'${String(raw.value)}' is not a whole number`);
  return { split };
}

function readConstraints(src: SourceDoc, raw: RawConstraints, own: number | undefined, above: number | undefined, levels: string[], notes: Note[]): ArchConstraint[] {
  const f = Fields.of(src, raw.path, raw.value, 'constraints');
  const out: ArchConstraint[] = [];
  for (const type of ['temporal', 'spatial', 'dataspace'] as const) {
    const c = f.take(type);
    if (!c) continue;
    const level = type === 'spatial' ? above : own;
    if (level === undefined) throw fileError(src, c.path, type === 'spatial' ? 'a spatial constraint needs a storage level above it' : `a ${type} constraint belongs on a storage component`);
    const cf = Fields.of(src, c.path, c.value, `a ${type} constraint`);
    const factors = cf.take('factors');
    const perm = cf.take('permutation');
    const list = (key: string) => {
      const got = cf.take(key);
      if (!got) return { names: [], path: c.path };
      if (!Array.isArray(got.value) || got.value.some((x) => typeof x !== 'string')) throw fileError(src, got.path, `${key} must be a list of data-space names`);
      return { names: got.value as string[], path: got.path };
    };
    const constraint: ArchConstraint = {
      level: levels[level]!,
      type,
      factors: factors ? parseFactors(src, factors.path, factors.value).map((x) => ({ ...x, at: noteAt(src, x.path, '') })) : [],
      ...(perm ? { permutation: { dims: parsePermutation(src, perm.path, perm.value), path: perm.path } } : {}),
      ...(type === 'spatial' ? splitOf(src, cf, notes) : {}),
      axis: type === 'spatial' ? raw.axis : 'both',
      keep: type === 'dataspace' ? list('keep') : { names: [], path: c.path },
      bypass: type === 'dataspace' ? list('bypass') : { names: [], path: c.path },
      path: c.path,
    };
    for (const k of CONSTRAINT_KEYS[type]) cf.take(k);
    cf.finish(CONSTRAINT_KEYS[type]);
    out.push(constraint);
  }
  for (const k of ['max_overbooked_proportion', 'utilization']) f.take(k);
  f.finish(['temporal', 'spatial', 'dataspace', 'max_overbooked_proportion', 'utilization']);
  return out;
}
