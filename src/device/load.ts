import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AccelmapError } from '../util/errors.js';
import { readTextFile } from '../util/files.js';
import { presetPath } from '../util/paths.js';
import { documentValue } from '../util/source-file.js';
import { deviceSchema, type Device } from './device.js';
import { suggest } from '../util/suggest.js';

/** Device presets: presets/devices/<name>.yaml. */
export function devicePresets(): string[] {
  return readdirSync(presetPath('devices'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

const isFile = (spec: string) => /[\\/]/.test(spec) || /\.(ya?ml|json)$/i.test(spec);

/** A preset name or a path to a YAML/JSON device file. */
export function loadDevice(spec: string): Device {
  if (isFile(spec)) return parseDevice(readTextFile(spec, 'device file'), spec);
  const presets = devicePresets();
  if (!presets.includes(spec)) throw new AccelmapError('bad-input', `unknown device '${spec}'${suggest(spec, presets)}`, {}, `use one of ${presets.join(', ')}, or a path to a device file`);
  const file = presetPath('devices', `${spec}.yaml`);
  return parseDevice(readTextFile(file, 'device preset'), `presets/devices/${basename(file)}`);
}

/** Parses and validates device text; an error names the file, the line and the field. */
export function parseDevice(text: string, file: string): Device {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new AccelmapError('bad-file', syntax.message.split('\n')[0]!, { file, line: at.line, col: at.col });
  }
  const data = documentValue(doc, file);
  const result = deviceSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  throw new AccelmapError('bad-spec', issueMessage(issue, data), { file, ...position(doc, lines, path), path: path.join('.') || undefined });
}

function issueMessage(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === 'unrecognized_keys') return 'unknown field';
  const value = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), data);
  if (value === undefined && issue.path.length) return 'is required';
  return issue.message;
}

/** Line and column of the deepest node of `path` present in the document. */
function position(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: PropertyKey[]): { line?: number; col?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const start = n === 0 ? doc.contents?.range?.[0] : node?.range?.[0];
    if (start !== undefined) {
      const at = lines.linePos(start);
      return { line: at.line, col: at.col };
    }
  }
  return {};
}
