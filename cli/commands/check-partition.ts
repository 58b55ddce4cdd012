/**
 * `check MODEL --partition K --queue URL` (run/queue/partition-queue.ts): one exhaustive
 * breadth-first search whose states are split over K partitions on the queue's workers. Prints
 * its result as `check --search bfs` prints one, and on stderr how the states spread and what
 * crossed partitions through Redis. A partition lost (a job failed, a worker dead) ends the run
 * with exit 70 and its cause; Redis lost, a limit or a signal ends it incomplete (exit 3).
 */
import { partitionOnQueue } from '../../run/queue/partition-queue.js';
import type { Output } from '../output.js';
import { version } from '../version.js';
import { runCheckOnQueue, settingsOf, type QueueCheckRequest } from './check-on-queue.js';

export interface PartitionRequest extends QueueCheckRequest {
  readonly partitions: number;
  readonly stallSeconds?: number;
}

/** Runs the partitioned search and prints its result; returns the exit code. */
export function runPartitioned(out: Output, request: PartitionRequest): Promise<number> {
  return runCheckOnQueue(out, request, async (signal, board) => {
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
    return run.result;
  });
}
