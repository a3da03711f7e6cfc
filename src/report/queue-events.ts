import type { CoordinatorEvent } from '../queue/coordinator.js';
import type { WorkerEvent } from '../queue/worker.js';
import { formatSeconds } from '../util/units.js';

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
