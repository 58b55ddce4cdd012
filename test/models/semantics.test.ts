/**
 * Hand-worked tests of the kernel hooks (models/kernel/semantics.ts) and of every knob value,
 * each against the rule of ../shared/rseq-semantics.md it checks.
 *
 * Every test builds a tiny model (1-2 threads, 1-2 CPUs, one c.s. from librseq's addv), builds the
 * RseqSystem with buildSystem under a preset (+ knob overrides), drives it to one situation by
 * picking successors by label, and reads the next state through the layout.
 *
 * The addv c.s. of main (see semantics-helpers.ts for the listing):
 *   0 P_retry r0=cpu_id_start | 1 rseq_cs=&P_cs | 2 P_start r3=cpu_id | 3 bne r3,r0 | 4 load
 *   | 5 add | 6 store (commit) | 7 P_post | 8 P_abort | 9 out
 * so the range is [2, 7), abort_ip = 8, and U.rseq_cs = 1 (descriptor P_cs is index 0).
 * With one instruction spliced in at 4 (`inCs`), the range is [2, 8), commit 7, abort_ip = 9.
 *
 * Thread T0 owns struct rseq area 0; IDs are read back unbiased (the layout stores them +2).
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import { EV_MIGRATE, EV_PREEMPT, EV_SIGNAL, Entry, Status } from '../../models/kernel/layout.js';
import { Code, KillReason } from '../../properties/codes.js';
import { addv } from '../../models/library/librseq/primitives.js';
import { LabelKind, addvWith, at, csPtr, exec, handlerProgram, initial, model, runTo, stepTo, successors, system, view } from './semantics-helpers.js';

const K = LabelKind;
const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
const T0h = { ...T0, handler: 'h' } as const;
const withHandler = { h: handlerProgram };

/** Main program: addv with `ins` spliced in at index 4 (inside the range), then `out: done`. */
const mainWithInCs = (ins: ReturnType<typeof I.nop>) => seq(addvWith({ inCs: [ins] }), I.done({ label: 'out' }));

