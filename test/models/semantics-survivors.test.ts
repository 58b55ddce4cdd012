/**
 * Hand-worked tests pinning the rules of models/kernel/semantics.ts that the mutation run left
 * unchecked after semantics-mutants.test.ts: two violations or kills in one step, signal
 * delivery with a SIGSEGV handler's layout, the handler frames' registers, the exit loop while
 * kernel work is paused, mm_cid at switch-in, the membarrier IPI's event per tracking mode, and
 * the unregistration race's pause. Models and indices as in semantics-helpers.ts.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq, type Fragment } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import { WorkKind } from '../../models/kernel/kernel-work.js';
import { Status } from '../../models/kernel/layout.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { Code, KillReason } from '../../properties/codes.js';
import { logged, ofKind } from './mutant-helpers.js';
import { LabelKind as K, addvWith, exec, handlerProgram, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
const T0h = { ...T0, handler: 'h' } as const;
const withHandler = { h: handlerProgram };
const mb = { name: 'T1', program: 'mb', cpu: 'C1' } as const;
const mbProgram = [I.syscall('membarrier'), I.done()];

/** A field of the packed state by its layout array. */
const field = (sys: RseqSystem, s: Int32Array, f: Int32Array, i: number): number => sys.kernel.get(s, f[i]!);

// -------------------------------------------------------------------------------------------
describe('one step, two violations or two kills: the first stands (violate, kill)', () => {
  // 0 arm; 1 S_start: v[0] += 7; 2 v[0] += 7 (the commit, 14 is outside v's domain 0..7); 3 S_post; 4 S_abort.
  const badCommit = {
    code: [I.arm('S_cs'), I.addm({ var: 'v' }, 7, { label: 'S_start' }), I.addm({ var: 'v' }, 7), I.done({ label: 'S_post' }), I.done({ label: 'S_abort' })],
    descriptors: { S_cs: { start: 'S_start', postCommit: 'S_post', abort: 'S_abort' } },
  };
  it('a commit after an unaborted preemption that also stores out of its domain: G1 (reported first), not domain', () => {
    const sys = system(model({ threads: [T0], main: badCommit }), 'linux-4.18', { abortOnPreempt: false });
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 1), { kind: K.preempt, thread: 0, arg: 0 });
    s = exec(sys, exec(sys, s, 0), 0);
    expect(view(sys, s).violation()).toBe(Code.G1);
  });

  // kvmPath=updateIds (8646e53633f3): entering the guest writes the IDs, and a dirty read-only
  // field kills (readOnlyField); the ioctl's return then runs c''s exit check over a descriptor
  // with version 1, which would kill again: the process is already dead, the first reason stays.
  it("kvm_run under c' with a dirty cpu_id and a bad descriptor: killed for the read-only field, not again at the exit check", () => {
    const main = [I.writeId('cpu_id', 1), I.arm('B_cs'), I.syscall('kvm_run', { label: 'B_start' }), I.done({ label: 'B_post' }), I.done({ label: 'B_abort' })];
    const m = model({ threads: [T0], main: { code: main, descriptors: { B_cs: { start: 'B_start', postCommit: 'B_post', abort: 'B_abort', version: 1 } } } });
    const sys = system(m, "c'@4.18", { readOnlyEnforcement: 'kill', kvmPath: 'updateIds', idUpdate: 'everyHandlerRun' });
    // The ioctl sleeps (a switch: TIF_NOTIFY_RESUME), wakes and is switched back in.
    let s = exec(sys, exec(sys, exec(sys, initial(sys), 0), 0), 0);
    s = stepTo(sys, stepTo(sys, s, { kind: K.wake, thread: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys, s).killed(), view(sys, s).killReason()]).toEqual([1, KillReason.readOnlyField]);
  });
});

