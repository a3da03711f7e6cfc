import type { MemoryJobResult as MemoryResult } from '../../../src/serve/tasks.js';
import type { Meta } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';
import { defaultDevice, Table, useJobForm } from '../ui.js';

/** The Memory view: device memory over one training step under each policy, and the policies side by side. */
export function MemoryView({ meta }: { meta: Meta }) {
  const { job, form } = useJobForm<MemoryResult>(meta, 'memory', {
    label: 'Plan',
    initial: { model: 'resnet18', batch: 32, device: defaultDevice(meta), policy: 'dyn' },
    fields: [
      { key: 'model', label: 'model', type: 'model' },
      { key: 'batch', label: 'batch', type: 'number' },
      { key: 'device', label: 'device', type: 'select', options: meta.devices },
      { key: 'policy', label: 'policy', type: 'select', options: meta.policies },
    ],
  });
  const r = job.result;
  return (
    <section>
      {form}
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
