/**
 * Litmus cases as jobs on the Redis queue (`litmus --suite --queue URL`): one job per case, run
 * by `rseq-check worker` processes each on its own machine and kernel. A case's result travels
 * as plain data (its outcome counts as pairs, its model's outcomes without the policy object,
 * which `policy` names) and says where it ran; the coordinator checks it before use.
 */
import { z } from 'zod';
import { checkReachable, type QueueTarget } from '../run/queue/connection.js';
import { newRunId, runOnQueue, type CoordinatorOptions } from '../run/queue/coordinator.js';
import { QueueJobFailed } from '../run/queue/job-failed.js';
import { QUEUE_PROTOCOL, type LitmusCasePayload, type ModelSource } from '../run/queue/payload.js';
import type { ResolvedModel } from '../models/library/resolve.js';
import type { CaseResult } from './case-result.js';
import type { LitmusQueueRunner, QueueEnd } from './queued-run.js';

const verdicts = ['ok', 'MODEL TOO STRONG', 'cannot run', 'inconclusive'] as const;
const name = z.string().max(300);

/** A case's result as a worker returns it: checked for its identity, verdict, counts and provenance (its details travel as they are). */
const caseWire = z
  .object({
    id: name,
    verdict: z.enum(verdicts),
    runs: z.number().int().nonnegative(),
    observed: z.array(z.tuple([z.string().max(10_000), z.number().int().nonnegative()])).max(100_000),
    allowed: z.array(z.string().max(10_000)),
    notAllowed: z.array(z.string().max(10_000)),
    ranOn: z
      .object({
        host: name,
        kernel: z.object({ release: name, arch: name, preset: name.nullable(), knobs: z.array(name).max(100), note: z.string().max(2000) }).strict(),
        compiler: name,
      })
      .strict(),
  })
  .passthrough();

/** A case's result as plain data for the queue (the inverse of the check in `litmusQueue`). */
export function caseToWire(r: CaseResult): unknown {
  const model = r.model ? { outcomes: r.model.outcomes, complete: r.model.complete, ...(r.model.stoppedBy !== undefined ? { stoppedBy: r.model.stoppedBy } : {}), states: r.model.states, seconds: r.model.seconds, domainViolations: r.model.domainViolations, budgets: r.model.budgets } : undefined;
  return { ...r, observed: [...r.observed.entries()], ...(model ? { model } : {}) };
}

/**
 * The runner `litmus --queue` uses: its cases' jobs go on the queue at `target` with this
 * rseq-check `version` (a worker of another version refuses them); `onBoard` shows cases done /
 * running / failed per worker. An unreachable queue is bad input (InputErrors, exit 2); a job
 * failing on every attempt throws QueueJobFailed.
 */
export function litmusQueue(target: QueueTarget, version: string, modelSource: (spec: string, model: ResolvedModel) => ModelSource, onBoard?: CoordinatorOptions['onBoard']): LitmusQueueRunner {
  return {
    modelSource,
    async run(cases, options) {
      // Reached only once the command line and its cases are known good: bad input is exit 2 before any connection.
      await checkReachable(target);
      const run = newRunId();
      const deadline = options.maxSeconds !== undefined ? Date.now() + options.maxSeconds * 1000 : undefined;
      const payloads: LitmusCasePayload[] = cases.map((c) => ({
        protocol: QUEUE_PROTOCOL,
        version,
        run,
        kind: 'litmus-case',
        case: c.identity,
        ...(options.policy !== undefined ? { policy: options.policy } : {}),
        runs: options.runs,
        seconds: options.seconds,
        ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
        ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
      }));
      const check = (value: unknown, i: number): CaseResult => {
        const expected = cases[i]!;
        const r = caseWire.safeParse(value);
        if (!r.success || r.data.id !== expected.id)
          throw new QueueJobFailed(`a worker returned a malformed result for litmus case ${expected.id}${r.success ? ` (it names ${r.data.id})` : `: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`}; the run has no verdict`);
        // The rest of the case's fields pass as the worker's rseq-check (of this version) wrote them.
        // The title is the coordinator's: a model's names the file the worker never saw.
        return { ...(value as Omit<CaseResult, 'observed'>), title: expected.title, observed: new Map(r.data.observed) };
      };
      const { results, ended } = await runOnQueue(target, run, payloads, check, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
        ...(onBoard ? { onBoard } : {}),
      });
      // A queued litmus run has no early end by result ('enough' is the swarm's).
      const end: QueueEnd | undefined = ended === undefined || ended.kind === 'enough' ? undefined : ended;
      return { results: results as readonly (CaseResult | undefined)[], ...(end ? { ended: end } : {}) };
    },
  };
}
