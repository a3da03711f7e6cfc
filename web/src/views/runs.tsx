import { useEffect } from 'preact/hooks';
import { get } from '../api.js';
import { keepResult, useKept } from '../state.js';
import { Table } from '../ui.js';

interface Run {
  id: string;
  kind: string;
  command: string;
  status: string;
  error: string | null;
  started: number;
  finished: number | null;
}

/** The view that shows each kind of run's result. */
const VIEW_OF: Record<string, string> = { profile: 'model', map: 'map', memory: 'memory', scale: 'scale', explore: 'explore' };

/** Opens a finished run in its view. */
async function open(r: Run): Promise<void> {
  if (r.kind !== 'explore') keepResult(r.kind, await get(`/api/runs/${r.id}/result`), r.command);
  location.hash = VIEW_OF[r.kind]!;
}

/** The Runs view: every run this server made, kept in the results store, with the command line that reproduces it. */
export function RunsView() {
  const [runs, setRuns] = useKept<Run[]>('runs', []);
  const [error, setError] = useKept<string | null>('runs:error', null);
  const refresh = () => get<Run[]>('/api/runs').then(setRuns, (e: Error) => setError(e.message));
  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), 3000);
    return () => clearInterval(t);
  }, []);
  return (
    <section>
      <h2>Runs ({runs.length})</h2>
      {error && <div class="error">{error}</div>}
      <Table
        name="runs"
        rows={runs}
        columns={[
          { label: 'started', value: (r) => new Date(r.started).toLocaleString() },
          { label: 'kind', value: (r) => r.kind },
          { label: 'status', value: (r) => r.status + (r.error ? `: ${r.error}` : '') },
          { label: 'time', value: (r) => (r.finished ? `${((r.finished - r.started) / 1000).toFixed(1)} s` : ''), numeric: true },
          { label: 'command line', value: (r) => r.command },
          {
            label: 'result',
            value: (r) =>
              r.status === 'done' ? (
                <button name="open-run" onClick={() => void open(r).catch((e: Error) => setError(e.message))}>
                  open
                </button>
              ) : (
                ''
              ),
          },
        ]}
      />
    </section>
  );
}
