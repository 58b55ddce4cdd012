/**
 * percpu-counter: the per-CPU counter of param_test -T i (rseq-semantics.md §3.3). Each thread
 * increments `counter[cpu]` `ops` times through rseq_addv written as weakly ordered
 * architectures write it (load, add, one commit store); a signal handler does one increment of
 * its own and counts it in `handler_commits`. Preemption and migration are unbounded.
 *
 * Expected: holds under every kernel preset; violated when the abort on migration or on signal
 * delivery is disabled (the commit lands on a slot another thread updated meanwhile).
 */
import { I, ModelBuilder, seq } from '../builder.js';
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
    .memory('handler_commits', { size: 'perthread', max: Math.max(1, p.signals) });
  const ops = Array.from({ length: p.ops }, (_, i) => addv(`inc${i}`, 'counter', 1, { next: i + 1 < p.ops ? `inc${i + 1}_retry` : 'finish' }));
  b.program('worker', seq(...ops, I.done({ label: 'finish' })));
  for (let t = 0; t < p.threads; t++) {
    b.program(`handler_T${t + 1}`, seq(addv(`h${t + 1}`, 'counter', 1, { next: `h${t + 1}_count` }), I.addm({ var: 'handler_commits', index: t }, 1, { label: `h${t + 1}_count` }), I.sigreturn()));
    b.thread({ program: 'worker', cpu: `C${t % p.cpus}`, handler: `handler_T${t + 1}` });
  }
  return b
    .budgets({ preemptions: 'unbounded', migrations: 'unbounded', signals: p.signals })
    .final('counter-sum', 'sum(counter) == threads * ops + sum(handler_commits)')
    .build();
}
