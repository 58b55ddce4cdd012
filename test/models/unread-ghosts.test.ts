/**
 * The reduction `unread-ghosts` (models/system/transition-ghosts.ts): under a temporal property
 * only the last-transition ghosts its atoms read are recorded. Which ones they are, a hand-worked
 * lasso whose cycle closes only up to the ghosts (told with one more turn, replays unreduced),
 * and `--no-reduce=unread-ghosts`. The verdict differentials against the unreduced product are in
 * reductions-temporal.test.ts (all named reductions on against all off).
 */
import { describe, expect, it } from 'vitest';
import { searchAcceptingCycle } from '../../checker/graph/cycles.js';
import { replay } from '../../checker/replay.js';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import { resolveModel } from '../../models/library/resolve.js';
import { reductionNames } from '../../models/system/reductions.js';
import { ghostsReadBy } from '../../models/system/transition-ghosts.js';
import { parseExpr } from '../../properties/expr/parse.js';
import { buildTemporalSystem, checkTemporal, prepareTemporal, type TemporalOptions } from '../../run/temporal.js';
import { runCli } from '../cli/cli-runner.js';
import { followable } from './lasso-replay.js';
import { compile } from './semantics-helpers.js';

const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);

describe('the ghosts a formula reads', () => {
  const read = (...atoms: string[]) => ghostsReadBy(counter.ir, atoms.map(parseExpr));
  it('a transition proposition reads its thread bit of its field; preempt, migrate and signal read the kind and thread; other atoms none', () => {
    expect(read('in_cs(T1)', 'done(T2)', 'killed', 'sum(counter) == 2')).toEqual({ kindAndThread: false, commit: 0, abort: 0, syscall: 0, csInstr: 0 });
    expect(read('committed(T1)', 'aborted(T1) || aborted(T2)')).toEqual({ kindAndThread: false, commit: 0b01, abort: 0b11, syscall: 0, csInstr: 0 });
    expect(read('!syscall(T2) && cs_instr(T1)')).toEqual({ kindAndThread: false, commit: 0, abort: 0, syscall: 0b10, csInstr: 0b01 });
    for (const atom of ['preempt(T2)', 'migrate(T1)', 'signal(T1)']) expect(read(atom).kindAndThread).toBe(true);
  });
});

describe('a lasso whose cycle closes only up to the ghosts gets one more turn', () => {
  // T1 exits at once (`done`), T2 spins on `jmp top`; `F done(T2)` is violated by T2 spinning
  // forever. The formula reads no ghost. Reduced: init -T1 done-> A -T2 jmp-> A, a self-loop
  // (A is where T1 finished). Concrete: A has the ghosts of T1's `done` (last thread T1), its
  // successor those of T2's `jmp` (last thread T2), so the cycle comes back to a different
  // state; one turn later it is the same again: the first turn joins the stem.
  const b = new ModelBuilder('quitter-and-spinner').cpus(2);
  b.program('quit', [I.done()]);
  b.program('spin', [I.jmp('top', { label: 'top' })]);
  b.thread({ program: 'quit', cpu: 'C0' });
  b.thread({ program: 'spin', cpu: 'C1' });
  const model = compile(b.build());
  const options: TemporalOptions = { ltl: 'F done(T2)', policy: 'linux-6.3' };

  it('the reduced cycle of 1 step is told as the stem init, done, jmp and the cycle jmp; it closes and replays unreduced', async () => {
    const prepared = prepareTemporal(model, options);
    expect(prepared.sys.quotient).toBe(true);
    const raw = await searchAcceptingCycle(prepared.sys, prepared.spec);
    expect(raw.verdict === 'violation' && [raw.stem, raw.cycle]).toEqual([[0, 0], [0]]);
    const r = await checkTemporal(model, options);
    expect(r.verdict === 'violation' && r.path).toEqual({ choices: [0, 0, 0, 0], loopStart: 2 });
    expect(r.verdict === 'violation' && r.trace.steps.map((s) => s.text)).toEqual(['initial state (T1 on C0, T2 on C1)', 'T1 executes quit:0 `done`', 'T2 executes spin:0 (top) `jmp top`', 'T2 executes spin:0 (top) `jmp top`']);
    if (r.verdict !== 'violation') return;
    const steps = replay(buildTemporalSystem(model, options), r.path.choices);
    expect(Array.from(steps[2]!.state)).toEqual(Array.from(steps[3]!.state));
    expect(Array.from(steps[1]!.state)).not.toEqual(Array.from(steps[2]!.state));
    const labels = steps.slice(1).map((s) => s.label!);
    expect(followable(buildTemporalSystem(model, { ...options, disable: [...reductionNames] }), [...labels, labels.at(-1)!])).toBe(true);
    // 5 product states, 10 with every ghost recorded.
    expect(r.stats.states).toBe(5);
    expect((await checkTemporal(model, { ...options, disable: ['unread-ghosts'] })).stats.states).toBe(10);
  });
});

describe('--no-reduce=unread-ghosts records every ghost', () => {
  it('check --property progress: 1886 product states with the reduction, 6178 without (percpu-counter 2x1)', async () => {
    const args = ['check', 'percpu-counter', '--param', 'threads=2', '--param', 'ops=1', '--param', 'signals=0', '--property', 'progress', '--fairness', 'weak', '--finite-events'];
    const states = (out: string): string | undefined => /product states (\d+)/.exec(out)?.[1];
    const on = await runCli(args);
    const off = await runCli([...args, '--no-reduce=unread-ghosts']);
    expect([on.code, states(on.stdout), off.code, states(off.stdout)]).toEqual([0, '1886', 0, '6178']);
  });
});
