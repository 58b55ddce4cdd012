/**
 * The static tables and soundness conditions of the reductions (models/system/reductions.ts),
 * one condition at a time on hand-built models: each test flips exactly one thing the function
 * depends on and checks the exact answer. These are what a mutation of the file must break
 * (`npm run mutation`); the differential tests (reductions.test.ts) show the reductions keep
 * every verdict, but are too slow to run against each mutant.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import type { Instr, ModelIR, ThreadIR } from '../../models/ir/types.js';
import {
  abortsArePending,
  descriptorRangeMasks,
  eventBitsDieWithoutNotify,
  eventMaskCollapses,
  floatingThreads,
  fusibleInstructions,
  reductionsAreSound,
  symmetryIsSound,
} from '../../models/system/reductions.js';
import { checkModel } from '../../run/check.js';
import { compile, policy } from './semantics-helpers.js';

/** Two identical threads T1 (on C0) and T2 (on C1) running `main: nop; done`, final `x == 0`. */
const base: ModelIR = (() => {
  const b = new ModelBuilder('two').cpus(2).memory('x', { max: 3 });
  b.program('main', [I.nop(), I.done()]);
  b.program('other', [I.nop(), I.done()]);
  b.thread({ program: 'main', cpu: 'C0' });
  b.thread({ program: 'main', cpu: 'C1' });
  return compile(b.final('f', 'x == 0').build());
})();

/** `base` with thread 1 (T2) changed. */
function second(change: Partial<ThreadIR>): ModelIR {
  return { ...base, threads: [base.threads[0]!, { ...base.threads[1]!, ...change }] };
}

/** `base` whose main program calls a vDSO function `name`, then is done. */
function withVdso(name: string): ModelIR {
  const call = { op: 'vdso', name } as Instr;
  return { ...base, programs: [{ ...base.programs[0]!, code: [call, { op: 'done' }] }, base.programs[1]!] };
}

/** `base` whose main program ends with `syscall` before `done`. */
function withSyscall(name: 'fork' | 'clone_vm' | 'rseq_register' | 'sched_yield'): ModelIR {
  const call: Instr = { op: 'syscall', name, blocking: false, cpu: null, child: -1, dst: 0 };
  return { ...base, programs: [{ ...base.programs[0]!, code: [call, { op: 'done' }] }, base.programs[1]!] };
}

