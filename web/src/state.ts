import { useState } from 'preact/hooks';
import { runJob, type JobHandle } from './api.js';

/** State that outlives a view's unmounting (switching tabs keeps each view as it was). */
const kept = new Map<string, unknown>();

export function useKept<T>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(kept.has(key) ? (kept.get(key) as T) : initial);
  return [
    value,
    (v: T) => {
      kept.set(key, v);
      setValue(v);
    },
  ];
}

export interface JobState<T> {
  running: boolean;
  progress: string | null;
  command: string | null;
  result: T | null;
  error: string | null;
}

const idle = { running: false, progress: null, command: null, result: null, error: null };

/** Puts a finished run's result into the view of its kind (`job:<kind>`), as if the view had just run it. */
export function keepResult(kind: string, result: unknown, command: string): void {
  kept.set(`job:${kind}`, { ...idle, result, command });
}

/** One job at a time per view: start it, follow its progress, cancel it. */
export function useJob<T>(key: string) {
  const [state, setState] = useKept<JobState<T>>(`job:${key}`, idle);
  const [handle, setHandle] = useKept<JobHandle<T> | null>(`handle:${key}`, null);
  const start = (kind: string, params: Record<string, unknown>, onProgress?: (line: string) => void) => {
    let s: JobState<T> = { ...idle, running: true };
    const set = (patch: Partial<JobState<T>>) => {
      s = { ...s, ...patch };
      setState(s);
    };
    set({});
    const h = runJob<T>(kind, params, (line) => {
      set({ progress: line });
      onProgress?.(line);
    });
    setHandle(h);
    h.command.then((command) => set({ command }), () => {});
    h.result.then(
      (result) => set({ running: false, result }),
      (e: Error) => set({ running: false, error: e.message }),
    );
    return h;
  };
  return { ...state, start, cancel: () => handle?.cancel() };
}
