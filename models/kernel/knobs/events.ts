import { knob } from './define.js';

/** Event tracking and when pending events are consumed (rseq-semantics.md §2.2, §2.4–§2.6). */
export const eventKnobs = [
  knob({
    name: 'eventTracking',
    family: 'events',
    values: ['mask3', 'anyEvent', 'userIrqOnly', 'legacyV1'],
    default: 'mask3',
    doc: 'mask3: PREEMPT/SIGNAL/MIGRATE bits filtered by NO_RESTART flags (L418); anyEvent: any bit restarts (L60/L63); userIrqOnly: sched_switch raised only if user_irq or IDs changed (L619, L71-V2); legacyV1: every switch raises (L71 legacy)',
    source: 'kernel/rseq.c v4.18, 0190e4198e47 (6.0), include/linux/rseq.h (6.19), 22a92dbd6083 (7.1)',
    evidence: 'verified',
  }),
  knob({
    name: 'eventMaskClear',
    family: 'events',
    values: ['onlyWhenInCs', 'everyExit'],
    default: 'onlyWhenInCs',
    doc: 'onlyWhenInCs: the event mask is consumed only when the handler finds ip inside a c.s., so stale bits accumulate (L418-L63); everyExit: events cleared on every exit to user (L619)',
    source: 'rseq_ip_fixup (v4.18) returns before reading the mask on lazy clear; rseq_exit_to_user_mode (6.19) sets events = 0',
    evidence: 'verified',
  }),
  knob({ name: 'abortOnPreempt', family: 'events', values: 'boolean', default: true, doc: 'a preemption (context switch out of user mode) can abort a c.s.; false models a kernel that forgets it', source: 'what-if switch', evidence: 'derived' }),
  knob({ name: 'abortOnMigrate', family: 'events', values: 'boolean', default: true, doc: 'a migration (with the switch it implies) can abort a c.s.', source: 'what-if switch', evidence: 'derived' }),
  knob({ name: 'abortOnSignal', family: 'events', values: 'boolean', default: true, doc: 'signal delivery with a handler frame can abort a c.s.', source: 'what-if switch', evidence: 'derived' }),
  knob({ name: 'abortOnMembarrier', family: 'events', values: 'boolean', default: true, doc: 'a membarrier RSEQ IPI can abort a c.s.', source: 'what-if switch', evidence: 'derived' }),
  knob({ name: 'abortOnTrap', family: 'events', values: 'boolean', default: true, doc: 'a sleeping page fault (a context switch) can abort a c.s.', source: 'what-if switch', evidence: 'derived' }),
] as const;
