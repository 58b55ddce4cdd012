/**
 * Views for notebooks (tslab, or any REPL): a result with methods that draw and explain it.
 *
 * ```ts
 * const r = withViews(await check(model, { policy: 'linux-6.19' }));
 * tslab.display.html(await r.toSvg());   // the counterexample as a swim-lane diagram
 * tslab.display.html(await plotLevels(r)); // states per BFS level (also plotCoverage, plotReviewCells)
 * console.log(r.explain());              // verdict, statistics, the steps in words
 * ```
 *
 * A result without a counterexample (a pass, an incomplete run, a review cell that holds) has
 * nothing to draw. Rather than throwing, which would end a notebook cell for what is usually the
 * good news, `toDot` then returns a one-node DOT graph stating the verdict (and `toSvg` its
 * drawing), so a cell that displays the diagram always displays something true. Asking for a
 * cell or a flag that does not exist is a mistake and throws an Error naming what exists.
 */
import type { CheckResult, ReviewCell, ReviewResult, TemporalResult } from '../run/result.js';
import type { ExplainedTrace } from '../run/explained-trace.js';
import { reviewToMarkdown } from './review-markdown.js';
import { formatCheck, formatTemporal, traceToText } from './text.js';
import { traceToDot, type TraceDotOptions } from './dot.js';
import { dotAttrs } from './escape.js';
import { renderSvg } from './svg.js';
import { renderCoveragePlot } from './plots/coverage.js';
import { renderLevelPlot } from './plots/levels.js';
import { renderReviewCellsPlot } from './plots/review-cells.js';

export interface ViewOptions extends TraceDotOptions {
  /**
   * Draw the first witness of this flag (e.g. `killed-as-promised`) instead of the
   * counterexample. Throws if the result has no such flag.
   */
  readonly flag?: string;
}

/** The view methods added to a check result. */
export interface CheckViews {
  /** The counterexample (or `options.flag`'s witness) as DOT; a DOT note for a result without one. */
  toDot(options?: ViewOptions): string;
  /** `toDot` rendered to an SVG document (offline, WebAssembly Graphviz). */
  toSvg(options?: ViewOptions): Promise<string>;
  /** The verdict, the statistics and the counterexample's steps in words (what the CLI prints). */
  explain(): string;
}

/** The view method added to a temporal result. */
export interface TemporalViews {
  /** The verdict, the product's size and the lasso's steps in words (what the CLI prints). */
  explain(): string;
}

/** The view methods added to a review. */
export interface ReviewViews {
  /** One cell; throws, listing the scenarios and policies, if there is no such cell. */
  cell(scenario: string, policy: string): ReviewCell;
  /** The cell's counterexample as DOT; a DOT note for a cell without one (holds, incomplete). */
  toDot(scenario: string, policy: string, options?: TraceDotOptions): string;
  /** `toDot` rendered to an SVG document. */
  toSvg(scenario: string, policy: string, options?: TraceDotOptions): Promise<string>;
  /**
   * In words: with no argument, the verdict matrix (Markdown); with a scenario, each of its
   * cells' verdicts; with a scenario and a policy, that cell's verdict and counterexample steps.
   */
  explain(scenario?: string, policy?: string): string;
}

/**
 * `R` with the view methods. Distributes over a union, so a check result's verdict still narrows
 * it (`if (r.verdict === 'violation') r.property`).
 */
export type WithViews<R, V> = R extends unknown ? Omit<R, keyof V> & V : never;

/** A check result (from `checkModel`, or its JSON read back) with notebook views. */
export function withViews<R extends CheckResult>(result: R): WithViews<R, CheckViews> {
  const pick = (options?: ViewOptions): ExplainedTrace | string => {
    if (options?.flag !== undefined) {
      const f = result.flags.find((x) => x.name === options.flag);
      if (f === undefined) {
        const names = result.flags.map((x) => x.name);
        throw new Error(`no flag "${options.flag}" in this result (${names.length > 0 ? `its flags: ${names.join(', ')}` : 'it has no flags'})`);
      }
      return f.trace;
    }
    if (result.verdict === 'violation') return result.trace;
    const head = `${result.model} under ${result.policy.name}`;
    if (result.verdict === 'pass') {
      const flags = result.flags.length > 0 ? `\nflags: ${result.flags.map((f) => f.name).join(', ')} (draw one with { flag: NAME })` : '';
      return `HOLDS: ${head}\nevery reachable state explored, no property violated:\nthere is no counterexample to draw${flags}`;
    }
    const by = result.stoppedBy.kind === 'interrupted' ? 'an interrupt' : `the ${result.stoppedBy.kind} limit (${result.stoppedBy.bound})`;
    return `INCOMPLETE: ${head}\nstopped by ${by}: no verdict,\nso there is no counterexample to draw`;
  };
  const toDot = (options?: ViewOptions): string => {
    const t = pick(options);
    return typeof t === 'string' ? noteDot(t) : traceToDot(t, lanes(options));
  };
  const views: CheckViews = {
    toDot,
    toSvg: (options?: ViewOptions) => renderSvg(toDot(options)),
    explain: () => formatCheck(result),
  };
  return { ...result, ...views } as unknown as WithViews<R, CheckViews>;
}

