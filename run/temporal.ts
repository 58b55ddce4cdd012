import { pathToFileURL } from 'node:url';
import { searchAcceptingCycle, type CycleResult, type CycleSearchOptions } from '../checker/graph/cycles.js';
import type { ProductSpec } from '../checker/graph/product-steps.js';
import { searchAcceptingCycleParallel } from '../checker/graph/cycles-parallel.js';
import { compiledModule } from '../checker/compiled-module.js';
import { findFairAcceptingCycle, type FairCycleResult, type FairnessSpec } from '../checker/temporal/fair-cycles.js';
import { namingSignal } from '../checker/result.js';
import { ExprSyntaxError, type Expr } from '../properties/expr/ast.js';
import { compileExpr, type StateFn } from '../properties/expr/compile.js';
import { formatExprError } from '../properties/expr/parse.js';
import { Code } from '../properties/codes.js';
import { buchiProductSpec, ltlToBuchi } from '../properties/ltl/buchi.js';
import { parseLtl } from '../properties/ltl/parse.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { resolveBudgets } from '../models/system/build.js';
import { engineLimits, type CheckOptions } from './options.js';
import { explainPath } from './explain.js';
import type { Fairness, TemporalResult } from './result.js';
import { rseqExprEnvironment } from '../models/system/expr-env.js';
import { InputErrors } from '../models/ir/errors.js';
import type { ModelIR } from '../models/ir/types.js';
import { Status } from '../models/kernel/layout.js';
import { decodeLabel, LabelKind, labelKind } from '../models/system/labels.js';
import { RseqSystem } from '../models/system/rseq-system.js';
import { traceSystemOptions } from '../models/system/concretize.js';
import { concretizeLasso } from './temporal-lasso.js';

export type { Fairness, TemporalResult } from './result.js';

/** Options of a temporal check: the policy options of `check`, a formula or a built-in, fairness. */
export interface TemporalOptions extends Pick<CheckOptions, 'policy' | 'knobs' | 'budgets' | 'constants' | 'maxStates' | 'maxSeconds' | 'maxMemoryMB' | 'workers' | 'parallelThreshold' | 'signal' | 'onProgress' | 'reduce' | 'disable'> {
  /** An LTL formula over state expressions and the transition propositions. */
  readonly ltl?: string;
  /** A built-in temporal property (see `builtinTemporal`). */
  readonly property?: string;
  /**
   * weak: a thread that stays runnable (running or ready) eventually executes an instruction;
   * strong: one that is runnable infinitely often executes infinitely often; none: any cycle.
   * @defaultValue 'none'
   */
  readonly fairness?: Fairness;
  /** Only finitely many kernel events (preemptions, migrations, signals, interrupts, traps) in a run. @defaultValue false */
  readonly finiteEvents?: boolean;
  /** Test hook: this worker of the parallel cycle search dies when its search starts. */
  readonly crashCycleWorker?: number;
}

const threadsOf = (ir: ModelIR): string[] => ir.threads.map((t) => t.name);
const all = (ir: ModelIR, f: (t: string) => string): string => threadsOf(ir).map((t) => `(${f(t)})`).join(' && ');

/** The built-in temporal properties, each a formula per model (one conjunct per thread). */
export const builtinTemporal: Readonly<Record<string, { readonly doc: string; formula(ir: ModelIR): string }>> = {
  progress: {
    doc: "every thread's operations eventually complete (it reaches done, or its process dies)",
    formula: (ir) => all(ir, (t) => `F (done(${t}) || killed)`),
  },
  'no-livelock': {
    doc: 'a thread that aborts infinitely often also commits infinitely often (no endless abort/retry loop)',
    formula: (ir) => all(ir, (t) => `G F aborted(${t}) -> G F committed(${t})`),
  },
  'no-signal-nesting': {
    doc: 'no thread stays in signal handlers forever: it is back at frame level 0 infinitely often (or finishes)',
    formula: (ir) => all(ir, (t) => `G F (level(${t}) == 0 || done(${t}) || killed)`),
  },
  'abort-before-cs-step': {
    doc: 'after an event that must abort a c.s., the thread reaches abort_ip before it executes another instruction of that c.s.',
    formula: (ir) => all(ir, (t) => `G (must_abort(${t}) -> X (!cs_instr(${t}) W aborted(${t})))`),
  },
};

