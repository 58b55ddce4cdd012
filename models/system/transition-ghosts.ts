import type { KernelSemantics } from '../kernel/semantics.js';
import { labelKind, labelThread } from './labels.js';

/**
 * Writes the LTL ghosts of successor `out` (models/kernel/layout.ts: lastKind, lastThread,
 * lastCommit, ...): what the transition labelled `label` did, as the kernel's scratch record
 * says. Only for a layout that has them (trackLast).
 */
export function recordLastTransition(k: KernelSemantics, out: Int32Array, label: number): void {
  const L = k.L;
  const scratch = k.scratch;
  k.set(out, L.lastKind, labelKind(label));
  k.set(out, L.lastThread, labelThread(label));
  k.set(out, L.lastCommit, scratch.commit);
  k.set(out, L.lastAbort, scratch.abort);
  k.set(out, L.lastSyscall, scratch.syscall);
  k.set(out, L.lastCsInstr, scratch.csInstr);
  // Only the ghosts read what the transition did: without them it may pile up unread.
  scratch.commit = scratch.abort = scratch.syscall = scratch.csInstr = 0;
}
