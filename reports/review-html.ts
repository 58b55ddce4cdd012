/**
 * The HTML report of a design review, laid out like a paper's table:
 *
 * - the verdict matrix first (rows scenarios, columns policies grouped into released kernels and
 *   the seed thread's proposals), each cell coloured by verdict and carrying a symbol and a word
 *   too, each cell with a trace linked to its section (`#cell-…`); a kill the policy promised is
 *   a tick, not a violation;
 * - under it, each proposal in one sentence with the seed thread's words;
 * - filters by verdict, policy (or proposal) and scenario: a small inline script (allowed by its
 *   hash in the Content-Security-Policy, nothing else may run or load), keyboard usable, hidden
 *   when scripts are off;
 * - the plot of time and states per cell, then the counterexamples (violations first, then the
 *   promised kills), each diagram closed in a `<details>` until opened (following a link from
 *   the matrix opens it), then the placement coverage per scenario, also closed;
 * - the page's own weight in bytes at its foot.
 */
import { createHash } from 'node:crypto';
import { presetDefs } from '../models/kernel/presets.js';
import { seedProposals } from '../models/library/seed/proposals.js';
import type { CellVerdict, ReviewCell, ReviewResult } from '../run/result.js';
import { htmlEscape as h } from './escape.js';
import { aggregateCoverage, coverageIntro, coverageTable, limitText, nav, num, page, plural, slug, traceSection, type HtmlReportOptions } from './html.js';
import { renderCoveragePlot } from './plots/coverage.js';
import { renderReviewCellsPlot } from './plots/review-cells.js';

/** How the page shows each verdict: a filter key, a symbol and a word (never colour alone), a colour class. */
const VERDICTS: Readonly<Record<CellVerdict, { key: string; symbol: string; word: string; css: string; doc: string }>> = {
  'atomicity broken (G1)': { key: 'g1', symbol: '✗', word: 'G1 broken', css: 'v-bad', doc: 'a commit after an event inside the c.s. that should have aborted it' },
  'false kill (G2)': { key: 'g2', symbol: '✗', word: 'false kill', css: 'v-bad', doc: 'the process was killed although it broke no rule' },
  'undetected violation (G3)': { key: 'g3', symbol: '✗', word: 'undetected', css: 'v-bad', doc: 'the policy promised to catch a syscall in a c.s. and did not' },
  'killed as promised': { key: 'kill', symbol: '✓', word: 'killed, as promised', css: 'v-kill', doc: 'the thread broke the ABI and the kernel killed it, as the policy promises: no violation' },
  holds: { key: 'holds', symbol: '✓', word: 'holds', css: 'v-ok', doc: 'no property violated' },
  incomplete: { key: 'incomplete', symbol: '?', word: 'incomplete', css: 'v-unknown', doc: 'a limit stopped the exploration: no verdict' },
};

const VIOLATIONS: readonly CellVerdict[] = ['atomicity broken (G1)', 'false kill (G2)', 'undetected violation (G3)'];

/** A column's group: a released kernel, or proposal `letter` over a base kernel. */
interface Column {
  readonly policy: string;
  readonly group: string;
  /** The proposal's letter (`c'` of `c'@4.18`), or `kernel`, or `other` for a policy the presets do not name. */
  readonly proposal: string;
}

function columnsOf(policies: readonly string[]): Column[] {
  return policies.map((policy) => {
    const def = presetDefs.find((d) => d.name === policy);
    if (def === undefined) return { policy, group: 'other policies', proposal: 'other' };
    if (def.kind === 'kernel') return { policy, group: 'Linux as released', proposal: 'kernel' };
    return { policy, group: `seed proposals over ${def.base ?? '?'}`, proposal: policy.split('@')[0] ?? policy };
  });
}