const eventKinds = new Set<number>([
  LabelKind.instructionPreemptedAtExit,
  LabelKind.preempt,
  LabelKind.migrate,
  LabelKind.signal,
  LabelKind.interrupt,
  LabelKind.taskWork,
  LabelKind.trap,
  LabelKind.trapSleep,
  LabelKind.signalPending,
  LabelKind.wakeBySignal,
]);

/**
 * The transition system temporal checks explore: the model with the last-transition ghosts,
 * G1's ghost bits, and no safety property ending a run; reduced by the CPU symmetry when the
 * formula's `atoms` are given and a CPU renaming keeps them (models/system/cpu-symmetry.ts).
 * Without `atoms` it is the system lassos are reported and replay in (no symmetry at all: the
 * thread symmetry is off under temporal properties).
 */
export function buildTemporalSystem(ir: ModelIR, options: Pick<TemporalOptions, 'policy' | 'knobs' | 'budgets' | 'reduce' | 'disable'>, atoms?: readonly Expr[]): RseqSystem {
  return new RseqSystem(ir, resolvePolicy(options.policy, options.knobs), {
    budgets: resolveBudgets(ir, options.budgets),
    ghosts: { g1: true, g2: false, g3: false, precision: false, areaOwnership: false },
    checked: new Set([Code.domain]),
    invariants: [],
    finals: [],
    trackLast: true,
    ...(atoms !== undefined ? { temporalAtoms: atoms } : {}),
    ...(options.reduce !== undefined ? { reduce: options.reduce } : {}),
    ...(options.disable !== undefined ? { disable: options.disable } : {}),
  });
}

/** A temporal check compiled: the system, the product automaton, the fairness constraints. */
export interface PreparedTemporal {
  readonly sys: RseqSystem;
  readonly spec: ProductSpec;
  readonly fair: FairnessSpec;
  readonly text: string;
  readonly name: string;
  readonly fairness: Fairness;
  readonly finiteEvents: boolean;
}

/** Parses the property, builds the system and the Büchi automaton of its negation. Bad input throws InputErrors. */
export function prepareTemporal(ir: ModelIR, options: TemporalOptions): PreparedTemporal {
  const builtin = options.property !== undefined ? builtinTemporal[options.property] : undefined;
  if (options.property !== undefined && !builtin)
    throw new InputErrors([{ code: 'unknown-property', file: '<command line>', path: ['--property'], message: `unknown temporal property "${options.property}" (known: ${Object.keys(builtinTemporal).join(', ')})` }]);
  const text = builtin ? builtin.formula(ir) : (options.ltl ?? '');
  const name = options.property ?? 'ltl';
  let formula;
  try {
    formula = parseLtl(text);
  } catch (e) {
    if (e instanceof ExprSyntaxError) {
      const { line, column } = e.position();
      throw new InputErrors([{ code: 'bad-property', file: '<command line>', path: ['--ltl'], line, column, message: formatExprError(e).split('\n')[0]!.replace(/^\d+:\d+: /, '') }]);
    }
    throw e;
  }
  const buchi = ltlToBuchi(formula, { negate: true });
  const sys = buildTemporalSystem(ir, options, buchi.atoms);
  const env = rseqExprEnvironment(ir, sys.kernel, options.constants ?? {});
  const atoms: StateFn[] = buchi.atoms.map((a) => {
    try {
      return compileExpr(a, env, text);
    } catch (e) {
      if (e instanceof ExprSyntaxError) {
        const { line, column } = e.position();
        throw new InputErrors([{ code: 'bad-property', file: '<command line>', path: ['--ltl'], line, column, message: e.message }]);
      }
      throw e;
    }
  });
  const spec = buchiProductSpec(buchi, (atom, s) => atoms[atom]!(s) !== 0);
  const fairness: Fairness = options.fairness ?? 'none';
  const finiteEvents = options.finiteEvents ?? false;
  const k = sys.kernel;
  const T = ir.threads.length;
  const fair: FairnessSpec = {
    kind: fairness,
    actors: T,
    actorOf: (label) => {
      const { kind, thread } = decodeLabel(label);
      return kind === LabelKind.instruction || kind === LabelKind.instructionPreemptedAtExit ? thread : -1;
    },
    enabled: (s) => {
      let m = 0;
      for (let t = 0; t < T; t++) {
        const st = k.get(s, sys.layout.status[t]!);
        if (st === Status.Running || st === Status.Ready) m |= 1 << t;
      }
      return m;
    },
    excluded: (label) => finiteEvents && eventKinds.has(labelKind(label)),
  };
  return { sys, spec, fair, text, name, fairness, finiteEvents };
}

