/**
 * The queue tests' one harness: a real redis-server per suite (bench/local-redis.ts: on a free
 * loopback port, in a temporary directory, without persistence, with a password), `rseq-check
 * worker` processes serving it and the CLI runs the tests make, and the clean-up of all of them,
 * also when a test fails: whatever a test started and left running is SIGKILLed after it, and
 * whatever the suite started, after the suite. Suites skip with a clear message where
 * redis-server is missing.
 */
import { spawnSync } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { redisServer, startLocalRedis, type LocalRedis } from '../../bench/local-redis.js';
import { cliMain, spawnNode, type CliRun, type Spawned } from '../cli/cli-runner.js';
/** Why the queue tests skip, if they do. */
const missingRedis: string | undefined = redisServer === undefined ? 'redis-server is not installed (apt-get install redis-server, as .ci/run does): the queue tests skip' : undefined;
/** Why the TLS test skips, if it does (it makes a self-signed certificate with openssl). */
const missingOpenssl: string | undefined = spawnSync('sh', ['-c', 'command -v openssl']).status === 0 ? undefined : 'openssl is not installed: the TLS test skips';

export const PASSWORD = 'queue-test-s3cret';

/**
 * The review the queue tests run: three seed scenarios (an abort, a kill on return from a signal,
 * a migration) under all 18 policies. The whole matrix is the in-process tests' business; here
 * what matters is that every kind of cell crosses the queue, in a few seconds.
 */
export const REVIEW_SUBSET = ['--scenario', 'S1', '--scenario', 'S3-ret', '--scenario', 'S7'] as const;
export const REVIEW_SUBSET_CELLS = 3 * 18;

/** percpu-counter 3 × 2 + 1 under linux-6.3 (the SPIN peer question), and with the broken kernel of the SPIN comparison (no abort on migration). */
export const COUNTER = ['check', 'percpu-counter', '--param', 'threads=3', '--param', 'ops=2', '--param', 'signals=1', '--policy', 'linux-6.3'] as const;
export const BROKEN_COUNTER = [...COUNTER, '--knob', 'abortOnMigrate=false'] as const;
/** 3 × 4 + 1: 127 233 states, as many as 3 × 2 + 1 had before cpu-compare-prefix, long enough to interrupt. */
export const LARGE_COUNTER = ['check', 'percpu-counter', '--param', 'threads=3', '--param', 'ops=4', '--param', 'signals=1', '--policy', 'linux-6.3'] as const;

/** A running redis-server, and clients of it for looking inside the queue (dropped when it is killed). */
interface RedisFixture extends LocalRedis {
  client(): Redis;
}

