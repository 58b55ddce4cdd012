/**
 * The words of each kernel decision in an explained trace (run/explain.ts). Each function words
 * one kind of decision the semantics reported (models/kernel/decisions.ts), from that decision's
 * own facts, so a trace says what the kernel did and nothing it did not.
 */
import type { Instr } from '../models/ir/types.js';
import type { KillReasonCode } from '../models/kernel/decisions.js';
import { KillReason, killReasonText } from '../properties/codes.js';

/** `abort`: the IP of the thread's frame moved from `from` to the abort_ip `to`. */
export function abortWords(thread: string, from: string, to: string, desc: string): string {
  return `${thread}: IP moved from ${from} to abort_ip ${to} of ${desc}; rseq_cs cleared`;
}

/** `abort` of another thread whose struct rseq this one shares (clone_vm under the CLONE_THREAD rule). */
export function sharedAbortWords(thread: string, desc: string, aborted: string): string {
  return `${thread}: rseq_cs (${desc}) of its shared struct rseq cleared by ${aborted}'s abort`;
}

/** `lazy-clear`: rseq_cs cleared with the IP outside the descriptor's range. */
export function lazyClearWords(thread: string, desc: string): string {
  return `${thread}: rseq_cs (${desc}) cleared lazily, ip outside the c.s.`;
}

/** A thread that finishes with rseq_cs set: the kernel clears nothing, it forgets the thread. */
export function exitWords(thread: string, desc: string): string {
  return `${thread} exits with rseq_cs (${desc}) still set: nothing reads its struct rseq any more`;
}

/** `not-aborted`: back at the exit to user mode, the IP is still inside the c.s. */
export function notAbortedWords(thread: string, desc: string, killed: boolean): string {
  return killed ? `${thread} is not aborted inside ${desc}: the process is killed instead` : `${thread} resumes inside ${desc} without an abort`;
}

/** `ids-written`: a field of the struct rseq changed by the kernel's (or the thread's own) write. */
export function idsWords(thread: string, field: string, value: number): string {
  return `${field} of ${thread}'s struct rseq written: ${value}`;
}

/** `event-recorded`: the event bits now pending (null: only that one is, the mask collapsed to a bit). */
export function eventWords(thread: string, bits: number | null): string {
  if (bits === null) return `${thread}: rseq event pending`;
  const parts = [bits & 1 ? 'PREEMPT' : '', bits & 2 ? 'SIGNAL' : '', bits & 4 ? 'MIGRATE' : ''].filter((x) => x !== '');
  return `${thread}: event bits ${parts.join('|') || 'none'} recorded`;
}

/** `kill`: force_sigsegv. */
export function killWords(thread: string, reason: KillReasonCode): string {
  if (reason === KillReason.sigsegvLoop)
    return `SIGSEGV: ${thread} catches it; each delivery of its handler faults on the same descriptor and queues another (force_sig): ${thread} never leaves the kernel`;
  return `SIGSEGV: ${thread} killed (${killReasonText[reason] ?? ''}); the process dies`;
}

/** `kill` at the SIGSEGV handler's rt_sigreturn: the restored mask unblocks the fatal SIGSEGV. */
export function sigreturnKillWords(thread: string, reason: KillReasonCode): string {
  return `SIGSEGV: ${thread}'s rt_sigreturn unblocks the fatal SIGSEGV (${killReasonText[reason] ?? ''}); the process dies`;
}

/** `sigsegv-handler`: the SIGSEGV a fault forced is delivered to the thread's SIGSEGV handler. */
export function sigsegvHandlerWords(thread: string, reason: KillReasonCode, fatal: boolean): string {
  const why = killReasonText[reason] ?? '';
  if (fatal)
    return `SIGSEGV (${why}) delivered to ${thread}'s SIGSEGV handler; the delivery faults again (force_sigsegv(SIGSEGV): handler reset, fatal SIGSEGV queued): SIGSEGV handler runs with the fatal SIGSEGV blocked; killed at its rt_sigreturn`;
  return `SIGSEGV (${why}) delivered to ${thread}'s SIGSEGV handler; the delivery finds the IP outside the c.s. and clears rseq_cs: an ordinary caught signal`;
}

/** `signal-delivered`: the handler frame saved the interrupted IP. */
export function framePushedWords(thread: string, savedIp: string): string {
  return `signal delivered to ${thread}: handler frame saves ip ${savedIp}`;
}

/** `sigreturn`: the handler frame popped. */
export function sigreturnWords(thread: string, resumesAt: string): string {
  return `${thread} returns from its handler to ${resumesAt}`;
}

/** `commit`: the last instruction of the range ran. */
export function commitWords(desc: string): string {
  return `commit of ${desc}`;
}

/** A switch at a syscall's exit: the yield's own choice of scheduler, or a preemption. */
export function preemptedAtExitWords(ins: Instr): string {
  return ins.op === 'syscall' && ins.name === 'sched_yield' ? 'sched_yield: the scheduler switches to a task ready on this CPU' : 'preempted at syscall exit';
}

