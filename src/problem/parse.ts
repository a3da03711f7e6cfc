import { AccelmapError } from '../util/errors.js';
import { convGradInputProblem, convGradWeightProblem, convProblem, matmulProblem, type ConvShape, type Precision } from './builders.js';
import type { Problem } from './types.js';

/**
 * Compact layer forms, for the command line and for small files:
 *
 *   conv:N=1,K=64,C=64,P=56,Q=56,R=3,S=3,stride=1
 *   conv:K=128,C=128,H=56,W=56,R=3,S=3,stride=2,pad=1     (output size from the input size)
 *   conv:K=32,C=32,P=112,Q=112,R=3,S=3,G=32               (grouped / depthwise)
 *   dwconv:C=32,P=112,Q=112,R=3,S=3                        (depthwise: G = K = C)
 *   conv-grad-input:…, conv-grad-weight:…                  (same keys as conv)
 *   matmul:M=128,N=768,K=768                               (B=12 for a batched matmul)
 *
 * K and C are total channels (as in ONNX); G splits them into groups. Keys:
 * N (or batch), K, C, P, Q (or H, W with pad), R, S, G, stride (or strideH,
 * strideW), dilation (or dilationH, dilationW), bits (operand bits, default
 * 16), accBits (partial-sum bits, default: bits ≥ 16 ? bits : 32).
 */
const CONV_KINDS = ['conv', 'dwconv', 'conv-grad-input', 'conv-grad-weight'] as const;
const MATMUL_KINDS = ['matmul', 'bmm'] as const;
const CONV_KEYS = ['N', 'batch', 'K', 'C', 'P', 'Q', 'H', 'W', 'R', 'S', 'G', 'stride', 'strideH', 'strideW', 'dilation', 'dilationH', 'dilationW', 'pad', 'bits', 'accBits'];
const MATMUL_KEYS = ['B', 'batch', 'M', 'N', 'K', 'bits', 'accBits', 'weightsBatched'];

const HINT = 'e.g. conv:N=1,K=64,C=64,P=56,Q=56,R=3,S=3,stride=1 or matmul:M=128,N=768,K=768';

function bad(message: string): AccelmapError {
  return new AccelmapError('bad-input', message, {}, HINT);
}

/** Parses `kind:key=value,…` into a Problem. */
export function parseLayerSpec(text: string): Problem {
  const m = /^\s*([a-z-]+)\s*:(.*)$/i.exec(text);
  if (!m) throw bad(`cannot read layer '${text}'`);
  const kind = m[1]!.toLowerCase();
  const values: Record<string, number> = {};
  for (const part of m[2]!.split(',').map((p) => p.trim()).filter(Boolean)) {
    const kv = /^([A-Za-z]+)\s*=\s*(\d+)$/.exec(part);
    if (!kv) throw bad(`layer '${text}': '${part}' is not key=positive-integer`);
    values[kv[1]!] = Number(kv[2]);
  }
  return layerProblem(kind, values, text);
}

/** Builds a Problem from a kind and its keys (the compact form, already split). */
export function layerProblem(kind: string, values: Record<string, number>, what = kind): Problem {
  if ((CONV_KINDS as readonly string[]).includes(kind)) return convLayer(kind as (typeof CONV_KINDS)[number], values, what);
  if ((MATMUL_KINDS as readonly string[]).includes(kind)) return matmulLayer(values, what);
  throw bad(`unknown layer kind '${kind}' in '${what}' (known: ${[...CONV_KINDS, ...MATMUL_KINDS].join(', ')})`);
}

function checkKeys(values: Record<string, number>, allowed: string[], what: string): void {
  for (const k of Object.keys(values)) {
    if (!allowed.includes(k)) throw bad(`layer '${what}': unknown key '${k}' (known: ${allowed.join(', ')})`);
  }
  for (const [k, v] of Object.entries(values)) {
    if (k !== 'pad' && k !== 'weightsBatched' && v < 1) throw bad(`layer '${what}': ${k} must be ≥ 1`);
  }
}

function precision(values: Record<string, number>): Precision {
  const operandBits = values.bits ?? 16;
  return { operandBits, resultBits: values.accBits ?? (operandBits >= 16 ? operandBits : 32) };
}

function need(values: Record<string, number>, key: string, what: string): number {
  const v = values[key];
  if (v === undefined) throw bad(`layer '${what}': missing ${key}`);
  return v;
}

function convLayer(kind: (typeof CONV_KINDS)[number], v: Record<string, number>, what: string): Problem {
  checkKeys(v, CONV_KEYS, what);
  const R = v.R ?? 1, S = v.S ?? 1;
  const strideH = v.strideH ?? v.stride ?? 1, strideW = v.strideW ?? v.stride ?? 1;
  const dilationH = v.dilationH ?? v.dilation ?? 1, dilationW = v.dilationW ?? v.dilation ?? 1;
  const C = need(v, 'C', what);
  const depthwise = kind === 'dwconv';
  const K = depthwise ? (v.K ?? C) : need(v, 'K', what);
  const G = depthwise ? C : (v.G ?? 1);
  if (C % G !== 0 || K % G !== 0) throw bad(`layer '${what}': G=${G} must divide C=${C} and K=${K}`);
  const pad = v.pad ?? 0;
  const out = (size: number | undefined, outKey: string, inKey: string, k: number, stride: number, dil: number): number => {
    if (v[outKey] !== undefined) return v[outKey]!;
    if (size === undefined) throw bad(`layer '${what}': give ${outKey} (output size) or ${inKey} (input size)`);
    const o = Math.floor((size + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    if (o < 1) throw bad(`layer '${what}': the ${k}-wide kernel does not fit the input ${inKey}=${size}`);
    return o;
  };
  const shape: ConvShape = {
    N: v.N ?? v.batch ?? 1,
    K: K / G,
    C: C / G,
    P: out(v.H, 'P', 'H', R, strideH, dilationH),
    Q: out(v.W, 'Q', 'W', S, strideW, dilationW),
    R, S, G, strideH, strideW, dilationH, dilationW,
  };
  const p = precision(v);
  if (kind === 'conv-grad-input') return convGradInputProblem(shape, p);
  if (kind === 'conv-grad-weight') return convGradWeightProblem(shape, p);
  return convProblem(shape, p, depthwise ? 'dwconv' : 'conv');
}

function matmulLayer(v: Record<string, number>, what: string): Problem {
  checkKeys(v, MATMUL_KEYS, what);
  return matmulProblem(
    { B: v.B ?? v.batch ?? 1, M: need(v, 'M', what), N: need(v, 'N', what), K: need(v, 'K', what), weightsBatched: v.weightsBatched !== 0 },
    precision(v),
  );
}