/** The HTML report of a design review: the matrix, the proposals, filters, plots, counterexamples, coverage. */
export async function renderReviewHtml(review: ReviewResult, options: HtmlReportOptions = {}): Promise<string> {
  const title = options.title ?? 'rseq-check design review';
  const anchors = cellAnchors(review);
  const byKey = new Map(review.cells.map((c) => [cellKey(c), c]));
  const cellOf = (s: string, p: string): ReviewCell | undefined => byKey.get(cellKey({ scenario: s, policy: p }));
  const columns = columnsOf(review.policies);
  const columnOf = new Map(columns.map((c) => [c.policy, c]));
  const counts = new Map<CellVerdict, number>();
  for (const c of review.cells) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const present = (Object.keys(VERDICTS) as CellVerdict[]).filter((v) => counts.has(v));

  const parts: string[] = [];
  parts.push(`<header><h1>${h(title)}</h1><p class="lead">${review.scenarios.length} scenario${plural(review.scenarios.length)} × ${review.policies.length} polic${review.policies.length === 1 ? 'y' : 'ies'} = ${review.cells.length} cells, checked in ${review.seconds.toFixed(1)} s: ${
    present.map((v) => `${badge(v)} ${counts.get(v)}`).join(' · ')
  }</p></header>`);
  parts.push(nav([['matrix', 'Verdict matrix'], ['proposals', 'The proposals'], ['plots', 'Time and states'], ['counterexamples', 'Counterexamples'], ['kills', 'Promised kills'], ['coverage', 'Placement coverage']]));

  parts.push(matrixSection(review, columns, cellOf, anchors, present, counts));
  parts.push(proposalsSection(columns));
  parts.push(
    `<section id="plots"><h2>Time and states per cell</h2><figure class="plot">${await renderReviewCellsPlot(review, undefined, 'cells')}<figcaption>One point per cell: the most states any of its three explorations (G1, G2, G3) stored, and the seconds they took together.</figcaption></figure></section>`,
  );

  // The cells with a trace or without a verdict, in matrix order: violations, then promised kills.
  const ordered = review.scenarios.flatMap((s) => review.policies.map((p) => cellOf(s.id, p)).filter((c): c is ReviewCell => c !== undefined && c.verdict !== 'holds'));
  let svgs = 0;
  const sectionOf = async (c: ReviewCell): Promise<string> => {
    const id = anchors.get(cellKey(c))!;
    const v = VERDICTS[c.verdict];
    const scenario = review.scenarios.find((s) => s.id === c.scenario);
    const heading = `${c.scenario} under ${c.policy}: ${v.word}`;
    const data = dataAttributes(c, columnOf.get(c.policy)!);
    const back = `<p class="cellmeta">${badge(c.verdict)} ${h(scenario?.title ?? '')} · ${num(c.states)} states explored · <a href="#matrix">back to the matrix</a></p>`;
    if (c.trace === undefined) {
      return `<section id="${h(id)}" class="counterexample cell" ${data}><h3>${h(heading)}</h3>${back}<p class="nodiagram">No trace: ${
        c.verdict !== 'incomplete'
          ? 'none was recorded for this cell.'
          : review.stoppedBy
            ? `the review was stopped by ${h(limitText(review.stoppedBy))} before this cell was done, so it has no verdict.`
            : 'the exploration stopped at its state limit before covering every state, so this cell has no verdict.'
      }</p></section>`;
    }
    const what = c.verdict === 'killed as promised' ? 'the kill' : 'the counterexample';
    const section = await traceSection(c.trace, { id, heading, level: 3, svgId: `c${svgs++}`, options, intro: back, css: 'cell', collapsed: `Diagram and ${c.trace.steps.length - 1} steps of ${what}` });
    return section.replace(/^<section id="[^"]*"/, (opening) => `${opening} ${data}`);
  };
  const violations = ordered.filter((c) => c.verdict !== 'killed as promised');
  const kills = ordered.filter((c) => c.verdict === 'killed as promised');
  const cx: string[] = ['<section id="counterexamples"><h2>Counterexamples</h2>'];
  cx.push(
    violations.length === 0
      ? '<p>No cell breaks a property: there is no counterexample to show.</p>'
      : `<p>The shortest counterexample of each cell that breaks G1, G2 or G3${violations.some((c) => c.verdict === 'incomplete') ? ', and the cells left without a verdict' : ''}. Open one to see its diagram and steps.</p>`,
  );
  for (const c of violations) cx.push(await sectionOf(c));
  cx.push('</section>');
  cx.push('<section id="kills"><h2>Kills the policy promised</h2>');
  cx.push(
    kills.length === 0
      ? '<p>No cell ends in a promised kill.</p>'
      : '<p>In these cells the thread broke the ABI (a system call inside its critical section) and the policy killed it, as it promises to: the expected outcome, not a violation. Each shows the first kill found.</p>',
  );
  for (const c of kills) cx.push(await sectionOf(c));
  cx.push('</section>');
  parts.push(cx.join('\n'));

  parts.push(await coverageSection(review, cellOf));
  return withWeight(finishPage(page(title, parts.join('\n'), review.provenance)));
}

