/**
 * `rseq-check litmus MODEL | --suite [--policy P] [--runs N] [--seconds S]`: hold the kernel
 * model against the running kernel.
 *
 * For each case: generate the C program (generate.ts), compile and run it (run.ts) with the
 * rseq:rseq_ip_fixup tracepoint recording (tracepoint.ts), explore the model's final outcomes
 * under the preset of the running kernel (kernel.ts, outcomes.ts), and compare: every observed
 * outcome must be one the model allows (else MODEL TOO STRONG, a finding); outcomes allowed and
 * never observed are listed, they are not a failure.
 *
 * Exit code: 0 the model is not too strong anywhere, 1 a finding, 2 cannot run / bad input /
 * inconclusive (the model's exploration stopped at a limit and an observation is unexplained).
 */
import { hostname } from 'node:os';
import { namingSignal, type Limit } from '../checker/result.js';
import { InputErrors, formatInputError, suggest } from '../models/ir/errors.js';
import type { EventKind, ModelIR } from '../models/ir/types.js';
import { validateModel } from '../models/ir/validate.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { resolveModel, type ResolvedModel } from '../models/library/resolve.js';
import { formatUntranslatable, generateLitmusC, LitmusUntranslatable, type Delay, type GeneratedLayout, type LitmusPlan } from './generate.js';
import { detectKernel, presetForVersion, type KernelInfo } from './kernel.js';
import { compareOutcomes, KILLED, modelOutcomes, type ModelOutcomes } from './outcomes.js';
import { checkEnvironment, compileLitmus, LitmusCannotRun, LitmusStopped, runLitmusBinary, type LitmusRun } from './run.js';
import { litmusSuite, type LitmusCase } from './suite.js';
import { kernelPathCases, kernelPathsSource, type KernelPathCase } from './kernel-paths.js';
import { startFixupTrace, type TraceResult } from './tracepoint.js';
import { actionLabel, attributeActions, SIGNAL_PHASES, signalPhase, type HandlerAction, type KernelPath, type SignalPhase } from './paths.js';
import { buildProvenance } from '../run/provenance.js';
import type { LitmusCasePayload, ModelSource } from '../run/queue/payload.js';

export interface LitmusArgs {
  readonly model?: string;
  readonly suite: boolean;
  readonly policy?: string;
  readonly runs?: number;
  readonly seconds?: number;
  /** Print the results as JSON (resultsToJson) instead of the table and the details. */
  readonly json?: boolean;
  /** The whole run's time limit: cases not done by then are not run (the result is incomplete). */
  readonly maxSeconds?: number;
  /** States each case's model exploration may store (default 4 000 000), and the process's size bound in MB. */
  readonly maxStates?: number;
  readonly maxMemoryMB?: number;
  /** Aborted by the first SIGINT/SIGTERM: the running program is killed, its case and the rest are not run. */
  readonly signal?: AbortSignal;
  /** Told how many cases will run, then called as each is done (for a progress line); returns its stop. */
  readonly onCases?: (total: number) => { onCase: () => void; stop: () => void } | undefined;
  /** `--case`: only these cases of the suite (by id), in the suite's order. */
  readonly cases?: readonly string[];
  /** `--queue`: the cases run as jobs on a Redis queue, each on its worker's machine and kernel. */
  readonly queue?: LitmusQueueRunner;
}

/** A case as a queued run names it to the workers (the job's identity), with the coordinator's id and title for it. */
export interface QueuedCase {
  readonly id: string;
  readonly title: string;
  readonly identity: LitmusCasePayload['case'];
}

/** How a queued run ended before all its cases were done. */
export type QueueEnd = { readonly kind: 'signal' } | { readonly kind: 'time' } | { readonly kind: 'lost'; readonly why: string };

/** What runs the cases on the job queue (litmus/queue.ts; the command line builds it, so that no run without --queue loads BullMQ). */
export interface LitmusQueueRunner {
  /** How the workers find a MODEL: by name when built in, else its JSON. */
  modelSource(spec: string, model: ResolvedModel): ModelSource;
  /** One job per case; a result per case (undefined where not done; each names where it ran), and why the run ended early. */
  run(
    cases: readonly QueuedCase[],
    options: { policy?: string; runs: number; seconds: number; maxStates?: number; maxMemoryMB?: number; maxSeconds?: number; signal?: AbortSignal },
  ): Promise<{ results: readonly (CaseResult | undefined)[]; ended?: QueueEnd }>;
}

/** A litmus run cut short: what stopped it and the cases it did not finish. */
export interface LitmusStop {
  readonly stoppedBy: Limit;
  readonly notRun: readonly string[];
}

const DEFAULT_RUNS = 400;
/** A case's model exploration stops here unless --max-states says otherwise (every suite model fits well within it). */
const MODEL_STATES = 4_000_000;
const DEFAULT_SECONDS = 5;

/** The tracepoint's account of one abort site, held against the program's counters. */
export interface TraceComparison {
  readonly site: string;
  readonly fixups: number;
  readonly counted: number;
  /** Offsets ip - start_ip with the model instruction they fall in, and how often. */
  readonly offsets: readonly { readonly offset: number; readonly instruction: number; readonly text: string; readonly count: number }[];
}

export type Verdict = 'ok' | 'MODEL TOO STRONG' | 'cannot run' | 'inconclusive';

