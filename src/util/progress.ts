/**
 * Progress for long work goes to stderr (results go to stdout). On a terminal
 * the line is redrawn in place; otherwise a line is written at most every few
 * seconds so that logs stay short.
 */
export interface Progress {
  update(text: string): void;
  done(text?: string): void;
}

export function stderrProgress(label: string, enabled = true): Progress {
  const tty = process.stderr.isTTY === true;
  const minIntervalMs = tty ? 100 : 5000;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < minIntervalMs) return;
      last = now;
      shown = true;
      if (tty) process.stderr.write(`\r\x1b[K${label}: ${text}`);
      else process.stderr.write(`${label}: ${text}\n`);
    },
    done(text) {
      if (!enabled) return;
      if (tty && shown) process.stderr.write('\r\x1b[K');
      if (text) process.stderr.write(`${label}: ${text}\n`);
    },
  };
}

export const silentProgress: Progress = { update() {}, done() {} };
