import { COMPRESSION_METHODS, type CompressionMethod } from './compress/compressors.js';
import { checkExchange, describeExchange, type ExchangeMode } from './exchange.js';
import { isSparse } from './compress/wire.js';
import type { StepProfile } from './profile.js';
import { stepTime, type ParallelConfig, type StepResult } from './step.js';
import { deviceCounts, scalingSweep, type SweepRow } from './sweep.js';
import { makeSystem, topologyName, type SystemSpec } from './system.js';

/**
 * One scale-out study: the step at the requested size, and the scaling
 * sweep from one device up to it for every compression method.
 */
export interface ScaleReport {
  model: string;
  batchPerDevice: number;
  topology: string;
  devices: number;
  parallel: ParallelConfig['mode'];
  compress: CompressionMethod;
  profileSource: string;
  /** What the exchange assumes, in words. */
  exchange: string;
  result: StepResult;
  /** Sweep rows per compression method (the chosen one and all others). */
  sweeps: { method: CompressionMethod; rows: SweepRow[] }[];
}

export function scaleReport(profile: StepProfile, spec: SystemSpec, cfg: ParallelConfig): ScaleReport {
  const system = makeSystem(spec);
  checkExchange(system, cfg.exchange.method, cfg.exchange.exchange);
  const counts = deviceCounts(spec.devices);
  return {
    model: profile.model,
    batchPerDevice: profile.batch,
    topology: topologyName(system.topology),
    devices: system.devices,
    parallel: cfg.mode,
    compress: cfg.exchange.method,
    profileSource: profile.source,
    exchange: describeExchange(cfg.exchange),
    result: stepTime(profile, system, cfg),
    sweeps: COMPRESSION_METHODS.map((method) => ({ method, rows: scalingSweep(profile, spec, counts, { ...cfg, exchange: { ...cfg.exchange, method, exchange: modeFor(method, cfg.exchange.exchange) } }) })),
  };
}

/** The other methods' sweeps keep the requested exchange where it applies to them, else choose per bucket. */
function modeFor(method: CompressionMethod, mode: ExchangeMode): ExchangeMode {
  return (mode === 'sparcml' || mode === 'gtopk') && !isSparse(method) ? 'auto' : mode;
}

export function sweepOf(report: ScaleReport, method: CompressionMethod): SweepRow[] {
  return report.sweeps.find((s) => s.method === method)!.rows;
}
