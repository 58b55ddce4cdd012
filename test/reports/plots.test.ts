/**
 * The plots (reports/plots): their data worked out by hand, one mark per datum in the SVG,
 * titles and axis titles written, the same SVG for the same data, and no way to the network.
 */
import { describe, expect, it } from 'vitest';
import type { Stats } from '../../checker/result.js';
import type { CoverageReport } from '../../models/system/coverage.js';
import type { ReviewResult } from '../../run/result.js';
import { coverageData, renderCoveragePlot } from '../../reports/plots/coverage.js';
import { levelData, renderLevelPlot } from '../../reports/plots/levels.js';
import { renderChart } from '../../reports/plots/render.js';
import { cellData, renderReviewCellsPlot } from '../../reports/plots/review-cells.js';
import { plotCoverage, plotLevels, plotReviewCells } from '../../reports/notebook.js';
import { xmlProblems } from './xml-check.js';

const base: Stats = { states: 9, transitions: 12, depth: 2, seconds: 0.01, statesPerSecond: 900, bytesPerState: 40, stateWords: 3 };
const sequential: Stats = { ...base, statesPerLevel: [1, 3, 5] };
/** The coordinating thread and a worker expanded levels 1 and 2; level 0 was expanded in-process. */
const parallel: Stats = { ...base, statesPerLevel: [1, 4, 6], statesPerWorker: [5, 5], statesPerWorkerLevel: [[0, 2, 3], [0, 2, 3]] };

/** The `<path>` marks of the chart's mark group of `type` (rect for bars and heat cells, symbol for points). */
function marks(svg: string, type: 'rect' | 'symbol'): number {
  const start = svg.indexOf(`<g class="mark-${type} role-mark`);
  expect(start, `a mark-${type} group`).toBeGreaterThanOrEqual(0);
  const group = svg.slice(start, svg.indexOf('</g>', start));
  return group.match(/<path /g)?.length ?? 0;
}