function matrixSection(
  review: ReviewResult,
  columns: readonly Column[],
  cellOf: (s: string, p: string) => ReviewCell | undefined,
  anchors: Map<string, string>,
  present: readonly CellVerdict[],
  counts: Map<CellVerdict, number>,
): string {
  const m: string[] = ['<section id="matrix"><h2>Verdict matrix</h2>', filters(review, columns, present, counts)];
  m.push('<div class="scroll"><table class="matrix"><caption>Rows: the seed thread\'s scenarios; columns: kernel versions as released, then each proposal over a base kernel. A cell names the worst outcome over G1, G2 and G3.</caption><thead><tr><th scope="col" rowspan="2">scenario</th>');
  const groups: { name: string; span: number }[] = [];
  for (const c of columns) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.name === c.group) last.span++;
    else groups.push({ name: c.group, span: 1 });
  }
  for (const g of groups) m.push(`<th scope="colgroup" colspan="${g.span}" class="group">${h(g.name)}</th>`);
  m.push('</tr><tr>');
  for (const c of columns) {
    const def = presetDefs.find((d) => d.name === c.policy);
    const meaning = seedProposals.find((p) => p.id === c.proposal)?.meaning ?? def?.doc ?? '';
    m.push(`<th scope="col" data-policy="${h(c.policy)}" data-proposal="${h(c.proposal)}"${meaning ? ` title="${h(meaning)}"` : ''}><code>${h(c.policy)}</code></th>`);
  }
  m.push('</tr></thead><tbody>');
  for (const s of review.scenarios) {
    m.push(`<tr data-scenario="${h(s.id)}"><th scope="row"><span class="sid">${h(s.id)}</span><span class="stitle">${h(s.title)}</span></th>`);
    for (const col of columns) {
      const c = cellOf(s.id, col.policy);
      if (c === undefined) {
        m.push(`<td class="v-missing" data-policy="${h(col.policy)}" data-proposal="${h(col.proposal)}" data-scenario="${h(s.id)}" data-verdict="missing" title="not checked">· not checked</td>`);
        continue;
      }
      const v = VERDICTS[c.verdict];
      const steps = c.trace && VIOLATIONS.includes(c.verdict) ? ` <span class="len">(${c.trace.steps.length - 1})</span>` : '';
      const text = `<span class="sym" aria-hidden="true">${v.symbol}</span> ${h(v.word)}${steps}`;
      const tip = `${s.id} under ${col.policy}: ${v.word}; ${num(c.states)} states${c.seconds !== undefined ? `, ${c.seconds.toFixed(2)} s` : ''}`;
      const anchor = anchors.get(cellKey(c))!;
      m.push(
        `<td class="${v.css}" ${dataAttributes(c, col)} title="${h(tip)}">${c.verdict === 'holds' ? text : `<a href="#${h(anchor)}">${text}</a>`}</td>`,
      );
    }
    m.push('</tr>');
  }
  m.push('</tbody></table></div>');
  m.push(legend(present));
  m.push(
    '<p class="note">A number in brackets is the length (steps) of the shortest counterexample. Every cell other than <em>holds</em> links to its trace below. Hover a column for what its policy means.</p><p id="filter-status" class="note" role="status" aria-live="polite"></p></section>',
  );
  return m.join('\n');
}

function dataAttributes(c: ReviewCell, col: Column): string {
  return `data-verdict="${VERDICTS[c.verdict].key}" data-policy="${h(col.policy)}" data-proposal="${h(col.proposal)}" data-scenario="${h(c.scenario)}"`;
}

function badge(v: CellVerdict): string {
  const d = VERDICTS[v];
  return `<span class="badge ${d.css}"><span class="sym" aria-hidden="true">${d.symbol}</span> ${h(d.word)}</span>`;
}

function legend(present: readonly CellVerdict[]): string {
  return `<ul class="legend">${present.map((v) => `<li>${badge(v)} ${h(VERDICTS[v].doc)}</li>`).join('')}</ul>`;
}

