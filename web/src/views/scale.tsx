import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import { useJob, useKept } from '../state.js';
import { Field, JobBar, ModelPicker, NumberInput, Select, Table } from '../ui.js';

interface Step {
  devices: number;
  stepSeconds: number;
  computeSeconds: number;
  exposedCommSeconds: number;
  samplesPerSecond: number;
  scalingEfficiency: number;
}

interface ScaleResult {
  model: string;
  topology: string;
  devices: number;
  parallel: string;
  exchange: string;
  result: Step;
  sweeps: { method: string; rows: Step[] }[];
}

/** The Scale view: scaling curves of a training step per gradient compression method on a topology. */
export function ScaleView({ meta }: { meta: Meta }) {
  const [model, setModel] = useKept('scale:model', 'resnet50');
  const [devices, setDevices] = useKept('scale:devices', 64);
  const [topology, setTopology] = useKept('scale:topology', 'ring');
  const [linkGbps, setLinkGbps] = useKept('scale:link', 100);
  const [parallel, setParallel] = useKept('scale:parallel', 'dp');
  const job = useJob<ScaleResult>('scale');
  const r = job.result;
  return (
    <section>
      <div class="form">
        <Field label="model">
          <ModelPicker meta={meta} value={model} onChange={setModel} />
        </Field>
        <Field label="devices">
          <NumberInput name="devices" value={devices} onChange={setDevices} />
        </Field>
        <Field label="topology">
          <Select name="topology" value={topology} options={meta.topologies} onChange={setTopology} />
        </Field>
        <Field label="link Gb/s">
          <NumberInput name="linkGbps" value={linkGbps} onChange={setLinkGbps} />
        </Field>
        <Field label="parallelism">
          <Select name="parallel" value={parallel} options={['dp', 'tp', 'pp']} onChange={setParallel} />
        </Field>
        <JobBar job={job} label="Scale" onRun={() => job.start('scale', { model, devices, topology, linkGbps, parallel })} />
      </div>
      {r && (
        <>
          <h2>
            {r.model} on {r.devices} devices ({r.topology}, {r.parallel}): step {fmt.seconds(r.result.stepSeconds)}, scaling efficiency {fmt.percent(r.result.scalingEfficiency)}
          </h2>
          <p class="muted">{r.exchange}</p>
          <div class="grid2">
            <Chart
              name="throughput"
              option={{
                tooltip: { trigger: 'axis' },
                legend: {},
                grid: { left: 70, right: 20, top: 40, bottom: 50 },
                xAxis: { type: 'log', logBase: 2, name: 'devices', nameLocation: 'middle', nameGap: 30 },
                yAxis: { type: 'value', name: 'samples/s', axisLabel: { formatter: (v: number) => fmt.count(v) } },
                series: r.sweeps.map((s) => ({ name: s.method, type: 'line', data: s.rows.map((x) => [x.devices, x.samplesPerSecond]) })),
              }}
            />
            <Chart
              name="efficiency"
              option={{
                tooltip: { trigger: 'axis' },
                legend: {},
                grid: { left: 70, right: 20, top: 40, bottom: 50 },
                xAxis: { type: 'log', logBase: 2, name: 'devices', nameLocation: 'middle', nameGap: 30 },
                yAxis: { type: 'value', name: 'scaling efficiency', max: 1, axisLabel: { formatter: (v: number) => fmt.percent(v) } },
                series: r.sweeps.map((s) => ({ name: s.method, type: 'line', data: s.rows.map((x) => [x.devices, x.scalingEfficiency]) })),
              }}
            />
          </div>
          <Table
            name="scale"
            rows={r.sweeps.map((s) => ({ method: s.method, ...s.rows[s.rows.length - 1]! }))}
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
