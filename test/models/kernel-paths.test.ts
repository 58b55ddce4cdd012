/**
 * Kernel paths of issue #16 beyond the exit to user space, each knob against a hand-worked
 * example: the return to a KVM guest (kvmPath), execve (notifyOnExecFailure) and a caught
 * SIGSEGV for a bad descriptor (segvOnDelivery). The knob changes nothing for a model that does
 * not use the path (same verdict and state count under both settings).
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import { Code, KillReason } from '../../properties/codes.js';
import { EV_MIGRATE, EV_PREEMPT, Status } from '../../models/kernel/layout.js';
import { percpuCounter } from '../../models/library/percpu-counter.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { validateModel } from '../../models/ir/validate.js';
import { checkModel } from '../../run/check.js';
import { LabelKind, addvWith, exec, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

const K = LabelKind;

function ir(m: Parameters<typeof validateModel>[0]) {
  const v = validateModel(m);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.ir;
}

// -------------------------------------------------------------------------------------------
describe('kvmPath: ioctl(KVM_RUN) returns through a guest entry that consumes TIF_NOTIFY_RESUME', () => {
  // T0 (C0, may run on C1): kvm_run; r0 = cpu_id_start; done.
  const kvmModel = model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'] }], main: [I.syscall('kvm_run'), I.readId('r0', 'cpu_id_start'), I.done()] });

  /** kvm_run, migration C0→C1 while in guest mode, the guest exit, the switch-in on C1. */
  function migratedInGuest(preset: string, kvmPath: 'dropNotify' | 'updateIds') {
    const sys = system(kvmModel, preset, { kvmPath });
    let s = exec(sys, initial(sys), 0);
    expect(view(sys, s).status(0)).toBe(Status.Blocked);
    s = stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 });
    s = stepTo(sys, s, { kind: K.wake, thread: 0 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    return { sys, s, v: view(sys, s) };
  }

  // 8646e53633f3: xfer_to_guest_mode_work "if (ti_work & _TIF_NOTIFY_RESUME) { tracehook_notify_resume(NULL);
  // rseq_handle_notify_resume(NULL, NULL); }" and "regs is NULL ... Skip fixup": IDs written, mask kept.
  it('updateIds (5.15+): the guest entry writes the IDs of C1 and leaves the event mask (no IP fixup)', () => {
    const { v } = migratedInGuest('linux-4.18', 'updateIds');
    expect(v.status(0)).toBe(Status.Running);
    expect([v.cpu(0), v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 1, 1]);
    expect(v.tifNotify(0)).toBe(0);
    expect(v.evMask(0)).toBe(EV_PREEMPT | EV_MIGRATE);
  });

  // Before it (72c3c0fe54a3): only tracehook_notify_resume; "Clearing TIF_NOTIFY_RESUME without
  // informing rseq ... the CPU ID being stale after task migration".
  it('dropNotify (5.11-5.14): the flag is cleared, the ioctl returns with the IDs of C0', () => {
    const { v } = migratedInGuest('linux-4.18', 'dropNotify');
    expect([v.cpu(0), v.cpuIdStart(0), v.cpuId(0)]).toEqual([1, 0, 0]);
    expect(v.tifNotify(0)).toBe(0);
    expect(v.evMask(0)).toBe(EV_PREEMPT | EV_MIGRATE);
  });

  it('the 6.19 rework keeps its own exit work (rseq_virt_userspace_exit): IDs of C1 under both settings', () => {
    for (const k of ['dropNotify', 'updateIds'] as const) {
      const { v } = migratedInGuest('linux-6.19', k);
      expect([v.cpuIdStart(0), v.cpuId(0)], k).toEqual([1, 1]);
    }
  });

  it('kvm_run cannot be declared non-blocking (located error)', () => {
    const v = validateModel({ ...kvmModel, programs: { ...kvmModel.programs, main: [{ op: 'syscall', name: 'kvm_run', blocking: false }, { op: 'done' }] } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => [e.path.join('.'), e.message])).toEqual([['programs.main.0.blocking', 'kvm_run always runs the guest until a guest exit: it cannot be "blocking": false']]);
  });

  // gallery/kvm-stale-cpu-id: T1 (vCPU) migrated in guest mode races T2 on counter[0].
  const entry = gallery.find((e) => e.name === 'kvm-stale-cpu-id')!;
  it('gallery/kvm-stale-cpu-id: counter-sum violated under dropNotify (250 states), holds under updateIds (200 states)', async () => {
    const bug = await checkModel(ir(entry.model), { policy: 'linux-4.18', knobs: ['kvmPath=dropNotify'], properties: ['counter-sum'] });
    expect([bug.verdict, bug.stats.states]).toEqual(['violation', 250]);
    const fix = await checkModel(ir(entry.model), { policy: 'linux-4.18', knobs: ['kvmPath=updateIds'], properties: ['counter-sum'] });
    expect([fix.verdict, fix.stats.states]).toEqual(['pass', 200]);
  });

  it('a model without kvm_run: the same verdict and state count under both settings', async () => {
    const m = ir(percpuCounter({ threads: 2, ops: 1, signals: 1, cpus: 2 }));
    const counts = [];
    for (const k of ['dropNotify', 'updateIds']) {
      const r = await checkModel(m, { policy: 'linux-4.18', knobs: [`kvmPath=${k}`], properties: ['all'], constants: { ops: 1 } });
      counts.push([r.verdict, r.stats.states]);
    }
    expect(counts[0]).toEqual(counts[1]);
    expect(counts[0]).toEqual(['pass', 696]);
  });
});

