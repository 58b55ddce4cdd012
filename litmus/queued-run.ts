/**
 * `litmus --queue`: the cases go on the job queue, one job per case, and their results come back
 * from the workers that ran them, each on its own machine and kernel (the runner is litmus/queue.ts,
 * which the command line builds, so that no run without --queue loads BullMQ).
 */
import { namingSignal, type Limit } from '../checker/result.js';
import type { ResolvedModel } from '../models/library/resolve.js';
import type { LitmusCasePayload, ModelSource } from '../run/queue/payload.js';
import type { CaseResult, KernelSummary, LitmusStop, RanOn } from './case-result.js';
import type { LitmusCases } from './in-process.js';
import { formatKernelLine } from './report.js';

/** A case as a queued run names it to the workers (the job's identity), with the coordinator's id and title for it. */
export interface QueuedCase {
  readonly id: string;
  readonly title: string;
  readonly identity: LitmusCasePayload['case'];
}

/** How a queued run ended before all its cases were done. */
export type QueueEnd = { readonly kind: 'signal' } | { readonly kind: 'time' } | { readonly kind: 'lost'; readonly why: string };

/** The settings of a queued run: each job's, and the whole run's time limit and stop signal. */
export interface QueuedRunOptions {
  readonly policy?: string;
  readonly runs: number;
  readonly seconds: number;
  readonly maxStates?: number;
  readonly maxMemoryMB?: number;
  readonly maxSeconds?: number;
  readonly signal?: AbortSignal;
}

/** What runs the cases on the job queue (litmus/queue.ts; the command line builds it, so that no run without --queue loads BullMQ). */
export interface LitmusQueueRunner {
  /** How the workers find a MODEL: by name when built in, else its JSON. */
  modelSource(spec: string, model: ResolvedModel): ModelSource;
  /** One job per case; a result per case (undefined where not done; each names where it ran), and why the run ended early. */
  run(cases: readonly QueuedCase[], options: QueuedRunOptions): Promise<{ results: readonly (CaseResult | undefined)[]; ended?: QueueEnd }>;
}

/**
 * `--queue`: one job per case; each worker runs its case on its own kernel, judged against the
 * preset its kernel release resolves to (or --policy). The report is the in-process one, with
 * the kernel and compiler lines once per machine kind and each case naming where it ran.
 */
export async function runQueued(queue: LitmusQueueRunner, cases: LitmusCases, options: QueuedRunOptions, say: (s: string) => void): Promise<{ results: CaseResult[]; kernel: KernelSummary | null; stop?: LitmusStop }> {
  const todo: QueuedCase[] = [
    ...cases.generated.map((c) => ({ id: c.id, title: c.title, identity: c.identity ?? { suite: c.id } })),
    ...cases.paths.map((c) => ({ id: c.id, title: c.title, identity: { suite: c.id } })),
  ];
  const { results: done, ended } = await queue.run(todo, options);
  const results = done.filter((r): r is CaseResult => r !== undefined);
  // The machines the cases ran on: one kernel line and compiler line per kernel and compiler, with its hosts' cases.
  const machines = new Map<string, { ranOn: RanOn; cases: CaseResult[] }>();
  for (const r of results) {
    const key = JSON.stringify([r.ranOn!.kernel, r.ranOn!.compiler]);
    const m = machines.get(key) ?? { ranOn: r.ranOn!, cases: [] };
    m.cases.push(r);
    machines.set(key, m);
  }
  for (const { ranOn, cases: ran } of machines.values()) {
    say(formatKernelLine(ranOn.kernel, options.policy));
    say(`compiler: ${ranOn.compiler}`);
    const hosts = [...new Set(ran.map((r) => r.ranOn!.host))].map((h) => `${h} (${ran.filter((r) => r.ranOn!.host === h).map((r) => r.id).join(', ')})`);
    say(`ran on: ${hosts.join(', ')}`);
  }
  if (ended?.kind === 'lost') say(`litmus: ${ended.why}; the cases not done are not run`);
  const notRun = todo.filter((_, i) => done[i] === undefined).map((c) => c.id);
  const stoppedBy: Limit = ended?.kind === 'time' ? { kind: 'time', bound: options.maxSeconds! } : namingSignal({ kind: 'interrupted' }, options.signal);
  const stop = notRun.length > 0 ? { stoppedBy, notRun } : undefined;
  const kernel = machines.size === 1 ? [...machines.values()][0]!.ranOn.kernel : null;
  return { results, kernel, ...(stop ? { stop } : {}) };
}
