import { queueCoordinator } from '../api/queue.js';
import type { CoordinatorEvent, QueueCoordinator } from '../queue/coordinator.js';
import type { WorkerEvent } from '../queue/worker.js';
import { redacted } from '../queue/url.js';
import { formatSeconds } from '../util/units.js';
import type { Io } from './io.js';

/** One stderr line per queue event of the coordinator. */
export function coordinatorLine(e: CoordinatorEvent): string {
  switch (e.kind) {
    case 'lost':
      return `lost the connection to Redis (${e.reason}); waiting up to ${e.giveUpSeconds} s for it`;
    case 'back':
      return 'connected to Redis again';
    case 'requeued':
      return `${e.jobs} job(s) had vanished from Redis (restarted without its data?): enqueued again`;
    case 'retried':
      return `${e.jobs} job(s) that had failed in an earlier run: sent to the workers again`;
  }
}

/** One stderr line per worker event, or nothing for events only progress shows. */
export function workerLine(e: WorkerEvent): string | undefined {
  switch (e.kind) {
    case 'failed':
      return `job ${e.jobId} failed${e.final ? ' for good (moved to the failed set)' : ', to be retried'}: ${e.reason}`;
    case 'lost':
      return `lost the connection to Redis (${e.reason}); reconnecting`;
    case 'back':
      return 'connected to Redis again';
    case 'idle':
      return `the queue has been empty for ${formatSeconds(e.seconds)}: exiting`;
    case 'completed':
      return undefined;
  }
}

/** Connects a coordinator to the queue at `url`, its events written on stderr. */
export async function stderrCoordinator(url: string, io: Io, progress: boolean): Promise<QueueCoordinator> {
  if (progress) io.err(`explore: designs go to the workers of ${redacted(url)} (accelmap worker --queue …)`);
  return queueCoordinator(url, { onEvent: (e) => io.err(`explore: ${coordinatorLine(e)}`) });
}
