import { htmlPage, type HtmlSection, type HtmlTable } from './html.js';
import { renderTable } from './table.js';
import { formatBytes, formatCount, formatPercent, formatSeconds } from '../util/units.js';
import type { MemoryPlan, PolicySummary } from '../memory/plan.js';
import { publishedNetworkWideBytes } from '../memory/vdnn.js';

/** Text and HTML views of a memory plan. Memory in binary units (GiB); times in seconds. */

const GiB = 2 ** 30;

function describeConfig(s: PolicySummary): string {
  const parts = [s.offload === 'none' ? 'nothing offloaded' : s.offload === 'conv' ? 'convolution inputs offloaded' : 'all layer inputs offloaded'];
  if (s.hostStateBytes) parts.push('optimizer state on the host between updates');
  if (s.recompute) parts.push('checkpointed and recomputed');
  const convs = s.fastConvolutions + s.leanConvolutions;
  if (convs) parts.push(s.leanConvolutions === 0 ? 'fast convolutions' : s.fastConvolutions === 0 ? 'memory-lean convolutions' : `${s.leanConvolutions} of ${convs} convolutions memory-lean`);
  return parts.join(', ');
}

const POLICY_HEADER = ['policy', 'configuration', 'peak', 'average', 'offloaded', 'step', 'slowdown', 'fits'];

function policyRows(summaries: PolicySummary[]): (string | number)[][] {
  return summaries.map((s) => [s.policy, describeConfig(s), formatBytes(s.peakBytes), formatBytes(s.avgBytes), formatBytes(s.offloadedBytes), formatSeconds(s.stepSeconds), formatPercent(s.slowdown), s.fits ? 'yes' : 'no']);
}

function breakdownRows(plan: MemoryPlan): (string | number)[][] {
  return Object.entries(plan.peak.breakdown)
    .filter(([, bytes]) => bytes > 0)
    .map(([category, bytes]) => [category, formatBytes(bytes), formatPercent(bytes / plan.peakBytes)]);
}

/** The two memory baselines side by side, each with its definition, and the step time slowdowns are measured against. */
function baselineLines(plan: MemoryPlan): string[] {
  const both = (bytes: number) => `${formatBytes(bytes)} (${(bytes / 1e9).toFixed(1)} GB)`;
  const published = publishedNetworkWideBytes(plan.model, plan.batch);
  return [
    'baselines (nothing offloaded, fast convolutions):',
    `  network-wide allocation ${both(plan.networkWideBytes)}: every buffer of the step allocated for the whole step, plus one workspace as large as the largest (vDNN's baseline` +
      (published ? `; vDNN reports ${(published / 1e9).toFixed(0)} GB for ${plan.model} at batch ${plan.batch})` : ')'),
    `  freed when dead ${both(plan.layerWisePeakBytes)} at the peak: each buffer allocated when written and freed after its last reader`,
    `  step ${formatSeconds(plan.baselineStepSeconds)} with unlimited memory (slowdowns are against it)`,
  ];
}

function summaryLines(plan: MemoryPlan): string[] {
  const exposed = plan.stepSeconds - plan.computeSeconds;
  return [
    `${plan.model} · training · batch ${plan.batch} · policy ${plan.policy} on ${plan.device.name} (capacity ${formatBytes(plan.device.capacityBytes)}, host link ${formatCount(plan.device.hostLinkBytesPerSecond)}B/s effective) · times: ${plan.timesSource}`,
    ...baselineLines(plan),
    `plan: ${describeConfig(plan)} — ${plan.fits ? 'fits' : 'does not fit'}`,
    `peak ${formatBytes(plan.peakBytes)} during ${plan.peak.step} (${breakdownRows(plan).map(([c, b]) => `${c} ${b}`).join(', ')}); average ${formatBytes(plan.avgBytes)}`,
    `host link: ${formatBytes(plan.offloadedBytes)} of feature maps offloaded and prefetched` + (plan.hostStateBytes ? `, ${formatBytes(plan.hostStateBytes)} of optimizer state out and back` : '') + `; ${formatBytes(plan.linkBytes)} in all`,
    `step ${formatSeconds(plan.stepSeconds)} = compute ${formatSeconds(plan.computeSeconds - plan.recomputeSeconds)}` +
      (plan.recomputeSeconds ? ` + recompute ${formatSeconds(plan.recomputeSeconds)}` : '') +
      ` + waiting for copies ${formatSeconds(exposed)}; slowdown ${formatPercent(plan.slowdown)} against unlimited memory`,
    ...(plan.recomputation
      ? [`checkpointing: ${plan.recomputation.segments} segments (every ${plan.recomputation.checkpointEvery} cut points), ${plan.recomputation.checkpoints.length} checkpoints, ${plan.recomputation.recomputed.length} nodes recomputed (${(plan.recomputeFlops / 1e9).toFixed(3)} GFLOPs)`]
      : []),
  ];
}