// -------------------------------------------------------------------------------------------
describe('execve: success resets the registration; failure may change mm_cid (notifyOnExecFailure)', () => {
  const threads = [
    { name: 'A', program: 'sleeper', cpu: 'C0' },
    { name: 'T1', program: 'main', cpu: 'C1' },
  ] as const;
  const sleeper = [I.syscall('poll'), I.readId('r0', 'mm_cid'), I.done()];

  // rseq_execve (§2.8 "Success → unregistered"); de_thread ends the other threads.
  it('a successful execve: the new image is unregistered with a fresh struct rseq, the other threads are gone', () => {
    const sys = system(model({ threads, programs: { sleeper }, main: [I.syscall('execve'), I.readId('r0', 'cpu_id'), I.done()] }), 'linux-6.3');
    const s0 = initial(sys);
    expect([view(sys, s0).area(1), view(sys, s0).cpuId(1)]).toEqual([1, 1]);
    const v = view(sys, exec(sys, s0, 1));
    expect(v.area(1)).toBe(-1);
    expect([v.cpuIdStart(1), v.cpuId(1), v.rseqCs(1)]).toEqual([0, -1, 0]);
    expect(v.status(0)).toBe(Status.Done);
    expect(v.status(1)).toBe(Status.Running);
  });

  /** A sleeps in poll (releasing mm_cid 0), then T1's execve fails. */
  function failedWhileASleeps(preset: string, notifyOnExecFailure: boolean) {
    const sys = system(model({ threads, programs: { sleeper }, main: [I.syscall('execve_fail', { dst: 'r1' }), I.readId('r0', 'mm_cid'), I.done()] }), preset, { notifyOnExecFailure });
    const s0 = initial(sys);
    // The threads running at the start hold distinct mm_cids, in thread order.
    expect([sys.kernel.get(s0, sys.layout.areaMmCid[0]!), sys.kernel.get(s0, sys.layout.areaMmCid[1]!)]).toEqual([0, 1]);
    let s = exec(sys, s0, 0); // A: poll, blocked
    s = exec(sys, s, 1); // T1: execve fails
    const k = sys.kernel;
    const L = sys.layout;
    return { sys, s, kernelCid: k.get(s, L.mmCid[1]!), userCid: k.get(s, L.areaMmCid[1]!) };
  }

  // 169eae7711ea: "sched_mm_cid_after_execve(current); rseq_set_notify_resume(current);" on the error path.
  it('notifyOnExecFailure=true: the new mm_cid 0 is written before the old image resumes', () => {
    const r = failedWhileASleeps('linux-6.3', true);
    expect([r.kernelCid, r.userCid]).toEqual([0, 0]);
  });

  it('notifyOnExecFailure=false: the kernel holds mm_cid 0, struct rseq still shows 1', () => {
    const r = failedWhileASleeps('linux-6.3', false);
    expect([r.kernelCid, r.userCid]).toEqual([0, 1]);
  });

  it('the 6.19 rework: the error path raises ids_changed, so the exit work writes mm_cid 0 (true) / nothing (false)', () => {
    expect(failedWhileASleeps('linux-6.19', true).userCid).toBe(0);
    expect(failedWhileASleeps('linux-6.19', false).userCid).toBe(1);
  });

  // gallery/exec-failure-stale-mm-cid: A wakes holding mm_cid 1 next to T1's stale 1.
  const entry = gallery.find((e) => e.name === 'exec-failure-stale-mm-cid')!;
  it('gallery/exec-failure-stale-mm-cid: mm-cid-unique violated without the notify (21 states), holds with it (66 states)', async () => {
    const bug = await checkModel(ir(entry.model), { policy: 'linux-6.3', knobs: ['notifyOnExecFailure=false'], properties: ['mm-cid-unique'] });
    expect([bug.verdict, bug.stats.states]).toEqual(['violation', 21]);
    const fix = await checkModel(ir(entry.model), { policy: 'linux-6.3', knobs: ['notifyOnExecFailure=true'], properties: ['mm-cid-unique'] });
    expect([fix.verdict, fix.stats.states]).toEqual(['pass', 66]);
  });

  it('a model without execve: the same verdict and state count under both settings', async () => {
    const m = ir(percpuCounter({ threads: 2, ops: 1, signals: 1, cpus: 2 }));
    const counts = [];
    for (const k of ['false', 'true']) {
      const r = await checkModel(m, { policy: 'linux-6.3', knobs: [`notifyOnExecFailure=${k}`], properties: ['all'], constants: { ops: 1 } });
      counts.push([r.verdict, r.stats.states]);
    }
    expect(counts[0]).toEqual(counts[1]);
    expect(counts[0]).toEqual(['pass', 696]);
  });
});