/** The filter form: hidden until the script runs (without it, it could filter nothing). */
function filters(review: ReviewResult, columns: readonly Column[], present: readonly CellVerdict[], counts: Map<CellVerdict, number>): string {
  const radios = [
    `<label><input type="radio" name="verdict" value="" checked> every verdict (${review.cells.length})</label>`,
    ...(present.some((v) => VIOLATIONS.includes(v))
      ? [`<label><input type="radio" name="verdict" value="g1 g2 g3"> <span class="sym" aria-hidden="true">✗</span> any violation (${VIOLATIONS.reduce((n, v) => n + (counts.get(v) ?? 0), 0)})</label>`]
      : []),
    ...present.map((v) => `<label><input type="radio" name="verdict" value="${VERDICTS[v].key}"> ${badge(v)} (${counts.get(v)})</label>`),
  ];
  const proposals = [...new Set(columns.map((c) => c.proposal))].filter((p) => p !== 'kernel' && p !== 'other');
  const policyOptions = [
    '<option value="">every policy</option>',
    ...(columns.some((c) => c.proposal === 'kernel') ? ['<option value="proposal:kernel">Linux as released</option>'] : []),
    ...proposals.map((p) => `<option value="proposal:${h(p)}">proposal (${h(p)}), every base</option>`),
    ...columns.map((c) => `<option value="policy:${h(c.policy)}">${h(c.policy)}</option>`),
  ];
  const scenarioOptions = ['<option value="">every scenario</option>', ...review.scenarios.map((s) => `<option value="${h(s.id)}">${h(s.id)}: ${h(s.title)}</option>`)];
  return `<form id="filters" class="filters" hidden aria-label="Filter the cells and traces">
<fieldset class="verdicts"><legend>Verdict</legend>${radios.join('')}</fieldset>
<label class="pick">Policy or proposal <select id="filter-policy" name="policy">${policyOptions.join('')}</select></label>
<label class="pick">Scenario <select id="filter-scenario" name="scenario">${scenarioOptions.join('')}</select></label>
<button type="reset" id="filter-reset">Show everything</button>
</form>`;
}

function proposalsSection(columns: readonly Column[]): string {
  const shown = seedProposals.filter((p) => columns.some((c) => c.proposal === p.id));
  if (shown.length === 0) return '';
  return `<section id="proposals"><h2>The proposals</h2><p>The seed thread (LKML, 29 March 2018, “Re: [RFC PATCH for 4.17 02/21] rseq: Introduce restartable sequences system call (v12)”) weighed what the kernel should do about a system call made inside a critical section. Each proposal is checked over two base kernels.</p><dl class="proposals">${shown
    .map((p) => `<dt>(${h(p.id)})</dt><dd>${h(p.meaning)} <q>${h(p.quote)}</q> <span class="who">— ${h(p.by)}</span></dd>`)
    .join('')}</dl></section>`;
}

async function coverageSection(review: ReviewResult, cellOf: (s: string, p: string) => ReviewCell | undefined): Promise<string> {
  const cov: string[] = ['<section id="coverage"><h2>Placement coverage</h2>', coverageIntro(true)];
  for (const [i, s] of review.scenarios.entries()) {
    const cells = review.policies.map((p) => cellOf(s.id, p)).filter((c): c is ReviewCell => c?.coverage !== undefined);
    cov.push(`<section id="coverage-${h(slug(s.id))}" class="scenario-coverage" data-scenario="${h(s.id)}"><h3>${h(s.id)}: ${h(s.title)}</h3>`);
    if (cells.length === 0) {
      cov.push('<p class="nodiagram">No coverage was recorded for this scenario.</p>');
    } else {
      const plot = await renderCoveragePlot(cells.map((c) => c.coverage!), undefined, `cov${i}`);
      cov.push(
        `<details class="coverage"><summary>Heat map and table of ${cells.length} polic${cells.length === 1 ? 'y' : 'ies'}</summary><figure class="plot">${plot}</figure>${coverageTable(
          aggregateCoverage(cells.map((c) => ({ policy: c.policy, coverage: c.coverage! }))),
          true,
        )}</details>`,
      );
    }
    cov.push('</section>');
  }
  cov.push('</section>');
  return cov.join('\n');
}

// ---- the script, the extra style and the weight ------------------------------------------------

/**
 * Filters the matrix cells (hidden but keeping their place), the columns and rows, and the
 * trace and coverage sections; opens a trace's `<details>` when a link leads to it.
 */
