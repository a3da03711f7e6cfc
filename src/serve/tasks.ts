import { readdirSync } from 'node:fs';
import { z } from 'zod';
import {
  AccelmapError,
  archPresets,
  DATAFLOW_CHOICES,
  DESIGN_STRATEGIES,
  defaultObjectives,
  EXPLORE_MAPPER_DEFAULTS,
  EXPLORE_OBJECTIVES,
  MAP_DEFAULTS,
  POLICIES,
  SCALE_DEFAULTS,
  STRATEGIES,
  TOPOLOGY_NAMES,
  graphToCost,
  devicePresets,
  explore,
  isAccelmapError,
  loadArch,
  loadGraph,
  loadSpace,
  mapNetwork,
  openStore,
  planMemory,
  planScale,
  profile,
  ZOO_MODELS,
  type Graph,
  type LoadOptions,
  type MemoryPlan,
  type MemoryPlanResult,
  type NetworkResult,
  type OnProgress,
  type PolicyName,
  type Profile,
  type ScaleReport,
  type SweepRow,
} from '../index.js';
import { presetPath } from '../util/paths.js';
import { queueCoordinator } from '../api/queue.js';
import { redacted } from '../queue/url.js';
import { coordinatorLine } from '../report/queue-events.js';
import { uploadPath, type DataDir } from './data-dir.js';

/**
 * The jobs the server runs: each a plain-data request checked here (a bad
 * field is a 400 naming it), run through the library API in a worker
 * thread, and written out as the command line that does the same.
 */

const UPLOAD_REF = /^upload:[0-9a-f]{32}$/;

/**
 * A name from a list the server knows (zoo models, presets), or
 * `upload:<id>` where uploads are allowed: the loaders would read any other
 * string as a file path, so nothing else gets through.
 */
function known(what: string, names: () => readonly string[], uploads: boolean) {
  return z.string().refine((s) => (uploads && UPLOAD_REF.test(s)) || names().includes(s), { message: `not a ${what}${uploads ? ' or upload:<id>' : ''} (GET /api/meta lists them)` });
}
const modelRef = known('zoo model', () => ZOO_MODELS.map((m) => m.name), true);
const archRef = known('arch preset', archPresets, true);
const devicePreset = known('device preset', devicePresets, false);
const positive = z.number().int().positive();
const modelFields = { model: modelRef, batch: positive.optional() };

export const JOB_SCHEMAS = {
  profile: z.strictObject({ ...modelFields, device: devicePreset.optional() }),
  map: z.strictObject({
    ...modelFields,
    arch: archRef,
    dataflow: z.enum(DATAFLOW_CHOICES).default(MAP_DEFAULTS.dataflow),
    objective: z.string().regex(/^(latency|energy|edp)(,(latency|energy|edp))*$/, 'latency, energy, edp or a list such as energy,latency').default(MAP_DEFAULTS.objective),
    strategy: z.enum(STRATEGIES).default(MAP_DEFAULTS.strategy),
    budget: positive.max(10_000_000).default(MAP_DEFAULTS.budget.evaluations),
    seed: positive.default(MAP_DEFAULTS.seed),
    fuse: z.boolean().default(true),
  }),
  memory: z.strictObject({ ...modelFields, device: devicePreset.optional(), policy: z.enum(POLICIES).default('dyn'), fuse: z.boolean().default(true) }),
  scale: z.strictObject({
    ...modelFields,
    device: devicePreset.optional(),
    devices: positive.max(1_000_000),
    topology: z.enum(TOPOLOGY_NAMES),
    linkGbps: z.number().positive(),
    parallel: z.enum(['dp', 'tp', 'pp']).default(SCALE_DEFAULTS.parallel),
    fuse: z.boolean().default(true),
  }),
  explore: z.strictObject({
    models: z.array(modelRef).min(1).max(8),
    batch: positive.optional(),
    space: known('design space preset', spacePresets, false),
    /** Default: latency, energy and area; latency and area on a compile target. */
    objectives: z.array(z.enum(EXPLORE_OBJECTIVES)).min(1).optional(),
    strategy: z.enum(DESIGN_STRATEGIES).default('nsga2'),
    budget: positive.max(100_000).default(40),
    mapBudget: positive.max(1_000_000).default(EXPLORE_MAPPER_DEFAULTS.budget.evaluations!),
    seed: positive.default(1),
  }),
} as const;

export type JobKind = keyof typeof JOB_SCHEMAS;
const JOB_KINDS = Object.keys(JOB_SCHEMAS) as JobKind[];
export type JobParams<K extends JobKind = JobKind> = z.output<(typeof JOB_SCHEMAS)[K]>;

