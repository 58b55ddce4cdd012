/**
 * Hand-worked tests of the checks at a syscall (models/kernel/syscall-checks.ts) that the
 * semantics tests leave open: which policies promise to catch a syscall inside a c.s. (the G3
 * ghost), which check at exit, the entry and exit checks of an unregistered thread or with
 * rseq_cs 0, and G3 itself at the return to user space (rseq-semantics.md §5.1, §5.2 S5).
 *
 * The addv c.s. of semantics-helpers.ts: range [2, 7), commit 6, P_post 7, abort_ip 8. With a
 * syscall spliced in at 4 (`inCs`) the range is [2, 8); with one appended after the commit store
 * (`atEnd`, S5) the syscall is the last instruction of the range [2, 8): ip_e = 8 = post_commit_ip.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import { Status } from '../../models/kernel/layout.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { Code, KillReason } from '../../properties/codes.js';
import { logged } from './mutant-helpers.js';
import { LabelKind, addvWith, at, csPtr, exec, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
type Knobs = Partial<KnobValues>;

/** The syscall ghosts of thread 0: [in the c.s., promised to be caught, exit check pending]. */
function ghosts(sys: RseqSystem, s: Int32Array): [number, number, number] {
  const L = sys.layout;
  const g = (f: Int32Array): number => sys.kernel.get(s, f[0]!);
  return [g(L.sysInCs), g(L.sysPromised), g(L.sysExitCheck)];
}

/** write(2) before any c.s. (rseq_cs 0), then done. */
const plainWrite = [I.syscall('write'), I.done()];
/** S1: write(2) inside the c.s. (at 4, ip_e 5 in [2, 8)). */
const s1Write = seq(addvWith({ inCs: [I.syscall('write')] }), I.done({ label: 'out' }));
/** S2: write(2) after the commit, rseq_cs still set (lazy clearing). */
const s2Write = (descriptor?: Record<string, unknown>) => seq(addvWith({ descriptor }), I.syscall('write', { label: 'out' }), I.done());
/** arm S_cs, its one-instruction range [1, 2), then write(2) at 2 = post_commit_ip, just after it. */
const armedThenWrite = {
  code: [I.arm('S_cs'), I.nop({ label: 'S_start' }), I.syscall('write', { label: 'S_post' }), I.done({ label: 'S_abort' })],
  descriptors: { S_cs: { start: 'S_start', postCommit: 'S_post', abort: 'S_abort' } },
};
/** S5: write(2) as the last instruction of the range (at 7): ip_e = 8 = post_commit_ip. */
const s5Write = seq(addvWith({ atEnd: [I.syscall('write')] }), I.done({ label: 'out' }));

const build = (main: Parameters<typeof model>[0]['main'], preset: string, knobs: Knobs = {}, thread: object = {}, properties?: string[]) =>
  system(model({ threads: [{ ...T0, ...thread }], main }), preset, knobs, properties ? { properties } : {});

/** Thread 0 preempted at the exit of the syscall at `ip`: the ghosts its entry set are still there. */
function preemptedAtSyscallExit(sys: RseqSystem, ip: number): Int32Array {
  return stepTo(sys, runTo(sys, initial(sys), 0, ip), { kind: LabelKind.instructionPreemptedAtExit, thread: 0 });
}

// -------------------------------------------------------------------------------------------
describe('syscall entry ghosts: which policies promise to catch a syscall, which check at exit (§5.1)', () => {
  // §5.1: b, c and c' catch every syscall made inside a c.s.; d only those in S (at entry or exit
  // per syscallSetCheck); a none. The exit check is c', d with exit, or L619 debug (§2.6).
  // A write(2) outside any c.s. with rseq_cs 0: nobody is killed, the ghosts say what was promised.
  for (const [name, preset, knobs, promised, exitCheck] of [
    ['a: nothing promised, no exit check', 'a@4.18', {}, 0, 0],
    ['a with write in syscallSet (exit): syscallSet is only policy d\'s', 'a@4.18', { syscallSet: ['write'], syscallSetCheck: 'exit' }, 0, 0],
    ['b: promised, checked at entry only', 'b@4.18', {}, 1, 0],
    ['c: promised, checked at entry only', 'c@4.18', {}, 1, 0],
    ["c': promised, checked at exit", "c'@4.18", {}, 1, 1],
    ['d, write outside syscallSet: nothing promised', 'd@4.18', {}, 0, 0],
    ['d, write outside syscallSet, exit check: nothing promised, no exit check', 'd@4.18', { syscallSetCheck: 'exit' }, 0, 0],
    ['d, write in syscallSet, entry check: promised, no exit check', 'd@4.18', { syscallSet: ['write'] }, 1, 0],
    ['d, write in syscallSet, exit check: promised, checked at exit', 'd@4.18', { syscallSet: ['write'], syscallSetCheck: 'exit' }, 1, 1],
    ['6.19 debug-full (policy a): nothing promised, checked at exit', 'linux-6.19', { csValidation: 'debug-full' }, 0, 1],
  ] as const) {
    it(name, () => {
      const sys = build(plainWrite, preset, knobs);
      const s = preemptedAtSyscallExit(sys, 0);
      expect([view(sys, s).killed(), view(sys, s).status(0)]).toEqual([0, Status.Ready]);
      expect(ghosts(sys, s)).toEqual([0, promised, exitCheck]);
    });
  }

  // The G3 ghost "inside the c.s." is the syscall instruction's IP against the range the frame armed.
  it('a syscall inside the c.s. sets the in-c.s. ghost; one after the commit does not', () => {
    const sys = build(s1Write, 'a@4.18');
    expect(ghosts(sys, preemptedAtSyscallExit(sys, 4))).toEqual([1, 0, 0]);
    const after = build(s2Write(), "c'@4.18");
    expect(ghosts(after, preemptedAtSyscallExit(after, at(after, 'out')))).toEqual([0, 1, 1]);
  });

  // §5.1 b: "if K.rseq && U.rseq_cs != 0 -> SIGSEGV"; c: "cs = GET_CS(); if in_cs(ip_e, cs)":
  // with rseq_cs 0 there is no descriptor to read, so neither kills.
  for (const preset of ['b@4.18', 'c@4.18']) {
    it(`${preset.slice(0, 1)}: a syscall with rseq_cs 0 returns normally`, () => {
      const sys = build(plainWrite, preset);
      const v = view(sys, exec(sys, initial(sys), 0));
      expect([v.killed(), v.violation(), v.ip(0)]).toEqual([0, 0, 1]);
    });
  }

  // §5.1 a: "None"; syscallSet and syscallSetCheck only select what policy d checks.
  it('a with write in syscallSet (entry): a write inside the c.s. is not killed at entry', () => {
    const sys = build(s1Write, 'a@4.18', { syscallSet: ['write'] });
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 4), 0));
    expect([v.killed(), v.ip(0)]).toEqual([0, 5]);
  });
});