describe('execve input checks', () => {
  it('execve in a signal handler program is a located error', () => {
    const m = model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0', handler: 'h' }], programs: { h: [I.syscall('execve'), I.sigreturn()] } });
    const v = validateModel(m);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => [e.code, e.path.join('.'), e.message])).toEqual([['bad-handler', 'programs.h.0', "execve in a signal handler program (the model's new image continues a main program)"]]);
  });
});

describe('descriptor count', () => {
  it('at most 31 descriptors (one bit each in the range masks): 32 is a located error', () => {
    const m = model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0' }], guard: false });
    const cs = m.descriptors!.P_cs!;
    const withN = (n: number) => ({ ...m, descriptors: { P_cs: cs, ...Object.fromEntries(Array.from({ length: n - 1 }, (_, i) => [`cs${i}`, cs])) } });
    expect(validateModel(withN(31)).ok).toBe(true);
    const v = validateModel(withN(32));
    expect(v.ok ? [] : v.errors.map((e) => [e.code, e.path.join('.'), e.message])).toEqual([['bad-descriptor', 'descriptors', 'declares 32 descriptors; a model may have at most 31']]);
  });
});

describe('fork input checks', () => {
  // The child continues the parent's frames: a fork in a signal handler used to reach the
  // interpreter with a child that has no handler program and crash it (a TypeError).
  it('a fork in a signal handler whose child has no handler is a located error', () => {
    const threads = [
      { name: 'T0', program: 'main', cpu: 'C0', handler: 'h' },
      { name: 'C', program: 'main', dormant: true },
    ];
    const v = validateModel(model({ threads, programs: { h: [I.syscall('fork', { child: 'C' }), I.sigreturn()] } }));
    expect(v.ok ? [] : v.errors.map((e) => [e.code, e.path.join('.'), e.message])).toEqual([
      ['bad-thread', 'programs.h.0.child', "T0 runs this fork, so its child C continues T0's frames: it must have the same program, handler and sigsegvHandler"],
    ]);
    expect(validateModel(model({ threads: [threads[0]!, { ...threads[1]!, handler: 'h' }], programs: { h: [I.syscall('fork', { child: 'C' }), I.sigreturn()] } })).ok).toBe(true);
  });
});