/** Checks a request's parameters; a bad field is a `bad-input` AccelmapError naming it. */
export function parseJob(kind: string, params: unknown): { kind: JobKind; params: JobParams } {
  if (!(JOB_KINDS as string[]).includes(kind)) throw new AccelmapError('bad-input', `unknown job kind '${kind}'`, {}, `one of ${JOB_KINDS.join(', ')}`);
  const parsed = JOB_SCHEMAS[kind as JobKind].safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AccelmapError('bad-input', issue.message, { path: issue.path.join('.') || '(body)' });
  }
  return { kind: kind as JobKind, params: parsed.data };
}

/** A model or arch reference as the CLI takes it: a preset name, or the uploaded file's path in the data directory. */
function refPath(data: DataDir, ref: string, kind: 'onnx' | 'arch'): string {
  return ref.startsWith('upload:') ? uploadPath(data, ref.slice('upload:'.length), kind) : ref;
}

function graphOf(data: DataDir, p: { model: string; batch?: number }, o: LoadOptions = {}): Graph {
  return loadGraph(refPath(data, p.model, 'onnx'), { batch: p.batch, ...o });
}

/** Shell-quotes a word when it needs it. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `accelmap …` command line that computes what a job computes. */
export function commandLine(data: DataDir, kind: JobKind, params: JobParams): string {
  const words: string[] = ['accelmap'];
  const flag = (name: string, value: unknown) => {
    if (value !== undefined) words.push(`--${name}`, String(value));
  };
  const p = params as Record<string, unknown>;
  const model = (m: unknown) => words.push(refPath(data, m as string, 'onnx'));
  switch (kind) {
    case 'profile':
      words.push('profile');
      model(p.model);
      break;
    case 'map':
      words.push('map');
      model(p.model);
      flag('arch', refPath(data, p.arch as string, 'arch'));
      for (const f of ['dataflow', 'objective', 'strategy', 'budget', 'seed']) flag(f, p[f]);
      break;
    case 'memory':
      words.push('memory');
      model(p.model);
      flag('policy', p.policy);
      break;
    case 'scale':
      words.push('scale');
      model(p.model);
      flag('devices', p.devices);
      flag('topology', p.topology);
      flag('link-gbps', p.linkGbps);
      flag('parallel', p.parallel);
      break;
    case 'explore':
      words.push('explore');
      for (const m of p.models as string[]) model(m);
      flag('space', `presets/spaces/${p.space}.yaml`);
      flag('objectives', (p.objectives as string[] | undefined)?.join(','));
      flag('strategy', p.strategy);
      flag('budget', p.budget);
      flag('map-budget', p.mapBudget);
      flag('seed', p.seed);
      flag('store', data.store);
      break;
  }
  // the page profiles (and draws) the graph as exported; the other single-model jobs fuse unless told not to
  if (kind === 'profile' || p.fuse === false) words.push('--no-fuse');
  flag('batch', p.batch);
  flag('device', p.device);
  words.push('--json');
  return words.map(quote).join(' ');
}

/** The graph's structure for drawing: each node with the tensors it reads and writes. */
export interface GraphView {
  name: string;
  nodes: { name: string; op: string; inputs: string[]; outputs: string[] }[];
}

/** What each job gives the page (GET /api/runs/:id/result). */
export interface ProfileJobResult {
  graph: GraphView;
  inference: Profile;
  training: Pick<Profile, 'totals' | 'byPhase' | 'memory' | 'params'>;
}
export interface MapJobResult {
  /** The graph as exported (the layers may be its compiled form's). */
  graph: GraphView;
  result: NetworkResult;
}
export type MemoryJobResult = MemoryPlanResult & { timelines: { policy: PolicyName; memory: MemoryPlan['memory'] }[] };
export type ScaleJobResult = ScaleReport & { topologies: { topology: string; rows: SweepRow[]; refused?: string }[] };

function graphView(g: Graph): GraphView {
  return { name: g.name, nodes: g.nodes.map((n) => ({ name: n.name, op: n.op, inputs: n.inputs.filter((t) => t !== ''), outputs: n.outputs })) };
}

/**
 * Runs one job through the library; long ones report progress through
 * `onProgress`. With a `queue` (redis://…), an explore job's designs are
 * evaluated by that queue's workers, and the job only runs the search.
 */
