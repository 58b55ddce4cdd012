import { knob } from './define.js';

/** Kernel work a membarrier RSEQ IPI can interrupt (rseq-semantics.md §2.4, §2.9, §1.4). */
export const raceKnobs = [
  knob({
    name: 'eventRMWAtomicVsIPI',
    family: 'races',
    values: 'boolean',
    default: true,
    doc: 'rseq_need_restart reads and clears the event mask with IRQs off, so a membarrier RSEQ IPI cannot land between the read and the clear; false: only preemption is off (5.10 until the fix) and the IPI\'s PREEMPT bit is lost (4.18-6.18 families; needs a membarrier in the model)',
    source: '6eb350a22331 "rseq: Protect event mask against membarrier IPI" (Fixes: 2a36ab717e8f, 5.10; stable e.g. 6.12.53)',
    evidence: 'verified',
  }),
  knob({
    name: 'unregisterAtomicVsIpi',
    family: 'races',
    values: 'boolean',
    default: true,
    doc: 'rseq(UNREGISTER) resets the task\'s rseq state with IRQs off; false: a membarrier RSEQ IPI between clearing the area pointer and clearing has_rseq raises TIF_RSEQ, and the exit work writes to the unregistered area: SIGSEGV inside rseq(UNREGISTER) (6.19+ families, legacy tracking or no generic IRQ entry; needs a membarrier and an unregistration in the model)',
    source: 'rseq_reset() memset without guard(irqsave) (6.19, 7.0); reported by D. Vyukov, fix posted by T. Gleixner <878qa7zexc.ffs@tglx> (2026-04-28), landed commit not seen [unverified]',
    evidence: 'derived',
  }),
] as const;
