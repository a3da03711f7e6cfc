import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AccelmapError } from '../util/errors.js';
import type { Graph, Node } from '../workload/graph.js';
import { isIntegerPrecision, parsePrecision, precisionBits, type Precision } from './formats.js';

/** The op kinds whose inputs are quantized: the layers that multiply and accumulate. */
export const COMPUTE_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export function computeNodes(graph: Graph): Node[] {
  return graph.nodes.filter((n) => COMPUTE_OPS.has(n.op));
}

/**
 * A precision per compute layer. Below 8 bits, the first and last compute
 * layers stay at int8 unless the plan says otherwise (the usual choice: they
 * see raw inputs and produce the logits, and hold few of the weights).
 */
export interface PrecisionPlan {
  /** Layer name → precision, for every compute layer. */
  layers: Map<string, Precision>;
  /** How each layer's precision was chosen: 'default', 'first/last kept at int8', 'plan file'. */
  why: Map<string, string>;
}

/** What a plan file may say: `precision` (the default), `first-last` (a precision, or `same`), `layers` (name → precision). */
export interface PlanFile {
  precision?: Precision;
  firstLast?: Precision | 'same';
  layers: Record<string, Precision>;
}

export function readPlanFile(file: string): PlanFile {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AccelmapError('bad-input', `cannot read the plan: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AccelmapError('bad-input', 'a plan is a mapping with precision, first-last and layers', { file });
  const d = doc as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !['precision', 'first-last', 'layers'].includes(k));
  if (unknown.length) throw new AccelmapError('bad-input', `unknown key '${unknown[0]}'`, { file }, 'a plan has precision, first-last and layers');
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string') throw new AccelmapError('bad-input', `${where} must be a precision name`, { file });
    return v;
  };
  const layers: Record<string, Precision> = {};
  if (d.layers !== undefined) {
    if (d.layers === null || typeof d.layers !== 'object' || Array.isArray(d.layers)) throw new AccelmapError('bad-input', 'layers must map layer names to precisions', { file });
    for (const [k, v] of Object.entries(d.layers)) layers[k] = wrap(file, () => parsePrecision(str(v, `layers.${k}`), `layers.${k}`));
  }
  const fl = d['first-last'];
  return {
    precision: d.precision === undefined ? undefined : wrap(file, () => parsePrecision(str(d.precision, 'precision'), 'precision')),
    firstLast: fl === undefined ? undefined : fl === 'same' ? 'same' : wrap(file, () => parsePrecision(str(fl, 'first-last'), 'first-last')),
    layers,
  };
}

function wrap<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof AccelmapError ? e.at({ file }) : e;
  }
}

/** The per-layer precisions for `graph` at default `precision`, with a plan file's overrides. */
export function makePlan(graph: Graph, precision: Precision, file?: PlanFile, fileName = 'plan'): PrecisionPlan {
  const nodes = computeNodes(graph);
  const base = file?.precision ?? precision;
  const ends = file?.firstLast ?? (isIntegerPrecision(base) && precisionBits(base) < 8 ? 'int8' : 'same');
  const layers = new Map<string, Precision>();
  const why = new Map<string, string>();
  nodes.forEach((n, i) => {
    const end = i === 0 || i === nodes.length - 1;
    layers.set(n.name, end && ends !== 'same' ? ends : base);
    why.set(n.name, end && ends !== 'same' ? `first/last kept at ${ends}` : 'default');
  });
  for (const [name, p] of Object.entries(file?.layers ?? {})) {
    if (!layers.has(name)) throw new AccelmapError('bad-input', `layers.${name} is not a compute layer of ${graph.name}`, { file: fileName }, `compute layers: ${nodes.slice(0, 5).map((n) => n.name).join(', ')}${nodes.length > 5 ? ', …' : ''}`);
    layers.set(name, p);
    why.set(name, 'plan file');
  }
  return { layers, why };
}