/** The stress a case ran under: what an outcome never shown was given the chance to appear with. */
export interface Stress {
  readonly runs: number;
  readonly signalsPerRun: number;
  readonly migrationsPerRun: number;
  readonly competitors: boolean;
  readonly delays: number;
  readonly delayUs: number;
  readonly windowUs: number;
}

/** How the runs that ended in one outcome got there: runs per kernel-action label. */
export interface OutcomePaths {
  readonly outcome: string;
  readonly runs: number;
  readonly byPath: readonly { readonly label: string; readonly runs: number }[];
}

function formatStress(s: Stress): string {
  const parts = [`${s.runs} runs`];
  if (s.signalsPerRun > 0) parts.push(`${s.signalsPerRun} signal(s)/run`);
  if (s.migrationsPerRun > 0) parts.push(`${s.migrationsPerRun} migration(s)/run`);
  parts.push(s.competitors ? 'competitors' : 'no competitor');
  if (s.delays > 0) parts.push(`${s.delays} delay(s) ${s.delayUs} µs`);
  parts.push(`window ${s.windowUs} µs`);
  return parts.join(', ');
}

function stressOf(plan: LitmusPlan, ir: ModelIR, runs: number): Stress {
  const handlers = ir.threads.some((t) => t.handler >= 0);
  const migratable = ir.threads.some((t) => t.allowed.length > 1);
  return {
    runs,
    signalsPerRun: handlers ? plan.signals : 0,
    migrationsPerRun: migratable ? plan.migrations : 0,
    competitors: plan.competitors,
    delays: plan.delays.length,
    delayUs: plan.delays.reduce((a, d) => a + d.us, 0),
    windowUs: plan.windowUs,
  };
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly verdict: Verdict;
  /** Why it cannot run, or what is inconclusive. */
  readonly reason?: string;
  readonly policy?: string;
  /** The model's outcomes (the policy is `policy`: a queued case's result carries its name only). */
  readonly model?: Omit<ModelOutcomes, 'policy'>;
  /** The outcomes the verdict holds the kernel against, and where they come from. */
  readonly allowed: readonly string[];
  readonly allowedFrom: string;
  readonly observed: ReadonlyMap<string, number>;
  readonly runs: number;
  readonly notAllowed: readonly string[];
  readonly unseen: readonly string[];
  readonly kernelAborts: number;
  readonly userAborts: number;
  readonly signalsDelivered: number;
  readonly signalsSent: number;
  readonly migrationsDone: number;
  /** Where the delivered signals landed (from the IP in the signal frame). */
  readonly signalPhases: Readonly<Partial<Record<SignalPhase, number>>>;
  /** Per observed outcome, the kernel actions of its runs; `pathSource` says how they were known. */
  readonly paths: readonly OutcomePaths[];
  readonly pathSource: string;
  /** Aborts and kills per kernel path, over all runs (from the tracepoint only). */
  readonly actions: { readonly abort: Readonly<Partial<Record<KernelPath, number>>>; readonly kill: Readonly<Partial<Record<KernelPath, number>>> };
  readonly stress?: Stress;
  readonly trace: { readonly available: false; readonly reason: string } | { readonly available: true; readonly lost: number; readonly sites: readonly TraceComparison[]; readonly agree: boolean };
  readonly seconds: { readonly compile: number; readonly run: number; readonly model: number; readonly total: number };
  /** The explanation of a documented disagreement. */
  readonly knownFinding?: { readonly outcomes: readonly string[]; readonly why: string };
  /** Where a queued case ran (in process: this machine, named once by the kernel line). */
  readonly ranOn?: RanOn;
}

/** What names a kernel in a report: its release, architecture, the preset it resolves to (and its knobs), and why. */
export type KernelSummary = Pick<KernelInfo, 'release' | 'arch' | 'preset' | 'knobs' | 'note'>;

/** The machine a queued case ran on: its host name, its kernel and its compiler. */
export interface RanOn {
  readonly host: string;
  readonly kernel: KernelSummary;
  readonly compiler: string;
}

/** Model-side budgets at least as permissive as a run of `plan`. */
export function budgetsForPlan(ir: ModelIR, plan: LitmusPlan): Partial<Record<EventKind, number | 'unbounded'>> {
  const migratable = ir.threads.some((t) => t.allowed.length > 1);
  const handlers = ir.threads.some((t) => t.handler >= 0);
  return { preemptions: 'unbounded', interrupts: 'unbounded', traps: 'unbounded', migrations: migratable ? 'unbounded' : 0, signals: handlers ? plan.signals : 0 };
}

/**
 * The plan for a model that comes without one: a 300 µs delay before every instruction inside
 * a c.s. range (the selftests' inject points), the model's signal budget (at most 3; 1 when it
 * is unbounded) if a thread has a handler, and 4 migrations when a thread may move.
 */
export function planForModel(ir: ModelIR): LitmusPlan {
  const delays: Delay[] = [];
  for (const d of ir.descriptors)
    for (let i = d.start; i < d.postCommit; i++) if (!delays.some((x) => x.program === ir.programs[d.program]!.name && x.at === i)) delays.push({ program: ir.programs[d.program]!.name, at: i, us: 300 });
  const handlers = ir.threads.some((t) => t.handler >= 0);
  const signals = !handlers ? 0 : ir.budgets.signals < 0 ? 1 : Math.min(3, ir.budgets.signals);
  const perThread = Math.max(1, ...ir.programs.map((p, pi) => delays.filter((d) => d.program === p.name).length * 300 * (ir.threads.some((t) => t.program === pi) ? 1 : 0)));
  return {
    signals,
    migrations: ir.threads.some((t) => t.allowed.length > 1) ? 4 : 0,
    windowUs: 2 * perThread,
    competitors: true,
    delays,
    runTimeoutSeconds: 10,
  };
}

