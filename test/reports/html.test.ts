import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../run/check.js';
import type { ExplainedTrace } from '../../run/explained-trace.js';
import { knobDefs } from '../../models/kernel/policy.js';
import type { ReviewResult } from '../../run/review.js';
import { renderCheckHtml, renderTraceHtml, writeReport } from '../../reports/html.js';
import { cellAnchors, renderReviewHtml } from '../../reports/review-html.js';
import { eventKindWords } from '../../reports/event-words.js';
import { createHash } from 'node:crypto';
import { lassoTrace } from './fixtures/lasso-trace.js';
import { incompleteCheck, mixedReview, passingCheck, violatingCheck } from './results.js';
import { xmlProblems } from './xml-check.js';

let pass: CheckResult;
let violation: CheckResult & { verdict: 'violation' };
let incomplete: CheckResult;
let review: ReviewResult;
let reviewHtml: string;
let violationHtml: string;
const dirs: string[] = [];

beforeAll(async () => {
  const v = await violatingCheck();
  if (v.verdict !== 'violation') throw new Error('expected a violation');
  violation = v;
  [pass, incomplete, review] = await Promise.all([passingCheck(), incompleteCheck(), mixedReview()]);
  [reviewHtml, violationHtml] = await Promise.all([renderReviewHtml(review), renderCheckHtml(violation)]);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The `<section id="id" …>…</section>` (sections holding a trace contain no nested section). */
function section(html: string, id: string): string | undefined {
  const start = html.indexOf(`<section id="${id}"`);
  if (start < 0) return undefined;
  return html.slice(start, html.indexOf('</section>', start) + '</section>'.length);
}

function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** The swim-lane diagrams only (the plots are SVG too). */
function diagrams(html: string): string[] {
  return [...html.matchAll(/<figure class="diagram"><svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** The charts (reports/plots). */
function plots(html: string): string[] {
  return [...html.matchAll(/<figure class="plot"><svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/**
 * Attribute values and CSS that would make a browser fetch something from the network. Only
 * real tags are looked at (text is escaped, so a `<` in the page always opens a tag); text that
 * merely mentions a URL is fine.
 */
function networkReferences(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.matchAll(/<([A-Za-z][\w:-]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    if (/^(link|script|iframe|frame|object|embed|img|image|video|audio|source|track|base|use)$/i.test(tag[1]!)) found.push(`<${tag[1]}>`);
    for (const m of tag[2]!.matchAll(/\s([^\s=>]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
      const name = m[1]!.toLowerCase();
      const value = m[3] ?? m[4] ?? m[5] ?? '';
      if (/^(src|srcset|href|xlink:href|action|formaction|poster|data|background|ping|manifest|codebase|cite)$/.test(name) && !value.startsWith('#')) found.push(`${name}=${value}`);
      if (name === 'style' && /url\(|@import/i.test(value)) found.push(`style=${value}`);
      if (name === 'http-equiv' && /refresh/i.test(value)) found.push('meta refresh');
    }
  }
  for (const css of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) if (/url\(|@import|@font-face/i.test(css[1]!)) found.push('CSS loading a resource');
  return found;
}

describe('the network-reference check of these tests', () => {
  it('finds resources in tags and ignores URLs in text', () => {
    expect(networkReferences('<p>see https://example.org &lt;img src=http://x&gt;</p>')).toEqual([]);
    expect(networkReferences('<a href="#x">x</a><svg><g id="a"></g></svg>')).toEqual([]);
    expect(networkReferences('<a href="https://example.org">x</a>')).toEqual(['href=https://example.org']);
    expect(networkReferences('<img src=//cdn.example/x.png>')).toEqual(['<img>', 'src=//cdn.example/x.png']);
    expect(networkReferences('<style>body { background: url(x.png) }</style>')).toEqual(['CSS loading a resource']);
    expect(networkReferences('<svg><image xlink:href="http://x/y.png"/></svg>')).toEqual(['<image>', 'xlink:href=http://x/y.png']);
  });
});

describe('the review report', () => {
  it('has the verdict matrix: a row per scenario, a column per policy', () => {
    const matrix = section(reviewHtml, 'matrix')!;
    expect(matrix).toContain('<table class="matrix">');
    const head = matrix.slice(matrix.indexOf('<thead>'), matrix.indexOf('</thead>'));
    for (const p of review.policies) expect(head).toContain(`<code>${p.replace(/'/g, '&#39;')}</code>`);
    const rows = matrix.slice(matrix.indexOf('<tbody>'), matrix.indexOf('</tbody>')).split(/<tr[ >]/).slice(1);
    expect(rows.map((r) => /<span class="sid">([^<]*)</.exec(r)![1])).toEqual(review.scenarios.map((s) => s.id.replace(/'/g, '&#39;')));
    for (const r of rows) expect(r.match(/<td /g)).toHaveLength(review.policies.length);
  });

  it('links every cell that does not hold to a section with its counterexample', () => {
    const anchors = cellAnchors(review);
    const failing = review.cells.filter((c) => c.verdict !== 'holds');
    // mixedReview (results.ts): the four cells that do not hold, the incomplete one included.
    expect(failing.map((c) => [c.scenario, c.policy, c.verdict])).toEqual([
      ["S1'", 'linux-6.19', 'atomicity broken (G1)'],
      ["S1'", 'b@6.19', 'killed as promised'],
      ['S2', 'linux-6.3', 'incomplete'],
      ['S2', 'b@6.19', 'false kill (G2)'],
    ]);
    const links = [...section(reviewHtml, 'matrix')!.matchAll(/<a href="#(cell-[^"]*)"/g)].map((m) => m[1]);
    expect(links).toHaveLength(failing.length);
    expect(new Set(links).size).toBe(links.length);
    for (const c of failing) {
      const id = anchors.get(`${c.scenario}\u0000${c.policy}`)!;
      expect(links).toContain(id);
      const s = section(reviewHtml, id);
      expect(s, `section of ${c.scenario} / ${c.policy}`).toBeDefined();
      if (c.trace === undefined) {
        expect(c.verdict).toBe('incomplete');
        expect(s).toContain('no verdict');
        continue;
      }
      expect(s).toMatch(/<svg[\s\S]*<\/svg>/);
      // The steps in words: numbered from 0, the witness marked, the replay token.
      expect(s).toContain('<ol class="steps" start="0">');
      expect(s!.match(/<li value="\d+" class="step/g)).toHaveLength(c.trace.steps.length);
      if (c.trace.steps.some((x) => x.witness)) expect(s).toContain('class="witness-mark"');
      expect(s).toContain(`--replay ${c.trace.replay}`);
    }
    // Holding cells are not links.
    expect(section(reviewHtml, 'matrix')!).toMatch(/<td class="v-ok"[^>]*><span class="sym" aria-hidden="true">✓<\/span> holds<\/td>/);
  });

  it('lists the kernel decisions of each step', () => {
    const g1 = review.cells.find((c) => c.verdict === 'atomicity broken (G1)')!;
    const s = section(reviewHtml, cellAnchors(review).get(`${g1.scenario}\u0000${g1.policy}`)!)!;
    const decisions = g1.trace!.steps.flatMap((x) => x.decisions);
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect(s).toContain(`<span class="dkind">${d.kind}</span>`);
  });

  it('has a placement-coverage table per scenario', () => {
    for (const sc of review.scenarios) {
      const id = `coverage-${sc.id.replace(/'/g, '-prime')}`;
      const s = reviewHtml.slice(reviewHtml.indexOf(`<section id="${id}"`));
      expect(s.length, id).toBeLessThan(reviewHtml.length);
      const table = s.slice(0, s.indexOf('</table>'));
      expect(table).toContain('<table class="coverage">');
      const cells = review.cells.filter((c) => c.scenario === sc.id && c.coverage);
      const cs = cells[0]!.coverage!.programs.flatMap((p) => p.instructions.filter((i) => i.inCs.length > 0).map((i) => `${p.name}:${i.index}`));
      expect(cs.length).toBeGreaterThan(0);
      for (const where of cs) expect(table).toContain(`<code>${where}</code>`);
      // Headed in words, the internal name as the tooltip.
      for (const k of cells[0]!.coverage!.eventKinds) expect(table).toContain(`<th scope="col" class="ek" title="${k}"><span>${eventKindWords(k)}</span></th>`);
    }
  });

  it('makes no reference to the network, and forbids it: its one inline script is allowed by its hash alone', () => {
    expect(networkReferences(reviewHtml)).toEqual(['<script>']);
    const scripts = [...reviewHtml.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    expect(reviewHtml).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${hash}';`);
  });

  it('embeds well-formed SVG with ids unique in the page', () => {
    const all = svgs(reviewHtml);
    expect(diagrams(reviewHtml).length).toBe(review.cells.filter((c) => c.trace).length);
    // The time-and-states plot, and a coverage heat map per scenario.
    expect(plots(reviewHtml).length).toBe(1 + review.scenarios.length);
    expect(all.length).toBe(diagrams(reviewHtml).length + plots(reviewHtml).length);
    for (const svg of all) expect(xmlProblems(svg)).toEqual([]);
    const ids = [...reviewHtml.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the check report', () => {
  it('has the summary: model, policy with every knob value, verdict, budgets', () => {
    const s = section(violationHtml, 'summary')!;
    expect(s).toContain('percpu-counter');
    expect(s).toContain(violation.policy.name);
    expect(s).toContain('VIOLATED');
    expect(s).toContain(violation.property);
    expect(s).toContain('preemptions ∞, migrations ∞, signals 1, interrupts 0, traps 0');
    const p = section(violationHtml, 'policy')!;
    for (const k of knobDefs) {
      const v = (violation.policy as unknown as Record<string, unknown>)[k.name];
      expect(p).toContain(`<code>${k.name}</code>`);
      expect(p).toContain(`<code>${Array.isArray(v) ? v.join(', ') : String(v)}</code>`);
    }
    // The override is marked against its preset.
    expect(p).toMatch(/<tr class="changed"><th scope="row"[^>]*><code>abortOnMigrate<\/code><\/th><td><code>false<\/code> <span class="was">\(linux-6\.3: <code>true<\/code>\)/);
  });

  it('has the statistics', () => {
    const s = section(violationHtml, 'statistics')!;
    const st = violation.stats;
    for (const [k, v] of [
      ['states', st.states.toLocaleString('en-US')],
      ['transitions', st.transitions.toLocaleString('en-US')],
      ['depth', String(st.depth)],
      ['seconds', st.seconds.toFixed(3)],
      ['states/s', Math.round(st.statesPerSecond).toLocaleString('en-US')],
      ['bytes/state', st.bytesPerState.toFixed(1)],
    ]) expect(s).toContain(`<th scope="row">${k}</th><td>${v}`);
  });

  it('has the counterexample: diagram, numbered steps with the witness marked, replay token', () => {
    const s = section(violationHtml, 'counterexample')!;
    expect(svgs(s)).toHaveLength(1);
    expect(xmlProblems(svgs(s)[0]!)).toEqual([]);
    const witness = violation.trace.steps.filter((x) => x.witness);
    expect(witness.length).toBeGreaterThan(0);
    for (const w of witness) expect(s).toMatch(new RegExp(`<li value="${w.index}" class="step k-${w.kind} witness">`));
    expect(s).toContain(`--replay ${violation.trace.replay}`);
  });

  it('has the placement coverage of the c.s. instructions, with where the violation arose', () => {
    const s = section(violationHtml, 'coverage')!;
    const rows = s.split('<tr>').slice(2);
    const cs = violation.coverage.programs.flatMap((p) => p.instructions.filter((i) => i.inCs.length > 0 || i.violations > 0).map((i) => ({ where: `${p.name}:${i.index}`, i })));
    expect(rows).toHaveLength(cs.length);
    for (const { where, i } of cs) {
      const row = rows.find((r) => r.includes(`<code>${where}</code>`))!;
      expect(row, where).toBeDefined();
      for (const k of violation.coverage.eventKinds) {
        const none = i.fused ? `title="${k} before ${where}: explored at the next instruction (a purely local instruction, run fused)"` : `title="${k} at ${where}: not explored"`;
        expect(row).toContain(i.events[k]! > 0 ? `title="${k} at ${where}: ${i.events[k]} transitions"` : none);
      }
      if (i.violations > 0) expect(row).toContain(`<td class="violation"`);
    }
    expect(rows.some((r) => r.includes('<td class="violation"'))).toBe(true);
    // percpu-counter's `add r1, 1` runs fused with its load: its row says so.
    expect(cs.some(({ i }) => i.fused === true)).toBe(true);
  });

  it('for a pass: HOLDS, no counterexample, coverage', async () => {
    const html = await renderCheckHtml(pass);
    expect(html).toContain('<strong>HOLDS</strong>');
    expect(section(html, 'counterexample')).toBeUndefined();
    expect(diagrams(html)).toHaveLength(pass.flags.length);
    // Proved by the depth-first phase: its depth is named so, and there are no levels to plot.
    expect(pass.stats.searchOrder).toBe('depth-first');
    expect(html).toContain('<th scope="row">depth (depth-first)</th>');
    expect(plots(html)).toHaveLength(1);
    expect(section(html, 'coverage')).toContain('<table class="coverage">');
    expect(networkReferences(html)).toEqual([]);
  });

  it('for a breadth-first pass: the states per BFS level and the coverage heat map', async () => {
    const html = await renderCheckHtml(await passingCheck({ search: 'bfs' }));
    expect(html).toContain('<th scope="row">depth</th>');
    expect(plots(html)).toHaveLength(2);
  });

  it('for an incomplete run: no verdict, and the limit that stopped it', async () => {
    const html = await renderCheckHtml(incomplete);
    expect(html).toContain('<strong>INCOMPLETE</strong>: stopped by the states limit (100); no verdict');
    expect(section(html, 'counterexample')).toBeUndefined();
    expect(networkReferences(html)).toEqual([]);
  });

  it('makes no reference to the network', () => {
    expect(networkReferences(violationHtml)).toEqual([]);
  });
});

describe('escaping', () => {
  const evil = '<script>alert("x")</script><img src=http://evil.example/x>';
  const evilTrace: ExplainedTrace = {
    ...lassoTrace,
    model: evil,
    policy: `p' onmouseover='x`,
    property: evil,
    threads: [evil, 'T2'],
    steps: lassoTrace.steps.map((s) => ({
      ...s,
      text: `${s.text} ${evil}`,
      thread: s.thread === 'T1' ? evil : s.thread,
      decisions: s.decisions.map((d) => ({ ...d, text: evil })),
      ...(s.instruction ? { instruction: { ...s.instruction, label: evil, text: evil } } : {}),
    })),
  };

  it('escapes every name and text from the result', async () => {
    const evilCheck: CheckResult = { ...violation, model: evil, policy: { ...violation.policy, name: evil }, trace: evilTrace, property: evil };
    const evilReview: ReviewResult = {
      ...review,
      scenarios: review.scenarios.map((s, i) => (i === 0 ? { id: `${s.id}"><b>`, title: evil } : s)),
      cells: review.cells.map((c) => (c.scenario === review.scenarios[0]!.id ? { ...c, scenario: `${c.scenario}"><b>`, ...(c.trace ? { trace: evilTrace } : {}) } : c)),
    };
    for (const [html, scripts] of [[await renderTraceHtml(evilTrace), 0], [await renderCheckHtml(evilCheck), 0], [await renderReviewHtml(evilReview), 1]] as const) {
      // The review page's own filter script is the only one.
      expect(html.split('<script').length - 1).toBe(scripts);
      expect(html).not.toContain('<img');
      expect(html).not.toContain('"><b>');
      expect(html).not.toContain("' onmouseover='");
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(networkReferences(html)).toEqual(scripts === 1 ? ['<script>'] : []);
      for (const svg of svgs(html)) expect(xmlProblems(svg)).toEqual([]);
    }
  });
});

describe('a lasso trace', () => {
  it('marks where the cycle starts and the steps in it', async () => {
    const html = await renderTraceHtml(lassoTrace);
    expect(html).toContain('the steps from 1 on repeat forever');
    expect(html).toMatch(/<li value="1" class="step k-instruction in-cycle"><span class="cycle-mark">/);
    expect(html).not.toMatch(/<li value="0" class="[^"]*in-cycle/);
    expect(svgs(html)).toHaveLength(1);
  });
});

describe('writeReport', () => {
  it('writes the file (creating the directory) and returns its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-html-'));
    dirs.push(dir);
    const path = await writeReport(join(dir, 'a', 'b'), '<!DOCTYPE html><p>x</p>', 'r.html');
    expect(path).toBe(join(dir, 'a', 'b', 'r.html'));
    expect(readFileSync(path, 'utf8')).toBe('<!DOCTYPE html><p>x</p>');
    expect(await writeReport(dir, 'y')).toBe(join(dir, 'report.html'));
  });
});
