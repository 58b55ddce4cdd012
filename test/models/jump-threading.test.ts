/**
 * Reduction `jump-threading` (models/system/reductions.ts jumpThreads): a thread resting at a
 * fused jmp (put there by an abort, a handler entry or a sigreturn) stands at the jmp's final
 * target. Hand-worked tables, a counterexample that goes through an abort (its trace shows the
 * jmp at abort_ip again), and the state counts it removes.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { resolveModel } from '../../models/library/resolve.js';
import { buildSystem } from '../../models/system/build.js';
import { concretize, traceSystemOptions } from '../../models/system/concretize.js';
import { descriptorRangeMasks, fusibleInstructions, jumpThreads } from '../../models/system/reductions.js';
import { liveRegisters } from '../../models/kernel/liveness.js';
import { checkModel } from '../../run/check.js';
import { explore } from '../../checker/explore.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';
import type { ModelIR } from '../../models/ir/types.js';

function threads(ir: ModelIR, pi: number): number[] {
  const ranges = descriptorRangeMasks(ir);
  const prog = ir.programs[pi]!;
  const live = liveRegisters(prog, ir.registers, ir.descriptors.filter((d) => d.program === pi).map((d) => d.abort));
  return Array.from(jumpThreads(ir, pi, fusibleInstructions(ir, pi, ranges[pi]!, live)));
}

/**
 * One c.s. whose abort_ip is a jmp to `recount`, which counts the abort in memory (y) before
 * retrying: the invariant y == 0 fails just after the first abort.
 *
 *   0 retry    r0 = cpu_id_start     5 post     jmp out
 *   1          rseq_cs = &cs         6 abort    jmp recount   <- fused jmp, threaded to 7
 *   2 start    load r1, x            7 recount  addm y, 1
 *   3          add r1, 1             8          jmp retry     <- falls through from 7: never rests
 *   4          store x, r1 (commit)  9 out      done
 */
function abortCounter(): ModelIR {
  const b = new ModelBuilder('abort-counter').cpus(1).memory('x', { max: 2 }).memory('y', { max: 2 });
  b.program('main', {
    code: [
      I.readId('r0', 'cpu_id_start', { label: 'retry' }),
      I.arm('cs'),
      I.load('r1', { var: 'x' }, { label: 'start' }),
      I.add('r1', 1),
      I.store({ var: 'x' }, 'r1'),
      I.jmp('out', { label: 'post' }),
      I.jmp('recount', { label: 'abort' }),
      I.addm({ var: 'y' }, 1, { label: 'recount' }),
      I.jmp('retry'),
      I.done({ label: 'out' }),
    ],
    descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } },
  });
  b.thread({ program: 'main', cpu: 'C0' });
  b.thread({ program: 'main', cpu: 'C0' });
  return compile(b.budgets({ preemptions: 1, migrations: 0 }).invariant('no-abort', 'y == 0').build());
}

