/** Numbers as the CLI prints them: the web pages use the CLI's own formatters (SI prefixes, three significant digits). */
import { formatBytes, formatCount, formatEnergy, formatPercent, formatSeconds } from '../../src/util/units.js';

// One argument each: charts pass these as axis formatters, which add the label's index as a second argument.
export const count = (x: number): string => formatCount(x);
export const energy = (pj: number): string => formatEnergy(pj);
export const seconds = (s: number): string => formatSeconds(s);
export const bytes = (b: number): string => formatBytes(b);
export const percent = (x: number): string => formatPercent(x);
