/**
 * `rseq-check check MODEL ...`: the safety check of a model under a policy, plus a temporal
 * check for each `--ltl` formula and each temporal `--property`; with `--graph`, the model's
 * whole state graph instead (check-graph.ts). Exit: the worst verdict (combineExit).
 */
import { exitCodeFor } from '../../checker/result.js';
import type { EventKind } from '../../models/ir/types.js';
import { checkPolicy, resolveModel, type ResolvedModel } from '../../models/library/resolve.js';
import { reductionNames, type ReductionName } from '../../models/system/reductions.js';
import { checkModel } from '../../run/check.js';
import { checkTemporalMany } from '../../run/task-pool.js';
import { builtinTemporal, checkTemporal, type Fairness, type TemporalOptions } from '../../run/temporal.js';
import { resultToJson } from '../../reports/json.js';
import { formatCheck, formatFirstCounterexample, formatTemporal } from '../../reports/text.js';
import type { SearchOrder } from '../../run/options.js';
import type { FirstCounterexample } from '../../run/result.js';
import { badOption, lastOption, numberOption, workersOption, type Args } from '../args.js';
import { progressBar } from '../progress.js';
import { writeCheckReport } from '../report.js';
import { writeStateGraph } from './check-graph.js';

type Budgets = Partial<Record<EventKind, number | 'unbounded'>>;

export async function checkCommand(args: Args): Promise<number> {
  const model = modelArgument(args);
  const graphFile = lastOption(args, '--graph');
  if (graphFile) return writeStateGraph(args, model, graphFile);
  const budgets = budgetOptions(args);
  const maxStates = numberOption(args, '--max-states', false);
  const maxSeconds = numberOption(args, '--max-seconds', false);
  const maxMemory = numberOption(args, '--max-memory', false);
  const workers = workersOption(args);
  const progress = progressBar(!args.options.has('--quiet') && !args.options.has('--json'));
  const controller = new AbortController();
  const onInt = (): void => controller.abort();
  process.once('SIGINT', onInt);
  const allProps = args.options.get('--property') ?? [];
  const temporalProps = allProps.filter((p) => p in builtinTemporal);
  const props = allProps.length > 0 && temporalProps.length < allProps.length ? allProps.filter((p) => !(p in builtinTemporal)) : undefined;
  const policy = lastOption(args, '--policy');
  const knobs = args.options.get('--knob');
  const ltl = args.options.get('--ltl') ?? [];
  const fairness = fairnessOption(args);
  let worst = 0;
  if (ltl.length > 0 || temporalProps.length > 0) {
    const temporal: TemporalOptions[] = [...temporalProps.map((p) => ({ property: p })), ...ltl.map((f) => ({ ltl: f }))].map((t) => ({
      ...t,
      // A gallery entry lends its preset here, not its bug knobs (the safety check below adds them).
      ...(policy ? { policy } : model.defaults ? { policy: model.defaults.policy.preset } : {}),
      ...(knobs ? { knobs } : {}),
      budgets,
      constants: model.constants,
      fairness,
      finiteEvents: args.options.has('--finite-events'),
      ...(typeof maxStates === 'number' ? { maxStates } : {}),
      ...(typeof maxSeconds === 'number' ? { maxSeconds } : {}),
      ...(typeof maxMemory === 'number' ? { maxMemoryMB: maxMemory } : {}),
      ...reductionOptions(args),
    }));
    worst = await temporalChecks(args, model, temporal, workers, controller.signal);
    if (!props) return worst;
  }
  const spec = checkPolicy(model, policy, knobs);
  const result = await checkModel(model.ir, {
    ...(model.defaults ? { properties: model.defaults.properties } : {}),
    policy: spec.preset,
    knobs: spec.knobs,
    ...(props ? { properties: props } : {}),
    budgets,
    constants: model.constants,
    ...(typeof maxStates === 'number' ? { maxStates } : {}),
    ...(typeof maxSeconds === 'number' ? { maxSeconds } : {}),
    ...(typeof maxMemory === 'number' ? { maxMemoryMB: maxMemory } : {}),
    signal: controller.signal,
    workers,
    ...reductionOptions(args),
    ...(args.options.has('--no-symmetry') ? { symmetry: false } : {}),
    ...(progress ? { onProgress: progress.onProgress } : {}),
    search: searchOption(args),
    // --json prints one document at the end (it carries the first counterexample too).
    ...(args.options.has('--json') ? {} : { onFirstCounterexample: (first: FirstCounterexample) => console.log(formatFirstCounterexample(first)) }),
  });
  progress?.stop();
  process.off('SIGINT', onInt);
  if (args.options.has('--json')) console.log(resultToJson(result));
  else console.log(formatCheck(result));
  const reportDir = lastOption(args, '--report');
  if (reportDir) console.log(`report: ${await writeCheckReport(result, reportDir)}`);
  return combineExit(worst, exitCodeFor(result.verdict));
}

