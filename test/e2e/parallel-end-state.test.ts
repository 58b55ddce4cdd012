/**
 * Parallel workers must judge the states they expand that have no successors (`terminal`), not
 * only the states they insert (`inspect`). The model's only violation is a final condition,
 * checked at an end state; with a parallel threshold of 1 state every level is expanded by the
 * workers, so a worker that skipped `terminal` would report a pass where 1 worker finds it.
 * Workers load the compiled dist/ code: run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { checkModel, type CheckResult } from '../../run/check.js';
import { abortReadsRegister } from '../models/fixtures/abort-reads-register.js';
import { compile } from '../models/semantics-helpers.js';

const ir = compile(abortReadsRegister);
const options = { policy: 'linux-6.19', parallelThreshold: 1 } as const;

function summary(r: CheckResult): unknown {
  return {
    verdict: r.verdict,
    property: r.verdict === 'violation' ? r.property : undefined,
    steps: r.verdict === 'violation' ? r.trace.steps.length - 1 : undefined,
    states: r.stats.states,
    transitions: r.stats.transitions,
  };
}

describe('an end-state (final condition) violation under parallel workers', () => {
  it('1, 2 and 3 workers give the same verdict, property, trace length and counts', async () => {
    const one = await checkModel(ir, { ...options, workers: 1 });
    expect(summary(one)).toEqual({ verdict: 'violation', property: 'abort-saw-zero', steps: 7, states: 40, transitions: 45 });
    for (const workers of [2, 3]) {
      const many = await checkModel(ir, { ...options, workers });
      expect(summary(many), `${workers} workers`).toEqual(summary(one));
      // The workers did expand the levels (the run did not stay in-process).
      expect(many.stats.statesPerWorker?.reduce((a, b) => a + b, 0), `${workers} workers`).toBe(40);
    }
  });
});
