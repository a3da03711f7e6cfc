import { AccelmapError } from '../util/errors.js';
import { hzOf, parseBytes } from '../util/units.js';
import type { StoredDesign } from './store.js';

/**
 * The filter language of `accelmap results --where`: comparisons of a
 * design's fields joined by `and`, `or`, `not` and parentheses, e.g.
 * `area<=2 and (pe_x=14 or glb>=64KiB)`. A field is a knob name or one of
 * `latency` (s), `energy` (pJ), `area` (mm²), `sram` (bytes), `status`,
 * `space`, `hash`. A value is a number (with an optional byte unit such as
 * KiB or a clock unit such as MHz), a quoted string or a bare word. The filter is parsed into a tree and
 * evaluated over plain data: nothing of it reaches SQL.
 */

export type WhereValue = number | string | boolean | null;

type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';

export type WhereExpr =
  | { kind: 'and' | 'or'; left: WhereExpr; right: WhereExpr }
  | { kind: 'not'; expr: WhereExpr }
  | { kind: 'cmp'; field: string; op: Op; value: string | number };

type Token = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: 'op'; v: Op } | { t: '(' } | { t: ')' };

const FLAG = '--where';

function bad(expr: string, why: string): AccelmapError {
  return new AccelmapError('bad-flag', `${FLAG} '${expr}': ${why}`, {}, "write e.g. --where \"area<=2 and pe_x=14\" (fields: knob names, latency, energy, area, sram, status, space, hash)");
}

const WORD = /^[A-Za-z0-9_.\-[\]+]+/;
const OPS = /^(<=|>=|==|!=|<>|<|>|=)/;

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let s = expr;
  while ((s = s.trimStart()).length > 0) {
    if (s[0] === '(' || s[0] === ')') {
      out.push({ t: s[0] });
      s = s.slice(1);
      continue;
    }
    if (s[0] === '"' || s[0] === "'") {
      const end = s.indexOf(s[0], 1);
      if (end < 0) throw bad(expr, 'a quoted value is not closed');
      out.push({ t: 'str', v: s.slice(1, end) });
      s = s.slice(end + 1);
      continue;
    }
    const op = OPS.exec(s);
    if (op) {
      const v = op[1] === '==' ? '=' : op[1] === '<>' ? '!=' : (op[1] as Op);
      out.push({ t: 'op', v });
      s = s.slice(op[1]!.length);
      continue;
    }
    const w = WORD.exec(s);
    if (!w) throw bad(expr, `unexpected '${s[0]}'`);
    out.push({ t: 'word', v: w[0] });
    s = s.slice(w[0].length);
  }
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not']);

/** Parses a `--where` filter; a malformed one is an AccelmapError naming the flag. */
export function parseWhere(expr: string): WhereExpr {
  const toks = tokenize(expr);
  let i = 0;
  const peekWord = (w: string) => toks[i]?.t === 'word' && (toks[i] as { v: string }).v.toLowerCase() === w;
  /** Operands of `next` joined left to right by the keyword `kind`. */
  const joined = (kind: 'and' | 'or', next: () => WhereExpr): WhereExpr => {
    let left = next();
    while (peekWord(kind)) {
      i++;
      left = { kind, left, right: next() };
    }
    return left;
  };
  const orExpr = (): WhereExpr => joined('or', andExpr);
  const andExpr = (): WhereExpr => joined('and', notExpr);
  const notExpr = (): WhereExpr => {
    if (peekWord('not')) {
      i++;
      return { kind: 'not', expr: notExpr() };
    }
    return primary();
  };
  const primary = (): WhereExpr => {
    const tok = toks[i];
    if (tok === undefined) throw bad(expr, 'ends where a comparison was expected');
    if (tok.t === '(') {
      i++;
      const inner = orExpr();
      if (toks[i]?.t !== ')') throw bad(expr, "a '(' is not closed");
      i++;
      return inner;
    }
    if (tok.t !== 'word' || KEYWORDS.has(tok.v.toLowerCase())) throw bad(expr, `expected a field name at '${tokenText(tok)}'`);
    const op = toks[i + 1];
    if (op?.t !== 'op') throw bad(expr, `expected a comparison (<, <=, >, >=, =, !=) after '${tok.v}'`);
    const val = toks[i + 2];
    if (val?.t !== 'word' && val?.t !== 'str') throw bad(expr, `expected a value after '${tok.v}${op.v}'`);
    i += 3;
    return { kind: 'cmp', field: tok.v, op: op.v, value: val.t === 'str' ? val.v : literal(val.v) };
  };
  if (toks.length === 0) throw bad(expr, 'is empty');
  const tree = orExpr();
  if (i < toks.length) throw bad(expr, `unexpected '${tokenText(toks[i]!)}'`);
  return tree;
}