interface Prepared {
  readonly id: string;
  readonly title: string;
  /** How a job names the case (`--queue`): a suite case by its id, a model by its source. */
  readonly identity?: LitmusCasePayload['case'];
  readonly ir: ModelIR;
  readonly plan: LitmusPlan;
  readonly budgets: Partial<Record<EventKind, number | 'unbounded'>>;
  readonly knownFinding?: LitmusCase['knownFinding'];
}

function prepareCase(c: LitmusCase): Prepared {
  const v = validateModel(c.model, `suite/${c.id}`);
  if (!v.ok) throw new InputErrors(v.errors);
  return { id: c.id, title: c.title, identity: { suite: c.id }, ir: v.ir, plan: c.plan, budgets: c.budgets, ...(c.knownFinding ? { knownFinding: c.knownFinding } : {}) };
}

/** Runs one case: generate, compile, run (with the tracepoint), explore, compare. */
export async function runLitmusCase(
  p: { id: string; title: string; ir: ModelIR; plan: LitmusPlan; budgets: Partial<Record<EventKind, number | 'unbounded'>>; knownFinding?: LitmusCase['knownFinding'] },
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

  const observed = new Map<string, number>();
  for (const r of run.runs) observed.set(r.outcome, (observed.get(r.outcome) ?? 0) + 1);
  const allowed = new Set(model.outcomes.map((o) => o.outcome));
  const noOutcome = (o: string): boolean => o === 'timeout' || o.startsWith('exit ');
  const notAllowed = [...observed.keys()].filter((o) => !allowed.has(o) && !noOutcome(o)).sort(compareOutcomes);
  const unseen = model.outcomes.map((o) => o.outcome).filter((o) => !observed.has(o));
  let verdict: Verdict = 'ok';
  let reason: string | undefined;
  if (notAllowed.length > 0) {
    if (model.complete) verdict = 'MODEL TOO STRONG';
    else {
      verdict = 'inconclusive';
      reason = `the model's exploration stopped (${model.stoppedBy}) and ${notAllowed.length} observed outcome(s) were not among those it found`;
    }
  } else if (model.domainViolations > 0) reason = `the model reaches values outside its declared ranges (${model.domainViolations} end states): its outcome set is not exact`;
  const timeouts = [...observed.entries()].filter(([o]) => noOutcome(o));
  if (timeouts.length > 0) reason = `${reason ? `${reason}; ` : ''}runs without an outcome: ${timeouts.map(([o, n]) => `${o} ×${n}`).join(', ')}`;

  const sum = (f: (r: LitmusRun['runs'][number]) => number): number => run.runs.reduce((a, r) => a + f(r), 0);
  const kernelAborts = sum((r) => r.kernelAborts.reduce((a, b) => a + b, 0));
  const userAborts = sum((r) => r.branchAborts.reduce((a, b) => a + b, 0));

  let traceOut: CaseResult['trace'];
  if ('unavailable' in trace) traceOut = { available: false, reason: trace.unavailable };
  else {
    // Events of this program's model threads only (every litmus binary has the same addresses).
    const tids = new Set(run.runs.flatMap((r) => r.tids));
    const sites = gen.layout.sites.map((site, si): TraceComparison => {
      const descs = site.descriptors.map((d) => run.header.descriptors.find((x) => x.index === d)!).filter(Boolean);
      const abortAddr = descs[0]?.abort;
      const events = trace.events.filter((e) => tids.has(e.tid) && e.abortIp === abortAddr && descs.some((d) => d.start === e.startIp));
      const pcs = run.header.pcs[site.program]!;
      const prog = p.ir.programs[site.program]!;
      const byOffset = new Map<number, number>();
      for (const e of events) {
        const off = Number(e.regsIp - e.startIp);
        byOffset.set(off, (byOffset.get(off) ?? 0) + 1);
      }
      const offsets = [...byOffset.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([offset, count]) => {
          const ip = descs[0]!.start + BigInt(offset);
          let instruction = -1;
          for (let i = 0; i < pcs.length - 1; i++) if (pcs[i]! <= ip && ip < pcs[i + 1]!) instruction = i;
          return { offset, instruction, text: instruction >= 0 ? (prog.text[instruction] ?? '') : '?', count };
        });
      return { site: `${prog.name}: ${site.descriptors.map((d) => p.ir.descriptors[d]!.name).join('/')}`, fixups: events.length, counted: sum((r) => r.kernelAborts[si] ?? 0), offsets };
    });
    traceOut = { available: true, lost: trace.lost, sites, agree: trace.lost === 0 && sites.every((s) => s.fixups === s.counted) };
  }

  const { signalPhases, pathSource, actions, paths } = kernelPaths(run, trace, p.ir);
  return {
    id: p.id,
    title: p.title,
    verdict,
    ...(reason ? { reason } : {}),
    policy: policy.name,
    model,
    allowed: model.outcomes.map((o) => o.outcome),
    allowedFrom: `the model under ${policy.name}`,
    observed,
    runs: run.runs.length,
    notAllowed,
    unseen,
    kernelAborts,
    userAborts,
    signalsDelivered: sum((r) => r.signals),
    signalsSent: sum((r) => r.signalsSent),
    migrationsDone: sum((r) => r.migrations),
    signalPhases,
    paths,
    pathSource,
    actions,
    stress: stressOf(p.plan, p.ir, run.runs.length),
    trace: traceOut,
    seconds: { compile: compiled.seconds, run: run.seconds, model: modelSeconds, total: (performance.now() - t0) / 1000 },
    ...(p.knownFinding ? { knownFinding: p.knownFinding } : {}),
  };
}