// -------------------------------------------------------------------------------------------
describe('segvOnDelivery: a caught SIGSEGV for a bad descriptor (§1.5 force_sig vs force_sigsegv)', () => {
  /** T0 (with or without a SIGSEGV handler) preempted inside addv whose descriptor has a wrong signature. */
  function preemptedWithBadSignature(preset: string, segvOnDelivery: 'force_sig' | 'force_sigsegv', sigsegvHandler: boolean) {
    const m = model({
      threads: [{ name: 'T0', program: 'main', cpu: 'C0', handler: 'h', sigsegvHandler }],
      programs: { h: [I.nop(), I.sigreturn()] },
      main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })),
    });
    const sys = system(m, preset, { segvOnDelivery });
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });
    const v = view(sys, s);
    return [v.killed(), v.killReason(), v.violation()];
  }

  // 784e0300fe9f: force_sigsegv(SIGSEGV) resets the handler, yet the handler runs once with the
  // fatal SIGSEGV blocked (test/models/sigsegv-handler.test.ts): not killed at the fault.
  it('force_sigsegv: not killed at the fault, the SIGSEGV handler runs first', () => {
    expect(preemptedWithBadSignature('linux-4.18', 'force_sigsegv', true)).toEqual([0, 0, 0]);
  });

  // d7822b1e24f2 (4.18-rc1): force_sig(SIGSEGV) on the delivery path queues another caught SIGSEGV.
  it('force_sig with a SIGSEGV handler: the delivery loops for ever (signal-delivery-terminates)', () => {
    expect(preemptedWithBadSignature('linux-4.18', 'force_sig', true)).toEqual([1, KillReason.sigsegvLoop, Code.deliveryTerminates]);
  });

  it('without a SIGSEGV handler the thread dies under both settings', () => {
    for (const k of ['force_sig', 'force_sigsegv'] as const) expect(preemptedWithBadSignature('linux-4.18', k, false), k).toEqual([1, KillReason.badSignature, 0]);
  });

  it('the 6.19 rework is left as it was (its delivery may skip the c.s.): killed', () => {
    expect(preemptedWithBadSignature('linux-6.19', 'force_sig', true)).toEqual([1, KillReason.badSignature, 0]);
  });

  it('a SIGSEGV handler needs a handler program (located error)', () => {
    const v = validateModel(model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0', sigsegvHandler: true }] }));
    expect(v.ok ? [] : v.errors.map((e) => [e.code, e.path.join('.')])).toEqual([['bad-handler', 'threads.0.sigsegvHandler']]);
  });

  const entry = gallery.find((e) => e.name === 'sigsegv-handler-recursion')!;
  // force_sigsegv: 21 states while the model killed at the fault, 31 since the SIGSEGV handler
  // runs first (the new states: its frame at the nop and at the rt_sigreturn that kills).
  it('gallery/sigsegv-handler-recursion: signal-delivery-terminates violated under force_sig (8 states), holds under force_sigsegv (31 states)', async () => {
    const bug = await checkModel(ir(entry.model), { policy: 'linux-4.18', knobs: ['segvOnDelivery=force_sig'], properties: ['signal-delivery-terminates'] });
    expect([bug.verdict, bug.stats.states]).toEqual(['violation', 8]);
    const fix = await checkModel(ir(entry.model), { policy: 'linux-4.18', knobs: ['segvOnDelivery=force_sigsegv'], properties: ['signal-delivery-terminates'] });
    expect([fix.verdict, fix.stats.states, fix.flags.map((f) => f.name)]).toEqual(['pass', 31, ['killed-as-promised']]);
  });

  it('a model without a SIGSEGV handler: the same verdict and state count under both settings', async () => {
    const m = ir(percpuCounter({ threads: 2, ops: 1, signals: 1, cpus: 2 }));
    const counts = [];
    for (const k of ['force_sig', 'force_sigsegv']) {
      const r = await checkModel(m, { policy: 'linux-4.18', knobs: [`segvOnDelivery=${k}`], properties: ['all'], constants: { ops: 1 } });
      counts.push([r.verdict, r.stats.states]);
    }
    expect(counts).toEqual([
      ['pass', 696],
      ['pass', 696],
    ]);
  });
});

describe('segvOnDelivery: only faults that recur wherever the IP is loop', () => {
  it('a signature checked only in range (minimal-in-range) does not loop: the kill stands', () => {
    const m = model({
      threads: [{ name: 'T0', program: 'main', cpu: 'C0', handler: 'h', sigsegvHandler: true }],
      programs: { h: [I.nop(), I.sigreturn()] },
      main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })),
    });
    const sys = system(m, 'linux-4.18', { segvOnDelivery: 'force_sig', csValidation: 'minimal-in-range' });
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.badSignature, 0]);
  });
});
