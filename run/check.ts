/**
 * One check: explores a model under a policy (in-process or on a worker pool), then explains
 * the counterexample and the flags' witnesses in the unreduced system. The options, the system
 * build and the result live in options.ts, models/system/build.ts and result.ts; they are
 * re-exported here, the library's entry point for a check.
 */
import { explore } from '../checker/explore.js';
import { exploreDepthFirst } from '../checker/depth-first.js';
import { namingSignal, type RawResult } from '../checker/result.js';
import { exploreParallel } from '../checker/parallel/explore-parallel.js';
import { compiledModule } from '../checker/compiled-module.js';
import type { ModelIR } from '../models/ir/types.js';
import { explainPath } from './explain.js';
import type { SystemParams } from './system-factory.js';
import { pathToFileURL } from 'node:url';
import { coverageReport } from '../models/system/coverage.js';
import { concretize, traceSystemOptions } from '../models/system/concretize.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { engineLimits, type CheckOptions } from './options.js';
import type { ExploreOptions } from '../checker/options.js';
import type { Policy } from '../models/kernel/policy.js';
import { buildSystem } from '../models/system/build.js';
import type { CheckResult, ExplainedFlag, FirstCounterexample } from './result.js';
import { InputErrors } from '../models/ir/errors.js';
import { CHECKPOINT_EVERY_SECONDS, readCheckpoint, restoreCoverage, runConfiguration, writeCheckpoint, type ResumePoint } from './checkpoint.js';

/**
 * States the depth-first phase of a first-then-shortest check stores at most before it gives
 * way. Equal to the parallel explorer's in-process threshold: a space this small is searched
 * in one thread either way, so a pass the depth-first phase proves costs no parallelism.
 */
const FIRST_SEARCH_STATES = 1_000_000;

type System = ReturnType<typeof buildSystem>;

export { resolvePolicy } from '../models/kernel/presets.js';
export type { CheckOptions } from './options.js';
export { buildSystem } from '../models/system/build.js';
export type { CheckResult, FirstCounterexample } from './result.js';

/**
 * Explores every placement of kernel events over the model under the policy and returns the
 * verdict, the statistics and a shortest counterexample. Bad input throws `InputErrors`.
 * By default (`search: 'first-then-shortest'`) a depth-first search runs first and reports a
 * counterexample as soon as it finds one (`onFirstCounterexample`); the breadth-first search
 * then finds a shortest one. A depth-first phase that covers the whole space without a
 * violation or a flag is the verdict; otherwise the breadth-first search also gives a pass its
 * statistics and shortest flag witnesses.
 */
