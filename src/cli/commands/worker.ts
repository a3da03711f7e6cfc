import { Option, type Command } from 'commander';
import { queueWorker } from '../../api/queue.js';
import { queueUrl, redacted } from '../../queue/url.js';
import { stderrProgress } from '../../util/progress.js';
import { positiveInt, positiveNumber } from '../flags.js';
import type { Io } from '../io.js';
import { workerLine } from '../queue-events.js';

interface WorkerFlags {
  queue: string;
  concurrency: number;
  exitWhenIdle?: boolean;
  idle: number;
  lock: number;
  progress: boolean;
}

export function registerWorker(program: Command, io: Io): void {
  program
    .command('worker')
    .description('evaluate the design points of explore --queue runs: takes jobs from the BullMQ queue on a Redis server until stopped (Ctrl-C finishes the jobs under way)')
    .addOption(new Option('--queue <redis-url>', 'the Redis server of the queue: redis://HOST:PORT, redis://:PASSWORD@HOST:PORT, rediss:// for TLS').argParser((v) => queueUrl('--queue', v)).makeOptionMandatory())
    .addOption(new Option('--concurrency <n>', 'designs evaluated side by side, each on a thread (e.g. the cores of this machine)').argParser(positiveInt('--concurrency')).default(1))
    .option('--exit-when-idle', 'exit once the queue has been empty for --idle seconds')
    .addOption(new Option('--idle <seconds>', 'with --exit-when-idle: how long the queue must stay empty').argParser(positiveNumber('--idle')).default(5))
    .addOption(new Option('--lock <seconds>', "a job's lock: how long a job of a worker that died waits before another worker takes it").argParser(positiveNumber('--lock')).default(30))
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: WorkerFlags) => {
      const progress = stderrProgress('worker', opts.progress);
      let completed = 0;
      const worker = await queueWorker(opts.queue, {
        concurrency: opts.concurrency, exitWhenIdle: opts.exitWhenIdle, idleSeconds: opts.idle, lockSeconds: opts.lock,
        onEvent: (e) => {
          if (e.kind === 'completed') return progress.update(`${++completed} designs done (last ${e.hash.slice(0, 10)} in ${e.seconds.toFixed(2)} s)`);
          const line = workerLine(e);
          if (line) io.err(`worker: ${line}`);
        },
      });
      if (opts.progress) io.err(`worker: taking designs from ${redacted(opts.queue)}, ${opts.concurrency} at a time`);
      const stop = () => void worker.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const s = await worker.done;
        progress.done(`${s.completed} designs done, ${s.failed} failed`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
