import type { TransitionBits } from '../kernel/decisions.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import { labelKind, labelThread } from './labels.js';

/**
 * Writes the LTL ghosts of successor `out` (models/kernel/layout.ts: lastKind, lastThread,
 * lastCommit, ...): what the transition labelled `label` did, as the kernel reported it to
 * `last`, which starts again empty for the next transition. Only for a layout that has them
 * (trackLast).
 */
export function recordLastTransition(k: KernelSemantics, out: Int32Array, label: number, last: TransitionBits): void {
  const L = k.L;
  k.set(out, L.lastKind, labelKind(label));
  k.set(out, L.lastThread, labelThread(label));
  k.set(out, L.lastCommit, last.commit);
  k.set(out, L.lastAbort, last.abort);
  k.set(out, L.lastSyscall, last.syscall);
  k.set(out, L.lastCsInstr, last.csInstr);
  last.reset();
}
