/** The server's API, as the page uses it: every request local, with the token the page was opened with. */
const token = new URLSearchParams(location.search).get('token');
const headers = (): Record<string, string> => ({ 'x-accelmap-client': '1', ...(token ? { authorization: `Bearer ${token}` } : {}) });

async function parse<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export const get = <T>(path: string): Promise<T> => fetch(path, { headers: headers() }).then((r) => parse<T>(r));

export interface Meta {
  models: { name: string; description: string }[];
  archs: string[];
  devices: string[];
  spaces: string[];
  dataflows: string[];
  strategies: string[];
  policies: string[];
  topologies: string[];
  maxUploadBytes: number;
}

export interface Upload {
  id: string;
  kind: 'onnx' | 'arch';
  name: string;
  summary: string;
}

export async function upload(kind: Upload['kind'], file: File): Promise<Upload> {
  const res = await fetch(`/api/uploads?kind=${kind}&name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: { ...headers(), 'content-type': 'application/octet-stream' }, body: file });
  return parse<Upload>(res);
}

export interface JobHandle<T> {
  id: Promise<string>;
  command: Promise<string>;
  result: Promise<T>;
  cancel(): void;
}

/** Starts a job on the server; progress lines arrive through `onProgress` (server-sent events) until the result. */
export function runJob<T>(kind: string, params: Record<string, unknown>, onProgress: (line: string) => void): JobHandle<T> {
  const started = fetch('/api/jobs', { method: 'POST', headers: { ...headers(), 'content-type': 'application/json' }, body: JSON.stringify({ kind, params }) }).then((r) => parse<{ id: string; command: string }>(r));
  const result = started.then(
    (job) =>
      new Promise<T>((resolve, reject) => {
        const events = new EventSource(`/api/jobs/${job.id}/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
        events.addEventListener('progress', (e) => onProgress(JSON.parse((e as MessageEvent).data).message));
        events.addEventListener('end', (e) => {
          events.close();
          const end = JSON.parse((e as MessageEvent).data) as { status: string; error: string | null };
          if (end.status === 'done') get<T>(`/api/runs/${job.id}/result`).then(resolve, reject);
          else reject(new Error(end.status === 'cancelled' ? 'cancelled' : (end.error ?? end.status)));
        });
        events.onerror = () => {
          if (events.readyState === EventSource.CLOSED) reject(new Error('lost the connection to the server'));
        };
      }),
  );
  started.catch(() => {}); // the failure reaches the caller through `result`
  return {
    id: started.then((j) => j.id),
    command: started.then((j) => j.command),
    result,
    cancel: () => void started.then((j) => fetch(`/api/jobs/${j.id}`, { method: 'DELETE', headers: headers() })),
  };
}
