import { describe, expect, it } from 'vitest';
import { check, InputErrors } from '../../index.js';
import { runCliSync } from '../cli/cli-runner.js';

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

  it('checks gallery/NAME as the command line does: the bug policy, the property, the same counterexample', async () => {
    const cli = runCliSync(['check', 'gallery/arm64-user-irq', '--json', '--workers', '1']);
    expect(cli.status).toBe(1);
    const fromCli = JSON.parse(cli.stdout) as { verdict: string; policy: { name: string }; property: string; trace: { steps: unknown[] } };
    const r = await check('gallery/arm64-user-irq');
    expect(r.verdict).toBe(fromCli.verdict);
    if (r.verdict !== 'violation') return;
    expect(r.policy.name).toBe('linux-6.19+archSetsUserIrq=false');
    expect(r.policy.name).toBe(fromCli.policy.name);
    expect(r.property).toBe(fromCli.property);
    expect(r.trace.steps.length).toBe(fromCli.trace.steps.length);
  });

  it('lets the caller override a gallery entry: its knobs over the bug knobs', async () => {
    const r = await check('gallery/arm64-user-irq', { knobs: ['archSetsUserIrq=true'] });
    expect(r.verdict).toBe('pass');
    expect(r.policy.name).toBe('linux-6.19+archSetsUserIrq=true');
  });
});
