/**
 * Hand-worked tests of kernel work a membarrier RSEQ IPI can land inside
 * (models/kernel/kernel-work.ts: when the state has the field, how it is packed;
 * models/kernel/ipi-races.ts: the second half of the work; and the pause of
 * notify-resume.ts's restart check), written against their mutants. Rules: rseq-semantics.md
 * §2.4 (rseq_need_restart reads, then clears the event mask: before 6eb350a22331 an IPI between
 * the two is lost), §2.9 (membarrier IPIs), §1.4 (rseq_reset of 6.19/7.0 without an IRQ guard).
 *
 * The race model: T0 on C0 runs the addv c.s. of semantics-helpers.ts (range [2, 7), commit 6,
 * abort_ip 8; with one instruction spliced in at 4: range [2, 8), abort_ip 9), T1 on C1 calls
 * membarrier(PRIVATE_EXPEDITED_RSEQ) once.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import { KernelWork, WorkKind, kernelWorkPossible } from '../../models/kernel/kernel-work.js';
import { EV_PREEMPT } from '../../models/kernel/layout.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import { unregisterIpiFalseKill } from '../../models/library/gallery/kernel-races.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { KillReason } from '../../properties/codes.js';
import { logged, ofKind } from './mutant-helpers.js';
import { LabelKind, addvWith, compile, exec, handlerProgram, initial, model, policy, runTo, stepTo, system, view } from './semantics-helpers.js';

const K = LabelKind;
type Knobs = Partial<KnobValues>;
const RACY_MASK: Knobs = { eventRMWAtomicVsIPI: false };
const work = (thread: number) => ({ kind: K.kernelWork, thread });

/** T0 (`first`, then addv with `inCs` spliced in at 4, signal handler h) on C0; T1 on C1 runs `other`. */
function raceModel(o: { inCs?: InstructionInput; descriptor?: Record<string, unknown>; other?: readonly InstructionInput[]; first?: InstructionInput } = {}) {
  const main = seq(o.first ? [o.first] : [], addvWith({ inCs: o.inCs ? [o.inCs] : [], descriptor: o.descriptor }), I.done({ label: 'out' }));
  return model({
    threads: [
      { name: 'T0', program: 'main', cpu: 'C0', handler: 'h' },
      { name: 'T1', program: 'mb', cpu: 'C1' },
    ],
    main,
    programs: { mb: o.other ?? [I.syscall('membarrier'), I.done()], h: handlerProgram },
  });
}
const raceSystem = (preset = 'linux-6.3', knobs: Knobs = RACY_MASK, o: Parameters<typeof raceModel>[0] = {}) => system(raceModel(o), preset, knobs);

/** The kernel-work field of T0 read through the system's KernelWork. */
const workOf = (sys: RseqSystem, s: Int32Array) => ({ kind: sys.kernel.work.kind(s, 0), fromSyscall: sys.kernel.work.fromSyscall(s, 0), mask: sys.kernel.work.maskRead(s, 0) });

// -------------------------------------------------------------------------------------------
describe('kernelWorkPossible: which models and policies get the kernel-work field', () => {
  const possible = (m: ReturnType<typeof model>, preset: string, knobs: Knobs) => kernelWorkPossible(compile(m), policy(preset, knobs));
  const unregisterRace: Knobs = { unregisterAtomicVsIpi: false };

  // The event-mask race: 4.18-6.18 without the IRQ guard, membarrier IPIs that abort, a model
  // that calls membarrier; each condition on its own closes it.
  it('the event-mask race: open only with every condition', () => {
    expect(possible(raceModel(), 'linux-6.3', RACY_MASK)).toBe(true);
    expect(possible(raceModel(), 'linux-6.3', { eventRMWAtomicVsIPI: true })).toBe(false);
    expect(possible(raceModel(), 'linux-6.3', { ...RACY_MASK, abortOnMembarrier: false })).toBe(false);
    expect(possible(raceModel(), 'linux-6.19', RACY_MASK)).toBe(false); // the rework has no such mask
    expect(possible(raceModel({ other: [I.syscall('getpid'), I.done()] }), 'linux-6.3', RACY_MASK)).toBe(false);
  });

  // usesSyscall looks at every program: membarrier in one of them is enough.
  it('membarrier in any one program opens it; another syscall does not', () => {
    expect(possible(raceModel({ other: [I.nop(), I.done()] }), 'linux-6.3', RACY_MASK)).toBe(false);
    expect(possible(raceModel({ inCs: I.syscall('membarrier'), other: [I.nop(), I.done()] }), 'linux-6.3', RACY_MASK)).toBe(true);
  });

  // The unregistration race: rework family, no IRQ guard, an IPI that raises TIF_RSEQ (legacy
  // tracking, or V2 tracking without generic IRQ entry), a model with membarrier and rseq_unregister.
  it('the unregistration race: open only with every condition', () => {
    const m = unregisterIpiFalseKill();
    expect(possible(m, 'linux-7.1-legacy', unregisterRace)).toBe(true);
    expect(possible(m, 'linux-6.19', { genericIrqEntry: false })).toBe(true);
    expect(possible(m, 'linux-6.19', {})).toBe(false); // V2 on generic IRQ entry reads cleared bits
    expect(possible(m, 'linux-7.1-legacy', {})).toBe(false); // fixed: e9766e6f7d33
    expect(possible(m, 'linux-7.1-legacy', { ...unregisterRace, abortOnMembarrier: false })).toBe(false);
    expect(possible(m, 'linux-6.3', { ...unregisterRace, eventRMWAtomicVsIPI: true })).toBe(false); // not the rework
    const noUnregister = raceModel();
    expect(possible(noUnregister, 'linux-7.1-legacy', unregisterRace)).toBe(false);
  });

  // Each system below has the field and its race open; a KernelWork built over no field has neither.
  it('a KernelWork without a field answers "none" and opens no race, whatever the policy', () => {
    for (const [sys, races] of [
      [raceSystem(), [true, false]],
      [system(unregisterIpiFalseKill(), 'linux-7.1-legacy', unregisterRace), [false, true]],
    ] as const) {
      expect([sys.kernel.work.maskRace, sys.kernel.work.unregisterRace]).toEqual(races);
      const empty = new KernelWork(sys.ir, sys.policy, sys.layout.bits, new Int32Array(0));
      expect([empty.maskRace, empty.unregisterRace]).toEqual([false, false]);
      expect(empty.kind(initial(sys), 0)).toBe(WorkKind.none);
    }
  });
});

