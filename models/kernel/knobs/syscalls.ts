import { knob } from './define.js';

/** Syscalls issued inside a c.s.: the seed thread's policies (§5.1) and the exit-path check. */
export const syscallKnobs = [
  knob({
    name: 'syscallPolicy',
    family: 'syscalls',
    values: ['a', 'b', 'c', "c'", 'd'],
    default: 'a',
    doc: "a: undefined, no enforcement; b: SIGSEGV at entry if rseq_cs != 0; c: SIGSEGV at entry if ip_e is in the c.s.; c': the same test at exit with ip_x (rseq_syscall, DEBUG_RSEQ); d: c or c' only for syscalls in syscallSet",
    source: 'seed thread 2018-03-29; rseq_syscall (v4.18)',
    evidence: 'verified',
  }),
  knob({ name: 'syscallSet', family: 'syscalls', values: 'set', default: ['fork', 'clone_vm'], doc: 'the syscalls policy d checks', source: 'rseq-semantics.md §5.1', evidence: 'derived' }),
  knob({ name: 'syscallSetCheck', family: 'syscalls', values: ['entry', 'exit'], default: 'entry', doc: "whether policy d applies c (entry) or c' (exit)", source: 'rseq-semantics.md §5.1', evidence: 'derived' }),
  knob({
    name: 'csCheckAfterSyscallSwitch',
    family: 'syscalls',
    values: 'boolean',
    default: true,
    doc: 'when a thread was switched out during a syscall (slept, yielded, was preempted or migrated there), the exit path evaluates its c.s. (L418-L63 via notify-resume with regs); false: the switch raises no event unless IDs changed, and even then the c.s. is skipped because user_irq is clear (L619 non-debug)',
    source: 'rseq_exit_to_user_mode_restart (6.19): "if !user_irq: c.s. not checked"',
    evidence: 'verified',
  }),
] as const;
