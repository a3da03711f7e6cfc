import { isRecord } from './source.js';

/**
 * timeloopfe's v0.4 attribute expressions, the arithmetic part: an attribute
 * may be a number, a name from `variables:` or from the component's own
 * attributes (`datawidth: DATAWIDTH`, `width: datawidth * 3`), or arithmetic
 * over them (+ − * / // % **, parentheses, min, max, ceil, floor, round, abs,
 * log2, int). Anything else (a word such as `LPDDR4`, `45nm`, or Python this
 * evaluator does not know) stays as written, for the reader to accept or
 * report.
 */
export type Scope = (name: string) => number | undefined;

const FUNCTIONS: Record<string, (...xs: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  ceil: Math.ceil,
  floor: Math.floor,
  round: Math.round,
  abs: Math.abs,
  log2: Math.log2,
  int: Math.trunc,
  float: (x) => x,
};

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_]\w*)|(\*\*|\/\/|[-+*/%(),]))/y;

/** The value of `text`, or undefined when it is not arithmetic over known names. */
export function evaluate(text: string, scope: Scope): number | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    tokens.push(m[1] ?? m[2] ?? m[3]!);
    at = TOKEN.lastIndex;
  }
  let i = 0;
  const peek = () => tokens[i];
  const fail = (): never => {
    throw new RangeError('not arithmetic');
  };
  const expect = (t: string) => (tokens[i] === t ? i++ : fail());
  // sum := product (('+' | '-') product)*; product := unary (('*' | '/' | '//' | '%') unary)*;
  // unary := '-' unary | power; power := atom ('**' unary)?
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const product = (): number => {
    let v = unary();
    for (let op = peek(); op === '*' || op === '/' || op === '//' || op === '%'; op = peek()) {
      i++;
      const r = unary();
      v = op === '*' ? v * r : op === '/' ? v / r : op === '//' ? Math.floor(v / r) : v - r * Math.floor(v / r);
    }
    return v;
  };
  const unary = (): number => (peek() === '-' ? (i++, -unary()) : peek() === '+' ? (i++, unary()) : power());
  const power = (): number => {
    const base = atom();
    return peek() === '**' ? (i++, base ** unary()) : base;
  };
  const atom = (): number => {
    const t = tokens[i++] ?? fail();
    if (/^[\d.]/.test(t)) return Number(t);
    if (t === '(') {
      const v = sum();
      expect(')');
      return v;
    }
    if (!/^[A-Za-z_]/.test(t)) return fail();
    if (peek() === '(') {
      const f = FUNCTIONS[t] ?? fail();
      i++;
      const args = [sum()];
      while (peek() === ',') (i++, args.push(sum()));
      expect(')');
      return f(...args);
    }
    return scope(t) ?? fail();
  };
  try {
    const v = sum();
    return i === tokens.length && Number.isFinite(v) ? v : undefined;
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/** Numeric values of `variables:` (each may use the ones before it or after it). */
export function resolveVariables(raw: Record<string, unknown>): Map<string, number> {
  return resolveMap(raw, () => undefined);
}

/** A map's expression values resolved against `outer` and its own entries, until nothing changes. */
function resolveMap(raw: Record<string, unknown>, outer: Scope): Map<string, number> {
  const known = new Map<string, number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [k, v] of Object.entries(raw)) {
      if (known.has(k)) continue;
      const n = typeof v === 'number' ? v : typeof v === 'string' ? evaluate(v, (name) => known.get(name) ?? outer(name)) : undefined;
      if (n !== undefined) {
        known.set(k, n);
        changed = true;
      }
    }
  }
  return known;
}

/**
 * The architecture with every `attributes:` map's expressions replaced by
 * their values (the same shape, so file positions still apply).
 */
export function resolveAttributes(value: unknown, variables: Map<string, number>): unknown {
  const outer: Scope = (name) => variables.get(name);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isRecord(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'attributes' && isRecord(x) ? withValues(x) : walk(x);
    return out;
  };
  const withValues = (attrs: Record<string, unknown>) => {
    const values = resolveMap(attrs, outer);
    return Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, typeof x === 'string' && values.has(k) ? values.get(k) : x]));
  };
  return walk(value);
}
