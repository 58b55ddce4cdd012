/**
 * percpu-counter: the per-CPU counter of param_test -T i (rseq-semantics.md §3.3). Each thread
 * increments `counter[cpu]` `ops` times through rseq_addv written as weakly ordered
 * architectures write it (load, add, one commit store); a signal handler does one increment of
 * its own and counts it in `handler_commits`. Preemption and migration are unbounded.
 *
 * Expected: holds under every kernel preset; violated when the abort on migration or on signal
 * delivery is disabled (the commit lands on a slot another thread updated meanwhile).
 */
import { I, ModelBuilder, seq } from '../ir/builder.js';
import type { ModelInput } from '../ir/schema.js';
import { addv } from './librseq/primitives.js';

export interface PercpuCounterParams {
  readonly threads: number;
  readonly ops: number;
  readonly signals: number;
  readonly cpus: number;
}

export function percpuCounter(p: PercpuCounterParams): ModelInput {
  const max = p.threads * p.ops + p.signals;
  const b = new ModelBuilder('percpu-counter')
    .describe(`${p.threads} threads x ${p.ops} rseq_addv increments on ${p.cpus} CPUs, ${p.signals} signal(s) whose handler increments too`)
    .cpus(p.cpus)
    .memory('counter', { size: 'percpu', max })
    // One shared count, bumped by a single instruction after the handler's commit. Threads then
    // run identical code, so the checker's thread-symmetry reduction applies.
    .memory('handler_commits', { max: Math.max(1, p.signals) });
  const ops = Array.from({ length: p.ops }, (_, i) => addv(`inc${i}`, 'counter', 1, { next: i + 1 < p.ops ? `inc${i + 1}_retry` : 'finish' }));
  b.program('worker', seq(...ops, I.done({ label: 'finish' })));
  b.program('handler', seq(addv('h', 'counter', 1, { next: 'h_count' }), I.addm({ var: 'handler_commits' }, 1, { label: 'h_count' }), I.sigreturn()));
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % p.cpus}`, handler: 'handler' });
  return b
    .budgets({ preemptions: 'unbounded', migrations: 'unbounded', signals: p.signals })
    .final('counter-sum', 'sum(counter) == threads * ops + handler_commits')
    .build();
}

/**
 * plain-counter: the per-CPU counter without a critical section (no rseq_cs, no abort): the
 * classic lost update once a thread is preempted or migrated between its load and its store.
 * Expected: the final sum is violated under every policy.
 */
export function plainCounter(p: { threads: number; ops: number; cpus: number }): ModelInput {
  const b = new ModelBuilder('plain-counter')
    .describe(`${p.threads} threads x ${p.ops} unprotected per-CPU increments on ${p.cpus} CPUs`)
    .cpus(p.cpus)
    .memory('counter', { size: 'percpu', max: p.threads * p.ops });
  const ops = Array.from({ length: p.ops }, () => [I.readId('r0', 'cpu_id_start'), I.load('r1', { var: 'counter', index: 'r0' }), I.add('r1', 1), I.store({ var: 'counter', index: 'r0' }, 'r1')]).flat();
  b.program('worker', [...ops, I.done()]);
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % p.cpus}` });
  return b.budgets({ preemptions: 'unbounded', migrations: 'unbounded' }).final('counter-sum', 'sum(counter) == threads * ops').build();
}
