/**
 * `check MODEL --swarm N --queue URL` (run/queue/swarm-queue.ts): N diversified depth-first
 * searches on the queue's workers; the first counterexample is reported at once, then shortened
 * on one worker. Without a counterexample the run is incomplete (exit 3), never a pass.
 */
import { readFileSync } from 'node:fs';
import { exitCodeFor } from '../../checker/result.js';
import type { ResolvedModel } from '../../models/library/resolve.js';
import type { CheckOptions } from '../../run/options.js';
import { checkReachable, type QueueTarget } from '../../run/queue/connection.js';
import { QueueJobFailed } from '../../run/queue/job-failed.js';
import type { CheckSettings, ModelSource } from '../../run/queue/payload.js';
import { formatCheck } from '../../reports/text.js';
import type { Output } from '../output.js';
import { queueBoard } from '../progress.js';
import { withStopSignals } from '../signals.js';
import { version } from '../version.js';

/** Each search's state budget unless --max-states says otherwise. */
const SEARCH_STATES = 2_000_000;

/** How the workers find the model `spec` names: by name when built in, else the file's JSON. */
export function modelSource(spec: string, params: readonly string[], model: ResolvedModel): ModelSource {
  if (spec.startsWith('gallery/')) return { gallery: spec.slice('gallery/'.length) };
  if (model.source.endsWith('.json') || model.source !== spec || /[^a-z0-9-]/.test(spec)) return { json: JSON.parse(readFileSync(spec, 'utf8')) as unknown, name: spec };
  return { builtin: spec, params: [...params] };
}

/** The check options that shape the system, as a job's plain data (knobs as `name=value`). */
export function settingsOf(options: CheckOptions): CheckSettings {
  const knobs = Array.isArray(options.knobs) ? options.knobs : Object.entries(options.knobs ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return {
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(knobs.length > 0 ? { knobs } : {}),
    ...(options.properties ? { properties: [...options.properties] } : {}),
    ...(options.budgets ? { budgets: options.budgets } : {}),
    ...(options.constants ? { constants: options.constants } : {}),
    ...(options.reduce !== undefined ? { reduce: options.reduce } : {}),
    ...(options.disable ? { disable: [...options.disable] } : {}),
    ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
  };
}

export interface SwarmRequest {
  readonly queue: QueueTarget;
  readonly searches: number;
  readonly model: ModelSource;
  readonly resolved: ResolvedModel;
  readonly options: CheckOptions;
  readonly maxStates?: number;
  /** Each worker process's resident-size bound in MB, for its search. */
  readonly maxMemoryMB?: number;
  readonly maxSeconds?: number;
  readonly showProgress: boolean;
}

/** Runs the swarm and prints its result as `check` prints one; returns the exit code. */
export async function runSwarm(out: Output, request: SwarmRequest): Promise<number> {
  await checkReachable(request.queue);
  return withStopSignals(async (signal) => {
    const board = queueBoard(request.showProgress);
    try {
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
