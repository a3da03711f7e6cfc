import { KernelRegistry } from '../kernel.js';
import { CONV_KERNELS } from './conv.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { GENERATE_KERNELS } from './generate.js';
import { MATMUL_KERNELS } from './matmul.js';
import { MOVEMENT_KERNELS } from './movement.js';
import { NORMALIZATION_KERNELS } from './normalization.js';
import { POOL_KERNELS } from './pool.js';
import { REDUCE_KERNELS } from './reduce.js';
import { RNN_KERNELS } from './rnn.js';

/** Every kernel of the reference executor. Adding one: a kernel in a file here and its list below. */
export const kernels = new KernelRegistry();

for (const k of [
  ...CONV_KERNELS, ...MATMUL_KERNELS, ...RNN_KERNELS,
  ...ELEMENTWISE_KERNELS, ...NORMALIZATION_KERNELS, ...POOL_KERNELS, ...REDUCE_KERNELS,
  ...MOVEMENT_KERNELS, ...GENERATE_KERNELS,
]) {
  kernels.register(k);
}
