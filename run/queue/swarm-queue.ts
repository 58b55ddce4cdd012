/**
 * `check MODEL --swarm N --queue URL`: N diversified depth-first searches (swarm-search.ts) as
 * jobs; the first counterexample wins, the other searches are stopped, and one breadth-first
 * check on one worker shortens it to a shortest counterexample (the result is then that check's,
 * as `check --search bfs` would print it). If no search finds one, the result is incomplete with
 * the union of the searches' coverage: a swarm never proves that a model holds.
 */
import type { Limit } from '../../checker/result.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { buildSystem } from '../../models/system/build.js';
import { coverageReport } from '../../models/system/coverage.js';
import { namingSignal } from '../../checker/result.js';
import type { CheckResult } from '../result.js';
import type { QueueTarget } from './connection.js';
import { newRunId, runOnQueue, type CoordinatorOptions, type EarlyEnd } from './coordinator.js';
import { QueueJobFailed } from './job-failed.js';
import { QUEUE_PROTOCOL, shortestResult, swarmSearchResult, type CheckSettings, type ModelSource, type SwarmSearchPayload } from './payload.js';
import { coverageUnion, type SwarmOutcome } from './swarm-search.js';

export interface SwarmOptions extends Pick<CoordinatorOptions, 'onBoard' | 'signal'> {
  readonly version: string;
  readonly searches: number;
  /** Each search's state budget. */
  readonly maxStates: number;
  readonly maxSeconds?: number;
  /** Each worker process's resident-size bound in MB while it runs a search. */
  readonly maxMemoryMB?: number;
  /** Called as soon as a search finds a counterexample, before it is shortened. */
  readonly onFirst?: (first: SwarmFirst) => void;
}

/** The first counterexample a swarm found: which search, its property and length, and when. */
export interface SwarmFirst {
  readonly search: number;
  readonly property: string;
  readonly steps: number;
  /** States that search stored. */
  readonly states: number;
  /** Seconds from the start of the swarm. */
  readonly seconds: number;
}

export interface SwarmRun {
  readonly result: CheckResult;
  readonly first?: SwarmFirst;
  readonly ended?: EarlyEnd;
  /** The searches that stored every reachable state without a counterexample. */
  readonly exhausted: readonly number[];
}

/** Runs the swarm over `ir` (which `model` names for the workers) with the check settings `settings`. */
export async function swarmOnQueue(target: QueueTarget, model: ModelSource, ir: ModelIR, settings: CheckSettings, options: SwarmOptions): Promise<SwarmRun> {
  const start = performance.now();
  const deadline = options.maxSeconds !== undefined ? Date.now() + options.maxSeconds * 1000 : undefined;
  const common = { ...(options.signal ? { signal: options.signal } : {}), ...(deadline !== undefined ? { deadline } : {}), ...(options.onBoard ? { onBoard: options.onBoard } : {}) };
  const run = newRunId();
  const header = { protocol: QUEUE_PROTOCOL, version: options.version, run };
  const payloads: SwarmSearchPayload[] = Array.from({ length: options.searches }, (_, search) => ({
    ...header,
    kind: 'swarm-search',
    model,
    settings,
    search,
    maxStates: options.maxStates,
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
  }));
  const check = (value: unknown): SwarmOutcome => {
    const r = swarmSearchResult.safeParse(value);
    if (!r.success) throw new QueueJobFailed('a worker returned a malformed swarm search result; the run has no verdict');
    return value as SwarmOutcome;
  };
  const swarm = await runOnQueue(target, run, payloads, check, { ...common, enough: (r) => (r as SwarmOutcome).found !== undefined });
  const outcomes = swarm.results.filter((r): r is SwarmOutcome => r !== undefined);
  const winner = outcomes.find((o) => o.found !== undefined);
  if (winner?.found) {
    const first: SwarmFirst = { search: winner.search, ...winner.found, states: winner.states, seconds: (performance.now() - start) / 1000 };
    options.onFirst?.(first);
    const again = newRunId();
    const shortening = await runOnQueue(target, again, [{ ...header, run: again, kind: 'shortest', model, settings, ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}), ...(deadline !== undefined ? { deadline } : {}) }], (value) => {
      if (!shortestResult.safeParse(value).success) throw new QueueJobFailed('a worker returned a malformed check result; the run has no verdict');
      return value;
    }, common);
    const shortest = shortening.results[0] as CheckResult | undefined;
    if (shortest) return { result: shortest, first, exhausted: [] };
    return { result: incomplete(ir, settings, outcomes, stoppedBy(shortening.ended, options)), first, exhausted: [], ...(shortening.ended ? { ended: shortening.ended } : {}) };
  }
  const exhausted = outcomes.filter((o) => o.exhausted).map((o) => o.search);
  return { result: incomplete(ir, settings, outcomes, stoppedBy(swarm.ended, options, outcomes)), exhausted, ...(swarm.ended ? { ended: swarm.ended } : {}) };
}

/** Why a swarm is incomplete: what stopped it, else --max-memory if it stopped a search, else the searches' state budget. */
function stoppedBy(ended: EarlyEnd | undefined, options: SwarmOptions, outcomes: readonly SwarmOutcome[] = []): Limit {
  if (ended?.kind === 'signal') return namingSignal({ kind: 'interrupted' }, options.signal);
  if (ended?.kind === 'time' && options.maxSeconds !== undefined) return { kind: 'time', bound: options.maxSeconds };
  if (ended?.kind === 'lost') return { kind: 'interrupted' };
  if (options.maxMemoryMB !== undefined && outcomes.some((o) => o.outOfMemory === true)) return { kind: 'memory', bound: options.maxMemoryMB };
  return { kind: 'states', bound: options.maxStates };
}

/** The incomplete result of a swarm without a counterexample: its searches' totals and the union of their coverage. */
function incomplete(ir: ModelIR, settings: CheckSettings, outcomes: readonly SwarmOutcome[], limit: Limit): CheckResult {
  const policy = resolvePolicy(settings.policy, settings.knobs);
  const sys = buildSystem(ir, policy, settings);
  const states = outcomes.reduce((n, o) => n + o.states, 0);
  const seconds = outcomes.reduce((n, o) => Math.max(n, o.seconds), 0);
  return {
    kind: 'check',
    verdict: 'incomplete',
    stoppedBy: limit,
    model: ir.name,
    policy,
    budgets: sys.options.budgets,
    stats: {
      states,
      transitions: outcomes.reduce((n, o) => n + o.transitions, 0),
      depth: outcomes.reduce((n, o) => Math.max(n, o.depth), 0),
      seconds,
      statesPerSecond: seconds > 0 ? states / seconds : states,
      bytesPerState: 0,
      stateWords: sys.stateWords,
    },
    flags: [],
    coverage: outcomes.length > 0 ? coverageUnion(outcomes.map((o) => o.coverage)) : coverageReport(sys),
  };
}
