import { beforeAll, describe, expect, it } from 'vitest';
import { formatResult, type CheckResult } from '../../models/check.js';
import { traceToText } from '../../models/explain.js';
import { reviewToMarkdown, type ReviewResult } from '../../models/review.js';
import { traceToDot } from '../../reports/dot.js';
import { parseResultJson, checkToJson } from '../../reports/json.js';
import { withReviewViews, withViews } from '../../reports/notebook.js';
import { incompleteCheck, mixedReview, passingCheck, violatingCheck } from './results.js';

let pass: CheckResult;
let violation: CheckResult;
let incomplete: CheckResult;
let review: ReviewResult;

beforeAll(async () => {
  [pass, violation, incomplete, review] = await Promise.all([passingCheck(), violatingCheck(), incompleteCheck(), mixedReview()]);
});

describe('withViews (check results)', () => {
  it('draws and explains a violation', async () => {
    const r = withViews(violation);
    if (violation.verdict !== 'violation') throw new Error('expected a violation');
    expect(r.verdict).toBe('violation');
    expect(r.toDot()).toBe(traceToDot(violation.trace));
    expect(r.toDot({ lanes: 'thread' })).toBe(traceToDot(violation.trace, { lanes: 'thread' }));
    const svg = await r.toSvg();
    expect(svg).toContain('<svg');
    expect(svg).toContain('witness');
    expect(r.explain()).toBe(violation.explain());
    expect(r.explain()).toContain(traceToText(violation.trace));
  });

  it('works on a result read back from JSON', () => {
    const r = withViews(parseResultJson(checkToJson(violation)) as Parameters<typeof withViews>[0]);
    expect(r.explain()).toBe(formatResult(violation));
    expect(r.toDot()).toBe(withViews(violation).toDot());
  });

  it('for a pass or an incomplete run draws a note saying there is no counterexample', async () => {
    const p = withViews(pass);
    expect(p.toDot()).toMatch(/^digraph note \{/);
    expect(p.toDot()).toContain('HOLDS: percpu-counter under linux-6.3');
    expect(await p.toSvg()).toContain('no counterexample to draw');
    const i = withViews(incomplete);
    expect(i.toDot()).toContain('INCOMPLETE');
    expect(i.toDot()).toContain('the states limit (100)');
    expect(i.explain()).toMatch(/^INCOMPLETE/);
  });

  it('draws a flag witness on request, and names the flags when asked for another', () => {
    expect(() => withViews(violation).toDot({ flag: 'nope' })).toThrow(/no flag "nope" in this result/);
    const flagged = review.cells.find((c) => c.verdict === 'killed as promised')!;
    const fake = { ...violation, flags: [{ code: 1, name: 'killed-as-promised', count: 1, witness: { choices: [0] }, trace: flagged.trace! }] };
    expect(withViews(fake).toDot({ flag: 'killed-as-promised' })).toBe(traceToDot(flagged.trace!));
  });
});

describe('withReviewViews', () => {
  it('draws and explains one cell', async () => {
    const r = withReviewViews(review);
    const c = r.cell("S1'", 'linux-6.19');
    expect(c.verdict).toBe('atomicity broken (G1)');
    expect(r.toDot("S1'", 'linux-6.19')).toBe(traceToDot(c.trace!));
    expect(await r.toSvg("S1'", 'linux-6.19')).toContain('<svg');
    expect(r.explain("S1'", 'linux-6.19')).toContain(traceToText(c.trace!));
    expect(r.explain("S1'", 'linux-6.19')).toMatch(/^S1' under linux-6\.19: atomicity broken \(G1\)/);
  });

  it('explains the matrix and a scenario row', () => {
    const r = withReviewViews(review);
    expect(r.explain()).toBe(reviewToMarkdown(review));
    const row = r.explain("S1'");
    expect(row.split('\n')).toHaveLength(1 + review.policies.length);
    expect(row).toContain('linux-6.19: atomicity broken (G1) (10 steps)');
  });

  it('draws a note for a cell without a counterexample', () => {
    const r = withReviewViews(review);
    expect(r.toDot("S1'", 'linux-6.3')).toContain("S1' under linux-6.3: holds");
    expect(r.toDot('S2', 'linux-6.3')).toContain('incomplete');
  });

  it('names the scenarios or policies when asked for a cell that does not exist', () => {
    const r = withReviewViews(review);
    expect(() => r.toDot('S99', 'linux-6.19')).toThrow(`no scenario "S99" in this review (scenarios: S1', S2)`);
    expect(() => r.toDot('S2', 'linux-9')).toThrow(/no policy "linux-9" in this review \(policies: linux-6\.3, linux-6\.19, b@6\.19\)/);
    expect(() => r.explain('S99')).toThrow(/no scenario "S99"/);
  });
});
