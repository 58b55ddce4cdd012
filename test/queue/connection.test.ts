/** Queue URLs: what each form connects to, what is refused (exit 2), and that credentials never survive redaction. */
import { describe, expect, it } from 'vitest';
import { InputErrors } from '../../models/ir/errors.js';
import { parseQueueUrl, redact, redactedMessage } from '../../run/queue/connection.js';

const refusal = (url: string): string => {
  try {
    parseQueueUrl(url);
  } catch (e) {
    expect(e).toBeInstanceOf(InputErrors);
    return (e as InputErrors).errors[0]!.message;
  }
  throw new Error(`${url} was accepted`);
};

describe('parseQueueUrl', () => {
  it('reads host, port, database and credentials, and names the URL without its password', () => {
    const t = parseQueueUrl('redis://alice:p%40ss@10.0.0.5:6380/2');
    expect(t.options).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'alice', password: 'p@ss', maxRetriesPerRequest: null });
    expect(t.options.tls).toBeUndefined();
    expect(t.redacted).toBe('redis://alice:***@10.0.0.5:6380/2');
  });

  it('defaults to port 6379 and database 0; a password alone keeps its colon; rediss:// turns TLS on for the host', () => {
    const t = parseQueueUrl('rediss://:hunter22@redis.internal');
    expect(t.options).toMatchObject({ host: 'redis.internal', port: 6379, db: 0, password: 'hunter22', tls: { servername: 'redis.internal' } });
    expect(t.options.username).toBeUndefined();
    expect(t.redacted).toBe('rediss://:***@redis.internal');
    expect(parseQueueUrl('redis://127.0.0.1:7000').redacted).toBe('redis://127.0.0.1:7000');
  });

  it('refuses other schemes, a path that is no database, query options and garbage, naming the URL redacted', () => {
    expect(refusal('http://:topsecret@host:1')).toBe('--queue must be a redis:// or rediss:// URL, got "http://:***@host:1" (scheme http)');
    expect(refusal('redis://:topsecret@host/queue')).toBe('--queue\'s path must be a database number 0..15, got "redis://:***@host/queue"');
    expect(refusal('redis://host/16')).toBe('--queue\'s path must be a database number 0..15, got "redis://host/16"');
    expect(refusal('redis://:topsecret@host?tls=1')).toBe('--queue takes no query or fragment: "redis://:***@host"');
    expect(refusal('not a url :topsecret@x')).toBe('--queue must be a redis:// or rediss:// URL, got "not a url :topsecret@x"');
    expect(refusal('//:topsecret@x')).toBe('--queue must be a redis:// or rediss:// URL, got "//***@x"');
  });
});

describe('redact', () => {
  const t = parseQueueUrl('redis://bob:s%2Fcr3t@db:6379');
  it('hides the URL as given, the password decoded and URL-encoded', () => {
    expect(redact(t, 'connect redis://bob:s%2Fcr3t@db:6379 failed')).toBe('connect redis://bob:***@db:6379 failed');
    expect(redact(t, 'AUTH s/cr3t and s%2Fcr3t')).toBe('AUTH *** and ***');
    expect(redactedMessage(t, new Error('WRONGPASS s/cr3t'))).toBe('WRONGPASS ***');
  });
});
