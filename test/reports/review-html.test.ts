/**
 * The review page (reports/review-html.ts) as a reader's table: a cell per (scenario, policy)
 * with a symbol and a word, promised kills shown as kills and not violations, the proposals in
 * the seed thread's words, filters, collapsed traces and coverage, and the page's own weight.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedProposals } from '../../models/library/seed/proposals.js';
import type { ReviewResult } from '../../run/review.js';
import { cellAnchors, renderReviewHtml } from '../../reports/review-html.js';
import { mixedReview } from './results.js';

let review: ReviewResult;
let html: string;

beforeAll(async () => {
  review = await mixedReview();
  html = await renderReviewHtml(review);
});

function between(s: string, from: string, to: string): string {
  const a = s.indexOf(from);
  expect(a, from).toBeGreaterThanOrEqual(0);
  return s.slice(a, s.indexOf(to, a));
}

describe('the matrix', () => {
  it('comes first, with a cell per scenario × policy carrying its verdict as data', () => {
    expect(html.indexOf('<section id="matrix"')).toBeLessThan(html.indexOf('<section id="proposals"'));
    expect(html.indexOf('<section id="proposals"')).toBeLessThan(html.indexOf('<section id="counterexamples"'));
    const body = between(html, '<table class="matrix">', '</table>');
    const cells = [...body.matchAll(/<td class="([^"]*)" data-verdict="([^"]*)" data-policy="([^"]*)" data-proposal="([^"]*)" data-scenario="([^"]*)"/g)].map((m) => m.slice(1));
    // mixedReview: S1' and S2 under linux-6.3, linux-6.19 and b@6.19.
    expect(cells).toEqual([
      ['v-ok', 'holds', 'linux-6.3', 'kernel', 'S1&#39;'],
      ['v-bad', 'g1', 'linux-6.19', 'kernel', 'S1&#39;'],
      ['v-kill', 'kill', 'b@6.19', 'b', 'S1&#39;'],
      ['v-unknown', 'incomplete', 'linux-6.3', 'kernel', 'S2'],
      ['v-ok', 'holds', 'linux-6.19', 'kernel', 'S2'],
      ['v-bad', 'g2', 'b@6.19', 'b', 'S2'],
    ]);
  });

  it('groups the columns into released kernels and proposals, and says what each proposal means', () => {
    const head = between(html, '<thead>', '</thead>');
    expect([...head.matchAll(/<th scope="colgroup" colspan="(\d+)" class="group">([^<]*)<\/th>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['2', 'Linux as released'],
      ['1', 'seed proposals over linux-6.19'],
    ]);
    expect(head).toContain(`data-policy="b@6.19" data-proposal="b" title="${seedProposals.find((p) => p.id === 'b')!.meaning}"`);
  });

  it('shows each verdict as a symbol and a word, never by colour alone', () => {
    const body = between(html, '<table class="matrix">', '</table>');
    expect(body).toMatch(/data-verdict="g1"[^>]*><a href="#[^"]*"><span class="sym" aria-hidden="true">✗<\/span> G1 broken <span class="len">\(9\)<\/span><\/a><\/td>/);
    expect(body).toMatch(/data-verdict="kill"[^>]*><a href="#[^"]*"><span class="sym" aria-hidden="true">✓<\/span> killed, as promised<\/a><\/td>/);
    expect(body).toMatch(/data-verdict="incomplete"[^>]*><a href="#[^"]*"><span class="sym" aria-hidden="true">\?<\/span> incomplete<\/a><\/td>/);
  });
});

describe('promised kills', () => {
  it('are kills the policy promised, in their own section, not counterexamples or violations', () => {
    const kill = review.cells.find((c) => c.verdict === 'killed as promised')!;
    const id = cellAnchors(review).get(`${kill.scenario}\u0000${kill.policy}`)!;
    const kills = between(html, '<section id="kills"', '<section id="coverage"');
    expect(kills).toContain(`<section id="${id}" data-verdict="kill"`);
    expect(kills).toContain(`<h3>S1&#39; under b@6.19: killed, as promised</h3>`);
    expect(kills).toContain('the expected outcome, not a violation');
    // Its diagram's title says so too (Graphviz writes '-' as &#45;).
    expect(kills).toContain('killed, as the policy promised (no violation): killed&#45;as&#45;promised');
    expect(kills).not.toContain('violates:');
    const violations = between(html, '<section id="counterexamples"', '<section id="kills"');
    expect(violations).not.toContain(id);
    expect(html).not.toContain('violates: killed&#45;as&#45;promised');
  });
});

describe('the proposals', () => {
  it('gives each proposal in the matrix one sentence and the seed thread words it comes from', () => {
    const s = between(html, '<section id="proposals"', '</section>');
    // Only b is a column of mixedReview.
    expect([...s.matchAll(/<dt>\(([^)]*)\)<\/dt>/g)].map((m) => m[1])).toEqual(['b']);
    expect(s).toContain('<q>We need to decide whether we just document that syscalls within rseq c.s. are not supported, or we enforce a behavior if this happens (e.g. SIGSEGV).</q>');
  });

  it('quotes the seed thread word for word', () => {
    const thread = readFileSync(new URL('./fixtures/seed-thread.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.replace(/^(>\s*)+/, '').replace(/^- /, ''))
      .join(' ')
      .replace(/\s+/g, ' ');
    for (const p of seedProposals) expect(thread, p.id).toContain(p.quote.replace(/^…|…$/g, ''));
    expect(seedProposals.map((p) => p.id)).toEqual(['a', 'b', 'c', "c'", 'd']);
  });
});

describe('filters, collapsed sections and weight', () => {
  it('has filters by verdict, policy or proposal, and scenario, hidden until its script runs', () => {
    const form = between(html, '<form id="filters"', '</form>');
    expect(form).toContain('hidden');
    expect([...form.matchAll(/<input type="radio" name="verdict" value="([^"]*)"/g)].map((m) => m[1])).toEqual(['', 'g1 g2 g3', 'g1', 'g2', 'kill', 'holds', 'incomplete']);
    expect([...between(form, 'id="filter-policy"', '</select>').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])).toEqual([
      '',
      'proposal:kernel',
      'proposal:b',
      'policy:linux-6.3',
      'policy:linux-6.19',
      'policy:b@6.19',
    ]);
    expect([...between(form, 'id="filter-scenario"', '</select>').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])).toEqual(['', 'S1&#39;', 'S2']);
  });

  it('closes every trace and coverage table in a <details> until opened', () => {
    const traces = review.cells.filter((c) => c.trace !== undefined).length;
    expect(html.match(/<details class="trace"><summary>/g)).toHaveLength(traces);
    expect(html.match(/<details class="coverage"><summary>/g)).toHaveLength(review.scenarios.length);
    expect(html).not.toMatch(/<details[^>]* open/);
    expect(html).toContain('<summary>Diagram and 9 steps of the counterexample</summary>');
  });

  it('states its own weight in bytes at its foot', () => {
    const m = /<p class="weight" id="page-weight">This page weighs ([\d,]+) bytes/.exec(html)!;
    expect(m).not.toBeNull();
    expect(Number(m[1]!.replace(/,/g, ''))).toBe(Buffer.byteLength(html, 'utf8'));
    expect(html.indexOf('id="page-weight"')).toBeGreaterThan(html.indexOf('<footer>'));
  });
});
