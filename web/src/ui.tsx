import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { upload, type Meta, type Upload } from './api.js';
import { useKept, type JobState } from './state.js';

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

export function Select({ value, options, onChange, name }: { value: string; options: readonly string[]; onChange: (v: string) => void; name: string }) {
  return (
    <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function NumberInput({ value, onChange, name, min = 1 }: { value: number; onChange: (v: number) => void; name: string; min?: number }) {
  return <input type="number" name={name} min={min} value={value} onChange={(e) => onChange(Number((e.target as HTMLInputElement).value))} />;
}

/**
 * A zoo model or an uploaded ONNX file (`upload:<id>`); an upload the server
 * refuses shows its one-line reason.
 */
export function ModelPicker({ meta, value, onChange, kind = 'onnx', name = 'model' }: { meta: Meta; value: string; onChange: (v: string) => void; kind?: Upload['kind']; name?: string }) {
  const [uploads, setUploads] = useKept<Upload[]>(`uploads:${kind}`, []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const presets = kind === 'onnx' ? meta.models.map((m) => m.name) : meta.archs;
  return (
    <span class="picker">
      <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <optgroup label={kind === 'onnx' ? 'zoo' : 'presets'}>
          {presets.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </optgroup>
        {uploads.length > 0 && (
          <optgroup label="uploaded">
            {uploads.map((u) => (
              <option key={u.id} value={`upload:${u.id}`}>
                {u.name} ({u.summary})
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <input
        type="file"
        name={`${name}-file`}
        accept={kind === 'onnx' ? '.onnx' : '.yaml,.yml,.json'}
        onChange={async (e) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          if (!file) return;
          setError(null);
          setBusy(true);
          try {
            const u = await upload(kind, file);
            setUploads([...uploads, u]);
            onChange(`upload:${u.id}`);
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
            input.value = '';
          }
        }}
      />
      {busy && <span class="muted">checking…</span>}
      {error && (
        <div class="error" role="alert" data-upload-error>
          {error}
        </div>
      )}
    </span>
  );
}

/** Run / cancel, the live progress line, the error, and the command line that does the same. */
export function JobBar({ job, onRun, label = 'Run' }: { job: JobState<unknown> & { cancel(): void }; onRun: () => void; label?: string }) {
  return (
    <div class="jobbar">
      <button class="primary" disabled={job.running} onClick={onRun} name="run">
        {label}
      </button>
      {job.running && (
        <button onClick={job.cancel} name="cancel">
          Cancel
        </button>
      )}
      {job.running && <span class="progress" data-progress>{job.progress ?? 'starting…'}</span>}
      {job.error && (
        <div class="error" role="alert" data-job-error>
          {job.error}
        </div>
      )}
      {job.command && (
        <div class="command">
          CLI: <code data-command>{job.command}</code>
        </div>
      )}
    </div>
  );
}

export interface Column<R> {
  label: string;
  value: (r: R) => string | number;
  /** The exact number behind a formatted cell (kept in data-value). */
  raw?: (r: R) => number;
  numeric?: boolean;
}

export function Table<R>({ rows, columns, name, total, onRow, selected }: { rows: R[]; columns: Column<R>[]; name: string; total?: R; onRow?: (r: R, i: number) => void; selected?: number | null }) {
  const cell = (c: Column<R>, r: R) => (
    <td class={c.numeric ? 'num' : ''} data-value={c.raw ? c.raw(r) : undefined}>
      {c.value(r)}
    </td>
  );
  return (
    <div class="table-wrap">
      <table data-table={name}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label}>{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} class={selected === i ? 'selected' : onRow ? 'clickable' : ''} onClick={() => onRow?.(r, i)}>
              {columns.map((c) => cell(c, r))}
            </tr>
          ))}
        </tbody>
        {total && (
          <tfoot>
            <tr data-total>{columns.map((c) => cell(c, total))}</tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
