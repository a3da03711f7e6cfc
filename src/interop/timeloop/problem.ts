import { DIAGONAL_HINT, diagonalProblem, type DataSpace, type Problem, type Projection } from '../../problem/types.js';
import { locatedError, type SourceDoc } from '../../util/source-file.js';
import { nearest } from '../../util/suggest.js';
import { Fields, fileError, noteAt, type Note, type Path } from './source.js';
import { checkDensities } from './sparse.js';

/**
 * Timeloop problem files: `problem: {shape, instance}` (v0.3/v0.4) or the
 * older form with the bounds directly under `problem:`. The shape names the
 * dimensions, coefficients with defaults (`{name: Wstride, default: 1}`) and
 * data spaces whose projections are, per tensor rank, a sum of terms
 * `[dim]` or `[dim, coefficient]` (a coefficient name or a number; a rank may
 * also be written `R*Wdilation + P*Wstride`). `shape: cnn-layer` names the
 * built-in 7-D convolution. Instance keys must be dimensions or coefficients:
 * a near miss (`HStride` for `Hstride`) is an error, any other key a note;
 * a dimension left out is 1 (noted).
 */
export interface TimeloopProblem {
  problem: Problem;
  notes: Note[];
}

interface Shape {
  name: string;
  dims: string[];
  coefficients: Map<string, number>;
  spaces: { name: string; ranks: { terms: { dim: string; coef: string | number }[]; path: Path }[]; readWrite: boolean; path: Path }[];
}

const SHAPE_KEYS = ['name', 'dimensions', 'coefficients', 'data_spaces', 'version'];
const SPACE_KEYS = ['name', 'projection', 'read_write'];

/** The 7-D convolution of Timeloop's cnn-layer shape (R S P Q C K N; input width = R·Wdilation + P·Wstride). */
function cnnLayer(): Shape {
  const rank = (...terms: [string, string | number][]) => ({ terms: terms.map(([dim, coef]) => ({ dim, coef })), path: [] });
  return {
    name: 'CNN-Layer',
    dims: ['R', 'S', 'P', 'Q', 'C', 'K', 'N'],
    coefficients: new Map([['Wstride', 1], ['Hstride', 1], ['Wdilation', 1], ['Hdilation', 1]]),
    spaces: [
      { name: 'Weights', readWrite: false, path: [], ranks: [rank(['C', 1]), rank(['K', 1]), rank(['R', 1]), rank(['S', 1])] },
      { name: 'Inputs', readWrite: false, path: [], ranks: [rank(['N', 1]), rank(['C', 1]), rank(['R', 'Wdilation'], ['P', 'Wstride']), rank(['S', 'Hdilation'], ['Q', 'Hstride'])] },
      { name: 'Outputs', readWrite: true, path: [], ranks: [rank(['N', 1]), rank(['K', 1]), rank(['Q', 1]), rank(['P', 1])] },
    ],
  };
}

const BUILT_IN: Record<string, () => Shape> = { cnn_layer: cnnLayer };

export function readTimeloopProblem(src: SourceDoc): TimeloopProblem {
  const root = Fields.of(src, [], src.value, 'the problem file');
  const top = root.take('problem');
  if (!top) throw root.missingTop('problem', 'a Timeloop problem file has problem: {shape: …, instance: …}');
  const p = Fields.of(src, top.path, top.value, 'problem');
  const notes: Note[] = [];
  p.take('version');
  const shapeField = p.take('shape');
  if (!shapeField) throw p.missing(['shape', 'instance', 'version'], "no 'shape:'", 'give shape: {name, dimensions, data_spaces} or shape: cnn-layer');
  const shape = readShape(src, shapeField.path, shapeField.value);

  // v0.3/v0.4: instance: {…}; older files: the bounds next to shape.
  const instField = p.take('instance');
  const inst = instField ? Fields.of(src, instField.path, instField.value, 'instance') : p;
  if (instField) p.finish(['shape', 'instance', 'version']);
  const bounds = shape.dims.map((d) => {
    const v = inst.number(d, 'integer');
    if (v === undefined) notes.push(noteAt(src, inst.path, `dimension ${d} not given: 1`));
    return v ?? 1;
  });
  const coefs = new Map(shape.coefficients);
  for (const [name] of shape.coefficients) {
    // a coefficient (a stride, a dilation) multiplies an index: 0 would stop the dimension moving its data space
    const v = inst.number(name, 'integer');
    if (v !== undefined) coefs.set(name, v);
  }
  const densities = inst.take('densities');
  if (densities) checkDensities(src, densities.path, densities.value);
  const declared = [...shape.dims, ...shape.coefficients.keys()];
  // A near miss of a declared name is a misspelling (HStride for Hstride); other keys (H, W, Hpad …) are noted.
  for (const key of inst.rest()) {
    const near = nearest(key, declared);
    if (near !== undefined && (near.toLowerCase() === key.toLowerCase() || key.length > 2)) {
      throw fileError(src, [...inst.path, key], `unknown key '${key}' (did you mean ${near}?)`, `the shape declares ${declared.join(', ')}`);
    }
    notes.push({ ...noteAt(src, [...inst.path, key], `'${key}' is not a dimension or coefficient of ${shape.name}: not used`), ignored: true });
  }
  return { problem: toProblem(src, shape, bounds, coefs), notes };
}