/** Where the signals landed, and which kernel path did what in each run (per outcome). */
function kernelPaths(run: LitmusRun, trace: TraceResult | { unavailable: string }, ir: ModelIR): Pick<CaseResult, 'signalPhases' | 'pathSource' | 'actions' | 'paths'> {
  const signalPhases: Partial<Record<SignalPhase, number>> = {};
  for (const r of run.runs)
    for (const ip of r.signalIps) {
      const phase = signalPhase(ip, run.header, ir);
      signalPhases[phase] = (signalPhases[phase] ?? 0) + 1;
    }
  const attributed = 'unavailable' in trace ? undefined : trace.attributionUnavailable ? undefined : trace.all;
  const lost = 'unavailable' in trace ? 0 : trace.lost;
  const pathSource = attributed
    ? `tracepoints (rseq_ip_fixup, rseq_update, sched_switch, sched_migrate_task, signal_deliver, signal_generate)${lost > 0 ? `; ${lost} event(s) lost to ring-buffer overruns: the paths undercount` : ''}`
    : `program markers only (${'unavailable' in trace ? trace.unavailable : (trace.attributionUnavailable ?? '')}): signal aborts from the signal frame, the other aborts by an unknown path`;
  const actions: { abort: Partial<Record<KernelPath, number>>; kill: Partial<Record<KernelPath, number>> } = { abort: {}, kill: {} };
  const labelsByOutcome = new Map<string, Map<string, number>>();
  for (const r of run.runs) {
    let label: string;
    if (attributed) {
      const acts: HandlerAction[] = attributeActions(attributed, new Set(r.tids));
      for (const a of acts) actions[a.kind][a.path] = (actions[a.kind][a.path] ?? 0) + 1;
      label = actionLabel(acts);
    } else label = markerLabel(r, run.header);
    const m = labelsByOutcome.get(r.outcome) ?? new Map<string, number>();
    m.set(label, (m.get(label) ?? 0) + 1);
    labelsByOutcome.set(r.outcome, m);
  }
  const paths: OutcomePaths[] = [...labelsByOutcome.entries()]
    .sort((a, b) => compareOutcomes(a[0], b[0]))
    .map(([outcome, m]) => ({ outcome, runs: [...m.values()].reduce((a, b) => a + b, 0), byPath: [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, n]) => ({ label, runs: n })) }));
  return { signalPhases, pathSource, actions, paths };
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
  const base = {
    id: c.id,
    title: c.title,
    kernelAborts: 0,
    userAborts: 0,
    signalsDelivered: 0,
    signalsSent: 0,
    migrationsDone: 0,
    signalPhases: {},
  };
  let compiled;
  try {
    compiled = await compileLitmus(kernelPathsSource(), 'rseq-litmus');
  } catch (e) {
    if (!(e instanceof LitmusCannotRun)) throw e;
    return notRunResult(c.id, c.title, e.message, { compile: 0, run: 0, model: 0, total: (performance.now() - t0) / 1000 });
  }
  const layout: GeneratedLayout = { sites: [], cells: ir.memory.cells, kabBase: 0, babBase: 0, assertSlot: 0, sigSlot: 0, migSlot: 0, tidBase: 0, sigIpBase: 0, sentSlot: 0, sharedWords: 0, usesMembarrier: false };
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
  const observed = new Map<string, number>();
  for (const r of run.runs) observed.set(r.outcome, (observed.get(r.outcome) ?? 0) + 1);
  const noOutcome = (o: string): boolean => o === 'timeout' || o.startsWith('exit ');
  const notAllowed = [...observed.keys()].filter((o) => !allowed.includes(o) && !noOutcome(o)).sort(compareOutcomes);
  const failed = [...observed.entries()].filter(([o]) => noOutcome(o));
  const traceOut: CaseResult['trace'] = 'unavailable' in trace ? { available: false, reason: trace.unavailable } : { available: true, lost: trace.lost, sites: [], agree: trace.lost === 0 };
  const reasons: string[] = [];
  if (notAllowed.length > 0 && model && !model.complete) reasons.push(`the model's exploration stopped (${model.stoppedBy}) and ${notAllowed.length} observed outcome(s) were not among those it found`);
  if (failed.length > 0) reasons.push(`runs without an outcome: ${failed.map(([o, n]) => `${o} ×${n}`).join(', ')}`);
  return {
    ...base,
    verdict: notAllowed.length === 0 ? 'ok' : model && !model.complete ? 'inconclusive' : 'MODEL TOO STRONG',
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    ...(model ? { model, policy: model.policy.name } : {}),
    allowed,
    allowedFrom,
    observed,
    runs: run.runs.length,
    notAllowed,
    unseen: allowed.filter((o) => !observed.has(o)),
    ...kernelPaths(run, trace, ir),
    stress: { runs: run.runs.length, signalsPerRun: c.plan.signals, migrationsPerRun: 0, competitors: false, delays: c.plan.delays.length, delayUs: 0, windowUs: c.plan.windowUs },
    trace: traceOut,
    seconds: { compile: compiled.seconds, run: run.seconds, model: modelSeconds, total: (performance.now() - t0) / 1000 },
    ...(c.knownFinding ? { knownFinding: c.knownFinding } : {}),
  };
}

