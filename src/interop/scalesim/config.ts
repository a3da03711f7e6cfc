import { AccelmapError } from '../../util/errors.js';
import { readTextFile } from '../../util/files.js';
import type { Dataflow, SystolicArraySpec } from '../../sim/systolic/types.js';
import { WORD_BYTES } from '../../sim/systolic/types.js';
import { parseIni, type IniEntry } from './ini.js';
import { rangeProblem, type Range } from '../../util/ranges.js';
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
  | { key: string; kind: 'int'; field: Field; range: Range; required: boolean }
  | { key: string; kind: 'runName' | 'dataflow' | 'mode' | 'bandwidth'; required: boolean }
  | { key: string; kind: 'ignored'; why: string }
  | { key: string; kind: 'sparsity' };

/** What the numbers of a config may be, and why. */
const SIDE: Range = { min: 1, max: 4096, integer: true, why: 'PEs along one side of the array; the largest systolic arrays built have 256' };
const SRAM_KB: Range = { min: 1, max: 2 ** 24, integer: true, unit: 'kB', why: 'an SRAM holds at least 1 kB, and no on-chip SRAM more than 16 GiB' };
const OFFSET: Range = { min: 0, max: 2 ** 48, integer: true, why: "a word address in SCALE-Sim's traces" };
const BANDWIDTH: Range = { min: 1, max: 2 ** 20, integer: true, unit: 'words per cycle', why: 'the DRAM interface of one SRAM' };
const BANKING = 'SRAM banking and layouts are not modeled';
const DRAM_MODEL = 'the DRAM model is the bandwidth-limited interface of each SRAM';
const SECTIONS: Record<string, KeySpec[]> = {
  general: [{ key: 'run_name', kind: 'runName', required: false }],
  architecture_presets: [
    { key: 'ArrayHeight', kind: 'int', field: 'arrayHeight', range: SIDE, required: true },
    { key: 'ArrayWidth', kind: 'int', field: 'arrayWidth', range: SIDE, required: true },
    { key: 'IfmapSramSzkB', kind: 'int', field: 'ifmapSramKb', range: SRAM_KB, required: true },
    { key: 'FilterSramSzkB', kind: 'int', field: 'filterSramKb', range: SRAM_KB, required: true },
    { key: 'OfmapSramSzkB', kind: 'int', field: 'ofmapSramKb', range: SRAM_KB, required: true },
    { key: 'IfmapOffset', kind: 'int', field: 'ifmapOffset', range: OFFSET, required: false },
    { key: 'FilterOffset', kind: 'int', field: 'filterOffset', range: OFFSET, required: false },
    { key: 'OfmapOffset', kind: 'int', field: 'ofmapOffset', range: OFFSET, required: false },
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
          config[spec.field] = integer(v, spec.range, where);
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
          config.bandwidthWordsPerCycle = integer(values[0]!, BANDWIDTH, where);
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

function integer(text: string, range: Range, where: { file: string; line?: number; path: string }): number {
  if (!/^[+]?\d+$/.test(text)) throw new AccelmapError('bad-file', `'${text}' is not ${range.min === 0 ? 'a non-negative' : 'a positive'} integer`, where);
  const problem = rangeProblem(Number(text), range);
  if (problem) throw new AccelmapError('bad-file', `'${text}' is ${problem}`, where);
  return Number(text);
}
