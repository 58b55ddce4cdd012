import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { replay } from '../../checker/replay.js';
import { buildSystem, checkModel, resolvePolicy, type CheckOptions, type FirstCounterexample } from '../../run/check.js';
import { resolveModel } from '../../models/library/resolve.js';
import { traceSystemOptions } from '../../models/system/concretize.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { compile } from '../models/semantics-helpers.js';

// The broken kernel (no abort on migration), 2 threads: the final sum is judged only once every
// thread has finished, deep in the state space, where a depth-first search gets first.
const params = ['threads=2', 'ops=2', 'signals=1'];
const knobs = ['abortOnMigrate=false'];

/** Replays a choice path in the system traces are told in (traceSystemOptions) and returns the name of the property its last state violates. */
function violatedBy(choices: readonly number[]): string {
  const loaded = resolveModel('percpu-counter', params);
  const sys = buildSystem(loaded.ir, resolvePolicy('linux-6.3', knobs), traceSystemOptions<CheckOptions>({ constants: loaded.constants, properties: ['counter-sum'] }));
  const last = replay(sys, choices).at(-1)!.state;
  return sys.codeName(sys.inspect(last) || sys.terminal(last));
}

describe('first-then-shortest (percpu-counter, no abort on migration, counter-sum)', () => {
  const loaded = resolveModel('percpu-counter', params);
  const options = { policy: 'linux-6.3', knobs, properties: ['counter-sum'], constants: loaded.constants };

  it('reports a first counterexample at once, then a shortest one of the breadth-first length; both replay', { timeout: 120_000 }, async () => {
    const seen: FirstCounterexample[] = [];
    const r = await checkModel(loaded.ir, { ...options, onFirstCounterexample: (f) => seen.push(f) });
    const bfs = await checkModel(loaded.ir, { ...options, search: 'bfs' });
    expect(r.verdict).toBe('violation');
    expect(bfs.verdict).toBe('violation');
    if (r.verdict !== 'violation' || bfs.verdict !== 'violation') return;
    expect(seen).toHaveLength(1);
    expect(r.first).toBe(seen[0]);
    expect(r.trace.steps.length - 1).toBe(21);
    expect(bfs.trace.steps.length - 1).toBe(21);
    expect(bfs.first).toBeUndefined();
    // The depth-first counterexample is longer, found after far fewer states than the whole search.
    expect(r.first!.steps).toBeGreaterThan(21);
    expect(r.first!.steps).toBe(r.first!.trace.steps.length - 1);
    expect(r.first!.states).toBeLessThan(r.stats.states);
    expect(r.secondsToShortest).toBeGreaterThanOrEqual(r.first!.seconds);
    expect(violatedBy(r.first!.path.choices)).toBe('counter-sum');
    expect(violatedBy(r.path.choices)).toBe('counter-sum');
    // The shortest search's statistics are the breadth-first search's.
    expect(r.stats.states).toBe(bfs.stats.states);
  });

  it('the CLI prints the first counterexample before the final result; --json carries both in one document', { timeout: 120_000 }, () => {
    const argv = ['dist/cli/main.js', 'check', 'percpu-counter', ...params.flatMap((p) => ['--param', p]), '--policy', 'linux-6.3', '--knob', knobs[0]!, '--property', 'counter-sum', '--workers', '1'];
    const run = (extra: string[]): string => {
      try {
        return execFileSync('node', [...argv, ...extra], { encoding: 'utf8' });
      } catch (e) {
        return (e as { stdout: string }).stdout; // exit 1: violated
      }
    };
    const text = run([]).split('\n');
    expect(text[0]).toMatch(/^first counterexample after \d+\.\d{3} s, \d+ steps \(\d+ states\): counter-sum, --replay [\d:]+; searching for a shortest one$/);
    expect(text[1]).toBe('VIOLATED: percpu-counter under linux-6.3+abortOnMigrate=false: counter-sum (shortest counterexample: 21 steps)');
    expect(text[3]).toMatch(/^ {2}first counterexample: \d+ steps after \d+\.\d{3} s \(\d+ states\); shortest: 21 steps after \d+\.\d{3} s$/);
    const doc = JSON.parse(run(['--json'])) as { verdict: string; trace: { steps: unknown[] }; first: { steps: number; trace: { steps: unknown[] } }; secondsToShortest: number };
    expect(doc.verdict).toBe('violation');
    expect(doc.trace.steps.length - 1).toBe(21);
    expect(doc.first.trace.steps.length - 1).toBe(doc.first.steps);
    expect(typeof doc.secondsToShortest).toBe('number');
    // The breadth-first search alone: no first counterexample.
    expect(run(['--search', 'bfs']).split('\n')[0]).toBe('VIOLATED: percpu-counter under linux-6.3+abortOnMigrate=false: counter-sum (shortest counterexample: 21 steps)');
  });
});