/** A run's label from the program's own counters, when the tracepoints are not there. */
function markerLabel(r: LitmusRun['runs'][number], header: LitmusRun['header']): string {
  const bySignal = r.signalIps.filter((ip) => header.descriptors.some((d) => d.abort === ip)).length;
  const aborts = r.kernelAborts.reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  if (bySignal > 0) parts.push('abort by signal delivery');
  if (aborts > bySignal) parts.push('abort by an unknown path');
  if (r.outcome === KILLED) parts.push('kill by an unknown path');
  return parts.length > 0 ? parts.join(' + ') : 'no abort';
}

// ---- printing -----------------------------------------------------------------------------

/** A table whose cells may span several lines; columns are padded to their widest line. */
export function renderTable(header: readonly string[], rows: readonly (readonly (readonly string[])[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.flatMap((r) => (r[c] ?? []).map((l) => l.length))));
  const line = (cells: readonly string[]): string => cells.map((s, c) => s.padEnd(widths[c]!)).join(' | ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  const out = [line(header), sep];
  for (const r of rows) {
    const h = Math.max(1, ...r.map((c) => c.length));
    for (let i = 0; i < h; i++) out.push(line(r.map((c) => c[i] ?? '')));
    out.push(sep);
  }
  return out.join('\n');
}

export function formatResultsTable(results: readonly CaseResult[]): string {
  const rows = results.map((r) => {
    const allowed = r.allowed;
    const shown = [...r.observed.entries()].sort((a, b) => compareOutcomes(a[0], b[0]));
    const observed = shown.map(([o, n]) => `${o} ×${n}${r.notAllowed.includes(o) ? '  <-- NOT ALLOWED' : ''}`);
    const paths = shown.map(([o]) => (r.paths.find((x) => x.outcome === o)?.byPath ?? []).map((b) => `${b.label} ×${b.runs}`).join('; '));
    const never = r.unseen.length > 0 && r.stress ? [...r.unseen.map((o) => `${o} ×0`), `(${formatStress(r.stress)})`] : ['—'];
    const verdict =
      r.verdict === 'ok'
        ? [`ok${r.unseen.length > 0 ? ` (${r.unseen.length} allowed, unseen)` : ''}`]
        : r.verdict === 'MODEL TOO STRONG'
          ? ['MODEL TOO STRONG', ...(r.knownFinding && r.notAllowed.every((o) => r.knownFinding!.outcomes.includes(o)) ? ['(documented finding)'] : [])]
          : [r.verdict];
    return [[r.id], allowed.length > 0 ? allowed : ['—'], observed.length > 0 ? [...observed, `(${r.runs} runs)`] : ['—'], paths.length > 0 ? paths : ['—'], never, verdict];
  });
  return renderTable(['case', 'model allows', 'kernel showed (runs)', 'kernel paths (runs)', 'allowed, never shown', 'verdict'], rows);
}

const kernelJson = (k: KernelSummary): object => ({ release: k.release, arch: k.arch, preset: k.preset, knobs: k.knobs });

/**
 * The results as JSON: one object per case, outcomes with counts, paths, phases, never-shown
 * outcomes with the stress. `kernel` is the one every case ran on; null for a queued run whose
 * cases ran on several kernels (or none ran), where each case's `ranOn` names its own.
 */
export function resultsToJson(results: readonly CaseResult[], kernel: KernelSummary | null, stop?: LitmusStop): object {
  return {
    kind: 'litmus',
    kernel: kernel ? kernelJson(kernel) : null,
    ...(stop ? { verdict: 'incomplete', stoppedBy: stop.stoppedBy, notRun: stop.notRun } : {}),
    cases: results.map((r) => ({
      id: r.id,
      title: r.title,
      verdict: r.verdict,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.policy ? { policy: r.policy } : {}),
      modelAllows: r.allowed,
      allowedFrom: r.allowedFrom,
      modelComplete: r.model?.complete ?? null,
      runs: r.runs,
      observed: Object.fromEntries([...r.observed.entries()].sort((a, b) => compareOutcomes(a[0], b[0]))),
      notAllowed: r.notAllowed,
      neverShown: r.unseen.map((outcome) => ({ outcome, runs: r.runs, stress: r.stress ?? null })),
      paths: r.paths,
      pathSource: r.pathSource,
      actions: r.actions,
      signalPhases: r.signalPhases,
      signals: { sent: r.signalsSent, delivered: r.signalsDelivered },
      migrations: r.migrationsDone,
      kernelAborts: r.kernelAborts,
      userAborts: r.userAborts,
      tracepointAgrees: r.trace.available ? r.trace.agree : null,
      seconds: r.seconds,
      ...(r.knownFinding ? { knownFinding: r.knownFinding } : {}),
      ...(r.ranOn ? { ranOn: { host: r.ranOn.host, kernel: kernelJson(r.ranOn.kernel), compiler: r.ranOn.compiler } } : {}),
    })),
    provenance: buildProvenance(kernel ? { kernel: kernel.release } : {}),
  };
}

