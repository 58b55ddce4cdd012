import { knob } from './define.js';

/** Architecture entry code (§2.6). */
export const archKnobs = [
  knob({ name: 'genericIrqEntry', family: 'arch', values: 'boolean', default: true, doc: 'the arch uses GENERIC_IRQ_ENTRY (x86, and arm64 since 6.19)', source: 'include/linux/rseq.h (6.19)', evidence: 'verified' }),
  knob({
    name: 'archSetsUserIrq',
    family: 'arch',
    values: 'boolean',
    default: true,
    doc: 'interrupt/exception entry from user mode sets user_irq (rseq_note_user_irq_entry, generic entry code: without genericIrqEntry it is never set); false as arm64 in 6.19 before its fix',
    source: 'rseq-semantics.md §2.6 (arm64 historical bug)',
    evidence: 'verified',
  }),
] as const;
