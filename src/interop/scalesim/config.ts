import { AccelmapError } from '../../util/errors.js';
import { readTextFile } from '../../util/files.js';
import type { Dataflow, SystolicArraySpec } from '../../sim/systolic/types.js';
import { WORD_BYTES } from '../../sim/systolic/types.js';
import { parseIni, type IniEntry } from './ini.js';
import { suggest } from '../../util/suggest.js';

/** A SCALE-Sim `.cfg` file, read field by field. */
export interface ScaleSimConfig {
  runName: string;
  arrayHeight: number;
  arrayWidth: number;
  /** SRAM sizes in kB (1024 bytes), as written. */
  ifmapSramKb: number;
  filterSramKb: number;
  ofmapSramKb: number;
  /** Base addresses of the operands in SCALE-Sim's traces. */
  ifmapOffset: number;
  filterOffset: number;
  ofmapOffset: number;
  dataflow: Dataflow;
  interfaceBandwidth: 'CALC' | 'USER';
  /** `Bandwidth`, in words per cycle; absent when the file leaves it out. */
  bandwidthWordsPerCycle?: number;
}

/** Something in the file that the reader did not use: an unknown key, or a known one accelmap does not model. */
export interface ConfigNote {
  file: string;
  line: number;
  key: string;
  message: string;
}

type Field = Exclude<keyof ScaleSimConfig, 'interfaceBandwidth' | 'dataflow' | 'runName' | 'bandwidthWordsPerCycle'>;
type KeySpec =
  | { key: string; kind: 'int'; field: Field; min: number; required: boolean }
  | { key: string; kind: 'runName' | 'dataflow' | 'mode' | 'bandwidth'; required: boolean }
  | { key: string; kind: 'ignored'; why: string }
  | { key: string; kind: 'sparsity' };

const BANKING = 'SRAM banking and layouts are not modeled';
const DRAM_MODEL = 'the DRAM model is the bandwidth-limited interface of each SRAM';
const SECTIONS: Record<string, KeySpec[]> = {
  general: [{ key: 'run_name', kind: 'runName', required: false }],
  architecture_presets: [
    { key: 'ArrayHeight', kind: 'int', field: 'arrayHeight', min: 1, required: true },
    { key: 'ArrayWidth', kind: 'int', field: 'arrayWidth', min: 1, required: true },
    { key: 'IfmapSramSzkB', kind: 'int', field: 'ifmapSramKb', min: 1, required: true },
    { key: 'FilterSramSzkB', kind: 'int', field: 'filterSramKb', min: 1, required: true },
    { key: 'OfmapSramSzkB', kind: 'int', field: 'ofmapSramKb', min: 1, required: true },
    { key: 'IfmapOffset', kind: 'int', field: 'ifmapOffset', min: 0, required: false },
    { key: 'FilterOffset', kind: 'int', field: 'filterOffset', min: 0, required: false },
    { key: 'OfmapOffset', kind: 'int', field: 'ofmapOffset', min: 0, required: false },
    { key: 'Dataflow', kind: 'dataflow', required: true },
    { key: 'Bandwidth', kind: 'bandwidth', required: false },
    { key: 'MemoryBanks', kind: 'ignored', why: DRAM_MODEL },
    { key: 'ReadRequestBuffer', kind: 'ignored', why: DRAM_MODEL },
    { key: 'WriteRequestBuffer', kind: 'ignored', why: DRAM_MODEL },
    ...bankingKeys(['OnChipMemoryBanks', 'OnChipMemoryBankPorts']),
  ],
  layout: bankingKeys([]),
  run_presets: [
    { key: 'InterfaceBandwidth', kind: 'mode', required: true },
    ...['UseRamulatorTrace', 'SRAM_row_size', 'SRAM_bank_size', 'DRAM_row_size', 'DRAM_bank_size'].map((key): KeySpec => ({ key, kind: 'ignored', why: DRAM_MODEL })),
  ],
  sparsity: [
    { key: 'SparsitySupport', kind: 'sparsity' },
    ...['SparseRep', 'OptimizedMapping', 'BlockSize', 'RandomNumberGeneratorSeed'].map((key): KeySpec => ({ key, kind: 'ignored', why: 'sparsity is not modeled' })),
  ],
  network_presets: [{ key: 'TopologyCsvLoc', kind: 'ignored', why: 'give the topology with -t' }],
};

function bankingKeys(extra: string[]): KeySpec[] {
  const keys = ['IfmapCustomLayout', 'FilterCustomLayout', 'IfmapSRAMBankBandwidth', 'IfmapSRAMBankNum', 'IfmapSRAMBankPort', 'FilterSRAMBankBandwidth', 'FilterSRAMBankNum', 'FilterSRAMBankPort'];
  return [...extra, ...keys].map((key) => ({ key, kind: 'ignored', why: BANKING }));
}

/** Most PEs (ArrayHeight × ArrayWidth) simulated: 2^24, 64 times a 512 × 512 array; each costs the simulator 8 bytes and work every cycle. */
export const MAX_ARRAY_PES = 1 << 24;

/** SCALE-Sim's own defaults for the fields a file may leave out. */
const DEFAULTS = { ifmapOffset: 0, filterOffset: 10_000_000, ofmapOffset: 20_000_000 };