/**
 * Product states searched in this thread before the workers start over (when `workers` > 1):
 * lower than the safety checks' threshold, because the workers cannot continue this thread's
 * search and begin again. About 2-3 s of a search of the percpu-counter, and below it the
 * lasso of a check is the same on every run.
 */
const TEMPORAL_THRESHOLD = 250_000;

/**
 * The nested DFS without fairness: in this thread up to the parallel threshold, then, if the
 * product is larger and there are workers, from the start on the worker threads (the time
 * spent here is at most the threshold's worth, and small checks never pay for a pool).
 */
async function nestedSearch(ir: ModelIR, sys: RseqSystem, spec: ProductSpec, options: TemporalOptions, limits: CycleSearchOptions): Promise<CycleResult> {
  const workers = options.workers ?? 1;
  if (workers <= 1) return searchAcceptingCycle(sys, spec, limits);
  const threshold = options.parallelThreshold ?? TEMPORAL_THRESHOLD;
  const started = performance.now();
  const here = await searchAcceptingCycle(sys, spec, { ...limits, maxStates: Math.min(threshold, limits.maxStates ?? Infinity) });
  const beyondThreshold = here.verdict === 'incomplete' && here.stoppedBy.kind === 'states' && here.stoppedBy.bound === threshold && (limits.maxStates ?? Infinity) > threshold;
  if (!beyondThreshold) return here;
  // A worker receives plain data: no abort signal, no progress callback.
  const { signal: _signal, onProgress: _onProgress, ...plain } = options;
  const spent = (performance.now() - started) / 1000;
  const factory = pathToFileURL(compiledModule(import.meta.url, 'run', 'temporal-factory.js')).href;
  return searchAcceptingCycleParallel(sys.stateWords, { factory, params: { ir, options: plain }, key: `${ir.name}:${performance.now()}:${Math.random()}` }, {
    ...limits,
    ...(limits.maxSeconds !== undefined ? { maxSeconds: Math.max(0, limits.maxSeconds - spent) } : {}),
    workers,
    ...(options.crashCycleWorker !== undefined ? { crashWorker: options.crashCycleWorker } : {}),
  });
}

/**
 * Checks an LTL property (or a built-in one) under fairness: a proof over the whole product,
 * or a lasso counterexample (stem and cycle) that replays. Both searches run on the fly and stop
 * at the first lasso. Without fairness or `finiteEvents`, and with `workers` > 1, a product
 * larger than `parallelThreshold` states is searched again on the worker threads (the concurrent
 * nested DFS): verdicts are the same at any worker count, and so are the counts of a pass; below
 * the threshold, and under fairness, the search runs in this thread and its lasso is the same on
 * every run.
 */
export async function checkTemporal(ir: ModelIR, options: TemporalOptions): Promise<TemporalResult> {
  const start = performance.now();
  const { sys, spec, fair, text, name, fairness, finiteEvents } = prepareTemporal(ir, options);
  const policy = sys.policy;
  // Without fairness or excluded edges any accepting cycle counts: the nested DFS suffices;
  // otherwise the SCC-based search decides which cycles are fair.
  // Both searches honour every limit and the abort signal.
  const limits = engineLimits(options);
  const r: CycleResult | FairCycleResult =
    fairness === 'none' && !finiteEvents ? await nestedSearch(ir, sys, spec, options, limits) : await findFairAcceptingCycle(sys, spec, fair, limits);
  const stats = { states: r.states, transitions: r.transitions, seconds: (performance.now() - start) / 1000 };
  const common = { kind: 'temporal' as const, model: ir.name, policy, property: name, formula: text, fairness, finiteEvents, stats };
  if (r.verdict === 'violation') {
    // Lassos are told in the system without the CPU symmetry, with every ghost and every stale rseq_cs: on real CPUs, the cycle closed.
    const concrete = sys.quotient ? buildTemporalSystem(ir, traceSystemOptions(options)) : sys;
    const { choices, loopStart } = concretizeLasso(sys, concrete, r.stem, r.cycle);
    const trace = explainPath(concrete, choices, { model: ir.name, policy: policy.name, property: name, loopStart });
    return { ...common, verdict: 'violation', trace, path: { choices, loopStart } };
  }
  if (r.verdict === 'incomplete') return { ...common, verdict: 'incomplete', stoppedBy: namingSignal(r.stoppedBy, options.signal) };
  return { ...common, verdict: 'pass' };
}
