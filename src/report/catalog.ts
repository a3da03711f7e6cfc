import type { ZooEntry } from '../workload/zoo/types.js';
import { formatCount } from '../util/units.js';
import { renderTable } from './table.js';

/** The listings of `accelmap models` and `accelmap ops`. */

const signedPercent = (got: number, want: number | undefined) => (want ? `${got >= want ? '+' : ''}${((got / want - 1) * 100).toFixed(2)}%` : '');

/** The zoo with each model's parameters and MACs at batch 1, against the published figures. */
export function renderModels(rows: (Pick<ZooEntry, 'name' | 'family' | 'defaults' | 'published' | 'description'> & { params: number; macs: number })[]): string {
  const options = (d: ZooEntry['defaults']) => [d.imageSize && `image ${d.imageSize}`, d.seqLen && `seq ${d.seqLen}`].filter(Boolean).join(', ');
  return (
    'MACs are multiply-accumulates at batch 1 with the default image size or sequence length.\n' +
    renderTable(
      ['model', 'set', 'params', 'MACs', 'vs published params', 'vs published MACs', 'defaults', 'description'],
      rows.map((r) => [r.name, r.family, formatCount(r.params), formatCount(r.macs), signedPercent(r.params, r.published?.params), signedPercent(r.macs, r.published?.macs), options(r.defaults), r.description]),
    )
  );
}

/** Every op kind with its class, whether it lowers to a loop nest, and its FLOP convention. */
export function renderOps(rows: { op: string; opClass: string; compute: boolean; flopConvention: string }[]): string {
  return [
    'FLOPs are counted apart from MACs (1 MAC = 2 FLOPs); "other FLOPs" follow each op\'s convention below.\n' +
      renderTable(['op', 'class', 'loop nest', 'FLOP convention'], rows.map((r) => [r.op, r.opClass, r.compute ? 'yes' : '', r.flopConvention]), { align: ['left', 'left', 'left', 'left'] }),
    `${rows.length} op kinds; ONNX If, Loop and Scan are unrolled at import, Constant becomes a tensor, Upsample and Scatter are read as Resize and ScatterElements`,
  ].join('\n');
}
