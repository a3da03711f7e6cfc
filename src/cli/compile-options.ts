import type { Command } from 'commander';

/** `--no-fuse`: commands that cost a model work on the compiled graph unless told otherwise. */
export function addFuseOption(cmd: Command): Command {
  return cmd.option('--no-fuse', 'cost the graph as exported (default: compiled — simplified, fused, BatchNorm folded in inference; a training graph gets only the passes valid for training)');
}