// -------------------------------------------------------------------------------------------
describe('context switch (L418): rseq_preempt at switch-out, notify-resume at switch-in', () => {
  // §2.2 "L418-L63, switch out: prepare_task_switch(prev) calls rseq_preempt(prev), which sets
  // PREEMPT in prev.K.event_mask and, if prev.K.rseq, sets TIF_NOTIFY_RESUME(prev)."
  it('switch-out sets PREEMPT and TIF_NOTIFY_RESUME and touches nothing else', () => {
    const sys = system(model({ threads: [T0, { name: 'T1', program: 'main', cpu: 'C0' }] }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 0, 4);
    expect(view(sys, s).rseqCs(0)).toBe(csPtr(sys));
    const s1 = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 1 });
    const v = view(sys, s1);
    expect(v.status(0)).toBe(Status.Ready);
    expect(v.status(1)).toBe(Status.Running);
    expect(v.evMask(0)).toBe(EV_PREEMPT);
    expect(v.tifNotify(0)).toBe(1);
    expect(v.ip(0)).toBe(4); // nothing is evaluated at switch-out
    expect(v.rseqCs(0)).toBe(csPtr(sys));
  });

  // A registered thread that waits in a run queue at the start got there by a context switch
  // after its registration returned (rseq() itself raises the flag too, §2.2), so its first
  // switch-in runs the handler: load-balanced to C1 before it ever ran, it reads cpu_id 1.
  it('a registered thread that starts ready has PREEMPT and TIF_NOTIFY_RESUME pending; moved before its first run, it reads its new CPU', () => {
    const threads = [T0, { name: 'T1', program: 'main', cpu: 'C0' }];
    const sys = system(model({ threads }), 'linux-4.18');
    let s = initial(sys);
    let v = view(sys, s);
    expect([v.status(0), v.status(1)]).toEqual([Status.Running, Status.Ready]);
    expect([v.evMask(0), v.tifNotify(0)]).toEqual([0, 0]);
    expect([v.evMask(1), v.tifNotify(1)]).toEqual([EV_PREEMPT, 1]);
    s = stepTo(sys, s, { kind: K.migrate, thread: 1, arg: 1 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 1, arg: 1 });
    v = view(sys, s);
    expect([v.cpuIdStart(1), v.cpuId(1), v.tifNotify(1), v.ip(1)]).toEqual([1, 1, 0, 0]);
    // Unregistered, nothing is pending; under the rework the switch-in's own event writes the IDs.
    const unregistered = system(model({ threads: [T0, { ...threads[1]!, registered: false }] }), 'linux-4.18');
    const u = view(unregistered, initial(unregistered));
    expect([u.evMask(1), u.tifNotify(1)]).toEqual([0, 0]);
    const rework = system(model({ threads }), 'linux-6.19');
    expect(view(rework, initial(rework)).tifNotify(1)).toBe(0);
  });

  // §2.4 IP_FIXUP: "if !in_cs(regs.ip, cs) ... r := NEED_RESTART(...) ... U.rseq_cs := 0;
  // regs.ip := cs.abort_ip"; NEED_RESTART consumes the mask "ev := K.event_mask; K.event_mask := 0";
  // then "U.cpu_id_start := cpu; U.cpu_id := cpu".
  it('switch-in with ip inside the c.s.: ip := abort_ip, rseq_cs := 0, mask consumed, IDs written', () => {
    const sys = system(model({ threads: [T0, { name: 'T1', program: 'main', cpu: 'C0' }] }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 1 });
    s = stepTo(sys, s, { kind: K.preempt, thread: 1, arg: 0 }); // T1 out, T0 back in
    const v = view(sys, s);
    expect(v.status(0)).toBe(Status.Running);
    expect(v.ip(0)).toBe(at(sys, 'P_abort'));
    expect(v.ip(0)).toBe(8);
    expect(v.rseqCs(0)).toBe(0);
    expect(v.evMask(0)).toBe(0);
    expect(v.tifNotify(0)).toBe(0);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([0, 0]);
    // The retry then commits once.
    s = runTo(sys, s, 0, at(sys, 'out'));
    expect(view(sys, s).mem('v', 0)).toBe(1);
  });

  // §2.4 IP_FIXUP: "if !in_cs(regs.ip, cs): U.rseq_cs := 0 // lazy clear; NOTE: K.event_mask is
  // NOT consumed here"; §5.3 eventMaskClear=onlyWhenInCs (L418-L63; stale bits accumulate).
  it('switch-in with ip outside (after the commit): lazy clear, PREEMPT stays pending (onlyWhenInCs)', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, at(sys, 'P_post')); // 7: committed, rseq_cs still set
    expect(view(sys, s).rseqCs(0)).toBe(csPtr(sys));
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    const v = view(sys, s);
    expect(v.ip(0)).toBe(7);
    expect(v.rseqCs(0)).toBe(0);
    expect(v.evMask(0)).toBe(EV_PREEMPT); // stale
    expect(v.tifNotify(0)).toBe(0);
  });

  // §5.3 eventMaskClear=everyExit ("events cleared on every exit to user", L619 `events = 0`).
  it('same under eventMaskClear=everyExit: the bit is cleared on the way out', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18', { eventMaskClear: 'everyExit' });
    let s = runTo(sys, initial(sys), 0, at(sys, 'P_post'));
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    const v = view(sys, s);
    expect(v.rseqCs(0)).toBe(0);
    expect(v.evMask(0)).toBe(0);
  });

  // §2.4 "Stale events: an event that happens while ip is outside any c.s. ... leaves its bit in
  // K.event_mask. That bit can later cause a spurious abort of a different c.s. when
  // TIF_NOTIFY_RESUME is raised for an unrelated reason."
  for (const clear of ['onlyWhenInCs', 'everyExit'] as const) {
    it(`stale bit + unrelated notify-resume (task_work) in the next c.s.: ${clear === 'onlyWhenInCs' ? 'spurious abort' : 'no abort'} (eventMaskClear=${clear})`, () => {
      const main = seq(addv('P', 'v', 1, { next: 'Q_retry' }), addv('Q', 'v', 1, { next: 'out' }), I.done({ label: 'out' }));
      // P: 0..8 (P_post 7), Q: 9..17 (Q_start 11, load 13, Q_post 16, Q_abort 17), out 18.
      const sys = system(model({ threads: [T0], main }), 'linux-4.18', { eventMaskClear: clear }, { properties: ['precision'] });
      let s = runTo(sys, initial(sys), 0, 7);
      s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 }); // PREEMPT left pending (or not)
      s = runTo(sys, s, 0, 13); // inside Q's range, rseq_cs = &Q_cs
      expect(view(sys, s).rseqCs(0)).toBe(csPtr(sys, 'Q_cs'));
      s = stepTo(sys, s, { kind: K.taskWork, thread: 0 });
      const v = view(sys, s);
      if (clear === 'onlyWhenInCs') {
        expect(v.ip(0)).toBe(at(sys, 'Q_abort'));
        expect(v.rseqCs(0)).toBe(0);
        expect(v.violation()).toBe(Code.precision); // an abort with no event since Q was armed
      } else {
        expect(v.ip(0)).toBe(13);
        expect(v.rseqCs(0)).toBe(csPtr(sys, 'Q_cs'));
        expect(v.violation()).toBe(0);
      }
    });
  }

  // §2.4 "after unrelated TIF_NOTIFY_RESUME users (task_work, ...). In that case event_mask may be
  // empty and no restart happens."
  it('unrelated notify-resume (task_work) with an empty mask inside the c.s.: no restart, rseq_cs kept', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.taskWork, thread: 0 });
    const v = view(sys, s);
    expect(v.ip(0)).toBe(4);
    expect(v.rseqCs(0)).toBe(csPtr(sys));
    expect(v.evMask(0)).toBe(0);
    expect(v.tifNotify(0)).toBe(0);
  });

  // §2.7 "Interrupts ... nothing happens at entry ... An interrupt matters only if its exit path
  // schedules, delivers a signal, or is a membarrier RSEQ IPI."; "A page fault that does not sleep:
  // no effect."
  it('plain interrupt and non-sleeping trap inside the c.s.: no effect', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 0, 4);
    for (const kind of [K.interrupt, K.trap]) {
      const v = view(sys, stepTo(sys, s, { kind, thread: 0 }));
      expect([v.ip(0), v.rseqCs(0), v.evMask(0), v.tifNotify(0)]).toEqual([4, csPtr(sys), 0, 0]);
    }
  });

  // §2.7 "A page fault that sleeps: context switch -> abort."; §5.3 abortOnTrap.
  for (const abortOnTrap of [true, false]) {
    it(`sleeping page fault inside the c.s.: ${abortOnTrap ? 'abort at switch-in' : 'no abort'} (abortOnTrap=${abortOnTrap})`, () => {
      const sys = system(model({ threads: [T0] }), 'linux-4.18', { abortOnTrap });
      let s = runTo(sys, initial(sys), 0, 4);
      s = stepTo(sys, s, { kind: K.trapSleep, thread: 0 });
      expect(view(sys, s).status(0)).toBe(Status.Blocked);
      expect(view(sys, s).evMask(0)).toBe(abortOnTrap ? EV_PREEMPT : 0);
      s = stepTo(sys, s, { kind: K.wake, thread: 0 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
      expect(view(sys, s).ip(0)).toBe(abortOnTrap ? 8 : 4);
      expect(view(sys, s).rseqCs(0)).toBe(abortOnTrap ? 0 : csPtr(sys));
    });
  }

  // §5.3 abortOnPreempt=false: a kernel that forgets rseq_preempt at switch-out.
  it('abortOnPreempt=false: preemption inside the c.s. records nothing and does not abort', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18', { abortOnPreempt: false });
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    const v = view(sys, s);
    expect([v.ip(0), v.rseqCs(0), v.evMask(0), v.tifNotify(0)]).toEqual([4, csPtr(sys), 0, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('migration', () => {
  // §2.2 "L418-L63: set_task_cpu(p, new) with task_cpu(p) != new calls rseq_migrate(p), which
  // sets MIGRATE and TIF_NOTIFY_RESUME" (after the switch-out's PREEMPT); §2.4 HANDLE writes
  // "U.cpu_id_start := cpu; U.cpu_id := cpu" at the next handler run.
  it('L418: migration sets PREEMPT|MIGRATE; the next handler run aborts and rewrites both IDs', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    let v = view(sys, s);
    expect(v.status(0)).toBe(Status.Ready);
    expect(v.cpu(0)).toBe(1);
    expect(v.evMask(0)).toBe(EV_PREEMPT | EV_MIGRATE);
    expect(v.tifNotify(0)).toBe(1);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([0, 0]); // not written yet
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    v = view(sys, s);
    expect(v.ip(0)).toBe(8);
    expect(v.rseqCs(0)).toBe(0);
    expect(v.evMask(0)).toBe(0);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 1]);
  });

  // §2.2 "L619: __set_task_cpu() calls rseq_sched_set_ids_changed(p), which sets ids_changed
  // only. The TIF bit is raised by the switch event."; §2.6 exit work: ids_changed -> write IDs;
  // user_irq set (preempted from user) -> UPDATE_USER_CS -> "U.rseq_cs := 0; regs.ip := abort_ip".
  it('L619: migration sets ids_changed (user_irq from the interrupt); switch-in raises, writes IDs and aborts', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    let v = view(sys, s);
    expect(v.cpu(0)).toBe(1);
    expect(v.idsChanged(0)).toBe(1);
    expect(v.userIrq(0)).toBe(1);
    expect([v.schedSwitch(0), v.tifRseq(0), v.evMask(0), v.tifNotify(0)]).toEqual([0, 0, 0, 0]);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([0, 0]);
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    v = view(sys, s);
    expect(v.ip(0)).toBe(8);
    expect(v.rseqCs(0)).toBe(0);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 1]);
    expect([v.schedSwitch(0), v.idsChanged(0), v.userIrq(0), v.tifRseq(0)]).toEqual([0, 0, 0, 0]); // "ev.events := 0"
  });

  // §5.3 abortOnMigrate=false: a kernel where a migration (with the switch it implies) does not
  // abort.
  it('abortOnMigrate=false (L418): migration inside the c.s. does not abort', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18', { abortOnMigrate: false });
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    expect(view(sys, s).evMask(0)).toBe(0);
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    expect(view(sys, s).ip(0)).toBe(4);
    expect(view(sys, s).rseqCs(0)).toBe(csPtr(sys));
  });
});

