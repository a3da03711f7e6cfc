import type { SourceDoc } from '../../util/source-file.js';
import { Fields, fileError, isRecord, noteAt, type Note, type Path } from './source.js';

/**
 * Accelergy's energy reference table (ERT.yaml): per component, per action,
 * the energy of one action (pJ; for storage, one block). Both layouts are
 * read: v0.2 `tables: {System.PE.Buffer: {read: [{arguments, energy}, …], idle: {energy}}}`
 * and v0.3+ `tables: [{name: system.PE.Buffer, actions: [{name: read, arguments, energy}]}]`.
 * A component is matched by the last part of its name (`Buffer`), as Timeloop
 * does; an action listed with several argument sets costs the largest.
 *
 * How actions become accelmap's energies (`ErtMode`):
 * - `per-action` (Timeloop's current convention): read ← random_read | read;
 *   fill ← random_fill | random_write | fill | write; update ← random_update |
 *   update | write; compute ← mac_random | mult_random | mac | mult | compute;
 *   leak ← leak (per cycle). A missing storage action costs the component's
 *   most expensive one (noted).
 * - `max` (earlier Timeloop releases, whose outputs the public exercises
 *   ship): every storage access and every compute costs the component's most
 *   expensive action.
 */
export type ErtMode = 'per-action' | 'max';
export const ERT_MODES: readonly ErtMode[] = ['per-action', 'max'];

export interface ErtComponent {
  /** Full name as written (`system.PE[0..255].pe_spad`). */
  fullName: string;
  path: Path;
  /** Action → energy (pJ), the largest over its argument sets. */
  actions: Map<string, number>;
}

export interface Ert {
  file: string;
  /** By short name: the last dot-separated part, without an instance range. */
  components: Map<string, ErtComponent>;
  src: SourceDoc;
}

export interface StorageEnergy {
  readPj: number;
  fillPj: number;
  updatePj: number;
  leakPjPerCycle: number;
}

const READ = ['random_read', 'read'];
const FILL = ['random_fill', 'random_write', 'fill', 'write'];
const UPDATE = ['random_update', 'update', 'write'];
const COMPUTE = ['mac_random', 'mult_random', 'mac', 'mult', 'compute'];
const LEAK = 'leak';

/** `system.PE[0..255].pe_spad` → `pe_spad`; `system_top_level.DRAM[1..1]` → `DRAM` (ranges go before the name is split). */
export function shortName(name: string): string {
  const bare = name.replace(/\[[^\]]*\]/g, '');
  return bare.slice(bare.lastIndexOf('.') + 1).trim();
}

export function readErt(src: SourceDoc): Ert {
  const root = Fields.of(src, [], src.value, 'the ERT file');
  const inner = root.take('ERT');
  const f = inner ? Fields.of(src, inner.path, inner.value, 'ERT') : root;
  f.take('version');
  const tables = f.take('tables');
  if (!tables) throw (inner ? f.missing(['version', 'tables'], "no 'tables:'", 'an ERT file has ERT: {version, tables}') : root.missingTop('ERT', 'an ERT file has ERT: {version, tables}'));
  f.finish(['version', 'tables']);
  const components = new Map<string, ErtComponent>();
  const add = (fullName: string, path: Path, actions: Map<string, number>) => {
    const key = shortName(fullName);
    if (components.has(key)) throw fileError(src, path, `two ERT entries for component ${key}`);
    components.set(key, { fullName, path, actions });
  };
  if (Array.isArray(tables.value)) {
    tables.value.forEach((t, i) => {
      const tf = Fields.of(src, [...tables.path, i], t, 'an ERT table');
      const name = tf.string('name');
      if (!name) throw fileError(src, tf.path, 'an ERT table needs a name');
      const list = tf.take('actions');
      if (!list || !Array.isArray(list.value)) throw fileError(src, list?.path ?? tf.path, 'actions must be a list of {name, arguments, energy}');
      tf.finish(['name', 'actions']);
      const actions = new Map<string, number>();
      list.value.forEach((a, k) => {
        const af = Fields.of(src, [...list.path, k], a, 'an ERT action');
        const action = af.string('name');
        if (!action) throw fileError(src, af.path, 'an action needs a name');
        af.take('arguments');
        const energy = energyOf(af, ['name', 'arguments', 'energy']);
        af.finish(['name', 'arguments', 'energy']);
        actions.set(action, Math.max(actions.get(action) ?? 0, energy));
      });
      add(name, tf.path, actions);
    });
  } else if (isRecord(tables.value)) {
    for (const [name, table] of Object.entries(tables.value)) {
      const path = [...tables.path, name];
      if (!isRecord(table)) throw fileError(src, path, 'an ERT table maps action names to {energy} or to a list of {arguments, energy}');
      const actions = new Map<string, number>();
      for (const [action, entries] of Object.entries(table)) {
        const list = Array.isArray(entries) ? entries : [entries];
        list.forEach((e, k) => {
          const ef = Fields.of(src, Array.isArray(entries) ? [...path, action, k] : [...path, action], e, 'an ERT action');
          ef.take('arguments');
          const energy = energyOf(ef, ['arguments', 'energy']);
          ef.finish(['arguments', 'energy']);
          actions.set(action, Math.max(actions.get(action) ?? 0, energy));
        });
      }
      add(name, path, actions);
    }
  } else {
    throw fileError(src, tables.path, 'tables must be a list or a map of components');
  }
  return { file: src.file, components, src };
}

function energyOf(f: Fields, known: string[]): number {
  const e = f.number('energy', 'non-negative');
  if (e === undefined) throw f.missing(known, 'an action needs an energy (pJ)');
  return e;
}

function first(c: ErtComponent, names: string[]): number | undefined {
  for (const n of names) {
    const e = c.actions.get(n);
    if (e !== undefined) return e;
  }
  return undefined;
}

function largest(c: ErtComponent): number {
  let m = 0;
  for (const [name, e] of c.actions) if (name !== LEAK) m = Math.max(m, e);
  return m;
}

/** Energies of a storage level from its ERT entry. */
export function storageEnergy(ert: Ert, c: ErtComponent, mode: ErtMode, notes: Note[]): StorageEnergy {
  const leak = c.actions.get(LEAK) ?? 0;
  if (mode === 'max') {
    const e = largest(c);
    return { readPj: e, fillPj: e, updatePj: e, leakPjPerCycle: leak };
  }
  const pick = (names: string[], what: string) => {
    const e = first(c, names);
    if (e !== undefined) return e;
    notes.push(noteAt(ert.src, c.path, `no ${what} action (${names.join(' | ')}): the largest action energy is used`));
    return largest(c);
  };
  return { readPj: pick(READ, 'read'), fillPj: pick(FILL, 'fill'), updatePj: pick(UPDATE, 'update'), leakPjPerCycle: leak };
}

/** Energy of one compute from the MAC unit's ERT entry. */
export function computeEnergy(ert: Ert, c: ErtComponent, mode: ErtMode, notes: Note[]): number {
  if (mode === 'max') return largest(c);
  const e = first(c, COMPUTE);
  if (e !== undefined) return e;
  notes.push(noteAt(ert.src, c.path, `no compute action (${COMPUTE.join(' | ')}): the largest action energy is used`));
  return largest(c);
}