function formatDetails(r: CaseResult): string[] {
  const out: string[] = [];
  out.push(`${r.id}: ${r.title}`);
  if (r.ranOn) out.push(`  ran on: ${r.ranOn.host}, kernel ${r.ranOn.kernel.release} (${r.ranOn.kernel.preset !== null ? `preset ${r.ranOn.kernel.preset}` : 'no preset matches'})`);
  if (r.verdict === 'cannot run') {
    out.push(`  cannot run: ${r.reason}`);
    return out;
  }
  for (const o of r.notAllowed) out.push(`  !!! MODEL TOO STRONG: observed outcome "${o}" (${r.observed.get(o)} of ${r.runs} runs) is not allowed by the model under ${r.policy}`);
  if (r.knownFinding) out.push(`  documented finding (${r.notAllowed.some((o) => r.knownFinding!.outcomes.includes(o)) ? 'reproduced in this run' : 'not reproduced in this run'}): ${r.knownFinding.why}`);
  if (r.reason) out.push(`  note: ${r.reason}`);
  const m = r.model;
  if (m) out.push(`  model: ${m.outcomes.length} outcome(s) under ${r.policy}; ${m.states} states in ${m.seconds.toFixed(2)} s${m.complete ? '' : ` (INCOMPLETE: ${m.stoppedBy})`}`);
  else out.push(`  allowed: ${r.allowed.length} outcome(s) from ${r.allowedFrom}`);
  if (r.unseen.length > 0) out.push(`  allowed, unseen: ${r.unseen.map((o) => `${o} ×0`).join('; ')}`);
  out.push(`  runs ${r.runs}: kernel aborts ${r.kernelAborts} (counted at abort_ip), user aborts ${r.userAborts} (branches from the c.s. to its abort label), signals sent ${r.signalsSent}, delivered to the handler ${r.signalsDelivered}, migrations ${r.migrationsDone}`);
  if (r.stress && r.unseen.length > 0) out.push(`  stress the unseen outcomes had: ${formatStress(r.stress)}`);
  const phases = SIGNAL_PHASES.filter((ph) => (r.signalPhases[ph] ?? 0) > 0).map((ph) => `${ph} ×${r.signalPhases[ph]}`);
  if (phases.length > 0) out.push(`  signals landed: ${phases.join(', ')}`);
  const perPath = (kind: 'abort' | 'kill'): string =>
    Object.entries(r.actions[kind])
      .map(([path, n]) => `${path} ×${n}`)
      .join(', ');
  if (Object.keys(r.actions.abort).length + Object.keys(r.actions.kill).length > 0) out.push(`  kernel actions: aborts ${perPath('abort') || '0'}; kills ${perPath('kill') || '0'}`);
  out.push(`  paths from: ${r.pathSource}`);
  if (!r.trace.available) out.push(`  tracepoint rseq:rseq_ip_fixup unavailable: ${r.trace.reason}`);
  else if (r.trace.sites.length === 0) out.push('  tracepoint: the model has no critical section (nothing to hold against)');
  else {
    for (const s of r.trace.sites) {
      const offs = s.offsets.map((o) => `+0x${o.offset.toString(16)} [${o.instruction}] ${o.text} ×${o.count}`).join(', ');
      out.push(`  tracepoint ${s.site}: ${s.fixups} fixup(s)${offs ? ` at ip - start_ip = ${offs}` : ''}; the program counted ${s.counted} at abort_ip${s.fixups === s.counted ? ': agree' : ': DISAGREE'}`);
    }
    if (r.trace.lost > 0) out.push(`  tracepoint: ${r.trace.lost} event(s) lost (ring buffer overrun)`);
  }
  out.push(`  time: compile ${r.seconds.compile.toFixed(2)} s, run ${r.seconds.run.toFixed(2)} s, model ${r.seconds.model.toFixed(2)} s`);
  return out;
}

/**
 * The exit code of a set of results: 1 on a finding; else 3 when stopped or when a limit cut a
 * case's model short (inconclusive: the outcomes it allows are not all known); else 2 if a case
 * could not run here.
 */
function exitCodeOf(results: readonly CaseResult[], stop: LitmusStop | undefined): number {
  if (results.some((r) => r.verdict === 'MODEL TOO STRONG')) return 1;
  if (stop || results.some((r) => r.verdict === 'inconclusive')) return 3;
  if (results.some((r) => r.verdict === 'cannot run')) return 2;
  return 0;
}

export function formatKernelLine(k: KernelSummary, policy: string | undefined): string {
  const which = policy ? `preset ${policy} (given with --policy)` : k.preset ? `preset ${k.preset}${k.knobs.length > 0 ? ` + ${k.knobs.join(' ')}` : ''}` : 'no preset matches';
  return `kernel ${k.release} (${k.arch}): ${which}; ${k.note}`;
}

const badOption = (option: string, message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: [option], message }]);

