/**
 * traced-counter: the per-CPU counter of percpu-counter with a tracer (ptrace) attached to T1
 * (models/kernel/ptrace.ts, rseq-semantics.md §2.7, §5.2 S10). Each thread increments
 * `counter[cpu]` once through rseq_addv, then calls getpid(2), while rseq_cs still points at
 * its descriptor (lazy clearing).
 *
 * - `tracer=1` single-steps T1: every instruction is followed by a ptrace stop, a switch, so
 *   every kernel aborts T1's c.s. at its first stepped instruction and T1 never commits (its
 *   retry loop runs for ever: no final state; G1 holds).
 * - `tracer=2` / `tracer=3`: at the syscall-entry / syscall-exit stop of T1's getpid, the
 *   tracer may set T1's IP back to the commit store of its c.s. (PTRACE_SETREGS). 4.18-6.18
 *   abort it at the resume (the stop is a switch, the IP is in the range of rseq_cs); the 6.19
 *   rework skips the c.s. after a syscall's switch and T1 commits again (G1 broken); the
 *   exit-IP check c' kills T1 at the entry stop (G2: the tracer's IP, not T1's syscall).
 *
 * With `handler`, T1 also has a signal handler that increments (one signal).
 *
 * No data condition: the tracer makes T1 re-run its increment on purpose.
 */
import { I, ModelBuilder, seq } from '../ir/builder.js';
import type { ModelInput } from '../ir/schema.js';
import { addv } from './librseq/primitives.js';

export interface TracedCounterParams {
  /** 1 single-step; 2 SETREGS at the syscall-entry stop; 3 at the syscall-exit stop. */
  readonly tracer: number;
  readonly threads: number;
  readonly cpus: number;
  /** T1 also has a signal handler doing an increment of its own (one signal). */
  readonly handler?: boolean;
}

export function tracedCounter(p: TracedCounterParams): ModelInput {
  const tracer = p.tracer === 1 ? { singleStep: true } : { setIp: 'inc_commit', stop: p.tracer === 2 ? ('syscall-entry' as const) : ('syscall-exit' as const) };
  const f = addv('inc', 'counter', 1, { next: 'call' });
  // rseq_addv's commit is its store, the instruction before post_commit (inc_post).
  const commit = f.code.findIndex((ins) => ins.label === 'inc_post') - 1;
  const code = f.code.map((ins, i) => (i === commit ? { ...ins, label: 'inc_commit' } : ins));
  const b = new ModelBuilder('traced-counter')
    .describe(`${p.threads} threads x 1 rseq_addv increment then getpid on ${p.cpus} CPUs; T1 ${p.tracer === 1 ? 'single-stepped' : `given its commit as IP at the syscall-${p.tracer === 2 ? 'entry' : 'exit'} stop`} by a tracer`)
    .cpus(p.cpus)
    .memory('counter', { size: 'percpu', max: p.threads + (p.handler ? 2 : 1) })
    .program('worker', seq({ code, descriptors: f.descriptors }, I.syscall('getpid', { label: 'call' }), I.done()));
  if (p.handler) b.program('handler', seq(addv('h', 'counter', 1, { next: 'h_end' }), I.sigreturn({ label: 'h_end' })));
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % p.cpus}`, ...(t === 0 ? { tracer, ...(p.handler ? { handler: 'handler' } : {}) } : {}) });
  return b.budgets({ preemptions: 1, migrations: 0, ...(p.handler ? { signals: 1 } : {}) }).build();
}
