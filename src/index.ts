/**
 * accelmap as a library: one function per stage of the pipeline, each taking
 * and returning plain, JSON-serializable data (`JSON.stringify` keeps all of
 * it; `Infinity` appears nowhere but a roofline with no traffic and the SQNR
 * of an exact result). No stage
 * prints: long ones report progress through an optional `onProgress`
 * callback. A user mistake (an unknown preset, a malformed file, an
 * impossible constraint) throws an {@link AccelmapError} with a code, a
 * location and a hint; anything else thrown is a bug.
 *
 * ```ts
 * import { loadArch, loadGraph, loadLayer, mapNetwork, searchMapping } from 'accelmap';
 *
 * const arch = loadArch('eyeriss');
 * const layer = searchMapping(loadLayer('conv:K=64,C=64,P=56,Q=56,R=3,S=3'), arch, { budget: { evaluations: 5000 } });
 * console.log(layer.cost.cycles, layer.cost.energyPj, layer.mapping);
 *
 * const net = await mapNetwork(loadGraph('resnet18'), arch, { budget: { evaluations: 2000 } });
 * console.log(net.totals.cycles, net.layers.length);
 * ```
 *
 * The stages, in pipeline order:
 * - workloads: {@link loadGraph}, {@link toTraining};
 * - characterization: {@link profile}, {@link compare};
 * - accelerators and one mapping's cost: {@link loadArch}, {@link loadLayer}, {@link evaluate};
 * - the mapper: {@link searchMapping} (one loop nest), {@link mapNetwork} (a whole graph), or
 *   its four stages one by one: {@link planNetwork}, {@link searchNetwork}, {@link pickNetwork},
 *   {@link assembleNetwork} (each replaceable by a user's own, since all pass plain data);
 * - reduced precision: {@link measureSensitivity} (each layer's own SQNR drop at lower precisions),
 *   {@link choosePrecisions} (a precision per layer within a budget), {@link autoPrecisions} (what an
 *   architecture's modes offer);
 * - planners: {@link planMemory}, {@link planScale};
 * - design-space exploration: {@link loadSpace}, {@link explore}, with results kept by {@link openStore};
 *   distributed over BullMQ workers on Redis by {@link queueCoordinator} and {@link queueWorker};
 * - the VTA backend: {@link compileForVta}, {@link runOnVta};
 * - other tools: {@link simulateSystolic}, {@link replayScaleSim}, {@link readScaleSim}, {@link readTimeloop}.
 *
 * @packageDocumentation
 */

// Workloads
export { loadGraph, type LoadOptions } from './workload/load.js';
export { toTraining, type TrainOptions, type LossKind } from './workload/train/index.js';
export type { Graph, Node, Tensor, TensorType, TensorKind, TensorValue, Phase, Attrs, AttrValue } from './workload/graph.js';
export { OP_CLASSES, type OpClass } from './workload/op.js';
export type { CountTotals, NodeCounts } from './workload/counts.js';
export type { OptimizerName } from './workload/ops/optimizer.js';
export { ZOO as ZOO_MODELS } from './workload/zoo/index.js';
export type { ZooEntry } from './workload/zoo/types.js';
export { compileGraph, graphToCost, type CompileOptions, type Compiled } from './compile/index.js';

// Characterization
export { profile, compare, DEFAULT_DEVICE, type DeviceRef, type ProfileOptions, type CompareOptions, type Comparison } from './api/characterize.js';
export { loadDevice, devicePresets } from './device/load.js';
export { PRECISIONS, TRANSFORM_METHODS, type Device, type Precision as DevicePrecision, type HostLink, type EfficiencyKind, type TransformMethod } from './device/device.js';
export type { Profile, NodeProfile, GroupRow, IntensitySpread, TrainingMemory } from './characterize/profile.js';

// Accelerators, loop nests and the cost of one mapping
export { loadArch, loadLayer, evaluate, type EvaluateOptions } from './api/mapping.js';
export { listPresets as archPresets } from './arch/load.js';
export type { Architecture, StorageLevel, StorageClass, ActionEnergy, ComputeUnit, PrecisionMode, FanOut, Interconnect, VectorUnit } from './arch/types.js';
export type { Problem, DataSpace, Term, Projection } from './problem/types.js';
export type { Cost, CostSum, LevelStats, DataSpaceStats } from './mapping/cost.js';
export { CONVENTIONS, type Convention } from './mapping/model.js';
export type { Directive } from './mapping/directives.js';

