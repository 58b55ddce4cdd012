/**
 * `rseq-check check MODEL ...`: the safety check of a model under a policy, plus a temporal
 * check for each `--ltl` formula and each temporal `--property`; with `--graph`, the model's
 * whole state graph instead (check-graph.ts); with `--replay TOKEN`, one counterexample replayed
 * (check-replay.ts). Everything is validated before any search starts. Exit: the worst verdict.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { exitCodeFor } from '../../checker/result.js';
import type { EventKind } from '../../models/ir/types.js';
import { InputErrors } from '../../models/ir/errors.js';
import { locateInJsonString } from '../../models/ir/json-locate.js';
import { checkPolicy, resolveModel, type ResolvedModel } from '../../models/library/resolve.js';
import { reductionNames, type ReductionName } from '../../models/system/reductions.js';
import { checkModel } from '../../run/check.js';
import type { CheckOptions, SearchOrder } from '../../run/options.js';
import { parseReplayToken } from '../../run/replay.js';
import type { CheckResult, Fairness, FirstCounterexample, TemporalResult } from '../../run/result.js';
import { checkTemporalMany } from '../../run/task-pool.js';
import { builtinTemporal, checkTemporal, prepareTemporal, type TemporalOptions } from '../../run/temporal.js';
import { formatCheck, formatFirstCounterexample, formatTemporal, type ValuesMode } from '../../reports/text.js';
import {
  badOption,
  budgetKinds,
  budgetOption,
  checkpointEveryOption,
  collect,
  jsonOption,
  maxMemoryOption,
  maxSecondsOption,
  maxStatesOption,
  oneOf,
  queueOption,
  quietOption,
  workersOption,
} from '../options.js';
import { checkOutputDirectory, checkOutputFile } from '../output-paths.js';
import { Output } from '../output.js';
import { partsBar, progressBar } from '../progress.js';
import { writeCheckReport } from '../report.js';
import { withStopSignals } from '../signals.js';
import { graphFormat, writeStateGraph } from './check-graph.js';
import { replayCommand } from './check-replay.js';
import { modelSource } from './check-on-queue.js';
import { runSwarm } from './check-swarm.js';
import { MAX_PARTITIONS } from '../../run/queue/partition-protocol.js';
import type { QueueTarget } from '../../run/queue/connection.js';
import type { ModelSource } from '../../run/queue/payload.js';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const searchOrders = ['first-then-shortest', 'bfs', 'dfs'] as const;

/** `--swarm N`: searches of a swarm, 2..1024. */
function swarmSize(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2 || n > 1024) throw badOption('--swarm', `--swarm must be an integer 2..1024, got "${raw}"`);
  return n;
}
const fairnessKinds = ['weak', 'strong', 'none'] as const;

/** `--partition K`: partitions of a partitioned search, 1..MAX_PARTITIONS. */
function partitionCount(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) throw badOption('--partition', `--partition must be an integer 1..${MAX_PARTITIONS}, got "${raw}"`);
  return n;
}

/** `--stall-seconds S`: how long a partition may stay silent, 1..3600. */
function stallSeconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 1 || n > 3600) throw badOption('--stall-seconds', `--stall-seconds must be a number of seconds 1..3600, got "${raw}"`);
  return n;
}

