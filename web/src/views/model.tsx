import { useMemo } from 'preact/hooks';
import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import type { MapJobResult, ProfileJobResult as ProfileResult } from '../../../src/serve/tasks.js';
import { GraphView } from '../graph.js';
import { mappedMetrics } from '../mapped.js';
import { useKept } from '../state.js';
import { defaultDevice, Field, Select, Table, useJobForm } from '../ui.js';

const METRICS = ['MACs', 'modeled time', 'mapped cycles', 'mapped energy'] as const;

/** The Model view: a zoo model or an uploaded ONNX file: its graph, op-type profile, roofline, and training against inference. */
export function ModelView({ meta, lastMap }: { meta: Meta; lastMap: MapJobResult | null }) {
  const { job, form } = useJobForm<ProfileResult>(meta, 'profile', {
    label: 'Profile',
    initial: { model: 'resnet18', device: defaultDevice(meta) },
    fields: [
      { key: 'model', label: 'model', type: 'model' },
      { key: 'device', label: 'roofline device', type: 'select', options: meta.devices },
    ],
  });
  const [metric, setMetric] = useKept<(typeof METRICS)[number]>('model:metric', 'MACs');
  const r = job.result;
  const mapped = lastMap && r && lastMap.graph.name === r.graph.name ? mappedMetrics(lastMap) : null;
  const values = useMemo(() => {
    if (!r) return undefined;
    if (metric === 'MACs') return Object.fromEntries(r.inference.nodes.map((n) => [n.name, n.macs]));
    if (metric === 'modeled time') return Object.fromEntries(r.inference.nodes.map((n) => [n.name, n.seconds]));
    if (!mapped) return undefined;
    return metric === 'mapped cycles' ? mapped.cycles : mapped.energyPj;
  }, [r, metric, mapped]);
  return (
    <section>
      {form}
      {r && (
        <>
          <h2>
            {r.inference.model}: {fmt.count(r.inference.params)} parameters, {fmt.count(r.inference.totals.macs)} MACs, {fmt.seconds(r.inference.totals.seconds)} on {r.inference.device.name} (roofline)
          </h2>
          <div class="row">
            <Field label="colour by">
              <Select name="colour" value={metric} options={METRICS} onChange={(v) => setMetric(v as (typeof METRICS)[number])} />
            </Field>
            {metric.startsWith('mapped') && !mapped && <span class="muted">map this model in the Map view to colour by its mapped cost</span>}
          </div>
          <GraphView nodes={r.graph.nodes} metric={values} metricName={metric} />
          <div class="grid2">
            <div>
              <h3>Op-type profile</h3>
              <Chart
                name="op-types"
                option={{
                  tooltip: {},
                  grid: { left: 110, right: 20, top: 10, bottom: 30 },
                  xAxis: { type: 'value', name: 'share of time', axisLabel: { formatter: (v: number) => fmt.percent(v) } },
                  yAxis: { type: 'category', inverse: true, data: r.inference.byOpType.slice(0, 15).map((g) => g.key) },
                  series: [{ name: 'time share', type: 'bar', data: r.inference.byOpType.slice(0, 15).map((g) => g.timeShare) }],
                }}
              />
            </div>
            <div>
              <h3>Roofline ({r.inference.device.name})</h3>
              <Chart name="roofline" option={roofline(r)} />
            </div>
          </div>
          <h3>Training step against inference</h3>
          <Table
            name="train-vs-infer"
            rows={[
              { what: 'inference', t: r.inference.totals },
              { what: 'training step', t: r.training.totals },
            ]}
            columns={[
              { label: '', value: (x) => x.what },
              { label: 'MACs', value: (x) => fmt.count(x.t.macs), raw: (x) => x.t.macs, numeric: true },
              { label: 'FLOPs', value: (x) => fmt.count(x.t.flops), raw: (x) => x.t.flops, numeric: true },
              { label: 'bytes read', value: (x) => fmt.bytes(x.t.bytesRead), numeric: true },
              { label: 'bytes written', value: (x) => fmt.bytes(x.t.bytesWritten), numeric: true },
              { label: 'time (roofline)', value: (x) => fmt.seconds(x.t.seconds), raw: (x) => x.t.seconds, numeric: true },
            ]}
          />
          {r.training.memory && (
            <p class="muted">
              training memory:{' '}
              {Object.entries(r.training.memory)
                .map(([k, v]) => `${k.replace(/Bytes$/, '')} ${fmt.bytes(v)}`)
                .join(', ')}
            </p>
          )}
          <Chart
            name="phases"
            height={220}
            option={{
              tooltip: {},
              grid: { left: 90, right: 20, top: 10, bottom: 30 },
              xAxis: { type: 'value', name: 'seconds' },
              yAxis: { type: 'category', data: r.training.byPhase.map((p) => p.key) },
              series: [{ name: 'training time by phase', type: 'bar', data: r.training.byPhase.map((p) => p.seconds) }],
            }}
          />
        </>
      )}
    </section>
  );
}

/** Each op with MACs at its arithmetic intensity and attained FLOP/s, under the device's roofs. */
function roofline(r: ProfileResult) {
  const d = r.inference.device;
  const ridge = d.peakFlopsPerSecond / d.memoryBandwidthBytesPerSecond;
  const ops = r.inference.nodes.filter((n) => n.flops > 0 && n.seconds > 0 && n.intensity > 0 && Number.isFinite(n.intensity));
  const xs = ops.map((n) => n.intensity);
  const lo = Math.min(ridge / 100, ...xs), hi = Math.max(ridge * 100, ...xs);
  return {
    tooltip: { formatter: (p: { data: [number, number, string] }) => `${p.data[2]}<br>${p.data[0].toPrecision(3)} FLOP/B, ${fmt.count(p.data[1])}FLOP/s` },
    grid: { left: 70, right: 20, top: 20, bottom: 40 },
    xAxis: { type: 'log', name: 'FLOP/byte', nameLocation: 'middle', nameGap: 25, min: lo, max: hi },
    yAxis: { type: 'log', name: 'FLOP/s', axisLabel: { formatter: (v: number) => fmt.count(v) } },
    series: [
      { name: 'roof', type: 'line', showSymbol: false, data: [[lo, lo * d.memoryBandwidthBytesPerSecond], [ridge, d.peakFlopsPerSecond], [hi, d.peakFlopsPerSecond]] },
      { name: 'ops', type: 'scatter', symbolSize: 6, data: ops.map((n) => [n.intensity, n.flops / n.seconds, n.name]) },
    ],
  };
}
