import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { upload, type Meta, type Upload } from './api.js';
import { useJob, useKept, type JobState } from './state.js';

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

function NumberInput({ value, onChange, name, min = 1 }: { value: number; onChange: (v: number) => void; name: string; min?: number }) {
  return <input type="number" name={name} min={min} value={value} onChange={(e) => onChange(Number((e.target as HTMLInputElement).value))} />;
}

/**
 * A zoo model or an uploaded ONNX file (`upload:<id>`); an upload the server
 * refuses shows its one-line reason.
 */
function ModelPicker({ meta, value, onChange, kind = 'onnx', name = 'model' }: { meta: Meta; value: string; onChange: (v: string) => void; kind?: Upload['kind']; name?: string }) {
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
function JobBar({ job, onRun, label = 'Run' }: { job: JobState<unknown> & { cancel(): void }; onRun: () => void; label?: string }) {
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
  value: (r: R) => ComponentChildren;
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

/** One field of a view's form: its parameter, label and input. */
export type FieldSpec = { key: string; label: string } & ({ type: 'model' | 'arch' | 'number' | 'checkbox' } | { type: 'select'; options: readonly string[] });

export type Params = Record<string, string | number | boolean>;

/** A view's form from its field list, with the job bar that runs it. */
function Form({ meta, fields, params, onChange, job, label, onRun }: { meta: Meta; fields: FieldSpec[]; params: Params; onChange: (p: Params) => void; job: JobState<unknown> & { cancel(): void }; label: string; onRun: () => void }) {
  const set = (key: string) => (v: string | number | boolean) => onChange({ ...params, [key]: v });
  return (
    <div class="form">
      {fields.map((f) => (
        <Field key={f.key} label={f.label}>
          {f.type === 'model' || f.type === 'arch' ? (
            <ModelPicker meta={meta} value={String(params[f.key])} onChange={set(f.key)} kind={f.type === 'model' ? 'onnx' : 'arch'} name={f.key} />
          ) : f.type === 'select' ? (
            <Select name={f.key} value={String(params[f.key])} options={f.options} onChange={set(f.key)} />
          ) : f.type === 'number' ? (
            <NumberInput name={f.key} value={Number(params[f.key])} onChange={set(f.key)} />
          ) : (
            <input type="checkbox" name={f.key} checked={Boolean(params[f.key])} onChange={(e) => set(f.key)((e.target as HTMLInputElement).checked)} />
          )}
        </Field>
      ))}
      <JobBar job={job} label={label} onRun={onRun} />
    </div>
  );
}

/** The device preselected where a view takes one. */
export const defaultDevice = (meta: Meta): string => (meta.devices.includes('v100-16gb') ? 'v100-16gb' : meta.devices[0]!);

/**
 * A view's parameters (kept across tab switches), its job and its form:
 * Run starts `kind` with the parameters (`toJob` reshapes them first) and
 * hands the result's promise to `started`.
 */
export function useJobForm<T>(meta: Meta, kind: string, o: { initial: Params; fields: FieldSpec[]; label: string; toJob?: (p: Params) => Record<string, unknown>; onProgress?: (line: string) => void; started?: (result: Promise<T>) => void }) {
  const [params, setParams] = useKept<Params>(`${kind}:params`, o.initial);
  const job = useJob<T>(kind);
  const run = () => {
    const { result } = job.start(kind, o.toJob ? o.toJob(params) : params, o.onProgress);
    o.started?.(result);
  };
  return { job, params, form: <Form meta={meta} fields={o.fields} params={params} onChange={setParams} job={job} label={o.label} onRun={run} /> };
}