function checkSpec() {
  return new Command('check')
    .summary('check a model exhaustively (exit 0 holds, 1 violated, 3 incomplete)')
    .description(
      'Explores every placement of kernel events (preemptions, migrations, signals, interrupts, traps) over MODEL under a policy\n' +
        'and reports whether its properties hold, with a shortest counterexample if not.',
    )
    .argument('<MODEL>', 'a built-in model (see "rseq-check models"), gallery/NAME, or a JSON model file')
    .option('--policy <P>', 'a preset (see "rseq-check policies")')
    .option('--knob <name=value>', 'override one knob of the policy (repeatable)', collect, [] as string[])
    .option('--param <name=value>', "a built-in model's parameter (repeatable)", collect, [] as string[])
    .option('--property <NAME>', 'check this property (repeatable): a safety property, or progress|no-livelock|no-signal-nesting|abort-before-cs-step', collect, [] as string[])
    .addOption(budgetOption('preemptions'))
    .addOption(budgetOption('migrations'))
    .addOption(budgetOption('signals'))
    .addOption(budgetOption('interrupts'))
    .addOption(budgetOption('traps'))
    .addOption(maxStatesOption())
    .addOption(maxSecondsOption())
    .addOption(maxMemoryOption())
    .addOption(workersOption())
    .addOption(new Option('--search <order>', 'first-then-shortest (default: report the first counterexample at once, then find a shortest), bfs or dfs').argParser(oneOf('--search', searchOrders)))
    .option('--no-reduce [names]', 'explore without the partial-order reductions (all, or the comma-separated NAMES)')
    .option('--no-symmetry', 'explore without the symmetry reduction')
    .option('--ltl <FORMULA>', 'check an LTL formula over the model (repeatable)', collect, [] as string[])
    .addOption(new Option('--fairness <kind>', 'fairness of a temporal check: weak, strong or none (default)').argParser(oneOf('--fairness', fairnessKinds)))
    .option('--finite-events', 'a temporal check: only finitely many kernel events per run')
    .option('--report <DIR>', 'also write DIR/report.html and DIR/result.json')
    .option('--graph <FILE>', 'draw the whole state graph of a small model instead (FILE.dot, FILE.gv or FILE.svg)')
    .option('--replay <TOKEN>', 'replay a counterexample\'s token ("replay: --replay ..." in its trace) and explain it')
    .option('--checkpoint <FILE>', 'save the search in FILE periodically and when a limit or signal stops it (continue with --resume FILE)')
    .addOption(checkpointEveryOption())
    .option('--resume <FILE>', 'continue the search a --checkpoint FILE saved (same model, policy, properties and budgets)')
    .addOption(new Option('--values <mode>', "a counterexample's values: changed (default: the initial ones, then what each step changed), full (all at every step) or none").argParser(oneOf('--values', valuesModes)))
    .addOption(jsonOption())
    .addOption(quietOption())
    // After --quiet: a typo such as --quite then suggests --quiet, the first of two equally close.
    .addOption(new Option('--swarm <N>', 'N diversified depth-first searches on --queue\'s workers; the first counterexample wins and is shortened (2..1024)').argParser(swarmSize))
    .addOption(new Option('--partition <K>', `one breadth-first search split over K partitions by state hash on --queue's workers (1..${MAX_PARTITIONS})`).argParser(partitionCount))
    .addOption(new Option('--stall-seconds <S>', 'with --partition: a partition silent this long is presumed lost and the run fails (default 30)').argParser(stallSeconds))
    .addOption(queueOption('the Redis queue --swarm or --partition puts its work on'));
}

