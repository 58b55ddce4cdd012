/**
 * Faults on a real redis-server: a job failing on every attempt ends the run loudly (exit 70)
 * with its cause after exactly three attempts; Redis restarting empty mid-run ends it incomplete
 * (exit 3) with every cell not done incomplete, never holding; --max-seconds and SIGINT end it
 * incomplete and leave none of its jobs waiting.
 */
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeQueue, PASSWORD, REVIEW_SUBSET, REVIEW_SUBSET_CELLS, runCli, startWorkers, waitUntil } from './redis-fixture.js';

describeQueue('faults on the queue', (redis) => {
  const allCellsWaiting = (c: Redis): Promise<void> => waitUntil(`${REVIEW_SUBSET_CELLS} waiting jobs`, async () => (await c.llen('bull:rseq-check:wait')) === REVIEW_SUBSET_CELLS, 30_000);

  it('a job that fails three times fails the run with its cause, exit 70, no verdict', async () => {
    const workers = startWorkers(redis.url, 1, { RSEQ_CHECK_QUEUE_TEST_FAULT: 'fail-every-job' });
    const r = await runCli(['review', ...REVIEW_SUBSET, '--json', '--queue', redis.url]).done;
    const [w] = await workers.stop();
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rseq-check: job [0-9a-f]{16}-0 \(review-cell\) failed: test fault: job [0-9a-f]{16}-0 fails on purpose; the run has no verdict\n$/);
    expect(w!.stderr.match(/job [0-9a-f]{16}-0 failed: test fault/g)).toHaveLength(3);
  });

  it('Redis restarting without its data ends the run incomplete (exit 3): every cell incomplete, none holds', async () => {
    const run = runCli(['review', ...REVIEW_SUBSET, '--json', '--queue', redis.url]);
    const c = redis.client();
    await allCellsWaiting(c);
    await redis.kill();
    await redis.restart();
    const r = await run.done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { cells: { verdict: string; states: number }[]; stoppedBy?: unknown };
    expect(doc.cells).toHaveLength(REVIEW_SUBSET_CELLS);
    expect(new Set(doc.cells.map((x) => x.verdict))).toEqual(new Set(['incomplete']));
    expect(r.stderr).toMatch(/^review: the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ lost job [0-9a-f]{16}-\d+ \(did Redis restart without its data\?\); the cells not done are incomplete\n$/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
  });

  it('--max-seconds and SIGINT end the run incomplete (exit 3), naming why, and remove its waiting jobs', async () => {
    const c = redis.client();
    const timed = await runCli(['review', ...REVIEW_SUBSET, '--json', '--max-seconds', '1', '--queue', redis.url]).done;
    expect(timed.code).toBe(3);
    expect((JSON.parse(timed.stdout) as { stoppedBy: unknown }).stoppedBy).toEqual({ kind: 'time', bound: 1 });
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);

    const run = runCli(['review', ...REVIEW_SUBSET, '--json', '--queue', redis.url]);
    await allCellsWaiting(c);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(3);
    expect((JSON.parse(stopped.stdout) as { stoppedBy: unknown }).stoppedBy).toEqual({ kind: 'interrupted', signal: 'SIGINT' });
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);
  });
});
