import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, type Meta } from './api.js';
import type { MapJobResult } from '../../src/serve/tasks.js';
import './style.css';
import { ExploreView } from './views/explore.js';
import { MapView } from './views/map.js';
import { MemoryView } from './views/memory.js';
import { ModelView } from './views/model.js';
import { RunsView } from './views/runs.js';
import { ScaleView } from './views/scale.js';

const VIEWS = ['model', 'map', 'explore', 'memory', 'scale', 'runs'] as const;
type View = (typeof VIEWS)[number];

const viewOf = (hash: string): View => ((VIEWS as readonly string[]).includes(hash.slice(1)) ? (hash.slice(1) as View) : 'model');

function App() {
  const [view, setView] = useState<View>(viewOf(location.hash));
  const [meta, setMeta] = useState<Meta | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lastMap, setLastMap] = useState<MapJobResult | null>(null);
  useEffect(() => {
    get<Meta>('/api/meta').then(setMeta, (e: Error) => setError(e.message));
    const onHash = () => setView(viewOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return (
    <>
      <header>
        <strong>accelmap</strong>
        <nav>
          {VIEWS.map((v) => (
            <a key={v} href={`#${v}`} class={v === view ? 'active' : ''} data-view={v}>
              {v[0]!.toUpperCase() + v.slice(1)}
            </a>
          ))}
        </nav>
      </header>
      <main data-current-view={view}>
        {error && <div class="error">{error}</div>}
        {meta &&
          (view === 'model' ? (
            <ModelView meta={meta} lastMap={lastMap} />
          ) : view === 'map' ? (
            <MapView meta={meta} onResult={setLastMap} />
          ) : view === 'explore' ? (
            <ExploreView meta={meta} />
          ) : view === 'memory' ? (
            <MemoryView meta={meta} />
          ) : view === 'scale' ? (
            <ScaleView meta={meta} />
          ) : (
            <RunsView />
          ))}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
