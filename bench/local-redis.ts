/**
 * A throwaway redis-server for the job queue: on a free loopback port, in a temporary
 * directory, without persistence, with a password (with `tls`, TLS only, under a self-signed
 * certificate for localhost made with openssl). `npm run bench -- --queue` and the queue tests
 * (test/queue/redis-fixture.ts) both run on it. It lives in bench/, which is built into dist/
 * (and left out of the package), so that the benchmark can run it from dist/ and the tests can
 * import it; bench/ cannot import test/, which is not built.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** redis-server on the PATH, or Debian's, or none. */
export const redisServer: string | undefined = spawnSync('sh', ['-c', 'command -v redis-server']).stdout.toString().trim() || (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);

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

/** A self-signed certificate for localhost in `dir` (cert.pem, key.pem); clients trust it through NODE_EXTRA_CA_CERTS. */
function selfSigned(dir: string): void {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not make a certificate');
}

/** A running redis-server and its URL (with the password). */
export interface LocalRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Kills the server (SIGKILL: it loses its data, as it saves none). */
  kill(): Promise<void>;
  /** Starts the server again on the same port, empty. */
  restart(): Promise<void>;
}

/** Starts redis-server (which must be installed: `redisServer`) and waits until it answers. */
export async function startLocalRedis(password: string, tls = false): Promise<LocalRedis> {
  if (redisServer === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rseq-redis-'));
  if (tls) selfSigned(dir);
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  let server: ChildProcess;
  const start = async (): Promise<void> => {
    server = spawn(redisServer, [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--requirepass', password], { stdio: 'ignore' });
    const probe = new Redis({ port, host: tls ? 'localhost' : '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, ...(tls ? { tls: { servername: 'localhost', rejectUnauthorized: false } } : {}) });
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
  return {
    port,
    dir,
    url: tls ? `rediss://:${password}@localhost:${port}` : `redis://:${password}@127.0.0.1:${port}`,
    async kill() {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await gone;
    },
    restart: start,
  };
}