describe('jump-threading', () => {
  it('threads the post-commit and abort jmps of rseq_addv to their targets (percpu-counter, 2 increments)', () => {
    const { ir } = resolveModel('percpu-counter', ['threads=2', 'ops=2', 'signals=1']);
    // 7 post -> 9 (inc1_retry), 8 abort -> 0 (inc0_retry), 16 post -> 18 (finish), 17 abort -> 9.
    expect(threads(ir, 0)).toEqual([-1, -1, -1, -1, -1, -1, -1, 9, 0, -1, -1, -1, -1, -1, -1, -1, 18, 9, -1, -1]);
    // The handler: 7 post -> 9 (h_count), 8 abort -> 0 (h_retry).
    expect(threads(ir, 1)).toEqual([-1, -1, -1, -1, -1, -1, -1, 9, 0, -1, -1, -1]);
  });

  it('follows a chain of fused jmps, and leaves an IP just after a syscall alone (a restart rewinds it)', () => {
    const b = new ModelBuilder('chain').cpus(1).memory('x', { max: 1 });
    b.program('main', seq(I.jmp('b', { label: 'a' }), I.jmp('c', { label: 'b' }), I.syscall('getpid', { label: 'c' }), I.jmp('end'), I.nop(), I.done({ label: 'end' })));
    b.thread({ program: 'main', cpu: 'C0' });
    const ir = compile(b.build());
    expect(threads(ir, 0)).toEqual([2, 2, -1, -1, -1, -1, -1]);
  });

  it('leaves a jmp that is not fused alone: one into a range (an event before it does not abort, after it does)', () => {
    const b = new ModelBuilder('into-range').cpus(1).memory('x', { max: 1 });
    b.program('main', {
      code: [I.jmp('start'), I.nop({ label: 'start' }), I.done({ label: 'post' }), I.done({ label: 'abort' })],
      descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } },
    });
    b.thread({ program: 'main', cpu: 'C0' });
    expect(threads(compile(b.build()), 0)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('removes the states where a thread rests at abort_ip: two in a hand-listed model', () => {
    const ir = abortCounter();
    const pol = resolvePolicy('linux-6.3', []);
    const on = outcomes(buildSystem(ir, pol, {}));
    const off = outcomes(buildSystem(ir, pol, { disable: ['jump-threading'] }));
    // The threads are symmetric, so only "a thread" is aborted: by the one preemption (inside
    // its range, at 2 or 4), then switched back in either while the other waits at retry, or
    // after the other finished. Those two states rest at 6; threaded, they are the states at 7
    // the jmp leads to, which both systems have.
    expect(off.states - on.states).toBe(2);
    expect(on.codes).toEqual(off.codes);
    expect(on.finals).toEqual(off.finals);
  });

  it('keeps the verdict and shows the jmp at abort_ip in the trace of a counterexample through an abort', async () => {
    const ir = abortCounter();
    const on = await checkModel(ir, { policy: 'linux-6.3' });
    const off = await checkModel(ir, { policy: 'linux-6.3', disable: ['jump-threading'] });
    if (on.verdict !== 'violation' || off.verdict !== 'violation') throw new Error(`expected two violations, got ${on.verdict} and ${off.verdict}`);
    const words = (t: typeof on.trace): string[] => t.steps.map((s) => (s.instruction ? `${s.thread} ${s.instruction.program}:${s.instruction.index}` : `${s.thread} ${s.kind}`));
    expect(words(on.trace)).toEqual(words(off.trace));
    expect(words(on.trace).slice(-2)).toEqual(['T1 main:6', 'T1 main:7']);
  });

  it('tells a trace of a program that starts at a fused jmp (the initial state stands at its target), with or without symmetry', async () => {
    const b = new ModelBuilder('starts-at-jmp').cpus(2).memory('x', { max: 2 });
    b.program('a', [I.jmp('l'), I.done({ label: 'l' })]);
    b.program('b', [I.addm({ var: 'x' }, 1), I.done()]);
    b.thread({ program: 'a', cpu: 'C0' });
    b.thread({ program: 'b', cpu: 'C1' });
    const ir = compile(b.final('zero', 'x == 0').build());
    for (const symmetry of [false, true]) {
      const r = await checkModel(ir, { symmetry });
      if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
      // T1's jmp, hidden by the reduction, is the trace's first step; then both threads finish.
      expect(r.trace.steps.slice(1).map((st) => `${st.thread} ${st.instruction!.program}:${st.instruction!.index}`)).toEqual(['T1 a:0', 'T1 a:1', 'T2 b:0', 'T2 b:1']);
    }
  });

  it('puts the hidden jmp back into a path through an abort, and finds no counterpart in a system without the abort', async () => {
    const ir = abortCounter();
    const reduced = buildSystem(ir, resolvePolicy('linux-6.3', []), {});
    const found = await explore(reduced, {});
    if (found.verdict !== 'violation') throw new Error(`expected a violation, got ${found.verdict}`);
    const path = found.path.choices;
    // One abort on the way to y == 1: one jmp put back.
    expect(concretize(reduced, buildSystem(ir, resolvePolicy('linux-6.3', []), traceSystemOptions({})), path)).toHaveLength(path.length + 1);
    const noAbort = buildSystem(ir, resolvePolicy('linux-6.3', ['abortOnPreempt=false']), traceSystemOptions({}));
    expect(() => concretize(reduced, noAbort, path)).toThrow('internal: a reduced path has no concrete counterpart');
  });

  it('takes the SPIN peer question from 211 105 to 150 489 states (linux-6.3; ops=1 here: 21 154 -> 15 817), the same codes and final memories', { timeout: 120_000 }, () => {
    const { ir, constants } = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1', 'cpus=2']);
    const pol = resolvePolicy('linux-6.3', []);
    // Without quiet-exit and cpu-compare-prefix, which came after it (their own tests).
    const on = outcomes(buildSystem(ir, pol, { constants, disable: ['quiet-exit', 'cpu-compare-prefix'] }));
    const off = outcomes(buildSystem(ir, pol, { constants, disable: ['jump-threading', 'quiet-exit', 'cpu-compare-prefix'] }));
    expect([off.states, on.states]).toEqual([21_154, 15_817]);
    expect(on.codes).toEqual(off.codes);
    expect(on.finals).toEqual(off.finals);
  });
});
