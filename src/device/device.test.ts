import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../util/test-util.js';
import { achievedSeconds, efficiencyFor, hostBandwidthBytesPerSecond, peakFor, ridgeFlopsPerByte, rooflineSeconds } from './device.js';
import { devicePresets, loadDevice, parseDevice } from './load.js';

describe('device presets', () => {
  it('ship a CPU, the vDNN Titan X, 16/32/80 GB GPUs and a TPU-like chip, all valid', () => {
    expect(devicePresets()).toEqual(['a100-80gb', 'cpu', 'titan-x', 'tpu-v1', 'tpu-v3', 'v100-16gb', 'v100-32gb']);
    for (const name of devicePresets()) expect(loadDevice(name).name).toBe(name);
  });

  it("describe vDNN's Titan X as published: 6.1 TFLOPS, 336.5 GB/s, 12 GB, PCIe 3.0 x16 at ~80%", () => {
    const d = loadDevice('titan-x');
    expect(d.peakFlopsPerSecond.fp32).toBe(6.1e12);
    expect(d.memoryBandwidthBytesPerSecond).toBe(336.5e9);
    expect(d.memoryCapacityBytes).toBe(12 * 2 ** 30);
    expect(hostBandwidthBytesPerSecond(d)).toBeCloseTo(12.8e9, -3);
  });

  it('give the memory capacities of the 16, 32 and 80 GB classes', () => {
    expect(loadDevice('v100-16gb').memoryCapacityBytes).toBe(16 * 2 ** 30);
    expect(loadDevice('v100-32gb').memoryCapacityBytes).toBe(32 * 2 ** 30);
    expect(loadDevice('a100-80gb').memoryCapacityBytes).toBe(80 * 2 ** 30);
  });

  it('TPU v1: 65,536 MACs × 2 × 700 MHz, 34 GB/s, so a ridge point of about 1350 MACs per byte', () => {
    const d = loadDevice('tpu-v1');
    expect(d.peakFlopsPerSecond.int8).toBeCloseTo(65536 * 2 * 700e6, -9);
    // REFERENCES: ridge ≈ 1350 MAC/byte = 2700 ops/byte
    expect(ridgeFlopsPerByte(d, 'int8') / 2).toBeGreaterThan(1300);
    expect(ridgeFlopsPerByte(d, 'int8') / 2).toBeLessThan(1400);
  });
});

describe('peaks and the roofline', () => {
  it('picks the precision of the element type, falling back to fp32, then to what the device has', () => {
    expect(peakFor(loadDevice('a100-80gb'), 'bfloat16')).toEqual({ precision: 'bf16', flopsPerSecond: 312e12, exact: true });
    expect(peakFor(loadDevice('titan-x'), 'float16')).toEqual({ precision: 'fp32', flopsPerSecond: 6.1e12, exact: false });
    expect(peakFor(loadDevice('tpu-v1'), 'float32')).toMatchObject({ precision: 'int8', exact: false });
  });

  it('takes the longer of compute and memory time', () => {
    expect(rooflineSeconds(2e12, 1e9, 1e12, 1e11)).toBe(2);
    expect(rooflineSeconds(1e9, 1e11, 1e12, 1e11)).toBe(1);
  });
});

