import type { TransformMethod } from '../device/device.js';
import { bytesFor, type DType } from '../workload/dtype.js';
import type { NodeCounts } from '../workload/counts.js';
import type { Graph, Node, TensorType } from '../workload/graph.js';
import { nodeInputTypes } from '../workload/infer.js';
import { convGeometry, type ConvAttrs, type ConvGeometry } from '../workload/ops/conv.js';
import { fusedAnchor, loopOp, type FusedAttrs } from '../workload/ops/fused.js';
import type { LayerTimes } from '../characterize/times.js';

/**
 * Convolution algorithm classes, as vDNN chooses between them: a fast,
 * workspace-hungry class and a memory-lean class that needs no workspace.
 *
 * - lean: implicit GEMM (cuDNN's IMPLICIT_GEMM; Chetlur et al. 2014): the
 *   direct MACs, no workspace; timed as the node is (the time source).
 * - fast: the cheaper of the transform algorithms that apply, when cheaper
 *   than lean; otherwise the same as lean. Both need 2-D, stride 1,
 *   dilation 1, one group:
 *   - Winograd F(2×2, 3×3) (Lavin & Gray, CVPR 2016) for 3×3 kernels:
 *     T = N·⌈P/2⌉·⌈Q/2⌉ tiles of 4×4; 16·T·C·K element-wise MACs (2.25×
 *     fewer than direct); transforms 32 FLOPs per tile and input channel,
 *     24 per tile and output channel, 35 per filter. Fused, as in Lavin &
 *     Gray's kernels: the input and output tiles are transformed inside the
 *     batched-product kernel, so only the transformed filters, 16·C·K
 *     elements, are a workspace.
 *   - FFT (Mathieu et al., ICLR 2014; Vasilache et al., ICLR 2015) for
 *     kernels larger than 1×1: transforms of the padded input size Hp × Wp
 *     (no wrap-around for the valid outputs), half spectra of Hp·(⌊Wp/2⌋+1)
 *     complex values; 4 real MACs per complex product, N·K·C of them per
 *     frequency; 2.5·Hp·Wp·log₂(Hp·Wp) FLOPs per real 2-D transform of the
 *     N·C inputs, C·K filters and N·K outputs; workspace = all the spectra
 *     (complex: two elements each).
 *   A transform algorithm reads and writes its workspace once more than
 *   direct convolution moves (2 × workspace bytes added to the traffic),
 *   and runs at the device's achieved efficiency for its method
 *   (`efficiency.winograd`, `efficiency.fft`), lean at the convolution
 *   class's.
 * The data- and filter-gradient convolutions (ConvGradInput,
 * ConvGradWeight) are convolutions of the same sizes and are costed with
 * the forward geometry.
 */
export type ConvAlgorithm = 'fast' | 'lean';
export type ConvMethod = 'implicit-gemm' | TransformMethod;

export interface ConvOption {
  method: ConvMethod;
  workspaceBytes: number;
  seconds: number;
  flops: number;
}

export type ConvOptions = Record<ConvAlgorithm, ConvOption>;

const CONV_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvGradInput', 'ConvGradWeight']);

/** A convolution node, or a fused group anchored on one (its epilogue runs on the convolution's outputs). */
export function isConvolution(node: Node): boolean {
  return CONV_OPS.has(loopOp(node));
}

/** The convolution member of a node: the node itself, or a fused group's anchor. */
function convolutionOf(graph: Graph, node: Node): { node: Node; inputs: (TensorType | undefined)[] } {
  const inputs = nodeInputTypes(graph, node);
  if (node.op !== 'FusedGroup') return { node, inputs };
  const anchor = fusedAnchor(inputs, node.attrs as FusedAttrs)!;
  return { node: anchor.node, inputs: anchor.inputs };
}

/** The forward convolution a Conv, ConvGradInput or ConvGradWeight node (or a group anchored on one) runs over. */
function convolutionGeometry(graph: Graph, fused: Node): ConvGeometry {
  const { node, inputs } = convolutionOf(graph, fused);
  const attrs = node.attrs as unknown as ConvAttrs & { input_shape?: number[]; weight_shape?: number[] };
  switch (node.op) {
    case 'Conv':
      return convGeometry(inputs[0]!, inputs[1]!, attrs);
    case 'ConvGradInput':
      return convGeometry({ shape: attrs.input_shape!, dtype: inputs[0]!.dtype }, inputs[1]!, attrs);
    case 'ConvGradWeight':
      return convGeometry(inputs[0]!, { shape: attrs.weight_shape!, dtype: inputs[0]!.dtype }, attrs);
    default:
      throw new Error(`${node.name}: ${node.op} is not a convolution`);
  }
}

/** Work and workspace of a transform algorithm, before timing. */
interface TransformCost {
  method: TransformMethod;
  macs: number;
  transformFlops: number;
  workspaceElements: number;
}

function plain2d(g: ConvGeometry): boolean {
  return g.kernel.length === 2 && g.group === 1 && g.strides.every((s) => s === 1) && g.dilations.every((d) => d === 1);
}

export function winogradCost(g: ConvGeometry): TransformCost | undefined {
  if (!plain2d(g) || g.kernel[0] !== 3 || g.kernel[1] !== 3) return undefined;
  const [P, Q] = g.outSize as [number, number];
  const tiles = g.N * Math.ceil(P / 2) * Math.ceil(Q / 2);
  return {
    method: 'winograd',
    macs: 16 * tiles * g.C * g.K,
    transformFlops: 32 * tiles * g.C + 24 * tiles * g.K + 35 * g.C * g.K,
    workspaceElements: 16 * g.C * g.K,
  };
}

export function fftCost(g: ConvGeometry): TransformCost | undefined {
  if (!plain2d(g) || g.kernel[0]! * g.kernel[1]! === 1) return undefined;
  const [H, W] = g.inSize as [number, number];
  const Hp = H + g.pads[0]! + g.pads[2]!, Wp = W + g.pads[1]! + g.pads[3]!;
  const spectrum = Hp * (Math.floor(Wp / 2) + 1);
  const maps = g.N * g.C + g.C * g.K + g.N * g.K;
  return {
    method: 'fft',
    macs: 4 * g.N * g.K * g.C * spectrum,
    transformFlops: 2.5 * Hp * Wp * Math.log2(Hp * Wp) * maps,
    workspaceElements: 2 * spectrum * maps,
  };
}

/**
 * The two algorithm classes of a convolution node. `counts` are the node's
 * own (direct) counts; the lean time is the time source's for the node.
 */
export function convOptions(graph: Graph, node: Node, counts: NodeCounts, times: LayerTimes): ConvOptions {
  const lean: ConvOption = { method: 'implicit-gemm', workspaceBytes: 0, seconds: times.seconds(graph, node), flops: counts.flops };
  let fast = lean;
  if (times.secondsFor) {
    const g = convolutionGeometry(graph, node);
    const dtype = convolutionOf(graph, node).inputs[0]!.dtype as DType;
    for (const cost of [winogradCost(g), fftCost(g)]) {
      if (!cost) continue;
      const workspaceBytes = bytesFor(cost.workspaceElements, dtype);
      const flops = 2 * cost.macs + cost.transformFlops + counts.otherFlops;
      const seconds = times.secondsFor(graph, node, { flops, bytes: counts.bytesRead + counts.bytesWritten + 2 * workspaceBytes, method: cost.method });
      if (seconds < fast.seconds) fast = { method: cost.method, workspaceBytes, seconds, flops };
    }
  }
  return { fast, lean };
}
