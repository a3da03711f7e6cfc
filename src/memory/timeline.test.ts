import { describe, expect, it } from 'vitest';
import type { Graph, Node, Phase, Tensor, TensorKind } from '../workload/graph.js';
import { buildSchedule, graphSteps, type Schedule } from './schedule.js';
import { simulate, type MemoryEvent } from './timeline.js';

/**
 * A two-layer network in training form written out by hand, float32
 * (4 bytes per element):
 *
 *   step  phase     node                                  creates
 *   0     forward   A   = Conv(x, w1)         → h          h  200 B
 *   1     forward   B   = Relu(h)             → r          r  200 B
 *   2     forward   C   = Conv(r, w2)         → y          y   40 B
 *   3     forward   L   = loss(y)             → loss       loss 4 B (graph output)
 *   4     backward  LG  = loss grad(y)        → dy         dy  40 B
 *   5     backward  CGW = ConvGradWeight(r, dy) → dw2      dw2 20 B
 *   6     backward  CGI = ConvGradInput(dy, w2) → dr       dr 200 B
 *   7     backward  RG  = ElementwiseGrad(dr, r) → dh      dh 200 B
 *   8     backward  AGW = ConvGradWeight(x, dh) → dw1      dw1 20 B
 *   9     update    U2  = SGDUpdate(w2, dw2)
 *   10    update    U1  = SGDUpdate(w1, dw1)
 *
 * Present before the step: x 100 B (input), w1 20 B, w2 20 B (weights).
 */
const ELEMENTS: Record<string, [number, TensorKind, string?]> = {
  x: [25, 'input'],
  w1: [5, 'weight'],
  w2: [5, 'weight'],
  h: [50, 'activation'],
  r: [50, 'activation'],
  y: [10, 'activation'],
  loss: [1, 'activation'],
  dy: [10, 'gradient'],
  dw2: [5, 'gradient', 'w2'],
  dr: [50, 'gradient'],
  dh: [50, 'gradient'],
  dw1: [5, 'gradient', 'w1'],
};

function handGraph(): Graph {
  const tensors: Record<string, Tensor> = {};
  for (const [name, [n, kind, of]] of Object.entries(ELEMENTS)) tensors[name] = { name, shape: [n], dtype: 'float32', kind, ...(of ? { of } : {}) };
  const node = (name: string, op: string, inputs: string[], outputs: string[], phase: Phase): Node => ({ name, op, inputs, outputs, attrs: {}, phase });
  return {
    name: 'hand',
    mode: 'train',
    batch: 1,
    tensors,
    inputs: ['x'],
    outputs: ['loss'],
    nodes: [
      node('A', 'Conv', ['x', 'w1'], ['h'], 'forward'),
      node('B', 'Relu', ['h'], ['r'], 'forward'),
      node('C', 'Conv', ['r', 'w2'], ['y'], 'forward'),
      node('L', 'SoftmaxCrossEntropyLoss', ['y'], ['loss'], 'forward'),
      node('LG', 'SoftmaxCrossEntropyLossGrad', ['y'], ['dy'], 'backward'),
      node('CGW', 'ConvGradWeight', ['r', 'dy'], ['dw2'], 'backward'),
      node('CGI', 'ConvGradInput', ['dy', 'w2'], ['dr'], 'backward'),
      node('RG', 'ElementwiseGrad', ['dr', 'r'], ['dh'], 'backward'),
      node('AGW', 'ConvGradWeight', ['x', 'dh'], ['dw1'], 'backward'),
      node('U2', 'SGDUpdate', ['w2', 'dw2'], [], 'update'),
      node('U1', 'SGDUpdate', ['w1', 'dw1'], [], 'update'),
    ],
  };
}

const unitSteps = (s: Schedule) => s.steps.map(() => 1);
const noWorkspace = (s: Schedule) => s.steps.map(() => 0);
const ids = (s: Schedule, names: string[]) => new Set(names.map((n) => s.buffers.find((b) => b.name === n)!.id));

/** Device memory at time t: every allocation and release up to t. */
function levelAt(events: MemoryEvent[], t: number): number {
  return events.filter((e) => e.seconds <= t).reduce((s, e) => s + e.bytes, 0);
}

