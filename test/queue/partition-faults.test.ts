/**
 * Faults of a partitioned search on a real redis-server. A partition cannot be retried (its
 * states live in its worker's memory), so a lost partition ends the run loudly, exit 70 with its
 * cause, and never hangs: a worker SIGKILLed as its partition begins level 2 is noticed once its
 * heartbeat is older than --stall-seconds; a partition job that throws fails the run at once.
 * The other partitions stop, and their worker goes on serving.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { PARTITION_QUEUE } from '../../run/queue/partition-protocol.js';
import { COUNTER, describeQueue, PASSWORD, runCli, startWorkers, waitUntil } from './redis-fixture.js';

/** Waits until `n` workers serve the partition queue (so that each takes one partition of two). */
async function partitionWorkers(port: number, n: number): Promise<void> {
  const connection = new Redis({ port, host: '127.0.0.1', password: PASSWORD, maxRetriesPerRequest: null });
  const queue = new Queue(PARTITION_QUEUE, { connection });
  try {
    await waitUntil(`${n} partition workers`, async () => (await queue.getWorkersCount()) >= n, 30_000, 100);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

describeQueue('faults of a partitioned search', (redis) => {
  it('a worker killed mid-search: exit 70 naming the partition lost, within the stall time, no verdict', async () => {
    const healthy = startWorkers(redis.url, 1);
    const dying = startWorkers(redis.url, 1, { RSEQ_CHECK_QUEUE_TEST_FAULT: 'die-mid-partition' });
    await partitionWorkers(redis.port, 2);
    const t0 = Date.now();
    const r = await runCli([...COUNTER, '--partition', '2', '--stall-seconds', '2', '--queue', redis.url, '--json']).done;
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rseq-check: partition [01] of 2 stopped answering for 2 s \(its worker died or hangs\); its states are lost, the run has no verdict\n$/);
    expect(Date.now() - t0).toBeLessThan(40_000);
    const [d] = await dying.stop();
    expect(d!.signal).toBe('SIGKILL');
    // The healthy worker's partition stopped; the worker still serves.
    expect(healthy.runs[0]!.child.exitCode).toBeNull();
    await healthy.stop();
  }, 60_000);

  it('a partition job that throws fails the run at once: exit 70 with its cause', async () => {
    const workers = startWorkers(redis.url, 2, { RSEQ_CHECK_QUEUE_TEST_FAULT: 'fail-every-job' });
    await partitionWorkers(redis.port, 2);
    const r = await runCli([...COUNTER, '--partition', '2', '--queue', redis.url]).done;
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^rseq-check: job [0-9a-f]{16}-[01] \(partition\) failed: test fault: job [0-9a-f]{16}-[01] fails on purpose; the run has no verdict\n$/);
    await workers.stop();
  }, 60_000);
});
