import type { Command } from 'commander';
import { loadArch } from '../../arch/load.js';
import { compileGraph, DEFAULT_PASSES, graphFigures, PASSES } from '../../compile/index.js';
import { layout } from '../../compile/layout.js';
import { DEFAULT_BLOCK, layoutBlock } from '../../compile/layout-block.js';
import { renderCompile, type CompileSummary } from '../../report/compile-report.js';
import type { Graph } from '../../workload/graph.js';
import type { FusedAttrs } from '../../workload/ops/fused.js';
import { loadGraph } from '../../workload/load.js';
import { AccelmapError } from '../../util/errors.js';
import { positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';
import { addVtaOptions, compileVtaCommand, type VtaFlags } from './compile-vta.js';

interface CompileFlags extends ModelFlags, VtaFlags {
  passes?: string;
  dumpAfter?: string[];
  block?: number;
  blockFrom?: string;
  arch: string;
  json?: boolean;
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function graphListing(g: Graph): { name: string; op: string; shape: number[] }[] {
  return g.nodes.map((n) => ({ name: n.name, op: n.op, shape: g.tensors[n.outputs[0] ?? '']?.shape ?? [] }));
}

function fusedGroups(g: Graph) {
  return g.nodes.filter((n) => n.op === 'FusedGroup').map((n) => {
    const a = n.attrs as FusedAttrs;
    return { name: n.name, anchor: a.anchor || null, members: (JSON.parse(a.body) as { name: string; op: string }[]).map((m) => ({ name: m.name, op: m.op })) };
  });
}

export function registerCompile(program: Command, io: Io): void {
  const cmd = program
    .command('compile')
    .description(`run the graph compiler's passes on a model (${PASSES.map((p) => p.name).join(', ')}) and compare the graph before and after; with --target vta, compile its int8 graph to VTA programs`)
    .argument('<model>', 'zoo model name or .onnx file')
    .option('--passes <list>', `passes to run, comma-separated (default: ${DEFAULT_PASSES.join(',')}; layout only when named)`, list)
    .option('--block <n>', `channel block of the layout pass (NCHW[n]c); overrides the target's (default: the GEMM block of --block-from or of the target preset describing --arch, else ${DEFAULT_BLOCK})`, positiveInt('--block'))
    .option('--block-from <vta|file.yaml>', 'take the layout pass\'s channel block from this VTA target\'s GEMM intrinsic (BLOCK_IN = BLOCK_OUT)')
    .option('--dump-after <pass>', 'print the graph after this pass (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--arch <arch>', 'accelerator whose vector unit prices the ops without MACs', 'eyeriss')
    .option('--json', 'print JSON');
  addVtaOptions(cmd);
  addModelOptions(cmd).action((model: string, opts: CompileFlags) => {
    if (opts.target) return compileVtaCommand(model, opts, io);
    const arch = loadArch(opts.arch);
    const graph = loadGraph(model, loadOptions(opts));
    const passes = opts.passes as unknown as string[] | undefined;
    if ((opts.block !== undefined || opts.blockFrom) && !passes?.includes(layout.name)) {
      throw new AccelmapError('bad-flag', `${opts.block !== undefined ? '--block' : '--block-from'} sets the layout pass's block, and the layout pass is not run`, {}, 'add layout to --passes, e.g. --passes simplify,bn-fold,layout,fuse');
    }
    const block = passes?.includes(layout.name) ? layoutBlock({ block: opts.block, blockFrom: opts.blockFrom, arch: arch.name }) : undefined;
    const c = compileGraph(graph, { passes, dumpAfter: opts.dumpAfter, block: block?.block });
    const report: CompileSummary = {
      model: graph.name,
      mode: graph.mode,
      arch: arch.name,
      applied: c.applied,
      skipped: c.skipped,
      ...(block && c.applied.includes(layout.name) ? { layoutBlock: block } : {}),
      before: graphFigures(graph, arch),
      after: graphFigures(c.graph, arch),
      fusedGroups: fusedGroups(c.graph),
      derivedWeights: c.derived.map((d) => ({ name: d.name, rule: d.rule, from: d.from })),
      dumps: c.snapshots.map((s) => ({ pass: s.pass, nodes: graphListing(s.graph) })),
    };
    if (opts.json) return io.out(toJson(report));
    io.out(renderCompile(report));
  });
}