// -------------------------------------------------------------------------------------------
describe('signal delivery (canDeliver) and the handler frames (pushFrame, popFrame)', () => {
  // Only the SIGSEGV handler's own frame is discounted from signalNesting: an ordinary handler's
  // frame in a model that has SIGSEGV handler fields still blocks its signal.
  it('a thread with a SIGSEGV handler, in its ordinary handler (signalNesting 1): a second signal stays pending', () => {
    const m = model({ threads: [{ ...T0h, sigsegvHandler: 'segv' }], programs: { ...withHandler, segv: handlerProgram } });
    const sys = system(m, 'linux-4.18');
    const s = stepTo(sys, stepTo(sys, initial(sys), { kind: K.signal, thread: 0 }), { kind: K.signal, thread: 0 });
    expect([view(sys, s).level(0), view(sys, s).sigPending(0)]).toEqual([1, 1]);
  });

  // A handler is any program, the first one (index 0) too.
  it('a handler that is the model\'s first program is delivered to', () => {
    const b = new ModelBuilder('first-handler').cpus(1).memory('v', { max: 1 }).program('h', handlerProgram).program('main', [I.nop(), I.done()]);
    const m = b.thread({ name: 'T0', program: 'main', cpu: 'C0', handler: 'h' }).budgets({ signals: 1, preemptions: 0, migrations: 0 }).build();
    const sys = system(m, 'linux-4.18');
    expect(sys.ir.threads[0]!.handler).toBe(0);
    const v = view(sys, stepTo(sys, initial(sys), { kind: K.signal, thread: 0 }));
    expect([v.level(0), v.sigPending(0)]).toEqual([1, 0]);
  });

  // setup_rt_frame and rt_sigreturn clear only the frame pushed or popped. With two registers
  // and three levels, frame 2's registers are words 4-5; the words 1-2 are r1 of main's frame
  // and r0 of the first handler's frame, both live across the nested handler.
  it('signalNesting 2, two registers: a nested handler leaves the registers of both frames below intact', () => {
    const h = [I.mov('r0', 3), I.nop(), I.store({ var: 'v', index: 1 }, 'r0'), I.sigreturn()];
    const main = [I.mov('r1', 5), I.nop(), I.store({ var: 'v' }, 'r1'), I.done()];
    const sys = system({ ...model({ threads: [T0h], main, programs: { h } }), signalNesting: 2, registers: 2 }, 'linux-4.18');
    expect([sys.layout.registers, sys.layout.levels]).toEqual([2, 3]);
    let s = stepTo(sys, exec(sys, initial(sys), 0), { kind: K.signal, thread: 0 });
    s = stepTo(sys, exec(sys, s, 0), { kind: K.signal, thread: 0 }); // level 2, over h's r0 = 3
    for (let i = 0; i < 4; i++) s = exec(sys, s, 0); // level 2 runs h and returns
    for (let i = 0; i < 3; i++) s = exec(sys, s, 0); // level 1: nop, v[1] = r0, rt_sigreturn
    s = exec(sys, exec(sys, s, 0), 0); // main: nop, v[0] = r1
    expect([view(sys, s).level(0), view(sys, s).mem('v', 0), view(sys, s).mem('v', 1)]).toEqual([0, 5, 3]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the exit to user space: syscall ghosts, signals, kernel work paused (exitToUser, exitFromNotify)', () => {
  /** T0: addv with `inCs` spliced in at ip 4; T1 on C1 calls membarrier (the IPI that opens the mask race). */
  const raceModel = (inCs: InstructionInput[] = []) => model({ threads: [T0h, mb], main: seq(addvWith({ inCs }), I.done({ label: 'out' })), programs: { ...withHandler, mb: mbProgram } });
  const racy = (inCs: InstructionInput[] = []) => system(raceModel(inCs), 'linux-6.3', { eventRMWAtomicVsIPI: false });

  // rseq_need_restart paused between its read and its clear: the exit loop stops there, nothing
  // of it is reported as "not aborted" yet, and the pause knows the exit was not from a syscall.
  it('task work inside the c.s. (mask race open): paused at the mask read, not from a syscall, nothing reported as not aborted', () => {
    const sys = racy();
    const out = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.taskWork, thread: 0 });
    expect([sys.kernel.work.kind(out.state, 0), sys.kernel.work.fromSyscall(out.state, 0)]).toEqual([WorkKind.maskRead, false]);
    expect(ofKind(out.decisions, 'not-aborted')).toEqual([]);
  });

  // The same pause on the exit from a syscall: the rest of the exit (finishSyscall) waits for it.
  it('a syscall in the c.s. preempted at its exit: at the switch-in the pause is marked as from a syscall, its ghost still set', () => {
    const sys = racy([I.syscall('write')]);
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.instructionPreemptedAtExit, thread: 0 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
    expect([sys.kernel.work.kind(s, 0), sys.kernel.work.fromSyscall(s, 0), field(sys, s, sys.layout.sysInCs, 0)]).toEqual([WorkKind.maskRead, true, 1]);
  });

  // finishSyscall at every syscall exit clears the ghosts G2/G3 judge the syscall by.
  for (const preset of ['linux-4.18', 'linux-6.19']) {
    it(`${preset}: after a syscall inside the c.s. returns, its syscall ghosts are clear`, () => {
      const sys = system(model({ threads: [T0], main: seq(addvWith({ inCs: [I.syscall('write')] }), I.done({ label: 'out' })) }), preset);
      const s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
      expect([view(sys, s).status(0), view(sys, s).ip(0), field(sys, s, sys.layout.sysInCs, 0)]).toEqual([Status.Running, 5, 0]);
    });
  }

  // notify-first: the exit loop delivers a signal only when one is pending.
  it('signalVsNotifyOrder=notify-first: an interrupt with no signal pending pushes no handler frame', () => {
    const sys = system(model({ threads: [T0h], programs: withHandler }), 'linux-4.18', { signalVsNotifyOrder: 'notify-first' });
    const v = view(sys, stepTo(sys, initial(sys), { kind: K.interrupt, thread: 0 }));
    expect([v.level(0), v.sigPending(0)]).toEqual([0, 0]);
  });

  // "not-aborted" means the thread resumes where it left user space: not when a signal frame
  // went over that frame (a nested handler runs the same program, so the IP is in the range there too).
  it('a nested signal in the handler\'s own c.s. (no abort on signals): the frame pushed over it is not reported as not aborted', () => {
    // h: 0 rseq_cs = &H_cs; 1 H_start: nop; 2 nop; 3 H_post: rt_sigreturn; 4 H_abort: rt_sigreturn.
    const h = {
      code: [I.arm('H_cs'), I.nop({ label: 'H_start' }), I.nop(), I.sigreturn({ label: 'H_post' }), I.sigreturn({ label: 'H_abort' })],
      descriptors: { H_cs: { start: 'H_start', postCommit: 'H_post', abort: 'H_abort' } },
    };
    const sys = system({ ...model({ threads: [T0h], main: [I.nop(), I.done()], programs: { h } }), signalNesting: 2 }, 'linux-4.18', { abortOnSignal: false });
    const s = exec(sys, exec(sys, stepTo(sys, initial(sys), { kind: K.signal, thread: 0 }), 0), 0);
    const out = logged(sys, s, { kind: K.signal, thread: 0 });
    expect([view(sys, out.state).level(0), view(sys, out.state).ip(0, 1), ofKind(out.decisions, 'not-aborted')]).toEqual([2, 2, []]);
  });

  it('a preemption that aborts the c.s. reports the abort and no "not aborted"', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    const ds = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }).decisions;
    expect([ofKind(ds, 'abort').length, ofKind(ds, 'not-aborted')]).toEqual([1, []]);
  });

  // 6.19: the signal's delivery kills (bad signature); the exit work after it does not run: the
  // IDs are not rewritten for the CPU the thread migrated to, its switch event stays raised.
  it('linux-6.19: killed on the delivery of a signal after a migration: no exit work after the kill', () => {
    const sys = system(model({ threads: [T0h], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })), programs: withHandler }), 'linux-6.19');
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.migrate, thread: 0, arg: 1 });
    s = stepTo(sys, stepTo(sys, s, { kind: K.signalPending, thread: 0 }), { kind: K.schedule, thread: 0, arg: 1 });
    const v = view(sys, s);
    expect([v.killed(), v.killReason(), v.cpuIdStart(0), v.tifRseq(0), v.idsChanged(0)]).toEqual([1, KillReason.badSignature, 0, 1, 1]);
  });
});

