/**
 * The named reductions stay on under temporal properties: dead-events and abort-pending because
 * no atom of the LTL language reads a pending event bit, a waiting thread's exact IP inside its
 * range or its dead registers; cpu-symmetry when no atom of the formula tells CPUs apart, and
 * unread-ghosts (last-transition ghosts no atom reads are not recorded) always (their own tests:
 * cpu-symmetry-temporal.test.ts, unread-ghosts.test.ts). Against the unreduced product: the same verdict for
 * every formula, fairness and event assumption here, never more product states for a proof, and
 * every lasso found with the reductions is the image of a real execution (its labels, stem and
 * two turns of the cycle, can be followed step by step in the unreduced system).
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolveModel } from '../../models/library/resolve.js';
import { reductionNames } from '../../models/system/reductions.js';
import { buildTemporalSystem, checkTemporal, type TemporalOptions } from '../../run/temporal.js';
import { followable } from './lasso-replay.js';

const unreduced = { disable: [...reductionNames] };

interface Case {
  readonly name: string;
  readonly model: ModelIR;
  readonly constants: Readonly<Record<string, number>>;
  readonly options: TemporalOptions;
}

const quiet = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
const signalled = resolveModel('percpu-counter', ['threads=1', 'ops=2', 'signals=1']);
const plain = resolveModel('plain-counter', ['threads=2', 'ops=1']);
const formulas = ['G (in_cs(T1) -> F (committed(T1) | aborted(T1)))', 'G (must_abort(T1) -> X !committed(T1))', 'G !aborted(T1)', 'F done(T1)'];
const cases: Case[] = [];
for (const [label, m, knobSets] of [
  ['percpu-counter 2x1', quiet, [[], ['abortOnPreempt=false']]],
  ['percpu-counter 1x2+1', signalled, [[], ['abortOnSignal=false']]],
  ['plain-counter 2x1', plain, [[]]],
] as const)
  for (const policy of ['linux-4.18', 'linux-6.3'])
    for (const knobs of knobSets)
      for (const [fairness, finiteEvents] of [
        ['weak', true],
        ['none', false],
      ] as const) {
        const name = `${label} ${policy}${knobs.length > 0 ? ` + ${knobs.join()}` : ''}, fairness ${fairness}${finiteEvents ? ', finite events' : ''}`;
        for (const ltl of formulas) cases.push({ name: `${name}: ${ltl}`, model: m.ir, constants: m.constants, options: { ltl, policy, knobs, fairness, finiteEvents } });
        cases.push({ name: `${name}: progress`, model: m.ir, constants: m.constants, options: { property: 'progress', policy, knobs, fairness, finiteEvents } });
      }

describe('named reductions under temporal properties', () => {
  let smaller = 0;
  let lassos = 0;
  it.each(cases)('$name: same verdict as the unreduced product, and a lasso that replays there', async ({ model, constants, options }) => {
    const reduced = await checkTemporal(model, { ...options, constants });
    const full = await checkTemporal(model, { ...options, constants, ...unreduced });
    expect(reduced.verdict).toBe(full.verdict);
    // A proof visits the whole product, so the reduced one can only be smaller; a violation
    // stops at the first lasso, which the two searches may meet after different numbers of states.
    if (reduced.verdict === 'pass') {
      expect(reduced.stats.states).toBeLessThanOrEqual(full.stats.states);
      if (reduced.stats.states < full.stats.states) smaller++;
    }
    if (reduced.verdict !== 'violation') return;
    lassos++;
    const { choices, loopStart } = reduced.path;
    const labels = replay(buildTemporalSystem(model, options), choices)
      .slice(1)
      .map((st) => st.label!);
    const cycle = labels.slice(loopStart);
    expect(followable(buildTemporalSystem(model, { ...options, ...unreduced }), [...labels, ...cycle])).toBe(true);
  });
  it('the reductions applied and lassos were checked (the comparisons above are not vacuous)', () => {
    expect(smaller).toBeGreaterThan(40);
    expect(lassos).toBeGreaterThan(40);
  });
});

describe('the README example', () => {
  it('percpu-counter 2x1 progress under weak fairness and finitely many events: 1 886 product states reduced, 3 864 without the CPU symmetry, 6 178 with every ghost, 42 564 unreduced', async () => {
    const options: TemporalOptions = { property: 'progress', fairness: 'weak', finiteEvents: true, constants: quiet.constants };
    expect((await checkTemporal(quiet.ir, options)).stats.states).toBe(1_886);
    expect((await checkTemporal(quiet.ir, { ...options, disable: ['cpu-symmetry'] })).stats.states).toBe(3_864);
    expect((await checkTemporal(quiet.ir, { ...options, disable: ['unread-ghosts'] })).stats.states).toBe(6_178);
    expect((await checkTemporal(quiet.ir, { ...options, ...unreduced })).stats.states).toBe(42_564);
  });
});