function readShape(src: SourceDoc, path: Path, value: unknown): Shape {
  if (typeof value === 'string') {
    const make = BUILT_IN[value.toLowerCase().replace(/-/g, '_')];
    if (!make) throw fileError(src, path, `no built-in shape '${value}'`, 'give the shape inline (name, dimensions, data_spaces); built in: cnn-layer');
    return make();
  }
  const f = Fields.of(src, path, value, 'shape');
  f.take('version');
  const name = f.string('name') ?? 'problem';
  const dimsField = f.take('dimensions');
  if (!dimsField) throw f.missing(SHAPE_KEYS, "no 'dimensions:'", 'e.g. dimensions: [R, S, P, Q, C, K, N]');
  if (!Array.isArray(dimsField.value) || dimsField.value.length === 0) throw fileError(src, dimsField.path, 'dimensions must be a list of names', 'e.g. dimensions: [R, S, P, Q, C, K, N]');
  const dims: string[] = [];
  dimsField.value.forEach((d, i) => {
    if (typeof d !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(d)) throw fileError(src, [...dimsField.path, i], `'${String(d)}' is not a dimension name`);
    if (dims.includes(d)) throw fileError(src, [...dimsField.path, i], `dimension ${d} is listed twice`);
    dims.push(d);
  });
  const coefficients = new Map<string, number>();
  const coefField = f.take('coefficients');
  if (coefField) {
    if (!Array.isArray(coefField.value)) throw fileError(src, coefField.path, 'coefficients must be a list of {name, default}');
    coefField.value.forEach((c, i) => {
      const cf = Fields.of(src, [...coefField.path, i], c, 'a coefficient');
      const cname = cf.string('name');
      if (!cname) throw fileError(src, cf.path, 'a coefficient needs a name');
      if (dims.includes(cname) || coefficients.has(cname)) throw fileError(src, [...cf.path, 'name'], `'${cname}' is declared twice`);
      const def = cf.number('default', 'integer') ?? 1;
      cf.finish(['name', 'default']);
      coefficients.set(cname, def);
    });
  }
  const spacesField = f.take('data_spaces', 'data-spaces', 'dataspaces');
  if (!spacesField) throw f.missing(SHAPE_KEYS, "no 'data_spaces:'", 'e.g. data_spaces: [{name: Weights, projection: [[[C]], [[K]]]}]');
  if (!Array.isArray(spacesField.value) || spacesField.value.length === 0) throw fileError(src, spacesField.path, 'data_spaces must be a list of data spaces');
  const spaces: Shape['spaces'] = spacesField.value.map((s, i) => readSpace(src, [...spacesField.path, i], s, dims, coefficients));
  spaces.forEach((s, i) => {
    if (spaces.findIndex((t) => t.name === s.name) !== i) throw fileError(src, [...s.path, 'name'], `data space ${s.name} is declared twice`);
  });
  f.finish(SHAPE_KEYS);
  return { name, dims, coefficients, spaces };
}