// -------------------------------------------------------------------------------------------
describe('mm_cid at switch-in (switchIn)', () => {
  /** T0 (C0, mm_cid 0) and T1 (C1, mm_cid 1) read mm_cid (so it is tracked). */
  const cidModel = (cpus: number, t1cpu: string) => model({ cpus, threads: [T0, { name: 'T1', program: 'main', cpu: t1cpu }], main: [I.readId('r0', 'mm_cid'), I.nop(), I.done()] });
  const cid = (sys: RseqSystem, s: Int32Array, t: number): [number, number] => [field(sys, s, sys.layout.mmCid, t), field(sys, s, sys.layout.areaMmCid, t)];

  // T1 waits on T0's CPU with no mm_cid taken yet (0): switched in, it takes 0, unchanged: under
  // the rework no ids_changed, so no ID write; the decision names the CID and where it was taken.
  it('linux-6.19: T1 switched in with the CID it had: mm-cid-taken reported, no ids_changed, no ID write', () => {
    const sys = system(cidModel(1, 'C0'), 'linux-6.19');
    const out = logged(sys, initial(sys), { kind: K.preempt, thread: 0, arg: 1 });
    expect(out.decisions).toEqual([{ kind: 'mm-cid-taken', thread: 1, cid: 0, heldBy: -1, at: 'switch-in' }]);
  });

  /** Both threads sleep (traps), T1 wakes and is switched in on C1: no one runs, it takes mm_cid 0. */
  const cidChanged = (preset: string) => {
    const sys = system(cidModel(2, 'C1'), preset);
    let s = initial(sys);
    expect(cid(sys, s, 1)).toEqual([1, 1]);
    for (const t of [1, 0]) s = stepTo(sys, s, { kind: K.trapSleep, thread: t });
    s = stepTo(sys, stepTo(sys, s, { kind: K.wake, thread: 1 }), { kind: K.schedule, thread: 1, arg: 1 });
    return { sys, s };
  };
  // L619: a changed mm_cid sets ids_changed, so the exit work rewrites struct rseq's mm_cid.
  it('linux-6.19: T1 switched in with a new mm_cid (1 -> 0): struct rseq shows it', () => {
    const { sys, s } = cidChanged('linux-6.19');
    expect([...cid(sys, s, 1), view(sys, s).idsChanged(1)]).toEqual([0, 0, 0]);
  });
  // 4.18-6.18 have no ids_changed: a changed mm_cid leaves that field of the rework untouched.
  it('linux-4.18: T1 switched in with a new mm_cid: ids_changed (a 6.19 field) stays 0', () => {
    const { sys, s } = cidChanged('linux-4.18');
    expect([field(sys, s, sys.layout.mmCid, 1), view(sys, s).idsChanged(1)]).toEqual([0, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the membarrier IPI per tracking mode (membarrierIpi)', () => {
  /** T0 (C0) runs main; T1 (C1) calls membarrier. */
  const ipiModel = (t0: Partial<typeof T0> & { registered?: boolean } = {}, t1: { registered?: boolean } = {}) =>
    model({ threads: [{ ...T0, ...t0 }, { ...mb, ...t1 }], main: [I.nop(), I.done()], programs: { mb: mbProgram } });

  // rseq_preempt on the caller (membarrierExcludesCaller=false): TIF_NOTIFY_RESUME only if it is registered.
  it('linux-4.18, membarrier not excluding the caller: an unregistered caller preempted at its exit has no TIF_NOTIFY_RESUME', () => {
    const sys = system(ipiModel({}, { registered: false }), 'linux-4.18', { membarrierExcludesCaller: false });
    const s = stepTo(sys, initial(sys), { kind: K.instructionPreemptedAtExit, thread: 1 });
    expect([view(sys, s).status(1), view(sys, s).tifNotify(1)]).toEqual([Status.Ready, 0]);
  });

  // §2.2 L71 legacy: "ids_changed = sched_switch = 1 and raise, whenever has_rseq": not for an unregistered thread.
  it('linux-7.1-legacy: the IPI on an unregistered thread raises no switch event', () => {
    const sys = system(ipiModel({ registered: false }), 'linux-7.1-legacy');
    expect(ofKind(logged(sys, initial(sys), { kind: K.instruction, thread: 1 }).decisions, 'switch-event')).toEqual([]);
  });

  // V2 tracking: the IPI raises the switch event through user_irq; the IDs did not change, so
  // the exit work does not rewrite them (legacy tracking would: it sets ids_changed).
  it('linux-6.19 (V2): the IPI on a thread in user mode raises the switch event without ids_changed: no ID write', () => {
    const sys = system(ipiModel(), 'linux-6.19');
    const ds = logged(sys, initial(sys), { kind: K.instruction, thread: 1 }).decisions;
    expect([ofKind(ds, 'switch-event'), ofKind(ds, 'ids-written')]).toEqual([[{ kind: 'switch-event', thread: 0 }], []]);
  });
});

// -------------------------------------------------------------------------------------------
describe('rseq(UNREGISTER) and the IDs of an unregistered thread (unregister, updateIds)', () => {
  const unregisterModel = () => model({ threads: [T0, mb], main: [I.syscall('rseq_unregister'), I.done()], programs: { mb: mbProgram } });

  // 6.19/7.0 rseq_reset without its IRQ guard: the unregistration pauses inside the syscall.
  it('unregisterAtomicVsIpi=false: rseq(UNREGISTER) pauses inside the syscall and reports it', () => {
    const sys = system(unregisterModel(), 'linux-7.1-legacy', { unregisterAtomicVsIpi: false });
    const out = logged(sys, initial(sys), { kind: K.instruction, thread: 0 });
    expect([sys.kernel.work.kind(out.state, 0), sys.kernel.work.fromSyscall(out.state, 0)]).toEqual([WorkKind.unregistering, true]);
    expect(ofKind(out.decisions, 'kernel-work')).toEqual([{ kind: 'kernel-work', thread: 0, work: 'unregister', phase: 'paused', mask: 0, lost: 0 }]);
  });
  it('unregisterAtomicVsIpi=true: no pause, nothing reported', () => {
    const sys = system(unregisterModel(), 'linux-7.1-legacy');
    const out = logged(sys, initial(sys), { kind: K.instruction, thread: 0 });
    expect([sys.kernel.work.kind(out.state, 0), ofKind(out.decisions, 'kernel-work')]).toEqual([WorkKind.none, []]);
  });

  // rseq_update_cpu_node_id runs only for a registered area. Every caller checks the area first,
  // so this calls the kernel's updateIds directly on a real state.
  it('updateIds (forced) of an unregistered thread changes nothing and reports nothing', () => {
    const sys = system(model({ threads: [{ ...T0, registered: false }] }), 'linux-4.18', {}, { properties: ['ownership'] });
    const s = initial(sys);
    const after = s.slice();
    sys.kernel.updateIds(after, 0, true);
    expect([...after]).toEqual([...s]);
  });
});

// -------------------------------------------------------------------------------------------
describe('a SIGSEGV queued before the notify-resume handler paused, and a kill when the pause ends (exitFromNotify)', () => {
  // The handler h: 0 H_start: nop; 1 nop; 2 H_post: cpu_id = 1 (a read-only field); 3 rseq_cs =
  // &H_cs; 4 jmp H_start (5: rt_sigreturn, not reached). Its second pass runs inside H_cs, whose
  // flags exempt every event.
  const h: Fragment = {
    code: [I.nop({ label: 'H_start' }), I.nop(), I.writeId('cpu_id', 1, { label: 'H_post' }), I.arm('H_cs'), I.jmp('H_start', { label: 'H_abort' }), I.sigreturn()],
    descriptors: { H_cs: { start: 'H_start', postCommit: 'H_post', abort: 'H_abort', flags: ['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE', 'NO_RESTART_ON_SIGNAL'] } },
  };
  const knobs = { eventRMWAtomicVsIPI: false, segvOnDelivery: 'force_sigsegv', readOnlyEnforcement: 'kill', idUpdate: 'everyHandlerRun' } as const;

  // The nested signal's delivery writes the IDs over the dirty field: a SIGSEGV the handler
  // catches is queued; the notify-resume handler then pauses in the new frame's c.s. (mask
  // race). The pause ends inside the same rseq_handle_notify_resume call, whose ID write faults
  // again and is caught too: it joins the queued SIGSEGV, which the exit loop then delivers to
  // the SIGSEGV handler (level 3), with the read-only field as its fatal reason.
  it('linux-4.18, signalNesting 2: the fault when the pause ends is caught as well, and the queued SIGSEGV is delivered', () => {
    const m = model({ cpus: 3, threads: [{ ...T0, handler: 'h', sigsegvHandler: 'segv' }, mb], main: [I.nop(), I.done()], programs: { h, segv: handlerProgram, mb: mbProgram } });
    const sys = system({ ...m, signalNesting: 2 }, 'linux-4.18', knobs);
    let s = stepTo(sys, initial(sys), { kind: K.signal, thread: 0 });
    for (let i = 0; i < 5; i++) s = exec(sys, s, 0); // h's first pass: cpu_id written, H_cs armed, back at H_start
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 2 });
    s = stepTo(sys, stepTo(sys, s, { kind: K.signalPending, thread: 0 }), { kind: K.schedule, thread: 0, arg: 2 });
    const L = sys.layout;
    expect([view(sys, s).level(0), sys.kernel.work.kind(s, 0), field(sys, s, L.segvFatal, 0), field(sys, s, L.segvFrame, 0)]).toEqual([2, WorkKind.maskRead, KillReason.readOnlyField, 0]);
    const out = logged(sys, s, { kind: K.kernelWork, thread: 0 });
    const v = view(sys, out.state);
    expect([v.killed(), v.level(0), field(sys, out.state, L.segvFrame, 0), field(sys, out.state, L.segvFatal, 0)]).toEqual([0, 3, 3, KillReason.readOnlyField]);
    expect(out.decisions.map((d) => d.kind)).toEqual(['kernel-work', 'no-restart', 'event-recorded', 'event-mask-cleared', 'no-restart', 'sigsegv-handler', 'signal-delivered']);
  });
});