/** The cases a command line names: the suite (generated and kernel-path cases, or those `--case` picks), a suite case (`suite/ID`), or a model. */
function casesFor(args: LitmusArgs): { generated: Prepared[]; paths: KernelPathCase[] } {
  const picked = args.cases ?? [];
  if (picked.length > 0 && !args.suite) throw badOption('--case', `--case picks cases of --suite: give --suite too, or name one case as MODEL suite/${picked[0]}`);
  if (args.suite) {
    const ids = [...litmusSuite().map((x) => x.id), ...kernelPathCases().map((x) => x.id)];
    for (const name of picked) {
      if (ids.includes(name)) continue;
      const near = suggest(name, ids);
      throw badOption('--case', `--case "${name}" is not in the litmus suite (it has: ${ids.join(', ')})${near !== undefined ? ` (did you mean ${near}?)` : ''}`);
    }
    const wanted = (id: string): boolean => picked.length === 0 || picked.includes(id);
    return { generated: litmusSuite().filter((c) => wanted(c.id)).map(prepareCase), paths: kernelPathCases().filter((c) => wanted(c.id)) };
  }
  const spec = args.model;
  if (!spec) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['MODEL'], message: 'litmus needs a MODEL or --suite' }]);
  if (spec.startsWith('suite/')) {
    const c = litmusSuite().find((x) => `suite/${x.id}` === spec);
    if (c) return { generated: [prepareCase(c)], paths: [] };
    const k = kernelPathCases().find((x) => `suite/${x.id}` === spec);
    if (k) return { generated: [], paths: [k] };
    const all = [...litmusSuite().map((x) => x.id), ...kernelPathCases().map((x) => x.id)];
    throw new InputErrors([{ code: 'unknown-model', file: '<command line>', path: ['MODEL'], message: `no litmus suite case "${spec}" (the cases: ${all.map((id) => `suite/${id}`).join(', ')})` }]);
  }
  const loaded = resolveModel(spec);
  const plan = planForModel(loaded.ir);
  const identity = args.queue ? { identity: { model: args.queue.modelSource(spec, loaded) } } : {};
  return { generated: [{ id: loaded.ir.name, title: loaded.source, ...identity, ir: loaded.ir, plan, budgets: budgetsForPlan(loaded.ir, plan) }], paths: [] };
}

/** Runs the command; prints the table and the details (or, with `json`, one JSON document); returns the exit code. */
export async function runLitmusCommand(args: LitmusArgs, print: (s: string) => void = (s) => console.log(s), note: (s: string) => void = (s) => console.error(s)): Promise<number> {
  // With --json stdout holds only the JSON document: every line for people goes to `note`.
  const say = args.json ? note : print;
  const t0 = performance.now();
  let cases: { generated: Prepared[]; paths: KernelPathCase[] };
  try {
    if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs >= 1)) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--runs'], message: `--runs must be a positive integer, got ${args.runs}` }]);
    if (args.seconds !== undefined && !(args.seconds > 0)) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--seconds'], message: `--seconds must be positive, got ${args.seconds}` }]);
    if (args.policy) resolvePolicy(args.policy, undefined);
    cases = casesFor(args);
    // Untranslatable models are bad input: say so before anything runs.
    for (const c of cases.generated) generateLitmusC(c.ir, c.plan, c.id);
  } catch (e) {
    // Bad input is exit 2 with nothing on stdout, as for every command.
    if (e instanceof InputErrors) {
      for (const err of e.errors) note(formatInputError(err));
      return 2;
    }
    if (e instanceof LitmusUntranslatable) {
      for (const u of e.problems) note(formatUntranslatable(u));
      return 2;
    }
    throw e;
  }
  if (args.queue) return runQueued(args, args.queue, cases, t0, print, say);
  const env = await checkEnvironment();
  if (!env.ok) {
    say(`litmus: cannot run: ${env.reason}`);
    return 2;
  }
  const kernel = detectKernel();
  say(formatKernelLine(kernel, args.policy));
  say(`compiler: ${env.gcc}`);
  if (!args.policy && !kernel.preset) {
    say(`litmus: cannot run: no kernel preset matches (${kernel.note}); give one with --policy`);
    return 2;
  }
  const runs = args.runs ?? DEFAULT_RUNS;
  const seconds = args.seconds ?? DEFAULT_SECONDS;
  const caseOptions = {
    ...(args.policy ? { policy: args.policy } : {}),
    kernel,
    runs,
    seconds,
    ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
    ...(args.maxMemoryMB !== undefined ? { maxMemoryMB: args.maxMemoryMB } : {}),
  };
  const { results, stop } = await runCases(cases, caseOptions, args);
  return report(results, kernel, stop, args, t0, print);
}

/** Prints the results (the table, the details and the summary, or the JSON document) and returns the exit code. */
function report(results: readonly CaseResult[], kernel: KernelSummary | null, stop: LitmusStop | undefined, args: LitmusArgs, t0: number, print: (s: string) => void): number {
  const code = exitCodeOf(results, stop);
  if (args.json) {
    print(JSON.stringify(resultsToJson(results, kernel, stop), null, 2));
    return code;
  }
  print('');
  print(formatResultsTable(results));
  print('');
  for (const r of results) for (const l of formatDetails(r)) print(l);
  print('');
  const findings = results.filter((r) => r.verdict === 'MODEL TOO STRONG').length;
  print(
    `${results.length} case(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${findings > 0 ? `${findings} FINDING(S): the model is too strong` : 'the model is not too strong on any case'}` +
      (results.some((r) => r.verdict === 'cannot run' || r.verdict === 'inconclusive') ? `; ${results.filter((r) => r.verdict === 'cannot run' || r.verdict === 'inconclusive').length} could not conclude` : ''),
  );
  if (stop) print(`INCOMPLETE: stopped by ${stopWords(stop.stoppedBy)}; not run: ${stop.notRun.join(', ')}`);
  return code;
}

