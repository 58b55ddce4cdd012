import { knob } from './define.js';

/** Kernel work a membarrier RSEQ IPI can interrupt, and the mm_cid handover on a context switch (rseq-semantics.md §2.4, §2.9, §1.4, §2.8, §6). */
export const raceKnobs = [
  knob({
    name: 'eventRMWAtomicVsIPI',
    family: 'races',
    values: 'boolean',
    default: true,
    doc: 'rseq_need_restart reads and clears the event mask with IRQs off, so a membarrier RSEQ IPI cannot land between the read and the clear; false: only preemption is off and the IPI\'s PREEMPT bit is lost (5.10-6.17 without the fix: linux-5.5, linux-6.0, linux-6.3 presets; 4.18-5.9 have no RSEQ membarrier; needs a membarrier in the model)',
    source: '6eb350a22331 "rseq: Protect event mask against membarrier IPI", merged for 6.18-rc1 (core-rseq-2025-09-29 pull); Fixes: 2a36ab717e8f (tip sched/core 2020-09-25, 5.10); stable 6.1.157, 6.6.113, 6.12.54, 6.17.4 (2025-10-17 review series); failed to apply to 5.10.y and 5.15.y, no backport found',
    evidence: 'verified',
  }),
  knob({
    name: 'unregisterAtomicVsIpi',
    family: 'races',
    values: 'boolean',
    default: true,
    doc: 'rseq(UNREGISTER) resets the task\'s rseq state with IRQs off; false: a membarrier RSEQ IPI between clearing the area pointer and clearing has_rseq raises TIF_RSEQ, and the exit work writes to the unregistered area: SIGSEGV inside rseq(UNREGISTER) (6.19 and 7.0.0-7.0.6: the linux-6.19 preset, with no generic IRQ entry or over legacy tracking; needs a membarrier and an unregistration in the model)',
    source: 'rseq_reset() memset without guard(irqsave) in 6.19 and 7.0 (reported by D. Vyukov, <878qa7zexc.ffs@tglx> 2026-04-28); fixed by e9766e6f7d33 "rseq: Protect rseq_reset() against interrupts" (tip sched/urgent, upstream for 7.1), stable 7.0.7 (2026-05-12 review series); no 6.19.y backport found',
    evidence: 'verified',
  }),
  knob({
    name: 'mmCidUniqueness',
    family: 'races',
    values: ['strict', 'racy-without-barrier'],
    default: 'strict',
    doc: 'the mm_cid a thread gets when it is switched in: strict: the smallest one no thread running on another CPU holds (the allocator\'s contract, every preset); racy-without-barrier: also one still held by a thread running on another CPU, as when switch-in reads the per-mm CID state without the barrier that orders it against the other CPU\'s claim, so two running threads of one mm hold the same mm_cid (only models that read mm_cid; the switched-in thread keeps it until it is switched out). No released kernel is known to hand out a held mm_cid: no preset uses it',
    source: 'derived from 223baf9d17f2 "sched: Fix performance regression introduced by mm_cid" (6.4): its migrate-from comment names the failure (clearing a per-CPU cid a task still uses "would lead to concurrent allocation of the cid and userspace corruption") and its Dekker barriers, added in RFC v4 (2023-04-10: "Adding missing barriers at the beginning of switch_mm_cid()") before it was merged; 47ee94efccf6 "sched/mmcid: Protect transition on weakly ordered systems" (tip sched/urgent 2026-02-04, Fixes: fbd0e71dc370 of the 6.19 rework) is a missing-ordering fix whose consequence was CID exhaustion (a hard lockup), not a shared mm_cid. Versions with a shared mm_cid: unverified',
    evidence: 'unverified',
  }),
] as const;
