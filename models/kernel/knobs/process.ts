import { knob } from './define.js';

/** Kernel paths around the process: return to a KVM guest, execve, SIGSEGV delivery (§1.5, §2.6, §2.8). */
export const processKnobs = [
  knob({
    name: 'kvmPath',
    family: 'process',
    values: ['dropNotify', 'updateIds'],
    default: 'updateIds',
    doc: 'a thread inside ioctl(KVM_RUN) that is switched back in enters the guest through xfer_to_guest_mode_work, which consumes TIF_NOTIFY_RESUME: dropNotify clears it without telling rseq, so after a migration the ioctl returns to user space with stale cpu_id_start/cpu_id (5.11-5.14: 72c3c0fe54a3); updateIds calls rseq_handle_notify_resume(NULL, NULL), which writes the IDs and skips the IP fixup (since 8646e53633f3, 5.15 and stable 5.14.9). 4.18-6.18 family only: the 6.19 rework re-raises its work after guest mode (rseq_virt_userspace_exit)',
    source: '8646e53633f3 "KVM: rseq: Update rseq when processing NOTIFY_RESUME on xfer to KVM guest" (Fixes: 72c3c0fe54a3)',
    evidence: 'verified',
  }),
  knob({
    name: 'notifyOnExecFailure',
    family: 'process',
    values: 'boolean',
    default: true,
    doc: 'a failed execve raises notify-resume after sched_mm_cid_after_execve gave the thread a possibly different mm_cid, so the old image sees the new one (6.3+: sched_mm_cid_after_execve, moved to the error path by 169eae7711ea in 6.15); false: struct rseq keeps the old mm_cid',
    source: '169eae7711ea "rseq: Eliminate useless task_work on execve" (fs/exec.c bprm_execve error path); af7f588d8f73 (mm_cid, 6.3)',
    evidence: 'verified',
  }),
  knob({
    name: 'segvOnDelivery',
    family: 'process',
    values: ['force_sig', 'force_sigsegv'],
    default: 'force_sigsegv',
    doc: 'how rseq reports a bad descriptor found while delivering a signal: force_sigsegv(sig) resets a SIGSEGV handler to SIG_DFL when the signal being delivered is SIGSEGV, so the delivery of a caught SIGSEGV that hits the same descriptor kills (784e0300fe9f); force_sig(SIGSEGV) (4.18-rc1, d7822b1e24f2) queues another caught SIGSEGV each time: the delivery starts over, a handler frame more each pass, and never returns to user space (until the stack is exhausted). Matters only for a thread with a SIGSEGV handler, 4.18-6.18 family',
    source: '784e0300fe9f "rseq: Avoid infinite recursion when delivering SIGSEGV"; kernel/signal.c force_sigsegv',
    evidence: 'verified',
  }),
] as const;