describe('symmetryIsSound', () => {
  it('holds for two threads alike in everything', () => expect(symmetryIsSound(base)).toBe(true));
  it('needs two threads at least', () => {
    expect(symmetryIsSound({ ...base, threads: [base.threads[0]!] })).toBe(false);
    expect(symmetryIsSound({ ...base, threads: [] })).toBe(false);
  });
  it('compares every thread with the first, not just one of them', () => {
    const t = base.threads;
    expect(symmetryIsSound({ ...base, threads: [t[0]!, t[1]!, { ...t[1]!, program: 1 }] })).toBe(false);
    expect(symmetryIsSound({ ...base, threads: [t[0]!, t[1]!, { ...t[1]!, name: 'T3' }] })).toBe(true);
  });
  it('fails when the threads differ in one attribute', () => {
    expect(symmetryIsSound(second({ program: 1 }))).toBe(false);
    expect(symmetryIsSound(second({ handler: 1 }))).toBe(false);
    expect(symmetryIsSound(second({ sigsegvHandler: 1 }))).toBe(false);
    expect(symmetryIsSound(second({ registered: false }))).toBe(false);
    expect(symmetryIsSound(second({ flags: 1 }))).toBe(false);
    expect(symmetryIsSound(second({ dormant: true }))).toBe(false);
    expect(symmetryIsSound(second({ allowed: [0] }))).toBe(false);
    expect(symmetryIsSound(second({ allowed: [1, 0] }))).toBe(false);
  });
  it('ignores what does not tell threads apart: start CPU and name', () => {
    expect(symmetryIsSound(second({ cpu: 0, name: 'T9' }))).toBe(true);
  });
  it('fails when the first thread is dormant (the others are compared with it)', () => {
    const d = { ...base.threads[0]!, dormant: true };
    expect(symmetryIsSound({ ...base, threads: [d, base.threads[1]!] })).toBe(false);
  });
  it('fails with memory indexed per thread', () => {
    const vars = [{ ...base.memory.vars[0]!, perthread: true }];
    expect(symmetryIsSound({ ...base, memory: { ...base.memory, vars } })).toBe(false);
    const mixed = [base.memory.vars[0]!, { ...base.memory.vars[0]!, name: 'y', perthread: true }];
    expect(symmetryIsSound({ ...base, memory: { ...base.memory, vars: mixed } })).toBe(false);
  });
  it('fails when a thread can be created at run time (fork, clone_vm), not for other syscalls', () => {
    expect(symmetryIsSound(withSyscall('fork'))).toBe(false);
    expect(symmetryIsSound(withSyscall('clone_vm'))).toBe(false);
    expect(symmetryIsSound(withSyscall('sched_yield'))).toBe(true);
    // A vDSO call may carry any name; one called fork creates nothing.
    expect(symmetryIsSound(withVdso('fork'))).toBe(true);
    expect(symmetryIsSound(withVdso('clone_vm'))).toBe(true);
  });
  it('fails when an invariant or a final condition names a thread', () => {
    expect(symmetryIsSound({ ...base, final: [{ name: 'f', expr: 'ip(T2) == 0' }] })).toBe(false);
    expect(symmetryIsSound({ ...base, invariants: [{ name: 'i', expr: 'T1.r0 == 0' }] })).toBe(false);
  });
});

describe('reductionsAreSound (whether a property names a thread)', () => {
  /** `base` with its one thread renamed and a final condition `expr`. */
  const named = (name: string, expr: string): ModelIR => ({ ...base, threads: [{ ...base.threads[0]!, name }], final: [{ name: 'f', expr }] });
  it('holds when the properties speak of memory only', () => expect(reductionsAreSound(base)).toBe(true));
  it('fails for a thread named in a final condition or an invariant', () => {
    expect(reductionsAreSound({ ...base, final: [{ name: 'f', expr: 'x + cpu(T1) == 0' }] })).toBe(false);
    expect(reductionsAreSound({ ...base, invariants: [{ name: 'i', expr: 'T2.r1 == 0' }] })).toBe(false);
  });
  it('matches whole words only: T1 is not named by T10 or xT1', () => {
    expect(reductionsAreSound(named('T1', 'T10 == 0'))).toBe(true);
    expect(reductionsAreSound(named('T1', 'xT1 == 0'))).toBe(true);
    expect(reductionsAreSound(named('T1', 'T1 == 0'))).toBe(false);
  });
  it("takes the dots and quotes of a thread's name literally", () => {
    expect(reductionsAreSound(named('a.b', 'a.b == 0'))).toBe(false);
    expect(reductionsAreSound(named('a.b', 'axb == 0'))).toBe(true);
  });
  it("sees a name that ends in a quote or a dot (a \\b after it would need a letter to follow)", () => {
    expect(reductionsAreSound(named("w'", "done(w') || cpu(w') == 1"))).toBe(false);
    expect(reductionsAreSound(named('w.', 'cpu(w.) == 1'))).toBe(false);
    expect(reductionsAreSound(named("w'", "cpu(w'x) == 1"))).toBe(true);
    expect(reductionsAreSound(named("w'", 'cpu(w) == 1'))).toBe(true);
  });
  it("keeps a verdict on a thread named w' (the symmetry once swapped it with its twin)", async () => {
    // w' starts on C1, v' on C0, no migrations: w' is on C1 until it is done. Sorting the two
    // records (C0's first) would give w' the record of v' and a false violation.
    const b = new ModelBuilder('quoted').cpus(2).program('main', [I.nop(), I.done()]);
    b.thread({ name: "w'", program: 'main', cpu: 'C1' }).thread({ name: "v'", program: 'main', cpu: 'C0' });
    const quoted = compile(b.invariant('stays', "done(w') || cpu(w') == 1").budgets({ migrations: 0, preemptions: 1 }).build());
    expect(symmetryIsSound(quoted)).toBe(false);
    for (const reduce of [true, false]) expect((await checkModel(quoted, { policy: 'linux-6.15', reduce, symmetry: reduce })).verdict).toBe('pass');
  });
});

