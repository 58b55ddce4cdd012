/**
 * Time and states per review cell: one point per cell (scenario × policy), the states its
 * explorations stored against the seconds they took, coloured and shaped by verdict.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CellVerdict, ReviewResult } from '../../run/result.js';
import { renderChart } from './render.js';

/** One point: a review cell. */
export interface CellDatum {
  readonly cell: string;
  readonly verdict: CellVerdict;
  readonly states: number;
  readonly seconds: number;
}

/** The chart's data: every cell that recorded its time (a review from an older version has none). */
export function cellData(review: ReviewResult): CellDatum[] {
  return review.cells.flatMap((c) => (c.seconds === undefined ? [] : [{ cell: `${c.scenario} under ${c.policy}`, verdict: c.verdict, states: c.states, seconds: Math.round(c.seconds * 1000) / 1000 }]));
}

/** Verdict colours of the review page (reports/review-html.ts), darker for marks on white. */
const VERDICT_COLOURS: Readonly<Record<CellVerdict, string>> = {
  'atomicity broken (G1)': '#c62828',
  'false kill (G2)': '#e65100',
  'undetected violation (G3)': '#ad1457',
  'killed as promised': '#1565c0',
  holds: '#2e7d32',
  incomplete: '#757575',
};

/** The Vega-Lite chart of `cellData`. */
function cellChart(review: ReviewResult, title = 'Time and states per review cell'): TopLevelSpec {
  const verdicts = (Object.keys(VERDICT_COLOURS) as CellVerdict[]).filter((v) => review.cells.some((c) => c.verdict === v));
  return {
    title,
    width: 520,
    height: 260,
    data: { values: cellData(review) },
    mark: { type: 'point', filled: true, size: 50, opacity: 0.75 },
    encoding: {
      x: { field: 'states', type: 'quantitative', title: 'states explored (largest of G1, G2, G3)', scale: { type: 'log' } },
      y: { field: 'seconds', type: 'quantitative', title: 'seconds (G1 + G2 + G3)' },
      color: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: verdicts, range: verdicts.map((v) => VERDICT_COLOURS[v]) }, legend: { labelLimit: 240 } },
      shape: { field: 'verdict', type: 'nominal', scale: { domain: verdicts } },
    },
  };
}

/** Time and states per review cell as an SVG element (see `cellChart`). */
export function renderReviewCellsPlot(review: ReviewResult, title?: string, idPrefix?: string): Promise<string> {
  const data = cellData(review);
  const seconds = data.reduce((s, d) => s + d.seconds, 0);
  return renderChart(cellChart(review, title), `${title ?? 'Time and states per review cell'}: ${data.length} cells, ${seconds.toFixed(1)} s in all`, idPrefix);
}