/** `tls`: the server speaks TLS only (its URL is rediss://localhost:PORT, its certificate `dir`/cert.pem). */
async function startRedis(tls: boolean): Promise<RedisFixture> {
  const server = await startLocalRedis(PASSWORD, tls);
  const clients: Redis[] = [];
  return {
    ...server,
    async kill() {
      await server.kill();
      for (const c of clients.splice(0)) c.disconnect();
    },
    client() {
      const c = new Redis({ port: server.port, host: '127.0.0.1', password: PASSWORD });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
  };
}

/** The CLI processes still running, by who started them: the running test, else the suite's hooks (see `describeQueue`). */
let startedHere = new Set<Spawned>();

/** Spawns the CLI; `done` resolves when it exits. Left running, it is SIGKILLed after the test (or the suite) that started it. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const run = spawnNode([cliMain, ...args], { env });
  const owner = startedHere;
  owner.add(run);
  void run.done.then(() => owner.delete(run));
  return run;
}

/** SIGKILLs every process of `runs` still running and waits until each has exited. */
async function killAll(runs: Set<Spawned>): Promise<void> {
  const left = [...runs];
  for (const r of left) r.child.kill('SIGKILL');
  await Promise.all(left.map((r) => r.done));
}

/** One worker called `name` serving `url` (stall check every 2 s, so that a dead worker's job comes back fast). */
export function startWorker(url: string, name: string, env: NodeJS.ProcessEnv = {}): Spawned {
  return runCli(['worker', '--queue', url, '--name', name, '--stall-seconds', '2'], env);
}

/** `n` workers serving `url`; `stop` ends them as an operator would (SIGTERM) and waits for them. */
export function startWorkers(url: string, n: number, env: NodeJS.ProcessEnv = {}): { stop: () => Promise<CliRun[]>; runs: Spawned[] } {
  const runs = Array.from({ length: n }, (_, i) => startWorker(url, `w${i + 1}`, env));
  return {
    runs,
    async stop() {
      for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
      return Promise.all(runs.map((r) => r.done));
    },
  };
}

/**
 * A suite on its own redis-server: started before its tests (TLS only with `tls`, and with
 * `workers` workers serving it from the start), stopped after them. `body` declares the tests,
 * which reach the server through the fixture it gets. Skipped, saying why, where redis-server
 * (or for `tls` openssl) is missing or `skip` gives a reason.
 */
export function describeQueue(title: string, body: (redis: RedisFixture) => void, options: { tls?: boolean; workers?: number; skip?: string | undefined } = {}): void {
  const skip = missingRedis ?? (options.tls ? missingOpenssl : undefined) ?? options.skip;
  if (skip !== undefined) console.warn(`${title}: ${skip}`);
  describe.skipIf(skip !== undefined)(title, () => {
    let server: RedisFixture | undefined;
    let workers: ReturnType<typeof startWorkers> | undefined;
    const suiteRuns = new Set<Spawned>();
    beforeAll(async () => {
      startedHere = suiteRuns;
      server = await startRedis(options.tls ?? false);
      if (options.workers) workers = startWorkers(server.url, options.workers);
    });
    beforeEach(() => {
      startedHere = new Set();
    });
    afterEach(async () => {
      await killAll(startedHere);
      startedHere = suiteRuns;
    });
    afterAll(async () => {
      await workers?.stop();
      await killAll(suiteRuns);
      await server?.kill();
    });
    const started = (): RedisFixture => {
      if (server === undefined) throw new Error(`${title}: redis-server is not started yet (reach it in a hook or a test)`);
      return server;
    };
    body({
      get port() {
        return started().port;
      },
      get url() {
        return started().url;
      },
      get dir() {
        return started().dir;
      },
      kill: async () => started().kill(),
      restart: async () => started().restart(),
      client: () => started().client(),
    });
  });
}

/** Resolves once `what` holds, looking every `pollMs`; throws, naming `waitingFor`, after `ms`. */
export async function waitUntil(waitingFor: string, what: () => boolean | Promise<boolean>, ms: number, pollMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${waitingFor}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A producer on the job queue, as a coordinator is, and its events. */
interface Producer {
  readonly queue: Queue;
  readonly events: QueueEvents;
}

/** Runs `use` with a producer on the suite's queue, and closes its connections after it, also when it throws. */
export async function withProducer<T>(redis: RedisFixture, use: (producer: Producer) => Promise<T>): Promise<T> {
  const connection = new Redis({ host: '127.0.0.1', port: redis.port, password: PASSWORD, maxRetriesPerRequest: null });
  const queue = new Queue('rseq-check', { connection });
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents('rseq-check', { connection: eventsConnection });
  try {
    await events.waitUntilReady();
    return await use({ queue, events });
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

/** Adds each payload as job `run`-i (three attempts allowed) and expects it refused unrun: failed with `why` at its first attempt. */
export async function expectRefusedUnrun({ queue, events }: Producer, run: string, cases: readonly (readonly [what: string, payload: unknown, why: string])[]): Promise<void> {
  for (const [i, [what, data, why]] of cases.entries()) {
    const job = await queue.add('x', data, { jobId: `${run}-${i}`, attempts: 3 });
    await expect(job.waitUntilFinished(events), what).rejects.toThrow(why);
    expect((await queue.getJob(job.id!))!.attemptsMade, what).toBe(1);
  }
}

/** A JSON document without `keys` (what differs between two runs of the same work: timings, provenance, ...). */
export const withoutKeys = (json: string, keys: readonly string[]): string => JSON.stringify(JSON.parse(json), (k, v: unknown) => (keys.includes(k) ? undefined : v));

/** A review's JSON without what differs between two runs of the same work: timings and provenance (date, command line). */
export const withoutTimings = (json: string): string => withoutKeys(json, ['seconds', 'provenance']);
