import Database from 'better-sqlite3';
import { AccelmapError } from '../util/errors.js';

/**
 * The log of runs the web server made, kept in the results store's SQLite
 * file beside the explored designs: what was asked, the command line that
 * computes the same, how it ended and its result.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface RunRecord {
  id: string;
  kind: string;
  params: unknown;
  command: string;
  status: RunStatus;
  /** One line, when the run failed. */
  error: string | null;
  /** Milliseconds since the epoch. */
  started: number;
  finished: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  params TEXT NOT NULL,
  command TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  started INTEGER NOT NULL,
  finished INTEGER,
  result TEXT
);
`;

interface RunRow {
  id: string;
  kind: string;
  params: string;
  command: string;
  status: RunStatus;
  error: string | null;
  started: number;
  finished: number | null;
}

const fromRow = (r: RunRow): RunRecord => ({ id: r.id, kind: r.kind, params: JSON.parse(r.params), command: r.command, status: r.status, error: r.error, started: r.started, finished: r.finished });

export class RunLog {
  private readonly db: Database.Database;

  constructor(file: string) {
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new AccelmapError('bad-file', `cannot open the results store: ${e instanceof Error ? e.message : String(e)}`, { file }, 'give a writable data directory');
    }
    // a run still marked running was cut short when its server stopped
    this.db.prepare("UPDATE runs SET status = 'cancelled', error = 'the server stopped during the run' WHERE status = 'running'").run();
  }

  start(r: Pick<RunRecord, 'id' | 'kind' | 'params' | 'command' | 'started'>): void {
    this.db.prepare("INSERT INTO runs (id, kind, params, command, status, started) VALUES (?, ?, ?, ?, 'running', ?)").run(r.id, r.kind, JSON.stringify(r.params), r.command, r.started);
  }

  finish(id: string, status: Exclude<RunStatus, 'running'>, outcome: { result?: unknown; error?: string }): void {
    this.db.prepare('UPDATE runs SET status = ?, error = ?, result = ?, finished = ? WHERE id = ?').run(status, outcome.error ?? null, outcome.result === undefined ? null : JSON.stringify(outcome.result), Date.now(), id);
  }

  /** Every run, newest first. */
  all(): RunRecord[] {
    return (this.db.prepare('SELECT id, kind, params, command, status, error, started, finished FROM runs ORDER BY started DESC').all() as RunRow[]).map(fromRow);
  }

  get(id: string): RunRecord | undefined {
    const r = this.db.prepare('SELECT id, kind, params, command, status, error, started, finished FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return r && fromRow(r);
  }

  /** A finished run's result as stored (JSON text), if it has one. */
  resultJson(id: string): string | undefined {
    const r = this.db.prepare('SELECT result FROM runs WHERE id = ?').get(id) as { result: string | null } | undefined;
    return r?.result ?? undefined;
  }

  close(): void {
    this.db.close();
  }
}