/** Runs the temporal checks and prints their results; returns the worst exit code. */
async function temporalChecks(args: Args, model: ResolvedModel, temporal: readonly TemporalOptions[], workers: number, signal: AbortSignal): Promise<number> {
  // Several properties: one per pool worker, side by side; one property: its product is
  // generated by the parallel explorer.
  const results =
    temporal.length > 1 && workers > 1
      ? await checkTemporalMany(model.ir, temporal, workers)
      : await Promise.all(temporal.map((t) => checkTemporal(model.ir, { ...t, workers, signal })));
  let worst = 0;
  for (const r of results) {
    if (args.options.has('--json')) console.log(resultToJson(r));
    else console.log(formatTemporal(r));
    worst = combineExit(worst, exitCodeFor(r.verdict));
  }
  return worst;
}

/** MODEL: a built-in (with its `--param` values), `gallery/NAME`, or a JSON file. */
function modelArgument(args: Args): ResolvedModel {
  const spec = args.positional[0];
  if (!spec) throw badOption('MODEL', 'check needs a MODEL (see "rseq-check models")');
  return resolveModel(spec, args.options.get('--param') ?? []);
}

/** `--preemptions N` ... `--traps N`: a budget per event kind, "unbounded" allowed. */
function budgetOptions(args: Args): Budgets {
  const budgets: Budgets = {};
  for (const k of ['preemptions', 'migrations', 'signals', 'interrupts', 'traps'] as const) {
    const v = numberOption(args, `--${k}`, true);
    if (v !== undefined) budgets[k] = v;
  }
  return budgets;
}

function searchOption(args: Args): SearchOrder {
  const search = lastOption(args, '--search') ?? 'first-then-shortest';
  if (!['first-then-shortest', 'bfs', 'dfs'].includes(search)) throw badOption('--search', `--search must be first-then-shortest, bfs or dfs, got "${search}"`);
  return search as SearchOrder;
}

function fairnessOption(args: Args): Fairness {
  const fairness = lastOption(args, '--fairness') ?? 'none';
  if (!['none', 'weak', 'strong'].includes(fairness)) throw badOption('--fairness', `--fairness must be weak, strong or none, got "${fairness}"`);
  return fairness as Fairness;
}

/** Several checks in one run: a violation (1) wins over incomplete (3), which wins over holds (0). */
function combineExit(a: number, b: number): number {
  if (a === 1 || b === 1) return 1;
  return Math.max(a, b);
}

/** `--no-reduce` turns every reduction off, `--no-reduce=NAME[,NAME]` only the named ones. */
function reductionOptions(args: Args): { reduce?: boolean; disable?: ReductionName[] } {
  const values = args.options.get('--no-reduce');
  if (values === undefined) return {};
  if (values.includes('true')) return { reduce: false };
  const names = values.flatMap((v) => v.split(','));
  for (const n of names) if (!(reductionNames as readonly string[]).includes(n)) throw badOption('--no-reduce', `unknown reduction "${n}" (known: ${reductionNames.join(', ')})`);
  return { disable: names as ReductionName[] };
}
