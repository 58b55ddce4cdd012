/**
 * The coordinator's side of the queue: puts one run's jobs on the shared queue (ids prefixed by
 * a fresh run id, so concurrent runs never mix), collects their results as they complete, keeps
 * a board of cells done / running / failed per worker, and ends the run early when its signal
 * aborts, its deadline passes or Redis is lost for good. On the way out it sets the run's stop
 * key (its jobs still running abort) and removes its jobs still waiting.
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueJobFailed } from './job-failed.js';
import { redactedMessage, type QueueTarget } from './connection.js';
import { QUEUE_NAME, type JobPayload } from './payload.js';
import { stopKey } from './stop-key.js';

/** One worker's share of a run. */
export interface WorkerTally {
  done: number;
  running: number;
  failed: number;
}

/** Why a run ended before all its jobs were done. */
export type EarlyEnd = { readonly kind: 'signal' } | { readonly kind: 'time' } | { readonly kind: 'lost'; readonly why: string } | { readonly kind: 'enough' };

/** A run's results, one per payload (undefined where the job was not done), and why it ended early if it did. */
export interface QueueRun {
  readonly results: readonly unknown[];
  readonly ended?: EarlyEnd;
}

export interface CoordinatorOptions {
  readonly signal?: AbortSignal;
  /** When the run must end (`Date.now()` milliseconds). */
  readonly deadline?: number;
  /** Called when the board changes: per worker, its jobs done / running / failed. */
  readonly onBoard?: (board: ReadonlyMap<string, WorkerTally>) => void;
  /** A result that makes the others unneeded (a swarm's first counterexample): the run ends as it arrives. */
  readonly enough?: (result: unknown) => boolean;
  /** Attempts per job before it fails the run. @defaultValue 3 */
  readonly attempts?: number;
  /** The queue the jobs go on. @defaultValue QUEUE_NAME */
  readonly queueName?: string;
}

/** How often pending jobs are looked up (events are faster; this catches any event missed). */
const POLL_MS = 1000;
/** How long Redis may stay unreachable before the run ends incomplete. */
const LOST_AFTER_MS = 10_000;

/** A fresh run id: 16 hex digits. */
export const newRunId = (): string => randomBytes(8).toString('hex');

/**
 * Enqueues `payloads(run)` and waits for their results; `check(value, index)` validates each
 * result (throwing `QueueJobFailed` when a worker returned nonsense).
 */
