/**
 * Faults on a real redis-server: a job failing on every attempt ends the run loudly (exit 70)
 * with its cause after exactly three attempts; Redis restarting empty mid-run ends it incomplete
 * (exit 3) with every cell not done incomplete, never holding; --max-seconds and SIGINT end it
 * incomplete and leave none of its jobs waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRedis, PASSWORD, runCli, startRedis, startWorkers, type RedisFixture } from './redis-fixture.js';

if (missingRedis) console.warn(missingRedis);

const until = async (what: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(missingRedis !== undefined)('faults on the queue', () => {
  let redis: RedisFixture;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.kill());

  it('a job that fails three times fails the run with its cause, exit 70, no verdict', async () => {
    const workers = startWorkers(redis.url, 1, { RSEQ_CHECK_QUEUE_TEST_FAULT: 'fail-every-job' });
    const r = await runCli(['review', '--json', '--queue', redis.url]).done;
    const [w] = await workers.stop();
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rseq-check: job [0-9a-f]{16}-0 \(review-cell\) failed: test fault: job [0-9a-f]{16}-0 fails on purpose; the run has no verdict\n$/);
    expect(w!.stderr.match(/job [0-9a-f]{16}-0 failed: test fault/g)).toHaveLength(3);
  });

  it('Redis restarting without its data ends the run incomplete (exit 3): every cell incomplete, none holds', async () => {
    const run = runCli(['review', '--json', '--queue', redis.url]);
    const c = redis.client();
    await until(async () => (await c.llen('bull:rseq-check:wait')) === 270);
    await redis.kill();
    await redis.restart();
    const r = await run.done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { cells: { verdict: string; states: number }[]; stoppedBy?: unknown };
    expect(doc.cells).toHaveLength(270);
    expect(new Set(doc.cells.map((x) => x.verdict))).toEqual(new Set(['incomplete']));
    expect(r.stderr).toMatch(/^review: the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ lost job [0-9a-f]{16}-\d+ \(did Redis restart without its data\?\); the cells not done are incomplete\n$/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
  });

  it('--max-seconds and SIGINT end the run incomplete (exit 3), naming why, and remove its waiting jobs', async () => {
    const c = redis.client();
    const timed = await runCli(['review', '--json', '--max-seconds', '1', '--queue', redis.url]).done;
    expect(timed.code).toBe(3);
    expect((JSON.parse(timed.stdout) as { stoppedBy: unknown }).stoppedBy).toEqual({ kind: 'time', bound: 1 });
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);

    const run = runCli(['review', '--json', '--queue', redis.url]);
    await until(async () => (await c.llen('bull:rseq-check:wait')) === 270);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(3);
    expect((JSON.parse(stopped.stdout) as { stoppedBy: unknown }).stoppedBy).toEqual({ kind: 'interrupted', signal: 'SIGINT' });
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);
  });
});
