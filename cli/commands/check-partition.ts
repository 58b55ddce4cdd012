/**
 * `check MODEL --partition K --queue URL` (run/queue/partition-queue.ts): one exhaustive
 * breadth-first search whose states are split over K partitions on the queue's workers. Prints
 * its result as `check --search bfs` prints one, and on stderr how the states spread and what
 * crossed partitions through Redis. A partition lost (a job failed, a worker dead) ends the run
 * with exit 70 and its cause; Redis lost, a limit or a signal ends it incomplete (exit 3).
 */
import { exitCodeFor } from '../../checker/result.js';
import type { ResolvedModel } from '../../models/library/resolve.js';
import type { CheckOptions } from '../../run/options.js';
import { checkReachable, type QueueTarget } from '../../run/queue/connection.js';
import { QueueJobFailed } from '../../run/queue/job-failed.js';
import { partitionOnQueue } from '../../run/queue/partition-queue.js';
import type { ModelSource } from '../../run/queue/payload.js';
import { formatCheck } from '../../reports/text.js';
import type { Output } from '../output.js';
import { queueBoard } from '../progress.js';
import { withStopSignals } from '../signals.js';
import { version } from '../version.js';
import { settingsOf } from './check-swarm.js';

export interface PartitionRequest {
  readonly queue: QueueTarget;
  readonly partitions: number;
  readonly model: ModelSource;
  readonly resolved: ResolvedModel;
  readonly options: CheckOptions;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryMB?: number;
  readonly stallSeconds?: number;
  readonly showProgress: boolean;
}

/** Runs the partitioned search and prints its result; returns the exit code. */
export async function runPartitioned(out: Output, request: PartitionRequest): Promise<number> {
  await checkReachable(request.queue);
  return withStopSignals(async (signal) => {
    const board = queueBoard(request.showProgress);
    try {
      const run = await partitionOnQueue(request.queue, request.model, request.resolved.ir, settingsOf(request.options), {
        version: version(),
        partitions: request.partitions,
        signal,
        ...(request.maxStates !== undefined ? { maxStates: request.maxStates } : {}),
        ...(request.maxSeconds !== undefined ? { maxSeconds: request.maxSeconds } : {}),
        ...(request.maxMemoryMB !== undefined ? { maxMemoryMB: request.maxMemoryMB } : {}),
        ...(request.stallSeconds !== undefined ? { stallSeconds: request.stallSeconds } : {}),
        ...(board ? { onBoard: board.onBoard } : {}),
      });
      board?.stop();
      if (run.lost !== undefined) out.note(`check: ${run.lost}; the run is incomplete`);
      const { states, batches, bytes } = run.traffic;
      const perPartition = run.result.stats.statesPerPartition ?? [];
      out.note(
        `check: ${request.partitions} partition${request.partitions === 1 ? '' : 's'} (states ${perPartition.join(' / ')}); through Redis: ${states} states in ${batches} batches, ${bytes} bytes${states > 0 ? ` (${(bytes / states).toFixed(1)} bytes per state)` : ''}`,
      );
      out.result(run.result, () => formatCheck(run.result));
      return exitCodeFor(run.result.verdict);
    } catch (e) {
      board?.stop();
      if (!(e instanceof QueueJobFailed)) throw e;
      out.note(`rseq-check: ${e.message}`);
      return 70;
    }
  });
}
