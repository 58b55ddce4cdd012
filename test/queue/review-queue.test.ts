/**
 * `review --queue` on a real redis-server with two `rseq-check worker` processes: the report is
 * the in-process one byte for byte apart from its timing, also when a worker is SIGKILLed while
 * it holds a job (BullMQ's stalled-job check gives the job to the other worker).
 */
import { beforeAll, expect, it } from 'vitest';
import { runCliSync } from '../cli/cli-runner.js';
import { describeQueue, PASSWORD, REVIEW_SUBSET, REVIEW_SUBSET_CELLS, runCli, startWorker, startWorkers, withoutTimings } from './redis-fixture.js';

describeQueue('review on the queue', (redis) => {
  let inProcess: string;
  beforeAll(() => {
    const r = runCliSync(['review', ...REVIEW_SUBSET, '--json', '--workers', '1']);
    expect(r.status).toBe(0);
    inProcess = r.stdout;
  }, 120_000);

  it('writes the in-process report (54 cells), one JSON document on stdout, and the workers say no password', async () => {
    const workers = startWorkers(redis.url, 2);
    const run = runCli(['review', ...REVIEW_SUBSET, '--json', '--queue', redis.url]);
    const r = await run.done;
    const stopped = await workers.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { cells: unknown[] }).cells).toHaveLength(REVIEW_SUBSET_CELLS);
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
    const doomed = startWorker(redis.url, 'doomed', { RSEQ_CHECK_QUEUE_TEST_FAULT: 'die-on-first-job' });
    const survivor = startWorkers(redis.url, 1);
    const run = runCli(['review', ...REVIEW_SUBSET, '--json', '--queue', redis.url]);
    const died = await doomed.done;
    expect(died.signal).toBe('SIGKILL');
    const r = await run.done;
    await survivor.stop();
    expect(r.code).toBe(0);
    expect(withoutTimings(r.stdout)).toBe(withoutTimings(inProcess));
  });
});
