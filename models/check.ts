import { explore } from '../checker/explore.js';
import type { Progress } from '../checker/options.js';
import type { FlagReport, Limit, Path, Stats } from '../checker/result.js';
import { ExprSyntaxError } from '../properties/expr/ast.js';
import { compileExpr } from '../properties/expr/compile.js';
import { formatExprError, parseExpr } from '../properties/expr/parse.js';
import { Code } from '../properties/codes.js';
import { InputErrors, type InputError } from './ir/errors.js';
import type { BudgetsIR, EventKind, ModelIR } from './ir/types.js';
import { explainPath, traceToText } from './explain.js';
import type { ExplainedTrace } from './explained-trace.js';
import { rseqExprEnvironment } from './expr-env.js';
import { parseKnobOverrides, type KnobValues, type Policy } from './kernel/policy.js';
import { presetDefs, resolvePreset } from './kernel/presets.js';
import { suggest } from './ir/errors.js';
import { selectProperties } from './properties.js';
import { RseqSystem } from './system.js';
import { concretize } from './concretize.js';
import { compiledModule, exploreParallel } from '../checker/parallel/explore-parallel.js';
import type { SystemParams } from './system-factory.js';
import { pathToFileURL } from 'node:url';
import { coverageReport, type CoverageReport } from './coverage.js';

/** Options of one check; every field has a default. */
export interface CheckOptions {
  /** A preset name. @defaultValue 'linux-6.3' (what this machine's 6.18 kernel implements) */
  readonly policy?: string;
  /** Knob overrides, as `name=value` strings or typed values. */
  readonly knobs?: readonly string[] | Partial<KnobValues>;
  /** Event budgets overriding the model's (a number, or 'unbounded'). */
  readonly budgets?: Partial<Record<EventKind, number | 'unbounded'>>;
  /** Property names (`G1`, `G2-no-false-kill`, an invariant's name, `all`). @defaultValue the defaults */
  readonly properties?: readonly string[];
  /** Constants available to expressions (a built-in model's parameters). */
  readonly constants?: Readonly<Record<string, number>>;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryMB?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Reduce by thread symmetry where sound. @defaultValue true */
  readonly symmetry?: boolean;
  /**
   * Partial-order reductions where sound: purely local instructions run fused with the one
   * before them, ready threads with invisible migrations float over CPUs. @defaultValue true
   */
  readonly reduce?: boolean;
  /**
   * Remember the kernel's handling of events per thread record (a pure function of it); only a
   * cross-check turns this off, the states explored are identical. @defaultValue true
   */
  readonly memoize?: boolean;
  /**
   * Worker threads for the exploration; 1 runs in-process. Results are identical at any count.
   * @defaultValue 1 (the command line defaults to the number of cores)
   */
  readonly workers?: number;
  /** States explored in-process before workers start (small runs never pay for a pool). @defaultValue 1000000 */
  readonly parallelThreshold?: number;
  /** Test hook: the worker expanding this batch dies (the run must fail loudly). */
  readonly crashWorkerAtBatch?: number;
}

/** A flag with its witness explained. */
export interface ExplainedFlag extends FlagReport {
  readonly trace: ExplainedTrace;
}

/** The data of a check result (plain JSON apart from the policy object). */
export type CheckResultData = (
  | { readonly verdict: 'pass' }
  | { readonly verdict: 'violation'; readonly property: string; readonly path: Path; readonly trace: ExplainedTrace }
  | { readonly verdict: 'incomplete'; readonly stoppedBy: Limit }
) & {
  readonly model: string;
  readonly policy: Policy;
  readonly budgets: BudgetsIR;
  readonly stats: Stats;
  readonly flags: readonly ExplainedFlag[];
  /** Which event kinds were explored at which instruction (placement coverage). */
  readonly coverage: CoverageReport;
};

/** The typed result of `check()`. */
export type CheckResult = CheckResultData & {
  /** The verdict, statistics and counterexample in words. */
  explain(): string;
};