describe('liveness by hand', () => {
  it('frees each buffer after its last reader (no in-place)', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()), { inPlace: false });
    expect(s.buffers.map((b) => b.name).sort()).toEqual(Object.keys(ELEMENTS).sort());
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: new Set(), linkBytesPerSecond: 0 });
    // live during each step, by hand:
    //  0 x w1 w2 h = 340; 1 + r = 540 (h dies); 2 x w r y = 380; 3 + loss = 384; 4 + dy = 424 (y dies);
    //  5 − y + dw2 = 404; 6 + dr = 604 (dy dies); 7 − dy + dh = 764 (r, dr die); 8 − r − dr + dw1 = 384 (x, dh die);
    //  9 w loss dw2 dw1 = 84 (dw2 dies); 10 = 64
    const during = [340, 540, 380, 384, 424, 404, 604, 764, 384, 84, 64];
    expect(during.map((_, i) => levelAt(t.events, i + 0.5))).toEqual(during);
    expect(t.peakBytes).toBe(764);
    expect(t.events[t.peakEvent]!.step).toBe(7);
    expect(t.totalSeconds).toBe(11);
    expect(t.avgBytes).toBeCloseTo(during.reduce((a, b) => a + b) / 11, 9);
    expect(levelAt(t.events, 11)).toBe(0);
  });

  it('runs ReLU and its gradient in place when their input dies with them', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()));
    // r lives in h's buffer, dh in dr's
    expect(s.buffers.find((b) => b.name === 'h')!.tensors).toEqual(['h', 'r']);
    expect(s.buffers.find((b) => b.name === 'dr')!.tensors).toEqual(['dr', 'dh']);
    expect(s.steps[1]!.allocs).toEqual([]);
    expect(s.steps[7]!.allocs).toEqual([]);
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: new Set(), linkBytesPerSecond: 0 });
    // 0 340; 1 340 (r in h); 2 380; 3 384; 4 424; 5 404; 6 604; 7 564 (dh in dr); 8 384; 9 84; 10 64
    const during = [340, 340, 380, 384, 424, 404, 604, 564, 384, 84, 64];
    expect(during.map((_, i) => levelAt(t.events, i + 0.5))).toEqual(during);
    expect(t.peakBytes).toBe(604);
    expect(t.events[t.peakEvent]!.step).toBe(6);
    // network-wide: x 100 + w1 20 + w2 20 + h/r 200 + y 40 + loss 4 + dy 40 + dw2 20 + dr/dh 200 + dw1 20
    expect(s.buffers.reduce((a, b) => a + b.bytes, 0)).toBe(664);
  });

  it('does not write in place over a tensor read later', () => {
    const g = handGraph();
    g.nodes[4]!.inputs = ['y', 'h']; // the loss gradient also reads h: ReLU must not overwrite it
    const s = buildSchedule(g, graphSteps(g));
    expect(s.buffers.find((b) => b.name === 'h')!.tensors).toEqual(['h']);
    expect(s.buffers.find((b) => b.name === 'r')!.tensors).toEqual(['r']);
    expect(s.steps[1]!.allocs).toEqual([s.buffers.find((b) => b.name === 'r')!.id]);
  });

  it('holds a step’s workspace for the step only', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()));
    const ws = noWorkspace(s);
    ws[0] = 1000; // A
    ws[6] = 50; // CGI
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: ws, offload: new Set(), linkBytesPerSecond: 0 });
    expect(levelAt(t.events, 0.5)).toBe(1340);
    expect(levelAt(t.events, 1.5)).toBe(340);
    expect(levelAt(t.events, 6.5)).toBe(654);
    expect(t.peakBytes).toBe(1340);
  });
});

