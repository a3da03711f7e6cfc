/**
 * The Chrome trace-event format (JSON object form), which chrome://tracing
 * and Perfetto open: complete events (X) on a process's threads, counters
 * (C), and metadata (M) naming processes and threads. Times in microseconds.
 */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'C' | 'M';
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}
