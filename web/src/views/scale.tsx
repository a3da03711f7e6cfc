import type { SweepRow as Step } from '../../../src/scaleout/sweep.js';
import type { ScaleJobResult as ScaleResult } from '../../../src/serve/tasks.js';
import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import { Table, useJobForm } from '../ui.js';

/** The Scale view: scaling curves of a training step per gradient compression method on a topology. */
export function ScaleView({ meta }: { meta: Meta }) {
  const { job, form } = useJobForm<ScaleResult>(meta, 'scale', {
    label: 'Scale',
    initial: { model: 'resnet50', devices: 64, topology: 'ring', linkGbps: 100, parallel: 'dp' },
    fields: [
      { key: 'model', label: 'model', type: 'model' },
      { key: 'devices', label: 'devices', type: 'number' },
      { key: 'topology', label: 'topology', type: 'select', options: meta.topologies },
      { key: 'linkGbps', label: 'link Gb/s', type: 'number' },
      { key: 'parallel', label: 'parallelism', type: 'select', options: ['dp', 'tp', 'pp'] },
    ],
  });
  const r = job.result;
  return (
    <section>
      {form}
      {r && (
        <>
          <h2>
            {r.model} on {r.devices} devices ({r.topology}, {r.parallel}): step {fmt.seconds(r.result.stepSeconds)}, scaling efficiency {fmt.percent(r.result.scalingEfficiency)}
          </h2>
          <p class="muted">{r.exchange}</p>
          <div class="grid2">
            <Chart name="throughput" option={sweepChart(r.sweeps.map((s) => ({ name: s.method, rows: s.rows })), 'samples/s', (x) => x.samplesPerSecond, fmt.count)} />
            <Chart name="efficiency" option={sweepChart(r.sweeps.map((s) => ({ name: s.method, rows: s.rows })), 'scaling efficiency', (x) => x.scalingEfficiency, fmt.percent, 1)} />
          </div>
          <h3>Per topology (no compression)</h3>
          {r.topologies
            .filter((t) => t.refused)
            .map((t) => (
              <p key={t.topology} class="muted">
                {t.topology}: {t.refused}
              </p>
            ))}
          <div class="grid2">
            <Chart name="topology-throughput" option={sweepChart(r.topologies.map((t) => ({ name: t.topology, rows: t.rows })), 'samples/s', (x) => x.samplesPerSecond, fmt.count)} />
            <Chart name="topology-efficiency" option={sweepChart(r.topologies.map((t) => ({ name: t.topology, rows: t.rows })), 'scaling efficiency', (x) => x.scalingEfficiency, fmt.percent, 1)} />
          </div>
          <Table
            name="scale"
            rows={r.sweeps.map((s) => s.rows[s.rows.length - 1]!)}
            columns={[
              { label: 'compression', value: (x) => x.method },
              { label: 'devices', value: (x) => x.devices, numeric: true },
              { label: 'step', value: (x) => fmt.seconds(x.stepSeconds), numeric: true },
              { label: 'exposed comm', value: (x) => fmt.seconds(x.exposedCommSeconds), numeric: true },
              { label: 'samples/s', value: (x) => fmt.count(x.samplesPerSecond), numeric: true },
              { label: 'efficiency', value: (x) => fmt.percent(x.scalingEfficiency), numeric: true },
            ]}
          />
        </>
      )}
    </section>
  );
}

/** One line per compression method (or topology) over the device counts swept. */
function sweepChart(lines: { name: string; rows: Step[] }[], name: string, y: (s: Step) => number, format: (v: number) => string, max?: number) {
  return {
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: { left: 70, right: 20, top: 40, bottom: 50 },
    xAxis: { type: 'log', logBase: 2, name: 'devices', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name, max, axisLabel: { formatter: format } },
    series: lines.map((l) => ({ name: l.name, type: 'line', data: l.rows.map((x) => [x.devices, y(x)]) })),
  };
}
