/**
 * The coverage heat map: for each instruction inside a critical section (rows) and each kind of
 * transition (columns), how many transitions of that kind were explored with the thread at that
 * instruction, summed over the runs given (one check, or a review scenario's cells). A zero
 * cell is a placement never explored.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CoverageReport } from '../../models/system/coverage.js';
import { eventKindWords } from '../event-words.js';
import { renderChart } from './render.js';

/** One heat-map cell: `transitions` of kind `event` explored at `instruction`. */
export interface CoverageDatum {
  /** `program:index text`, in program order. */
  readonly instruction: string;
  /** The kind of transition, in the reader's words. */
  readonly event: string;
  readonly transitions: number;
}

/** The chart's data: every (c.s. instruction, event kind) pair of the runs, zeros included. */
export function coverageData(runs: readonly CoverageReport[]): CoverageDatum[] {
  const kinds: string[] = [];
  const rows = new Map<string, Map<string, number>>();
  for (const run of runs) {
    for (const k of run.eventKinds) if (!kinds.includes(k)) kinds.push(k);
    for (const program of run.programs) {
      for (const ins of program.instructions) {
        if (ins.inCs.length === 0) continue;
        const name = `${program.name}:${ins.index} ${ins.text}`;
        const row = rows.get(name) ?? new Map<string, number>();
        rows.set(name, row);
        for (const [k, n] of Object.entries(ins.events)) row.set(k, (row.get(k) ?? 0) + n);
      }
    }
  }
  return [...rows].flatMap(([instruction, row]) => kinds.map((k) => ({ instruction, event: eventKindWords(k), transitions: row.get(k) ?? 0 })));
}

/** The Vega-Lite chart of `coverageData`. */
function coverageChart(runs: readonly CoverageReport[], title = 'Coverage: transitions explored per c.s. instruction and event kind'): TopLevelSpec {
  // The spec depends on the data only through `data`: the review's heat maps share one compiled spec (plots/render.ts).
  return {
    title,
    width: { step: 22 },
    height: { step: 18 },
    data: { values: coverageData(runs) },
    mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
    encoding: {
      // In the data's order: event kinds as labels.ts numbers them, instructions in program order.
      x: { field: 'event', type: 'nominal', sort: null, title: 'event kind', axis: { labelAngle: -45, labelLimit: 180 } },
      y: { field: 'instruction', type: 'nominal', sort: null, title: 'c.s. instruction', axis: { labelLimit: 260 } },
      color: {
        field: 'transitions',
        type: 'quantitative',
        title: 'transitions',
        scale: { type: 'symlog', scheme: 'blues', domainMin: 0 },
        legend: { gradientLength: 60 },
      },
    },
  };
}

/** The coverage heat map as an SVG element (see `coverageChart`). */
export function renderCoveragePlot(runs: readonly CoverageReport[], title?: string, idPrefix?: string): Promise<string> {
  const data = coverageData(runs);
  const explored = data.filter((d) => d.transitions > 0).length;
  return renderChart(coverageChart(runs, title), `${title ?? 'Coverage heat map'}: ${explored} of ${data.length} placements explored`, idPrefix);
}