// -------------------------------------------------------------------------------------------
describe('signal delivery (rseq_signal_deliver before setup_rt_frame)', () => {
  // §2.2 Signal delivery: "It runs after the syscall-restart IP rewinding and before
  // setup_rt_frame. So the frame saves the already-fixed-up regs.ip, and the handler's sigreturn
  // resumes at abort_ip."; §2.4 rseq_signal_deliver: "K.event_mask |= SIGNAL ... HANDLE(ksig, regs)".
  it('L418: signal inside the c.s. aborts before the frame; the frame saves abort_ip; sigreturn resumes there', () => {
    const sys = system(model({ threads: [T0h], programs: withHandler }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.signal, thread: 0 });
    let v = view(sys, s);
    expect(v.level(0)).toBe(1);
    expect(v.ip(0, 0)).toBe(8); // saved context = abort_ip
    expect(v.ip(0, 1)).toBe(0); // handler starts
    expect(v.rseqCs(0)).toBe(0);
    expect(v.evMask(0)).toBe(0);
    expect(v.sigPending(0)).toBe(0);
    s = exec(sys, s, 0); // nop
    s = exec(sys, s, 0); // rt_sigreturn
    v = view(sys, s);
    expect(v.level(0)).toBe(0);
    expect(v.ip(0, 0)).toBe(8);
    expect(v.status(0)).toBe(Status.Running);
  });

  // §2.4 NEED_RESTART (L418): "return (ev & ~flags) != 0" with flags = U.flags | cs.flags.
  it('L418 + NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE thread flags (honoured): no abort, mask consumed', () => {
    const flags = ['NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'] as const;
    const sys = system(model({ threads: [{ ...T0h, flags: [...flags] }], programs: withHandler }), 'linux-4.18');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.signal, thread: 0 });
    const v = view(sys, s);
    expect(v.killed()).toBe(0);
    expect(v.level(0)).toBe(1);
    expect(v.ip(0, 0)).toBe(4);
    expect(v.rseqCs(0)).toBe(csPtr(sys));
    expect(v.evMask(0)).toBe(0);
    s = exec(sys, exec(sys, s, 0), 0); // handler, sigreturn: back inside the c.s.
    expect(view(sys, s).ip(0, 0)).toBe(4);
  });

  // §2.5 NEED_RESTART (L60): "flags := U.flags; if flags & (NO_RESTART_FLAGS | unknown): return
  // -EINVAL" -> SIGSEGV; §1.5 note: "For flags in L60/L63 the evaluation must also find ip inside
  // the c.s., because rseq_need_restart is only reached then."
  it('linux-6.0 (noRestartFlags=kill) + the same flags: SIGSEGV (noRestartFlags) when ip is inside; nothing when outside', () => {
    const flags = ['NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'] as const;
    const sys = system(model({ threads: [{ ...T0h, flags: [...flags] }], programs: withHandler }), 'linux-6.0');
    const outside = view(sys, stepTo(sys, initial(sys), { kind: K.signal, thread: 0 })); // ip 0, rseq_cs 0
    expect(outside.killed()).toBe(0);
    expect(outside.level(0)).toBe(1);
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    const v = view(sys, s);
    expect(v.killed()).toBe(1);
    expect(v.killReason()).toBe(KillReason.noRestartFlags);
    expect(v.killThread()).toBe(0);
    expect(v.level(0)).toBe(0); // no handler frame
    expect(v.violation()).toBe(0); // a justified kill (G2 holds)
  });

  // §2.4 NEED_RESTART: "if (flags & NO_RESTART_ON_SIGNAL) and (flags & (NO_RESTART_ON_PREEMPT|
  // NO_RESTART_ON_MIGRATE)) != both: return -EINVAL"; §5.3 noRestartSignalRequiresBoth.
  for (const requiresBoth of [true, false]) {
    it(`L418 + NO_RESTART_ON_SIGNAL alone, noRestartSignalRequiresBoth=${requiresBoth}: ${requiresBoth ? 'SIGSEGV (noRestartSignalAlone)' : 'no kill, no abort'}`, () => {
      const sys = system(model({ threads: [{ ...T0h, flags: ['NO_RESTART_ON_SIGNAL'] }], programs: withHandler }), 'linux-4.18', {
        noRestartSignalRequiresBoth: requiresBoth,
      });
      const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
      const v = view(sys, s);
      if (requiresBoth) {
        expect(v.killed()).toBe(1);
        expect(v.killReason()).toBe(KillReason.noRestartSignalAlone);
      } else {
        expect(v.killed()).toBe(0);
        expect(v.ip(0, 0)).toBe(4);
        expect(v.rseqCs(0)).toBe(csPtr(sys));
        expect(v.level(0)).toBe(1);
      }
    });
  }

  // §5.3 abortOnSignal=false.
  it('abortOnSignal=false: the frame saves the ip inside the c.s.; rseq_cs untouched', () => {
    const sys = system(model({ threads: [T0h], programs: withHandler }), 'linux-4.18', { abortOnSignal: false });
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    const v = view(sys, s);
    expect([v.level(0), v.ip(0, 0), v.rseqCs(0), v.evMask(0)]).toEqual([1, 4, csPtr(sys), 0]);
  });

  // §2.3 exit loop (4.18 x86): "if SIGPENDING: do_signal(regs) ... if NOTIFY_RESUME: ...
  // rseq_handle_notify_resume(NULL, regs)"; the 2020 x86 order put NOTIFY_RESUME first;
  // §5.3 signalVsNotifyOrder. T0 is preempted inside its c.s. (PREEMPT + TIF_NOTIFY_RESUME),
  // gets a signal while switched out, and is switched back in.
  //  - signal-first: rseq_signal_deliver's HANDLE sees ip 4 with PREEMPT|SIGNAL and aborts; the
  //    notify-resume run then sees rseq_cs = 0 (and the handler's ip): mask ends empty.
  //  - notify-first: notify-resume's HANDLE sees ip 4 with PREEMPT and aborts; the signal run finds
  //    rseq_cs = 0 (ZERO_CS), so its SIGNAL bit is not consumed: mask ends = SIGNAL (stale).
  for (const order of ['signal-first', 'notify-first'] as const) {
    it(`signalVsNotifyOrder=${order}: preempted in the c.s. with a signal pending, switched back in`, () => {
      const sys = system(model({ threads: [T0h, { name: 'T1', program: 'main', cpu: 'C0' }], programs: withHandler }), 'linux-4.18', {
        signalVsNotifyOrder: order,
      });
      let s = runTo(sys, initial(sys), 0, 4);
      s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 1 });
      s = stepTo(sys, s, { kind: K.signalPending, thread: 0 });
      expect(view(sys, s).sigPending(0)).toBe(1);
      s = stepTo(sys, s, { kind: K.preempt, thread: 1, arg: 0 });
      const v = view(sys, s);
      expect(v.level(0)).toBe(1);
      expect(v.ip(0, 0)).toBe(8);
      expect(v.rseqCs(0)).toBe(0);
      expect(v.tifNotify(0)).toBe(0);
      expect(v.evMask(0)).toBe(order === 'signal-first' ? 0 : EV_SIGNAL);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('L619 rework (linux-6.19, 7.1)', () => {
  // §2.6 "user_irq is set in irqentry_enter_from_user_mode() ... for every interrupt";
  // rseq_sched_switch_event: "if (ev.user_irq | ev.ids_changed) & ev.has_rseq: ev.sched_switch := 1;
  // raise TIF_RSEQ"; exit: "if !ev.ids_changed: ... ok := UPDATE_USER_CS(regs, csaddr)".
  it('preemption via interrupt: switch-out records only user_irq; switch-in raises and aborts', () => {
    const sys = system(model({ threads: [T0, { name: 'T1', program: 'main', cpu: 'C0' }] }), 'linux-6.19');
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 1 });
    let v = view(sys, s);
    expect(v.userIrq(0)).toBe(1);
    expect([v.schedSwitch(0), v.tifRseq(0), v.idsChanged(0), v.evMask(0), v.tifNotify(0)]).toEqual([0, 0, 0, 0, 0]);
    s = stepTo(sys, s, { kind: K.preempt, thread: 1, arg: 0 });
    v = view(sys, s);
    expect(v.ip(0)).toBe(8);
    expect(v.rseqCs(0)).toBe(0);
    expect([v.schedSwitch(0), v.tifRseq(0), v.userIrq(0)]).toEqual([0, 0, 0]);
  });

  // §2.2 "A task that blocked in a *syscall* and comes back on the same CPU with an unchanged
  // mm_cid gets **nothing**."
  it('blocking syscall inside the c.s., same CPU: no event, no abort; the commit proceeds', () => {
    const sys = system(model({ threads: [T0], main: mainWithInCs(I.syscall('write', { blocking: true })) }), 'linux-6.19');
    let s = runTo(sys, initial(sys), 0, 4);
    s = exec(sys, s, 0);
    expect(view(sys, s).status(0)).toBe(Status.Blocked);
    expect(view(sys, s).entry(0)).toBe(Entry.Syscall);
    s = stepTo(sys, s, { kind: K.wake, thread: 0 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
    const v = view(sys, s);
    expect([v.ip(0), v.rseqCs(0), v.schedSwitch(0), v.tifRseq(0)]).toEqual([5, csPtr(sys), 0, 0]);
    s = runTo(sys, s, 0, at(sys, 'P_post'));
    expect(view(sys, s).mem('v', 0)).toBe(1);
    expect(view(sys, s).violation()).toBe(Code.G1); // it was scheduled out inside the range
  });

  // §2.6 exit work, ids_changed branch: "write U.cpu_id_start, U.cpu_id ...; if GENERIC_IRQ_ENTRY
  // and !debug and !ev.user_irq: ok // syscall exit: c.s. NOT checked"; §5.3
  // csCheckAfterSyscallSwitch (false for L619 non-debug; true: L418-L63 behaviour).
  for (const check of [false, true]) {
    it(`blocked in a syscall inside the c.s. and migrated: IDs written; c.s. ${check ? 'checked -> abort' : 'NOT checked -> commit on the wrong CPU'} (csCheckAfterSyscallSwitch=${check})`, () => {
      const sys = system(model({ threads: [T0], main: mainWithInCs(I.syscall('write', { blocking: true })) }), 'linux-6.19', { csCheckAfterSyscallSwitch: check });
      let s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
      s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
      expect(view(sys, s).idsChanged(0)).toBe(1);
      expect(view(sys, s).userIrq(0)).toBe(0);
      s = stepTo(sys, s, { kind: K.wake, thread: 0 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
      const v = view(sys, s);
      expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 1]);
      if (check) {
        expect(v.ip(0)).toBe(9); // abort_ip
        expect(v.rseqCs(0)).toBe(0);
      } else {
        expect(v.ip(0)).toBe(5);
        expect(v.rseqCs(0)).toBe(csPtr(sys));
        s = runTo(sys, s, 0, at(sys, 'P_post'));
        expect(view(sys, s).mem('v', 0)).toBe(1); // CPU 0's slot, written from CPU 1
        expect(view(sys, s).violation()).toBe(Code.G1);
      }
    });
  }

  // §2.6 "On non-generic-entry archs ... Until the arm64 fix, arm64 selected GENERIC_IRQ_ENTRY but
  // its entry code never called rseq_note_user_irq_entry()"; §5.3 archSetsUserIrq.
  for (const archSetsUserIrq of [true, false]) {
    it(`archSetsUserIrq=${archSetsUserIrq}: same-CPU preemption inside the c.s. ${archSetsUserIrq ? 'aborts' : 'does not abort'}`, () => {
      const sys = system(model({ threads: [T0] }), 'linux-6.19', { archSetsUserIrq });
      let s = runTo(sys, initial(sys), 0, 4);
      s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
      const v = view(sys, s);
      expect(v.ip(0)).toBe(archSetsUserIrq ? 8 : 4);
      expect(v.rseqCs(0)).toBe(archSetsUserIrq ? 0 : csPtr(sys));
      if (!archSetsUserIrq) {
        s = runTo(sys, s, 0, at(sys, 'P_post'));
        expect(view(sys, s).violation()).toBe(Code.G1);
      }
    });
  }

  // §2.6 rseq_sched_switch_event: "else [not GENERIC_IRQ_ENTRY]: if ev.has_rseq: ev.sched_switch
  // := 1; raise TIF_RSEQ"; exit: "if !ev.ids_changed: ... UPDATE_USER_CS"; §5.3 genericIrqEntry.
  it('genericIrqEntry=false: every switch raises, so a syscall-blocked c.s. is aborted at switch-in', () => {
    const sys = system(model({ threads: [T0], main: mainWithInCs(I.syscall('write', { blocking: true })) }), 'linux-6.19', { genericIrqEntry: false });
    let s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
    s = stepTo(sys, s, { kind: K.wake, thread: 0 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
    expect(view(sys, s).ip(0)).toBe(9);
    expect(view(sys, s).rseqCs(0)).toBe(0);
  });

  // §2.2 "L71, legacy mode: ids_changed = sched_switch = 1 and raise, whenever has_rseq";
  // §2.10 "cpu_id, cpu_id_start written: L619: only when changed ... L71 legacy: after every
  // switch". The thread overwrites cpu_id_start with garbage (1), then blocks on the same CPU.
  for (const preset of ['linux-6.19', 'linux-7.1-legacy'] as const) {
    it(`${preset}: after a same-CPU switch the IDs are ${preset === 'linux-6.19' ? 'left as they are' : 'rewritten'}`, () => {
      const main = [I.writeId('cpu_id_start', 1), I.syscall('write', { blocking: true }), I.done()];
      const sys = system(model({ threads: [T0], main }), preset);
      let s = exec(sys, initial(sys), 0);
      expect(view(sys, s).cpuIdStart(0)).toBe(1);
      s = exec(sys, s, 0);
      s = stepTo(sys, s, { kind: K.wake, thread: 0 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
      expect(view(sys, s).cpuIdStart(0)).toBe(preset === 'linux-6.19' ? 1 : 0);
    });
  }

  // §2.6 L71 table, legacy: "rseq_cs evaluated ... unconditionally after each context switch"
  // [unverified]: "the !user_irq skip in rseq_update_usr() ... may still be skipped" (the preset
  // follows the caveat: csCheckAfterSyscallSwitch stays false).
  it('linux-7.1-legacy: preempted from user inside the c.s. -> abort; blocked in a syscall -> IDs written, c.s. not checked', () => {
    const sys1 = system(model({ threads: [T0] }), 'linux-7.1-legacy');
    const a = stepTo(sys1, runTo(sys1, initial(sys1), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
    expect([view(sys1, a).ip(0), view(sys1, a).rseqCs(0)]).toEqual([8, 0]);
    const sys2 = system(model({ threads: [T0], main: mainWithInCs(I.syscall('write', { blocking: true })) }), 'linux-7.1-legacy');
    let s = exec(sys2, runTo(sys2, initial(sys2), 0, 4), 0);
    s = stepTo(sys2, s, { kind: K.wake, thread: 0 });
    s = stepTo(sys2, s, { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys2, s).ip(0), view(sys2, s).rseqCs(0)]).toEqual([5, csPtr(sys2)]);
  });

  // §2.9 / §2.2 "membarrier RSEQ IPI ... L619: rseq_sched_switch_event(current)"; the IPI is an
  // interrupt from user mode, so user_irq is set and the c.s. is evaluated at its exit.
  it('membarrier IPI on a thread inside its c.s. aborts it (L619)', () => {
    const sys = system(
      model({ threads: [T0, { name: 'T1', program: 'mb', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier'), I.done()] } }),
      'linux-6.19',
    );
    let s = runTo(sys, initial(sys), 0, 4);
    s = exec(sys, s, 1);
    expect([view(sys, s).ip(0), view(sys, s).rseqCs(0)]).toEqual([8, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('descriptor validation (csValidation, §1.5)', () => {
  const badSig = (preset: string, knobs = {}) =>
    system(model({ threads: [T0], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })) }), preset, knobs);

  // §1.5 "L418 / L5x: When validation runs: On every rseq_cs evaluation, before the in-range test.
  // A bad descriptor kills even if ip is outside it."; §2.4 GET_CS: "if sig != K.rseq_sig: -EINVAL".
  it('full-always (linux-4.18): bad signature kills at the handler run even with ip outside the c.s.', () => {
    const sys = badSig('linux-4.18');
    let s = runTo(sys, initial(sys), 0, at(sys, 'P_post')); // committed; rseq_cs still points at it
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    expect(view(sys, s).killed()).toBe(1);
    expect(view(sys, s).killReason()).toBe(KillReason.badSignature);
  });

  // §2.6 UPDATE_USER_CS: "if regs.ip - start_ip >= off: U.rseq_cs := 0; return ok // outside:
  // lazy clear ... if *(u32*)(abort_ip-4) != K.sig: fatal"; §1.5 "kill, if ip is in the c.s.".
  it('minimal-in-range (linux-6.19): bad signature is lazily cleared outside, kills only inside', () => {
    const sys = badSig('linux-6.19');
    const out = stepTo(sys, runTo(sys, initial(sys), 0, at(sys, 'P_post')), { kind: K.preempt, thread: 0, arg: 0 });
    expect(view(sys, out).killed()).toBe(0);
    expect(view(sys, out).rseqCs(0)).toBe(0);
    const inside = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
    expect(view(sys, inside).killed()).toBe(1);
    expect(view(sys, inside).killReason()).toBe(KillReason.badSignature);
  });

  // §2.6 "Syscall exit in L619 (rseq_debug_syscall_return; debug only) ... outside -> clears
  // rseq_cs; inside -> user_irq==0 -> 'die' -> SIGSEGV"; §1.5 last row "L619 debug: kill".
  it('debug-full (linux-6.19): a syscall returning inside the c.s. kills; one returning outside clears rseq_cs', () => {
    const inCs = system(model({ threads: [T0], main: mainWithInCs(I.syscall('write')) }), 'linux-6.19', { csValidation: 'debug-full' });
    const k = exec(inCs, runTo(inCs, initial(inCs), 0, 4), 0);
    expect(view(inCs, k).killed()).toBe(1);
    expect(view(inCs, k).killReason()).toBe(KillReason.syscallInCs);
    const after = (knobs: object) =>
      system(model({ threads: [T0], main: seq(addvWith(), I.syscall('write', { label: 'out' }), I.done()) }), 'linux-6.19', knobs);
    for (const [knobs, expected] of [
      [{ csValidation: 'debug-full' }, 0],
      [{}, 1],
    ] as const) {
      const sys = after(knobs);
      const s = exec(sys, runTo(sys, initial(sys), 0, at(sys, 'out')), 0);
      expect(view(sys, s).killed()).toBe(0);
      expect(view(sys, s).rseqCs(0)).toBe(expected === 0 ? 0 : csPtr(sys));
    }
  });
});

// -------------------------------------------------------------------------------------------
describe('NO_RESTART flags and event tracking (descriptor flags, §2.4/§2.5)', () => {
  const flagged = (preset: string, knobs = {}) =>
    system(model({ threads: [T0], main: seq(addvWith({ descriptor: { flags: ['NO_RESTART_ON_PREEMPT'] } }), I.done({ label: 'out' })) }), preset, knobs);
  const preemptInside = (sys: ReturnType<typeof flagged>) => view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }));

  // §2.4 NEED_RESTART (L418): "(ev & ~flags) != 0"; §5.3 eventTracking=mask3, noRestartFlags=honoured.
  it('mask3 + honoured: NO_RESTART_ON_PREEMPT exempts a preemption (no abort; PREEMPT consumed)', () => {
    const sys = flagged('linux-4.18');
    const v = preemptInside(sys);
    expect([v.killed(), v.ip(0), v.rseqCs(0), v.evMask(0)]).toEqual([0, 4, csPtr(sys), 0]);
  });

  // §2.5 "Any event forces a restart while ip is in the c.s."; §5.3 eventTracking=anyEvent (L60/L63).
  it('anyEvent (flags still honoured for the SIGNAL rule): any event restarts', () => {
    const v = preemptInside(flagged('linux-4.18', { eventTracking: 'anyEvent' }));
    expect([v.killed(), v.ip(0), v.rseqCs(0)]).toEqual([0, 8, 0]);
  });

  // §2.5 NEED_RESTART (L60): "if cs_flags & NO_RESTART_FLAGS: return -EINVAL // -> SIGSEGV".
  it('noRestartFlags=kill: descriptor flags kill when evaluated with ip inside', () => {
    const v = preemptInside(flagged('linux-4.18', { noRestartFlags: 'kill' }));
    expect([v.killed(), v.killReason()]).toEqual([1, KillReason.noRestartFlags]);
  });

  // §1.5 table "rseq_cs.flags has NO_RESTART bits: L619 non-debug: not checked (ignored)".
  it('noRestartFlags=ignored: flags have no effect, the preemption aborts', () => {
    const v = preemptInside(flagged('linux-4.18', { noRestartFlags: 'ignored' }));
    expect([v.killed(), v.ip(0), v.rseqCs(0)]).toEqual([0, 8, 0]);
    const v619 = preemptInside(flagged('linux-6.19'));
    expect([v619.killed(), v619.ip(0), v619.rseqCs(0)]).toEqual([0, 8, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('syscall policies (§5.1) with write(2) inside the c.s. (S1) and after the commit (S2)', () => {
  const s1 = (preset: string, knobs = {}) => system(model({ threads: [T0], main: mainWithInCs(I.syscall('write')) }), preset, knobs);
  const atWrite = (sys: ReturnType<typeof s1>) => runTo(sys, initial(sys), 0, 4);

  // §5.1 "a: Undefined, no enforcement"; L418: "abort iff an event bit was set and a handler with
  // regs ran before the return" (none here).
  it('a: never kills; the syscall returns into the c.s.', () => {
    const sys = s1('a@4.18');
    const v = view(sys, exec(sys, atWrite(sys), 0));
    expect([v.killed(), v.ip(0), v.rseqCs(0)]).toEqual([0, 5, csPtr(sys)]);
  });

  // §5.1 "b: At E: if K.rseq && U.rseq_cs != 0 -> SIGSEGV".
  it('b: kills at entry (syscallRseqCsSet); a justified kill', () => {
    const sys = s1('b@4.18');
    const v = view(sys, exec(sys, atWrite(sys), 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.syscallRseqCsSet, 0]);
  });

  // §5.1 "c: At E: cs = GET_CS(); if in_cs(ip_e, cs) -> SIGSEGV" (ip_e = 5, in [2, 8)).
  it('c: kills at entry (syscallInCs): not even a preempted-at-exit successor exists', () => {
    const sys = s1('c@4.18');
    const s = atWrite(sys);
    expect(successors(sys, s).some((x) => x.label.kind === K.instructionPreemptedAtExit)).toBe(false);
    const v = view(sys, exec(sys, s, 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.syscallInCs, 0]);
  });

  // §5.1 "c': IP-based, at exit ... The same test with ip_x at X"; §2.4 rseq_syscall "called on the
  // SYSCALL-EXIT path ... before the exit loop".
  it("c': kills at exit: a thread preempted at the syscall's exit is still alive until it returns", () => {
    const sys = s1("c'@4.18");
    const s = atWrite(sys);
    const pre = stepTo(sys, s, { kind: K.instructionPreemptedAtExit, thread: 0 });
    expect([view(sys, pre).killed(), view(sys, pre).status(0), view(sys, pre).sysExitCheck(0)]).toEqual([0, Status.Ready, 1]);
    const post = view(sys, stepTo(sys, pre, { kind: K.schedule, thread: 0, arg: 0 }));
    expect([post.killed(), post.killReason()]).toEqual([1, KillReason.syscallInCs]);
    const direct = view(sys, exec(sys, s, 0));
    expect([direct.killed(), direct.killReason()]).toEqual([1, KillReason.syscallInCs]);
  });

  // §5.1 "d: Apply (c) or (c') only when the syscall number is in a set S ... Otherwise (a)."
  it('d: kills only for syscalls in syscallSet (entry or exit per syscallSetCheck)', () => {
    const dflt = s1('d@4.18'); // S = {fork, clone_vm}
    expect(view(dflt, exec(dflt, atWrite(dflt), 0)).killed()).toBe(0);
    const entry = s1('d@4.18', { syscallSet: ['write'] });
    const e = view(entry, exec(entry, atWrite(entry), 0));
    expect([e.killed(), e.killReason()]).toEqual([1, KillReason.syscallInCs]);
    const exit = s1('d@4.18', { syscallSet: ['write'], syscallSetCheck: 'exit' });
    const pre = stepTo(exit, atWrite(exit), { kind: K.instructionPreemptedAtExit, thread: 0 });
    expect(view(exit, pre).killed()).toBe(0);
    expect(view(exit, stepTo(exit, pre, { kind: K.schedule, thread: 0, arg: 0 })).killReason()).toBe(KillReason.syscallInCs);
  });

  // §5.2 S2 "Syscall after a completed c.s. (rseq_cs still set by lazy clearing, ip outside)";
  // §5.1 G2 "no process is killed unless it violated the ABI (catches false positives)".
  it('S2: after the commit with rseq_cs still set, b kills (a false kill: violation G2); c does not', () => {
    const mk = (p: string) => system(model({ threads: [T0], main: seq(addvWith(), I.syscall('write', { label: 'out' }), I.done()) }), p);
    const b = mk('b@4.18');
    let s = runTo(b, initial(b), 0, at(b, 'out'));
    expect(view(b, s).rseqCs(0)).toBe(csPtr(b));
    s = exec(b, s, 0);
    expect([view(b, s).killed(), view(b, s).killReason(), view(b, s).violation()]).toEqual([1, KillReason.syscallRseqCsSet, Code.G2]);
    const c = mk('c@4.18');
    const t = exec(c, runTo(c, initial(c), 0, at(c, 'out')), 0);
    expect([view(c, t).killed(), view(c, t).violation()]).toEqual([0, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('membarrier(PRIVATE_EXPEDITED_RSEQ) (§2.9)', () => {
  // §2.2 "membarrier RSEQ IPI ... 4.18-5.10: rseq_preempt(current)"; §2.9 "otherwise: every online
  // CPU whose rq->curr->mm == mm".
  for (const abortOnMembarrier of [true, false]) {
    it(`L418: T1 on C1 issues membarrier while T0 is inside its c.s. on C0 -> ${abortOnMembarrier ? 'T0 aborts' : 'no abort (abortOnMembarrier=false)'}`, () => {
      const sys = system(
        model({ threads: [T0, { name: 'T1', program: 'mb', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier'), I.done()] } }),
        'linux-4.18',
        { abortOnMembarrier },
      );
      let s = runTo(sys, initial(sys), 0, 4);
      s = exec(sys, s, 1);
      const v = view(sys, s);
      expect([v.ip(0), v.rseqCs(0), v.evMask(0), v.tifNotify(0)]).toEqual(abortOnMembarrier ? [8, 0, 0, 0] : [4, csPtr(sys), 0, 0]);
      expect(v.ip(1)).toBe(1);
    });
  }

  // §2.9 "Without FLAG_CPU the IPI is smp_call_function_many(...), which excludes the calling CPU";
  // "With FLAG_CPU it is smp_call_function_single(cpu_id, ...), which 'will call ipi_func() if
  // cpu_id is the calling CPU'"; §5.3 membarrierExcludesCaller. T1 calls it from inside its own
  // c.s. (S7); T0 on C0 only keeps mm_users > 1.
  for (const [label, mb, knobs, aborts] of [
    ['no FLAG_CPU: the caller is excluded', I.syscall('membarrier'), {}, false],
    ['no FLAG_CPU, membarrierExcludesCaller=false: the caller is included', I.syscall('membarrier'), { membarrierExcludesCaller: false }, true],
    ['FLAG_CPU = the caller\'s CPU: the caller gets the event', I.syscall('membarrier', { cpu: 1 }), {}, true],
  ] as const) {
    it(`caller inside its own c.s., ${label}`, () => {
      const sys = system(
        model({ threads: [{ name: 'T0', program: 'idle', cpu: 'C0' }, { name: 'T1', program: 'main', cpu: 'C1' }], main: mainWithInCs(mb), programs: { idle: [I.nop(), I.done()] } }),
        'linux-4.18',
        knobs,
      );
      let s = runTo(sys, initial(sys), 1, 4);
      s = exec(sys, s, 1);
      const v = view(sys, s);
      expect(v.ip(1)).toBe(aborts ? 9 : 5);
      expect(v.rseqCs(1)).toBe(aborts ? 0 : csPtr(sys));
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('registration, unregistration, read-only fields', () => {
  // §1.4 Register step 8: "Force an ID update before returning to user space: L418-L63
  // rseq_set_notify_resume; L619 rseq_force_update (ids_changed = sched_switch = 1, raise TIF_RSEQ)".
  // The unregistered thread migrates to C1 first: no handler runs (K.rseq = NULL), so its IDs
  // still read 0 / -1 until it registers.
  for (const preset of ['linux-4.18', 'linux-6.19'] as const) {
    it(`${preset}: rseq_register forces an ID update at the registration's own exit`, () => {
      const main = [I.syscall('rseq_register', { dst: 'r1' }), I.done()];
      const sys = system(model({ threads: [{ ...T0, registered: false }], main }), preset);
      let s = stepTo(sys, initial(sys), { kind: K.migrate, thread: 0, arg: 1 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
      let v = view(sys, s);
      expect([v.area(0), v.cpuIdStart(0), v.cpuId(0)]).toEqual([-1, 0, -1]);
      s = exec(sys, s, 0);
      v = view(sys, s);
      expect(v.area(0)).toBe(0);
      expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 1]);
      expect([v.tifNotify(0), v.tifRseq(0)]).toEqual([0, 0]); // consumed on the way out
    });
  }

  // §1.4 Register step 5: "If U.rseq_cs != 0, clear it (fd881d0a085f, 2025; backported to
  // 5.10+)"; §5.3 registrationClearsRseqCs. A stale rseq_cs (left over before registering) points
  // at a descriptor with a wrong signature: under L418 the forced handler run validates it.
  for (const clears of [false, true]) {
    it(`registrationClearsRseqCs=${clears}: a stale rseq_cs with a bad descriptor ${clears ? 'is cleared' : 'kills at the forced handler run'}`, () => {
      const main = {
        code: [I.arm('S_cs'), I.nop({ label: 'S_start' }), I.syscall('rseq_register', { label: 'S_post' }), I.done({ label: 'S_abort' })],
        descriptors: { S_cs: { start: 'S_start', postCommit: 'S_post', abort: 'S_abort', signature: 0x1234 } },
      };
      const sys = system(model({ threads: [{ ...T0, registered: false }], main }), 'linux-4.18', { registrationClearsRseqCs: clears });
      let s = runTo(sys, initial(sys), 0, 2);
      expect(view(sys, s).rseqCs(0)).toBe(csPtr(sys, 'S_cs'));
      s = exec(sys, s, 0);
      const v = view(sys, s);
      if (clears) expect([v.killed(), v.rseqCs(0), v.area(0)]).toEqual([0, 0, 0]);
      else expect([v.killed(), v.killReason()]).toEqual([1, KillReason.badSignature]);
    });
  }

  // §1.4 Unregister step 5/6: "Write cpu_id_start = 0 and cpu_id = -1 ... K.rseq = NULL ...
  // rseq_cs is **not** cleared on unregistration."
  it('rseq_unregister: IDs 0 / -1, K.rseq = NULL, rseq_cs left set', () => {
    const main = {
      code: [I.arm('S_cs'), I.nop({ label: 'S_start' }), I.syscall('rseq_unregister', { label: 'S_post' }), I.done({ label: 'S_abort' })],
      descriptors: { S_cs: { start: 'S_start', postCommit: 'S_post', abort: 'S_abort' } },
    };
    const sys = system(model({ threads: [{ ...T0, cpu: 'C1' }], main }), 'linux-4.18');
    const s = exec(sys, runTo(sys, initial(sys), 0, 2), 0);
    const v = view(sys, s);
    expect([v.area(0), v.cpuIdStart(0), v.cpuId(0), v.rseqCs(0)]).toEqual([-1, 0, -1, csPtr(sys, 'S_cs')]);
  });

  // §1.1 Read-only rule: "L418-L6.12: not enforced"; "L71: a mismatch kills the task in V2 mode";
  // §2.6 "(debug or L71-V2: first verify the user copies equal K.ids, else fatal)"; §5.3
  // readOnlyEnforcement off / warn / kill. The thread writes cpu_id_start := 1 on CPU 0.
  const roMain = [I.writeId('cpu_id_start', 1), I.nop(), I.done()];
  for (const mode of ['off', 'warn', 'kill'] as const) {
    it(`readOnlyEnforcement=${mode} (L418): the next handler run (task_work) ${mode === 'kill' ? 'kills (readOnlyField)' : 'overwrites the field'}`, () => {
      const sys = system(model({ threads: [T0], main: roMain }), 'linux-4.18', { readOnlyEnforcement: mode });
      let s = exec(sys, initial(sys), 0);
      expect([view(sys, s).cpuIdStart(0), view(sys, s).roDirty(0)]).toEqual([1, 1]);
      s = stepTo(sys, s, { kind: K.taskWork, thread: 0 });
      const v = view(sys, s);
      if (mode === 'kill') expect([v.killed(), v.killReason()]).toEqual([1, KillReason.readOnlyField]);
      else expect([v.killed(), v.cpuIdStart(0), v.roDirty(0)]).toEqual([0, 0, 0]);
    });
  }
  it('linux-7.1-v2 (readOnlyEnforcement=kill): checked only when IDs are written (on migration), not on a same-CPU event', () => {
    const sys = system(model({ threads: [T0], main: roMain }), 'linux-7.1-v2');
    const s = exec(sys, initial(sys), 0);
    const same = view(sys, stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 }));
    expect([same.killed(), same.cpuIdStart(0)]).toEqual([0, 1]);
    let m = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    m = stepTo(sys, m, { kind: K.schedule, thread: 0, arg: 1 });
    expect([view(sys, m).killed(), view(sys, m).killReason()]).toEqual([1, KillReason.readOnlyField]);
  });
});

// -------------------------------------------------------------------------------------------
describe('fork / clone (§2.2, §2.8)', () => {
  const spawnModel = (op: 'clone_vm' | 'fork') =>
    model({
      threads: [
        { name: 'T0', program: 'main', cpu: 'C0' },
        { name: 'C', program: 'main', dormant: true },
      ],
      main: [I.syscall(op, { child: 'C', dst: 'r1' }), I.done()],
    });

  // §2.2 fork/clone: "clone_flags & CLONE_VM -> the child is unregistered. This was CLONE_THREAD
  // before 463f550fb47b"; §5.3 forkUnregister.
  it('forkUnregister=CLONE_THREAD (linux-4.18): a clone_vm child stays registered to the parent\'s area', () => {
    const sys = system(spawnModel('clone_vm'), 'linux-4.18');
    const v = view(sys, exec(sys, initial(sys), 0));
    expect(v.status(1)).toBe(Status.Ready);
    expect(v.area(1)).toBe(0); // K.rseq of the child = the parent's area 0 (area + 1 = 1 in the old kRseq encoding)
  });
  it('forkUnregister=CLONE_VM (linux-6.0): a clone_vm child is unregistered', () => {
    const sys = system(spawnModel('clone_vm'), 'linux-6.0');
    const v = view(sys, exec(sys, initial(sys), 0));
    expect(v.status(1)).toBe(Status.Ready);
    expect(v.area(1)).toBe(-1);
  });
  // §2.8 "fork without CLONE_VM: The child inherits the registration and its user memory is a copy."
  it('fork (no CLONE_VM): the child is registered to its own copy of the area', () => {
    for (const preset of ['linux-4.18', 'linux-6.0']) {
      const sys = system(spawnModel('fork'), preset);
      const v = view(sys, exec(sys, initial(sys), 0));
      expect(v.area(1)).toBe(1); // its own area (the copy), not the parent's
    }
  });
});

// -------------------------------------------------------------------------------------------
describe('syscall restart vs rseq fixup (restartRewindOrder, §2.2)', () => {
  // §2.2 Signal delivery: "It runs after the syscall-restart IP rewinding and before
  // setup_rt_frame"; §5.2 S9 "Syscall outside any c.s., restarted by a signal (-ERESTARTSYS,
  // SA_RESTART)". The frame saves the rewound ip: futex_wait runs again after sigreturn.
  for (const order of ['before-fixup', 'after-fixup'] as const) {
    it(`${order}: futex_wait outside any c.s. interrupted by a signal is rewound to the syscall instruction`, () => {
      const sys = system(model({ threads: [T0h], main: [I.syscall('futex_wait'), I.done()], programs: withHandler }), 'linux-4.18', { restartRewindOrder: order });
      let s = exec(sys, initial(sys), 0);
      expect([view(sys, s).status(0), view(sys, s).ip(0)]).toEqual([Status.Blocked, 1]);
      s = stepTo(sys, s, { kind: K.wakeBySignal, thread: 0 });
      expect([view(sys, s).status(0), view(sys, s).restart(0), view(sys, s).sigPending(0)]).toEqual([Status.Ready, 1, 1]);
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
      expect([view(sys, s).level(0), view(sys, s).ip(0, 0), view(sys, s).restart(0)]).toEqual([1, 0, 0]);
      s = exec(sys, exec(sys, s, 0), 0);
      expect([view(sys, s).level(0), view(sys, s).ip(0, 0)]).toEqual([0, 0]);
    });
  }

  // The rewind matters when the syscall is the last instruction of the range (S5: ip_e ==
  // post_commit_ip). Program: 0..6 addv, 7 futex_wait (last of [2, 8)), 8 P_post, 9 P_abort.
  //  - before-fixup (correct): HANDLE sees the rewound ip 7, inside -> abort; frame saves 9.
  //  - after-fixup (csky's bug): HANDLE sees ip 8 = post_commit_ip, outside -> lazy clear only
  //    (PREEMPT|SIGNAL left pending); then the rewind puts ip back to 7, inside the c.s. with
  //    rseq_cs = 0: after sigreturn the futex_wait re-runs unprotected.
  for (const order of ['before-fixup', 'after-fixup'] as const) {
    it(`${order}: futex_wait as the last instruction of the c.s., signalled while blocked`, () => {
      const main = seq(addvWith({ atEnd: [I.syscall('futex_wait')] }), I.done({ label: 'out' }));
      const sys = system(model({ threads: [T0h], main, programs: withHandler }), 'linux-4.18', { restartRewindOrder: order });
      let s = runTo(sys, initial(sys), 0, 7);
      s = exec(sys, s, 0);
      expect([view(sys, s).ip(0), view(sys, s).rseqCs(0), view(sys, s).evMask(0)]).toEqual([8, csPtr(sys), EV_PREEMPT]);
      s = stepTo(sys, s, { kind: K.wakeBySignal, thread: 0 });
      s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
      const v = view(sys, s);
      expect(v.level(0)).toBe(1);
      expect(v.rseqCs(0)).toBe(0);
      if (order === 'before-fixup') {
        expect(v.ip(0, 0)).toBe(9);
        expect(v.evMask(0)).toBe(0);
      } else {
        expect(v.ip(0, 0)).toBe(7);
        expect(v.evMask(0)).toBe(EV_PREEMPT | EV_SIGNAL);
      }
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('regressions of bugs found by these tests', () => {
  // models/system.ts canonicalize (collapseEvents, uncommitted): a switched-out registered thread
  // with TIF_NOTIFY_RESUME gets rseq_cs cleared early when its *current* ip is outside the range,
  // on the premise that the next handler run will see that ip. A blocked futex_wait interrupted by a
  // signal (restart = 1) is rewound before the fixup (§2.2, restartRewindOrder=before-fixup), so
  // the handler sees ip 7 (inside) and must abort. Same scenario as the before-fixup test above,
  // but without the guard descriptor (so the reduction is on): rseq_cs was already cleared after
  // the futex_wait step, ipFixup finds ZERO_CS, and the frame saves ip 7 instead of abort_ip 9.
  it('canonicalize pre-applies the lazy clear although a pending restart rewinds ip into the c.s.', () => {
    const main = seq(addvWith({ atEnd: [I.syscall('futex_wait')] }), I.done({ label: 'out' }));
    const sys = system(model({ threads: [T0h], main, programs: withHandler, guard: false }), 'linux-4.18');
    let s = exec(sys, runTo(sys, initial(sys), 0, 7), 0);
    s = stepTo(sys, s, { kind: K.wakeBySignal, thread: 0 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 });
    expect(view(sys, s).ip(0, 0)).toBe(9);
  });

  // Knobs overridden across preset families. These tests were first written (and named) for a
  // KernelSemantics that ignored idUpdate and consulted csValidation only for 'debug-full'; the
  // code now reads both (semantics.ts handleNotifyResume, ipFixup, updateUserCs,
  // reworkExitWork), and the tests pin that the override decides, each against the preset's own
  // value as the contrast. The user writes cpu_id_start = 1 on CPU 0 first, so a
  // rewrite of the IDs shows as 0 and no rewrite as 1.
  const idsAfter = (preset: string, knobs: Parameters<typeof system>[2], event: typeof K.taskWork | typeof K.preempt): number => {
    const sys = system(model({ threads: [T0], main: [I.writeId('cpu_id_start', 1), I.nop(), I.done()] }), preset, knobs);
    const s = stepTo(sys, exec(sys, initial(sys), 0), event === K.preempt ? { kind: event, thread: 0, arg: 0 } : { kind: event, thread: 0 });
    return view(sys, s).cpuIdStart(0);
  };
  it('idUpdate=onChangeOnly over linux-4.18 is honoured: an unchanged-CPU handler run leaves the IDs as user space wrote them', () => {
    expect(idsAfter('linux-4.18', {}, K.taskWork)).toBe(0); // the preset's everyHandlerRun rewrites
    expect(idsAfter('linux-4.18', { idUpdate: 'onChangeOnly' }, K.taskWork)).toBe(1);
  });
  it('idUpdate=everyHandlerRun over linux-6.19 is honoured: a same-CPU user preemption rewrites the IDs', () => {
    expect(idsAfter('linux-6.19', {}, K.preempt)).toBe(1); // the preset's onChangeOnly leaves them
    expect(idsAfter('linux-6.19', { idUpdate: 'everyHandlerRun' }, K.preempt)).toBe(0);
  });

  // A descriptor with a bad signature, preempted at P_post (ip 7, just outside the range [2, 7)).
  const afterPreemptOutside = (preset: string, knobs: Parameters<typeof system>[2]): { killed: number; reason: number; rseqCs: number } => {
    const sys = system(model({ threads: [T0], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })) }), preset, knobs);
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 7), { kind: K.preempt, thread: 0, arg: 0 }));
    return { killed: v.killed(), reason: v.killReason(), rseqCs: v.rseqCs(0) };
  };
  it('csValidation=full-always over linux-6.19 is honoured: a bad signature with ip outside the range kills', () => {
    // The preset's minimal-in-range checks the signature only in range: a lazy clear, no kill.
    expect(afterPreemptOutside('linux-6.19', {})).toEqual({ killed: 0, reason: KillReason.none, rseqCs: 0 });
    expect(afterPreemptOutside('linux-6.19', { csValidation: 'full-always' })).toMatchObject({ killed: 1, reason: KillReason.badSignature });
  });
  it('csValidation=minimal-in-range over linux-4.18 is honoured: a bad signature with ip outside the range does not kill', () => {
    // The preset's full-always validates before the in-range test: SIGSEGV.
    expect(afterPreemptOutside('linux-4.18', {})).toMatchObject({ killed: 1, reason: KillReason.badSignature });
    expect(afterPreemptOutside('linux-4.18', { csValidation: 'minimal-in-range' })).toEqual({ killed: 0, reason: KillReason.none, rseqCs: 0 });
  });
});
