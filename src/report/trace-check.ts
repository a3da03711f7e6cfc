/**
 * Checks the Trace Event Format (the JSON object form chrome://tracing and
 * Perfetto read): a `traceEvents` array; every event a phase and a name;
 * complete events (X) with a pid, tid, non-negative ts and dur in
 * microseconds; counters (C) with numeric args; metadata (M) naming
 * processes and threads.
 */
export function traceProblems(json: string): string[] {
  const problems: string[] = [];
  const data = JSON.parse(json) as { traceEvents?: unknown; displayTimeUnit?: unknown };
  if (!Array.isArray(data.traceEvents)) return ['traceEvents is not an array'];
  if (data.displayTimeUnit !== undefined && data.displayTimeUnit !== 'ms' && data.displayTimeUnit !== 'ns') problems.push('displayTimeUnit must be ms or ns');
  const isInt = (x: unknown) => Number.isInteger(x);
  const isTime = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  data.traceEvents.forEach((e: Record<string, unknown>, i: number) => {
    const at = `event ${i}`;
    if (typeof e.name !== 'string') problems.push(`${at}: name`);
    if (!isInt(e.pid)) problems.push(`${at}: pid`);
    switch (e.ph) {
      case 'X':
        if (!isInt(e.tid) || !isTime(e.ts) || !isTime(e.dur)) problems.push(`${at}: X needs tid, ts, dur`);
        break;
      case 'C':
        if (!isTime(e.ts) || typeof e.args !== 'object' || !Object.values(e.args as object).every((v) => typeof v === 'number')) problems.push(`${at}: C needs ts and numeric args`);
        break;
      case 'M':
        if (!['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index'].includes(e.name as string) || typeof (e.args as { name?: unknown })?.name !== 'string') problems.push(`${at}: M`);
        break;
      default:
        problems.push(`${at}: phase ${String(e.ph)}`);
    }
  });
  return problems;
}
