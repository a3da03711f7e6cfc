import Database from 'better-sqlite3';
import { AccelmapError } from '../util/errors.js';

/**
 * The results store: an SQLite file (WAL journal) with one row per evaluated
 * design, keyed by its content hash, and one row per layer of each workload.
 * A design and its layers are written in one transaction, so a process killed
 * at any moment leaves every committed design whole and nothing half-written;
 * SQLite recovers the journal on the next open, with no repair step.
 */

export interface StoredLayer {
  workload: string;
  name: string;
  op: string;
  cycles: number;
  energyPj: number;
  utilization: number;
  dataflow: string | null;
  /** The layer's mapping (directives), or null for ops on the vector unit. */
  mapping: unknown;
}

export interface StoredWorkload {
  name: string;
  /** Its weight in the design's latency and energy (1 outside a suite). */
  weight: number;
  cycles: number;
  seconds: number;
  /** Null where the evaluator has no energy model (a target space). */
  energyPj: number | null;
  utilization: number;
}

export interface StoredDesign {
  hash: string;
  space: string;
  knobs: Record<string, number | string | boolean>;
  /** `ok`, or `infeasible` when the workloads could not be mapped (`reason` says why). */
  status: 'ok' | 'infeasible';
  reason: string | null;
  areaMm2: number;
  sramBytes: number;
  /** Weighted sums over the workloads; null when infeasible. */
  latencyS: number | null;
  energyPj: number | null;
  workloads: StoredWorkload[];
  /** Mapper settings and workload options the design was evaluated with. */
  settings: unknown;
  layers: StoredLayer[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS designs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hash TEXT NOT NULL UNIQUE,
  space TEXT NOT NULL,
  knobs TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  area_mm2 REAL NOT NULL,
  sram_bytes REAL NOT NULL,
  latency_s REAL,
  energy_pj REAL,
  workloads TEXT NOT NULL,
  settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS layers (
  hash TEXT NOT NULL REFERENCES designs(hash),
  workload TEXT NOT NULL,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  op TEXT NOT NULL,
  cycles REAL NOT NULL,
  energy_pj REAL NOT NULL,
  utilization REAL NOT NULL,
  dataflow TEXT,
  mapping TEXT,
  PRIMARY KEY (hash, workload, idx)
);
`;

interface DesignRow {
  hash: string;
  space: string;
  knobs: string;
  status: 'ok' | 'infeasible';
  reason: string | null;
  area_mm2: number;
  sram_bytes: number;
  latency_s: number | null;
  energy_pj: number | null;
  workloads: string;
  settings: string;
}

interface LayerRow {
  workload: string;
  name: string;
  op: string;
  cycles: number;
  energy_pj: number;
  utilization: number;
  dataflow: string | null;
  mapping: string | null;
}

function fromRow(r: DesignRow, layers: StoredLayer[] = []): StoredDesign {
  return {
    hash: r.hash,
    space: r.space,
    knobs: JSON.parse(r.knobs),
    status: r.status,
    reason: r.reason,
    areaMm2: r.area_mm2,
    sramBytes: r.sram_bytes,
    latencyS: r.latency_s,
    energyPj: r.energy_pj,
    // stores written before suites carry no weights: every workload then counted once
    workloads: (JSON.parse(r.workloads) as StoredWorkload[]).map((w) => ({ ...w, weight: w.weight ?? 1 })),
    settings: JSON.parse(r.settings),
    layers,
  };
}

export class ResultsStore {
  private readonly db: Database.Database;
  private readonly insertDesign: Database.Statement;
  private readonly insertLayer: Database.Statement;
  private readonly byHash: Database.Statement;
  private readonly layersOf: Database.Statement;
  readonly file: string;

  /** Opens (or creates, unless `mustExist`) a store. */
  constructor(file: string, { mustExist = false } = {}) {
    this.file = file;
    try {
      this.db = new Database(file, { fileMustExist: mustExist });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new AccelmapError('bad-file', `cannot open the results store: ${why}`, { file }, mustExist ? 'give a store written by accelmap explore --store' : 'give a writable path for --store');
    }
    this.insertDesign = this.db.prepare(
      `INSERT OR IGNORE INTO designs (hash, space, knobs, status, reason, area_mm2, sram_bytes, latency_s, energy_pj, workloads, settings)
       VALUES (@hash, @space, @knobs, @status, @reason, @area_mm2, @sram_bytes, @latency_s, @energy_pj, @workloads, @settings)`,
    );
    this.insertLayer = this.db.prepare(
      `INSERT INTO layers (hash, workload, idx, name, op, cycles, energy_pj, utilization, dataflow, mapping)
       VALUES (@hash, @workload, @idx, @name, @op, @cycles, @energy_pj, @utilization, @dataflow, @mapping)`,
    );
    this.byHash = this.db.prepare('SELECT * FROM designs WHERE hash = ?');
    this.layersOf = this.db.prepare('SELECT * FROM layers WHERE hash = ? ORDER BY workload, idx');
  }

  /** Writes a design with its layers in one transaction; a design already stored is left as it is. Returns whether it was new. */
  put(d: StoredDesign): boolean {
    return this.db.transaction(() => {
      const r = this.insertDesign.run({
        hash: d.hash,
        space: d.space,
        knobs: JSON.stringify(d.knobs),
        status: d.status,
        reason: d.reason,
        area_mm2: d.areaMm2,
        sram_bytes: d.sramBytes,
        latency_s: d.latencyS,
        energy_pj: d.energyPj,
        workloads: JSON.stringify(d.workloads),
        settings: JSON.stringify(d.settings),
      });
      if (r.changes === 0) return false;
      const idx = new Map<string, number>();
      for (const l of d.layers) {
        const i = idx.get(l.workload) ?? 0;
        idx.set(l.workload, i + 1);
        this.insertLayer.run({ hash: d.hash, workload: l.workload, idx: i, name: l.name, op: l.op, cycles: l.cycles, energy_pj: l.energyPj, utilization: l.utilization, dataflow: l.dataflow, mapping: l.mapping === null ? null : JSON.stringify(l.mapping) });
      }
      return true;
    })();
  }

  /** The stored design with this hash (without its layers), if any. */
  get(hash: string): StoredDesign | undefined {
    const r = this.byHash.get(hash) as DesignRow | undefined;
    return r && fromRow(r);
  }

  /** A design's layers, in the order they were stored. */
  layers(hash: string): StoredLayer[] {
    return (this.layersOf.all(hash) as LayerRow[]).map((l) => ({ workload: l.workload, name: l.name, op: l.op, cycles: l.cycles, energyPj: l.energy_pj, utilization: l.utilization, dataflow: l.dataflow, mapping: l.mapping === null ? null : JSON.parse(l.mapping) }));
  }

  /** Every stored design (without layers), in the order they were stored. */
  all(): StoredDesign[] {
    return (this.db.prepare('SELECT * FROM designs ORDER BY seq').all() as DesignRow[]).map((r) => fromRow(r));
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Opens (or creates, unless `mustExist`) a results store: `get`/`put` by
 * content hash, `all()` and `layers(hash)` return plain data. Pass it to
 * `explore` as its `store` to make a run resumable; `close()` it when done.
 */
export function openStore(file: string, options: { mustExist?: boolean } = {}): ResultsStore {
  return new ResultsStore(file, options);
}
