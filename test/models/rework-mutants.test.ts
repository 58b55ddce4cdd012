/**
 * Hand-worked tests of the 6.19+ rework's rseq work (models/kernel/rework.ts), written against
 * its mutants: the switch event at switch-in (rseq_sched_switch_event), rseq_signal_deliver,
 * rseq_update_user_cs with its debug variant, and the exit work (rseq_exit_to_user_mode_restart),
 * each against the rule of ../shared/rseq-semantics.md §2.6 it checks.
 *
 * The model is the addv c.s. of semantics-helpers.ts: range [2, 7), commit 6, P_post = 7,
 * abort_ip = 8 (with one instruction spliced in at 4: range [2, 8), abort_ip = 9). Where a step's
 * effect is not visible in the state (the exit work clears every event bit before user space
 * runs again), the decisions the kernel reports for that step are read instead.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { KillReason } from '../../properties/codes.js';
import { logged, ofKind, type LoggedStep } from './mutant-helpers.js';
import { LabelKind, addvWith, csPtr, exec, handlerProgram, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

const K = LabelKind;
const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
const T0h = { ...T0, handler: 'h' } as const;
type Knobs = Partial<KnobValues>;

/** addv with `ins` spliced in at 4 (inside the range [2, 8), abort_ip 9), then `out: done`. */
const withInCs = (ins: InstructionInput) => seq(addvWith({ inCs: [ins] }), I.done({ label: 'out' }));
/** The plain addv c.s. with descriptor fields overridden. */
const addvDesc = (descriptor: Record<string, unknown>) => seq(addvWith({ descriptor }), I.done({ label: 'out' }));
/** The user overwrites cpu_id_start with 1 on C0, then stops at ip 1: a rewrite of the IDs shows as 0. */
const scribbled = (last: InstructionInput = I.nop()) => [I.writeId('cpu_id_start', 1), last, I.done()];

