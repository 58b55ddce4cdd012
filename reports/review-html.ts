/**
 * The HTML report of a design review: the verdict matrix (rows scenarios, columns policies), each
 * non-`holds` cell linked to its section (`#cell-…`) with the counterexample, and a
 * placement-coverage table per scenario aggregating its cells. The page's pieces (trace
 * sections, coverage tables, the page shell) come from html.ts.
 */
import type { CellVerdict, ReviewCell, ReviewResult } from '../run/result.js';
import { htmlEscape as h } from './escape.js';
import { aggregateCoverage, coverageIntro, coverageTable, limitText, nav, num, page, plural, slug, traceSection, type HtmlReportOptions } from './html.js';

/** The HTML report of a design review: the matrix, every failing cell's counterexample, coverage. */
export async function renderReviewHtml(review: ReviewResult, options: HtmlReportOptions = {}): Promise<string> {
  const title = options.title ?? 'rseq-check design review';
  const anchors = cellAnchors(review);
  const cellOf = (s: string, p: string): ReviewCell | undefined => review.cells.find((c) => c.scenario === s && c.policy === p);
  const parts: string[] = [];
  const counts = new Map<CellVerdict, number>();
  for (const c of review.cells) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  parts.push(`<header><h1>${h(title)}</h1><p class="lead">${review.scenarios.length} scenario${plural(review.scenarios.length)} × ${review.policies.length} polic${review.policies.length === 1 ? 'y' : 'ies'} = ${review.cells.length} cells, checked in ${review.seconds.toFixed(1)} s. ${
    (Object.keys(VERDICTS) as CellVerdict[]).filter((v) => counts.has(v)).map((v) => `<span class="badge ${VERDICTS[v].css}">${h(VERDICTS[v].short)}</span> ${counts.get(v)}`).join(' · ')
  }</p></header>`);
  parts.push(nav([['matrix', 'Verdict matrix'], ['counterexamples', 'Counterexamples'], ['coverage', 'Placement coverage']]));

  // The matrix.
  const m: string[] = ['<section id="matrix"><h2>Verdict matrix</h2>', legend(), '<div class="scroll"><table class="matrix"><thead><tr><th scope="col">scenario</th>'];
  for (const p of review.policies) m.push(`<th scope="col"><code>${h(p)}</code></th>`);
  m.push('</tr></thead><tbody>');
  for (const s of review.scenarios) {
    m.push(`<tr><th scope="row"><span class="sid">${h(s.id)}</span><span class="stitle">${h(s.title)}</span></th>`);
    for (const p of review.policies) {
      const c = cellOf(s.id, p);
      if (c === undefined) {
        m.push('<td class="v-missing" title="not checked">·</td>');
        continue;
      }
      const v = VERDICTS[c.verdict];
      // The verdict never breaks inside; the length may go on its own line.
      const label = `${v.short.replace(/ /g, '\u00a0')}${c.trace && c.verdict !== 'killed as promised' ? ` (${c.trace.steps.length - 1})` : ''}`;
      const tip = `${s.id} under ${p}: ${c.verdict}; ${c.states} states`;
      m.push(
        c.verdict === 'holds'
          ? `<td class="${v.css}" title="${h(tip)}">${h(label)}</td>`
          : `<td class="${v.css}" title="${h(tip)}"><a href="#${h(anchors.get(cellKey(c))!)}">${h(label)}</a></td>`,
      );
    }
    m.push('</tr>');
  }
  m.push('</tbody></table></div>');
  m.push('<p class="note">A number in brackets is the length (steps) of the shortest counterexample. Every cell other than <em>holds</em> links to its section below.</p></section>');
  parts.push(m.join('\n'));

  // The failing cells, in matrix order.
  const cx: string[] = ['<section id="counterexamples"><h2>Counterexamples</h2>'];
  let any = false;
  let n = 0;
  for (const s of review.scenarios) {
    for (const p of review.policies) {
      const c = cellOf(s.id, p);
      if (c === undefined || c.verdict === 'holds') continue;
      any = true;
      const id = anchors.get(cellKey(c))!;
      const heading = `${s.id} under ${p}: ${c.verdict}`;
      const back = `<p class="cellmeta"><span class="badge ${VERDICTS[c.verdict].css}">${h(VERDICTS[c.verdict].short)}</span> ${h(s.title)} · ${num(c.states)} states explored · <a href="#matrix">back to the matrix</a></p>`;
      if (c.trace === undefined) {
        cx.push(`<section id="${h(id)}" class="cell"><h3>${h(heading)}</h3>${back}<p class="nodiagram">No counterexample: ${
          c.verdict !== 'incomplete'
            ? 'none was recorded for this cell.'
            : review.stoppedBy
              ? `the review was stopped by ${h(limitText(review.stoppedBy))} before this cell was done, so it has no verdict.`
              : 'the exploration stopped at its state limit before covering every state, so this cell has no verdict.'
        }</p></section>`);
      } else {
        cx.push(await traceSection(c.trace, { id, heading, level: 3, svgId: `c${n++}`, options, intro: back, css: 'cell' }));
      }
    }
  }
  if (!any) cx.push('<p>Every cell holds: there is no counterexample to show.</p>');
  cx.push('</section>');
  parts.push(cx.join('\n'));

  // Coverage per scenario.
  const cov: string[] = ['<section id="coverage"><h2>Placement coverage</h2>', coverageIntro(true)];
  for (const s of review.scenarios) {
    const cells = review.policies.map((p) => cellOf(s.id, p)).filter((c): c is ReviewCell => c?.coverage !== undefined);
    cov.push(`<section id="coverage-${h(slug(s.id))}" class="scenario-coverage"><h3>${h(s.id)}: ${h(s.title)}</h3>`);
    cov.push(
      cells.length === 0
        ? '<p class="nodiagram">No coverage was recorded for this scenario.</p>'
        : coverageTable(aggregateCoverage(cells.map((c) => ({ policy: c.policy, coverage: c.coverage! }))), true),
    );
    cov.push('</section>');
  }
  cov.push('</section>');
  parts.push(cov.join('\n'));
  return page(title, parts.join('\n'));
}