/** The parsed options of `check` (what checkSpec declares). */
interface CheckFlags {
  readonly policy?: string;
  readonly knob: string[];
  readonly param: string[];
  readonly property: string[];
  readonly preemptions?: number | 'unbounded';
  readonly migrations?: number | 'unbounded';
  readonly signals?: number | 'unbounded';
  readonly interrupts?: number | 'unbounded';
  readonly traps?: number | 'unbounded';
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemory?: number;
  readonly workers?: number;
  readonly search?: SearchOrder;
  /** true (default), false (`--no-reduce`), or the names of `--no-reduce=NAMES`. */
  readonly reduce: boolean | string;
  readonly symmetry: boolean;
  readonly ltl: string[];
  readonly fairness?: Fairness;
  readonly finiteEvents?: boolean;
  readonly report?: string;
  readonly graph?: string;
  readonly replay?: string;
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  readonly resume?: string;
  readonly values?: ValuesMode;
  readonly swarm?: number;
  readonly partition?: number;
  readonly stallSeconds?: number;
  readonly queue?: QueueTarget;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The `check` command, ready for the program (cli/program.ts). */
export function checkCommand(): Command<[string]> {
  // Typed by CheckFlags: inferring the flags of this many options is deeper than tsc goes.
  const spec = checkSpec() as unknown as Command<[string], CheckFlags & Record<string, unknown>>;
  return spec.action(async (model, flags) => {
    process.exitCode = await runCheck(model, flags);
  });
}

/** Options present on the command line (not defaults), by their flag. */
function given(flags: CheckFlags): Map<string, boolean> {
  return new Map<string, boolean>([
    ['--search', flags.search !== undefined],
    ['--workers', flags.workers !== undefined],
    ['--max-seconds', flags.maxSeconds !== undefined],
    ['--max-memory', flags.maxMemory !== undefined],
    ['--max-states', flags.maxStates !== undefined],
    ['--no-reduce', flags.reduce !== true],
    ['--no-symmetry', !flags.symmetry],
    ['--report', flags.report !== undefined],
    ['--graph', flags.graph !== undefined],
    ['--replay', flags.replay !== undefined],
    ['--values', flags.values !== undefined],
    ['--ltl', flags.ltl.length > 0],
    ['--fairness', flags.fairness !== undefined],
    ['--finite-events', flags.finiteEvents === true],
    ['--checkpoint', flags.checkpoint !== undefined],
    ['--checkpoint-every', flags.checkpointEvery !== undefined],
    ['--resume', flags.resume !== undefined],
    ['--swarm', flags.swarm !== undefined],
    ['--partition', flags.partition !== undefined],
    ['--queue', flags.queue !== undefined],
  ]);
}

/** Rejects each of `names` given on the command line: it does not apply to `what`. */
function notWith(flags: CheckFlags, names: readonly string[], what: string): void {
  const present = given(flags);
  for (const n of names) if (present.get(n)) throw badOption(n, `${n} does not apply to ${what}`);
}

async function runCheck(spec: string, flags: CheckFlags): Promise<number> {
  const out = new Output(flags.json === true);
  const temporalProps = flags.property.filter((p) => p in builtinTemporal);
  const safetyProps = flags.property.filter((p) => !(p in builtinTemporal));
  for (const [i, p] of flags.property.entries()) if (flags.property.indexOf(p) !== i) throw badOption('--property', `property "${p}" is named twice`);
  const temporal = flags.ltl.length > 0 || temporalProps.length > 0;
  const safety = !temporal || safetyProps.length > 0;

  // What applies to this kind of run.
  const checkpointing = ['--checkpoint', '--checkpoint-every', '--resume'];
  if (flags.graph !== undefined) notWith(flags, [...checkpointing, '--replay', '--values', '--report', '--ltl', '--fairness', '--finite-events', '--search', '--workers'], '--graph (the state graph of a small model)');
  if (flags.replay !== undefined) notWith(flags, [...checkpointing, '--report', '--ltl', '--fairness', '--finite-events', '--search', '--workers', '--max-states', '--max-seconds', '--max-memory'], '--replay (one counterexample replayed)');
  if ((flags.graph !== undefined || flags.replay !== undefined) && temporalProps.length > 0) throw badOption('--property', `the temporal property "${temporalProps[0]!}" does not apply to ${flags.graph !== undefined ? '--graph' : '--replay'}`);
  if (!temporal) notWith(flags, ['--fairness', '--finite-events'], 'a check without a temporal property (--ltl, or --property progress|no-livelock|...)');
  if (!safety) notWith(flags, ['--search', '--no-symmetry'], 'a temporal check (these shape the safety search)');
  if (temporal) notWith(flags, checkpointing, 'a temporal check (--ltl, or --property progress|no-livelock|...): checkpoints cover safety checks only');
  if (flags.search === 'dfs') notWith(flags, checkpointing, '--search dfs (a depth-first search cannot be resumed; use bfs or first-then-shortest)');
  if (flags.checkpointEvery !== undefined && flags.checkpoint === undefined) throw badOption('--checkpoint-every', '--checkpoint-every needs --checkpoint FILE');
  if (flags.partition !== undefined) {
    if (flags.swarm !== undefined) throw badOption('--partition', '--partition does not apply to --swarm (give one: an exhaustive partitioned search or a swarm)');
    if (flags.queue === undefined) throw badOption('--partition', '--partition needs --queue URL (its partitions run on "rseq-check worker" processes)');
    if (flags.search === 'dfs') throw badOption('--search', '--search dfs does not apply to --partition (a partitioned search is breadth-first)');
    notWith(flags, [...checkpointing, '--graph', '--replay', '--ltl', '--fairness', '--finite-events', '--workers'], '--partition (a breadth-first search on the queue)');
    if (temporalProps.length > 0) throw badOption('--property', `the temporal property "${temporalProps[0]!}" does not apply to --partition`);
  } else if (flags.stallSeconds !== undefined) throw badOption('--stall-seconds', '--stall-seconds applies to check with --partition K');
  if (flags.swarm !== undefined) {
    if (flags.queue === undefined) throw badOption('--swarm', '--swarm needs --queue URL (its searches run on "rseq-check worker" processes)');
    notWith(flags, ['--checkpoint', '--checkpoint-every', '--resume', '--graph', '--replay', '--report', '--ltl', '--fairness', '--finite-events', '--search', '--workers'], '--swarm (depth-first searches on the queue)');
    if (temporalProps.length > 0) throw badOption('--property', `the temporal property "${temporalProps[0]!}" does not apply to --swarm`);
  } else if (flags.queue !== undefined && flags.partition === undefined) throw badOption('--queue', '--queue applies to check with --swarm N or --partition K');

  // Everything validated before any search: model, policy and knobs, properties, LTL, output paths, replay token.
  const model = resolveModel(spec, flags.param);
  const queueModel = flags.swarm !== undefined || flags.partition !== undefined ? modelSource(spec, flags.param, model) : undefined;
  return inModelFile(model, () => validatedCheck(model, flags, out, { temporalProps, safetyProps, safety, queueModel }));
}

/**
 * Runs `f`, locating errors in a model file's own expressions (invariants, finals) at their
 * file:line:col: the system build reports them by model name and column in the expression.
 */
async function inModelFile<T>(model: ResolvedModel, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof InputErrors) || !model.source.endsWith('.json') || !existsSync(model.source)) throw e;
    const text = readFileSync(model.source, 'utf8');
    throw new InputErrors(
      e.errors.map((err) => {
        if (err.file !== model.ir.name || err.line === undefined || (err.path[0] !== 'invariants' && err.path[0] !== 'final')) return err;
        const at = locateInJsonString(text, err.path, err.line, err.column ?? 1);
        return at ? { ...err, file: model.source, ...at } : err;
      }),
    );
  }
}