describe('achieved efficiency', () => {
  it('scales both roofs of the kinds a device lists; others run at the roofline', () => {
    const d = { ...loadDevice('titan-x'), efficiency: { winograd: 0.5 } };
    // 6.1e12 FLOPs at half of 6.1 TFLOPS: 2 s; 336.5e9 bytes at half of 336.5 GB/s: 2 s
    expect(achievedSeconds(d, 'winograd', 'float32', 6.1e12, 1)).toBeCloseTo(2, 12);
    expect(achievedSeconds(d, 'winograd', 'float32', 1, 336.5e9)).toBeCloseTo(2, 12);
    expect(achievedSeconds(d, 'convolution', 'float32', 6.1e12, 1)).toBeCloseTo(1, 12);
    expect(efficiencyFor(loadDevice('v100-16gb'), 'fft')).toBe(1);
  });

  /**
   * The Titan X's factors against the measured VGG model A training step at
   * batch 64 (convnet-benchmarks, February 2016), FLOPs counted by hand:
   * forward, input gradient (not the first layer's) and weight gradient.
   */
  it("follow for the Titan X from the measured VGG-A steps", () => {
    const d = loadDevice('titan-x');
    const N = 64, peak = 6.1e12;
    // [output size, C, K] of VGG-A's 3×3 convolutions (padding 1)
    const layers = [[224, 3, 64], [112, 64, 128], [56, 128, 256], [56, 256, 256], [28, 256, 512], [28, 512, 512], [14, 512, 512], [14, 512, 512]] as const;
    const passes = (i: number) => (i === 0 ? 2 : 3);
    const directMacs = layers.reduce((s, [P, C, K], i) => s + passes(i) * N * P * P * C * K * 9, 0);
    expect(directMacs).toBeCloseTo(1.4317e12, -9);
    // ReLU, pooling, biases and the FC layers at the roofline: about 59 ms of the step
    const otherSeconds = 0.059;
    // cuDNN R4, autotuned: 529.29 ms; direct convolution at the roofline accounts for it, so no factor
    const direct = (2 * directMacs) / peak;
    expect(direct / (0.52929 - otherSeconds)).toBeGreaterThan(0.97);
    expect(efficiencyFor(d, 'convolution')).toBe(1);
    // neon's fused Winograd F(2×2,3×3): 320.78 ms; 16 MACs per 4×4 tile (T = N·P²/4 tiles) and channel pair,
    // transforms 32·T·C + 24·T·K + 35·C·K FLOPs per pass
    const winogradFlops = layers.reduce((s, [P, C, K], i) => {
      const T = (N * P * P) / 4;
      return s + passes(i) * (2 * 16 * T * C * K + 32 * T * C + 24 * T * K + 35 * C * K);
    }, 0);
    expect(winogradFlops / peak / (0.32078 - otherSeconds)).toBeCloseTo(efficiencyFor(d, 'winograd'), 1);
  });
});

