/**
 * The one Result union (run/result.ts): every kind of run returns plain data with its `kind`
 * first, and an incomplete temporal run says what stopped it, like an incomplete check.
 */
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../models/library/resolve.js';
import { checkModel } from '../../run/check.js';
import { review } from '../../run/review.js';
import { checkTemporal, type TemporalOptions } from '../../run/temporal.js';
import { resultToJson } from '../../reports/json.js';
import { formatCheck, formatResult, formatTemporal } from '../../reports/text.js';
import { reviewToMarkdown } from '../../reports/review-markdown.js';

const small = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
const base = { policy: 'linux-6.3', constants: small.constants };

describe('an incomplete temporal check keeps its cause', () => {
  const cases: [string, TemporalOptions][] = [
    ['the nested DFS (no fairness)', { property: 'progress', maxStates: 10 }],
    ['the fair SCC search', { property: 'progress', fairness: 'weak', finiteEvents: true, maxStates: 50 }],
    ['the fair SCC search with 2 workers', { property: 'progress', fairness: 'weak', finiteEvents: true, maxStates: 1000, workers: 2 }],
  ];
  for (const [name, options] of cases) {
    it(`stopped by the states limit: ${name}`, async () => {
      const r = await checkTemporal(small.ir, { ...base, ...options });
      expect(r.verdict).toBe('incomplete');
      expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'states', bound: options.maxStates });
      expect(formatTemporal(r)).toMatch(/\n {2}stopped by the states limit: no verdict$/);
      const doc = JSON.parse(resultToJson(r)) as Record<string, unknown>;
      expect(Object.keys(doc)[0]).toBe('kind');
      expect(doc['stoppedBy']).toEqual({ kind: 'states', bound: options.maxStates });
    });
  }

  it('stopped by an interrupt: says so, not "the states limit"', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await checkTemporal(small.ir, { ...base, property: 'progress', fairness: 'weak', workers: 2, signal: controller.signal });
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'interrupted' });
    expect(formatTemporal(r)).toMatch(/stopped by an interrupt \(Ctrl-C\): no verdict$/);
  });
});

describe('every kind of run returns plain data, its kind first', () => {
  it('check, temporal and review results carry no functions, and formatResult reads each by its kind', async () => {
    const check = await checkModel(small.ir, base);
    const temporal = await checkTemporal(small.ir, { ...base, property: 'progress' });
    const matrix = await review({ scenarios: ["S1'"], policies: ['linux-6.3'] });
    for (const r of [check, temporal, matrix]) {
      expect(Object.keys(r)[0]).toBe('kind');
      expect(Object.values(r).some((v) => typeof v === 'function')).toBe(false);
    }
    expect(formatResult(check)).toBe(formatCheck(check));
    expect(formatResult(temporal)).toBe(formatTemporal(temporal));
    expect(formatResult(matrix)).toBe(reviewToMarkdown(matrix));
  });
});
