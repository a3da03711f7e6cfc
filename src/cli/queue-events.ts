import { queueCoordinator } from '../api/queue.js';
import type { QueueCoordinator } from '../queue/coordinator.js';
import { coordinatorLine } from '../report/queue-events.js';
import { redacted } from '../queue/url.js';
import type { Io } from './io.js';

/** Connects a coordinator to the queue at `url`, its events written on stderr. */
export async function stderrCoordinator(url: string, io: Io, progress: boolean): Promise<QueueCoordinator> {
  if (progress) io.err(`explore: designs go to the workers of ${redacted(url)} (accelmap worker --queue …)`);
  return queueCoordinator(url, { onEvent: (e) => io.err(`explore: ${coordinatorLine(e)}`) });
}
