import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type Tags } from 'yaml';
import type { ZodError } from 'zod';
import { AccelmapError, type ErrorCode } from './errors.js';
import { readTextFile } from './files.js';
import { locatedError } from './located-error.js';

export { formatPath, locatedError } from './located-error.js';

/**
 * A YAML or JSON document (JSON is read as YAML 1.2) that remembers where each
 * value came from, so that a validation problem can be reported as
 * `file:line:col field.path: message — hint`.
 */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** Line and column (1-based) of the value at `path`, or of its nearest existing parent. */
  locate(path: readonly PropertyKey[]): { line: number; col: number } | undefined;
}

export function readSourceFile(file: string, code: ErrorCode = 'bad-file'): SourceDoc {
  return parseSource(readTextFile(file, 'the file'), file, code);
}

/** `customTags` resolves local tags (`!Container`) for formats that use them. */
export function parseSource(text: string, file: string, code: ErrorCode = 'bad-file', customTags?: Tags): SourceDoc {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, customTags });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new AccelmapError(code, `not valid YAML or JSON: ${first.message.split('\n')[0]}`, { file, line: pos.line, col: pos.col });
  }
  const value = documentValue(doc, file, code);
  return {
    file,
    value,
    locate(path) {
      let node: unknown = doc.contents;
      let found: YamlNode | undefined = isNode(node) ? node : undefined;
      for (const key of path) {
        if (isMap(node)) {
          // Point at the key of a map entry (`capacity:`), which exists even when the value is odd.
          const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
          if (!pair) break;
          if (isNode(pair.key)) found = pair.key;
          node = pair.value;
          continue;
        }
        if (!(isSeq(node) && typeof key === 'number')) break;
        node = node.get(key, true);
        if (!isNode(node)) break;
        found = node;
      }
      const start = found?.range?.[0];
      if (start === undefined) return undefined;
      return lineCounter.linePos(start);
    },
  };
}

/**
 * The plain value of a parsed document. Aliases are expanded at most
 * `MAX_ALIAS_COUNT` times over (an alias bomb — a few lines that expand to
 * billions of nodes — is refused, not expanded).
 */
export function documentValue(doc: Document, file: string, code: ErrorCode = 'bad-file'): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new AccelmapError(code, `cannot expand the YAML aliases: ${e.message.split('\n')[0]}`, { file }, 'write the repeated values out instead of nesting aliases');
  }
}

const MAX_ALIAS_COUNT = 100;

function isNode(x: unknown): x is YamlNode {
  return isMap(x) || isSeq(x) || isScalar(x);
}

/** The first issue of a Zod validation error as an AccelmapError located in the source. */
export function zodIssueError(err: ZodError, src: SourceDoc | undefined, code: ErrorCode, hint?: string): AccelmapError {
  const issue = err.issues[0]!;
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    path = [...path, keys[0]!];
    message = `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return locatedError(code, message, src, path, hint);
}
