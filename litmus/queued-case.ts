/**
 * The worker's side of `litmus --queue`: a job names a case (a suite case by id, or a model) and
 * the run's settings; the worker runs it here, on its own kernel, and says where it ran.
 */
import { hostname } from 'node:os';
import { InputErrors } from '../models/ir/errors.js';
import type { ModelIR } from '../models/ir/types.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { notRunResult, type CaseResult, type RanOn } from './case-result.js';
import { formatUntranslatable, generateLitmusC, LitmusUntranslatable } from './generate.js';
import { prepareCase, runKernelPathCase, runLitmusCase, type PreparedCase } from './in-process.js';
import { kernelPathCases, type KernelPathCase } from './kernel-paths.js';
import { detectKernel } from './kernel.js';
import { budgetsForPlan, planForModel } from './plan.js';
import { checkEnvironment } from './run.js';
import { litmusSuite } from './suite.js';

/** A job this worker cannot take, as bad input located at the job's case. */
const refused = (message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['case'], message }]);

/** What a queued job asks of its worker: the case (a suite case by id, or a model) and the run's settings. */
export interface QueuedCaseJob {
  readonly case: { readonly suite: string } | { readonly model: ModelIR };
  readonly policy?: string;
  readonly runs: number;
  readonly seconds: number;
  readonly maxStates?: number;
  readonly maxMemoryMB?: number;
  readonly signal: AbortSignal;
}

/**
 * The worker's side of `litmus --queue`: runs the case a job names on this machine's kernel,
 * judged as an in-process run on this machine judges it, and says where it ran. A job this
 * worker cannot take (an id not in its suite, an unknown policy, an untranslatable model)
 * throws InputErrors: the job is refused.
 */
export async function runQueuedCase(job: QueuedCaseJob): Promise<CaseResult> {
  let prepared: PreparedCase | undefined;
  let path: KernelPathCase | undefined;
  if ('suite' in job.case) {
    const id = job.case.suite;
    const c = litmusSuite().find((x) => x.id === id);
    path = kernelPathCases().find((x) => x.id === id);
    if (c) prepared = prepareCase(c);
    else if (!path) throw refused(`no litmus suite case "${id}" in this worker's suite`);
  } else {
    const plan = planForModel(job.case.model);
    prepared = { id: job.case.model.name, title: job.case.model.name, ir: job.case.model, plan, budgets: budgetsForPlan(job.case.model, plan) };
  }
  if (job.policy) resolvePolicy(job.policy, undefined);
  if (prepared) {
    try {
      generateLitmusC(prepared.ir, prepared.plan, prepared.id);
    } catch (e) {
      if (e instanceof LitmusUntranslatable) throw refused(e.problems.map(formatUntranslatable).join('; '));
      throw e;
    }
  }
  const id = prepared?.id ?? path!.id;
  const title = prepared?.title ?? path!.title;
  const env = await checkEnvironment();
  const kernel = detectKernel();
  const ranOn: RanOn = { host: hostname(), kernel: { release: kernel.release, arch: kernel.arch, preset: kernel.preset, knobs: kernel.knobs, note: kernel.note }, compiler: env.ok ? env.gcc : 'none' };
  // As in process, where no run starts without a compiler or, --policy aside, a preset for the kernel.
  const cannot = !env.ok ? env.reason : !job.policy && !kernel.preset ? `no kernel preset matches (${kernel.note}); give one with --policy` : undefined;
  if (cannot !== undefined) return { ...notRunResult(id, title, cannot), ranOn };
  const options = {
    ...(job.policy ? { policy: job.policy } : {}),
    kernel,
    runs: job.runs,
    seconds: job.seconds,
    ...(job.maxStates !== undefined ? { maxStates: job.maxStates } : {}),
    ...(job.maxMemoryMB !== undefined ? { maxMemoryMB: job.maxMemoryMB } : {}),
    signal: job.signal,
  };
  const result = prepared ? await runLitmusCase(prepared, options) : await runKernelPathCase(path!, options);
  return { ...result, ranOn };
}
