/**
 * Text that came from a file (names, op types, strings) made safe to print on
 * one terminal line: control characters (C0, DEL, C1 — so ANSI escapes and
 * NUL bytes), Unicode line separators and bidirectional overrides are shown as
 * `\xNN` / `\uNNNN`, and any run of non-blank characters longer than
 * `MAX_WORD` is cut in the middle, saying how long it was.
 */
export const MAX_WORD = 160;

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with unprintable characters escaped and over-long words cut. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar).replace(new RegExp(`\\S{${MAX_WORD + 1},}`, 'g'), cutWord);
}

function cutWord(word: string): string {
  const keep = MAX_WORD / 2;
  return `${word.slice(0, keep)}…[${word.length} characters]…${word.slice(-keep / 4)}`;
}