export async function checkModel(ir: ModelIR, options: CheckOptions = {}): Promise<CheckResult> {
  const start = performance.now();
  const policy = resolvePolicy(options.policy, options.knobs);
  const sys = buildSystem(ir, policy, options);
  const limits = engineLimits(options);
  const meta = { model: ir.name, policy: policy.name };
  // Traces and replay tokens are given in the unreduced system.
  const unreduced = (reduced: System): { concrete: System; real: (choices: readonly number[]) => number[] } => {
    const concrete = reduced.quotient ? buildSystem(ir, policy, traceSystemOptions(options)) : reduced;
    return { concrete, real: (choices) => concretize(reduced, concrete, choices) };
  };
  const { concrete, real } = unreduced(sys);
  const secondsSinceStart = (): number => (performance.now() - start) / 1000;

  const search = options.search ?? 'first-then-shortest';
  // Checkpoints: the configuration they belong to, and the one to continue (checked before any search).
  const saving = options.checkpoint !== undefined || options.resume !== undefined;
  if (saving && search === 'dfs') throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: [options.resume !== undefined ? '--resume' : '--checkpoint'], message: 'a depth-first search (--search dfs) cannot be checkpointed or resumed: use bfs or first-then-shortest' }]);
  const config = saving ? runConfiguration(ir, policy, sys.options.budgets, options) : undefined;
  const resumed: ResumePoint | undefined = options.resume !== undefined && config ? readCheckpoint(options.resume, config) : undefined;
  if (resumed?.snapshot && options.resume !== undefined) restoreCoverage(options.resume, sys.coverage, resumed.coverage);

  let raw: RawResult | undefined;
  /** The system whose search gave `raw` (its placement coverage is the one reported). */
  let searched = sys;
  let firstFound: FirstCounterexample | undefined;
  const checkpointFile = options.checkpoint;
  const save = (snapshot: Parameters<typeof writeCheckpoint>[2]): void => {
    if (checkpointFile !== undefined && config) writeCheckpoint(checkpointFile, config, snapshot, sys.coverage, firstFound);
  };
  if (resumed?.snapshot) {
    // The depth-first phase was over when the checkpoint was saved: its counterexample is told again.
    firstFound = resumed.first;
    if (firstFound) options.onFirstCounterexample?.(firstFound);
  } else if (search !== 'bfs') {
    const budget = Math.min(options.maxStates ?? Infinity, options.firstSearchStates ?? FIRST_SEARCH_STATES);
    // The depth-first phase of first-then-shortest runs on a system of its own, so that the placement
    // coverage reported is the shortest search's alone.
    const firstSys = search === 'dfs' ? sys : buildSystem(ir, policy, options);
    const dfs = await exploreDepthFirst(firstSys, search === 'dfs' ? limits : { ...limits, maxStates: budget });
    if (dfs.verdict === 'violation' && search === 'first-then-shortest') {
      // Explained in the depth-first phase's own systems too (explaining also records coverage).
      const first = unreduced(firstSys);
      const path = { choices: first.real(dfs.path.choices) };
      const trace = explainPath(first.concrete, path.choices, { ...meta, property: dfs.property });
      firstFound = { property: dfs.property, steps: path.choices.length - 1, seconds: secondsSinceStart(), states: dfs.stats.states, path, trace };
      options.onFirstCounterexample?.(firstFound);
    }
    // A violation, a flag (its witness should be a shortest one) and the depth-first phase's own
    // state budget hand over to the breadth-first search. A pass without flags is the verdict: the
    // depth-first search stored every reachable state, the same ones the breadth-first one would
    // (it looks at --max-states after every expansion, so it stops where the user asked).
    const provedPass = dfs.verdict === 'pass' && dfs.flags.length === 0;
    const ownBudget = dfs.verdict === 'incomplete' && dfs.stoppedBy.kind === 'states' && dfs.stats.states < (options.maxStates ?? Infinity);
    const handsOver = search === 'first-then-shortest' && !provedPass && (dfs.verdict !== 'incomplete' || ownBudget);
    if (!handsOver) {
      raw = dfs;
      searched = firstSys;
      // Stopped before the breadth-first search: a checkpoint that starts over.
      if (dfs.verdict === 'incomplete') save(undefined);
    }
  }
  raw ??= await shortest(ir, policy, sys, options, {
    ...limits,
    ...(options.maxSeconds !== undefined ? { maxSeconds: Math.max(0, options.maxSeconds - secondsSinceStart()) } : {}),
    ...(checkpointFile !== undefined ? { checkpoint: { everySeconds: options.checkpointEverySeconds ?? CHECKPOINT_EVERY_SECONDS, save } } : {}),
    ...(resumed?.snapshot ? { resume: resumed.snapshot } : {}),
  });

  const flags: ExplainedFlag[] = raw.flags.map((f) => {
    const witness = { choices: real(f.witness.choices) };
    return { ...f, witness, trace: explainPath(concrete, witness.choices, { ...meta, property: f.name }) };
  });
  const common = { kind: 'check' as const, model: ir.name, policy, budgets: sys.options.budgets, stats: raw.stats, flags, coverage: coverageReport(searched) };
  if (raw.verdict === 'violation') {
    const path = { choices: real(raw.path.choices) };
    const trace = explainPath(concrete, path.choices, { ...meta, property: raw.property });
    return { ...common, verdict: 'violation', property: raw.property, path, trace, ...(firstFound ? { first: firstFound, secondsToShortest: secondsSinceStart() } : {}) };
  }
  // A limit stopped the shortest search: the first counterexample is still a violation.
  if (firstFound) return { ...common, verdict: 'violation', property: firstFound.property, path: firstFound.path, trace: firstFound.trace, first: firstFound };
  if (raw.verdict === 'incomplete') return { ...common, verdict: 'incomplete', stoppedBy: namingSignal(raw.stoppedBy, options.signal) };
  return { ...common, verdict: 'pass' };
}

/** The breadth-first search for a shortest counterexample: in-process, or on worker threads. */
async function shortest(ir: ModelIR, policy: Policy, sys: System, options: CheckOptions, limits: ExploreOptions): Promise<RawResult> {
  const workers = options.workers ?? 1;
  if (workers <= 1) return explore(sys, limits);
  const params: SystemParams = {
    ir,
    policy,
    options: {
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.properties ? { properties: options.properties } : {}),
      ...(options.constants ? { constants: options.constants } : {}),
      ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
      ...(options.reduce !== undefined ? { reduce: options.reduce } : {}),
      ...(options.disable !== undefined ? { disable: options.disable } : {}),
    },
  };
  const spec = { factory: factoryUrl(), params, key: `${ir.name}:${policy.name}:${performance.now()}:${Math.random()}` };
  return exploreParallel(sys, spec, {
    ...limits,
    workers,
    ...(options.parallelThreshold !== undefined ? { threshold: options.parallelThreshold } : {}),
    ...(options.crashWorkerAtTask !== undefined ? { crashAtTask: options.crashWorkerAtTask } : {}),
  });
}

/** The built factory module workers import (workers run the compiled dist/ code). */
function factoryUrl(): string {
  return pathToFileURL(compiledModule(import.meta.url, 'run', 'system-factory.js')).href;
}
