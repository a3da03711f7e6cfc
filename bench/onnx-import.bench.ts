// Imports a ~550 MB ONNX file (VGG-16 with its weights, generated here) and
// reports the import time and peak memory, each in a fresh child process,
// against a baseline measured in the same run: reading the file's bytes once.
//   npm run bench -- onnx-import
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graphTotals } from '../src/workload/counts.js';
import { paramCount } from '../src/workload/graph.js';
import { loadGraph } from '../src/workload/load.js';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../src/workload/onnx/proto.js';
import { writeModelFile } from '../src/workload/onnx/write.js';

const VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

/** VGG-16 (configuration D) as an ONNX graph whose weights are stored in the file. */
function vgg16(): OnnxModel {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const weight = (name: string, dims: number[]) => initializers.push({ name, dims, dataType: 1, dtype: 'float32' });
  const ints = (name: string, v: number[]) => ({ name, type: 'ints' as const, ints: v });
  let x = 'input';
  let c = 3;
  let k = 0;
  for (const v of VGG16) {
    const out = `t${nodes.length}`;
    if (v === 'M') {
      nodes.push({ name: `pool${nodes.length}`, opType: 'MaxPool', domain: '', inputs: [x], outputs: [out], attributes: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] });
    } else {
      weight(`conv${k}.weight`, [v, c, 3, 3]);
      weight(`conv${k}.bias`, [v]);
      nodes.push({ name: `conv${k}`, opType: 'Conv', domain: '', inputs: [x, `conv${k}.weight`, `conv${k}.bias`], outputs: [`${out}c`], attributes: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] });
      nodes.push({ name: `relu${k}`, opType: 'Relu', domain: '', inputs: [`${out}c`], outputs: [out], attributes: [] });
      c = v;
      k++;
    }
    x = out;
  }
  nodes.push({ name: 'flatten', opType: 'Flatten', domain: '', inputs: [x], outputs: ['flat'], attributes: [] });
  x = 'flat';
  const fc = [[25088, 4096], [4096, 4096], [4096, 1000]] as const;
  fc.forEach(([inF, outF], i) => {
    weight(`fc${i}.weight`, [outF, inF]);
    weight(`fc${i}.bias`, [outF]);
    const out = i === fc.length - 1 ? 'output' : `fc${i}`;
    nodes.push({ name: `fc${i}`, opType: 'Gemm', domain: '', inputs: [x, `fc${i}.weight`, `fc${i}.bias`], outputs: [i === fc.length - 1 ? out : `${out}g`], attributes: [{ name: 'transB', type: 'int', i: 1 }] });
    if (i < fc.length - 1) nodes.push({ name: `fc${i}.relu`, opType: 'Relu', domain: '', inputs: [`${out}g`], outputs: [out], attributes: [] });
    x = out;
  });
  return {
    irVersion: 8,
    opsets: { '': 17 },
    producer: 'accelmap-bench',
    functions: [],
    graph: {
      name: 'vgg16',
      nodes,
      initializers,
      inputs: [{ name: 'input', dtype: 'float32', typeKind: 'tensor', shape: [{ param: 'batch' }, { value: 3 }, { value: 224 }, { value: 224 }] }],
      outputs: [{ name: 'output', dtype: 'float32', typeKind: 'tensor', shape: [{ param: 'batch' }, { value: 1000 }] }],
      valueInfo: [],
    },
  };
}

interface ChildResult {
  ms: number;
  maxRssMiB: number;
  detail: string;
}

/** Child process body: one measured action, printed as JSON. */
function child(action: string, file: string): void {
  const t0 = performance.now();
  let detail = '';
  if (action === 'read') {
    const buf = Buffer.alloc(1 << 20);
    const fd = openSync(file, 'r');
    let total = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) total += n;
    closeSync(fd);
    detail = `${total} bytes read`;
  } else if (action === 'import') {
    const g = loadGraph(file, { batch: 1 });
    detail = `${g.nodes.length} nodes, ${paramCount(g)} parameters, ${graphTotals(g).macs} MACs`;
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, detail }));
}

function measure(action: string, file: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), action, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child ${action} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-bench-'));
  try {
    const file = join(dir, 'vgg16.onnx');
    const t0 = performance.now();
    const bytes = writeModelFile(file, vgg16());
    console.log(`generated ${file}: ${(bytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (statSync(file).size !== bytes) throw new Error('size mismatch');
    const idle = measure('idle', file);
    // the best of three runs of each, alternating, so that cache state and noise treat both alike
    const reads: ChildResult[] = [];
    const imports: ChildResult[] = [];
    for (let i = 0; i < 3; i++) {
      reads.push(measure('read', file));
      imports.push(measure('import', file));
    }
    const best = (xs: ChildResult[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const read = best(reads);
    const imp = best(imports);
    console.log(`baseline: read the file's bytes once      ${read.ms.toFixed(0).padStart(6)} ms   peak RSS ${read.maxRssMiB.toFixed(0)} MiB (${read.detail})`);
    console.log(`import (loadGraph, shapes, counts)        ${imp.ms.toFixed(0).padStart(6)} ms   peak RSS ${imp.maxRssMiB.toFixed(0)} MiB (${imp.detail})`);
    console.log(`child process with the modules loaded      ${'-'.padStart(6)}      peak RSS ${idle.maxRssMiB.toFixed(0)} MiB`);
    console.log(`import time / read time: ${(imp.ms / read.ms).toFixed(3)}; import peak RSS − idle: ${(imp.maxRssMiB - idle.maxRssMiB).toFixed(0)} MiB for a ${(bytes / 2 ** 20).toFixed(0)} MiB file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2]) child(process.argv[2], process.argv[3]!);
else main();