async function validatedCheck(
  model: ResolvedModel,
  flags: CheckFlags,
  out: Output,
  { temporalProps, safetyProps, safety, queueModel }: { temporalProps: readonly string[]; safetyProps: readonly string[]; safety: boolean; queueModel?: ModelSource | undefined },
): Promise<number> {
  const policy = checkPolicy(model, flags.policy, flags.knob.length > 0 ? flags.knob : undefined);
  const budgets = budgetOptions(flags);
  if (flags.report !== undefined) checkOutputDirectory('--report', flags.report);
  if (flags.graph !== undefined) {
    graphFormat(flags.graph);
    checkOutputFile('--graph', flags.graph);
  }
  if (flags.replay !== undefined) parseReplayToken(flags.replay);
  if (flags.checkpoint !== undefined) checkOutputFile('--checkpoint', flags.checkpoint);
  const limits = {
    ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
    ...(flags.maxSeconds !== undefined ? { maxSeconds: flags.maxSeconds } : {}),
    ...(flags.maxMemory !== undefined ? { maxMemoryMB: flags.maxMemory } : {}),
  };
  const safetyOptions: CheckOptions = {
    ...(model.defaults ? { properties: model.defaults.properties } : {}),
    policy: policy.preset,
    knobs: policy.knobs,
    ...(safetyProps.length > 0 ? { properties: safetyProps } : {}),
    budgets,
    constants: model.constants,
    ...reductionOptions(flags),
    ...(flags.symmetry ? {} : { symmetry: false }),
  };
  if (flags.graph !== undefined) {
    const file = flags.graph;
    return withStopSignals((signal) => writeStateGraph(out, model, { ...safetyOptions, ...limits, signal }, file));
  }
  if (flags.replay !== undefined) return replayCommand(out, model, safetyOptions, flags.replay, { values: flags.values ?? 'changed' });
  const checkpointing = { ...(flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {}), ...(flags.checkpointEvery !== undefined ? { checkpointEverySeconds: flags.checkpointEvery } : {}), ...(flags.resume !== undefined ? { resume: flags.resume } : {}) };
  const search = flags.search ?? 'first-then-shortest';
  if (queueModel && flags.queue !== undefined) {
    const onQueue = { queue: flags.queue, model: queueModel, resolved: model, options: safetyOptions, ...limits, showProgress: flags.quiet !== true && !out.json };
    if (flags.partition !== undefined) {
      // Loaded only here: the queue's client libraries are no part of every command line's start.
      const { runPartitioned } = await import('./check-partition.js');
      return runPartitioned(out, { ...onQueue, partitions: flags.partition, ...(flags.stallSeconds !== undefined ? { stallSeconds: flags.stallSeconds } : {}) });
    }
    if (flags.swarm !== undefined) return runSwarm(out, { ...onQueue, searches: flags.swarm });
  }
  const temporalRuns: TemporalOptions[] = [...temporalProps.map((p) => ({ property: p })), ...flags.ltl.map((f) => ({ ltl: f }))].map((t) => ({
    ...t,
    // A gallery entry lends its preset here, not its bug knobs (the safety check adds them).
    ...(flags.policy ? { policy: flags.policy } : model.defaults ? { policy: model.defaults.policy.preset } : {}),
    ...(flags.knob.length > 0 ? { knobs: flags.knob } : {}),
    budgets,
    constants: model.constants,
    fairness: flags.fairness ?? 'none',
    finiteEvents: flags.finiteEvents === true,
    ...limits,
    ...reductionOptions(flags),
  }));
  for (const t of temporalRuns) prepareTemporal(model.ir, t);

  const workers = flags.workers ?? availableParallelism();
  const showProgress = flags.quiet !== true && !out.json;
  return withStopSignals(async (signal) => {
    const results: (CheckResult | TemporalResult)[] = temporalRuns.length > 0 ? await temporalChecks(model, temporalRuns, workers, signal, showProgress) : [];
    if (safety) {
      const progress = progressBar(showProgress);
      const result = await checkModel(model.ir, {
        ...safetyOptions,
        ...limits,
        signal,
        workers,
        ...(progress ? { onProgress: progress.onProgress } : {}),
        search,
        ...checkpointing,
        // --json prints one document at the end (it carries the first counterexample too).
        onFirstCounterexample: (first: FirstCounterexample) => out.say(formatFirstCounterexample(first)),
      });
      progress?.stop();
      results.push(result);
    }
    const verdict = results.map((r) => r.verdict).reduce(worstVerdict);
    const text = (r: CheckResult | TemporalResult): string => (r.kind === 'check' ? formatCheck(r, { values: flags.values ?? 'changed' }) : formatTemporal(r, { values: flags.values ?? 'changed' }));
    if (results.length === 1) out.result(results[0]!, () => text(results[0]!));
    else out.result({ kind: 'checks', verdict, results }, () => results.map(text).join('\n'));
    const checked = results.find((r): r is CheckResult => r.kind === 'check');
    if (flags.report !== undefined && checked) out.note(`report: ${await writeCheckReport(checked, flags.report)}`);
    return exitCodeFor(verdict);
  });
}