describe('first-then-shortest on a pass', () => {
  const loaded = resolveModel('percpu-counter', params);
  const options = { policy: 'linux-6.3', constants: loaded.constants };

  it('a depth-first phase that covers the space is the verdict: the breadth-first counts and coverage, its own depth', async () => {
    const r = await checkModel(loaded.ir, options);
    const bfs = await checkModel(loaded.ir, { ...options, search: 'bfs' });
    expect([r.verdict, bfs.verdict]).toEqual(['pass', 'pass']);
    expect([r.stats.states, r.stats.transitions]).toEqual([bfs.stats.states, bfs.stats.transitions]);
    expect(r.coverage).toEqual(bfs.coverage);
    expect(r.stats.searchOrder).toBe('depth-first');
    expect(r.stats.statesPerLevel).toBeUndefined();
    expect(r.stats.depth).toBeGreaterThan(bfs.stats.depth);
    expect(bfs.stats.searchOrder).toBeUndefined();
    expect(bfs.stats.statesPerLevel?.reduce((a, b) => a + b, 0)).toBe(bfs.stats.states);
  });

  it('hands over to the breadth-first search when it went past --max-states or its own budget', async () => {
    const bfs = await checkModel(loaded.ir, { ...options, search: 'bfs' });
    // The depth-first phase looks at --max-states after every expansion: a space smaller than one
    // batch of it is not covered past the bound, and the stop is the answer (incomplete).
    const small = resolveModel('percpu-counter', ['threads=2', 'ops=1']);
    const capped = await checkModel(small.ir, { policy: 'linux-6.3', constants: small.constants, maxStates: 100 });
    expect([capped.verdict, capped.stats.searchOrder]).toEqual(['incomplete', 'depth-first']);
    expect(capped.stats.states).toBeGreaterThanOrEqual(100);
    expect(capped.stats.states).toBeLessThan(130);
    const dfsOnly = await checkModel(small.ir, { policy: 'linux-6.3', constants: small.constants, maxStates: 100, search: 'dfs' });
    expect([dfsOnly.verdict, dfsOnly.stats.states < 130]).toEqual(['incomplete', true]);
    // Exactly the space: a pass (the bound is not exceeded), proved depth-first.
    const exact = await checkModel(loaded.ir, { ...options, maxStates: bfs.stats.states + 1 });
    expect([exact.verdict, exact.stats.searchOrder]).toEqual(['pass', 'depth-first']);
    // Over its own budget: the breadth-first search gives the pass.
    const budget = await checkModel(loaded.ir, { ...options, firstSearchStates: 100 });
    expect([budget.verdict, budget.stats.searchOrder, budget.stats.states]).toEqual(['pass', undefined, bfs.stats.states]);
  });

  it('a pass with a flag is told by the breadth-first search, for a shortest witness', async () => {
    // Seed S1 (a syscall inside the c.s.) under b@4.18: the kill the policy promises is a flag.
    const s1 = compile(seedScenarios.find((s) => s.id === 'S1')!.build());
    const flagged = await checkModel(s1, { policy: 'b@4.18', properties: ['G1-atomicity'] });
    const bfs = await checkModel(s1, { policy: 'b@4.18', properties: ['G1-atomicity'], search: 'bfs' });
    expect(flagged.verdict).toBe('pass');
    expect(flagged.flags.map((f) => f.name)).toContain('killed-as-promised');
    expect(flagged.stats.searchOrder).toBeUndefined();
    expect(flagged.flags).toEqual(bfs.flags);
  });
});