export async function runOnQueue(target: QueueTarget, run: string, payloads: readonly JobPayload[], check: (value: unknown, index: number) => unknown, options: CoordinatorOptions = {}): Promise<QueueRun> {
  const client = new Redis(target.options);
  client.on('error', () => undefined);
  const queue = new Queue(options.queueName ?? QUEUE_NAME, { connection: client });
  const eventsClient = new Redis(target.options);
  eventsClient.on('error', () => undefined);
  const events = new QueueEvents(options.queueName ?? QUEUE_NAME, { connection: eventsClient });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const ids = payloads.map((_, i) => `${run}-${i}`);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const results: unknown[] = new Array<unknown>(payloads.length).fill(undefined);
  const done = new Set<number>();
  const board = new Map<string, WorkerTally>();
  const workerOf = new Map<string, string>();
  const tally = (worker: string): WorkerTally => board.get(worker) ?? (board.set(worker, { done: 0, running: 0, failed: 0 }), board.get(worker)!);
  const show = (): void => options.onBoard?.(board);

  let finish!: (end?: EarlyEnd | Error) => void;
  const finished = new Promise<EarlyEnd | Error | undefined>((resolve) => (finish = resolve));
  const complete = (id: string, value: unknown): void => {
    const i = indexOf.get(id);
    if (i === undefined || done.has(i)) return;
    try {
      results[i] = check(value, i);
    } catch (e) {
      finish(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    done.add(i);
    const w = workerOf.get(id);
    if (w !== undefined) {
      tally(w).running = Math.max(0, tally(w).running - 1);
      tally(w).done++;
      show();
    }
    if (options.enough?.(results[i]) === true) finish({ kind: 'enough' });
    if (done.size === payloads.length) finish();
  };
  const fail = (id: string, reason: string): void => {
    if (!indexOf.has(id)) return;
    finish(new QueueJobFailed(`job ${id} (${payloads[indexOf.get(id)!]!.kind}) failed: ${redactedMessage(target, reason)}; the run has no verdict`));
  };
  events.on('progress', ({ jobId, data }) => {
    const worker = typeof data === 'object' && data !== null && 'worker' in data ? String((data).worker).slice(0, 80) : undefined;
    if (!indexOf.has(jobId) || worker === undefined) return;
    workerOf.set(jobId, worker);
    tally(worker).running++;
    show();
  });
  events.on('waiting', ({ jobId, prev }) => {
    // Back to waiting from active: an attempt failed or stalled.
    const w = workerOf.get(jobId);
    if (prev !== 'active' || w === undefined) return;
    tally(w).running = Math.max(0, tally(w).running - 1);
    tally(w).failed++;
    show();
  });
  events.on('completed', ({ jobId, returnvalue }) => complete(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => fail(jobId, failedReason));

  const onAbort = (): void => finish({ kind: 'signal' });
  options.signal?.addEventListener('abort', onAbort);
  const timer = options.deadline !== undefined ? setTimeout(() => finish({ kind: 'time' }), Math.max(0, options.deadline - Date.now())) : undefined;
  let unreachableSince: number | undefined;
  const poll = setInterval(() => {
    if (client.status !== 'ready') {
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > LOST_AFTER_MS) finish({ kind: 'lost', why: `Redis at ${target.redacted} unreachable for ${LOST_AFTER_MS / 1000} s` });
      return;
    }
    unreachableSince = undefined;
    for (const [id, i] of indexOf) {
      if (done.has(i)) continue;
      queue.getJob(id).then(
        (job) => {
          if (job === undefined) return finish({ kind: 'lost', why: `the queue at ${target.redacted} lost job ${id} (did Redis restart without its data?)` });
          // A job finished for good has finishedOn, and then its return value or its last failure.
          if (job.finishedOn === undefined) return;
          if (job.returnvalue !== null && job.returnvalue !== undefined) complete(id, job.returnvalue);
          else fail(id, job.failedReason);
        },
        () => undefined,
      );
    }
  }, POLL_MS);

  let outcome: EarlyEnd | Error | undefined;
  try {
    if (options.signal?.aborted) outcome = { kind: 'signal' };
    else {
      await events.waitUntilReady();
      await queue.addBulk(payloads.map((data, i) => ({ name: data.kind, data, opts: { jobId: ids[i]!, attempts: options.attempts ?? 3, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86_400 } } })));
      if (payloads.length === 0) finish();
      outcome = await finished;
    }
  } finally {
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await cleanUp(client, queue, events, run, ids, done, indexOf, outcome);
    eventsClient.disconnect();
  }
  if (outcome instanceof Error) throw outcome;
  return { results, ...(outcome ? { ended: outcome } : {}) };
}

/** Stops the run's jobs still running, removes those still waiting, and closes the connections (at once when Redis is lost). */
async function cleanUp(client: Redis, queue: Queue, events: QueueEvents, run: string, ids: readonly string[], done: ReadonlySet<number>, indexOf: ReadonlyMap<string, number>, outcome: EarlyEnd | Error | undefined): Promise<void> {
  const lost = outcome !== undefined && !(outcome instanceof Error) && outcome.kind === 'lost';
  if (!lost && client.status === 'ready') {
    await client.set(stopKey(run), '1', 'EX', 3600).catch(() => undefined);
    await Promise.all(ids.filter((id) => !done.has(indexOf.get(id)!)).map((id) => queue.remove(id).catch(() => undefined)));
  }
  // Closing gracefully would wait out the events' blocking read; the connections are ours to drop.
  void events.close().catch(() => undefined);
  void queue.close().catch(() => undefined);
  client.disconnect();
}
