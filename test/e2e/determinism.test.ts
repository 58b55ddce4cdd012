import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import { buildSystem, checkModel, resolvePolicy, type CheckOptions } from '../../run/check.js';
import { validateModel } from '../../models/ir/validate.js';
import type { ModelIR } from '../../models/ir/types.js';
import { selftestScenarios } from '../../models/library/selftests/scenarios.js';
import { resolveModel } from '../../models/library/resolve.js';
import { review } from '../../run/review.js';
import { checkTemporalMany } from '../../run/task-pool.js';
import { formatTemporal } from '../../reports/text.js';
import { buildTemporalSystem, checkTemporal, type TemporalOptions } from '../../run/temporal.js';

// Workers run the compiled code in dist/ (npm test builds first). A low threshold makes even
// these models cross into the pool after a few hundred states (the violated counter's shortest
// search stores 451).
const parallel = { parallelThreshold: 300 };

function selftest(id: string): ModelIR {
  const v = validateModel(selftestScenarios.find((s) => s.id === id)!.build());
  if (!v.ok) throw new Error('invalid');
  return v.ir;
}

const counter = resolveModel('percpu-counter', ['threads=2', 'ops=2', 'signals=1']);
const cases: [string, ModelIR, CheckOptions][] = [
  ['percpu-counter (holds)', counter.ir, { policy: 'linux-6.3', constants: counter.constants }],
  ['percpu-counter without the migration abort (violated)', counter.ir, { policy: 'linux-6.3', knobs: ['abortOnMigrate=false'], constants: counter.constants }],
  ['selftest -T i under linux-6.19', selftest('i'), { policy: 'linux-6.19' }],
  ['selftest -T l under linux-4.18', selftest('l'), { policy: 'linux-4.18' }],
  ['selftest -T l without aborts (violated)', selftest('l'), { policy: 'linux-4.18', knobs: ['abortOnPreempt=false', 'abortOnMigrate=false'] }],
];

describe('the same results at any worker count', () => {
  for (const [name, ir, options] of cases) {
    it(name, async () => {
      const results = [];
      for (const workers of [1, 2, 4]) results.push(await checkModel(ir, { ...options, ...parallel, workers }));
      const [one, ...rest] = results;
      for (const r of rest) {
        expect(r.verdict).toBe(one!.verdict);
        expect(r.stats.states).toBe(one!.stats.states);
        expect(r.stats.transitions).toBe(one!.stats.transitions);
        expect(r.stats.depth).toBe(one!.stats.depth);
        expect(r.flags.map((f) => [f.name, f.count])).toEqual(one!.flags.map((f) => [f.name, f.count]));
        // The workers' placement coverage is added to the coordinator's: every state counts once.
        expect(r.coverage).toEqual(one!.coverage);
        if (r.verdict === 'violation' && one!.verdict === 'violation') {
          expect(r.property).toBe(one!.property);
          // Parent links depend on which worker inserted a state first; the length never does.
          expect(r.path.choices.length).toBe(one!.path.choices.length);
          const sys = buildSystem(ir, resolvePolicy(options.policy, options.knobs), { ...options, symmetry: false });
          const steps = replay(sys, r.path.choices);
          const last = steps.at(-1)!.state;
          expect(sys.codeName(sys.inspect(last) || sys.terminal(last))).toBe(r.property);
        }
      }
      expect(one!.stats.states).toBeGreaterThan(parallel.parallelThreshold);
    });
  }
});

describe('a worker that dies', () => {
  it('makes the run fail loudly, never a partial verdict', async () => {
    // The breadth-first search alone: a depth-first phase would prove the pass in-process.
    await expect(checkModel(counter.ir, { policy: 'linux-6.3', constants: counter.constants, ...parallel, search: 'bfs', workers: 2, crashWorkerAtTask: 3 })).rejects.toThrow(
      /a worker failed while expanding BFS level \d+: [\s\S]*no verdict/,
    );
  });
});

describe('temporal checks on the worker pool', () => {
  // percpu-counter with 2 threads x 1 op, no signal: ~60 k product states. One property is
  // searched in one thread whatever the worker count, so counts and lassos are identical.
  const small = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
  const cases: [string, TemporalOptions][] = [
    ['progress under weak fairness with finitely many events (holds)', { property: 'progress', fairness: 'weak', finiteEvents: true }],
    ['progress without fairness (violated by a cycle of kernel events)', { property: 'progress' }],
    ['no-livelock under strong fairness', { property: 'no-livelock', fairness: 'strong', finiteEvents: true }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: 1 and 2 workers agree, and the lasso replays`, async () => {
      const base = { ...options, policy: 'linux-6.3', constants: small.constants };
      const one = await checkTemporal(small.ir, { ...base, workers: 1 });
      const two = await checkTemporal(small.ir, { ...base, workers: 2 });
      expect(two.verdict).toBe(one.verdict);
      expect([two.stats.states, two.stats.transitions]).toEqual([one.stats.states, one.stats.transitions]);
      if (one.verdict === 'violation' && two.verdict === 'violation') expect(two.path).toEqual(one.path);
      for (const r of [one, two]) {
        if (r.verdict !== 'violation') continue;
        const steps = replay(buildTemporalSystem(small.ir, base), r.path.choices);
        expect(Array.from(steps[r.path.loopStart]!.state)).toEqual(Array.from(steps.at(-1)!.state));
      }
    });
  }

  it('several properties of one model run side by side and give the sequential verdicts', async () => {
    const list: TemporalOptions[] = [
      { property: 'progress', fairness: 'weak', finiteEvents: true, constants: small.constants },
      { property: 'progress', constants: small.constants },
      { ltl: 'G (sum(counter) <= 3)', constants: small.constants },
    ];
    const many = await checkTemporalMany(small.ir, list, 2);
    const single = await Promise.all(list.map((o) => checkTemporal(small.ir, o)));
    expect(many.map((r) => r.verdict)).toEqual(single.map((r) => r.verdict));
    expect(many.map((r) => r.verdict)).toEqual(['pass', 'violation', 'pass']);
    expect(formatTemporal(many[1]!)).toMatch(/^VIOLATED/);
  });
});

describe('the design review on the worker pool', () => {
  it('gives the same cells as the in-process review', async () => {
    const options = { scenarios: ['S1', 'S3', 'S6'], policies: ['linux-4.18', 'linux-6.19', 'c@6.19'] };
    const pooled = await review({ ...options, workers: 2 });
    const local = await review({ ...options, workers: 1 });
    // Each cell's own wall-clock time aside, which no two runs share.
    const timeless = (cells: typeof local.cells) => cells.map(({ seconds: _seconds, ...c }) => c);
    expect(timeless(pooled.cells)).toEqual(timeless(local.cells));
    expect(pooled.cells).toHaveLength(9);
  });
});
