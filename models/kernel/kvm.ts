import type { KernelView } from './kernel-view.js';
import { Entry } from './layout.js';

/** Whether thread t sleeps in ioctl(KVM_RUN): it entered the kernel through a kvm_run syscall. */
export function inKvmRun(k: KernelView, s: Int32Array, t: number): boolean {
  if (k.get(s, k.L.entry[t]!) !== Entry.Syscall) return false;
  const ins = k.ir.programs[k.programOf(s, t, k.level(s, t))]!.code[k.get(s, k.L.ip[k.topFrame(s, t)]!) - 1];
  // Stryker disable next-line ConditionalExpression: equivalent for the op test made true, only a syscall's IR carries a name (a vDSO call's has none)
  return ins !== undefined && ins.op === 'syscall' && ins.name === 'kvm_run';
}

/**
 * xfer_to_guest_mode_work before a thread in ioctl(KVM_RUN), just switched in, re-enters the
 * guest (kernel/entry/kvm.c): it handles TIF_NOTIFY_RESUME, so the ioctl's later return to
 * user space finds it clear. Knob kvmPath: `updateIds` (8646e53633f3) runs
 * rseq_handle_notify_resume(NULL, NULL): regs is NULL, so no IP fixup (the event mask stays as
 * it is), then the ID update; `dropNotify` (72c3c0fe54a3 until that fix) only clears the flag.
 * The 6.19 rework keeps its own TIF_RSEQ work for the return to user space: nothing here.
 */
export function enterGuest(k: KernelView, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.rework || k.get(s, L.tifNotify[t]!) === 0) {
    k.sink?.decide({ kind: 'guest-entry', thread: t, path: k.rework ? 'deferred' : 'none' });
    return;
  }
  k.sink?.decide({ kind: 'guest-entry', thread: t, path: k.policy.kvmPath });
  k.set(s, L.tifNotify[t]!, 0);
  // Stryker disable next-line ConditionalExpression, StringLiteral: equivalent, area >= 0 made true: updateIds itself returns for an unregistered thread; force made false: before the rework with everyHandlerRun the canonical form clears kIdCpu (canonical.ts kIdCpuDead), so updateIds finds no cached CPU and writes as with force, and under the rework this line is not reached
  if (k.policy.kvmPath === 'updateIds' && k.area(s, t) >= 0) k.updateIds(s, t, k.policy.idUpdate === 'everyHandlerRun');
}