// -------------------------------------------------------------------------------------------
describe('an unregistered thread (K.rseq NULL): no check at syscall entry or exit', () => {
  // §5.1 b: "if K.rseq && ..." — the TLS rseq_cs it stored is no struct rseq of the kernel's.
  for (const preset of ['b@4.18', "c'@4.18", 'c@4.18']) {
    it(`${preset.slice(0, preset.indexOf('@'))}: a syscall after its c.s. with rseq_cs still set in its TLS`, () => {
      const sys = build(armedThenWrite, preset, {}, { registered: false });
      const s = runTo(sys, initial(sys), 0, 2);
      expect([view(sys, s).area(0), view(sys, s).rseqCs(0)]).toEqual([-1, csPtr(sys, 'S_cs')]);
      const v = view(sys, exec(sys, s, 0));
      expect([v.killed(), v.violation(), v.rseqCs(0)]).toEqual([0, 0, csPtr(sys, 'S_cs')]);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('the syscall-exit check with a descriptor (c\', L619 debug)', () => {
  // §1.5: validation runs before the in-range test; a bad descriptor kills, and nothing more is
  // done with it (no lazy clear of the rseq_cs that killed).
  it('debug-full: a bad signature found at syscall exit kills and leaves rseq_cs as it was', () => {
    const sys = build(s2Write({ signature: 0x1234 }), 'linux-6.19', { csValidation: 'debug-full' });
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, at(sys, 'out')), 0));
    expect([v.killed(), v.killReason(), v.rseqCs(0)]).toEqual([1, KillReason.badSignature, csPtr(sys)]);
  });

  // §2.6 "Syscall exit in L619 (rseq_debug_syscall_return; debug only) ... outside -> clears rseq_cs".
  it('debug-full: the lazy clear at syscall exit is reported at site syscall-exit', () => {
    const sys = build(s2Write(), 'linux-6.19', { csValidation: 'debug-full' });
    const s = runTo(sys, initial(sys), 0, at(sys, 'out'));
    expect(logged(sys, s, { kind: LabelKind.instruction, thread: 0 }).decisions).toContainEqual({ kind: 'lazy-clear', thread: 0, area: 0, desc: csPtr(sys), site: 'syscall-exit' });
  });
});

// -------------------------------------------------------------------------------------------
describe('G3 at the return from a syscall made inside the c.s. (§5.1 G3, §5.2 S5)', () => {
  // S5: the syscall is the last instruction of the range, so ip_e = post_commit_ip is outside it:
  // c (ip_e) and c' (ip_x) both miss it; the syscall was made inside the c.s. and they promised.
  for (const preset of ['c@4.18', "c'@4.18"]) {
    it(`${preset.slice(0, preset.indexOf('@'))}: S5 returns alive, a missed detection (G3); the ghosts are cleared`, () => {
      const sys = build(s5Write, preset);
      const s = exec(sys, runTo(sys, initial(sys), 0, 7), 0);
      const v = view(sys, s);
      expect([v.killed(), v.violation(), v.ip(0)]).toEqual([0, Code.G3, 8]);
      expect(ghosts(sys, s)).toEqual([0, 0, 0]);
    });
  }

  it('a: S5 promised nothing, no G3', () => {
    const sys = build(s5Write, 'a@4.18');
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 7), 0));
    expect([v.killed(), v.violation()]).toEqual([0, 0]);
  });

  it('c without G3 among the properties checked: S5 is no violation', () => {
    const sys = build(s5Write, 'c@4.18', {}, {}, ['G1', 'G2']);
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 7), 0));
    expect([v.killed(), v.violation()]).toEqual([0, 0]);
  });

  // A thread killed at the syscall is the detection G3 asks for: no violation with it.
  it("c': S1 is killed at exit, a detection, no G3", () => {
    const sys = build(s1Write, "c'@4.18");
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 4), 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.syscallInCs, 0]);
  });
});
