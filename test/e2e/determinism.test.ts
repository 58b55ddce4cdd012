import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import { buildSystem, checkModel, resolvePolicy, type CheckOptions } from '../../models/check.js';
import { validateModel } from '../../models/ir/validate.js';
import type { ModelIR } from '../../models/ir/types.js';
import { selftestScenarios } from '../../models/library/selftests/scenarios.js';
import { loadModel } from '../../models/load.js';

// Workers run the compiled code in dist/ (npm test builds first). A low threshold makes even
// these models cross into the pool after a few thousand states.
const parallel = { parallelThreshold: 2000 };

function selftest(id: string): ModelIR {
  const v = validateModel(selftestScenarios.find((s) => s.id === id)!.build());
  if (!v.ok) throw new Error('invalid');
  return v.ir;
}

const counter = loadModel('percpu-counter', ['threads=2', 'ops=2', 'signals=1']);
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
        if (r.verdict === 'violation' && one!.verdict === 'violation') {
          expect(r.property).toBe(one!.property);
          // Parent links depend on which worker inserted a state first; the length never does.
          expect(r.path.choices.length).toBe(one!.path.choices.length);
          const sys = buildSystem(ir, resolvePolicy(options.policy!, options.knobs), { ...options, symmetry: false });
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
    await expect(checkModel(counter.ir, { policy: 'linux-6.3', constants: counter.constants, ...parallel, workers: 2, crashWorkerAtBatch: 3 })).rejects.toThrow(
      /a worker failed while expanding BFS level \d+: [\s\S]*no verdict/,
    );
  });
});
