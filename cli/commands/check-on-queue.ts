/**
 * What `check --swarm` and `check --partition` share: how a model and its check options travel
 * in a job, and the run around a queued check (the queue reachable before any work, the first
 * SIGINT/SIGTERM stopping it, the workers' board on a terminal, a job failing on every attempt
 * ending it with exit 70 and its cause, the result printed as `check` prints one).
 */
import { readFileSync } from 'node:fs';
import { exitCodeFor } from '../../checker/result.js';
import type { ResolvedModel } from '../../models/library/resolve.js';
import type { CheckOptions } from '../../run/options.js';
import type { CheckResult } from '../../run/result.js';
import { checkReachable, type QueueTarget } from '../../run/queue/connection.js';
import { QueueJobFailed } from '../../run/queue/job-failed.js';
import type { CheckSettings, ModelSource } from '../../run/queue/payload.js';
import { formatCheck } from '../../reports/text.js';
import type { Output } from '../output.js';
import { queueBoard } from '../progress.js';
import { withStopSignals } from '../signals.js';

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

/** A check to run on the queue: the model (for the workers and resolved here), its options and limits. */
export interface QueueCheckRequest {
  readonly queue: QueueTarget;
  readonly model: ModelSource;
  readonly resolved: ResolvedModel;
  readonly options: CheckOptions;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Each worker process's resident-size bound in MB, for its job. */
  readonly maxMemoryMB?: number;
  readonly showProgress: boolean;
}

/** The workers' board on a terminal: `stop()` clears it before anything else is printed. */
export type QueueBoard = ReturnType<typeof queueBoard>;

/**
 * Runs `search` (given the stop signal and the board, which it stops before printing its own
 * notes) and prints its result; returns the exit code.
 */
export async function runCheckOnQueue(out: Output, request: QueueCheckRequest, search: (signal: AbortSignal, board: QueueBoard) => Promise<CheckResult>): Promise<number> {
  await checkReachable(request.queue);
  return withStopSignals(async (signal) => {
    const board = queueBoard(request.showProgress);
    try {
      const result = await search(signal, board);
      board?.stop();
      out.result(result, () => formatCheck(result));
      return exitCodeFor(result.verdict);
    } catch (e) {
      board?.stop();
      if (!(e instanceof QueueJobFailed)) throw e;
      out.note(`rseq-check: ${e.message}`);
      return 70;
    }
  });
}
