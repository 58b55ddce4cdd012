/**
 * `review --queue` on a real redis-server with two `rseq-check worker` processes: the report is
 * the in-process one byte for byte apart from its timing, also when a worker is SIGKILLed while
 * it holds a job (BullMQ's stalled-job check gives the job to the other worker).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, missingRedis, PASSWORD, runCli, startRedis, startWorkers, withoutTimings, type RedisFixture } from './redis-fixture.js';

if (missingRedis) console.warn(missingRedis);

describe.skipIf(missingRedis !== undefined)('review on the queue', () => {
  let redis: RedisFixture;
  let inProcess: string;
  beforeAll(async () => {
    redis = await startRedis();
    const r = spawnSync(process.execPath, [cli, 'review', '--json', '--workers', '1'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    inProcess = r.stdout;
  }, 120_000);
  afterAll(async () => redis?.kill());

  it('writes the in-process report (270 cells), one JSON document on stdout, and the workers say no password', async () => {
    const workers = startWorkers(redis.url, 2);
    const run = runCli(['review', '--json', '--queue', redis.url]);
    const r = await run.done;
    const stopped = await workers.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { cells: unknown[] }).cells).toHaveLength(270);
    expect(withoutTimings(r.stdout)).toBe(withoutTimings(inProcess));
    // The document's provenance names the command line, its URL's password masked.
    expect(r.stdout).not.toContain(PASSWORD);
    expect((JSON.parse(r.stdout) as { provenance: { command: string[] } }).provenance.command).toContain(redis.url.replace(PASSWORD, '***'));
    for (const w of stopped) {
      expect(w.code).toBe(0);
      expect(w.stderr).toContain('serving redis://:***@127.0.0.1:');
      expect(w.stderr).not.toContain(PASSWORD);
    }
    // The run removed nothing it should keep and left no job waiting.
    expect(await redis.client().llen('bull:rseq-check:wait')).toBe(0);
  });

  it('loses nothing when a worker is SIGKILLed holding a job: the other worker gets it once its lock expires', async () => {
    const doomed = runCli(['worker', '--queue', redis.url, '--name', 'doomed', '--stall-seconds', '2'], { RSEQ_CHECK_QUEUE_TEST_FAULT: 'die-on-first-job' });
    const survivor = startWorkers(redis.url, 1);
    const run = runCli(['review', '--json', '--queue', redis.url]);
    const died = await doomed.done;
    expect(died.signal).toBe('SIGKILL');
    const r = await run.done;
    await survivor.stop();
    expect(r.code).toBe(0);
    expect(withoutTimings(r.stdout)).toBe(withoutTimings(inProcess));
  });
});
