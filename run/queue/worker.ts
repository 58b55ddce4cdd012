/**
 * `rseq-check worker --queue URL`: takes jobs off the shared queue one at a time (or
 * `concurrency` at once), validates each payload before use, runs it in-process and returns its
 * result as plain data. A job whose coordinator stopped (its run's stop key is set) is aborted
 * and ends incomplete. A worker that dies mid-job holds its job's lock no longer: after
 * `stallSeconds` another worker's stalled-job check puts the job back on the queue.
 */
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { reviewCell } from '../review-cell.js';
import type { ReviewCell } from '../result.js';
import { redactedMessage, type QueueTarget } from './connection.js';
import { parsePayload, QUEUE_NAME, type JobPayload } from './payload.js';
import { stopKey } from './stop-key.js';

export interface QueueWorkerOptions {
  /** This worker's rseq-check version: payloads of another version are refused. */
  readonly version: string;
  /** How the worker names itself to coordinators (progress per worker). */
  readonly name: string;
  /** Jobs run at once. @defaultValue 1 */
  readonly concurrency?: number;
  /** A worker silent this long is presumed dead and its job retried elsewhere. */
  readonly stallSeconds: number;
  /** One line per job refused or failed, already redacted. */
  readonly log: (line: string) => void;
  /**
   * Test hooks: `fail-every-job` makes every job throw (a job failing on every attempt must fail
   * its run loudly); `die-on-first-job` SIGKILLs the worker once it holds its first job (the job
   * must be retried elsewhere).
   */
  readonly fault?: 'fail-every-job' | 'die-on-first-job';
}

/** How often a running job looks at its run's stop key. */
const STOP_POLL_MS = 500;

/** Runs `f` with a signal aborted once the run's stop key appears. */
async function abortableByRun<T>(client: Redis, run: string, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setInterval(() => {
    client.exists(stopKey(run)).then(
      (n) => void (n > 0 && controller.abort()),
      () => undefined,
    );
  }, STOP_POLL_MS);
  try {
    return await f(controller.signal);
  } finally {
    clearInterval(timer);
  }
}

/** Runs one validated job. */
async function runJob(payload: JobPayload, signal: AbortSignal): Promise<ReviewCell> {
  const scenario = seedScenarios.find((s) => s.id === payload.scenario)!;
  return reviewCell(scenario.build(), payload.scenario, payload.policy, { signal, ...(payload.deadline !== undefined ? { deadline: payload.deadline } : {}) });
}

/** Serves the queue until `signal` aborts, then finishes the jobs in hand and returns. */
export async function serveQueue(target: QueueTarget, options: QueueWorkerOptions, signal: AbortSignal): Promise<void> {
  const client = new Redis(target.options);
  client.on('error', () => undefined);
  const handle = async (job: Job): Promise<unknown> => {
    const parsed = parsePayload(job.data, options.version);
    if (!parsed.ok) {
      options.log(`refused job ${job.id ?? '?'}: ${parsed.why}`);
      throw new UnrecoverableError(parsed.why);
    }
    if (job.id !== undefined && !job.id.startsWith(`${parsed.payload.run}-`)) throw new UnrecoverableError(`job ${job.id} does not belong to run ${parsed.payload.run}`);
    await job.updateProgress({ worker: options.name });
    if (options.fault === 'fail-every-job') throw new Error(`test fault: job ${job.id ?? '?'} fails on purpose`);
    if (options.fault === 'die-on-first-job') process.kill(process.pid, 'SIGKILL');
    return abortableByRun(client, parsed.payload.run, (s) => runJob(parsed.payload, s));
  };
  const connection = new Redis(target.options);
  connection.on('error', () => undefined);
  const worker = new Worker(QUEUE_NAME, handle, {
    connection,
    name: options.name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.stallSeconds * 1000,
    stalledInterval: (options.stallSeconds * 1000) / 2,
    maxStalledCount: 2,
  });
  worker.on('error', (e) => options.log(`queue error: ${redactedMessage(target, e)}`));
  worker.on('failed', (job, e) => options.log(`job ${job?.id ?? '?'} failed: ${redactedMessage(target, e)}`));
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await worker.close();
  connection.disconnect();
  client.disconnect();
}
