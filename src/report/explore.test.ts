import { describe, expect, it } from 'vitest';
import { axisPositions } from './explore.js';

describe('parallel-coordinates axes', () => {
  it('spaces a knob\'s distinct values evenly in numeric order, sizes and clocks read in their units', () => {
    expect(axisPositions(['108KiB', '32KiB', '1MiB', '32KiB'], false)).toEqual({ positions: [0.5, 0, 1, 0], label: '32KiB…1MiB' });
    expect(axisPositions([16, 8, 14], false).positions).toEqual([1, 0, 0.5]);
    expect(axisPositions(['400MHz', '1GHz', '200MHz'], false).positions).toEqual([0.5, 1, 0]);
    expect(axisPositions(['ws', 'os', 'rs'], false)).toEqual({ positions: [1, 0, 0.5], label: 'os…ws' });
    expect(axisPositions([true, true], false).positions).toEqual([0.5, 0.5]);
  });

  it('places objectives on a log scale between their extremes', () => {
    // log(10/1) / log(100/1) = 0.5
    expect(axisPositions([1, 10, 100], true).positions).toEqual([0, 0.5, 1]);
    expect(axisPositions([3, 3], true).positions).toEqual([0.5, 0.5]);
  });
});
