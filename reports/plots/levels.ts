/**
 * States per BFS level: one bar per depth, the states stored at that depth. A parallel run
 * splits each bar by who expanded the level's states: the in-process phase that runs before
 * the levels are shared out, then the coordinating thread and each worker thread.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Stats } from '../../checker/result.js';
import { renderChart } from './render.js';

/** One bar (or bar segment): `states` states of depth `level`, expanded by `by`. */
export interface LevelDatum {
  readonly level: number;
  readonly states: number;
  readonly by: string;
}

/** The chart's data: one datum per level, or per (level, worker) for a parallel run; empty without per-level statistics. */
export function levelData(stats: Stats): LevelDatum[] {
  const levels = stats.statesPerLevel ?? [];
  const workers = stats.statesPerWorkerLevel ?? [];
  if (workers.length === 0) return levels.map((states, level) => ({ level, states, by: 'one thread' }));
  return levels.flatMap((states, level) => {
    // statesPerWorkerLevel lists the coordinating thread first (checker/result.ts).
    const perWorker = workers.map((w, i) => ({ level, states: w[level] ?? 0, by: i === 0 ? 'coordinating thread' : `worker ${i}` }));
    const inProcess = states - perWorker.reduce((n, d) => n + d.states, 0);
    return [...(inProcess > 0 ? [{ level, states: inProcess, by: 'in-process' }] : []), ...perWorker.filter((d) => d.states > 0)];
  });
}

/** The Vega-Lite chart of `levelData`. */
function levelChart(stats: Stats, title = 'States per BFS level'): TopLevelSpec {
  const data = levelData(stats);
  const parallel = (stats.statesPerWorkerLevel ?? []).length > 0;
  return {
    title,
    width: Math.min(720, Math.max(160, 14 * (stats.statesPerLevel?.length ?? 1))),
    height: 180,
    data: { values: data },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      x: { field: 'level', type: 'ordinal', title: 'BFS level (depth)', axis: { labelAngle: 0, labelOverlap: 'greedy' } },
      y: { field: 'states', type: 'quantitative', title: 'states stored', stack: 'zero' },
      ...(parallel
        ? { color: { field: 'by', type: 'nominal', title: 'expanded by', scale: { scheme: 'tableau10' } } }
        : { color: { value: '#3b6fb6' } }),
    },
  };
}

/** States per BFS level as an SVG element (see `levelChart`). */
export function renderLevelPlot(stats: Stats, title?: string, idPrefix?: string): Promise<string> {
  return renderChart(levelChart(stats, title), `${title ?? 'States per BFS level'}: ${(stats.statesPerLevel ?? []).join(', ')}`, idPrefix);
}
