/**
 * `check MODEL --swarm N --queue URL` (run/queue/swarm-queue.ts): N diversified depth-first
 * searches on the queue's workers; the first counterexample is reported at once, then shortened
 * on one worker. Without a counterexample the run is incomplete (exit 3), never a pass.
 */
import type { Output } from '../output.js';
import { version } from '../version.js';
import { runCheckOnQueue, settingsOf, type QueueCheckRequest } from './check-on-queue.js';

/** Each search's state budget unless --max-states says otherwise. */
const SEARCH_STATES = 2_000_000;

export interface SwarmRequest extends QueueCheckRequest {
  readonly searches: number;
}

/** Runs the swarm and prints its result as `check` prints one; returns the exit code. */
export function runSwarm(out: Output, request: SwarmRequest): Promise<number> {
  return runCheckOnQueue(out, request, async (signal, board) => {
    // On demand: BullMQ takes 0.3 s to load, which no check without --swarm should pay.
    const { swarmOnQueue } = await import('../../run/queue/swarm-queue.js');
    const run = await swarmOnQueue(request.queue, request.model, request.resolved.ir, settingsOf(request.options), {
      version: version(),
      searches: request.searches,
      maxStates: request.maxStates ?? SEARCH_STATES,
      signal,
      ...(request.maxSeconds !== undefined ? { maxSeconds: request.maxSeconds } : {}),
      ...(request.maxMemoryMB !== undefined ? { maxMemoryMB: request.maxMemoryMB } : {}),
      ...(board ? { onBoard: board.onBoard } : {}),
      onFirst: (f) => {
        board?.stop();
        out.say(`first counterexample: search ${f.search} of ${request.searches} found ${f.property} violated in ${f.steps} steps after ${f.seconds.toFixed(2)} s (${f.states} states); shortening it on one worker`);
      },
    });
    board?.stop();
    if (run.ended?.kind === 'lost') out.note(`check: ${run.ended.why}; the run is incomplete`);
    if (run.exhausted.length > 0)
      out.note(`check: search ${run.exhausted.join(', ')} stored every reachable state without a counterexample; a swarm reports no pass: check without --swarm for the verdict`);
    return run.result;
  });
}
