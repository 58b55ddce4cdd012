import { encodeValue, RSEQ_CPU_ID_UNINITIALIZED } from './encoding.js';
import type { KernelView } from './kernel-view.js';
import { Status } from './layout.js';

/**
 * execve(2) that succeeds (fs/exec.c bprm_execve, rseq-semantics.md §2.8): de_thread ends every
 * other thread of the process; rseq_execve resets the registration (K.rseq = NULL, event mask
 * cleared), so the new image starts unregistered and must register again; its single thread
 * takes mm_cid 0 of the new mm. The new image's code is the instructions after the syscall,
 * starting with fresh registers and a fresh struct rseq (cpu_id_start 0, cpu_id -1, rseq_cs 0).
 */
export function execveSucceeds(k: KernelView, s: Int32Array, t: number): void {
  const L = k.L;
  // Stryker disable next-line EqualityOperator: equivalent, past the last thread the status is no field and reads 0 (Dormant): skipped
  for (let u = 0; u < k.ir.threads.length; u++) {
    const st = k.get(s, L.status[u]!);
    // Stryker disable next-line ConditionalExpression: equivalent, t itself set Done is set Running (exitToUser) or Ready (preempted at exit) before anything reads it; a Done thread set Done again is unchanged
    if (u !== t && st !== Status.Dormant && st !== Status.Done) k.set(s, L.status[u]!, Status.Done);
  }
  k.setArea(s, t, -1);
  k.set(s, L.evMask[t]!, 0);
  k.set(s, L.tifNotify[t]!, 0);
  // Stryker disable next-line ArrayDeclaration: equivalent, only the 6.19 rework sets these four and its exit work clears them on every return to user space: a thread executing execve has them all 0
  for (const f of [L.schedSwitch, L.idsChanged, L.userIrq, L.tifRseq]) k.set(s, f[t]!, 0);
  // Stryker disable next-line ConditionalExpression: equivalent, mmCid is written only when tracked: untracked it is 0 already
  if (k.trackMmCid) k.set(s, L.mmCid[t]!, 0);
  k.set(s, L.cpuIdStart[t]!, encodeValue(0));
  k.set(s, L.cpuId[t]!, encodeValue(RSEQ_CPU_ID_UNINITIALIZED));
  k.set(s, L.rseqCs[t]!, 0);
  k.set(s, L.areaMmCid[t]!, 0);
  const f = k.topFrame(s, t);
  // Stryker disable next-line EqualityOperator: equivalent, execve runs at level 0 (not in handlers): the extra index is r0 of the unused level-1 frame, already 0
  for (let r = 0; r < L.registers; r++) k.set(s, L.regs[f * L.registers + r]!, encodeValue(0));
  k.set(s, L.armed[f]!, 0);
  // Stryker disable next-line BooleanLiteral: equivalent, the words of a successful execve ignore notify
  k.sink?.decide({ kind: 'execve', thread: t, failed: false, notify: false });
}

/**
 * execve(2) that fails after the point of no return was not reached: the old image goes on.
 * sched_mm_cid_before_execve dropped the thread's mm_cid and sched_mm_cid_after_execve took the
 * smallest one no thread running on another CPU holds, which may differ. With
 * notifyOnExecFailure the error path then raises notify-resume ("the mm_cid may have changed",
 * 169eae7711ea; before it sched_mm_cid_after_execve raised it on both paths since 6.3), so the
 * return to user space rewrites the IDs; without it struct rseq keeps the old mm_cid. Under the
 * 6.19 rework the error path calls rseq_sched_switch_event with ids_changed raised [derived].
 */
export function execveFails(k: KernelView, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.trackMmCid) {
    let used = 0;
    // Stryker disable next-line EqualityOperator: equivalent, past the last thread the status is no field and reads 0 (not Running)
    for (let u = 0; u < k.ir.threads.length; u++) if (u !== t && k.get(s, L.status[u]!) === Status.Running) used |= 1 << k.get(s, L.mmCid[u]!);
    let cid = 0;
    while (used & (1 << cid)) cid++;
    k.set(s, L.mmCid[t]!, cid);
    // Stryker disable next-line StringLiteral: equivalent, no consumer reads `at`
    k.sink?.decide({ kind: 'mm-cid-taken', thread: t, cid, heldBy: -1, at: 'execve-failure' });
  }
  const notify = k.policy.notifyOnExecFailure && k.area(s, t) >= 0;
  k.sink?.decide({ kind: 'execve', thread: t, failed: true, notify });
  if (!notify) return;
  if (!k.rework) {
    k.set(s, L.tifNotify[t]!, 1);
    return;
  }
  for (const f of [L.idsChanged, L.schedSwitch, L.tifRseq]) k.set(s, f[t]!, 1);
}

/** The thread running on another CPU than t that holds mm_cid `cid`, or -1 (the allocator's contract: none). */
export function mmCidHolder(k: KernelView, s: Int32Array, t: number, cid: number): number {
  const L = k.L;
  // Stryker disable next-line EqualityOperator: equivalent, past the last thread the status is no field and reads 0 (not Running)
  for (let u = 0; u < k.ir.threads.length; u++) if (u !== t && k.get(s, L.status[u]!) === Status.Running && k.get(s, L.mmCid[u]!) === cid) return u;
  return -1;
}

/**
 * The mm_cids of the initial state: the threads running at the start hold distinct ones (the
 * allocator's contract among concurrently running threads), 0, 1, ... in thread order, and a
 * registered thread's struct rseq shows its own. Waiting threads get theirs at switch-in.
 */
export function initialMmCids(k: KernelView, s: Int32Array): void {
  const L = k.L;
  let next = 0;
  // Stryker disable next-line EqualityOperator: equivalent, past the last thread the status is no field and reads 0 (not Running)
  for (let t = 0; t < k.ir.threads.length; t++) {
    if (k.get(s, L.status[t]!) !== Status.Running) continue;
    k.set(s, L.mmCid[t]!, next);
    if (k.area(s, t) === t) k.set(s, L.areaMmCid[t]!, next);
    next++;
  }
}

/**
 * mm_cid uniqueness as user space sees it: no two running threads read the same mm_cid from
 * their own registered struct rseq (what an mm_cid-indexed c.s. relies on, U7).
 */
export function mmCidsUnique(k: KernelView, s: Int32Array): boolean {
  const L = k.L;
  let seen = 0;
  // Stryker disable next-line EqualityOperator: equivalent, past the last thread the status is no field and reads 0 (not Running)
  for (let t = 0; t < k.ir.threads.length; t++) {
    if (k.get(s, L.status[t]!) !== Status.Running || k.area(s, t) !== t) continue;
    const bit = 1 << k.get(s, L.areaMmCid[t]!);
    if (seen & bit) return false;
    seen |= bit;
  }
  return true;
}