/** `ptrace-stop`: the thread stops for its tracer (ptrace_stop → schedule: a context switch). */
export function ptraceStopWords(thread: string, why: 'single-step' | 'syscall'): string {
  return why === 'single-step' ? `${thread} takes the single-step trap and stops for its tracer (a switch out)` : `${thread} stops for its tracer at the syscall (a switch out)`;
}

/** `ptrace-set-ip`: the tracer rewrote the stopped thread's IP, then resumed it. */
export function ptraceSetIpWords(thread: string, from: string, to: string, cpu: string): string {
  return `the tracer sets ${thread}'s IP from ${from} to ${to} (PTRACE_SETREGS) and resumes it (ready on ${cpu})`;
}

/** A `wake` of a thread stopped for its tracer: the tracer resumes it. */
export function tracerResumesWords(thread: string, cpu: string): string {
  return `the tracer resumes ${thread} (ready on ${cpu})`;
}

/** `mm-cid-taken` at a switch-in, of an mm_cid a thread running on another CPU still holds. */
export function mmCidSharedWords(thread: string, cid: number, holder: string, holderCpu: string): string {
  return `${thread} gets mm_cid ${cid}, which ${holder} still holds on ${holderCpu} (a switch-in not ordered against that CPU's claim): two running threads share mm_cid ${cid}`;
}

/**
 * `execve`: success resets the registration; failure returns to the old image with the mm_cid
 * sched_mm_cid_after_execve took (`cid`, undefined when the model reads no mm_cid), with or
 * without notify-resume from the error path.
 */
export function execveWords(thread: string, failed: boolean, notify: boolean, registered: boolean, cid: number | undefined): string {
  if (!failed) return `execve succeeds: the other threads end and ${thread}'s rseq registration is reset (the new image starts unregistered)`;
  const took = cid === undefined ? '' : ` with mm_cid ${cid}, taken afresh`;
  if (notify) return `execve fails: ${thread} returns to its old image${took}; the error path raises notify-resume, so its IDs are written before user space runs`;
  if (!registered) return `execve fails: ${thread} returns to its old image${took} (not registered: no struct rseq to update)`;
  return `execve fails: ${thread} returns to its old image${took}; no notify-resume on the error path: its struct rseq keeps the IDs it had`;
}

/** Event bits as the kernel names them (`collapsed`: the model keeps one "some event" bit). */
function maskWords(bits: number, collapsed: boolean): string {
  if (collapsed) return bits !== 0 ? 'an event' : 'none';
  return [bits & 1 ? 'PREEMPT' : '', bits & 2 ? 'SIGNAL' : '', bits & 4 ? 'MIGRATE' : ''].filter((x) => x !== '').join('|') || 'none';
}

/**
 * `kernel-work` paused: the thread's kernel work stops where a membarrier IPI can land (`again`:
 * the exit loop runs notify-resume once more, after the work that just finished).
 */
export function kernelWorkPausedWords(thread: string, work: 'restart-check' | 'unregister', mask: number, collapsed: boolean, again: boolean): string {
  if (work === 'unregister') return `${thread}'s rseq(UNREGISTER) has cleared the registration, not yet has_rseq (rseq_reset without its IRQ guard): a membarrier IPI can land in between`;
  return `${thread}'s notify-resume handler ${again ? 'runs again and ' : ''}reads the event mask (${maskWords(mask, collapsed)}) in rseq_need_restart, with IRQs on until its clear: a membarrier IPI can land in between`;
}

/** `kernel-work` finished: the second half of the work, and what an IPI in the window changed. */
export function kernelWorkFinishedWords(thread: string, work: 'restart-check' | 'unregister', mask: number, lost: number, collapsed: boolean): string {
  if (work === 'unregister')
    return lost !== 0
      ? `${thread}'s rseq(UNREGISTER) clears has_rseq, but a membarrier IPI in the window has already raised TIF_RSEQ for the exit work`
      : `${thread}'s rseq(UNREGISTER) clears has_rseq: no IPI landed in the window`;
  const read = `${thread}'s rseq_need_restart clears the event mask it read (${maskWords(mask, collapsed)})`;
  return lost !== 0 ? `${read}, losing ${maskWords(lost, collapsed)} a membarrier IPI set after the read` : read;
}

/** `guest-entry`: a thread in ioctl(KVM_RUN) re-enters the guest; what happened to its rseq work. */
export function guestEntryWords(thread: string, path: 'none' | 'dropNotify' | 'updateIds' | 'deferred'): string {
  const enters = `${thread} re-enters the guest inside ioctl(KVM_RUN)`;
  if (path === 'dropNotify') return `${enters}: xfer_to_guest_mode_work clears TIF_NOTIFY_RESUME without calling rseq, so no ID is written before the ioctl returns`;
  if (path === 'updateIds') return `${enters}: xfer_to_guest_mode_work runs rseq_handle_notify_resume(NULL, NULL): IDs written, no IP fixup`;
  if (path === 'deferred') return `${enters}: the 6.19 rework leaves rseq's work to the ioctl's return to user space`;
  return `${enters}: no notify-resume pending`;
}

