/**
 * Temporal checks without fairness on worker threads (the concurrent nested DFS, with the
 * in-process threshold at 1 state so every case reaches the workers) against the one-thread
 * check: the same verdict on every formula × model × policy below, the same product states and
 * transitions on a pass, and every lasso closing in the system it is told in and replaying in
 * the unreduced one.
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolveModel } from '../../models/library/resolve.js';
import { reductionNames } from '../../models/system/reductions.js';
import { buildTemporalSystem, checkTemporal, type TemporalOptions, type TemporalResult } from '../../run/temporal.js';
import { followable } from '../models/lasso-replay.js';

interface Case {
  readonly name: string;
  readonly model: ModelIR;
  readonly options: TemporalOptions;
}

const quiet = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
const signalled = resolveModel('percpu-counter', ['threads=1', 'ops=2', 'signals=1']);
const formulas = [
  'G (in_cs(T1) -> F (committed(T1) | aborted(T1)))',
  'G (must_abort(T1) -> X !committed(T1))',
  'G !aborted(T1)',
  'G (done(T1) -> X done(T1))',
  'G F (level(T1) == 0 || done(T1) || killed)',
];
const cases: Case[] = [];
for (const [label, m, knobSets] of [
  ['percpu-counter 2x1', quiet, [[], ['abortOnPreempt=false']]],
  ['percpu-counter 1x2+1', signalled, [[], ['abortOnSignal=false']]],
] as const)
  for (const knobs of knobSets) {
    const name = `${label} linux-6.3${knobs.length > 0 ? ` + ${knobs.join()}` : ''}`;
    const base = { policy: 'linux-6.3', knobs, constants: m.constants };
    for (const ltl of formulas) cases.push({ name: `${name}: ${ltl}`, model: m.ir, options: { ...base, ltl } });
    cases.push({ name: `${name}: progress`, model: m.ir, options: { ...base, property: 'progress' } });
  }

/** The lasso closes in the system it is told in, and its labels (stem, two turns of the cycle) can be followed without any reduction. */
function replays(model: ModelIR, options: TemporalOptions, r: TemporalResult): boolean {
  if (r.verdict !== 'violation') return false;
  const steps = replay(buildTemporalSystem(model, options), r.path.choices);
  const closes = steps[r.path.loopStart]!.state.every((w, i) => w === steps.at(-1)!.state[i]);
  const labels = steps.slice(1).map((st) => st.label!);
  return closes && followable(buildTemporalSystem(model, { ...options, disable: [...reductionNames] }), [...labels, ...labels.slice(r.path.loopStart)]);
}

describe('temporal checks on worker threads', () => {
  const seen = { pass: 0, violation: 0 };
  it.each(cases)('$name: the verdict of one thread, its counts on a pass, a lasso that replays', async ({ model, options }) => {
    const alone = await checkTemporal(model, options);
    const workers = await checkTemporal(model, { ...options, workers: 2, parallelThreshold: 1 });
    expect(workers.verdict).toBe(alone.verdict);
    if (workers.verdict === 'pass') expect([workers.stats.states, workers.stats.transitions]).toEqual([alone.stats.states, alone.stats.transitions]);
    if (workers.verdict === 'violation') expect(replays(model, options, workers)).toBe(true);
    if (alone.verdict === 'pass' || alone.verdict === 'violation') seen[alone.verdict]++;
  });
  it('both verdicts occurred (the comparisons above are not vacuous)', () => {
    expect(seen.pass).toBeGreaterThan(4);
    expect(seen.violation).toBeGreaterThan(4);
  });

  it('below the threshold the search stays in this thread: the lasso of a one-thread run', async () => {
    const options = { ltl: 'G !aborted(T1)', constants: quiet.constants };
    const alone = await checkTemporal(quiet.ir, options);
    const under = await checkTemporal(quiet.ir, { ...options, workers: 2 });
    expect(under.verdict).toBe('violation');
    expect(under.verdict === 'violation' && under.path).toEqual(alone.verdict === 'violation' && alone.path);
  });

  it('a limit on states above the threshold: incomplete, never a pass', async () => {
    const r = await checkTemporal(quiet.ir, { ltl: 'G (done(T1) -> X done(T1))', constants: quiet.constants, workers: 2, parallelThreshold: 10, maxStates: 200 });
    expect(r).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 200 } });
  });

  it('a worker that dies fails the check', async () => {
    await expect(checkTemporal(quiet.ir, { property: 'progress', constants: quiet.constants, workers: 2, parallelThreshold: 1, crashCycleWorker: 0 })).rejects.toThrow(/a worker of the parallel cycle search failed/);
  });
});
