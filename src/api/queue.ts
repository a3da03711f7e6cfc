import type { QueueCoordinator, QueueCoordinatorOptions } from '../queue/coordinator.js';
import type { QueueWorker, QueueWorkerOptions } from '../queue/worker.js';

/**
 * The exploration over a BullMQ queue on Redis, loaded on first use: BullMQ
 * and its Redis client take a few hundred milliseconds to import, which
 * nothing else in the library should pay.
 */

/** Connects a coordinator to the queue at `url`; pass it to `explore` as `evaluator`, and `close()` it after. */
export async function queueCoordinator(url: string, options: QueueCoordinatorOptions = {}): Promise<QueueCoordinator> {
  const { QueueCoordinator } = await import('../queue/coordinator.js');
  return QueueCoordinator.connect(url, options);
}

/** Starts a worker that evaluates the design points of the queue at `url` until closed (or idle, with `exitWhenIdle`). */
export async function queueWorker(url: string, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const { startQueueWorker } = await import('../queue/worker.js');
  return startQueueWorker(url, options);
}