describe('offload and prefetch by hand (link 100 B/s, every step 1 s)', () => {
  it('vDNN_conv: inputs of convolutions leave after their forward use and come back one group ahead', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()));
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: ids(s, ['x', 'h']), linkBytesPerSecond: 100 });
    // x (100 B) leaves during A: [0, 1]; h (200 B, holding r) leaves from B, its first forward reader: [1, 3];
    // C waits for nothing but the release of h after C waits for the copy: C ends at 3, h freed at 3.
    // Backward: groups by first later reader: h at CGW (5), x at AGW (8). h is issued when the backward
    // pass starts (LG, t = 4): [4, 6]; x when compute reaches CGW (t = 5), after h on the stream: [6, 7].
    // CGW waits for h until 6.
    expect(t.transfers.map((c) => [s.buffers[c.buffer]!.name, c.direction, c.issueSeconds, c.startSeconds, c.endSeconds])).toEqual([
      ['x', 'offload', 0, 0, 1],
      ['h', 'offload', 1, 1, 3],
      ['h', 'prefetch', 4, 4, 6],
      ['x', 'prefetch', 5, 6, 7],
    ]);
    expect(t.startSeconds).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(t.totalSeconds).toBe(12);
    expect(t.computeSeconds).toBe(11);
    // level over time: [0,1] 340; [1,2] 240 (x left); [2,3] 280 (+ y); [3,4] 84 (h left, + loss);
    // [4,5] 324 (h back, + dy); [5,6] 384 (y freed, x back); [6,7] 404 (+ dw2); [7,8] 604 (+ dr);
    // [8,9] 564 (dy freed); [9,10] 384 (h freed, + dw1); [10,11] 84 (x, dr freed); [11,12] 64 (dw2 freed)
    const level = [340, 240, 280, 84, 324, 384, 404, 604, 564, 384, 84, 64];
    expect(level.map((_, i) => levelAt(t.events, i + 0.5))).toEqual(level);
    expect(t.peakBytes).toBe(604);
    expect(t.avgBytes).toBeCloseTo(level.reduce((a, b) => a + b) / 12, 9);
  });

  it('vDNN_all: the loss input too; each group waits behind the one before on the copy stream', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()));
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: ids(s, ['x', 'h', 'y']), linkBytesPerSecond: 100 });
    // y (40 B) leaves during L: [3, 3.4]. Groups: y (LG, 4), h (CGW, 5), x (AGW, 8).
    // y issued at 4 → [4, 4.4]; LG starts 4.4. h issued when compute reaches LG (t = 4) → [4.4, 6.4].
    // x issued when compute reaches CGW (t = 5.4) → [6.4, 7.4]; CGW starts 6.4; AGW needs x at 9.4: no wait.
    const got = t.transfers.map((c) => [s.buffers[c.buffer]!.name, c.direction, c.issueSeconds, c.startSeconds, c.endSeconds]);
    const want = [
      ['x', 'offload', 0, 0, 1],
      ['h', 'offload', 1, 1, 3],
      ['y', 'offload', 3, 3, 3.4],
      ['y', 'prefetch', 4, 4, 4.4],
      ['h', 'prefetch', 4, 4.4, 6.4],
      ['x', 'prefetch', 5.4, 6.4, 7.4],
    ];
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => g.forEach((v, j) => (typeof v === 'number' ? expect(v).toBeCloseTo(want[i]![j] as number, 9) : expect(v).toBe(want[i]![j]))));
    const starts = [0, 1, 2, 3, 4.4, 6.4, 7.4, 8.4, 9.4, 10.4, 11.4];
    t.startSeconds.forEach((x, i) => expect(x).toBeCloseTo(starts[i]!, 9));
    expect(t.totalSeconds).toBeCloseTo(12.4, 9);
  });

  it('keeps optimizer state on the host between updates: out as the step starts, back with the first prefetch group', () => {
    // w1's momentum v1 (20 B), read only by its update U1
    const g = handGraph();
    g.tensors.v1 = { name: 'v1', shape: [5], dtype: 'float32', kind: 'optimizer-state' };
    g.nodes[10] = { ...g.nodes[10]!, op: 'MomentumUpdate', inputs: ['w1', 'dw1', 'v1'] };
    const s = buildSchedule(g, graphSteps(g));
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: new Set(), hostResident: ids(s, ['v1']), linkBytesPerSecond: 100 });
    // v1 leaves over [0, 0.2] without stopping compute; its group (U1, step 10) is the first, issued when the
    // backward pass starts (t = 4): back over [4, 4.2]; nothing waits
    expect(t.transfers.map((c) => [s.buffers[c.buffer]!.name, c.direction, c.issueSeconds, c.startSeconds, c.endSeconds])).toEqual([
      ['v1', 'offload', 0, 0, 0.2],
      ['v1', 'prefetch', 4, 4, 4.2],
    ]);
    expect(t.totalSeconds).toBe(11);
    // the no-offload levels (in place) with v1 present over [0, 0.2] and from 4 on
    const base = [340, 340, 380, 384, 424, 404, 604, 564, 384, 84, 64];
    expect(levelAt(t.events, 0.1)).toBe(360);
    expect([1.5, 2.5, 3.5].map((x) => levelAt(t.events, x))).toEqual([340, 380, 384]);
    expect([4.5, 6.5, 10.5].map((x) => levelAt(t.events, x))).toEqual([base[4]! + 20, base[6]! + 20, base[10]! + 20]);
  });

  it('stalls the forward pass when an offload outlasts its layer', () => {
    const s = buildSchedule(handGraph(), graphSteps(handGraph()));
    // 10 B/s: x takes 10 s to leave, and A (1 s) must wait for it before x is freed
    const t = simulate({ schedule: s, stepSeconds: unitSteps(s), workspaceBytes: noWorkspace(s), offload: ids(s, ['x']), linkBytesPerSecond: 10 });
    expect(t.startSeconds[1]).toBe(10);
    // x comes back when the backward pass starts (t = 13) and takes 10 s; AGW (step 8) waits for it until 23
    expect(t.startSeconds[8]).toBe(23);
    expect(t.totalSeconds).toBe(26);
  });
});
