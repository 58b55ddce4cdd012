/**
 * The worker's handler of litmus jobs (`litmus --queue`): run/queue/worker.ts takes the job off
 * the queue and validates it; the case runs here, through litmus/, which run/ must not import.
 */
import { runQueuedCase } from '../../litmus/queued-case.js';
import { caseToWire } from '../../litmus/queue.js';
import { jobModel } from '../../run/queue/job-model.js';
import type { LitmusCasePayload } from '../../run/queue/payload.js';

/** Runs the case `payload` names on this machine's kernel (stopped at its deadline or by `signal`); its result as plain data. */
export async function runLitmusJob(payload: LitmusCasePayload, signal: AbortSignal): Promise<unknown> {
  const stops = [signal, ...(payload.deadline !== undefined ? [AbortSignal.timeout(Math.max(0, payload.deadline - Date.now()))] : [])];
  const result = await runQueuedCase({
    case: 'suite' in payload.case ? { suite: payload.case.suite } : { model: jobModel(payload.case.model) },
    ...(payload.policy !== undefined ? { policy: payload.policy } : {}),
    runs: payload.runs,
    seconds: payload.seconds,
    ...(payload.maxStates !== undefined ? { maxStates: payload.maxStates } : {}),
    ...(payload.maxMemoryMB !== undefined ? { maxMemoryMB: payload.maxMemoryMB } : {}),
    signal: AbortSignal.any(stops),
  });
  return caseToWire(result);
}
