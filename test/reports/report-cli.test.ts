import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand, writeCheckReport, writeReviewReport } from '../../cli/report.js';
import type { CheckResult } from '../../run/check.js';
import { formatInputError, InputErrors } from '../../models/ir/errors.js';
import type { ReviewResult } from '../../run/review.js';
import { parseResultJson, resultToJson, traceToJson } from '../../reports/json.js';
import { lassoTrace } from './fixtures/lasso-trace.js';
import { smallReview, violatingCheck } from './results.js';

let dir: string;
let violation: CheckResult;
let review: ReviewResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rseq-report-cli-'));
  [violation, review] = await Promise.all([violatingCheck(), smallReview()]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inputErrors(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputErrors) return e.errors.map(formatInputError);
    throw e;
  }
  throw new Error('expected InputErrors');
}

/** A JSON document without its provenance (which holds the date it was written). */
function dataOf(json: string): unknown {
  const { provenance: _provenance, ...data } = JSON.parse(json) as Record<string, unknown>;
  return data;
}

describe('writeCheckReport / writeReviewReport', () => {
  it('write report.html and the JSON result next to it', async () => {
    const html = await writeCheckReport(violation, join(dir, 'check'));
    expect(html).toBe(join(dir, 'check', 'report.html'));
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*VIOLATED[\s\S]*<svg/);
    const saved = readFileSync(join(dir, 'check', 'result.json'), 'utf8');
    // The result's data, then its provenance (made when the report was written).
    expect(dataOf(saved)).toEqual(dataOf(resultToJson(violation)));
    expect(Object.keys(JSON.parse(saved) as object).at(-1)).toBe('provenance');
    expect(parseResultJson(saved).kind).toBe('check');

    const rhtml = await writeReviewReport(review, '# review', join(dir, 'review'));
    expect(rhtml).toBe(join(dir, 'review', 'report.html'));
    expect(readFileSync(rhtml, 'utf8')).toContain('<table class="matrix">');
    expect(dataOf(readFileSync(join(dir, 'review', 'review.json'), 'utf8'))).toEqual(dataOf(resultToJson(review)));
    expect(readFileSync(join(dir, 'review', 'review.md'), 'utf8')).toBe('# review\n');
  });
});

describe('rseq-check report RESULT.json -o report.html', () => {
  it('renders a saved check result, review and trace', async () => {
    const cases: [string, string, RegExp][] = [
      ['check.json', resultToJson(violation), /VIOLATED/],
      ['review.json', resultToJson(review), /<table class="matrix">/],
      ['trace.json', traceToJson(lassoTrace), /the steps from 1 on repeat forever/],
    ];
    for (const [name, text, expected] of cases) {
      const input = join(dir, name);
      writeFileSync(input, text);
      const output = join(dir, 'out', `${name}.html`);
      expect(await runReportCommand(input, output)).toBe(0);
      const html = readFileSync(output, 'utf8');
      expect(html).toMatch(expected);
      expect(html).toContain('<svg');
    }
  });

  it('a missing file is a located input error', async () => {
    const missing = join(dir, 'nope.json');
    expect(await inputErrors(runReportCommand(missing, join(dir, 'x.html')))).toEqual([`${missing}: bad-file: cannot read the result: no such file`]);
  });

  it('invalid JSON and schema mismatches are located input errors', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "kind": "check", ');
    expect(await inputErrors(runReportCommand(bad, join(dir, 'x.html')))).toEqual([expect.stringMatching(new RegExp(`^${bad.replace(/[.]/g, '\\.')}:1:\\d+: bad-json: not valid JSON`))]);

    const doc = JSON.parse(resultToJson(violation)) as { trace: { steps: { kind: string }[] } };
    doc.trace.steps[2]!.kind = 'teleport';
    writeFileSync(bad, JSON.stringify(doc, null, 1));
    const line = JSON.stringify(doc, null, 1).split('\n').findIndex((l) => l.includes('teleport')) + 1;
    const errors = await inputErrors(runReportCommand(bad, join(dir, 'x.html')));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${bad.replace(/[.]/g, '\\.')}:${line}:\\d+: schema: trace\\.steps\\[2\\]\\.kind: must be one of "init", .* \\(got "teleport"\\) \\(see reports/schema/rseq-check-result\\.schema\\.json\\)$`));
  });

  it('missing arguments are input errors', async () => {
    expect(await inputErrors(runReportCommand('', 'x.html'))).toEqual([expect.stringContaining('report needs a RESULT.json')]);
    expect(await inputErrors(runReportCommand('r.json', ''))).toEqual([expect.stringContaining('report needs an output file: -o report.html')]);
  });
});
