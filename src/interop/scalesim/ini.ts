import { AccelmapError } from '../../util/errors.js';

/** One `key: value` (or `key = value`) line of an INI file, in file order. */
export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

/**
 * Reads the INI dialect of Python's configparser as SCALE-Sim configs use
 * it: `[section]` headers, `key: value` or `key = value`, `#` and `;`
 * comment lines. Keys are matched without regard to case later on (as
 * configparser does); a repeated section or key is an error, as there.
 */
export function parseIni(text: string, file: string): IniEntry[] {
  const entries: IniEntry[] = [];
  const seenSections = new Set<string>();
  const seenKeys = new Set<string>();
  let section: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (trimmed.startsWith('[')) {
      const m = /^\[([^\]]+)\]$/.exec(trimmed);
      if (!m) throw new AccelmapError('bad-file', `malformed section header '${trimmed}'`, { file, line }, 'write [section_name]');
      section = m[1]!.trim();
      if (seenSections.has(section)) throw new AccelmapError('bad-file', `section [${section}] appears twice`, { file, line });
      seenSections.add(section);
      return;
    }
    const sep = trimmed.search(/[:=]/);
    if (sep <= 0) throw new AccelmapError('bad-file', `expected 'key: value', found '${trimmed}'`, { file, line });
    if (section === undefined) throw new AccelmapError('bad-file', `'${trimmed}' comes before any [section]`, { file, line });
    const key = trimmed.slice(0, sep).trim();
    const id = `${section}\u0000${key.toLowerCase()}`;
    if (seenKeys.has(id)) throw new AccelmapError('bad-file', `${key} is set twice in [${section}]`, { file, line });
    seenKeys.add(id);
    entries.push({ section, key, value: trimmed.slice(sep + 1).trim(), line });
  });
  return entries;
}
