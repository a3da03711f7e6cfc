import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';
import { compileForVta, runOnVta } from '../src/api/vta.js';
import { seededInputs } from '../src/execute/inputs.js';
import { decodeNpz, encodeNpz } from '../src/execute/tensor-files.js';
import { decodeProgram } from '../src/targets/vta/isa.js';
import { loadGraph } from '../src/workload/load.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'accelmap-vta-compile-'));
// deepq at 36×36: convolutions 8×8/4 → 8×8, 4×4/2 → 3×3, 3×3 → 1×1, then FC 64 → 512 → 4
const model = ['deepq', '--image-size', '36'];

describe('accelmap compile --target vta', () => {
  it('runs on the simulator bit-exact against the integer reference; the outputs equal the library run; flatten is on the host', async () => {
    const dir = tmp();
    const inputs = join(dir, 'x.npz');
    const graph = loadGraph('deepq', { imageSize: 36 });
    const feeds = seededInputs(graph, 42);
    writeFileSync(inputs, encodeNpz(feeds));
    const out = join(dir, 'y.npz');
    const json = await cliJson('compile', ...model, '--target', 'vta', '--run', '--inputs', inputs, '--outputs', out, '--json');
    expect(json.run.bitExact).toBe(true);
    expect(json.run.fp32[0].name).toBe('fc5');
    expect(json.host).toEqual([{ name: 'flatten', op: 'Flatten', reason: 'Flatten is not a VTA operator' }]);
    expect(json.layers.map((l: { name: string }) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc4', 'fc5']);
    const lib = runOnVta((await compileForVta(graph)).compiled, feeds);
    const written = decodeNpz(new Uint8Array(readFileSync(out)), out);
    expect(Array.from(written.fc5!.data)).toEqual(Array.from(lib.reference.outputs.fc5!.data));
  });

  it('writes per-layer programs, layout and listing with --out', async () => {
    const dir = join(tmp(), 'prog');
    expect((await cli('compile', ...model, '--target', 'vta', '--out', dir)).code).toBe(0);
    const layout = JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8')) as { layers: { files: string; instructions: number }[] };
    expect(layout.layers).toHaveLength(5);
    const first = layout.layers[0]!;
    const insns = decodeProgram(new Uint8Array(readFileSync(join(dir, `${first.files}.insn.bin`))));
    expect(insns).toHaveLength(first.instructions);
    expect(insns.at(-1)!.op).toBe('finish');
    // conv1: 32 output channels × 4·8·8 inputs, int8, blocked
    expect(readFileSync(join(dir, `${first.files}.wgt.bin`)).length).toBe(32 * 256);
    // the trace: layer after layer, the last slice ending at the total cycles
    const trace = join(dir, 't.json');
    const json = await cliJson('compile', ...model, '--target', 'vta', '--trace', trace, '--json');
    const events = (JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { endCycle: number } }[] }).traceEvents.filter((e) => e.ph === 'X');
    expect(events[0]!.name).toBe('conv1: load uop');
    expect(Math.max(...events.map((e) => e.args!.endCycle))).toBe(json.totals.cycles);
  });

  it('tunes into a log that a later compile reads back: the same tuned cycles, never more than the default', async () => {
    const log = join(tmp(), 'tune.jsonl');
    const tuned = await cliJson('compile', ...model, '--target', 'vta', '--tune', '6', '--tuning-log', log, '--json');
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; cycles: number });
    expect(lines.length).toBe(tuned.tuned.length);
    for (const l of tuned.layers as { name: string; cycles: number }[]) expect(l.cycles).toBeLessThanOrEqual(tuned.untuned.layers.find((u: { name: string }) => u.name === l.name).cycles);
    const again = await cliJson('compile', ...model, '--target', 'vta', '--tuning-log', log, '--json');
    expect(again.totals.cycles).toBe(tuned.totals.cycles);
    expect(again.tuned).toEqual([]);
    expect(again.layers.every((l: { scheduleFrom: string }) => l.scheduleFrom === 'tuning log')).toBe(true);
    // the same seed tries the same schedules
    const log2 = join(tmp(), 'tune.jsonl');
    await cliJson('compile', ...model, '--target', 'vta', '--tune', '6', '--tuning-log', log2, '--json');
    expect(readFileSync(log2, 'utf8')).toBe(readFileSync(log, 'utf8'));
  });

  it('rejects bad flags and files with one line', async () => {
    expect(await cliError('compile', ...model, '--target', 'vta', '--inputs', 'x.npz')).toMatch(/--inputs needs --run/);
    expect(await cliError('compile', ...model, '--target', 'vta', '--set', 'alu.lane=4')).toMatch(/did you mean alu.lanes/);
    expect(await cliError('compile', ...model, '--target', 'vta', '--tune', '2', '--tune-strategy', 'anneal')).toMatch(/--tune-strategy/);
    expect(await cliError('compile', ...model, '--target', 'nope')).toMatch(/unknown VTA target 'nope'/);
    expect(await cliError('compile', ...model, '--target', 'vta', '--set', 'buffers.acc=64')).toMatch(/layer conv1 \(n\): 2 per-channel vectors of 2 blocks fill the 1-element accumulator buffer/);
    const bad = join(tmp(), 'bad.jsonl');
    writeFileSync(bad, '{"key": 1}\n');
    expect(await cliError('compile', ...model, '--target', 'vta', '--tuning-log', bad)).toMatch(/line 1 is not a tuning record/);
  });
});