describe('device files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-device-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('load from YAML and JSON, with sizes as numbers or text', () => {
    const yaml = file('mine.yaml', 'name: mine\npeakFlopsPerSecond:\n  fp16: 1e14\nmemoryBandwidthBytesPerSecond: 1e12\nmemoryCapacityBytes: 24GiB\n');
    expect(loadDevice(yaml)).toMatchObject({ name: 'mine', memoryCapacityBytes: 24 * 2 ** 30 });
    const json = file('mine.json', JSON.stringify({ name: 'j', peakFlopsPerSecond: { fp32: 1e13 }, memoryBandwidthBytesPerSecond: 5e11, memoryCapacityBytes: 8e9 }));
    expect(loadDevice(json).memoryCapacityBytes).toBe(8e9);
  });

  it('report a bad field as one line with the file, line, column and field', () => {
    const text = 'name: bad\npeakFlopsPerSecond:\n  fp32: -5\nmemoryBandwidthBytesPerSecond: 1e12\nmemoryCapacityBytes: 8GB\n';
    const e = errorOf(() => parseDevice(text, 'bad.yaml'));
    expect(e.code).toBe('bad-spec');
    expect(e.render()).toBe('bad.yaml:3:9 peakFlopsPerSecond.fp32: -5 op/s: must be a number from 1000 to 1e18 op/s (one device computes between a thousand and 1e18 operations per second)');
  });

  it('report missing and unknown fields and unreadable sizes', () => {
    const base = 'name: x\npeakFlopsPerSecond:\n  fp32: 1e12\nmemoryBandwidthBytesPerSecond: 1e11\n';
    expect(errorOf(() => parseDevice(base, 'f.yaml')).render()).toBe('f.yaml:1:1 memoryCapacityBytes: is required');
    expect(errorOf(() => parseDevice(`${base}memoryCapacityBytes: 8GB\nbandwidth: 3\n`, 'f.yaml')).render()).toBe('f.yaml:6:12 bandwidth: unknown field');
    expect(errorOf(() => parseDevice(`${base}memoryCapacityBytes: lots\n`, 'f.yaml')).render()).toMatch(/^f\.yaml:5:22 memoryCapacityBytes: cannot read size 'lots'/);
    expect(errorOf(() => parseDevice(`${base}memoryCapacityBytes: 8GB\nhostLink: { bandwidthBytesPerSecond: 1e9, efficiency: 1.5 }\n`, 'f.yaml')).render()).toMatch(/hostLink\.efficiency: 1\.5: must be a number above 0 and at most 1 \(the fraction/);
    expect(errorOf(() => parseDevice(`${base}memoryCapacityBytes: 8GB\nefficiency: { fft: 1.2 }\n`, 'f.yaml')).render()).toMatch(/^f\.yaml:6:20 efficiency\.fft: 1\.2: must be a number above 0 and at most 1 \(the fraction of the roofline/);
    expect(errorOf(() => parseDevice(`${base}memoryCapacityBytes: 8GB\nefficiency: { convolutions: 0.5 }\n`, 'f.yaml')).render()).toMatch(/efficiency\.convolutions: unknown field$/);
    expect(errorOf(() => parseDevice('name: x\npeakFlopsPerSecond: {}\nmemoryBandwidthBytesPerSecond: 1\nmemoryCapacityBytes: 1\n', 'f.yaml')).render()).toMatch(/peakFlopsPerSecond: must give at least one precision/);
  });

  it('refuse figures no device has, naming the field, the range and why', () => {
    const device = (peak: string, bandwidth: string, capacity: string) => `name: x\npeakFlopsPerSecond:\n  fp32: ${peak}\nmemoryBandwidthBytesPerSecond: ${bandwidth}\nmemoryCapacityBytes: ${capacity}\n`;
    const render = (peak: string, bandwidth: string, capacity: string) => errorOf(() => parseDevice(device(peak, bandwidth, capacity), 'f.yaml')).render();
    expect(render('1e400', '1e11', '8GB')).toMatch(/^f\.yaml:3:9 peakFlopsPerSecond\.fp32: infinite: must be a number from 1000 to 1e18 op\/s/);
    expect(render('1e12', '1e-300', '8GB')).toMatch(/^f\.yaml:4:32 memoryBandwidthBytesPerSecond: 1e-300 B\/s: must be a number from 1000 to 1e15 B\/s \(one memory or link/);
    expect(render('1e12', '1e11', '0GB')).toMatch(/^f\.yaml:5:22 memoryCapacityBytes: '0GB' is 0 bytes: must be a number from 1 to 1\.126e15 bytes \(a device memory/);
    expect(render('1e12', '1e11', '1e400')).toMatch(/memoryCapacityBytes: infinite: must be a number from 1 to/);
    expect(render('1e12', '1e11', '9000TiB')).toMatch(/memoryCapacityBytes: '9000TiB' is 9\.896e15 bytes: must be/);
  });

  it('report YAML syntax errors with their position', () => {
    expect(errorOf(() => parseDevice('name: [x\n', 'f.yaml')).render()).toMatch(/^f\.yaml:\d+:\d+: /);
  });

  it('refuse unknown presets and missing files with a hint', () => {
    expect(errorOf(() => loadDevice('gtx-9000')).render()).toMatch(/unknown device 'gtx-9000' — use one of a100-80gb, cpu/);
    expect(errorOf(() => loadDevice(join(dir, 'none.yaml'))).render()).toBe(`${join(dir, 'none.yaml')}: cannot read device file: no such file or folder`);
    mkdirSync(join(dir, 'folder.yaml'));
    expect(errorOf(() => loadDevice(join(dir, 'folder.yaml'))).render()).toBe(`${join(dir, 'folder.yaml')}: cannot read device file: it is a folder`);
  });
});
