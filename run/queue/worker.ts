/**
 * `rseq-check worker --queue URL`: takes jobs off the shared queue one at a time (or
 * `concurrency` at once), validates each payload before use, runs it in-process and returns its
 * result as plain data. A job whose coordinator stopped (its run's stop key is set) is aborted
 * and ends incomplete. A worker that dies mid-job holds its job's lock no longer: after
 * `stallSeconds` another worker's stalled-job check puts the job back on the queue.
 */
import { DelayedError, Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { formatInputError, InputErrors } from '../../models/ir/errors.js';
import { checkModel } from '../check.js';
import type { CheckOptions } from '../options.js';
import { reviewCell } from '../review-cell.js';
import { swarmSearch } from './swarm-search.js';
import { redactedMessage, type QueueTarget } from './connection.js';
import { jobModel } from './job-model.js';
import { parsePayload, QUEUE_NAME, type CheckSettings, type JobPayload, type LitmusCasePayload, type PartitionPayload } from './payload.js';
import { MAX_PARTITIONS, PARTITION_QUEUE } from './partition-protocol.js';
import { PartitionRestarted, servePartition } from './partition-search.js';
import { stopKey } from './stop-key.js';

/**
 * The handlers of job kinds whose code lives above run/: a litmus case runs litmus/ (gcc and the
 * real kernel), which run/ must not import, so the command line passes its handler in. A handler
 * throws InputErrors for a job it cannot take (the job is refused, not retried).
 */
export interface JobHandlers {
  readonly litmusCase: (payload: LitmusCasePayload, signal: AbortSignal) => Promise<unknown>;
}

export interface QueueWorkerOptions {
  /** This worker's rseq-check version: payloads of another version are refused. */
  readonly version: string;
  readonly handlers: JobHandlers;
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
   * must be retried elsewhere); `die-mid-partition` SIGKILLs the worker as a partition it serves
   * begins level 2 (the partitioned search must end loudly, not hang).
   */
  readonly fault?: 'fail-every-job' | 'die-on-first-job' | 'die-mid-partition';
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

/** A job refused unrun: failed at once, never retried (the same input would fail again). */
class Refusal extends UnrecoverableError {}

/** A job's check settings as CheckOptions, with its deadline as a time limit. */
function checkOptions(settings: CheckSettings, deadline: number | undefined): CheckOptions {
  return { ...settings, ...(deadline !== undefined ? { maxSeconds: Math.max(0, (deadline - Date.now()) / 1000) } : {}) };
}

/** Runs one validated job; input the job names but the worker cannot check (a bad model or policy) is refused unretried. */
async function runJob(payload: JobPayload, handlers: JobHandlers, signal: AbortSignal): Promise<unknown> {
  try {
    switch (payload.kind) {
      case 'litmus-case':
        return await handlers.litmusCase(payload, signal);
      case 'review-cell': {
        const scenario = seedScenarios.find((s) => s.id === payload.scenario)!;
        return await reviewCell(scenario.build(), payload.scenario, payload.policy, {
          signal,
          ...(payload.deadline !== undefined ? { deadline: payload.deadline } : {}),
          ...(payload.maxSeconds !== undefined ? { maxSeconds: payload.maxSeconds } : {}),
          ...(payload.maxStates !== undefined ? { maxStates: payload.maxStates } : {}),
          ...(payload.maxMemoryMB !== undefined ? { maxMemoryMB: payload.maxMemoryMB } : {}),
        });
      }
      case 'swarm-search':
        return await swarmSearch(jobModel(payload.model), { ...checkOptions(payload.settings, payload.deadline), ...(payload.maxMemoryMB !== undefined ? { maxMemoryMB: payload.maxMemoryMB } : {}) }, payload.search, payload.maxStates, signal);
      case 'partition':
        throw new Refusal('a partition job belongs on the partition queue');
      case 'shortest':
        return await checkModel(jobModel(payload.model), {
          ...checkOptions(payload.settings, payload.deadline),
          search: 'bfs',
          signal,
          ...(payload.maxStates !== undefined ? { maxStates: payload.maxStates } : {}),
          ...(payload.maxMemoryMB !== undefined ? { maxMemoryMB: payload.maxMemoryMB } : {}),
        });
    }
  } catch (e) {
    if (e instanceof InputErrors) throw new Refusal(`bad input: ${e.errors.map(formatInputError).join('; ')}`);
    throw e;
  }
}

/** A partition job's BullMQ lock: long, as its liveness is watched otherwise. */
const PARTITION_LOCK_MS = 600_000;

/** How long a partition job waits before it is offered again when this worker holds its share of the run. */
const SHARE_DELAY_MS = 200;

/**
 * The partition queue's handler: a partition runs as long as its search, mostly waiting for its
 * peers, so a worker takes up to MAX_PARTITIONS at once, but no more of one run than its
 * `share` (it puts the others back for other workers). A partition cannot be retried: its
 * states live in the memory of the worker that ran it.
 */
function partitionHandler(target: QueueTarget, client: Redis, options: QueueWorkerOptions): (job: Job, token?: string) => Promise<unknown> {
  const held = new Map<string, number>();
  return async (job, token) => {
    const parsed = parsePayload(job.data, options.version);
    if (!parsed.ok) throw new Refusal(parsed.why);
    const payload = parsed.payload;
    if (payload.kind !== 'partition') throw new Refusal(`a ${payload.kind} job does not belong on the partition queue`);
    if (job.id !== undefined && !job.id.startsWith(`${payload.run}-`)) throw new Refusal(`job ${job.id} does not belong to run ${payload.run}`);
    if (payload.partition >= payload.partitions) throw new Refusal(`partition ${payload.partition} of ${payload.partitions} does not exist`);
    const mine = held.get(payload.run) ?? 0;
    if (mine >= payload.share) {
      await job.moveToDelayed(Date.now() + SHARE_DELAY_MS, token);
      throw new DelayedError();
    }
    held.set(payload.run, mine + 1);
    try {
      await job.updateProgress({ worker: options.name });
      if (options.fault === 'fail-every-job') throw new Error(`test fault: job ${job.id ?? '?'} fails on purpose`);
      const dieAt = options.fault === 'die-mid-partition' ? (level: number) => void (level === 2 && process.kill(process.pid, 'SIGKILL')) : undefined;
      return await abortableByRun(client, payload.run, (signal) => runPartition(payload, target, signal, dieAt));
    } finally {
      held.set(payload.run, (held.get(payload.run) ?? 1) - 1);
      if (held.get(payload.run) === 0) held.delete(payload.run);
    }
  };
}

/** Runs one validated partition job (bad input refused unretried, as runJob does). */
async function runPartition(payload: PartitionPayload, target: QueueTarget, signal: AbortSignal, onLevel?: (level: number) => void): Promise<unknown> {
  try {
    const job = {
      run: payload.run,
      partition: payload.partition,
      partitions: payload.partitions,
      stallMs: payload.stallMs,
      ...(payload.deadline !== undefined ? { deadline: payload.deadline } : {}),
      ...(payload.maxSeconds !== undefined ? { maxSeconds: payload.maxSeconds } : {}),
      ...(payload.maxMemoryMB !== undefined ? { maxMemoryMB: payload.maxMemoryMB } : {}),
    };
    return await servePartition(jobModel(payload.model), payload.settings, job, target, signal, onLevel);
  } catch (e) {
    if (e instanceof InputErrors) throw new Refusal(`bad input: ${e.errors.map(formatInputError).join('; ')}`);
    if (e instanceof PartitionRestarted) throw new Refusal(e.message);
    throw e;
  }
}

/** Serves the queue until `signal` aborts, then finishes the jobs in hand and returns. */
export async function serveQueue(target: QueueTarget, options: QueueWorkerOptions, signal: AbortSignal): Promise<void> {
  const client = new Redis(target.options);
  client.on('error', () => undefined);
  const handle = async (job: Job): Promise<unknown> => {
    const parsed = parsePayload(job.data, options.version);
    if (!parsed.ok) throw new Refusal(parsed.why);
    if (job.id !== undefined && !job.id.startsWith(`${parsed.payload.run}-`)) throw new Refusal(`job ${job.id} does not belong to run ${parsed.payload.run}`);
    // A job of a run already stopped (an attempt its stop aborted, retried) is not run again.
    if ((await client.exists(stopKey(parsed.payload.run))) > 0) throw new Refusal(`run ${parsed.payload.run} has stopped`);
    await job.updateProgress({ worker: options.name });
    if (options.fault === 'fail-every-job') throw new Error(`test fault: job ${job.id ?? '?'} fails on purpose`);
    if (options.fault === 'die-on-first-job') process.kill(process.pid, 'SIGKILL');
    return abortableByRun(client, parsed.payload.run, (s) => runJob(parsed.payload, options.handlers, s));
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
  const partitionConnection = new Redis(target.options);
  partitionConnection.on('error', () => undefined);
  // A partition's liveness is its own heartbeat, which its coordinator watches (partition-queue.ts);
  // BullMQ's stall check could only put a busy partition back on the queue, where it cannot resume.
  const partitions = new Worker(PARTITION_QUEUE, partitionHandler(target, client, options), {
    connection: partitionConnection,
    name: options.name,
    concurrency: MAX_PARTITIONS,
    lockDuration: PARTITION_LOCK_MS,
    stalledInterval: PARTITION_LOCK_MS,
    maxStalledCount: 0,
  });
  for (const w of [worker, partitions]) {
    w.on('error', (e) => options.log(`queue error: ${redactedMessage(target, e)}`));
    w.on('failed', (job, e) => {
      if (!(e instanceof DelayedError)) options.log(`${e instanceof Refusal ? 'refused job' : 'job'} ${job?.id ?? '?'}${e instanceof Refusal ? ':' : ' failed:'} ${redactedMessage(target, e)}`);
    });
  }
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await Promise.all([worker.close(), partitions.close()]);
  connection.disconnect();
  partitionConnection.disconnect();
  client.disconnect();
}
