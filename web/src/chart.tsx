import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([BarChart, LineChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, MarkLineComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Each series' name and the sum of its numeric values (y of [x, y] pairs): written on the chart's element, so what is drawn can be checked. */
function seriesSums(option: ChartOption): Record<string, number> {
  const sums: Record<string, number> = {};
  const series = (option as { series?: { name?: string; data?: unknown[] }[] }).series ?? [];
  series.forEach((s, i) => {
    let sum = 0;
    for (const d of s.data ?? []) {
      const v = Array.isArray(d) ? d[1] : typeof d === 'object' && d !== null ? (d as { value?: unknown }).value : d;
      const y = Array.isArray(v) ? v[1] : v;
      if (typeof y === 'number') sum += y;
    }
    sums[s.name ?? String(i)] = sum;
  });
  return sums;
}

/** An ECharts chart (SVG), redrawn when its option changes; `onClick` gets the clicked item's series and data index. */
export function Chart({ option, height = 320, name, onClick }: { option: ChartOption; height?: number; name: string; onClick?: (seriesIndex: number, dataIndex: number) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'svg' });
    chart.current = c;
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current!);
    return () => {
      resize.disconnect();
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current!.setOption({ animation: false, ...option }, true);
  }, [option]);
  useEffect(() => {
    const c = chart.current!;
    c.off('click');
    if (onClick) c.on('click', (p) => onClick(p.seriesIndex ?? 0, p.dataIndex));
  }, [onClick]);
  return <div class="chart" data-chart={name} data-sums={JSON.stringify(seriesSums(option))} ref={el} style={{ height: `${height}px` }} />;
}