/**
 * `--queue`: one job per case; each worker runs its case on its own kernel, judged against the
 * preset its kernel release resolves to (or --policy). The report is the in-process one, with
 * the kernel and compiler lines once per machine kind and each case naming where it ran.
 */
async function runQueued(args: LitmusArgs, queue: LitmusQueueRunner, cases: { generated: Prepared[]; paths: KernelPathCase[] }, t0: number, print: (s: string) => void, say: (s: string) => void): Promise<number> {
  const todo: QueuedCase[] = [
    ...cases.generated.map((c) => ({ id: c.id, title: c.title, identity: c.identity ?? { suite: c.id } })),
    ...cases.paths.map((c) => ({ id: c.id, title: c.title, identity: { suite: c.id } })),
  ];
  const { results: done, ended } = await queue.run(todo, {
    ...(args.policy ? { policy: args.policy } : {}),
    runs: args.runs ?? DEFAULT_RUNS,
    seconds: args.seconds ?? DEFAULT_SECONDS,
    ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
    ...(args.maxMemoryMB !== undefined ? { maxMemoryMB: args.maxMemoryMB } : {}),
    ...(args.maxSeconds !== undefined ? { maxSeconds: args.maxSeconds } : {}),
    ...(args.signal ? { signal: args.signal } : {}),
  });
  const results = done.filter((r): r is CaseResult => r !== undefined);
  // The machines the cases ran on: one kernel line and compiler line per kernel and compiler, with its hosts' cases.
  const machines = new Map<string, { ranOn: RanOn; cases: CaseResult[] }>();
  for (const r of results) {
    const key = JSON.stringify([r.ranOn!.kernel, r.ranOn!.compiler]);
    const m = machines.get(key) ?? { ranOn: r.ranOn!, cases: [] };
    m.cases.push(r);
    machines.set(key, m);
  }
  for (const { ranOn, cases: ran } of machines.values()) {
    say(formatKernelLine(ranOn.kernel, args.policy));
    say(`compiler: ${ranOn.compiler}`);
    const hosts = [...new Set(ran.map((r) => r.ranOn!.host))].map((h) => `${h} (${ran.filter((r) => r.ranOn!.host === h).map((r) => r.id).join(', ')})`);
    say(`ran on: ${hosts.join(', ')}`);
  }
  if (ended?.kind === 'lost') say(`litmus: ${ended.why}; the cases not done are not run`);
  const notRun = todo.filter((_, i) => done[i] === undefined).map((c) => c.id);
  const stoppedBy: Limit = ended?.kind === 'time' ? { kind: 'time', bound: args.maxSeconds! } : namingSignal({ kind: 'interrupted' }, args.signal);
  const stop = notRun.length > 0 ? { stoppedBy, notRun } : undefined;
  const kernel = machines.size === 1 ? [...machines.values()][0]!.ranOn.kernel : null;
  return report(results, kernel, stop, args, t0, print);
}

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
  let prepared: Prepared | undefined;
  let path: KernelPathCase | undefined;
  if ('suite' in job.case) {
    const id = job.case.suite;
    const c = litmusSuite().find((x) => x.id === id);
    path = kernelPathCases().find((x) => x.id === id);
    if (c) prepared = prepareCase(c);
    else if (!path) throw badOption('case', `no litmus suite case "${id}" in this worker's suite`);
  } else {
    const plan = planForModel(job.case.model);
    prepared = { id: job.case.model.name, title: job.case.model.name, ir: job.case.model, plan, budgets: budgetsForPlan(job.case.model, plan) };
  }
  if (job.policy) resolvePolicy(job.policy, undefined);
  if (prepared) {
    try {
      generateLitmusC(prepared.ir, prepared.plan, prepared.id);
    } catch (e) {
      if (e instanceof LitmusUntranslatable) throw badOption('case', e.problems.map(formatUntranslatable).join('; '));
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

/** A case that could not run here, and why (with the time spent before it found out). */
function notRunResult(id: string, title: string, reason: string, seconds: CaseResult['seconds'] = { compile: 0, run: 0, model: 0, total: 0 }): CaseResult {
  return {
    id,
    title,
    verdict: 'cannot run',
    reason,
    observed: new Map(),
    runs: 0,
    notAllowed: [],
    unseen: [],
    kernelAborts: 0,
    userAborts: 0,
    signalsDelivered: 0,
    signalsSent: 0,
    migrationsDone: 0,
    signalPhases: {},
    paths: [],
    pathSource: 'not run',
    actions: { abort: {}, kill: {} },
    allowed: [],
    allowedFrom: 'not run',
    trace: { available: false, reason: 'not run' },
    seconds,
  };
}

/**
 * Runs the cases in order until `limits` stop the run: the program running then is killed and
 * its case is counted among those not run (a case's runs are compared only when all of them ran).
 */
async function runCases(
  cases: { generated: Prepared[]; paths: KernelPathCase[] },
  options: { policy?: string; kernel: KernelInfo; runs: number; seconds: number; maxStates?: number; maxMemoryMB?: number },
  limits: Pick<LitmusArgs, 'maxSeconds' | 'signal' | 'onCases'>,
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

function stopWords(l: Limit): string {
  if (l.kind === 'interrupted') return l.signal ?? 'an interrupt';
  return l.kind === 'time' ? `--max-seconds ${l.bound}` : `the ${l.kind} limit (${l.bound})`;
}