describe('floatingThreads', () => {
  const pinned = second({ allowed: [1] });
  it('floats a thread with more than one CPU when reduced and migrations are unbounded', () => {
    expect(floatingThreads(pinned, true, -1)).toEqual([true, false]);
  });
  it('floats nothing with a migration budget (even 0) or without the reductions', () => {
    expect(floatingThreads(pinned, true, 0)).toEqual([false, false]);
    expect(floatingThreads(pinned, true, 2)).toEqual([false, false]);
    expect(floatingThreads(pinned, false, -1)).toEqual([false, false]);
  });
});

describe('eventMaskCollapses', () => {
  it('collapses under the 6.0-6.18 event tracking with full validation and no flags', () => {
    expect(eventMaskCollapses(base, policy('linux-6.15'))).toBe(true);
    expect(eventMaskCollapses(base, policy('linux-6.15', { eventTracking: 'mask3' }))).toBe(true);
    expect(eventMaskCollapses(base, policy('linux-6.15', { eventTracking: 'anyEvent' }))).toBe(true);
  });
  it('not under the rework, minimal validation, or a NO_RESTART flag on a thread or a descriptor', () => {
    expect(eventMaskCollapses(base, policy('linux-6.15', { eventTracking: 'userIrqOnly' }))).toBe(false);
    expect(eventMaskCollapses(base, policy('linux-6.15', { eventTracking: 'legacyV1' }))).toBe(false);
    expect(eventMaskCollapses(base, policy('linux-6.15', { csValidation: 'minimal-in-range' }))).toBe(false);
    expect(eventMaskCollapses(base, policy('linux-6.15', { csValidation: 'debug-full' }))).toBe(true);
    expect(eventMaskCollapses(second({ flags: 2 }), policy('linux-6.15'))).toBe(false);
    const flagged = compile(
      new ModelBuilder('flagged')
        .program('main', { code: [I.nop({ label: 's' }), I.nop({ label: 'p' }), I.done({ label: 'a' })], descriptors: { cs: { start: 's', postCommit: 'p', abort: 'a', flags: ['NO_RESTART_ON_SIGNAL'] } } })
        .thread({ program: 'main', cpu: 'C0' })
        .build(),
    );
    expect(eventMaskCollapses(flagged, policy('linux-6.15'))).toBe(false);
    // Descriptors without flags (ranges, below) do not stop it.
    expect(eventMaskCollapses(ranges, policy('linux-6.15'))).toBe(true);
  });
});

