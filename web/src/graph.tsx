import dagre from '@dagrejs/dagre';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';

export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
}

interface Placed {
  name: string;
  op: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Layout {
  nodes: Placed[];
  edges: { points: { x: number; y: number }[] }[];
  width: number;
  height: number;
  ms: number;
}

/** Lays the graph out top to bottom, one box per op and one edge per tensor from its producer to each consumer (as Netron draws a model). */
function layout(nodes: GraphNode[]): Layout {
  const t0 = performance.now();
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 26, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const producer = new Map<string, string>();
  for (const n of nodes) {
    g.setNode(n.name, { width: Math.max(70, n.op.length * 7.5 + 16), height: 26 });
    for (const t of n.outputs) producer.set(t, n.name);
  }
  for (const n of nodes) for (const t of n.inputs) {
    const from = producer.get(t);
    if (from !== undefined && from !== n.name) g.setEdge(from, n.name);
  }
  dagre.layout(g);
  const placed = nodes.map((n) => {
    const p = g.node(n.name);
    return { name: n.name, op: n.op, x: p.x, y: p.y, w: p.width, h: p.height };
  });
  const edges = g.edges().map((e) => ({ points: g.edge(e).points }));
  const { width = 0, height = 0 } = g.graph();
  return { nodes: placed, edges, width, height, ms: performance.now() - t0 };
}

/** A light-to-dark blue for t in [0, 1]. */
function shade(t: number): string {
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${c(222, 8)}, ${c(235, 48)}, ${c(247, 107)})`;
}

/**
 * The model's graph, laid out with dagre and drawn as SVG, each op coloured
 * by `metric` (log scale) where it has a value; drag to pan, wheel to zoom.
 */
export function GraphView({ nodes, metric, metricName }: { nodes: GraphNode[]; metric?: Record<string, number>; metricName?: string }) {
  const l = useMemo(() => layout(nodes), [nodes]);
  const [view, setView] = useState({ x: 0, y: 0, k: 1 });
  const [selected, setSelected] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const drawn = useRef<number>(0);
  const [renderMs, setRenderMs] = useState<number | null>(null);
  const t0 = useRef(0);
  t0.current = performance.now();
  useLayoutEffect(() => {
    if (drawn.current === l.nodes.length) return;
    drawn.current = l.nodes.length;
    setRenderMs(l.ms + performance.now() - t0.current);
  }, [l]);
  const values = metric ? Object.values(metric).filter((v) => v > 0) : [];
  const lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
  const fill = (name: string) => {
    const v = metric?.[name];
    if (v === undefined || v <= 0) return '#f4f4f4';
    return shade(hi > lo ? (Math.log10(v) - lo) / (hi - lo) : 1);
  };
  const drag = useRef<{ x: number; y: number } | null>(null);
  return (
    <div class="graph">
      <div class="graph-bar">
        {nodes.length} ops{metricName ? `, coloured by ${metricName}` : ''}
        {renderMs !== null && <span data-render-ms={renderMs.toFixed(1)}> · laid out and drawn in {renderMs.toFixed(0)} ms</span>}
        {selected && (
          <span class="selected">
            {' '}
            · {selected}
            {metric?.[selected] !== undefined ? `: ${metric[selected]!.toPrecision(3)} ${metricName ?? ''}` : ''}
          </span>
        )}
        <button onClick={() => setView({ x: 0, y: 0, k: 1 })}>reset view</button>
      </div>
      <svg
        ref={svg}
        class="graph-svg"
        data-nodes={l.nodes.length}
        onWheel={(e) => {
          e.preventDefault();
          const k = Math.min(4, Math.max(0.05, view.k * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
          setView({ ...view, k });
        }}
        onMouseDown={(e) => (drag.current = { x: e.clientX - view.x, y: e.clientY - view.y })}
        onMouseMove={(e) => drag.current && setView({ ...view, x: e.clientX - drag.current.x, y: e.clientY - drag.current.y })}
        onMouseUp={() => (drag.current = null)}
        onMouseLeave={() => (drag.current = null)}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#888" />
          </marker>
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          {l.edges.map((e, i) => (
            <polyline key={i} points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" stroke="#999" stroke-width="1" marker-end="url(#arrow)" />
          ))}
          {l.nodes.map((n) => (
            <g key={n.name} class="op" transform={`translate(${n.x - n.w / 2},${n.y - n.h / 2})`} onClick={() => setSelected(n.name)}>
              <title>{`${n.name} (${n.op})${metric?.[n.name] !== undefined ? `\n${metricName}: ${metric[n.name]!.toPrecision(3)}` : ''}`}</title>
              <rect width={n.w} height={n.h} rx="4" fill={fill(n.name)} stroke={selected === n.name ? '#e4572e' : '#555'} stroke-width={selected === n.name ? 2 : 0.8} />
              <text x={n.w / 2} y={n.h / 2 + 4} text-anchor="middle" font-size="11" fill={metric?.[n.name] !== undefined && hi > lo && (Math.log10(metric[n.name]!) - lo) / (hi - lo) > 0.55 ? '#fff' : '#111'}>
                {n.op}
              </text>
            </g>
          ))}
        </g>
      </svg>
    </div>
  );
}
