/**
 * A real redis-server for the queue tests: on a free loopback port, in a temporary directory,
 * without persistence, with a password; and `rseq-check worker` processes serving it. Tests
 * skip with a clear message where redis-server is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = join(root, 'dist', 'cli', 'main.js');
/** redis-server on the PATH, or Debian's, or none. */
const redisServer: string | undefined = spawnSync('sh', ['-c', 'command -v redis-server']).stdout.toString().trim() || (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running redis-server and its URL (with the password). */
export interface RedisFixture {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Kills the server (SIGKILL: it loses its data, as it saves none). */
  kill(): Promise<void>;
  /** Starts the server again on the same port, empty. */
  restart(): Promise<void>;
  /** A client of the server, for looking inside the queue. */
  client(): Redis;
}

/** Why the TLS test skips, if it does (it makes a self-signed certificate with openssl). */
export const missingOpenssl: string | undefined = spawnSync('sh', ['-c', 'command -v openssl']).status === 0 ? undefined : 'openssl is not installed: the TLS test skips';

/**
 * A self-signed certificate for localhost in `dir` (cert.pem, key.pem); clients trust it through
 * NODE_EXTRA_CA_CERTS.
 */
function selfSigned(dir: string): void {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not make a certificate');
}

/** `tls`: the server speaks TLS only (its URL is rediss://localhost:PORT, its certificate `dir`/cert.pem). */
export async function startRedis(tls = false): Promise<RedisFixture> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rseq-redis-'));
  if (tls) selfSigned(dir);
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  let server: ChildProcess;
  const start = async (): Promise<void> => {
    server = spawn(redisServer!, [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], { stdio: 'ignore' });
    const probe = new Redis({ port, host: tls ? 'localhost' : '127.0.0.1', password: PASSWORD, lazyConnect: true, retryStrategy: () => null, ...(tls ? { tls: { servername: 'localhost', rejectUnauthorized: false } } : {}) });
    probe.on('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  await start();
  const clients: Redis[] = [];
  return {
    port,
    dir,
    url: tls ? `rediss://:${PASSWORD}@localhost:${port}` : `redis://:${PASSWORD}@127.0.0.1:${port}`,
    async kill() {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await gone;
      for (const c of clients.splice(0)) c.disconnect();
    },
    restart: start,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', password: PASSWORD });
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