function fastestFitting(policies: PolicySummary[]): PolicySummary | undefined {
  return policies.filter((s) => s.fits).sort((a, b) => a.stepSeconds - b.stepSeconds)[0];
}

/** The terminal report: a note when the plan does not fit, the summary, then every policy compared. */
export function renderMemoryPlan(plan: MemoryPlan, policies: PolicySummary[], maxBatch?: number): string {
  const lines = [...(plan.fits ? [] : [`note: ${plan.model} at batch ${plan.batch} does not fit ${formatBytes(plan.device.capacityBytes)} under ${plan.policy}; see the policies below`]), ...summaryLines(plan)];
  if (maxBatch !== undefined) lines.push(`largest batch that fits ${formatBytes(plan.device.capacityBytes)} under ${plan.policy}: ${maxBatch}`);
  const best = fastestFitting(policies);
  if (best && best.policy !== plan.policy) lines.push(`fastest policy that fits: ${best.policy} (${describeConfig(best)}), step ${formatSeconds(best.stepSeconds)}, slowdown ${formatPercent(best.slowdown)}`);
  return [lines.join('\n'), 'all policies (memory-lean convolutions only where dyn chooses them):\n' + renderTable(POLICY_HEADER, policyRows(policies), { align: POLICY_HEADER.map((_, i) => (i < 2 ? 'left' : 'right')) })].join('\n\n');
}

/** Memory-over-time points in ms and GiB. */
function curve(plan: MemoryPlan): { x: number; y: number }[] {
  return plan.memory.map((m) => ({ x: +(m.seconds * 1e3).toFixed(4), y: +(m.bytes / GiB).toFixed(4) }));
}

export function memoryHtml(plan: MemoryPlan, policies: PolicySummary[], layerWise: MemoryPlan): string {
  const endMs = Math.max(plan.stepSeconds, layerWise.stepSeconds) * 1e3;
  const flat = (label: string, bytes: number, dash: number[]) => ({ label, data: [{ x: 0, y: bytes / GiB }, { x: endMs, y: bytes / GiB }], borderDash: dash, pointRadius: 0, borderWidth: 1 });
  const table = (header: string[], rows: (string | number)[][]): HtmlTable => ({ header, rows });
  const sections: HtmlSection[] = [
    {
      heading: 'Device memory over the training step',
      text: summaryLines(plan).join(' · '),
      chart: {
        type: 'line',
        data: {
          datasets: [
            { label: `${plan.policy}: ${describeConfig(plan)}`, data: curve(plan), stepped: true, pointRadius: 0, borderWidth: 2 },
            { label: 'none: freed when dead, nothing offloaded', data: curve(layerWise), stepped: true, pointRadius: 0, borderWidth: 1 },
            flat('network-wide allocation', plan.networkWideBytes, [6, 3]),
            flat('capacity', plan.device.capacityBytes, [2, 2]),
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          parsing: false,
          scales: { x: { type: 'linear', title: { display: true, text: 'time (ms)' } }, y: { min: 0, title: { display: true, text: 'device memory (GiB)' } } },
        },
      },
    },
    { heading: 'Policies', table: table(POLICY_HEADER, policyRows(policies)) },
    { heading: `Memory at the peak (${plan.peak.step})`, table: table(['category', 'bytes', 'share'], breakdownRows(plan)) },
    {
      heading: 'Convolutions',
      text: 'fast: the cheaper of Winograd F(2×2,3×3) and FFT where they apply and are faster, with their workspace; lean: implicit GEMM, no workspace.',
      table: table(['node', 'algorithm', 'method', 'workspace', 'time'], plan.convolutions.map((c) => [c.node, c.algorithm, c.method, formatBytes(c.workspaceBytes), formatSeconds(c.seconds)])),
    },
    { heading: 'Offloaded buffers', table: table(['buffer', 'bytes'], plan.offloaded.map((o) => [o.buffer, formatBytes(o.bytes)])) },
  ];
  return htmlPage(`Training memory: ${plan.model}, batch ${plan.batch}, ${plan.policy} on ${plan.device.name}`, sections);
}
