import { KernelRegistry } from '../kernel.js';
import { CONV_KERNELS } from './conv.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { FUSED_KERNELS } from './fused.js';
import { GENERATE_KERNELS } from './generate.js';
import { LAYOUT_KERNELS } from './layout.js';
import { LOSS_KERNELS } from './loss.js';
import { MATMUL_KERNELS } from './matmul.js';
import { INDEXING_KERNELS, MOVEMENT_KERNELS } from './movement.js';
import { NORM_KERNELS, NORMALIZATION_KERNELS } from './normalization.js';
import { POOL_KERNELS } from './pool.js';
import { REDUCE_KERNELS } from './reduce.js';
import { RNN_KERNELS } from './rnn.js';
import { TRAINING_KERNELS } from './training.js';

/** Every kernel of the reference executor. Adding one: a kernel in a file here and its list below. */
export const kernels = new KernelRegistry();

for (const k of [
  ...CONV_KERNELS, ...MATMUL_KERNELS, ...RNN_KERNELS,
  ...ELEMENTWISE_KERNELS, ...NORMALIZATION_KERNELS, ...NORM_KERNELS, ...POOL_KERNELS, ...REDUCE_KERNELS,
  ...MOVEMENT_KERNELS, ...INDEXING_KERNELS, ...GENERATE_KERNELS, ...FUSED_KERNELS, ...LAYOUT_KERNELS, ...TRAINING_KERNELS, ...LOSS_KERNELS,
]) {
  kernels.register(k);
}