export function readScaleSimConfig(path: string): { config: ScaleSimConfig; notes: ConfigNote[] } {
  return parseScaleSimConfig(readTextFile(path, 'SCALE-Sim config'), path);
}

export function parseScaleSimConfig(text: string, file: string): { config: ScaleSimConfig; notes: ConfigNote[] } {
  const notes: ConfigNote[] = [];
  const found = new Map<KeySpec, IniEntry>();
  for (const entry of parseIni(text, file)) {
    const specs = SECTIONS[entry.section];
    if (!specs) {
      notes.push({ file, line: entry.line, key: entry.key, message: `unknown section [${entry.section}]; ${entry.key} is not used` + suggest(entry.section, Object.keys(SECTIONS), '[', ']') });
      continue;
    }
    const spec = specs.find((s) => s.key.toLowerCase() === entry.key.toLowerCase());
    if (!spec) {
      notes.push({ file, line: entry.line, key: entry.key, message: `unknown key in [${entry.section}]; not used` + suggest(entry.key, specs.map((s) => s.key), '', '') });
      continue;
    }
    found.set(spec, entry);
  }

  const config: Partial<ScaleSimConfig> = { ...DEFAULTS };
  for (const [section, specs] of Object.entries(SECTIONS)) {
    for (const spec of specs) {
      const entry = found.get(spec);
      const where = { file, line: entry?.line, path: `[${section}] ${spec.key}` };
      if (!entry) {
        if ('required' in spec && spec.required) throw new AccelmapError('bad-file', 'missing', { file, path: where.path }, `add '${spec.key}: …' under [${section}]`);
        continue;
      }
      const v = entry.value;
      switch (spec.kind) {
        case 'int':
          config[spec.field] = integer(v, spec.min, where);
          break;
        case 'runName':
          config.runName = v;
          break;
        case 'dataflow': {
          const df = v.toLowerCase();
          if (df !== 'os' && df !== 'ws' && df !== 'is') throw new AccelmapError('bad-file', `'${v}' is not a dataflow`, where, 'use os, ws or is');
          config.dataflow = df;
          break;
        }
        case 'mode': {
          const mode = v.toUpperCase();
          if (mode !== 'CALC' && mode !== 'USER') throw new AccelmapError('bad-file', `'${v}' is neither CALC nor USER`, where);
          config.interfaceBandwidth = mode;
          break;
        }
        case 'bandwidth': {
          const values = v.split(',').map((x) => x.trim());
          if (values.length > 1) throw new AccelmapError('unsupported', `${values.length} bandwidths (one per DRAM bank) given`, where, 'accelmap models one DRAM interface per SRAM: give one value');
          config.bandwidthWordsPerCycle = integer(values[0]!, 1, where);
          break;
        }
        case 'sparsity':
          if (/^(true|yes|on|1)$/i.test(v)) throw new AccelmapError('unsupported', 'sparse arrays are not modeled', where, 'set SparsitySupport: false');
          break;
        case 'ignored':
          notes.push({ file, line: entry.line, key: entry.key, message: `not used: ${spec.why}` });
          break;
      }
    }
  }
  // the simulator keeps per-PE state: the array is bounded before anything is allocated
  if (config.arrayHeight! * config.arrayWidth! > MAX_ARRAY_PES) {
    const entry = [...found].find(([spec]) => spec.key === 'ArrayHeight')![1];
    throw new AccelmapError('bad-file', `a ${config.arrayHeight}×${config.arrayWidth} array has more than the ${MAX_ARRAY_PES} PEs the cycle-level simulator steps`, { file, line: entry.line, path: '[architecture_presets] ArrayHeight' }, 'real systolic arrays have at most a few hundred rows and columns');
  }
  if (config.interfaceBandwidth === 'USER' && config.bandwidthWordsPerCycle === undefined) {
    throw new AccelmapError('bad-file', 'missing', { file, path: '[architecture_presets] Bandwidth' }, 'InterfaceBandwidth USER needs Bandwidth (words per cycle)');
  }
  if (config.interfaceBandwidth === 'CALC' && config.bandwidthWordsPerCycle !== undefined) {
    const line = [...found].find(([spec]) => spec.kind === 'bandwidth')![1].line;
    notes.push({ file, line, key: 'Bandwidth', message: 'not used: InterfaceBandwidth CALC computes the bandwidth' });
  }
  config.runName ??= file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  notes.sort((a, b) => a.line - b.line);
  return { config: config as ScaleSimConfig, notes };
}

/** The array the simulator runs: SRAM kB become words (1 byte each); USER takes Bandwidth, CALC computes it. */
export function toArraySpec(c: ScaleSimConfig): SystolicArraySpec {
  const words = (kb: number) => (kb * 1024) / WORD_BYTES;
  return {
    rows: c.arrayHeight,
    cols: c.arrayWidth,
    dataflow: c.dataflow,
    sramWords: { ifmap: words(c.ifmapSramKb), filter: words(c.filterSramKb), ofmap: words(c.ofmapSramKb) },
    dramBandwidth: c.interfaceBandwidth === 'USER' ? c.bandwidthWordsPerCycle! : 'calc',
  };
}

function integer(text: string, min: number, where: { file: string; line?: number; path: string }): number {
  const n = Number(text);
  if (!/^[+]?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new AccelmapError('bad-file', `'${text}' is not ${min === 0 ? 'a non-negative' : 'a positive'} integer`, where);
  }
  return n;
}