function readSpace(src: SourceDoc, path: Path, value: unknown, dims: string[], coefs: Map<string, number>): Shape['spaces'][number] {
  const f = Fields.of(src, path, value, 'a data space');
  const name = f.string('name');
  if (!name) throw f.missing(SPACE_KEYS, 'a data space needs a name');
  const rw = f.take('read_write');
  if (rw && typeof rw.value !== 'boolean') throw fileError(src, rw.path, 'read_write must be true or false');
  const proj = f.take('projection');
  if (!proj) throw f.missing(SPACE_KEYS, "no 'projection:'", 'e.g. projection: [[[N]], [[C]], [[R, Wdilation], [P, Wstride]]]');
  if (!Array.isArray(proj.value)) throw fileError(src, proj.path, 'projection must be a list of tensor ranks', 'e.g. projection: [[[N]], [[C]], [[R, Wdilation], [P, Wstride]]]');
  const ranks = proj.value.map((r, i) => ({ terms: readRank(src, [...proj.path, i], r, dims, coefs), path: [...proj.path, i] }));
  f.finish(SPACE_KEYS);
  return { name, ranks, readWrite: rw?.value === true, path };
}

/** One tensor rank: a list of terms, a single dimension name, or an expression `R*Wdilation + P*Wstride`. */
function readRank(src: SourceDoc, path: Path, value: unknown, dims: string[], coefs: Map<string, number>): { dim: string; coef: string | number }[] {
  const term = (parts: unknown[], at: Path) => {
    const names = parts.map((x) => (typeof x === 'string' ? x.trim() : x));
    const dimAt = names.findIndex((x) => typeof x === 'string' && dims.includes(x));
    if (names.filter((x) => typeof x === 'string' && dims.includes(x)).length > 1) throw fileError(src, at, `'${names.join('*')}' multiplies two dimensions`, 'a term is a dimension, or a dimension and a coefficient');
    if (dimAt < 0 || names.length > 2) {
      const bad = names.find((x) => typeof x === 'string' && !coefs.has(x));
      throw fileError(src, at, `'${names.join('*')}' is not a dimension or dimension × coefficient${typeof bad === 'string' ? suggestName(bad, [...dims, ...coefs.keys()]) : ''}`, `dimensions: ${dims.join(' ')}; coefficients: ${[...coefs.keys()].join(' ') || 'none'}`);
    }
    const other = names.length === 2 ? names[1 - dimAt] : 1;
    if (typeof other === 'string' && !coefs.has(other)) throw fileError(src, at, `unknown coefficient '${other}'${suggestName(other, [...coefs.keys()])}`, `the shape declares ${[...coefs.keys()].join(', ') || 'no coefficients'}`);
    if (typeof other !== 'string' && (typeof other !== 'number' || !Number.isInteger(other) || other < 1)) throw fileError(src, at, `'${String(other)}' is not a coefficient`);
    return { dim: names[dimAt] as string, coef: other as string | number };
  };
  if (typeof value === 'string') return value.split('+').map((t) => term(t.split('*'), path));
  if (!Array.isArray(value) || value.length === 0) throw fileError(src, path, 'a rank is a list of terms such as [[R, Wdilation], [P, Wstride]]');
  return value.map((t, k) => (Array.isArray(t) ? term(t, [...path, k]) : term([t], [...path, k])));
}

function suggestName(name: string, known: string[]): string {
  const n = nearest(name, known);
  return n === undefined ? '' : ` (did you mean ${n}?)`;
}

function toProblem(src: SourceDoc, shape: Shape, bounds: number[], coefs: Map<string, number>): Problem {
  const dataSpaces: DataSpace[] = shape.spaces.map((s) => ({
    name: s.name,
    readWrite: s.readWrite,
    projection: s.ranks.map(
      (r): Projection =>
        r.terms
          .map((t) => ({ dim: shape.dims.indexOf(t.dim), coef: typeof t.coef === 'number' ? t.coef : coefs.get(t.coef)! }))
          .filter((t) => t.coef !== 0),
    ),
  }));
  dataSpaces.forEach((d, i) => {
    const diagonal = diagonalProblem(shape.dims, d);
    if (diagonal) throw locatedError('unsupported', diagonal, src, [...shape.spaces[i]!.path, 'projection'], DIAGONAL_HINT);
  });
  if (!dataSpaces.some((d) => d.readWrite)) throw fileError(src, [], `no data space of ${shape.name} is read_write`, 'mark the output read_write: true');
  return { kind: shape.name, dims: shape.dims, bounds, dataSpaces, operandBits: 16, resultBits: 16 };
}