export async function runJob(data: DataDir, kind: JobKind, params: JobParams, onProgress: OnProgress, threads: number, queue?: string): Promise<unknown> {
  switch (kind) {
    case 'profile': {
      const p = params as JobParams<'profile'>;
      const graph = graphOf(data, p);
      onProgress('profiling the inference graph');
      const inference = profile(graph, { device: p.device });
      onProgress('profiling the training step');
      const training = profile(graphOf(data, p, { mode: 'train' }), { device: p.device });
      return { graph: graphView(graph), inference, training: { totals: training.totals, byPhase: training.byPhase, memory: training.memory, params: training.params } } satisfies ProfileJobResult;
    }
    case 'map': {
      const mp = params as JobParams<'map'>;
      const exported = graphOf(data, mp);
      const graph = graphToCost(exported, mp.fuse);
      const arch = loadArch(refPath(data, mp.arch, 'arch'));
      const result = await mapNetwork(graph, arch, {
        dataflow: mp.dataflow,
        objective: mp.objective,
        strategy: mp.strategy,
        budget: { evaluations: mp.budget, patience: MAP_DEFAULTS.budget.patience },
        seed: mp.seed,
        threads,
        onProgress,
        baseline: graph !== exported ? exported : undefined,
      });
      return { graph: graphView(exported), result } satisfies MapJobResult;
    }
    case 'memory': {
      const p = params as JobParams<'memory'>;
      const graph = graphToCost(graphOf(data, p, { mode: 'train' }), p.fuse);
      const chosen = planMemory(graph, { device: p.device, policy: p.policy });
      // device memory over the step under every policy, for the chart
      const timelines = chosen.policies.map(({ policy }) => {
        onProgress(`memory over the step under ${policy}`);
        return { policy, memory: policy === chosen.plan.policy ? chosen.plan.memory : planMemory(graph, { device: p.device, policy }).plan.memory };
      });
      return { ...chosen, timelines } satisfies MemoryJobResult;
    }
    case 'scale': {
      const sp = params as JobParams<'scale'>;
      const graph = graphToCost(graphOf(data, { model: sp.model, batch: sp.batch ?? (sp.model.startsWith('upload:') ? undefined : SCALE_DEFAULT_BATCH) }, { mode: 'train' }), sp.fuse);
      const on = (topology: (typeof TOPOLOGY_NAMES)[number]) => planScale(graph, { device: sp.device, devices: sp.devices, topology, linkGbps: sp.linkGbps, parallel: sp.parallel });
      const report = on(sp.topology);
      // the same study on every topology, without compression, for the curves per topology
      // (a topology that cannot take this many devices is left out, saying why)
      const topologies = TOPOLOGY_NAMES.map((topology) => {
        onProgress(`scaling on ${topology}`);
        try {
          const r = topology === sp.topology ? report : on(topology);
          return { topology: r.topology, rows: r.sweeps.find((s) => s.method === 'none')!.rows };
        } catch (e) {
          if (!isAccelmapError(e)) throw e;
          return { topology, rows: [], refused: e.render() };
        }
      });
      return { ...report, topologies } satisfies ScaleJobResult;
    }
    case 'explore': {
      const ep = params as JobParams<'explore'>;
      const space = loadSpace(spacePath(ep.space));
      const workloads = ep.models.map((m) => {
        const options = { batch: ep.batch, mode: 'infer' as const };
        return { name: refPath(data, m, 'onnx'), workload: graphOf(data, { model: m, batch: ep.batch }), options };
      });
      const evaluator = queue === undefined ? undefined : await queueCoordinator(queue, { onEvent: (e) => onProgress(coordinatorLine(e)) });
      if (queue !== undefined) onProgress(`designs go to the workers of ${redacted(queue)}`);
      const store = openStore(data.store);
      try {
        const result = await explore(space, workloads, {
          objectives: ep.objectives ?? defaultObjectives(space),
          strategy: ep.strategy,
          budget: ep.budget,
          seed: ep.seed,
          mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: ep.mapBudget }, seed: ep.seed },
          ...(evaluator ? { evaluator } : { threads }),
          store,
          onDesign: (d) => onProgress(`${d.done}/${d.budget} designs (${d.fromStore} from the store)`),
        });
        return { space: result.space, evaluated: result.evaluated, fromStore: result.fromStore, objectives: result.objectives, front: result.front.map((d) => d.hash) };
      } finally {
        store.close();
        await evaluator?.close();
      }
    }
  }
}

/** `accelmap scale`'s batch per device for zoo models. */
const SCALE_DEFAULT_BATCH = 32;

/** A design-space preset's file (the job's schema checked the name). */
function spacePath(name: string): string {
  return presetPath('spaces', `${name}.yaml`);
}

/** The design spaces shipped under presets/spaces/. */
export function spacePresets(): string[] {
  return readdirSync(presetPath('spaces')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
}