const SCRIPT = `(() => {
  const form = document.getElementById('filters');
  const status = document.getElementById('filter-status');
  form.hidden = false;
  const apply = () => {
    const verdicts = (form.querySelector('input[name=verdict]:checked')?.value ?? '').split(' ').filter(Boolean);
    const policy = form.elements.policy.value;
    const scenario = form.elements.scenario.value;
    const policyOk = (el) => policy === '' || (policy.startsWith('proposal:') ? el.dataset.proposal === policy.slice(9) : el.dataset.policy === policy.slice(7));
    const scenarioOk = (el) => scenario === '' || el.dataset.scenario === scenario;
    const verdictOk = (el) => verdicts.length === 0 || verdicts.includes(el.dataset.verdict);
    let shown = 0, total = 0;
    for (const el of document.querySelectorAll('table.matrix [data-policy]')) el.classList.toggle('col-off', !policyOk(el));
    for (const tr of document.querySelectorAll('table.matrix tbody tr')) tr.hidden = !scenarioOk(tr);
    for (const td of document.querySelectorAll('table.matrix td[data-verdict]')) {
      total++;
      const on = policyOk(td) && scenarioOk(td) && verdictOk(td);
      td.classList.toggle('off', !on);
      if (on) shown++;
    }
    for (const s of document.querySelectorAll('section.cell[data-verdict]')) s.hidden = !(policyOk(s) && scenarioOk(s) && verdictOk(s));
    for (const s of document.querySelectorAll('section.scenario-coverage')) s.hidden = !scenarioOk(s);
    status.textContent = shown === total ? '' : 'Showing ' + shown + ' of ' + total + ' cells.';
  };
  form.addEventListener('change', apply);
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('reset', () => setTimeout(apply));
  const reveal = () => {
    const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target === null) return;
    target.hidden = false;
    for (const d of target.querySelectorAll('details')) d.open = true;
    target.scrollIntoView();
  };
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
})();`;

const STYLE = `
.v-kill { background: #e3eefc; } table.matrix td.v-kill a { color: #0d47a1; }
table.matrix td.v-ok { color: #1b5e20; }
table.matrix th.group { font-weight: 600; background: #e9edf5; }
table.matrix caption { caption-side: bottom; text-align: left; color: #555; font-size: 0.92em; padding-top: 0.3em; }
table.matrix td { white-space: normal; min-width: 4.6em; line-height: 1.2; }
.sym { font-weight: 700; } .len { white-space: nowrap; color: #444; }
table.matrix td.off { visibility: hidden; } table.matrix .col-off { display: none; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.6em 1.5em; align-items: flex-end; margin: 0.8em 0; padding: 0.6em 0.8em; border: 1px solid var(--line); border-radius: 6px; background: #f7f8fb; }
form.filters fieldset { border: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3em 0.9em; }
form.filters legend { font-weight: 600; padding: 0; margin-bottom: 0.2em; }
form.filters label.pick { display: flex; flex-direction: column; font-weight: 600; } form.filters select { font: inherit; max-width: 26em; }
form.filters :focus-visible { outline: 3px solid #1a55b5; outline-offset: 2px; }
dl.proposals { display: grid; grid-template-columns: auto 1fr; gap: 0.4em 1em; } dl.proposals dt { font-weight: 700; } dl.proposals dd { margin: 0; }
dl.proposals q { color: #444; font-style: italic; } .who { color: #666; font-size: 0.9em; }
details.trace, details.coverage { margin: 0.5em 0; } details > summary { cursor: pointer; color: #1a55b5; font-weight: 600; }
.weight { color: #555; font-size: 0.92em; }
`;

/** The review's script and style added to the page shell, the script allowed by its hash alone. */
function finishPage(html: string): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = "default-src 'none';";
  if (!html.includes(csp) || !html.includes('</head>') || !html.includes('</body>')) throw new Error('renderReviewHtml: the page shell lacks its CSP, </head> or </body>');
  return html
    .replace(csp, `${csp} script-src 'sha256-${hash}';`)
    .replace('</head>', `<style>${STYLE}</style>\n</head>`)
    .replace('</body>', `<script>${SCRIPT}</script>\n</body>`);
}

const WEIGHT_MARK = '<!--page-weight-->';

/** Writes the page's own size in bytes (UTF-8) into its last paragraph. */
function withWeight(html: string): string {
  const at = html.lastIndexOf('</body>');
  const shell = `${html.slice(0, at)}<p class="weight" id="page-weight">This page weighs ${WEIGHT_MARK} bytes (UTF-8), diagrams and plots included.</p>\n${html.slice(at)}`;
  // The number is part of the page: settle on a length that counts its own digits.
  const base = Buffer.byteLength(shell, 'utf8') - WEIGHT_MARK.length;
  let bytes = base;
  while (base + num(bytes).length !== bytes) bytes = base + num(bytes).length;
  return shell.replace(WEIGHT_MARK, num(bytes));
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
