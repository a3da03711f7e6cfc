import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';
import { loadArch } from '../src/arch/load.js';
import { readTimeloopMapping } from '../src/interop/timeloop/mapping.js';
import { parseTimeloopYaml } from '../src/interop/timeloop/source.js';
import { costOf } from '../src/mapping/cost.js';
import type { NetworkResult } from '../src/network/map.js';

const dir = mkdtempSync(join(tmpdir(), 'accelmap-map-'));

async function json(args: string[]) {
  const io = memoryIo();
  expect(await run([...args, '--json', ...(args[0] === 'map' ? ['--no-progress'] : [])], io)).toBe(0);
  return JSON.parse(io.stdout.join(''));
}

describe('accelmap map', () => {
  it('maps one layer and its mapping feeds back into accelmap model', async () => {
    const r = await json(['map', 'conv:K=64,C=64,P=56,Q=56,R=3,S=3', '--arch', 'eyeriss', '--budget', '1500', '--threads', '1']);
    expect(r.totals.macs).toBe(64 * 64 * 56 * 56 * 9);
    const layer = r.layers[0];
    expect(layer).toMatchObject({ kind: 'mapped', dataflow: 'auto' });
    const f = join(dir, 'layer.json');
    writeFileSync(f, JSON.stringify(layer));
    const c = await json(['model', '--arch', 'eyeriss', '--layer', f, '--mapping', f]);
    expect([c.cycles, c.energyPj]).toEqual([layer.cycles, layer.energyPj]);
  });

  it('gives the same answer on one thread and on two', async () => {
    const args = ['map', 'resnet18', '--arch', 'simba', '--budget', '300', '--seed', '7'];
    const one = await json([...args, '--threads', '1']);
    const two = await json([...args, '--threads', '2']);
    expect(two.totals).toEqual(one.totals);
    expect(two.layers.map((l: { mapping: unknown }) => l.mapping)).toEqual(one.layers.map((l: { mapping: unknown }) => l.mapping));
  });

  it('compares dataflows, prints a table, CSV and an offline HTML report', async () => {
    const io = memoryIo();
    const out = join(dir, 'r.html');
    expect(await run(['map', 'conv:K=32,C=32,P=14,Q=14,R=3,S=3', '--arch', 'eyeriss', '--dataflow', 'all', '--budget', '800', '--threads', '1', '--out', out, '--no-progress'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/runner-up/);
    expect(text).toMatch(/dataflow wins: /);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<canvas id="chart0"/);
    expect(html).toMatch(/Roofline/);
    expect(html).not.toMatch(/<script src=/);
    expect(html).toMatch(/<h2>Dataflows compared<\/h2>/);
    expect(html).toMatch(/<details><summary>conv:K=32[^<]*<\/summary><pre>DRAM \[ Weights Inputs Outputs \]/);
    const csv = memoryIo();
    expect(await run(['map', 'matmul:M=64,N=64,K=64', '--arch', 'vta', '--budget', '500', '--threads', '1', '--csv', '--no-progress'], csv)).toBe(0);
    const rows = csv.stdout.join('\n').split('\n');
    expect(rows[0]).toMatch(/^layer,op,kind,phase,shape,/);
    expect(rows[1]).toMatch(/^"matmul:M=64,N=64,K=64",matmul,mapped,forward,M=64 N=64 K=64,/);
    expect(rows).toHaveLength(2);
  });

  it('shows the vector-unit ops in the report, and writes every mapping for Timeloop', async () => {
    const out = join(dir, 'alexnet.html'), tl = join(dir, 'timeloop');
    const io = memoryIo();
    expect(await run(['map', 'alexnet', '--arch', 'eyeriss', '--budget', '300', '--threads', '1', '--out', out, '--timeloop-out', tl, '--json', '--no-progress'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('')) as NetworkResult;
    const html = readFileSync(out, 'utf8');
    const vector = r.layers.filter((l) => l.kind === 'vector');
    expect(vector.length).toBeGreaterThan(0);
    expect(html).toMatch(/<h2>Vector-unit ops by type<\/h2>/);
    for (const op of new Set(vector.map((l) => l.op))) expect(html).toContain(`<td>${op}</td>`);
    // Every mapped layer's file reads back, through the Timeloop reader, into the mapping that costs what the report says.
    const arch = loadArch('eyeriss');
    const mapped = r.layers.filter((l) => l.kind === 'mapped');
    const files = readdirSync(tl).sort();
    expect(files).toHaveLength(mapped.length);
    mapped.forEach((l, k) => {
      const file = join(tl, files[k]!);
      expect(file).toContain(l.name.replace(/[^\w.-]+/g, '_'));
      const { mapping } = readTimeloopMapping(parseTimeloopYaml(readFileSync(file, 'utf8'), file), l.problem!, arch);
      // a fused group's cycles are its loop nest's, then its epilogue's on the vector unit
      expect(costOf(l.problem!, arch, mapping).cycles + (l.epilogue?.cycles ?? 0)).toBe(l.cycles);
    });
  });

  it('rejects bad flags in one line', async () => {
    for (const [args, msg] of [
      [['--budget', 'lots'], /--budget 'lots' is not a number/],
      [['--dataflow', 'xs'], /--dataflow 'xs' is not one of/],
      [['--objective', 'speed'], /--objective 'speed'/],
    ] as const) {
      const io = memoryIo();
      expect(await run(['map', 'matmul:M=8,N=8,K=8', '--arch', 'vta', ...args], io)).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(msg);
    }
    const io = memoryIo();
    expect(await run(['map', 'matmul:M=8,N=8,K=8', '--arch', 'vta', '--dataflow', 'rs', '--no-progress'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/dataflow rs needs a sliding-window/);
    const bad = memoryIo();
    expect(await run(['map', 'matmul:M=8,N=8,K=8', '--arch', 'vta', '--out', join(dir, 'no-such-folder', 'r.html'), '--no-progress'], bad)).toBe(2);
    expect(bad.stderr).toHaveLength(1);
    expect(bad.stderr[0]).toMatch(/r\.html/);
  });
});
