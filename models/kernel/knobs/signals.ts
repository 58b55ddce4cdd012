import { knob } from './define.js';

/** NO_RESTART flags and the order of work on the exit-to-user path (§2.3–§2.5). */
export const signalKnobs = [
  knob({
    name: 'noRestartFlags',
    family: 'signals',
    values: ['honoured', 'kill', 'ignored'],
    default: 'honoured',
    doc: 'NO_RESTART_ON_* bits in rseq_cs.flags or struct rseq flags: honoured (L418-L5x), kill the task (L60/L63), ignored (L619)',
    source: '0190e4198e47 (6.0); rseq_update_user_cs (6.19)',
    evidence: 'verified',
  }),
  knob({
    name: 'noRestartSignalRequiresBoth',
    family: 'signals',
    values: 'boolean',
    default: true,
    doc: 'NO_RESTART_ON_SIGNAL without both PREEMPT and MIGRATE is -EINVAL (kill): "a preempted signal handler could fail to restart the prior execution context on sigreturn"',
    source: 'rseq_need_restart (v4.18)',
    evidence: 'verified',
  }),
  knob({
    name: 'signalVsNotifyOrder',
    family: 'signals',
    values: ['signal-first', 'notify-first'],
    default: 'signal-first',
    doc: 'order of signal delivery and notify-resume in one pass of the exit loop: signal-first (x86 4.18, generic entry), notify-first (x86 2020 until the generic-entry conversion)',
    source: 'arch/x86/entry/common.c (4.18); rseq-semantics.md §2.3',
    evidence: 'verified',
  }),
  knob({
    name: 'restartRewindOrder',
    family: 'signals',
    values: ['before-fixup', 'after-fixup'],
    default: 'before-fixup',
    doc: 'syscall-restart IP rewinding before the rseq fixup (correct) or after it (csky once did)',
    source: 'rseq-semantics.md §2.2 (csky historical bug)',
    evidence: 'verified',
  }),
] as const;
