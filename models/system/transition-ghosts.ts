import type { Expr } from '../../properties/expr/ast.js';
import type { ModelIR } from '../ir/types.js';
import type { TransitionBits } from '../kernel/decisions.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import { labelKind, labelThread } from './labels.js';

/**
 * The last-transition ghosts some atom of the temporal property reads (reduction
 * `unread-ghosts`): the label's kind and thread (preempt, migrate, signal), and per field the
 * threads whose bit is read (committed, aborted, syscall, cs_instr).
 */
export interface GhostsRead {
  readonly kindAndThread: boolean;
  readonly commit: number;
  readonly abort: number;
  readonly syscall: number;
  readonly csInstr: number;
}

/** Every ghost recorded (no reduction, or atoms not known). */
export const allGhosts: GhostsRead = { kindAndThread: true, commit: -1, abort: -1, syscall: -1, csInstr: -1 };

/**
 * The ghosts the atoms `atoms` read: exactly the transition propositions of
 * models/system/expr-env.ts (committed(T) reads T's lastCommit bit, ..., preempt(T), migrate(T)
 * and signal(T) read lastKind and lastThread); no other atom reads a last-transition ghost.
 */
export function ghostsReadBy(ir: ModelIR, atoms: readonly Expr[]): GhostsRead {
  const read = { kindAndThread: false, commit: 0, abort: 0, syscall: 0, csInstr: 0 };
  const walk = (e: Expr): void => {
    if (e.kind === 'call') {
      const first = e.args[0];
      const t = first?.kind === 'name' ? ir.threads.findIndex((th) => th.name === first.name) : -1;
      const bit = t >= 0 ? 1 << t : 0;
      if (e.fn === 'committed') read.commit |= bit;
      else if (e.fn === 'aborted') read.abort |= bit;
      else if (e.fn === 'syscall') read.syscall |= bit;
      else if (e.fn === 'cs_instr') read.csInstr |= bit;
      else if (e.fn === 'preempt' || e.fn === 'migrate' || e.fn === 'signal') read.kindAndThread = true;
      e.args.forEach(walk);
    } else if (e.kind === 'index') {
      walk(e.base);
      walk(e.index);
    } else if (e.kind === 'unary') walk(e.arg);
    else if (e.kind === 'binary') {
      walk(e.left);
      walk(e.right);
    }
  };
  atoms.forEach(walk);
  return read;
}

/**
 * Writes the LTL ghosts of successor `out` (models/kernel/layout.ts: lastKind, lastThread,
 * lastCommit, ...): what the transition labelled `label` did, as the kernel reported it to
 * `last`, which starts again empty for the next transition. Only for a layout that has them
 * (trackLast). Ghosts no atom reads (`read`) are left 0 (see clearUnreadGhosts).
 */
export function recordLastTransition(k: KernelSemantics, out: Int32Array, label: number, last: TransitionBits, read: GhostsRead): void {
  const L = k.L;
  if (read.kindAndThread) {
    k.set(out, L.lastKind, labelKind(label));
    k.set(out, L.lastThread, labelThread(label));
  }
  k.set(out, L.lastCommit, last.commit & read.commit);
  k.set(out, L.lastAbort, last.abort & read.abort);
  k.set(out, L.lastSyscall, last.syscall & read.syscall);
  k.set(out, L.lastCsInstr, last.csInstr & read.csInstr);
  last.reset();
}

/**
 * Clears the ghosts of `s` no atom reads. They are written after every transition and read by
 * the transition propositions only: nothing in the successor function, the kernel or the
 * canonical form reads them. So two states that differ only in unread ghosts have the same
 * successors (same labels, successors differing again only there) and the same atom values:
 * keeping one of them is a bisimulation, and every LTL formula (X included) and fairness
 * constraint (which read labels and thread statuses) keeps its verdict.
 */
export function clearUnreadGhosts(k: KernelSemantics, s: Int32Array, read: GhostsRead): void {
  const L = k.L;
  if (!read.kindAndThread) {
    k.set(s, L.lastKind, 0);
    k.set(s, L.lastThread, 0);
  }
  k.set(s, L.lastCommit, k.get(s, L.lastCommit) & read.commit);
  k.set(s, L.lastAbort, k.get(s, L.lastAbort) & read.abort);
  k.set(s, L.lastSyscall, k.get(s, L.lastSyscall) & read.syscall);
  k.set(s, L.lastCsInstr, k.get(s, L.lastCsInstr) & read.csInstr);
}
