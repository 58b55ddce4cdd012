/**
 * Litmus cases run here, on this machine's kernel, one after the other: for each, generate the C
 * program (generate.ts), compile and run it (run.ts) with the tracepoints recording
 * (tracepoint.ts), explore the model's outcomes under the preset of the running kernel
 * (kernel.ts, outcomes.ts) and judge (case-result.ts).
 */
import { namingSignal, type Limit } from '../checker/result.js';
import { InputErrors } from '../models/ir/errors.js';
import type { EventKind, ModelIR } from '../models/ir/types.js';
import { validateModel } from '../models/ir/validate.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import type { LitmusCasePayload } from '../run/queue/payload.js';
import { generatedCaseResult, kernelPathCaseResult, notRunResult, type CaseResult, type LitmusStop } from './case-result.js';
import { generateLitmusC, type GeneratedLayout, type LitmusPlan } from './generate.js';
import { kernelPathsSource, type KernelPathCase } from './kernel-paths.js';
import { detectKernel, presetForVersion, type KernelInfo } from './kernel.js';
import { modelOutcomes, type ModelOutcomes } from './outcomes.js';
import { formatKernelLine } from './report.js';
import { checkEnvironment, compileLitmus, LitmusCannotRun, LitmusStopped, runLitmusBinary, type LitmusRun } from './run.js';
import type { LitmusCase } from './suite.js';
import { startFixupTrace, type TraceResult } from './tracepoint.js';

/** A case's model exploration stops here unless --max-states says otherwise (every suite model fits well within it). */
const MODEL_STATES = 4_000_000;

/** The cases of a run: generated ones (a model and its plan) and kernel-path ones (kernel-paths.c). */
export interface LitmusCases {
  readonly generated: readonly PreparedCase[];
  readonly paths: readonly KernelPathCase[];
}

/** What ends an in-process run early, and what hears of its progress. */
export interface RunLimits {
  /** The whole run's time limit: cases not done by then are not run (the result is incomplete). */
  readonly maxSeconds?: number;
  /** Aborted by the first SIGINT/SIGTERM: the running program is killed, its case and the rest are not run. */
  readonly signal?: AbortSignal;
  /** Told how many cases will run, then called as each is done (for a progress line); returns its stop. */
  readonly onCases?: (total: number) => { onCase: () => void; stop: () => void } | undefined;
}

/** The settings every case of an in-process run shares (the policy given, else the running kernel's preset). */
interface HereOptions {
  readonly policy?: string;
  readonly runs: number;
  readonly seconds: number;
  readonly maxStates?: number;
  readonly maxMemoryMB?: number;
}

/**
 * Runs the cases here: names the kernel and the compiler (through `say`), then runs the cases
 * in order; undefined when they cannot run on this machine (`say` has said why).
 */
export async function runHere(cases: LitmusCases, options: HereOptions, limits: RunLimits, say: (s: string) => void): Promise<{ results: CaseResult[]; kernel: KernelInfo; stop?: LitmusStop } | undefined> {
  const env = await checkEnvironment();
  if (!env.ok) {
    say(`litmus: cannot run: ${env.reason}`);
    return undefined;
  }
  const kernel = detectKernel();
  say(formatKernelLine(kernel, options.policy));
  say(`compiler: ${env.gcc}`);
  if (!options.policy && !kernel.preset) {
    say(`litmus: cannot run: no kernel preset matches (${kernel.note}); give one with --policy`);
    return undefined;
  }
  const { results, stop } = await runCases(cases, { ...options, kernel }, limits);
  return { results, kernel, ...(stop ? { stop } : {}) };
}

/** A generated case ready to run: its validated model, its plan and the model-side budgets. */
export interface PreparedCase {
  readonly id: string;
  readonly title: string;
  /** How a job names the case (`--queue`): a suite case by its id, a model by its source. */
  readonly identity?: LitmusCasePayload['case'];
  readonly ir: ModelIR;
  readonly plan: LitmusPlan;
  readonly budgets: Partial<Record<EventKind, number | 'unbounded'>>;
  readonly knownFinding?: LitmusCase['knownFinding'];
}