// The mapper
export { searchMapping, MAP_DEFAULTS, type SearchSettings, type SearchMappingOptions, type LayerMapping } from './api/mapping.js';
export { mapNetwork, planNetwork, searchNetwork, pickNetwork, assembleNetwork, type MapNetworkOptions, type PlanNetworkOptions, type SearchNetworkOptions } from './api/network.js';
export type { NetworkPlan, LayerPlan, NestPlan, PartitionPlan, Roofline, Searched, NestSearch, FoundMapping, SearchFailure, Picked, Partition, PartitionKind, LayerWork } from './api/network.js';
export { DATAFLOW_CHOICES, type DataflowChoice } from './search/dataflows.js';
export { STRATEGIES, type Strategy, type Budget } from './search/search.js';
export type { NetworkResult, LayerResult, ProblemResult, DataflowCost, LayerTotals } from './network/map.js';

// Reduced precision
export { measureSensitivity, type SensitivityOptions } from './api/precision.js';
export { choosePrecisions, autoPrecisions, type LayerSensitivity, type CandidateDrop, type AutoChoice, type ChooseOptions } from './quantize/auto.js';
export { PRECISIONS as NUMBER_FORMATS, type Precision as NumberFormat } from './quantize/formats.js';
export type { CalibrationMethod } from './quantize/calibrate.js';

// Planners
export { planMemory, planScale, SCALE_DEFAULTS, type PlanMemoryOptions, type MemoryPlanResult, type PlanScaleOptions, type LayerSeconds } from './api/planning.js';
export { POLICIES, type PolicyName, type OffloadKind, type MemoryCategory, type MemoryPlan, type PolicySummary } from './memory/plan.js';
export type { ConvAlgorithm, ConvMethod } from './memory/conv-algos.js';
export type { StepPhase, BufferCategory } from './memory/schedule.js';
export type { ScaleReport } from './scaleout/scale.js';
export type { StepResult, ParallelMode } from './scaleout/step.js';
export { EXCHANGE_MODES, type ExchangeAlgorithm, type ExchangeMode } from './scaleout/exchange.js';
export type { SweepRow } from './scaleout/sweep.js';
export { TOPOLOGY_NAMES, type TopologyName } from './scaleout/system.js';

// Design-space exploration and its results store
export { loadSpace, spaceSize, designKnobs, type DesignSpace, type Knob, type KnobValue, type Design } from './explore/space.js';
export { explore, defaultObjectives, EXPLORE_OBJECTIVES, EXPLORE_MAPPER_DEFAULTS, type ExploreObjective, type ExploreOptions, type ExploreWorkload, type ExploreProgress, type ExploredDesign, type ExploreResult, type InnerMapper, type DesignStore, type DesignEvaluator, type DesignPoint, type EvaluatedPoint, type ExplorationContext } from './explore/explore.js';
export { DESIGN_STRATEGIES, type DesignStrategy } from './explore/search.js';
export { loadSuite, type SuiteEntry } from './explore/suite.js';
export { powerModel, powerAt, type PowerModel } from './explore/power.js';
export { paretoFront, hypervolume } from './explore/pareto.js';
export { queueCoordinator, queueWorker } from './api/queue.js';
export type { QueueCoordinator, QueueCoordinatorOptions, CoordinatorEvent } from './queue/coordinator.js';
export type { QueueWorker, QueueWorkerOptions, WorkerEvent, WorkerSummary } from './queue/worker.js';
export { openStore, ResultsStore, type StoredDesign, type StoredLayer, type StoredWorkload } from './store/store.js';

// Other tools: SCALE-Sim's systolic array, Timeloop's inputs
export { simulateSystolic, replayScaleSim, readScaleSim, readTimeloop, type ScaleSimInputs, type SystolicOptions, type SystolicResult, type ScaleSimReplayOptions, type ScaleSimReplayResult, type TimeloopOptions, type TimeloopResult } from './api/interop.js';
export type { SystolicArraySpec, SystolicLayer, ConvLayer, GemmLayer, LayerResult as SystolicLayerResult, Dataflow as SystolicDataflow, OperandTriple, AccessSpan } from './sim/systolic/types.js';
export type { NetworkTotals as SystolicTotals } from './sim/systolic/simulate.js';
export type { ScaleSimConfig } from './interop/scalesim/config.js';
export type { ScaleSimLayer, SramSpan as ScaleSimSramSpan } from './interop/scalesim/replay.js';
export type { DramStream as ScaleSimDramStream } from './interop/scalesim/buffers.js';
export type { TimeloopStats, TimeloopLevelStats, TimeloopDataSpaceStats } from './interop/timeloop/stats.js';
export type { ErtMode } from './interop/timeloop/ert.js';

// The VTA backend: int8 compilation, simulation and schedule tuning
export { compileForVta, runOnVta, type VtaCompileOptions, type VtaCompileResult } from './api/vta.js';
export { loadVtaTarget, type VtaTarget } from './targets/vta/spec.js';
export { TuningLog, type TuningRecord } from './targets/vta/tune.js';
export type { LayerFigures as VtaLayerFigures, VtaCompiled } from './targets/vta/compile.js';

// Errors and progress
export { AccelmapError, isAccelmapError, type ErrorCode, type ErrorLocation } from './util/errors.js';
export type { OnProgress } from './api/progress.js';
