/**
 * Gallery entries for kernel paths beyond the exit to user space (issue #16): the return to a
 * KVM guest, a failed execve, a caught SIGSEGV whose delivery faults again. Same contract as entries.ts: `property` is violated under `policy` + `bugKnobs`
 * and holds under `policy` + `fixKnobs`.
 */
import { I, ModelBuilder, seq } from '../../ir/builder.js';
import type { ModelInput } from '../../ir/schema.js';
import { addv } from '../librseq/primitives.js';
import type { GalleryMechanism } from './mechanism.js';

// ---- kvm-stale-cpu-id ----------------------------------------------------------------------------

/**
 * A VMM vCPU thread T1 runs ioctl(KVM_RUN) on C0, is migrated to C1 while in guest mode, and
 * after the ioctl returns increments counter[cpu_id_start] through rseq_addv. The migration
 * raised TIF_NOTIFY_RESUME; the next guest entry consumes it. Without the fix (dropNotify) the
 * IDs are never rewritten, so T1 on C1 still reads cpu_id_start = cpu_id = 0, its c.s. passes
 * the CPU check and races with T2, which increments counter[0] on C0: one increment is lost.
 * With the fix the guest entry writes the IDs (no IP fixup) and T1 uses counter[1].
 */
function kvmStaleCpuId(): ModelInput {
  return new ModelBuilder('gallery-kvm-stale-cpu-id')
    .describe('vCPU thread migrated while in ioctl(KVM_RUN), then a per-CPU rseq increment; another thread increments on the old CPU')
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 2 })
    .program('vcpu', seq([I.syscall('kvm_run')], addv('inc', 'counter', 1, { next: 'finish' }), I.done({ label: 'finish' })))
    .program('worker', seq(addv('w', 'counter', 1, { next: 'w_finish' }), I.done({ label: 'w_finish' })))
    .thread({ name: 'T1', program: 'vcpu', cpu: 'C0', allowed: ['C0', 'C1'] })
    .thread({ name: 'T2', program: 'worker', cpu: 'C0' })
    .budgets({ preemptions: 0, migrations: 1, signals: 0 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- exec-failure-stale-mm-cid --------------------------------------------------------------------

/**
 * T1 (C1, mm_cid 1) calls an execve that fails while A (C0, mm_cid 0) sleeps in poll: the
 * failed execve drops T1's mm_cid and takes the smallest free one, 0. Without the notify on the
 * error path T1's struct rseq still says 1. A wakes and, T1 holding 0, gets 1, which its
 * notify-resume writes: two running threads read mm_cid 1 (an mm_cid-indexed c.s. of both would
 * use one slot). With the notify T1's return to user space writes 0.
 */
function execFailureStaleMmCid(): ModelInput {
  return new ModelBuilder('gallery-exec-failure-stale-mm-cid')
    .describe('a failed execve changes the mm_cid while another thread sleeps; both then run and read mm_cid')
    .cpus(2)
    .memory('seen', { size: 2, max: 3 })
    .program('sleeper', [I.syscall('poll'), I.readId('r0', 'mm_cid'), I.store({ var: 'seen', index: 0 }, 'r0'), I.done()])
    .program('exec', [I.syscall('execve_fail', { dst: 'r1' }), I.readId('r0', 'mm_cid'), I.store({ var: 'seen', index: 1 }, 'r0'), I.done()])
    .thread({ name: 'A', program: 'sleeper', cpu: 'C0' })
    .thread({ name: 'T1', program: 'exec', cpu: 'C1' })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .invariant('mm-cid-unique', 'mm_cid_unique')
    .build();
}

// ---- sigsegv-handler-recursion ------------------------------------------------------------------

/**
 * T1 installed a SIGSEGV handler and runs an rseq_addv whose descriptor carries a wrong
 * signature. A preemption inside the c.s. makes the notify-resume handler validate it: bad
 * signature, SIGSEGV (force_sigsegv(0): catchable). Delivering it runs rseq_signal_deliver over
 * the same descriptor, which faults again: with force_sigsegv(SIGSEGV) the handler is reset and
 * a fatal SIGSEGV queued, yet the frame being set up runs the handler once with that SIGSEGV
 * blocked, and its rt_sigreturn kills; with force_sig(SIGSEGV) another caught SIGSEGV is queued
 * and the delivery starts over, for ever.
 */
function sigsegvHandlerRecursion(): ModelInput {
  const f = addv('inc', 'counter', 1, { next: 'finish' });
  return new ModelBuilder('gallery-sigsegv-handler-recursion')
    .describe('a thread with a SIGSEGV handler runs a c.s. whose descriptor has a wrong signature; one preemption')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 2 })
    .program('main', seq({ code: f.code, descriptors: { inc_cs: { ...f.descriptors.inc_cs!, signature: 0x1234 } } }, I.done({ label: 'finish' })))
    .program('segv', [I.nop(), I.sigreturn()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', sigsegvHandler: 'segv' })
    .budgets({ preemptions: 1, migrations: 0, signals: 0 })
    .build();
}

/** The gallery entries of this file, in display order (GalleryEntry of entries.ts, which spreads them). */
export const kernelPathEntries = [
  {
    name: 'kvm-stale-cpu-id',
    title: 'KVM_RUN: a migration while in guest mode leaves cpu_id stale when the ioctl returns (TIF_NOTIFY_RESUME consumed on guest entry)',
    source: '8646e53633f3 (KVM: rseq: Update rseq when processing NOTIFY_RESUME on xfer to KVM guest; Fixes: 72c3c0fe54a3), rseq-semantics.md §2.2, §2.6',
    model: kvmStaleCpuId(),
    property: 'counter-sum',
    policy: 'linux-4.18',
    bugKnobs: ['kvmPath=dropNotify'],
    fixKnobs: ['kvmPath=updateIds'],
    shows: ['syscall:kvm_run', 'migrate'] satisfies GalleryMechanism[],
  },
  {
    name: 'exec-failure-stale-mm-cid',
    title: 'a failed execve takes a new mm_cid; without the notify on its error path struct rseq keeps the old one, which another running thread then gets',
    source: '169eae7711ea (rseq: Eliminate useless task_work on execve: rseq_set_notify_resume on the bprm_execve error path), rseq-semantics.md §2.2, §2.8, §6 (mm_cid contract)',
    model: execFailureStaleMmCid(),
    property: 'mm-cid-unique',
    policy: 'linux-6.3',
    bugKnobs: ['notifyOnExecFailure=false'],
    fixKnobs: ['notifyOnExecFailure=true'],
    shows: ['syscall:execve_fail', 'syscall:poll', 'wake'] satisfies GalleryMechanism[],
  },
  {
    name: 'sigsegv-handler-recursion',
    title: 'a caught SIGSEGV for a bad descriptor: force_sig on the delivery path queues another SIGSEGV each time, so the delivery never ends (force_sigsegv: the handler runs once, killed at its rt_sigreturn)',
    source: '784e0300fe9f (rseq: Avoid infinite recursion when delivering SIGSEGV; before it d7822b1e24f2 used force_sig), rseq-semantics.md §1.5',
    model: sigsegvHandlerRecursion(),
    property: 'signal-delivery-terminates',
    policy: 'linux-4.18',
    bugKnobs: ['segvOnDelivery=force_sig'],
    fixKnobs: ['segvOnDelivery=force_sigsegv'],
    shows: ['preempt', 'decision:sigsegv'] satisfies GalleryMechanism[],
  },
];
