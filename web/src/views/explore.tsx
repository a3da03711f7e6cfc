import { useEffect, useMemo } from 'preact/hooks';
import type { StoredDesign, StoredLayer } from '../../../src/store/store.js';
import { get, type Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import { useKept } from '../state.js';
import { Field, Select, Table, useJobForm } from '../ui.js';

/** A stored design as GET /api/designs gives it. */
interface Design extends Omit<StoredDesign, 'layers'> {
  /** The space and the workloads it was evaluated on: designs compare within one group. */
  group: string;
  front: boolean;
}

interface DesignDetail extends Design {
  layers: StoredLayer[];
}

/** A log axis spanning the points with a margin, however narrow their spread. */
const around = { min: (v: { min: number }) => v.min / 1.15, max: (v: { max: number }) => v.max * 1.15 };

/** The Explore view: the Pareto front of the designs in the results store, refreshed as a run adds to it; click a point for its design, pick two to compare. */
export function ExploreView({ meta }: { meta: Meta }) {
  const [store, setStore] = useKept<{ groups: string[]; designs: Design[] } | null>('explore:store', null);
  const [shown, setShown] = useKept<string | null>('explore:shown', null);
  const [picks, setPicks] = useKept<DesignDetail[]>('explore:picks', []);
  const [error, setError] = useKept<string | null>('explore:error', null);
  const refresh = () => get<{ groups: string[]; designs: Design[] }>('/api/designs').then(setStore, (e: Error) => setError(e.message));
  const { form } = useJobForm<unknown>(meta, 'explore', {
    label: 'Explore',
    initial: { space: meta.spaces[0] ?? '', model: 'resnet18', strategy: 'nsga2', budget: 12, mapBudget: 200 },
    fields: [
      { key: 'space', label: 'design space', type: 'select', options: meta.spaces },
      { key: 'model', label: 'model', type: 'model' },
      { key: 'strategy', label: 'strategy', type: 'select', options: ['nsga2', 'random', 'bayes'] },
      { key: 'budget', label: 'designs', type: 'number' },
      { key: 'mapBudget', label: 'mapper evaluations per loop nest', type: 'number' },
    ],
    toJob: ({ model, ...rest }) => ({ ...rest, models: [model] }),
    // the front is redrawn as each design is stored
    onProgress: () => void refresh(),
    started: (result) => {
      setShown(null); // follow the newest group: the run's
      void result.then(refresh, refresh);
    },
  });
  useEffect(() => void refresh(), []);
  const groupShown = shown ?? store?.groups[store.groups.length - 1] ?? null;
  const designs = useMemo(() => (store?.designs ?? []).filter((d) => d.group === groupShown && d.status === 'ok'), [store, groupShown]);
  const [front, others] = useMemo(() => [designs.filter((d) => d.front), designs.filter((d) => !d.front)], [designs]);
  // built only when the designs change, so that picking a point does not redraw the chart under the pointer
  const chart = useMemo(() => {
    const point = (d: Design) => ({ value: [d.latencyS!, d.energyPj!], symbolSize: 6 + 3 * Math.sqrt(d.areaMm2), hash: d.hash });
    return {
      tooltip: { formatter: (p: { data: { value: [number, number]; hash: string } }) => `${p.data.hash.slice(0, 10)}<br>${fmt.seconds(p.data.value[0])}, ${fmt.energy(p.data.value[1])}` },
      legend: {},
      grid: { left: 80, right: 30, top: 30, bottom: 50 },
      xAxis: { type: 'log', name: 'latency (s)', nameLocation: 'middle', nameGap: 30, ...around },
      yAxis: { type: 'log', name: 'energy (pJ)', ...around, axisLabel: { formatter: (v: number) => fmt.count(v) } },
      series: [
        { name: 'Pareto front', type: 'scatter', z: 3, data: front.map(point), itemStyle: { color: '#e4572e' } },
        { name: 'dominated', type: 'scatter', data: others.map(point), itemStyle: { color: '#9db4c0', opacity: 0.7 } },
      ],
    };
  }, [front, others]);
  const pick = async (hash: string) => {
    const d = await get<DesignDetail>(`/api/designs/${hash}`);
    setPicks([...picks.filter((p) => p.hash !== hash), d].slice(-2));
  };
  return (
    <section>
      {form}
      {error && <div class="error">{error}</div>}
      <div class="row">
        <Field label="stored designs of (space: workloads)">
          <Select name="shown-group" value={groupShown ?? ''} options={store?.groups ?? []} onChange={setShown} />
        </Field>
        <span class="muted" data-design-count={designs.length} data-front-count={front.length}>
          {designs.length} feasible designs, {front.length} on the Pareto front (latency, energy, area; point size: area)
        </span>
        <button onClick={() => void refresh()}>refresh</button>
      </div>
      <Chart
        name="pareto"
        height={380}
        onClick={(s, i) => void pick((s === 0 ? front : others)[i]!.hash)}
        option={chart}
      />
      {picks.length > 0 && (
        <>
          <h3>{picks.length === 2 ? 'Two designs side by side' : 'Design'} (click points to pick; the last two are kept)</h3>
          <Compare designs={picks} />
          {picks.map((d) => (
            <div key={d.hash}>
              <h4>{d.hash.slice(0, 12)}: per layer</h4>
              <Table
                name={`design-layers-${d.hash.slice(0, 12)}`}
                rows={d.layers}
                columns={[
                  { label: 'workload', value: (l) => l.workload },
                  { label: 'layer', value: (l) => l.name },
                  { label: 'op', value: (l) => l.op },
                  { label: 'dataflow', value: (l) => l.dataflow ?? '' },
                  { label: 'cycles', value: (l) => fmt.count(l.cycles), raw: (l) => l.cycles, numeric: true },
                  { label: 'energy', value: (l) => fmt.energy(l.energyPj), raw: (l) => l.energyPj, numeric: true },
                  { label: 'util', value: (l) => fmt.percent(l.utilization), numeric: true },
                ]}
              />
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function Compare({ designs }: { designs: DesignDetail[] }) {
  const knobs = [...new Set(designs.flatMap((d) => Object.keys(d.knobs)))];
  const rows: [string, (d: DesignDetail) => string][] = [
    ['hash', (d) => d.hash.slice(0, 12)],
    ['latency', (d) => fmt.seconds(d.latencyS!)],
    ['energy', (d) => fmt.energy(d.energyPj!)],
    ['area', (d) => `${d.areaMm2.toFixed(2)} mm²`],
    ['on-chip SRAM', (d) => fmt.bytes(d.sramBytes)],
    ...knobs.map((k): [string, (d: DesignDetail) => string] => [k, (d) => String(d.knobs[k] ?? '')]),
  ];
  return (
    <table data-table="compare" class="compare">
      <tbody>
        {rows.map(([label, value]) => {
          const cells = designs.map(value);
          return (
            <tr key={label} class={cells.length === 2 && cells[0] !== cells[1] ? 'differs' : ''}>
              <th>{label}</th>
              {cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
