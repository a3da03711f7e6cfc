import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { loadArch } from '../arch/load.js';
import { mappedTimes, readLayerTimes, rooflineTimes, type LayerTimes } from '../characterize/times.js';
import type { Device } from '../device/device.js';
import { mapGraph } from '../network/map.js';
import { parseObjective } from '../search/objective.js';
import { AccelmapError } from '../util/errors.js';
import { stderrProgress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
import { DEFAULT_EVALUATIONS, DEFAULT_PATIENCE } from './commands/map.js';
import { positiveInt } from './flags.js';
import type { Io } from './io.js';

/**
 * Where commands that model a training step (memory, scale) get each node's
 * time: the device's roofline by default, accelmap's mapper on an
 * accelerator (`--arch`), or a file of per-node seconds (`--layer-times`).
 */
export interface TimesFlags {
  arch?: string;
  mapBudget: number;
  layerTimes?: string;
}

export function addTimesOptions(cmd: Command): Command {
  return cmd
    .option('--arch <preset|file>', 'time each node with accelmap’s mapper on this accelerator instead of the device roofline')
    .option('--map-budget <n>', 'with --arch: mappings evaluated per distinct loop nest', positiveInt('--map-budget'), DEFAULT_EVALUATIONS)
    .option('--layer-times <file.json>', 'per-node seconds { "<node>": s } (e.g. from another tool) instead of the roofline');
}

/** Per-node times for `graph`; mapper and file times cover the nodes they name, the roofline the rest. */
export async function layerTimes(graph: Graph, device: Device, f: TimesFlags, io: Io): Promise<LayerTimes> {
  const roofline = rooflineTimes(device);
  if (f.arch && f.layerTimes) throw new AccelmapError('bad-flag', 'give --arch or --layer-times, not both');
  if (f.layerTimes) {
    const seconds = readLayerTimes(f.layerTimes);
    noteCoverage(io, graph.nodes.map((n) => n.name), Object.keys(seconds));
    return mappedTimes(seconds, roofline, f.layerTimes);
  }
  if (!f.arch) return roofline;
  const arch = loadArch(f.arch);
  const result = await mapGraph(graph, arch, {
    dataflow: 'auto',
    metrics: parseObjective('edp').metrics,
    strategy: 'hybrid',
    budget: { evaluations: f.mapBudget, patience: DEFAULT_PATIENCE },
    seed: 1,
    threads: Math.max(1, availableParallelism()),
    progress: stderrProgress(`mapping ${graph.name} on ${arch.name}`),
  });
  const seconds = Object.fromEntries(result.layers.map((l) => [l.name, l.cycles / arch.clockHz]));
  return mappedTimes(seconds, roofline, `accelmap mapper on ${arch.name}`);
}

function noteCoverage(io: Io, nodes: string[], timed: string[]): void {
  const known = new Set(nodes);
  const covered = nodes.filter((n) => timed.includes(n)).length;
  const unknown = timed.filter((n) => !known.has(n));
  io.err(`note: --layer-times times ${covered} of ${nodes.length} nodes; the roofline times the rest` + (unknown.length ? `; ${unknown.length} names match no node (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''})` : ''));
}