const valuesModes: readonly ValuesMode[] = ['changed', 'full', 'none'];

/** Several checks in one run: a violation wins over incomplete, which wins over a pass. */
function worstVerdict(a: CheckResult['verdict'], b: CheckResult['verdict']): CheckResult['verdict'] {
  if (a === 'violation' || b === 'violation') return 'violation';
  return a === 'incomplete' || b === 'incomplete' ? 'incomplete' : 'pass';
}

/** Runs the temporal checks, in the order given; each stops at the first SIGINT/SIGTERM (`signal`). */
async function temporalChecks(model: ResolvedModel, temporal: readonly TemporalOptions[], workers: number, signal: AbortSignal, showProgress: boolean): Promise<TemporalResult[]> {
  // Several properties: one per pool worker, side by side.
  if (temporal.length > 1 && workers > 1) {
    const progress = partsBar(showProgress, 'temporal', temporal.length, 'properties');
    try {
      return await checkTemporalMany(model.ir, temporal, workers, signal, progress?.onPart);
    } finally {
      progress?.stop();
    }
  }
  const results: TemporalResult[] = [];
  for (const t of temporal) {
    const progress = progressBar(showProgress);
    results.push(await checkTemporal(model.ir, { ...t, workers, signal, ...(progress ? { onProgress: progress.onProgress } : {}) }));
    progress?.stop();
  }
  return results;
}

/** `--preemptions N` ... `--traps N`: a budget per event kind given on the command line. */
function budgetOptions(flags: CheckFlags): Partial<Record<EventKind, number | 'unbounded'>> {
  const budgets: Partial<Record<EventKind, number | 'unbounded'>> = {};
  for (const k of budgetKinds) {
    const v = flags[k];
    if (v !== undefined) budgets[k] = v;
  }
  return budgets;
}

/** `--no-reduce` turns every reduction off, `--no-reduce=NAME[,NAME]` only the named ones. */
function reductionOptions(flags: CheckFlags): { reduce?: boolean; disable?: ReductionName[] } {
  if (flags.reduce === true) return {};
  if (flags.reduce === false) return { reduce: false };
  const names = flags.reduce.split(',');
  for (const n of names) if (!(reductionNames as readonly string[]).includes(n)) throw badOption('--no-reduce', `unknown reduction "${n}" (known: ${reductionNames.join(', ')})`);
  return { disable: names as ReductionName[] };
}
