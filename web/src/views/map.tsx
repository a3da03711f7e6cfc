import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import type { MapJobResult } from '../../../src/serve/tasks.js';
import type { LayerResult as Layer } from '../../../src/network/result.js';
import { loopNest } from '../mapped.js';
import { useKept } from '../state.js';
import { Table, useJobForm } from '../ui.js';

const OBJECTIVES = ['edp', 'latency', 'energy', 'energy,latency', 'latency,energy'];

/** What the layer table shows of a layer (and of the totals). */
type TableRow = Pick<Layer, 'name' | 'op' | 'macs' | 'cycles' | 'energyPj' | 'utilization' | 'ratio' | 'dataflow'> & { bound: string };

/** The Map view: a model on an accelerator, each layer's best mapping: table, charts, loop nests, energy by level, compiled against as exported. */
export function MapView({ meta, onResult }: { meta: Meta; onResult: (r: MapJobResult) => void }) {
  const [picked, setPicked] = useKept<number | null>('map:picked', null);
  const { job, form } = useJobForm<MapJobResult>(meta, 'map', {
    label: 'Map',
    initial: { model: 'resnet18', arch: meta.archs.includes('eyeriss') ? 'eyeriss' : meta.archs[0]!, dataflow: 'auto', objective: 'edp', strategy: 'hybrid', budget: 80000, seed: 1, fuse: true },
    fields: [
      { key: 'model', label: 'model', type: 'model' },
      { key: 'arch', label: 'arch', type: 'arch' },
      { key: 'dataflow', label: 'dataflow', type: 'select', options: meta.dataflows },
      { key: 'objective', label: 'objective', type: 'select', options: OBJECTIVES },
      { key: 'strategy', label: 'strategy', type: 'select', options: meta.strategies },
      { key: 'budget', label: 'budget (evaluations per loop nest)', type: 'number' },
      { key: 'seed', label: 'seed', type: 'number' },
      { key: 'fuse', label: 'compile (fuse)', type: 'checkbox' },
    ],
    started: (result) => {
      setPicked(null);
      result.then(onResult, () => {});
    },
  });
  const r = job.result?.result;
  const layers = r?.layers ?? [];
  const levels = r ? energyByLevel(layers) : [];
  const layer = picked !== null ? layers[picked] : undefined;
  return (
    <section>
      {form}
      {r && (
        <>
          <h2 data-summary>
            {r.model} ({r.mode}, batch {r.batch}) on {r.arch}: <span data-total-cycles={r.totals.cycles}>{fmt.count(r.totals.cycles)} cycles</span> ({fmt.seconds(r.totals.seconds)}), <span data-total-energy={r.totals.energyPj}>{fmt.energy(r.totals.energyPj)}</span>, utilization {fmt.percent(r.totals.utilization)}
          </h2>
          <p class="muted">
            {r.totals.layers} layers, {r.totals.distinctProblems} distinct loop nests, {r.totals.evaluations.toLocaleString('en-US')} mappings evaluated; dataflow {r.dataflow}, objective {r.objective}
          </p>
          <div class="grid2">
            <div>
              <h3>Per layer</h3>
              <Chart
                name="layers"
                onClick={(_s, i) => setPicked(i)}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: {},
                  grid: { left: 60, right: 60, top: 30, bottom: 60 },
                  dataZoom: [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 8 }],
                  xAxis: { type: 'category', data: layers.map((l) => l.name), axisLabel: { show: false } },
                  yAxis: [
                    { type: 'value', name: 'cycles', axisLabel: { formatter: (v: number) => fmt.count(v) } },
                    { type: 'value', name: 'pJ', axisLabel: { formatter: (v: number) => fmt.count(v) } },
                  ],
                  series: [
                    { name: 'cycles', type: 'bar', data: layers.map((l) => l.cycles) },
                    { name: 'energy (pJ)', type: 'line', yAxisIndex: 1, data: layers.map((l) => l.energyPj) },
                  ],
                }}
              />
            </div>
            <div>
              <h3>Energy by level</h3>
              <Chart
                name="levels"
                option={{
                  tooltip: { formatter: (p: { name: string; value: number }) => `${p.name}: ${fmt.energy(p.value)}` },
                  grid: { left: 100, right: 20, top: 10, bottom: 30 },
                  xAxis: { type: 'value', name: 'pJ', axisLabel: { formatter: (v: number) => fmt.count(v) } },
                  yAxis: { type: 'category', data: levels.map(([k]) => k) },
                  series: [{ name: 'energy (pJ)', type: 'bar', data: levels.map(([, v]) => v) }],
                }}
              />
            </div>
          </div>
          {r.uncompiled && (
            <>
              <h3>Compiled against as exported</h3>
              <Table
                name="compiled"
                rows={[
                  { what: 'as exported', ...r.uncompiled },
                  { what: 'compiled', cycles: r.totals.cycles, energyPj: r.totals.energyPj, dramWords: r.totals.dramWords, layers: r.totals.layers },
                ]}
                columns={[
                  { label: '', value: (x) => x.what },
                  { label: 'layers', value: (x) => x.layers, numeric: true },
                  { label: 'cycles', value: (x) => fmt.count(x.cycles), raw: (x) => x.cycles, numeric: true },
                  { label: 'energy', value: (x) => fmt.energy(x.energyPj), raw: (x) => x.energyPj, numeric: true },
                  { label: 'DRAM words', value: (x) => fmt.count(x.dramWords), raw: (x) => x.dramWords, numeric: true },
                ]}
              />
            </>
          )}
          <h3>Layers (click one for its loop nest)</h3>
          <div class="grid2 wide-left">
            <Table<TableRow>
              name="layers"
              rows={layers}
              selected={picked}
              onRow={(_l, i) => setPicked(i)}
              total={{ name: 'total', op: '', macs: r.totals.macs, cycles: r.totals.cycles, energyPj: r.totals.energyPj, utilization: r.totals.utilization, bound: '', ratio: NaN, dataflow: null }}
              columns={[
                { label: 'layer', value: (l) => l.name },
                { label: 'op', value: (l) => l.op },
                { label: 'dataflow', value: (l) => l.dataflow ?? '' },
                { label: 'MACs', value: (l) => fmt.count(l.macs), raw: (l) => l.macs, numeric: true },
                { label: 'cycles', value: (l) => fmt.count(l.cycles), raw: (l) => l.cycles, numeric: true },
                { label: 'energy', value: (l) => fmt.energy(l.energyPj), raw: (l) => l.energyPj, numeric: true },
                { label: 'util', value: (l) => fmt.percent(l.utilization), numeric: true },
                { label: 'bound', value: (l) => l.bound },
                { label: 'ratio', value: (l) => (Number.isNaN(l.ratio) ? '' : l.ratio.toFixed(2)), numeric: true },
              ]}
            />
            <div class="loopnest">
              {layer ? (
                <>
                  <h4>{layer.name}</h4>
                  {layer.problems.map((p, k) => (p.mapping ? <pre key={k} data-loopnest>{loopNest(p.mapping)}</pre> : null))}
                  {layer.kind === 'vector' && <p class="muted">on the vector unit: no loop nest</p>}
                </>
              ) : (
                <p class="muted">no layer picked</p>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** Energy per storage level (with its network), the MACs, leakage and interconnect over every layer's loop nests (each times its repeats), and the vector unit's (ops without MACs, fused epilogues). */
function energyByLevel(layers: Layer[]): [string, number][] {
  const sums = new Map<string, number>();
  const add = (k: string, v: number) => sums.set(k, (sums.get(k) ?? 0) + v);
  for (const l of layers) {
    for (const p of l.problems) for (const [k, v] of Object.entries(p.energyByLevelPj)) add(k, v * p.repeat);
    if (l.kind === 'vector') add('vector unit', l.energyPj);
    else if (l.epilogue) add('vector unit', l.epilogue.energyPj);
  }
  return [...sums];
}
