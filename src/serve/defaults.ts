/**
 * The server's defaults and its loopback test, apart from the server itself
 * so that the CLI can list its flags without loading the HTTP stack.
 */
export const SERVE_DEFAULTS = { port: 8080, host: '127.0.0.1', maxUploadBytes: 256 * 1024 * 1024, concurrency: 2, threads: 1 } as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || host.startsWith('127.');