/** A suite case, its model validated (a suite model that does not validate is a defect of the suite: InputErrors). */
export function prepareCase(c: LitmusCase): PreparedCase {
  const v = validateModel(c.model, `suite/${c.id}`);
  if (!v.ok) throw new InputErrors(v.errors);
  return { id: c.id, title: c.title, identity: { suite: c.id }, ir: v.ir, plan: c.plan, budgets: c.budgets, ...(c.knownFinding ? { knownFinding: c.knownFinding } : {}) };
}

/** Runs one case: generate, compile, run (with the tracepoint), explore, compare. */
export async function runLitmusCase(
  p: Omit<PreparedCase, 'identity'>,
  options: { policy?: string; kernel: KernelInfo; runs: number; seconds: number; maxStates?: number; maxMemoryMB?: number; maxModelSeconds?: number; signal?: AbortSignal },
): Promise<CaseResult> {
  const t0 = performance.now();
  const cannot = (reason: string, compile = 0, runS = 0): CaseResult =>
    notRunResult(p.id, p.title, reason, { compile, run: runS, model: 0, total: (performance.now() - t0) / 1000 });
  const gen = generateLitmusC(p.ir, p.plan, p.id);
  let compiled;
  try {
    compiled = await compileLitmus(gen.source, 'rseq-litmus');
  } catch (e) {
    if (e instanceof LitmusCannotRun) return cannot(e.message);
    throw e;
  }
  let run: LitmusRun;
  let trace: TraceResult | { unavailable: string };
  try {
    const t = startFixupTrace();
    try {
      run = await runLitmusBinary(compiled.binary, p.ir, gen.layout, {
        runs: options.runs,
        seconds: options.seconds,
        timeoutSeconds: options.seconds + p.plan.runTimeoutSeconds + 30,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      trace = t.ok ? t.session.stop() : { unavailable: t.reason };
    }
  } catch (e) {
    compiled.dispose();
    if (e instanceof LitmusCannotRun) return cannot(e.message, compiled.seconds);
    throw e;
  }
  compiled.dispose();

  // The preset: the one given, else the running kernel's (7.1+ needs the registration length).
  let policyName = options.policy;
  let knobs: readonly string[] = [];
  if (!policyName) {
    const k = options.kernel;
    const preset = k.version ? presetForVersion(k.version, run.header.registrationLength).preset : null;
    if (!preset) return cannot(`no kernel preset matches the running kernel (${k.note}); give one with --policy`, compiled.seconds, run.seconds);
    policyName = preset;
    knobs = k.knobs;
  }
  const policy = resolvePolicy(policyName, knobs.length > 0 ? knobs : undefined);
  const tm = performance.now();
  const model = await modelOutcomes(p.ir, {
    policy,
    budgets: p.budgets,
    maxStates: options.maxStates ?? MODEL_STATES,
    maxSeconds: options.maxModelSeconds ?? 90,
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.signal?.aborted) throw new LitmusStopped('stopped while the model was explored');
  const modelSeconds = (performance.now() - tm) / 1000;
  return generatedCaseResult(p, gen.layout, run, trace, model, policy, { compile: compiled.seconds, run: run.seconds, model: modelSeconds, total: (performance.now() - t0) / 1000 });
}

/**
 * Runs a kernel-path case (kernel-paths.ts): the kernel side is kernel-paths.c in the case's
 * mode; the allowed set is the model's when the case is wired, else the hand-worked set.
 */
export async function runKernelPathCase(c: KernelPathCase, options: { kernel: KernelInfo; runs: number; seconds: number; maxStates?: number; maxMemoryMB?: number; signal?: AbortSignal }): Promise<CaseResult> {
  const t0 = performance.now();
  const v = validateModel(c.modelSide.model, `kernel-paths/${c.id}`);
  if (!v.ok) throw new InputErrors(v.errors);
  const ir = v.ir;
  let compiled;
  try {
    compiled = await compileLitmus(kernelPathsSource(), 'rseq-litmus');
  } catch (e) {
    if (!(e instanceof LitmusCannotRun)) throw e;
    return notRunResult(c.id, c.title, e.message, { compile: 0, run: 0, model: 0, total: (performance.now() - t0) / 1000 });
  }
  const layout: GeneratedLayout = { sites: [], cells: ir.memory.cells, kabBase: 0, babBase: 0, assertSlot: 0, sigSlot: 0, migSlot: 0, tidBase: 0, sigIpBase: 0, sentSlot: 0, traceSlot: 0, sharedWords: 0, usesMembarrier: false };
  let run: LitmusRun;
  let trace: TraceResult | { unavailable: string };
  try {
    const t = startFixupTrace();
    try {
      run = await runLitmusBinary(compiled.binary, ir, layout, { runs: options.runs, seconds: options.seconds, mode: c.mode, timeoutSeconds: options.seconds + 40, ...(options.signal ? { signal: options.signal } : {}) });
    } finally {
      trace = t.ok ? t.session.stop() : { unavailable: t.reason };
    }
  } catch (e) {
    compiled.dispose();
    if (!(e instanceof LitmusCannotRun)) throw e;
    return notRunResult(c.id, c.title, e.message, { compile: compiled.seconds, run: 0, model: 0, total: (performance.now() - t0) / 1000 });
  }
  compiled.dispose();
  const tm = performance.now();
  let allowed: readonly string[] = c.expected;
  let allowedFrom = `the hand-worked set (model side pending: ${c.awaiting})`;
  let model: ModelOutcomes | undefined;
  if (c.wired && options.kernel.preset) {
    model = await modelOutcomes(ir, {
      policy: resolvePolicy(options.kernel.preset, [...options.kernel.knobs, ...c.modelSide.knobs]),
      budgets: c.modelSide.budgets,
      maxStates: options.maxStates ?? MODEL_STATES,
      maxSeconds: 90,
      ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.signal?.aborted) throw new LitmusStopped('stopped while the model was explored');
    allowed = model.outcomes.map((o) => o.outcome);
    allowedFrom = `the model under ${model.policy.name}${c.awaiting ? ` (not modelled: ${c.awaiting})` : ''}`;
  }
  const modelSeconds = (performance.now() - tm) / 1000;
  return kernelPathCaseResult(c, ir, run, trace, { allowed, allowedFrom, model }, { compile: compiled.seconds, run: run.seconds, model: modelSeconds, total: (performance.now() - t0) / 1000 });
}

/**
 * Runs the cases in order until `limits` stop the run: the program running then is killed and
 * its case is counted among those not run (a case's runs are compared only when all of them ran).
 */
async function runCases(
  cases: LitmusCases,
  options: { policy?: string; kernel: KernelInfo; runs: number; seconds: number; maxStates?: number; maxMemoryMB?: number },
  limits: RunLimits,
): Promise<{ results: CaseResult[]; stop?: LitmusStop }> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(limits.signal?.reason);
  if (limits.signal?.aborted) onSignal();
  limits.signal?.addEventListener('abort', onSignal);
  const timer = limits.maxSeconds !== undefined ? setTimeout(() => controller.abort('time'), limits.maxSeconds * 1000) : undefined;
  const todo: { id: string; run: (signal: AbortSignal) => Promise<CaseResult> }[] = [
    ...cases.generated.map((c) => ({ id: c.id, run: (signal: AbortSignal) => runLitmusCase(c, { ...options, signal }) })),
    ...cases.paths.map((c) => ({ id: c.id, run: (signal: AbortSignal) => runKernelPathCase(c, { ...options, signal }) })),
  ];
  const results: CaseResult[] = [];
  const progress = limits.onCases?.(todo.length);
  try {
    for (const c of todo) {
      if (controller.signal.aborted) break;
      try {
        results.push(await c.run(controller.signal));
        progress?.onCase();
      } catch (e) {
        if (!(e instanceof LitmusStopped)) throw e;
        break;
      }
    }
  } finally {
    progress?.stop();
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onSignal);
  }
  if (!controller.signal.aborted || results.length === todo.length) return { results };
  const stoppedBy: Limit = controller.signal.reason === 'time' ? { kind: 'time', bound: limits.maxSeconds! } : namingSignal({ kind: 'interrupted' }, limits.signal);
  return { results, stop: { stoppedBy, notRun: todo.slice(results.length).map((c) => c.id) } };
}