/** Resolves a policy name plus overrides, or reports what is wrong. */
export function resolvePolicy(name: string, knobs: CheckOptions['knobs']): Policy {
  const base = resolvePreset(name);
  if (!base) {
    const s = suggest(name, presetDefs.map((p) => p.name));
    throw new InputErrors([{ code: 'unknown-policy', file: '<command line>', path: ['--policy'], message: `unknown policy "${name}"`, hint: s ? `did you mean "${s}"?` : 'see "rseq-check policies"' }]);
  }
  if (!knobs) return base;
  if (Array.isArray(knobs)) {
    const { values, errors } = parseKnobOverrides(knobs as readonly string[]);
    if (errors.length > 0) throw new InputErrors(errors);
    return Object.keys(values).length > 0 ? { ...base, ...values, name: `${name}+${(knobs as readonly string[]).join('+')}` } : base;
  }
  const typed = knobs as Partial<KnobValues>;
  const { errors } = parseKnobOverrides(Object.entries(typed).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`));
  if (errors.length > 0) throw new InputErrors(errors);
  const desc = Object.entries(typed).map(([k, v]) => `${k}=${String(v)}`).join('+');
  return Object.keys(typed).length > 0 ? { ...base, ...typed, name: `${name}+${desc}` } : base;
}

/** Merges budget overrides into the model's budgets, rejecting negative or non-integer ones. */
export function resolveBudgets(ir: ModelIR, over: CheckOptions['budgets']): BudgetsIR {
  const errors: InputError[] = [];
  const out: Record<string, number> = { ...ir.budgets };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (!(k in out)) {
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `unknown event kind "${k}"` });
      continue;
    }
    if (v === 'unbounded') out[k] = -1;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 64)
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `budget must be an integer 0..64 or "unbounded", got ${String(v)}` });
    else out[k] = v;
  }
  if (errors.length > 0) throw new InputErrors(errors);
  return out as unknown as BudgetsIR;
}

/** Compiles a model under a policy into the transition system the engine explores. */
export function buildSystem(ir: ModelIR, policy: Policy, options: CheckOptions = {}): RseqSystem {
  const budgets = resolveBudgets(ir, options.budgets);
  const { selection, errors } = selectProperties(ir, options.properties);
  if (errors.length > 0) throw new InputErrors(errors);
  const b = selection.builtins;
  const ghosts = { g1: b.has(Code.G1), g2: b.has(Code.G2), g3: b.has(Code.G3), precision: b.has(Code.precision), areaOwnership: b.has(Code.areaOwnership) };
  // A first system to resolve expressions against (its layout is what the real one uses).
  const draft = new RseqSystem(ir, policy, { budgets, ghosts, checked: b, invariants: [], finals: [] });
  const env = rseqExprEnvironment(ir, draft.kernel, options.constants ?? {});
  const compile = (list: readonly { name: string; expr: string }[], which: 'invariants' | 'final', pick: readonly string[]) =>
    list
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => pick.includes(c.name))
      .map(({ c, i }) => {
        try {
          const fn = compileExpr(parseExpr(c.expr), env, c.expr);
          return { name: c.name, holds: (s: Int32Array) => fn(s) !== 0 };
        } catch (e) {
          if (e instanceof ExprSyntaxError) {
            const { line, column } = e.position();
            throw new InputErrors([{ code: 'bad-property', file: ir.name, path: [which, i, 'expr'], line, column, message: formatExprError(e).split('\n')[0]!.replace(/^\d+:\d+: /, '') }]);
          }
          throw e;
        }
      });
  const invariants = compile(ir.invariants, 'invariants', selection.invariants);
  const finals = compile(ir.final, 'final', selection.finals);
  return new RseqSystem(ir, policy, { budgets, ghosts, checked: b, invariants, finals, symmetry: options.symmetry ?? true, reduce: options.reduce ?? true, memoize: options.memoize ?? true });
}

/**
 * Explores every placement of kernel events over the model under the policy and returns the
 * verdict, the statistics and a shortest counterexample. Bad input throws `InputErrors`.
 */
export async function checkModel(ir: ModelIR, options: CheckOptions = {}): Promise<CheckResult> {
  const policy = resolvePolicy(options.policy ?? 'linux-6.3', options.knobs);
  const sys = buildSystem(ir, policy, options);
  const limits = {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const workers = options.workers ?? 1;
  let raw;
  if (workers > 1) {
    const params: SystemParams = {
      ir,
      policy,
      options: {
        ...(options.budgets ? { budgets: options.budgets } : {}),
        ...(options.properties ? { properties: options.properties } : {}),
        ...(options.constants ? { constants: options.constants } : {}),
        ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
        ...(options.reduce !== undefined ? { reduce: options.reduce } : {}),
      },
    };
    const spec = { factory: factoryUrl(), params, key: `${ir.name}:${policy.name}:${performance.now()}:${Math.random()}` };
    raw = await exploreParallel(sys, spec, {
      ...limits,
      workers,
      ...(options.parallelThreshold !== undefined ? { threshold: options.parallelThreshold } : {}),
      ...(options.crashWorkerAtBatch !== undefined ? { crashAtBatch: options.crashWorkerAtBatch } : {}),
    });
  } else raw = await explore(sys, limits);
  const meta = { model: ir.name, policy: policy.name };
  // Traces and replay tokens are given in the unreduced system.
  const concrete = sys.symmetric ? buildSystem(ir, policy, { ...options, symmetry: false }) : sys;
  const real = (choices: readonly number[]): number[] => concretize(sys, concrete, choices);
  const flags: ExplainedFlag[] = raw.flags.map((f) => {
    const witness = { choices: real(f.witness.choices) };
    return { ...f, witness, trace: explainPath(concrete, witness.choices, { ...meta, property: f.name }) };
  });
  const common = { model: ir.name, policy, budgets: sys.options.budgets, stats: raw.stats, flags, coverage: coverageReport(sys) };
  if (raw.verdict === 'violation') {
    const path = { choices: real(raw.path.choices) };
    const trace = explainPath(concrete, path.choices, { ...meta, property: raw.property });
    const r = { ...common, verdict: 'violation' as const, property: raw.property, path, trace };
    return { ...r, explain: () => formatResult(r) };
  }
  if (raw.verdict === 'incomplete') {
    const r = { ...common, verdict: 'incomplete' as const, stoppedBy: raw.stoppedBy };
    return { ...r, explain: () => formatResult(r) };
  }
  const r = { ...common, verdict: 'pass' as const };
  return { ...r, explain: () => formatResult(r) };
}

/** The text report of a result (what the CLI prints). */
export function formatResult(r: CheckResultData): string {
  const s = r.stats;
  const lines: string[] = [];
  const head = `${r.model} under ${r.policy.name}`;
  if (r.verdict === 'pass') lines.push(`HOLDS: ${head}: every reachable state explored, no property violated`);
  else if (r.verdict === 'violation') lines.push(`VIOLATED: ${head}: ${r.property} (shortest counterexample: ${r.trace.steps.length - 1} steps)`);
  else lines.push(`INCOMPLETE: ${head}: stopped by ${r.stoppedBy.kind === 'interrupted' ? 'an interrupt (Ctrl-C)' : `the ${r.stoppedBy.kind} limit (${r.stoppedBy.bound})`}; no verdict — the states below were covered, the rest were not`);
  const b = r.budgets;
  const bud = (v: number) => (v < 0 ? '∞' : String(v));
  lines.push(
    `  states ${s.states}, transitions ${s.transitions}, depth ${s.depth}, ${s.seconds.toFixed(3)} s, ${Math.round(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state (${s.stateWords} words/state)`,
  );
  lines.push(`  budgets: preemptions ${bud(b.preemptions)}, migrations ${bud(b.migrations)}, signals ${bud(b.signals)}, interrupts ${bud(b.interrupts)}, traps ${bud(b.traps)}`);
  for (const f of r.flags) lines.push(`  flag ${f.name}: ${f.count} states (first witness: ${f.trace.steps.length - 1} steps, --replay ${f.trace.replay})`);
  if (r.verdict === 'violation') {
    lines.push('', 'Counterexample:');
    lines.push(traceToText(r.trace));
  }
  return lines.join('\n');
}

/** The built factory module workers import (workers run the compiled dist/ code). */
function factoryUrl(): string {
  return pathToFileURL(compiledModule(import.meta.url, 'models', 'system-factory.js')).href;
}
