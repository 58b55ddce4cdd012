import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { replay } from '../../checker/replay.js';
import { buildSystem, checkModel, resolvePolicy, type CheckResult } from '../../run/check.js';
import { resolveModel } from '../../models/library/resolve.js';

/**
 * Replays a violation's choice path, checks it ends in a state violating the same property,
 * and checks that no violation exists at any smaller depth (so the trace is a shortest one).
 */
async function assertReplaysAndShortest(model: string, params: string[], policy: string, knobs: string[], r: CheckResult): Promise<void> {
  if (r.verdict !== 'violation') throw new Error('expected a violation');
  const loaded = resolveModel(model, params);
  const sys = buildSystem(loaded.ir, resolvePolicy(policy, knobs), { constants: loaded.constants, symmetry: false });
  const steps = replay(sys, r.path.choices);
  const last = steps[steps.length - 1]!.state;
  const code = sys.inspect(last) || sys.terminal(last);
  expect(sys.codeName(code)).toBe(r.property);
  // With maxDepth d the explorer expands states of depth <= d, so it inspects states up to
  // depth d + 1: d = (trace length) - 2 covers every shorter path.
  const length = steps.length - 1;
  const shorter = await explore(sys, { maxDepth: length - 2 });
  expect(shorter.verdict).not.toBe('violation');
}

describe('percpu-counter (rseq_addv load/add/store, a signal handler that increments too)', () => {
  // The configuration of the engine issue: 2 CPUs, 3 threads x 2 increments, 1 signal whose
  // handler increments too, unbounded preemption and migration. 0.80 M (6.19) and 0.012 M (4.18,
  // 6.3; 0.13 M before cpu-compare-prefix, which the 6.19 rework does not take) states after the
  // symmetry (threads and CPUs) and partial-order reductions: explored on 2 workers.
  const params = ['threads=3', 'ops=2', 'signals=1'];
  const loaded = resolveModel('percpu-counter', params);
  for (const [policy, states] of [
    ['linux-4.18', 11_987],
    ['linux-6.3', 11_987],
    ['linux-6.19', 803_790],
  ] as const) {
    it(`holds under ${policy} (${(states / 1e6).toFixed(states < 1e5 ? 3 : 1)} M states)`, { timeout: 600_000 }, async () => {
      const r = await checkModel(loaded.ir, { policy, constants: loaded.constants, workers: 2 });
      expect(r.verdict).toBe('pass');
      expect(r.stats.states).toBe(states);
      expect(r.budgets).toMatchObject({ preemptions: -1, migrations: -1, signals: 1 });
    });
  }

  // Without the abort on migration, a thread migrated between its load and its commit stores
  // to the old CPU's slot while another thread runs there: G1 fires at that commit.
  it('is violated with the abort on migration disabled; the trace replays and is shortest', { timeout: 120_000 }, async () => {
    const r = await checkModel(loaded.ir, { policy: 'linux-6.3', knobs: ['abortOnMigrate=false'], constants: loaded.constants, workers: 2 });
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.property).toBe('G1-atomicity');
    expect(r.trace.steps.some((s) => s.kind === 'migrate' && s.text.includes('inside'))).toBe(true);
    await assertReplaysAndShortest('percpu-counter', params, 'linux-6.3', ['abortOnMigrate=false'], r);
  });

  // Without the abort on signal delivery, the handler's own increment runs over the
  // interrupted c.s., whose commit then overwrites it: G1 (a signal inside the c.s.).
  it('is violated with the abort on signal delivery disabled; the trace replays and is shortest', { timeout: 120_000 }, async () => {
    const r = await checkModel(loaded.ir, { policy: 'linux-4.18', knobs: ['abortOnSignal=false'], constants: loaded.constants, workers: 2 });
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect(r.property).toBe('G1-atomicity');
    expect(r.trace.steps.some((s) => s.kind === 'signal')).toBe(true);
    await assertReplaysAndShortest('percpu-counter', params, 'linux-4.18', ['abortOnSignal=false'], r);
  });

  // The final sum alone (without G1) catches the lost update too (2 threads: the sum is only
  // judged once every thread has finished, deep in the state space).
  it('loses an update (final sum) when only the counter invariant is checked', async () => {
    const params = ['threads=2', 'ops=2', 'signals=1'];
    const loaded = resolveModel('percpu-counter', params);
    const r = await checkModel(loaded.ir, { policy: 'linux-6.3', knobs: ['abortOnMigrate=false'], properties: ['counter-sum'], constants: loaded.constants });
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(r.property).toBe('counter-sum');
  });
});

describe('plain-counter (no rseq)', () => {
  for (const policy of ['linux-4.18', 'linux-6.0', 'linux-6.3', 'linux-6.19', 'linux-7.1-legacy', 'linux-7.1-v2']) {
    it(`loses an update under ${policy}`, async () => {
      const loaded = resolveModel('plain-counter', []);
      const r = await checkModel(loaded.ir, { policy, constants: loaded.constants });
      expect(r.verdict).toBe('violation');
      if (r.verdict === 'violation') {
        expect(r.property).toBe('counter-sum');
        await assertReplaysAndShortest('plain-counter', [], policy, [], r);
      }
    });
  }
});
