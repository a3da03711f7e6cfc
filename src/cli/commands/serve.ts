import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { isLoopback, SERVE_DEFAULTS } from '../../serve/defaults.js';
import { bytesFlag, positiveInt, threadsFlag } from '../flags.js';
import { warn, type Io } from '../io.js';
import { queueUrl } from '../../queue/url.js';

interface ServeFlags {
  port: number;
  host: string;
  allowRemote?: boolean;
  dataDir: string;
  maxUpload: number;
  jobs: number;
  threads: number;
  queue?: string;
}

export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('start the web UI: models, mappings, memory, scale-out and explorations in the browser, run by this machine')
    .option('--port <n>', 'port (0: any free one)', (v) => (v === '0' ? 0 : positiveInt('--port')(v)), SERVE_DEFAULTS.port)
    .option('--host <address>', 'address to bind (loopback unless --allow-remote)', SERVE_DEFAULTS.host)
    .option('--allow-remote', 'allow a --host other machines can reach; a token (ACCELMAP_TOKEN, or a random one printed here) is then required')
    .option('--data-dir <dir>', 'the server\'s folder: uploads and the results store (runs, explored designs)', join(homedir(), '.accelmap', 'serve'))
    .option('--max-upload <size>', 'largest upload, e.g. 64MB', bytesFlag('--max-upload'), SERVE_DEFAULTS.maxUploadBytes)
    .option('--jobs <n>', 'jobs running at once (the rest wait)', positiveInt('--jobs'), SERVE_DEFAULTS.concurrency)
    .option('--threads <n>', 'mapper threads per job (the job\'s own and n - 1 workers)', threadsFlag, SERVE_DEFAULTS.threads)
    .option('--queue <redis-url>', 'explore jobs send their designs to the workers (accelmap worker) of a BullMQ queue on this Redis server instead of mapping here: redis://HOST:PORT, rediss:// for TLS', (v) => queueUrl('--queue', v))
    .action(async (opts: ServeFlags) => {
      // the HTTP stack loads only for this command
      const { startServer } = await import('../../serve/server.js');
      const server = await startServer({
        port: opts.port,
        host: opts.host,
        allowRemote: opts.allowRemote,
        token: process.env.ACCELMAP_TOKEN || undefined,
        dataDir: opts.dataDir,
        maxUploadBytes: opts.maxUpload,
        concurrency: opts.jobs,
        threads: opts.threads,
        queue: opts.queue,
      });
      if (!isLoopback(opts.host)) warn(io, `serving on ${opts.host}: other machines can reach this server and run jobs on it; every request needs the token`);
      io.out(`accelmap serve: ${server.url}${server.token ? `?token=${server.token}` : ''} (data in ${server.data.root}; Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
