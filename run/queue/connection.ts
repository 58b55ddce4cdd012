/**
 * Where the job queue lives: a `redis://` or `rediss://` URL checked before any work, the
 * ioredis options it stands for, and redaction, so that no message, error or provenance ever
 * carries its credentials.
 */
import type { RedisOptions } from 'ioredis';
import { InputErrors } from '../../models/ir/errors.js';

/** A queue URL, parsed: what to connect to and how to name it in messages. */
export interface QueueTarget {
  /** The URL with its credentials replaced by `***` (user names stay: they are no secret). */
  readonly redacted: string;
  readonly options: RedisOptions;
  /** The strings to hide from every message: the URL as given, the password raw and URL-encoded. */
  readonly secrets: readonly string[];
}

/** How long a connection attempt may take before the URL counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3000;

const badQueue = (message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--queue'], message }]);

/** A best-effort redaction of a string that failed to parse as a URL: whatever sits between `//` and `@`. */
const redactUnparsed = (raw: string): string => raw.replace(/\/\/[^@/]*@/, '//***@');

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). Anything else —
 * another scheme, a path that is not a database number, query options — is bad input (exit 2)
 * naming the URL redacted.
 */
export function parseQueueUrl(raw: string): QueueTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badQueue(`--queue must be a redis:// or rediss:// URL, got "${redactUnparsed(raw)}"`);
  }
  const secrets = [raw, url.password, decodeURIComponent(url.password)].filter((s) => s !== '');
  const redacted = `${url.protocol}//${url.username !== '' || url.password !== '' ? `${url.username}${url.password !== '' ? ':***' : ''}@` : ''}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  const tls = url.protocol === 'rediss:';
  if (!tls && url.protocol !== 'redis:') throw badQueue(`--queue must be a redis:// or rediss:// URL, got "${redacted}" (scheme ${url.protocol.slice(0, -1)})`);
  if (url.hostname === '') throw badQueue(`--queue names no host: "${redacted}"`);
  const db = url.pathname === '' || url.pathname === '/' ? 0 : Number(url.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0 || db > 15) throw badQueue(`--queue's path must be a database number 0..15, got "${redacted}"`);
  if (url.search !== '' || url.hash !== '') throw badQueue(`--queue takes no query or fragment: "${redacted}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port: url.port === '' ? 6379 : Number(url.port),
    db,
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(tls ? { tls: { servername: host } } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ's workers block on the connection: they need commands to wait for a reconnection.
    maxRetriesPerRequest: null,
  };
  return { redacted, options, secrets };
}

/** `text` with every credential of `target` replaced by `***`. */
export function redact(target: QueueTarget, text: string): string {
  let out = text;
  for (const s of [...target.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(s === target.secrets[0] ? target.redacted : '***');
  return out;
}

/** An error's message, redacted. */
export const redactedMessage = (target: QueueTarget, e: unknown): string => redact(target, e instanceof Error ? e.message : String(e));

/**
 * Connects to the queue's Redis and checks that it answers (and accepts the credentials) within
 * a short timeout; a failure is bad input (exit 2) naming the URL redacted, before any work.
 */
export async function checkReachable(target: QueueTarget): Promise<void> {
  // Loaded here, not at the top: parseQueueUrl is on every command line's path, ioredis (0.2 s) is not.
  const { Redis } = await import('ioredis');
  const client = new Redis({ ...target.options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  // ioredis closes the connection after a refused AUTH; its error event says why.
  let refused: unknown;
  client.on('error', (e) => (refused ??= e));
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS).unref()),
    ]);
  } catch (e) {
    client.disconnect();
    throw badQueue(`cannot reach the queue at ${target.redacted}: ${redactedMessage(target, refused ?? e)}`);
  }
  client.disconnect();
}