function tokenText(t: Token): string {
  return t.t === '(' || t.t === ')' ? t.t : t.v;
}

/** A bare value: a number (byte units allowed), else the word itself. */
function literal(word: string): number | string {
  return asNumber(word) ?? word;
}

/** A value as a number: numbers, numeric text, sizes (64KiB) and clocks (200MHz); undefined otherwise. */
export function asNumber(v: WhereValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !/^[-+]?[0-9.]/.test(v)) return undefined;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) return Number(v);
  const hz = hzOf(v);
  if (hz !== undefined) return hz;
  try {
    return parseBytes(v);
  } catch {
    return undefined;
  }
}

/** The names a filter refers to, so a caller can check them before evaluating. */
function whereFields(e: WhereExpr): string[] {
  if (e.kind === 'cmp') return [e.field];
  if (e.kind === 'not') return whereFields(e.expr);
  return [...whereFields(e.left), ...whereFields(e.right)];
}

/**
 * Evaluates a filter over one row; `field(name)` gives a field's value.
 * Numbers (and sizes such as `64KiB`) compare as numbers, anything else as
 * text with `=` and `!=` only; a null field (an infeasible design's
 * latency) matches nothing.
 */
export function evalWhere(e: WhereExpr, field: (name: string) => WhereValue, source = ''): boolean {
  switch (e.kind) {
    case 'and':
      return evalWhere(e.left, field, source) && evalWhere(e.right, field, source);
    case 'or':
      return evalWhere(e.left, field, source) || evalWhere(e.right, field, source);
    case 'not':
      return !evalWhere(e.expr, field, source);
    case 'cmp': {
      const v = field(e.field);
      if (v === null) return false;
      const a = asNumber(v);
      const b = asNumber(e.value);
      if (a !== undefined && b !== undefined) return compare(a, b, e.op);
      if (e.op === '=' || e.op === '!=') return (String(v) === String(e.value)) === (e.op === '=');
      throw bad(source, `'${e.field}${e.op}${e.value}' orders a value that is not a number ('${String(v)}')`);
    }
  }
}

function compare(a: number, b: number, op: Op): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '=': return a === b;
    case '!=': return a !== b;
  }
}

const DESIGN_FIELDS: Record<string, (d: StoredDesign) => WhereValue> = {
  latency: (d) => d.latencyS,
  energy: (d) => d.energyPj,
  area: (d) => d.areaMm2,
  sram: (d) => d.sramBytes,
  status: (d) => d.status,
  space: (d) => d.space,
  hash: (d) => d.hash,
};

/**
 * The stored designs a `--where` filter keeps. A field must be a knob of
 * some design or a named figure; a design without a knob the filter names
 * does not match it.
 */
export function filterDesigns(designs: StoredDesign[], expr: string): StoredDesign[] {
  const tree = parseWhere(expr);
  const knobs = new Set(designs.flatMap((d) => Object.keys(d.knobs)));
  for (const f of whereFields(tree)) {
    if (!(f in DESIGN_FIELDS) && !knobs.has(f)) throw bad(expr, `no field '${f}' (knobs here: ${[...knobs].join(', ') || 'none'})`);
  }
  return designs.filter((d) => evalWhere(tree, (f) => (f in d.knobs ? d.knobs[f]! : DESIGN_FIELDS[f]?.(d) ?? null), expr));
}