/** The text of every `<text>` element. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

const coverage = (events: Record<string, number>[]): CoverageReport => ({
  eventKinds: ['instruction', 'preempt', 'migrate'],
  programs: [
    {
      name: 'main',
      instructions: [
        { index: 0, text: 'r0 = cpu_id_start', inCs: [], events: { instruction: 1, preempt: 1, migrate: 0 }, violations: 0 },
        { index: 1, text: 'load r1', inCs: ['cs'], events: events[0]!, violations: 0 },
        { index: 2, text: 'store r1', inCs: ['cs'], events: events[1]!, violations: 1 },
      ],
    },
  ],
});

describe('states per BFS level', () => {
  it('has one datum per level for a sequential run, one per (level, who expanded it) for a parallel one', () => {
    expect(levelData(sequential)).toEqual([
      { level: 0, states: 1, by: 'one thread' },
      { level: 1, states: 3, by: 'one thread' },
      { level: 2, states: 5, by: 'one thread' },
    ]);
    expect(levelData(parallel)).toEqual([
      { level: 0, states: 1, by: 'in-process' },
      { level: 1, states: 2, by: 'coordinating thread' },
      { level: 1, states: 2, by: 'worker 1' },
      { level: 2, states: 3, by: 'coordinating thread' },
      { level: 2, states: 3, by: 'worker 1' },
    ]);
    expect(levelData(base)).toEqual([]);
  });

  it('draws a bar per datum, with its title and axis titles, as well-formed SVG', async () => {
    const svg = await renderLevelPlot(sequential);
    expect(marks(svg, 'rect')).toBe(3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['States per BFS level', 'BFS level (depth)', 'states stored']));
    expect(svg).toMatch(/^<svg role="img" aria-label="States per BFS level: 1, 3, 5"/);
    expect(xmlProblems(svg)).toEqual([]);
    const split = await renderLevelPlot(parallel);
    expect(marks(split, 'rect')).toBe(5);
    expect(texts(split)).toEqual(expect.arrayContaining(['expanded by', 'in-process', 'coordinating thread', 'worker 1']));
  });

  it('is the same SVG for the same data', async () => {
    expect(await plotLevels({ stats: parallel })).toBe(await plotLevels({ stats: parallel }));
  });
});

describe('the coverage heat map', () => {
  it('has a cell per (c.s. instruction, event kind), summed over the runs, in words', () => {
    const a = coverage([{ instruction: 2, preempt: 1, migrate: 0 }, { instruction: 1, preempt: 0, migrate: 0 }]);
    const b = coverage([{ instruction: 3, preempt: 0, migrate: 4 }, { instruction: 1, preempt: 0, migrate: 0 }]);
    expect(coverageData([a, b])).toEqual([
      { instruction: 'main:1 load r1', event: 'next instruction', transitions: 5 },
      { instruction: 'main:1 load r1', event: 'preemption', transitions: 1 },
      { instruction: 'main:1 load r1', event: 'migration', transitions: 4 },
      { instruction: 'main:2 store r1', event: 'next instruction', transitions: 2 },
      { instruction: 'main:2 store r1', event: 'preemption', transitions: 0 },
      { instruction: 'main:2 store r1', event: 'migration', transitions: 0 },
    ]);
  });

  it('draws a rectangle per cell, with its titles, the same each time', async () => {
    const report = coverage([{ instruction: 2, preempt: 1, migrate: 0 }, { instruction: 1, preempt: 0, migrate: 0 }]);
    const svg = await renderCoveragePlot([report], 'Heat');
    expect(marks(svg, 'rect')).toBe(6);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Heat', 'event kind', 'c.s. instruction', 'transitions', 'main:1 load r1', 'preemption']));
    expect(svg).toContain('aria-label="Heat: 3 of 6 placements explored"');
    expect(xmlProblems(svg)).toEqual([]);
    expect(await plotCoverage({ coverage: report })).toBe(await plotCoverage({ coverage: report }));
  });
});

describe('time and states per review cell', () => {
  const review: ReviewResult = {
    kind: 'review',
    scenarios: [{ id: 'S1', title: 's1' }],
    policies: ['p', 'q', 'r'],
    seconds: 1,
    cells: [
      { scenario: 'S1', policy: 'p', verdict: 'holds', states: 10, seconds: 0.12345 },
      { scenario: 'S1', policy: 'q', verdict: 'killed as promised', states: 200, seconds: 0.5 },
      { scenario: 'S1', policy: 'r', verdict: 'holds', states: 7 },
    ],
  };

  it('has a point per cell that recorded its time (seconds to the millisecond)', () => {
    expect(cellData(review)).toEqual([
      { cell: 'S1 under p', verdict: 'holds', states: 10, seconds: 0.123 },
      { cell: 'S1 under q', verdict: 'killed as promised', states: 200, seconds: 0.5 },
    ]);
  });

  it('draws a point per cell, with its titles and the verdicts in its legend, the same each time', async () => {
    const svg = await renderReviewCellsPlot(review);
    expect(marks(svg, 'symbol')).toBe(2);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Time and states per review cell', 'states explored (largest of G1, G2, G3)', 'seconds (G1 + G2 + G3)', 'killed as promised', 'holds']));
    expect(xmlProblems(svg)).toEqual([]);
    expect(await plotReviewCells(review)).toBe(svg);
  });
});

describe('the renderer', () => {
  it('loads nothing: a chart naming a URL fails instead of fetching it', async () => {
    await expect(renderChart({ data: { url: 'https://example.org/data.csv' }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' } } }, 'x')).rejects.toThrow(
      'plots load nothing: their data is inline',
    );
  });

  it('prefixes the ids of its elements, so that charts can share a page', async () => {
    const svg = await renderCoveragePlot([coverage([{ instruction: 1, preempt: 0, migrate: 0 }, { instruction: 1, preempt: 0, migrate: 0 }])], 'x', 'pfx');
    const ids = [...svg.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id.startsWith('pfx-')).toBe(true);
    for (const m of svg.matchAll(/url\(#([^)]*)\)/g)) expect(ids).toContain(m[1]);
  });
});
