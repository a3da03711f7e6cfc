import { AccelmapError } from '../../util/errors.js';
import { readTextFile } from '../../util/files.js';
import type { SystolicLayer } from '../../sim/systolic/types.js';

/**
 * SCALE-Sim topology CSVs: a header line, then one layer per line, each line
 * ending in a comma as that tool writes them.
 * - convolution form: `Layer name, IFMAP Height, IFMAP Width, Filter Height,
 *   Filter Width, Channels, Num Filter, Strides,` (a ninth value, when
 *   present, is the stride along the width; `Strides` is then the height's);
 * - GEMM form: `Layer, M, N, K,` for an M×K by K×N product.
 */
export type TopologyForm = 'conv' | 'gemm';

const CONV_COLUMNS = ['Layer name', 'IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides', 'Stride Width'];
const GEMM_COLUMNS = ['Layer', 'M', 'N', 'K'];

export function readTopology(path: string, form: TopologyForm): SystolicLayer[] {
  return parseTopology(readTextFile(path, 'topology'), path, form);
}

export function parseTopology(text: string, file: string, form: TopologyForm): SystolicLayer[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new AccelmapError('bad-file', 'empty topology', { file }, 'write a header line and one line per layer');
  checkHeader(cells(lines[headerIndex]!), form, file, headerIndex + 1);
  const layers: SystolicLayer[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const values = cells(lines[i]!);
    if (values.length === 0) continue;
    layers.push(form === 'gemm' ? gemmLayer(values, file, i + 1) : convLayer(values, file, i + 1));
  }
  if (layers.length === 0) throw new AccelmapError('bad-file', 'no layers after the header', { file });
  return layers;
}

/** The comma-separated values of a line, trimmed, without the trailing empty ones. */
function cells(line: string): string[] {
  const out = line.split(',').map((c) => c.trim());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function checkHeader(header: string[], form: TopologyForm, file: string, line: number): void {
  const looksGemm = header.length === 4 && header.slice(1).map((h) => h.toUpperCase()).join(',') === 'M,N,K';
  if (form === 'conv' && looksGemm) throw new AccelmapError('bad-file', 'the header is that of a GEMM topology (Layer, M, N, K)', { file, line }, 'pass --gemm');
  if (form === 'gemm' && !looksGemm) throw new AccelmapError('bad-file', `expected the GEMM header 'Layer, M, N, K,', found '${header.join(', ')}'`, { file, line }, header.length >= 8 ? 'drop --gemm for a convolution topology' : undefined);
  if (form === 'conv' && header.length !== 8 && header.length !== 9) {
    throw new AccelmapError('bad-file', `expected the header '${CONV_COLUMNS.slice(0, 8).join(', ')},', found ${header.length} columns`, { file, line });
  }
}

function numbers(values: string[], columns: string[], minCount: number, file: string, line: number): number[] {
  if (values.length < minCount) throw new AccelmapError('bad-file', `missing value`, { file, line, path: columns[values.length] }, `a line has ${minCount} values: ${columns.slice(0, minCount).join(', ')}`);
  if (values.length > columns.length) throw new AccelmapError('bad-file', `unexpected value '${values[columns.length]}' after ${columns[columns.length - 1]}`, { file, line });
  if (values[0] === '') throw new AccelmapError('bad-file', 'empty layer name', { file, line, path: columns[0] });
  return values.slice(1).map((v, i) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new AccelmapError('bad-file', `'${v}' is not a positive integer`, { file, line, path: columns[i + 1] });
    return n;
  });
}

function convLayer(values: string[], file: string, line: number): SystolicLayer {
  const [ifmapHeight, ifmapWidth, filterHeight, filterWidth, channels, filters, strideHeight, strideWidth] = numbers(values, CONV_COLUMNS, 8, file, line) as [number, number, number, number, number, number, number, number | undefined];
  if (filterHeight > ifmapHeight || filterWidth > ifmapWidth) {
    throw new AccelmapError('bad-file', `filter ${filterHeight}×${filterWidth} is larger than the ifmap ${ifmapHeight}×${ifmapWidth}`, { file, line, path: values[0] });
  }
  return { kind: 'conv', name: values[0]!, ifmapHeight, ifmapWidth, filterHeight, filterWidth, channels, filters, strideHeight, strideWidth: strideWidth ?? strideHeight };
}

function gemmLayer(values: string[], file: string, line: number): SystolicLayer {
  const [m, n, k] = numbers(values, GEMM_COLUMNS, 4, file, line) as [number, number, number];
  return { kind: 'gemm', name: values[0]!, m, n, k };
}
