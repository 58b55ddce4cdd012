/**
 * The seed thread's proposals (rseq-semantics.md §5.1), each in one sentence, with the words of
 * the thread (LKML, 2018-03-29, "Re: [RFC PATCH for 4.17 02/21] rseq: Introduce restartable
 * sequences system call (v12)") it comes from. The review page heads its columns with them.
 */

/** One proposal: its letter (the `a` of the preset `a@4.18`), what it means, and the thread's words. */
export interface SeedProposal {
  readonly id: string;
  readonly meaning: string;
  readonly quote: string;
  readonly by: string;
}

export const seedProposals: readonly SeedProposal[] = [
  {
    id: 'a',
    meaning: 'No enforcement: a system call inside a critical section is only documented as leaving the restart behaviour undefined.',
    quote: 'We could simply document that issuing a system call within a rseq critical section will cause the restart behavior (whether the critical section is restarted or not) to be undefined.',
    by: 'Mathieu Desnoyers',
  },
  {
    id: 'b',
    meaning: 'Kill the process (SIGSEGV) at system call entry whenever its rseq_cs pointer is set, without looking at the instruction pointer.',
    quote: 'We need to decide whether we just document that syscalls within rseq c.s. are not supported, or we enforce a behavior if this happens (e.g. SIGSEGV).',
    by: 'Mathieu Desnoyers',
  },
  {
    id: 'c',
    meaning: 'Kill the process at system call entry when the instruction pointer lies inside the registered critical section.',
    quote: "…the instruction pointer comparison would detect that we're not actually running in the rseq critical section if a syscall is issued from the signal handler.",
    by: 'Mathieu Desnoyers, answering Peter Zijlstra',
  },
  {
    id: "c'",
    meaning: 'The same instruction-pointer test at system call exit, as the kernel implemented it for CONFIG_DEBUG_RSEQ.',
    quote: 'Enforcing SIGSEGV on syscall entry when nested in a rseq critical section will not be free both in terms of syscall overhead, and in terms of code maintenance…',
    by: 'Mathieu Desnoyers',
  },
  {
    id: 'd',
    meaning: 'Check as (c), but only for chosen system calls (here fork and clone with CLONE_VM).',
    quote: 'We need to decide whether all syscalls are disallowed, or if we want to pick specific ones (e.g. fork()).',
    by: 'Mathieu Desnoyers (Peter Zijlstra: "All.")',
  },
];
