import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { ExplorationContext, EvaluatedPoint } from '../explore/explore.js';
import { canonicalHash } from '../explore/hash.js';

/**
 * What the coordinator and the workers agree on: the queue's name, a job's
 * payload and options, and where a run's context is kept in Redis.
 *
 * A job is one design point. Its payload is small (the context's hash, the
 * design's content hash and its knob indices); the context (design space,
 * workloads, mapper settings) is written once per run under its own hash,
 * and each worker reads it once.
 */
export const QUEUE_NAME = 'accelmap-explore';

/** A context is kept a week after its run last (re)wrote it. */
export const CONTEXT_TTL_SECONDS = 7 * 24 * 3600;

export const contextKey = (contextHash: string) => `accelmap:context:${contextHash}`;

/** SHA-256 (hex, 32 characters) of a context's canonical JSON. */
export function contextHash(context: ExplorationContext): string {
  return canonicalHash(context);
}

export const jobPayload = z
  .object({
    /** The hash of the run's context (design space, workloads, mapper settings). */
    context: z.string().regex(/^[0-9a-f]{32}$/),
    /** The design's content hash: what its record is stored under. */
    hash: z.string().regex(/^[0-9a-f]{32}$/),
    /** An index into each knob's values. */
    design: z.array(z.number().int().nonnegative()).min(1),
  })
  .strict();
export type JobPayload = z.infer<typeof jobPayload>;

/** The job id of a design: its content hash with its context's, so that a point is enqueued once and two spaces naming the same spec differently do not share records. */
export const jobId = (p: JobPayload) => `${p.hash}-${p.context.slice(0, 12)}`;

/** Attempts per design and the backoff between them: 1 s, 2 s, 4 s … */
export const JOB_OPTIONS = { attempts: 4, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false } as const;

/**
 * Events kept in the queue's event stream (BullMQ keeps 10 000 by default).
 * A completion event carries the job's record (hundreds of KiB for a suite of
 * large models), so the stream is kept short; a coordinator that falls behind
 * it finds finished jobs by its periodic check instead.
 */
export const EVENTS_KEPT = 1000;

/**
 * What a job returns: the design's record and the mapping-cache hits it took,
 * as gzipped JSON in base64. A record holds every layer's mapping (316 KiB
 * of JSON for resnet50 + mobilenet_v2 + bert_base, 11 KiB gzipped), and it
 * passes through Redis four times (the job, the completion event, read back
 * from each), so the bytes are what a large cluster would run out of first.
 */
export interface JobResult {
  gzip: string;
}

export function encodeResult(r: EvaluatedPoint): JobResult {
  return { gzip: gzipSync(JSON.stringify(r)).toString('base64') };
}

/** The result of a job, or undefined when it is not one (an error, a foreign producer). */
export function decodeResult(r: unknown): EvaluatedPoint | undefined {
  if (typeof (r as JobResult | null)?.gzip !== 'string') return undefined;
  try {
    return JSON.parse(gunzipSync(Buffer.from((r as JobResult).gzip, 'base64')).toString('utf8')) as EvaluatedPoint;
  } catch {
    return undefined;
  }
}
