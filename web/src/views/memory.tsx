import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import { useJob, useKept } from '../state.js';
import { Field, JobBar, ModelPicker, NumberInput, Select, Table } from '../ui.js';

interface Summary {
  policy: string;
  fits: boolean;
  peakBytes: number;
  avgBytes: number;
  offloadedBytes: number;
  stepSeconds: number;
}

interface MemoryResult {
  plan: Summary & { model: string; batch: number; device: { name: string; capacityBytes: number } };
  policies: Summary[];
  timelines: { policy: string; memory: { seconds: number; bytes: number }[] }[];
}

/** The Memory view: device memory over one training step under each policy, and the policies side by side. */
export function MemoryView({ meta }: { meta: Meta }) {
  const [model, setModel] = useKept('memory:model', 'resnet18');
  const [batch, setBatch] = useKept('memory:batch', 32);
  const [device, setDevice] = useKept('memory:device', meta.devices.includes('v100-16gb') ? 'v100-16gb' : meta.devices[0]!);
  const [policy, setPolicy] = useKept('memory:policy', 'dyn');
  const job = useJob<MemoryResult>('memory');
  const r = job.result;
  return (
    <section>
      <div class="form">
        <Field label="model">
          <ModelPicker meta={meta} value={model} onChange={setModel} />
        </Field>
        <Field label="batch">
          <NumberInput name="batch" value={batch} onChange={setBatch} />
        </Field>
        <Field label="device">
          <Select name="device" value={device} options={meta.devices} onChange={setDevice} />
        </Field>
        <Field label="policy">
          <Select name="policy" value={policy} options={meta.policies} onChange={setPolicy} />
        </Field>
        <JobBar job={job} label="Plan" onRun={() => job.start('memory', { model, batch, device, policy })} />
      </div>
      {r && (
        <>
          <h2>
            {r.plan.model}, batch {r.plan.batch}, on {r.plan.device.name} ({fmt.bytes(r.plan.device.capacityBytes)}): {r.plan.policy} peaks at {fmt.bytes(r.plan.peakBytes)}, {r.plan.fits ? 'fits' : 'does not fit'}
          </h2>
          <Chart
            name="memory"
            height={380}
            option={{
              tooltip: { trigger: 'axis' },
              legend: {},
              grid: { left: 80, right: 30, top: 40, bottom: 50 },
              xAxis: { type: 'value', name: 'seconds into the step', nameLocation: 'middle', nameGap: 30 },
              yAxis: { type: 'value', name: 'device memory', axisLabel: { formatter: (v: number) => fmt.bytes(v) } },
              series: r.timelines.map((t) => ({ name: t.policy, type: 'line', step: 'end', showSymbol: false, data: t.memory.map((m) => [m.seconds, m.bytes]) })),
            }}
          />
          <Table
            name="policies"
            rows={r.policies}
            columns={[
              { label: 'policy', value: (p) => p.policy },
              { label: 'fits', value: (p) => (p.fits ? 'yes' : 'no') },
              { label: 'peak', value: (p) => fmt.bytes(p.peakBytes), raw: (p) => p.peakBytes, numeric: true },
              { label: 'average', value: (p) => fmt.bytes(p.avgBytes), numeric: true },
              { label: 'offloaded', value: (p) => fmt.bytes(p.offloadedBytes), numeric: true },
              { label: 'step', value: (p) => fmt.seconds(p.stepSeconds), raw: (p) => p.stepSeconds, numeric: true },
            ]}
          />
        </>
      )}
    </section>
  );
}