/** A temporal result with its text view (see `TemporalViews`). */
export function withTemporalViews<R extends TemporalResult>(result: R): WithViews<R, TemporalViews> {
  const views: TemporalViews = { explain: () => formatTemporal(result) };
  return { ...result, ...views } as unknown as WithViews<R, TemporalViews>;
}

/** A review with notebook views (see `ReviewViews`). */
export function withReviewViews<R extends ReviewResult>(review: R): WithViews<R, ReviewViews> {
  const cell = (scenario: string, policy: string): ReviewCell => {
    const c = review.cells.find((x) => x.scenario === scenario && x.policy === policy);
    if (c !== undefined) return c;
    const scenarios = review.scenarios.map((s) => s.id);
    if (!scenarios.includes(scenario)) throw new Error(`no scenario "${scenario}" in this review (scenarios: ${scenarios.join(', ')})`);
    if (!review.policies.includes(policy)) throw new Error(`no policy "${policy}" in this review (policies: ${review.policies.join(', ')})`);
    throw new Error(`the review has no cell for ${scenario} under ${policy}`);
  };
  const toDot = (scenario: string, policy: string, options?: TraceDotOptions): string => {
    const c = cell(scenario, policy);
    if (c.trace !== undefined) return traceToDot(c.trace, lanes(options));
    return noteDot(
      c.verdict === 'incomplete'
        ? `${scenario} under ${policy}: incomplete\nthe exploration stopped at its state limit: no verdict,\nso there is no counterexample to draw`
        : `${scenario} under ${policy}: ${c.verdict}\n(${c.states} states explored)\nthere is no counterexample to draw`,
    );
  };
  const explain = (scenario?: string, policy?: string): string => {
    if (scenario === undefined) return reviewToMarkdown(review);
    if (policy === undefined) {
      const s = review.scenarios.find((x) => x.id === scenario);
      if (s === undefined) throw new Error(`no scenario "${scenario}" in this review (scenarios: ${review.scenarios.map((x) => x.id).join(', ')})`);
      const lines = [`${s.id}: ${s.title}`];
      for (const p of review.policies) {
        const c = review.cells.find((x) => x.scenario === scenario && x.policy === p);
        if (c !== undefined) lines.push(`  ${p}: ${c.verdict}${c.trace && c.verdict !== 'killed as promised' ? ` (${c.trace.steps.length - 1} steps)` : ''}`);
      }
      return lines.join('\n');
    }
    const c = cell(scenario, policy);
    const head = `${scenario} under ${policy}: ${c.verdict} (${c.states} states explored)`;
    if (c.trace === undefined) return `${head}\nno counterexample${c.verdict === 'incomplete' ? ': the exploration stopped at its state limit' : ''}`;
    return `${head}\n${c.verdict === 'killed as promised' ? 'The kill:' : 'Counterexample:'}\n${traceToText(c.trace)}`;
  };
  const views: ReviewViews = {
    cell,
    toDot,
    toSvg: (scenario: string, policy: string, options?: TraceDotOptions) => renderSvg(toDot(scenario, policy, options)),
    explain,
  };
  return { ...review, ...views } as unknown as WithViews<R, ReviewViews>;
}

/**
 * States per BFS level of a check (split by worker thread when it ran in parallel), as an SVG
 * element: `tslab.display.html(await plotLevels(r))`. Rendered offline by Vega.
 */
export function plotLevels(result: Pick<CheckResult, 'stats'>): Promise<string> {
  return renderLevelPlot(result.stats);
}

/** A check's placement coverage as a heat map of c.s. instruction × event kind (SVG element). */
export function plotCoverage(result: Pick<CheckResult, 'coverage'>): Promise<string> {
  return renderCoveragePlot([result.coverage]);
}

/** A review's cells as points of states explored against seconds taken, by verdict (SVG element). */
export function plotReviewCells(review: ReviewResult): Promise<string> {
  return renderReviewCellsPlot(review);
}

function lanes(options: TraceDotOptions | undefined): TraceDotOptions {
  return options?.lanes !== undefined ? { lanes: options.lanes } : {};
}

/** A DOT graph of one note node holding `text` (line by line, left-justified). */
function noteDot(text: string): string {
  return [
    'digraph note {',
    `  graph ${dotAttrs({ margin: 0.1 })};`,
    `  note ${dotAttrs({ shape: 'note', style: 'filled', fillcolor: '#f6f7fb', color: 'gray40', fontname: 'Helvetica', fontsize: 11, margin: '0.2,0.1', label: `${text}\n` })};`,
    '}',
    '',
  ].join('\n');
}