// -------------------------------------------------------------------------------------------
describe('the event-mask race (rseq_need_restart paused between reading and clearing the mask)', () => {
  // An interrupt with task_work inside the c.s.: the handler reads an empty mask and pauses; the
  // work is not from a syscall. The IPI then sets PREEMPT; the clear loses it (lost = PREEMPT).
  it('task_work inside the c.s.: paused with mask 0 (not from a syscall); the IPI bit is reported lost', () => {
    const sys = raceSystem();
    const paused = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.taskWork, thread: 0 });
    expect(workOf(sys, paused.state)).toEqual({ kind: WorkKind.maskRead, fromSyscall: false, mask: 0 });
    expect(ofKind(paused.decisions, 'kernel-work')).toEqual([{ kind: 'kernel-work', thread: 0, work: 'restart-check', phase: 'paused', mask: 0, lost: 0 }]);
    const ipi = exec(sys, paused.state, 1);
    const done = logged(sys, ipi, work(0));
    expect(ofKind(done.decisions, 'kernel-work')[0]).toEqual({ kind: 'kernel-work', thread: 0, work: 'restart-check', phase: 'finished', mask: 0, lost: EV_PREEMPT });
    expect(view(sys, done.state).ip(0)).toBe(4);
  });

  // Preempted inside the c.s.: the handler read PREEMPT before pausing; the clear then restarts
  // with the mask as read (abort to 8 at site notify-resume) and the IDs are written.
  it('preempted inside the c.s.: the mask read (PREEMPT) restarts when the work finishes', () => {
    const sys = raceSystem();
    const paused = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
    expect(workOf(sys, paused)).toEqual({ kind: WorkKind.maskRead, fromSyscall: false, mask: EV_PREEMPT });
    const done = logged(sys, paused, work(0));
    expect(ofKind(done.decisions, 'abort')).toMatchObject([{ site: 'notify-resume', events: EV_PREEMPT, fromIp: 4, abortIp: 8 }]);
    expect(ofKind(done.decisions, 'kernel-work')).toEqual([{ kind: 'kernel-work', thread: 0, work: 'restart-check', phase: 'finished', mask: EV_PREEMPT, lost: 0 }]);
    const v = view(sys, done.state);
    expect([v.ip(0), v.rseqCs(0), v.evMask(0), sys.kernel.work.kind(done.state, 0)]).toEqual([8, 0, 0, WorkKind.none]);
  });

  // L418 mask3 + honoured flags (linux-5.5, racy): NO_RESTART_ON_PREEMPT exempts the PREEMPT the
  // paused handler read, as it would have at the read. With the flags ignored, or under anyEvent
  // tracking (L60: any event restarts), nothing is exempt: the finish aborts.
  for (const [label, knobs, exempt] of [
    ['mask3, flags honoured (linux-5.5)', {}, true],
    ['flags ignored', { noRestartFlags: 'ignored' }, false],
    ['anyEvent tracking', { eventTracking: 'anyEvent' }, false],
  ] as const) {
    it(`NO_RESTART_ON_PREEMPT, ${label}: the PREEMPT read ${exempt ? 'is exempt, no restart' : 'restarts'} at the finish`, () => {
      const sys = raceSystem('linux-5.5', { ...RACY_MASK, ...knobs }, { descriptor: { flags: ['NO_RESTART_ON_PREEMPT'] } });
      const paused = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
      expect(workOf(sys, paused).mask).toBe(EV_PREEMPT);
      const done = logged(sys, paused, work(0));
      expect(ofKind(done.decisions, 'no-restart')).toMatchObject(exempt ? [{ pending: EV_PREEMPT, exempt: EV_PREEMPT }] : []);
      expect(view(sys, done.state).ip(0)).toBe(exempt ? 4 : 8);
    });
  }

  // The ID update that notify-resume skipped while paused runs at the finish, as the handler's
  // would (everyHandlerRun rewrites, onChangeOnly compares with the cached CPU). The user wrote
  // cpu_id_start := 1 on C0 first (addv then starts at 1: the preemption hits its compare, ip 4).
  for (const [idUpdate, cpuIdStart] of [
    ['everyHandlerRun', 0],
    ['onChangeOnly', 1],
  ] as const) {
    it(`idUpdate=${idUpdate}: the finish ${cpuIdStart === 0 ? 'rewrites' : 'leaves'} the IDs the user scribbled over`, () => {
      const sys = raceSystem('linux-6.3', { ...RACY_MASK, idUpdate }, { first: I.writeId('cpu_id_start', 1) });
      const paused = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
      expect([workOf(sys, paused).kind, view(sys, paused).cpuIdStart(0)]).toEqual([WorkKind.maskRead, 1]);
      const v = view(sys, stepTo(sys, paused, work(0)));
      expect([v.ip(0), v.cpuIdStart(0)]).toEqual([9, cpuIdStart]);
    });
  }

  // Switched in after a blocking syscall inside the c.s.: the exit path marks the paused work as
  // from a syscall, so its finish completes the syscall exit (G3 bookkeeping cleared).
  it('after a blocking syscall: the paused work is marked from a syscall, and its finish ends the syscall', () => {
    const sys = raceSystem('linux-6.3', RACY_MASK, { inCs: I.syscall('write', { blocking: true }) });
    let s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
    s = stepTo(sys, stepTo(sys, s, { kind: K.wake, thread: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    expect(workOf(sys, s)).toEqual({ kind: WorkKind.maskRead, fromSyscall: true, mask: EV_PREEMPT });
    expect(sys.kernel.get(s, sys.layout.sysInCs[0]!)).toBe(1);
    s = stepTo(sys, s, work(0));
    expect([view(sys, s).ip(0), sys.kernel.get(s, sys.layout.sysInCs[0]!)]).toEqual([9, 0]);
  });

  // Only the notify-resume run pauses: the fixup of a signal delivery reads and clears at once.
  it('a signal delivered inside the c.s. does not pause: it aborts before the frame is set up', () => {
    const sys = raceSystem();
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    const v = view(sys, s);
    expect([sys.kernel.work.kind(s, 0), v.level(0), v.ip(0, 0)]).toEqual([WorkKind.none, 1, 8]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the unregistration race (6.19/7.0 rseq_reset without its IRQ guard)', () => {
  const sys = () => system(unregisterIpiFalseKill(), 'linux-7.1-legacy', { unregisterAtomicVsIpi: false });

  // The IPI in the window raised TIF_RSEQ with the area gone: the finish kills (lost = 1).
  it('the IPI in the window: the finish kills (unregisterRace) and reports the raise as lost', () => {
    const r = sys();
    const raised = exec(r, exec(r, initial(r), 0), 1);
    // setKind changes the kind only: the work still comes from the rseq(UNREGISTER) syscall.
    expect([r.kernel.work.kind(raised, 0), r.kernel.work.fromSyscall(raised, 0)]).toEqual([WorkKind.unregisterRaised, true]);
    const done = logged(r, raised, work(0));
    expect(ofKind(done.decisions, 'kernel-work')).toEqual([{ kind: 'kernel-work', thread: 0, work: 'unregister', phase: 'finished', mask: 0, lost: 1 }]);
    expect(view(r, done.state).killReason()).toBe(KillReason.unregisterRace);
  });

  // No IPI: has_rseq is cleared and the syscall returns; nothing is lost.
  it('no IPI in the window: the finish returns to user space (nothing lost)', () => {
    const r = sys();
    const done = logged(r, exec(r, initial(r), 0), work(0));
    expect(ofKind(done.decisions, 'kernel-work')).toEqual([{ kind: 'kernel-work', thread: 0, work: 'unregister', phase: 'finished', mask: 0, lost: 0 }]);
    expect([view(r, done.state).killed(), view(r, done.state).ip(0), r.kernel.work.kind(done.state, 0)]).toEqual([0, 1, WorkKind.none]);
  });
});
