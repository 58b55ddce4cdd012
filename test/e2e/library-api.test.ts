import { describe, expect, it } from 'vitest';
import { check, InputErrors } from '../../index.js';

describe("import { check } from 'rseq-check'", () => {
  it('takes the command line options and returns a typed result with notebook views', async () => {
    const r = await check('percpu-counter', { params: ['threads=2', 'ops=1', 'signals=0'], policy: 'linux-6.3', knobs: ['abortOnMigrate=false'] });
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.property).toBe('G1-atomicity');
    expect(r.toDot()).toMatch(/^digraph/);
    expect(await r.toSvg()).toMatch(/<svg/);
    expect(r.explain()).toMatch(/^VIOLATED/);
  });

  it('runs a temporal check when given an LTL formula', async () => {
    const r = await check('percpu-counter', { params: ['threads=2', 'ops=1', 'signals=0'], ltl: 'G !migrate(T1)' });
    expect(r.kind).toBe('temporal');
    expect(r.verdict).toBe('violation');
  });

  it('rejects bad input with located errors, not a stack trace', async () => {
    await expect(check('percpu-counter', { knobs: ['nope=1'] })).rejects.toBeInstanceOf(InputErrors);
  });
});