/**
 * The anchor (`id`) of each review cell's section, keyed by `scenario` + NUL + `policy`:
 * `cell-<scenario>--<policy>` with `'` spelled `-prime`, `@` spelled `-at-` and any other
 * character outside `[A-Za-z0-9._-]` replaced by `-`; a collision gets a `-2`, `-3`… suffix.
 */
export function cellAnchors(review: ReviewResult): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const c of review.cells) {
    const base = `cell-${slug(c.scenario)}--${slug(c.policy)}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    out.set(cellKey(c), id);
  }
  return out;
}

function cellKey(c: { scenario: string; policy: string }): string {
  return `${c.scenario}\u0000${c.policy}`;
}

const VERDICTS: Readonly<Record<CellVerdict, { short: string; css: string; doc: string }>> = {
  'atomicity broken (G1)': { short: 'G1 broken', css: 'v-bad', doc: 'G1: a commit after an event inside the c.s. that should have aborted it' },
  'false kill (G2)': { short: 'false kill', css: 'v-bad', doc: 'G2: the process was killed although it broke no rule' },
  'undetected violation (G3)': { short: 'undetected', css: 'v-bad', doc: 'G3: the policy promised to catch a syscall in a c.s. and did not' },
  'killed as promised': { short: 'killed ✓', css: 'v-kill', doc: 'the kernel killed a thread that violated the ABI, as the policy promises' },
  holds: { short: 'holds', css: 'v-ok', doc: 'no property violated' },
  incomplete: { short: 'incomplete', css: 'v-unknown', doc: 'a limit stopped the exploration: no verdict' },
};

function legend(): string {
  return `<ul class="legend">${(Object.keys(VERDICTS) as CellVerdict[])
    .map((v) => `<li><span class="badge ${VERDICTS[v].css}">${h(VERDICTS[v].short)}</span> ${h(VERDICTS[v].doc)}</li>`)
    .join('')}</ul>`;
}
