import { numel, type Attrs, type TensorType } from '../graph.js';
import { constValue, defineOp, intAttr, req, shapeError, type OpKind } from '../op.js';
import { foldable, normAxis } from '../shape.js';

/**
 * Signal processing front ends (speech models): DFT, STFT, the window
 * generators and MelWeightMatrix. FLOP convention: an n-point transform
 * costs 5·n·log2(n) (the radix-2 FFT count) per transformed vector; window
 * generators 3 per element (a cosine and a scale and shift); MelWeightMatrix
 * 4 per element.
 */
const fftFlops = (n: number) => (n > 1 ? 5 * n * Math.log2(n) : 0);

function scalar(t: TensorType | undefined, what: string): number {
  const v = constValue(t, what)[0];
  if (v === undefined) throw shapeError(`${what} must hold a value`);
  return v;
}

interface DftGeometry {
  shape: number[];
  axis: number;
  n: number;
}

/** DFT (ONNX 20; the importer moves older opsets' axis attribute to input 2): complex last axis of 2 (real input: 1). */
function dftGeometry(inputs: (TensorType | undefined)[], a: Attrs): DftGeometry {
  const x = req(inputs, 0, 'input');
  const r = x.shape.length;
  if (r < 2 || (x.shape[r - 1] !== 1 && x.shape[r - 1] !== 2)) throw shapeError(`DFT input [${x.shape}] must end in an axis of 1 (real) or 2 (complex)`);
  const rawAxis = inputs[2] ? scalar(inputs[2], 'DFT axis') : -2;
  const axis = normAxis(rawAxis, r, 'DFT axis');
  if (axis === r - 1) throw shapeError('DFT axis must not be the complex axis');
  const inverseOneSided = a.inverse === 1 && a.onesided === 1;
  const n = inputs[1] ? scalar(inputs[1], 'DFT dft_length') : inverseOneSided ? 2 * (x.shape[axis]! - 1) : x.shape[axis]!;
  if (!(n >= 1) || !Number.isSafeInteger(n)) throw shapeError(`DFT length ${n} is invalid`);
  const shape = [...x.shape];
  shape[axis] = a.onesided === 1 && a.inverse !== 1 ? Math.floor(n / 2) + 1 : n;
  shape[r - 1] = inverseOneSided ? 1 : 2;
  return { shape, axis, n };
}

export const DFT = defineOp<Attrs>({
  op: 'DFT',
  opClass: 'other',
  flopConvention: '5·n·log2(n) FLOPs per transformed vector of n points',
  attrs: (raw) => ({ inverse: intAttr(raw, 'inverse', 0), onesided: intAttr(raw, 'onesided', 0) }),
  infer(inputs, a) {
    return [{ shape: dftGeometry(inputs, a).shape, dtype: req(inputs, 0, 'input').dtype }];
  },
  counts(inputs, _o, a) {
    const g = dftGeometry(inputs, a);
    const vectors = numel(g.shape) / g.shape[g.axis]! / g.shape[g.shape.length - 1]!;
    return { macs: 0, otherFlops: vectors * fftFlops(g.n) };
  },
});

/** STFT (ONNX 17): signal [batch, length, 1|2] → [batch, frames, bins, 2]. */
function stftShape(inputs: (TensorType | undefined)[], a: Attrs): number[] {
  const x = req(inputs, 0, 'signal');
  if (x.shape.length !== 3) throw shapeError(`STFT signal must be [batch, length, 1 or 2], got [${x.shape}]`);
  const step = scalar(inputs[1], 'STFT frame_step');
  const window = inputs[2];
  const frame = inputs[3] ? scalar(inputs[3], 'STFT frame_length') : window?.shape[0];
  if (frame === undefined || !(frame >= 1) || !(step >= 1)) throw shapeError('STFT needs a window or a frame_length, and a positive frame_step');
  const frames = Math.floor((x.shape[1]! - frame) / step) + 1;
  if (frames < 0) throw shapeError(`STFT frames of ${frame} do not fit a signal of ${x.shape[1]}`);
  return [x.shape[0]!, frames, a.onesided === 1 ? Math.floor(frame / 2) + 1 : frame, 2];
}

export const STFT = defineOp<Attrs>({
  op: 'STFT',
  opClass: 'other',
  flopConvention: '5·n·log2(n) FLOPs per frame of n points, +1 per windowed sample',
  attrs: (raw) => ({ onesided: intAttr(raw, 'onesided', 1) }),
  infer: (inputs, a) => [{ shape: stftShape(inputs, a), dtype: req(inputs, 0, 'signal').dtype }],
  counts(inputs, _o, a) {
    const [b, frames] = stftShape(inputs, a) as [number, number];
    const n = inputs[3] ? scalar(inputs[3], 'STFT frame_length') : inputs[2]!.shape[0]!;
    return { macs: 0, otherFlops: b * frames * (fftFlops(n) + (inputs[2] ? n : 0)) };
  },
});

function windowOp(op: string, coefficients: number[]): OpKind {
  return defineOp<Attrs>({
    op,
    opClass: 'other',
    flopConvention: '3 FLOPs per element',
    attrs: (raw) => ({ periodic: intAttr(raw, 'periodic', 1), output_datatype: intAttr(raw, 'output_datatype', 1) }),
    infer(inputs, a) {
      const size = scalar(inputs[0], `${op} size`);
      if (!(size >= 0) || !Number.isSafeInteger(size)) throw shapeError(`${op} size ${size} is invalid`);
      const out: TensorType = { shape: [size], dtype: a.output_datatype === 11 ? 'float64' : a.output_datatype === 10 ? 'float16' : 'float32' };
      if (foldable(out.shape)) {
        const period = a.periodic ? size : size - 1;
        out.value = Array.from({ length: size }, (_, i) => coefficients.reduce((s, c, k) => s + (k % 2 ? -c : c) * Math.cos((2 * Math.PI * k * i) / period), 0));
      }
      return [out];
    },
    counts: (_i, outputs) => ({ macs: 0, otherFlops: 3 * numel(outputs[0]!.shape) }),
  });
}

export const WINDOW_OPS: OpKind[] = [
  windowOp('HannWindow', [0.5, 0.5]),
  windowOp('HammingWindow', [25 / 46, 21 / 46]),
  windowOp('BlackmanWindow', [0.42, 0.5, 0.08]),
];

/** MelWeightMatrix (ONNX 17): [⌊dft_length / 2⌋ + 1, num_mel_bins]. */
export const MelWeightMatrix = defineOp<Attrs>({
  op: 'MelWeightMatrix',
  opClass: 'other',
  flopConvention: '4 FLOPs per element',
  attrs: (raw) => ({ output_datatype: intAttr(raw, 'output_datatype', 1) }),
  infer(inputs, a) {
    const bins = scalar(inputs[0], 'MelWeightMatrix num_mel_bins');
    const dft = scalar(inputs[1], 'MelWeightMatrix dft_length');
    if (!(bins >= 1) || !(dft >= 1)) throw shapeError('MelWeightMatrix needs positive num_mel_bins and dft_length');
    return [{ shape: [Math.floor(dft / 2) + 1, bins], dtype: a.output_datatype === 11 ? 'float64' : a.output_datatype === 10 ? 'float16' : 'float32' }];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: 4 * numel(outputs[0]!.shape) }),
});
