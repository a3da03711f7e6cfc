import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so that equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What identifies one evaluation: the full spec of the design, the workloads, the mapper settings and the accelmap version. */
export interface EvaluationKey {
  spec: unknown;
  workloads: unknown;
  mapper: unknown;
  version: string;
}

/** SHA-256 (hex, its first `chars` characters) of a value's canonical JSON. */
export function canonicalHash(value: unknown, chars = 32): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, chars);
}

/** SHA-256 (hex, first 32 characters) of the canonical JSON of the key. */
export function contentHash(key: EvaluationKey): string {
  return canonicalHash(key);
}
