import type { BitLayout } from '../../checker/packing.js';
import type { ModelIR } from '../ir/types.js';
import { isReworkFamily, type Policy } from './policy.js';

/**
 * Kernel work a membarrier RSEQ IPI can land inside (rseq-semantics.md §2.4, §2.9, §1.4): the
 * per-thread "kernel work in progress" field of the state. It exists only when the model and
 * the policy allow such a race (`kernelWorkPossible`); otherwise every method is a no-op that
 * costs one comparison and the state has no such field.
 *
 * Stored value: the kind in bits 0-1, whether the exit path started from a syscall in bit 2,
 * and the event mask the interrupted handler read in bits 3-5.
 */
export const WorkKind = {
  none: 0,
  /** rseq_need_restart read the event mask and has not cleared it yet (before 6eb350a22331). */
  maskRead: 1,
  /** rseq(UNREGISTER) cleared the registration but not yet has_rseq (rseq_reset's memset). */
  unregistering: 2,
  /** ... and an IPI found has_rseq still set: it raised TIF_RSEQ with the registration gone. */
  unregisterRaised: 3,
} as const;

const KIND_MASK = 3;
const FROM_SYSCALL = 4;
const MASK_SHIFT = 3;
/** Width of the field (kind, syscall bit, 3 event bits). */
export const KERNEL_WORK_BITS = 6;

/** Whether the model contains a syscall named `name`. */
function usesSyscall(ir: ModelIR, name: string): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, only syscall instructions carry a name in the IR (a vdso call's is dropped), so the op test never decides
  return ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && i.name === name));
}

/** The event-mask race: 4.18-6.18 without the IRQ guard, with membarrier IPIs that abort. */
function maskRaceOpen(ir: ModelIR, policy: Policy): boolean {
  return !policy.eventRMWAtomicVsIPI && !isReworkFamily(policy) && policy.abortOnMembarrier && usesSyscall(ir, 'membarrier');
}

/**
 * The unregistration race: the 6.19+ rseq_reset without its IRQ guard, where an IPI in the
 * window raises TIF_RSEQ (legacy tracking, or an arch without generic IRQ entry: the V2 test
 * `(user_irq | ids_changed) & has_rseq` reads the already cleared event bits).
 */
function unregisterRaceOpen(ir: ModelIR, policy: Policy): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, the caller also requires isReworkFamily, so a policy that is not legacyV1 here is userIrqOnly
  const raises = policy.eventTracking === 'legacyV1' || (policy.eventTracking === 'userIrqOnly' && !policy.genericIrqEntry);
  return !policy.unregisterAtomicVsIpi && isReworkFamily(policy) && raises && policy.abortOnMembarrier && usesSyscall(ir, 'membarrier') && usesSyscall(ir, 'rseq_unregister');
}

/** Whether the state needs the kernel-work field (some IPI can land inside kernel work). */
export function kernelWorkPossible(ir: ModelIR, policy: Policy): boolean {
  return maskRaceOpen(ir, policy) || unregisterRaceOpen(ir, policy);
}

/** Reads and writes the kernel-work field of a thread (see WorkKind). */
export class KernelWork {
  readonly maskRace: boolean;
  readonly unregisterRace: boolean;

  /** @param field per thread, the field id (empty when the state has none) */
  constructor(
    ir: ModelIR,
    policy: Policy,
    private readonly b: BitLayout,
    private readonly field: Int32Array,
  ) {
    this.maskRace = field.length > 0 && maskRaceOpen(ir, policy);
    this.unregisterRace = field.length > 0 && unregisterRaceOpen(ir, policy);
  }

  /** The kind of kernel work t is inside (WorkKind.none when it is in none). */
  kind(s: Int32Array, t: number): number {
    // Stryker disable next-line ConditionalExpression: equivalent, without a field this.field[t] is undefined and BitLayout reads an absent field as 0 (= none)
    return this.field.length === 0 ? WorkKind.none : this.b.get(s, this.field[t]!) & KIND_MASK;
  }
  fromSyscall(s: Int32Array, t: number): boolean {
    return (this.b.get(s, this.field[t]!) & FROM_SYSCALL) !== 0;
  }
  /** The event mask the paused handler read. */
  maskRead(s: Int32Array, t: number): number {
    return this.b.get(s, this.field[t]!) >>> MASK_SHIFT;
  }
  begin(s: Int32Array, t: number, kind: number, fromSyscall: boolean, mask = 0): void {
    this.b.set(s, this.field[t]!, kind | (fromSyscall ? FROM_SYSCALL : 0) | (mask << MASK_SHIFT));
  }
  /** Marks the paused work as coming from a syscall (the exit path knows it, not the handler). */
  markFromSyscall(s: Int32Array, t: number): void {
    this.b.set(s, this.field[t]!, this.b.get(s, this.field[t]!) | FROM_SYSCALL);
  }
  setKind(s: Int32Array, t: number, kind: number): void {
    this.b.set(s, this.field[t]!, (this.b.get(s, this.field[t]!) & ~KIND_MASK) | kind);
  }
  end(s: Int32Array, t: number): void {
    this.b.set(s, this.field[t]!, 0);
  }
}
