import { parentPort } from 'node:worker_threads';
import { evaluatePoint, type DesignPoint, type ExplorationContext, type MappingCache } from '../explore/explore.js';
import { postedError } from '../util/posted-error.js';
import { encodeResult } from './jobs.js';

/**
 * Worker thread of a queue worker: evaluates one design at a time (and
 * encodes its result for the queue), so that
 * the worker's main thread stays free to renew its BullMQ locks. A context
 * is posted once per thread, then named by its hash; mappings are cached per
 * context (bounded: a long run does not grow without end).
 */
export interface EvaluateRequest {
  id: number;
  contextHash: string;
  context?: ExplorationContext;
  point: DesignPoint;
}

const CACHE_ENTRIES = 256;
const contexts = new Map<string, { context: ExplorationContext; cache: MappingCache }>();

parentPort!.on('message', async (msg: EvaluateRequest) => {
  try {
    if (msg.context) contexts.set(msg.contextHash, { context: msg.context, cache: new Map() });
    const c = contexts.get(msg.contextHash);
    if (!c) throw new Error(`context ${msg.contextHash} was not posted to this thread`);
    if (c.cache.size > CACHE_ENTRIES) c.cache.clear();
    parentPort!.postMessage({ id: msg.id, result: encodeResult(await evaluatePoint(c.context, msg.point, c.cache)) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: postedError(e) });
  }
});
