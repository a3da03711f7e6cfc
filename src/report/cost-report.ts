import type { Cost } from '../mapping/cost.js';
import { formatCount, formatEnergy, formatPercent, formatSeconds } from '../util/units.js';
import { renderTable } from './table.js';

/** The text report of `accelmap model`, one layer's Cost: summary, then per level and data space (Timeloop's stats fields). */
export function formatCost(c: Cost, title: string): string {
  const lines = [
    title,
    `cycles ${formatCount(c.cycles)} (compute ${formatCount(c.computeCycles)}), ${formatSeconds(c.seconds)}; utilization ${formatPercent(c.utilization)}`,
    `energy ${formatEnergy(c.energyPj)} = ${c.pjPerMac.toPrecision(4)} pJ/MAC (MACs ${formatEnergy(c.macEnergyPj)}${c.leakEnergyPj ? `, leakage ${formatEnergy(c.leakEnergyPj)}` : ''}); EDP ${c.edp.toPrecision(4)} pJ·cycles`,
    `MACs ${formatCount(c.macs)}${c.paddedMacs !== c.macs ? ` (executed with padding: ${formatCount(c.paddedMacs)})` : ''}, precision ${c.precision}${c.laneIterations > 1 ? `; a MAC unit's lanes run ${c.laneIterations} iterations together` : ''}`,
    '',
  ];
  const rows: (string | number)[][] = [];
  for (const l of c.levels) {
    for (const d of l.dataSpaces) {
      if (!d.keep) continue;
      rows.push([
        l.level,
        d.dataSpace,
        l.utilizedInstances,
        d.tileSize,
        d.partitionSize ?? '',
        d.reads,
        d.fills,
        d.updates,
        formatCount(d.totalReads + d.totalFills + d.totalUpdates),
        formatEnergy(d.energyPj),
      ]);
    }
    rows.push([l.level, '(level)', '', l.utilizedCapacity, '', '', '', '', `slowdown ${l.slowdown === 1 ? '1' : l.slowdown.toFixed(3)}`, formatEnergy(l.energyPj + l.networkEnergyPj)]);
  }
  lines.push(renderTable(['level', 'data space', 'instances', 'tile (words)', 'partition', 'reads/inst', 'fills/inst', 'updates/inst', 'accesses (all)', 'energy'], rows));
  return lines.join('\n');
}
