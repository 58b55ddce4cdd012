/**
 * A litmus case's result (CaseResult) and its assembly from what a run produced: the program's
 * runs, the tracepoint events and the model's outcomes become the verdict, the outcomes the
 * kernel showed against those the model allows, the kernel paths per outcome, the tracepoint's
 * account of each abort site and the stress the unseen outcomes had.
 */
import type { Limit } from '../checker/result.js';
import type { ModelIR } from '../models/ir/types.js';
import type { Policy } from '../models/kernel/policy.js';
import type { GeneratedLayout, LitmusPlan } from './generate.js';
import type { KernelPathCase } from './kernel-paths.js';
import type { KernelInfo } from './kernel.js';
import { compareOutcomes, KILLED, type ModelOutcomes } from './outcomes.js';
import { actionLabel, attributeActions, signalPhase, type HandlerAction, type KernelPath, type SignalPhase } from './paths.js';
import type { LitmusRun } from './run.js';
import type { LitmusCase } from './suite.js';
import type { TraceResult } from './tracepoint.js';

/** A litmus run cut short: what stopped it and the cases it did not finish. */
export interface LitmusStop {
  readonly stoppedBy: Limit;
  readonly notRun: readonly string[];
}

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

/** What a generated case's run, tracepoint session and model exploration judge to. */
export function generatedCaseResult(
  p: { id: string; title: string; ir: ModelIR; plan: LitmusPlan; knownFinding?: LitmusCase['knownFinding'] },
  layout: GeneratedLayout,
  run: LitmusRun,
  trace: TraceResult | { unavailable: string },
  model: ModelOutcomes,
  policy: Policy,
  seconds: CaseResult['seconds'],
): CaseResult {
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
    const sites = layout.sites.map((site, si): TraceComparison => {
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
    seconds,
    ...(p.knownFinding ? { knownFinding: p.knownFinding } : {}),
  };
}

/** What a kernel-path case's run judges to, held against `allowed` (the model's outcomes when `model` is there). */
export function kernelPathCaseResult(
  c: KernelPathCase,
  ir: ModelIR,
  run: LitmusRun,
  trace: TraceResult | { unavailable: string },
  judged: { allowed: readonly string[]; allowedFrom: string; model: ModelOutcomes | undefined },
  seconds: CaseResult['seconds'],
): CaseResult {
  const { allowed, allowedFrom, model } = judged;
  const base = { id: c.id, title: c.title, ...noCounts() };
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
    seconds,
    ...(c.knownFinding ? { knownFinding: c.knownFinding } : {}),
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

/** A case that could not run here, and why (with the time spent before it found out). */
export function notRunResult(id: string, title: string, reason: string, seconds: CaseResult['seconds'] = { compile: 0, run: 0, model: 0, total: 0 }): CaseResult {
  return {
    id,
    title,
    verdict: 'cannot run',
    reason,
    observed: new Map(),
    runs: 0,
    notAllowed: [],
    unseen: [],
    ...noCounts(),
    paths: [],
    pathSource: 'not run',
    actions: { abort: {}, kill: {} },
    allowed: [],
    allowedFrom: 'not run',
    trace: { available: false, reason: 'not run' },
    seconds,
  };
}

/** The run counters of a result before any run is counted. */
function noCounts(): Pick<CaseResult, 'kernelAborts' | 'userAborts' | 'signalsDelivered' | 'signalsSent' | 'migrationsDone' | 'signalPhases'> {
  return { kernelAborts: 0, userAborts: 0, signalsDelivered: 0, signalsSent: 0, migrationsDone: 0, signalPhases: {} };
}
