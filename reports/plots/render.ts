/**
 * Renders a Vega-Lite chart to an SVG string, offline: Vega-Lite compiles the chart to a Vega
 * spec, and Vega's headless view draws it with its SVG renderer. Every chart carries its data
 * inline; the view's loader refuses any URL, so a chart can never reach the network. The same
 * data gives the same SVG (no clock, no random numbers, text widths estimated without a canvas).
 */
import type { Loader, parse as vegaParse } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { htmlEscape } from '../escape.js';

/**
 * Vega and Vega-Lite, loaded at the first chart: together they take about 0.3 s to load, which
 * every command line would pay (each CLI run, each test spawning one) although only reports and
 * notebooks draw charts.
 */
let libraries: Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> | undefined;
const loadLibraries = (): NonNullable<typeof libraries> => (libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite })));

/** A loader that refuses every request and notes it in `asked` (Vega only logs a failed load and draws on). */
function offline(asked: string[]): Loader {
  const refuse = (what: unknown): Promise<never> => {
    asked.push(String(what));
    return Promise.reject(new Error('plots load nothing: their data is inline'));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** The shared look of the charts: the report's font and colours, no chart border. */
const config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelColor: '#1d2330', titleColor: '#1d2330', gridColor: '#e4e7ee' },
  title: { anchor: 'start', fontSize: 14, color: '#1d2330' },
  // The <svg> is one image with its own accessible name: per-mark labels would only add bytes.
  aria: false,
} as const;

/** Coordinates with more than two decimals, as Vega writes them (sub-pixel digits nobody sees), in the geometry attributes. */
const LONG_DECIMAL = /(-?\d+\.\d{2})\d+/g;
const GEOMETRY = /\s(d|transform|x[12]?|y[12]?|width|height)="([^"]*)"/g;

/** The data set an inline chart's values are given to, apart from its spec. */
const INLINE = 'inline';

/**
 * Compiled and parsed specs by their JSON: charts of one shape (a review's heat maps) differ only
 * in their data, given apart, so each shape is compiled once. Cleared when it grows (a notebook
 * may draw many shapes).
 */
const runtimes = new Map<string, ReturnType<typeof vegaParse>>();

function compiled(chart: TopLevelSpec, { vega, vegaLite }: Awaited<ReturnType<typeof loadLibraries>>): ReturnType<typeof vegaParse> {
  const key = JSON.stringify(chart);
  let runtime = runtimes.get(key);
  if (runtime === undefined) {
    if (runtimes.size >= 32) runtimes.clear();
    runtime = vega.parse(vegaLite.compile({ ...chart, config: { ...config, ...chart.config } }).spec);
    runtimes.set(key, runtime);
  }
  return runtime;
}

/**
 * The chart as an `<svg>` element (no XML declaration) with `role="img"` and `label` as its
 * accessible name, ready to inline into HTML or to display in a notebook. Its element ids (clip
 * paths, gradients) start with `idPrefix`, so that several charts can share a page.
 */
export async function renderChart(chart: TopLevelSpec, label: string, idPrefix = 'plot'): Promise<string> {
  const values = chart.data !== undefined && chart.data !== null && 'values' in chart.data && Array.isArray(chart.data.values) ? (chart.data.values as unknown[]) : undefined;
  const asked: string[] = [];
  const libs = await loadLibraries();
  const view = new libs.vega.View(compiled(values !== undefined ? { ...chart, data: { name: INLINE } } : chart, libs), { renderer: 'none', loader: offline(asked) });
  if (values !== undefined) view.data(INLINE, values);
  try {
    const svg = await view.toSVG();
    if (asked.length > 0) throw new Error(`plots load nothing: their data is inline (the chart "${label}" asked for ${asked.join(', ')})`);
    // Vega numbers gradients and clip paths from a process-wide counter: number them per chart.
    const ids = new Map<string, string>();
    const own = (id: string): string => ids.get(id) ?? ids.set(id, `${idPrefix}-${ids.size + 1}`).get(id)!;
    return svg
      .replace(GEOMETRY, (_m, attr: string, value: string) => ` ${attr}="${value.replace(LONG_DECIMAL, '$1')}"`)
      .replace(/\sid="([^"]*)"/g, (_m, id: string) => ` id="${own(id)}"`)
      .replace(/(\s(?:xlink:)?href)="#([^"]*)"/g, (_m, attr: string, id: string) => `${attr}="#${own(id)}"`)
      .replace(/url\(#([^)]*)\)/g, (_m, id: string) => `url(#${own(id)})`)
      .replace(/^<svg/, `<svg role="img" aria-label="${htmlEscape(label)}"`);
  } finally {
    view.finalize();
  }
}

