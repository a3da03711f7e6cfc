import type { Command } from 'commander';
import { loadArch } from '../arch/load.js';
import { readLayerTimes } from '../characterize/times.js';
import { evaluationBudget, MAP_DEFAULTS } from '../api/mapping.js';
import { mapNetwork } from '../api/network.js';
import type { LayerSeconds } from '../api/planning.js';
import { AccelmapError } from '../util/errors.js';
import { stderrProgress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
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
    .option('--map-budget <n>', 'with --arch: mappings evaluated per distinct loop nest', positiveInt('--map-budget'), MAP_DEFAULTS.budget.evaluations)
    .option('--layer-times <file.json>', 'per-node seconds { "<node>": s } (e.g. from another tool) instead of the roofline');
}

/** Per-node seconds for `graph` from the mapper or a file (the roofline times the nodes they leave out); none for the roofline alone. */
export async function layerSeconds(graph: Graph, f: TimesFlags, io: Io): Promise<LayerSeconds | undefined> {
  if (f.arch && f.layerTimes) throw new AccelmapError('bad-flag', 'give --arch or --layer-times, not both');
  if (f.layerTimes) {
    const seconds = readLayerTimes(f.layerTimes);
    noteCoverage(io, graph.nodes.map((n) => n.name), Object.keys(seconds));
    return { seconds, source: f.layerTimes };
  }
  if (!f.arch) return undefined;
  const arch = loadArch(f.arch);
  const progress = stderrProgress(`mapping ${graph.name} on ${arch.name}`);
  const result = await mapNetwork(graph, arch, { budget: evaluationBudget(f.mapBudget), onProgress: (m) => progress.update(m) });
  progress.done();
  return { seconds: Object.fromEntries(result.layers.map((l) => [l.name, l.cycles / arch.clockHz])), source: `accelmap mapper on ${arch.name}` };
}

function noteCoverage(io: Io, nodes: string[], timed: string[]): void {
  const known = new Set(nodes);
  const covered = nodes.filter((n) => timed.includes(n)).length;
  const unknown = timed.filter((n) => !known.has(n));
  io.err(`note: --layer-times times ${covered} of ${nodes.length} nodes; the roofline times the rest` + (unknown.length ? `; ${unknown.length} names match no node (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''})` : ''));
}
