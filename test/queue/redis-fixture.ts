/**
 * A real redis-server for the queue tests (bench/local-redis.ts: on a free loopback port, in a
 * temporary directory, without persistence, with a password); and `rseq-check worker` processes
 * serving it. Tests skip with a clear message where redis-server is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { redisServer, startLocalRedis, type LocalRedis } from '../../bench/local-redis.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = join(root, 'dist', 'cli', 'main.js');
/** Why the queue tests skip, if they do. */
export const missingRedis: string | undefined = redisServer === undefined ? 'redis-server is not installed (apt-get install redis-server, as .ci/run does): the queue tests skip' : undefined;

export const PASSWORD = 'queue-test-s3cret';

/**
 * The review the queue tests run: three seed scenarios (an abort, a kill on return from a signal,
 * a migration) under all 18 policies. The whole matrix is the in-process tests' business; here
 * what matters is that every kind of cell crosses the queue, in a few seconds.
 */
export const REVIEW_SUBSET = ['--scenario', 'S1', '--scenario', 'S3-ret', '--scenario', 'S7'] as const;
export const REVIEW_SUBSET_CELLS = 3 * 18;

/** A running redis-server, and clients of it for looking inside the queue (dropped when it is killed). */
export interface RedisFixture extends LocalRedis {
  client(): Redis;
}

/** Why the TLS test skips, if it does (it makes a self-signed certificate with openssl). */
export const missingOpenssl: string | undefined = spawnSync('sh', ['-c', 'command -v openssl']).status === 0 ? undefined : 'openssl is not installed: the TLS test skips';

/** `tls`: the server speaks TLS only (its URL is rediss://localhost:PORT, its certificate `dir`/cert.pem). */
export async function startRedis(tls = false): Promise<RedisFixture> {
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

/** A child process's exit and everything it wrote. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the CLI; `done` resolves when it exits. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Finished>; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** `n` workers serving `url` (stall check every second, so a dead worker's job comes back fast). */
export function startWorkers(url: string, n: number, env: NodeJS.ProcessEnv = {}): { stop: () => Promise<Finished[]>; runs: ReturnType<typeof runCli>[] } {
  const runs = Array.from({ length: n }, (_, i) => runCli(['worker', '--queue', url, '--name', `w${i + 1}`, '--stall-seconds', '2'], env));
  return {
    runs,
    async stop() {
      for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
      return Promise.all(runs.map((r) => r.done));
    },
  };
}

/** A review's JSON without its timings (the only keys allowed to differ between runs). */
/** A document without what differs between two runs of the same work: timings and provenance (date, command line). */
export const withoutTimings = (json: string): string => JSON.stringify(JSON.parse(json), (k, v: unknown) => (k === 'seconds' || k === 'provenance' ? undefined : v));