describe('eventBitsDieWithoutNotify (reduction dead-events)', () => {
  const p = policy('linux-6.15');
  it('holds with the mask collapsed, every switch-out aborting, no interrupts and registered threads', () => {
    expect(eventBitsDieWithoutNotify(base, p, true, 0)).toBe(true);
  });
  it('fails when any one condition fails', () => {
    expect(eventBitsDieWithoutNotify(base, p, false, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(base, { ...p, abortOnPreempt: false }, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(base, { ...p, abortOnMigrate: false }, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(base, { ...p, abortOnTrap: false }, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(base, p, true, 1)).toBe(false);
    expect(eventBitsDieWithoutNotify(base, p, true, -1)).toBe(false);
    expect(eventBitsDieWithoutNotify(second({ registered: false }), p, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(second({ dormant: true }), p, true, 0)).toBe(false);
  });
  it('fails when a syscall raises notify-resume without an event (registration, fork, clone_vm)', () => {
    expect(eventBitsDieWithoutNotify(withSyscall('rseq_register'), p, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(withSyscall('fork'), p, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(withSyscall('clone_vm'), p, true, 0)).toBe(false);
    expect(eventBitsDieWithoutNotify(withSyscall('sched_yield'), p, true, 0)).toBe(true);
    expect(eventBitsDieWithoutNotify(withVdso('rseq_register'), p, true, 0)).toBe(true);
  });
  it('ignores signal aborts and the signal budget (delivery records EV_SIGNAL first)', () => {
    expect(eventBitsDieWithoutNotify(base, { ...p, abortOnSignal: false }, true, 0)).toBe(true);
  });
});

describe('abortsArePending (reduction abort-pending)', () => {
  const p = policy('linux-6.15');
  it('holds only with the mask collapsed, outside the rework, when signals abort', () => {
    expect(abortsArePending(p, true, false)).toBe(true);
    expect(abortsArePending(p, false, false)).toBe(false);
    expect(abortsArePending(p, true, true)).toBe(false);
    expect(abortsArePending({ ...p, abortOnSignal: false }, true, false)).toBe(false);
  });
});

/**
 * Program 0 (`main`): a range [1, 3) of descriptor A and [2, 4) of descriptor B, both aborting
 * to 5; program 1 (`side`) has descriptor C over [0, 1).
 *
 *   main: 0 nop | 1 A_start: mov r1, 1 | 2 B_start: add r1, 1 | 3 A_post: nop | 4 B_post: done | 5 abort: done
 *   side: 0 C_start: nop | 1 C_post: done | 2 C_abort: done
 */
const ranges: ModelIR = compile(
  new ModelBuilder('ranges')
    .program('main', {
      code: [I.nop(), I.mov('r1', 1, { label: 'a_start' }), I.add('r1', 1, { label: 'b_start' }), I.nop({ label: 'a_post' }), I.done({ label: 'b_post' }), I.done({ label: 'abort' })],
      descriptors: { A: { start: 'a_start', postCommit: 'a_post', abort: 'abort' }, B: { start: 'b_start', postCommit: 'b_post', abort: 'abort' } },
    })
    .program('side', { code: [I.nop({ label: 'c_start' }), I.done({ label: 'c_post' }), I.done({ label: 'c_abort' })], descriptors: { C: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort' } } })
    .thread({ program: 'main', cpu: 'C0' })
    .thread({ program: 'side', cpu: 'C0' })
    .build(),
);

describe('descriptorRangeMasks', () => {
  it('sets bit d at each IP of [start, postCommit) of descriptor d, in its own program only', () => {
    expect(ranges.descriptors.map((d) => [d.name, d.program])).toEqual([
      ['A', 0],
      ['B', 0],
      ['C', 1],
    ]);
    expect(descriptorRangeMasks(ranges).map((m) => Array.from(m))).toEqual([
      [0, 1, 3, 2, 0, 0, 0],
      [4, 0, 0, 0],
    ]);
  });
});

/** fusibleInstructions of program 0 of a one-thread model running `code` (no descriptors unless given). */
function fused(code: readonly InstructionInput[]): number[] {
  const ir = compile(new ModelBuilder('f').program('main', seq(...code)).program('h', [I.sigreturn()]).thread({ program: 'main', cpu: 'C0', handler: 'h' }).build());
  const n = ir.programs[0]!.code.length;
  return Array.from(fusibleInstructions(ir, 0, new Int32Array(n + 1), new Int32Array(n + 1)));
}

describe('fusibleInstructions', () => {
  it('fuses exactly the purely local instructions (nop, mov, add, sub, br, jmp)', () => {
    const code = [I.nop(), I.mov('r1', 1), I.add('r1', 1), I.sub('r1', 1), I.br('eq', 'r1', 0, 'end'), I.jmp('end'), I.load('r2', { var: 'x' }), I.store({ var: 'x' }, 'r1'), I.addm({ var: 'x' }, 1), I.done({ label: 'end' })];
    const ir = compile(new ModelBuilder('f').memory('x', { max: 3 }).program('main', seq(...code)).thread({ program: 'main', cpu: 'C0' }).build());
    const n = ir.programs[0]!.code.length;
    expect(Array.from(fusibleInstructions(ir, 0, new Int32Array(n + 1), new Int32Array(n + 1)))).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });
  it('not read_id, syscalls, raise, assert or done', () => {
    expect(fused([I.readId('r1', 'cpu_id'), I.syscall('sched_yield'), I.raise(), I.assert('eq', 'r0', 0), I.done()])).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('breaks a cycle of fusible instructions (the first one met on it is dropped)', () => {
    // 0 loop: nop | 1 jmp loop | 2 done: the DFS from 0 meets 0 again, so 0 runs unfused.
    expect(fused([I.nop({ label: 'loop' }), I.jmp('loop'), I.done()])).toEqual([0, 1, 0, 0]);
    // 0 jmp 2 | 1 done | 2 jmp 0: same, through the forward jump first.
    expect(fused([I.jmp('c', { label: 'top' }), I.done(), I.jmp('top', { label: 'c' })])).toEqual([0, 0, 1, 0]);
    // A branch back on itself: 0 br r0 == 0, 0 | 1 done.
    expect(fused([I.br('eq', 'r0', 0, 'self', { label: 'self' }), I.done()])).toEqual([0, 0, 0]);
  });
  it('keeps an acyclic chain and a branch whose both successors are fusible', () => {
    // 0 br → 2 | 1 nop | 2 nop | 3 done: no cycle, all three fusible stay.
    expect(fused([I.br('eq', 'r0', 0, 'two'), I.nop(), I.nop({ label: 'two' }), I.done()])).toEqual([1, 1, 1, 0, 0]);
    // Two disjoint loops: each loses one instruction.
    expect(fused([I.nop({ label: 'a' }), I.jmp('a'), I.nop({ label: 'b' }), I.jmp('b'), I.done()])).toEqual([0, 1, 0, 1, 0, 0]);
  });
  it('a diamond that rejoins is not a cycle', () => {
    // 0 br → 2 | 1 jmp 3 | 2 nop | 3 nop | 4 done.
    expect(fused([I.br('eq', 'r0', 0, 'two'), I.jmp('three'), I.nop({ label: 'two' }), I.nop({ label: 'three' }), I.done()])).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('only where every successor lies in the same descriptor ranges, writing no register live at their abort handlers', () => {
    const masks = descriptorRangeMasks(ranges)[0]!;
    // main: 0 nop (its successor 1 is in A: no) | 1 mov r1 (in A, successor 2 in A and B: no)
    // | 2 add r1 (A and B, successor 3 in B only: no) | 3 nop (B, successor 4 outside: no) | 4, 5 done.
    expect(Array.from(fusibleInstructions(ranges, 0, masks, new Int32Array(7)))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // Same masks everywhere: each local instruction fuses unless r1 (bit 1) is live at the abort handler (IP 5).
    const flat = new Int32Array([1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(fusibleInstructions(ranges, 0, flat, new Int32Array(7)))).toEqual([1, 1, 1, 1, 0, 0, 0]);
    const r1LiveAtAbort = new Int32Array([0, 0, 0, 0, 0, 2, 0]);
    expect(Array.from(fusibleInstructions(ranges, 0, flat, r1LiveAtAbort))).toEqual([1, 0, 0, 1, 0, 0, 0]);
    // Live elsewhere than at the handler does not matter; neither does a handler of a range the IP is outside.
    expect(Array.from(fusibleInstructions(ranges, 0, flat, new Int32Array([2, 2, 2, 2, 2, 0, 2])))).toEqual([1, 1, 1, 1, 0, 0, 0]);
    const inB = new Int32Array([2, 2, 2, 2, 2, 2, 2]);
    expect(Array.from(fusibleInstructions(ranges, 0, inB, r1LiveAtAbort))).toEqual([1, 0, 0, 1, 0, 0, 0]);
    const inC = new Int32Array([4, 4, 4, 4, 4, 4, 4]);
    expect(Array.from(fusibleInstructions(ranges, 0, inC, r1LiveAtAbort))).toEqual([1, 1, 1, 1, 0, 0, 0]);
    // sub writes its register like mov and add: 0 sub r1, 1 | 1 sub r2, 1 | 2, 3 nop | 4, 5 done.
    const sub = (dst: number): Instr => ({ op: 'sub', dst, src: { reg: false, value: 1 } });
    const subs = { ...ranges, programs: [{ ...ranges.programs[0]!, code: [sub(1), sub(2), { op: 'nop' }, { op: 'nop' }, { op: 'done' }, { op: 'done' }] as Instr[] }, ranges.programs[1]!] };
    expect(Array.from(fusibleInstructions(subs, 0, flat, r1LiveAtAbort))).toEqual([0, 1, 1, 1, 0, 0, 0]);
  });
  it('a branch with one successor in another range is not fused', () => {
    // 0 br r0 == 0, 3 | 1, 2 nop | 3 done: IP 3 lies in a range the others are outside.
    const ir = compile(new ModelBuilder('f').program('main', seq(I.br('eq', 'r0', 0, 'end'), I.nop(), I.nop(), I.done({ label: 'end' }))).thread({ program: 'main', cpu: 'C0' }).build());
    expect(Array.from(fusibleInstructions(ir, 0, new Int32Array([0, 0, 0, 1, 0]), new Int32Array(5)))).toEqual([0, 1, 0, 0, 0]);
  });
  it('only mov, add and sub write a register (nop, br and jmp fuse whatever is live at the handler)', () => {
    const flat = new Int32Array([1, 1, 1, 1, 1, 1, 1]);
    const allLiveAtAbort = new Int32Array([0, 0, 0, 0, 0, 0b1111, 0]);
    // main of ranges: 0 nop | 1 mov r1 | 2 add r1 | 3 nop: the nops fuse with every register live.
    expect(Array.from(fusibleInstructions(ranges, 0, flat, allLiveAtAbort))).toEqual([1, 0, 0, 1, 0, 0, 0]);
    const r0LiveAtAbort = new Int32Array([0, 0, 0, 0, 0, 0b0001, 0]);
    expect(Array.from(fusibleInstructions(ranges, 0, flat, r0LiveAtAbort))).toEqual([1, 1, 1, 1, 0, 0, 0]);
  });
  it('stays linear on a ladder of 40 diamonds (a DFS that re-entered finished nodes would take 2^40 steps)', () => {
    // Diamond i: d{i}: br r0 == 0, b{i} | jmp j{i} | b{i}: nop | j{i}: nop; then done.
    const ladder = Array.from({ length: 40 }, (_, i) => [I.br('eq', 'r0', 0, `b${i}`), I.jmp(`j${i}`), I.nop({ label: `b${i}` }), I.nop({ label: `j${i}` })]).flat();
    expect(fused([...ladder, I.done()])).toEqual([...Array<number>(160).fill(1), 0, 0]);
  });
  it('a jump past the end of the program is not fused', () => {
    const ir = { ...ranges, programs: [{ ...ranges.programs[0]!, code: [{ op: 'jmp', target: 9 } as Instr, { op: 'done' } as Instr] }, ranges.programs[1]!], descriptors: [] };
    expect(Array.from(fusibleInstructions(ir, 0, new Int32Array(10), new Int32Array(3)))).toEqual([0, 0, 0]);
    // One past the last instruction (the end, where a killed thread rests) is a successor like any other.
    const toEnd = { ...ir, programs: [{ ...ranges.programs[0]!, code: [{ op: 'jmp', target: 2 } as Instr, { op: 'done' } as Instr] }, ranges.programs[1]!] };
    expect(Array.from(fusibleInstructions(toEnd, 0, new Int32Array(10), new Int32Array(3)))).toEqual([1, 0, 0]);
  });
});
