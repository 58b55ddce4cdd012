/**
 * Security on a real redis-server with a password: a wrong password or an unreachable or
 * malformed URL is bad input (exit 2) before any work, and the password appears in no output;
 * hostile or mismatched job payloads are refused unrun (failed at the first attempt, the
 * worker carries on).
 */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { describeQueue, expectRefusedUnrun, PASSWORD, runCli, startWorkers, withProducer } from './redis-fixture.js';

describeQueue('queue security', (redis) => {
  it('a wrong password, an unreachable Redis and a bad scheme are exit 2 with the URL redacted, for review and worker alike', async () => {
    const wrong = `redis://:not-${PASSWORD}@127.0.0.1:${redis.port}`;
    const [review, worker, closed, scheme] = await Promise.all([
      runCli(['review', '--queue', wrong]).done,
      runCli(['worker', '--queue', wrong]).done,
      runCli(['review', '--queue', `redis://:${PASSWORD}@127.0.0.1:1`]).done,
      runCli(['review', '--queue', `http://:${PASSWORD}@127.0.0.1:${redis.port}`]).done,
    ]);
    for (const r of [review, worker]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^<command line>: bad-option: --queue: cannot reach the queue at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}: WRONGPASS`));
      expect(r.stderr).not.toContain(PASSWORD);
    }
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/^<command line>: bad-option: --queue: cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1: connect ECONNREFUSED/);
    expect(closed.stderr).not.toContain(PASSWORD);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toBe(`<command line>: bad-option: --queue: --queue must be a redis:// or rediss:// URL, got "http://:***@127.0.0.1:${redis.port}" (scheme http)\n`);
  });

  it('refuses hostile and mismatched payloads unrun, then runs a good one', async () => {
    const workers = startWorkers(redis.url, 1);
    const run = '00112233445566aa';
    const good = { protocol: 1, version: '0.1.0', run, kind: 'review-cell', scenario: 'S1', policy: 'linux-6.15' };
    const cases: [string, unknown, string][] = [
      ['another protocol', { ...good, protocol: 2 }, 'the job speaks queue protocol 2 of rseq-check "0.1.0"; this worker speaks protocol 1 of rseq-check 0.1.0 (run workers of the coordinator\'s version)'],
      ['another version', { ...good, version: '9.9.9' }, 'the job speaks queue protocol 1 of rseq-check "9.9.9"; this worker speaks protocol 1 of rseq-check 0.1.0 (run workers of the coordinator\'s version)'],
      ['an unknown scenario', { ...good, scenario: 'S1; rm -rf /' }, 'bad payload: scenario: is no seed scenario'],
      ['an unknown policy', { ...good, policy: 'linux-0.1' }, 'bad payload: policy: is no review policy'],
      ['a smuggled field', { ...good, model: { threads: [] } }, "bad payload: (root): Unrecognized key(s) in object: 'model'"],
      ['a field of the wrong type', { ...good, deadline: 'soon' }, 'bad payload: deadline: Expected number, received string'],
      ['an unknown kind', { ...good, kind: 'shell' }, "bad payload: kind: Invalid discriminator value. Expected 'review-cell' | 'swarm-search' | 'shortest'"],
      ['no object at all', 'hello', 'bad payload: (root): Expected object, received string'],
      ['a swarm search of a broken model', { protocol: 1, version: '0.1.0', run, kind: 'swarm-search', model: { json: { threads: 'all' }, name: 'evil.json' }, settings: {}, search: 0, maxStates: 10 }, 'bad input: evil.json: schema:'],
      ['a swarm search reading a file', { protocol: 1, version: '0.1.0', run, kind: 'swarm-search', model: { builtin: '../../etc/passwd', params: [] }, settings: {}, search: 0, maxStates: 10 }, 'bad payload: model.builtin: Invalid'],
    ];
    await withProducer(redis, async (producer) => {
      await expectRefusedUnrun(producer, run, cases);
      const { queue, events } = producer;
      const stranger = await queue.add('x', good, { jobId: 'ffffffffffffffff-0', attempts: 3 });
      await expect(stranger.waitUntilFinished(events)).rejects.toThrow(`job ffffffffffffffff-0 does not belong to run ${run}`);
      const fine = await queue.add('x', good, { jobId: `${run}-99` });
      expect(await fine.waitUntilFinished(events)).toMatchObject({ scenario: 'S1', policy: 'linux-6.15', verdict: 'holds' });
    });
    const [w] = await workers.stop();
    // Each bad case, and the job of another run.
    expect(w!.stderr.match(/refused job/g)).toHaveLength(cases.length + 1);
    expect(w!.stderr).not.toContain(PASSWORD);
  });
});

describeQueue('queue over TLS', (redis) => {
  it('rediss:// works with a trusted certificate (a swarm finds the migration bug), and an untrusted one is exit 2 redacted', async () => {
    const trust = { NODE_EXTRA_CA_CERTS: join(redis.dir, 'cert.pem') };
    const workers = startWorkers(redis.url, 1, trust);
    const broken = ['check', 'percpu-counter', '--policy', 'linux-6.3', '--knob', 'abortOnMigrate=false', '--swarm', '2', '--queue', redis.url, '--quiet'];
    const [found, untrusted] = await Promise.all([runCli(broken, trust).done, runCli(broken).done]);
    await workers.stop();
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('VIOLATED: percpu-counter under linux-6.3+abortOnMigrate=false: G1-atomicity');
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toBe(`<command line>: bad-option: --queue: cannot reach the queue at rediss://:***@localhost:${redis.port}: self-signed certificate\n`);
  });
}, { tls: true });