/** Thread 0 blocks in its syscall at ip 1 (or 4) and is woken and switched in again on C0. */
function backFromSyscall(sys: RseqSystem, syscallIp: number): LoggedStep {
  let s = exec(sys, runTo(sys, initial(sys), 0, syscallIp), 0);
  s = stepTo(sys, s, { kind: K.wake, thread: 0 });
  return logged(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
}

/** Thread 0 preempted (same CPU) at `ip`: the state after its switch-in and the decisions. */
function preemptedAt(sys: RseqSystem, ip: number) {
  return logged(sys, runTo(sys, initial(sys), 0, ip), { kind: K.preempt, thread: 0, arg: 0 });
}

/** Thread 0 migrated from user mode at `ip` to C1 and switched in there. */
function migratedAt(sys: RseqSystem, ip: number) {
  const s = stepTo(sys, runTo(sys, initial(sys), 0, ip), { kind: K.migrate, thread: 0, arg: 1 });
  return logged(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
}

// -------------------------------------------------------------------------------------------
describe('rseq_sched_switch_event at switch-in (§2.6)', () => {
  // §2.6 "if GENERIC_IRQ_ENTRY: if (ev.user_irq | ev.ids_changed) & ev.has_rseq: ev.sched_switch
  // := 1; raise TIF_RSEQ"; §2.2 "A task that blocked in a *syscall* and comes back on the same
  // CPU with an unchanged mm_cid gets **nothing**". With idUpdate=everyHandlerRun an exit work
  // that ran would rewrite the IDs the user scribbled over.
  it('V2 tracking: back from a blocking syscall on the same CPU, no switch event is raised (no exit work, IDs left)', () => {
    const sys = system(model({ threads: [T0], main: scribbled(I.syscall('write', { blocking: true })) }), 'linux-6.19', { idUpdate: 'everyHandlerRun' });
    const { state, decisions } = backFromSyscall(sys, 1);
    expect(ofKind(decisions, 'switch-event')).toEqual([]);
    expect(view(sys, state).cpuIdStart(0)).toBe(1);
  });

  // The contrast: the same switch after an interrupt from user mode (user_irq) raises it.
  it('V2 tracking: a preemption from user mode raises the switch event of the thread switched in', () => {
    const sys = system(model({ threads: [T0], main: scribbled() }), 'linux-6.19', { idUpdate: 'everyHandlerRun' });
    const { state, decisions } = preemptedAt(sys, 1);
    expect(ofKind(decisions, 'switch-event')).toEqual([{ kind: 'switch-event', thread: 0 }]);
    expect(view(sys, state).cpuIdStart(0)).toBe(0);
  });

  // rseq_sched_switch_event tests ev.has_rseq: an unregistered thread gets no event in either mode.
  for (const preset of ['linux-6.19', 'linux-7.1-legacy'] as const) {
    it(`${preset}: an unregistered thread preempted from user mode raises no switch event`, () => {
      const sys = system(model({ threads: [{ ...T0, registered: false }] }), preset);
      const { state, decisions } = preemptedAt(sys, 1);
      expect(ofKind(decisions, 'switch-event')).toEqual([]);
      expect(view(sys, state).tifRseq(0)).toBe(0);
    });
  }

  // §5.3 csCheckAfterSyscallSwitch=true (the L418-L63 behaviour the rework dropped): a switch out
  // of a syscall raises the event too, and the exit work checks the c.s. (abort_ip 9).
  it('csCheckAfterSyscallSwitch=true: back from a blocking syscall inside the c.s. on the same CPU, the c.s. is checked and aborted', () => {
    const sys = system(model({ threads: [T0], main: withInCs(I.syscall('write', { blocking: true })) }), 'linux-6.19', { csCheckAfterSyscallSwitch: true });
    const { state, decisions } = backFromSyscall(sys, 4);
    expect(ofKind(decisions, 'switch-event')).toHaveLength(1);
    expect([view(sys, state).ip(0), view(sys, state).rseqCs(0)]).toEqual([9, 0]);
  });

  // ... but only a switch out of a syscall: with user_irq never set (archSetsUserIrq=false), a
  // preemption from user mode on the same CPU still raises nothing.
  it('csCheckAfterSyscallSwitch=true, archSetsUserIrq=false: a same-CPU preemption from user mode raises nothing (no abort)', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19', { csCheckAfterSyscallSwitch: true, archSetsUserIrq: false });
    const { state, decisions } = preemptedAt(sys, 4);
    expect(ofKind(decisions, 'switch-event')).toEqual([]);
    expect([view(sys, state).ip(0), view(sys, state).rseqCs(0)]).toEqual([4, csPtr(sys)]);
  });

  // §2.6 "else [not GENERIC_IRQ_ENTRY]: if ev.has_rseq: ev.sched_switch := 1; raise TIF_RSEQ"
  // (only L71 legacy also sets ids_changed): the exit work takes the !ids_changed branch, which
  // writes no IDs under onChangeOnly, and checks the c.s.
  it('genericIrqEntry=false (6.19): a same-CPU switch raises the event but does not mark the IDs changed', () => {
    const sys = system(model({ threads: [T0], main: scribbled() }), 'linux-6.19', { genericIrqEntry: false });
    const { state, decisions } = preemptedAt(sys, 1);
    expect(ofKind(decisions, 'switch-event')).toHaveLength(1);
    expect(view(sys, state).cpuIdStart(0)).toBe(1);
  });

  // §2.6 "user_irq is set in irqentry_enter_from_user_mode() through rseq_note_user_irq_entry()"
  // and "On non-generic-entry archs user_irq is never set": the thread preempted from user mode
  // leaves for its switch-out with the bit its interrupt set, or without it. (The kernel's
  // switch-out is called directly: where no later step reads the bit, the canonical form of the
  // stored state clears it.)
  for (const [knobs, userIrq] of [[{}, 1], [{ genericIrqEntry: false }, 0], [{ archSetsUserIrq: false }, 0]] as const) {
    it(`${JSON.stringify(knobs)} (6.19): switched out after an interrupt from user mode, user_irq is ${userIrq}`, () => {
      const sys = system(model({ threads: [T0], main: scribbled() }), 'linux-6.19', knobs);
      const s = runTo(sys, initial(sys), 0, 1);
      sys.kernel.switchOut(s, 0, 'preempt', true);
      expect(view(sys, s).userIrq(0)).toBe(userIrq);
    });
  }

  // §2.6 "[L71 legacy: also ev.ids_changed := 1]": the exit work writes the IDs whatever idUpdate says.
  it('linux-7.1-legacy with idUpdate=onChangeOnly: every switch sets ids_changed, so the IDs are rewritten', () => {
    const sys = system(model({ threads: [T0], main: scribbled() }), 'linux-7.1-legacy', { idUpdate: 'onChangeOnly' });
    expect(view(sys, preemptedAt(sys, 1).state).cpuIdStart(0)).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------
describe('rseq_signal_deliver under the rework (§2.6)', () => {
  const sysWith = (main: Parameters<typeof model>[0]['main'], preset: string, knobs: Knobs = {}, registered = true) =>
    system(model({ threads: [{ ...T0h, registered }], main, programs: { h: handlerProgram } }), preset, knobs);

  // §2.6 "if GENERIC_IRQ_ENTRY: if ev.has_rseq & ev.user_irq: SIGNAL_CS" -> "U.rseq_cs := 0;
  // regs.ip := abort_ip": a signal sent from elsewhere arrives by an interrupt (user_irq), and the
  // frame saves abort_ip 8.
  it('a signal to a thread running inside its c.s. aborts it before the frame is set up (site signal-delivery)', () => {
    const sys = sysWith(undefined, 'linux-6.19');
    const { state, decisions } = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    const v = view(sys, state);
    expect([v.killed(), v.level(0), v.ip(0, 0), v.rseqCs(0)]).toEqual([0, 1, 8, 0]);
    expect(ofKind(decisions, 'abort')).toMatchObject([{ site: 'signal-delivery', fromIp: 4, abortIp: 8 }]);
  });

  // "csaddr := U.rseq_cs; if csaddr: ..." - nothing to check before the c.s. is armed.
  it('a signal before rseq_cs is set checks nothing (no lazy clear reported)', () => {
    const sys = sysWith(undefined, 'linux-6.19');
    const { state, decisions } = logged(sys, initial(sys), { kind: K.signal, thread: 0 });
    expect(view(sys, state).level(0)).toBe(1);
    expect(decisions.filter((d) => d.kind === 'lazy-clear' || d.kind === 'abort')).toEqual([]);
  });

  // The signal cuts a nanosleep inside the c.s. short (EINTR, no restart): the exit from the
  // syscall has user_irq clear, so the V2 delivery does not look at the c.s. (frame saves ip 5);
  // without generic IRQ entry the delivery checks it (frame saves abort_ip 9).
  for (const genericIrqEntry of [true, false]) {
    it(`genericIrqEntry=${genericIrqEntry}: a signal interrupting a syscall inside the c.s. ${genericIrqEntry ? 'does not check the c.s.' : 'aborts the c.s.'}`, () => {
      const sys = sysWith(withInCs(I.syscall('nanosleep', { blocking: true })), 'linux-6.19', { genericIrqEntry });
      let s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
      s = stepTo(sys, s, { kind: K.wakeBySignal, thread: 0 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
      const v = view(sys, s);
      expect(v.level(0)).toBe(1);
      expect([v.ip(0, 0), v.rseqCs(0)]).toEqual(genericIrqEntry ? [5, csPtr(sys)] : [9, 0]);
    });
  }

  // §2.6 "[L71 legacy: rseq_force_update()] // IDs NOT written here; done at exit": the exit work
  // rewrites the IDs the user scribbled over; V2 (6.19) writes nothing on the same CPU.
  for (const preset of ['linux-6.19', 'linux-7.1-legacy'] as const) {
    it(`${preset}: a signal delivery ${preset === 'linux-6.19' ? 'leaves the IDs' : 'forces the ID update (rewritten at exit)'}`, () => {
      const sys = sysWith(scribbled(), preset, { idUpdate: 'onChangeOnly' });
      const { state, decisions } = logged(sys, exec(sys, initial(sys), 0), { kind: K.signal, thread: 0 });
      expect(view(sys, state).level(0)).toBe(1);
      expect(view(sys, state).cpuIdStart(0)).toBe(preset === 'linux-6.19' ? 1 : 0);
      expect(ofKind(decisions, 'switch-event')).toHaveLength(preset === 'linux-6.19' ? 0 : 1);
    });
  }

  // rseq_signal_deliver tests ev.has_rseq first: an unregistered thread's delivery does nothing.
  it('linux-7.1-legacy: a signal to an unregistered thread forces no ID update', () => {
    const sys = sysWith(undefined, 'linux-7.1-legacy', {}, false);
    const { state, decisions } = logged(sys, initial(sys), { kind: K.signal, thread: 0 });
    expect(view(sys, state).level(0)).toBe(1);
    expect(ofKind(decisions, 'switch-event')).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------
describe('rseq_update_user_cs and its debug variant (§2.6, §1.5)', () => {
  const preempt = (main: ReturnType<typeof addvDesc> | undefined, knobs: Knobs, ip = 4) => {
    const sys = system(model({ threads: [T0], main }), 'linux-6.19', knobs);
    return { v: view(sys, preemptedAt(sys, ip).state) };
  };
  const debug: Knobs = { csValidation: 'debug-full' };

  // UPDATE_USER_CS_debug: "full validation (table 1.5)"; a valid descriptor with ip inside and
  // user_irq set is aborted as in the non-debug variant.
  it('debug-full: a valid descriptor preempted inside is aborted, not killed', () => {
    const { v } = preempt(undefined, debug);
    expect([v.killed(), v.ip(0), v.rseqCs(0)]).toEqual([0, 8, 0]);
  });

  // §1.5: version != 0 and (debug) any flags are fatal, checked before the in-range test.
  for (const [label, desc, ip, reason] of [
    ['version 1, ip inside', { version: 1 }, 4, KillReason.badVersion],
    ['version 1 and flags, ip inside', { version: 1, flags: ['NO_RESTART_ON_PREEMPT'] }, 4, KillReason.badVersion],
    ['flags, ip inside', { flags: ['NO_RESTART_ON_PREEMPT'] }, 4, KillReason.csFlagsDebug],
    ['flags, ip outside (P_post)', { flags: ['NO_RESTART_ON_PREEMPT'] }, 7, KillReason.csFlagsDebug],
  ] as const) {
    it(`debug-full: a descriptor with ${label} kills (${reason === KillReason.badVersion ? 'badVersion' : 'csFlagsDebug'})`, () => {
      const { v } = preempt(addvDesc(desc), debug, ip);
      expect([v.killed(), v.killReason()]).toEqual([1, reason]);
    });
  }

  // §1.5 "abort_ip inside the c.s.: debug kills"; the range is [start, post_commit): abort_ip at
  // start kills, at post_commit or before start it is a valid target.
  for (const [abort, killed, ip] of [
    ['P_start', true, 0],
    ['P_post', false, 7],
    ['P_retry', false, 0],
  ] as const) {
    it(`debug-full: abort_ip at ${abort} ${killed ? 'lies inside the range: kill (abortInCs)' : 'is outside the range: the abort goes there'}`, () => {
      const { v } = preempt(addvDesc({ abort, deliberatelyInvalid: abort === 'P_start' }), debug);
      expect([v.killed(), v.killReason(), v.ip(0)]).toEqual(killed ? [1, KillReason.abortInCs, 4] : [0, KillReason.none, ip]);
    });
  }

  // UPDATE_USER_CS_debug: "also fatal if in c.s. and !ev.user_irq". With user_irq never set
  // (archSetsUserIrq=false), a migration from user mode still raises (ids_changed); the debug
  // exit work does not skip the check (§2.6 "if GENERIC_IRQ_ENTRY and !debug and !ev.user_irq")
  // and takes the c.s. for one found at a syscall exit. Non-debug skips it: no abort, no kill.
  for (const csValidation of ['debug-full', 'minimal-in-range'] as const) {
    it(`${csValidation}, archSetsUserIrq=false: a migration inside the c.s. ${csValidation === 'debug-full' ? 'kills (syscallInCs)' : 'is not checked'}`, () => {
      const sys = system(model({ threads: [T0] }), 'linux-6.19', { csValidation, archSetsUserIrq: false });
      const v = view(sys, migratedAt(sys, 4).state);
      expect(v.cpuIdStart(0)).toBe(1); // ids_changed: written first, then the c.s. looked at
      expect([v.ip(0), v.killed(), v.killReason()]).toEqual(csValidation === 'debug-full' ? [4, 1, KillReason.syscallInCs] : [4, 0, KillReason.none]);
    });
  }

  // The check runs only when rseq_cs is set: migrated before the c.s. is armed, debug or not,
  // the exit work writes the IDs and checks nothing.
  it('debug-full: a migration before rseq_cs is set writes the IDs and checks nothing', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19', debug);
    const { state, decisions } = migratedAt(sys, 1);
    const v = view(sys, state);
    expect([v.killed(), v.cpuIdStart(0), v.ip(0)]).toEqual([0, 1, 1]);
    expect(decisions.filter((d) => d.kind === 'lazy-clear' || d.kind === 'abort')).toEqual([]);
  });

  // csValidation=full-always runs rseq_get_rseq_cs's checks first; a valid descriptor passes them.
  it('full-always over 6.19: a valid descriptor preempted inside is aborted', () => {
    const { v } = preempt(undefined, { csValidation: 'full-always' });
    expect([v.killed(), v.ip(0), v.rseqCs(0)]).toEqual([0, 8, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('exit work (rseq_exit_to_user_mode_restart, §2.6)', () => {
  // Both branches report their check at site exit-work: !ids_changed (same-CPU preemption) and
  // ids_changed (migration: IDs written, then the c.s. aborted).
  it('the c.s. check of the exit work is reported at site exit-work in both branches', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19');
    for (const step of [preemptedAt, migratedAt]) {
      expect(ofKind(step(sys, 4).decisions, 'abort')).toMatchObject([{ site: 'exit-work', fromIp: 4, abortIp: 8 }]);
    }
  });

  // "if TIF_RSEQ: ..." - an interrupt that schedules nothing raises no TIF_RSEQ: the exit work
  // does not look at the c.s. (user_irq is only cleared).
  it('an interrupt inside the c.s. that does not schedule leaves the c.s. alone and clears user_irq', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19');
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.interrupt, thread: 0 }));
    expect([v.ip(0), v.rseqCs(0), v.userIrq(0), v.tifRseq(0)]).toEqual([4, csPtr(sys), 0, 0]);
  });
});
