/**
 * `check MODEL --partition K --queue URL`: an exhaustive breadth-first search whose states are
 * split over K partitions by hash (run/queue/partition-search.ts), each a job on a worker that
 * keeps its partition's states in its own packed store. The coordinator drives the levels with
 * a barrier each: all partitions expand depth d and send the successors owned elsewhere, then
 * all store what they received; the level's reports say how many states each holds and its best
 * violating state. The search ends where a single-process breadth-first search ends (after the
 * level of the first violation, or when a level adds nothing), the violation is the one it
 * picks (least depth, then path cost, then packed state), and its trace is rebuilt by walking
 * the parent links back through the partitions; so the verdict, the counts, the depth and the
 * trace's length are those of `check --search bfs`.
 *
 * Faults: a partition cannot be retried (its states live in one worker's memory). A partition
 * job that fails, or whose worker stops answering for the stall time, ends the run loudly
 * (QueueJobFailed: exit 70, with the cause); Redis lost for good, a signal or a limit ends it
 * incomplete with the states covered at the last barrier. A run stopped by a limit or a signal
 * keeps what it found: the partitions (halted mid-level on a signal) answer the link walks of
 * the flags' witnesses, and a violation already found is still the verdict; with Redis lost the
 * flags are named without witnesses. No wait is longer than the stall time.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { namingSignal, type Limit, type Stats } from '../../checker/result.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { buildSystem } from '../../models/system/build.js';
import { concretize, traceSystemOptions } from '../../models/system/concretize.js';
import { coverageReport } from '../../models/system/coverage.js';
import { explainPath } from '../explain.js';
import type { CheckResult, ExplainedFlag } from '../result.js';
import { redactedMessage, type QueueTarget } from './connection.js';
import { newRunId, runOnQueue, type CoordinatorOptions, type QueueRun } from './coordinator.js';
import { QueueJobFailed } from './job-failed.js';
import { allPartitionKeys, PARTITION_QUEUE, partitionKeys, partitionReport, partitionResult, type FoundState, type PartitionCommand, type PartitionReport, type PartitionResult } from './partition-protocol.js';
import { QUEUE_PROTOCOL, type CheckSettings, type ModelSource, type PartitionPayload } from './payload.js';
import { parseJson, partitionConnection } from './partition-connection.js';
import { stopKey } from './stop-key.js';

export interface PartitionOptions extends Pick<CoordinatorOptions, 'onBoard' | 'signal'> {
  readonly version: string;
  readonly partitions: number;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Each worker's bound on its resident size. */
  readonly maxMemoryMB?: number;
  /** How long a partition may stay silent before the run fails (and all partitions must have started). @defaultValue 30 */
  readonly stallSeconds?: number;
  /** Called after each level: its depth and the states stored so far. */
  readonly onLevel?: (depth: number, states: number) => void;
}

/** What crossed partitions through Redis: distinct states (per level and destination), batches, bytes. */
export interface PartitionTraffic {
  readonly states: number;
  readonly batches: number;
  readonly bytes: number;
}

export interface PartitionRun {
  readonly result: CheckResult;
  readonly traffic: PartitionTraffic;
  /** Why the run is incomplete when Redis was lost. */
  readonly lost?: string;
}

const DEFAULT_STALL_SECONDS = 30;
/** How often a wait looks at the partitions' heartbeats, the jobs and the signal. */
const WAIT_SECONDS = 1;

/** The run ended before its verdict: the limit to report. */
class Stopped extends Error {
  constructor(readonly limit: Limit) {
    super(`stopped: ${limit.kind}`);
  }
}

/** Orders two packed states as StateStore.compare does (negative: `a` first). */
function compareWords(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The violating state a single search would pick among the partitions' best: least depth, then cost, then packed state. */
function bestViolation(found: readonly (readonly [number, FoundState])[]): readonly [number, FoundState] | undefined {
  let best: readonly [number, FoundState] | undefined;
  for (const f of found) {
    const [, v] = f;
    if (!best) best = f;
    else {
      const b = best[1];
      if (v.depth < b.depth || (v.depth === b.depth && (v.cost < b.cost || (v.cost === b.cost && compareWords(v.words, b.words) < 0)))) best = f;
    }
  }
  return best;
}

/** The violation of least depth among the partitions' latest reports, picked as a single search picks one. */
function leastViolation(latest: ReadonlyMap<number, PartitionReport>): readonly [number, FoundState] | undefined {
  const found = [...latest].flatMap(([p, r]) => (r.violation ? [[p, r.violation] as const] : []));
  const least = Math.min(...found.map(([, v]) => v.depth));
  return bestViolation(found.filter(([, v]) => v.depth === least));
}

/** Runs `ir` (which `model` names for the workers) partitioned over the queue's workers with the check settings `settings`. */
export async function partitionOnQueue(target: QueueTarget, model: ModelSource, ir: ModelIR, settings: CheckSettings, options: PartitionOptions): Promise<PartitionRun> {
  const start = performance.now();
  const startedAt = Date.now();
  const K = options.partitions;
  const stallMs = (options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000;
  const deadline = options.maxSeconds !== undefined ? Date.now() + options.maxSeconds * 1000 : undefined;
  const policy = resolvePolicy(settings.policy, settings.knobs);
  const sys = buildSystem(ir, policy, settings);
  const run = newRunId();
  const keys = partitionKeys(run);
  const client = partitionConnection(target);
  const blocking = partitionConnection(target);
  const beat = (): void => void client.set(keys.coordinatorAlive, '1', 'PX', stallMs).catch(() => undefined);
  beat();
  const heartbeat = setInterval(beat, Math.max(100, stallMs / 4));

  // Latest report of each partition (what the run covered), and what ended the jobs early.
  const latest = new Map<number, PartitionReport>();
  const seen = new Set<number>();
  let jobFailure: Error | undefined;
  const jobsStop = new AbortController();
  let jobs: Promise<QueueRun | undefined> | undefined;
  const levelStates: number[] = [];
  let depth = 0;

  const send = async (p: number, command: PartitionCommand): Promise<void> => {
    try {
      await client.rpush(keys.commands(p), JSON.stringify(command));
    } catch (e) {
      throw new LostRedis(`cannot reach Redis at ${target.redacted}: ${redactedMessage(target, e)}`);
    }
  };
  const total = (f: (r: PartitionReport) => number): number => [...latest.values()].reduce((n, r) => n + f(r), 0);

  /**
   * The reports of `phase` from `from` (every partition by default); throws QueueJobFailed when a
   * partition is lost, Stopped on a signal unless `evenIfStopped` (the link walks after a stop,
   * which a second signal cuts short by ending the process).
   */
  const reports = async (phase: PartitionReport['phase'], from: readonly number[] = [...Array(K).keys()], evenIfStopped = false): Promise<Map<number, PartitionReport>> => {
    const got = new Map<number, PartitionReport>();
    let unreachableSince: number | undefined;
    while (got.size < from.length) {
      if (jobFailure) throw jobFailure;
      if (options.signal?.aborted && !evenIfStopped) throw new Stopped(namingSignal({ kind: 'interrupted' }, options.signal));
      let popped: [string, string] | null;
      let alive: boolean[];
      try {
        popped = await blocking.blpop(keys.reports, WAIT_SECONDS);
        alive = popped ? [] : await Promise.all(from.map(async (p) => (await client.exists(keys.alive(p))) > 0));
        unreachableSince = undefined;
      } catch {
        // Commands fail within a few reconnection attempts (partitionConnection): Redis is down.
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > stallMs) throw new LostRedis(`Redis at ${target.redacted} unreachable for ${stallMs / 1000} s`);
        await new Promise((r) => setTimeout(r, WAIT_SECONDS * 1000));
        continue;
      }
      if (popped) {
        const parsed = partitionReport.safeParse(parseJson(popped[1]));
        if (!parsed.success) throw new QueueJobFailed(`a partition sent a malformed report; the run has no verdict`);
        const r = parsed.data;
        seen.add(r.partition);
        latest.set(r.partition, r);
        if (r.phase === phase && from.includes(r.partition)) got.set(r.partition, r);
        continue;
      }
      for (const [i, p] of from.entries()) {
        if (got.has(p)) continue;
        if (alive[i]) seen.add(p);
        else if (seen.has(p)) throw new QueueJobFailed(`partition ${p} of ${K} stopped answering for ${stallMs / 1000} s (its worker died or hangs); its states are lost, the run has no verdict`);
        else if (Date.now() - startedAt > 2 * stallMs)
          throw new QueueJobFailed(`partition ${p} of ${K} did not start within ${(2 * stallMs) / 1000} s (are enough "rseq-check worker" processes serving ${target.redacted}?); the run has no verdict`);
      }
    }
    return got;
  };

  /** The choice path to state `id` of partition `p`, walked back through the partitions' links. */
  const pathTo = async (p: number, id: number): Promise<number[]> => {
    const parts: number[][] = [];
    for (let at: { partition: number; id: number } | undefined = { partition: p, id }; at; ) {
      await send(at.partition, { cmd: 'link', id: at.id });
      const link: PartitionReport['link'] = (await reports('link', [at.partition], true)).get(at.partition)!.link;
      if (!link) throw new QueueJobFailed(`partition ${at.partition} answered a link walk without its link; the run has no verdict`);
      parts.push(link.choices);
      at = link.parent;
    }
    return parts.reverse().flat();
  };

  let outcome: { verdict: 'pass' } | { verdict: 'violation'; at: readonly [number, FoundState] } | { verdict: 'incomplete'; limit: Limit };
  let lost: string | undefined;
  try {
    const share = await sharePerWorker(target, K);
    const payloads: PartitionPayload[] = Array.from({ length: K }, (_, partition) => ({
      protocol: QUEUE_PROTOCOL,
      version: options.version,
      run,
      kind: 'partition',
      model,
      settings,
      partition,
      partitions: K,
      share,
      stallMs,
      ...(deadline !== undefined ? { deadline } : {}),
      ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
      ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    }));
    const check = (value: unknown): PartitionResult => {
      const r = partitionResult.safeParse(value);
      if (!r.success) throw new QueueJobFailed('a worker returned a malformed partition result; the run has no verdict');
      return r.data;
    };
    jobs = runOnQueue(target, run, payloads, check, { queueName: PARTITION_QUEUE, attempts: 1, signal: jobsStop.signal, ...(options.onBoard ? { onBoard: options.onBoard } : {}) }).then(
      (r) => {
        if (r.ended?.kind === 'lost') jobFailure = new LostRedis(r.ended.why);
        return r;
      },
      (e: unknown) => {
        jobFailure = e instanceof Error ? e : new Error(String(e));
        return undefined;
      },
    );
    outcome = await search();
  } catch (e) {
    if (e instanceof Stopped) {
      outcome = { verdict: 'incomplete', limit: e.limit };
      if (e.limit.kind === 'interrupted') {
        // A signal: the partitions still expanding end their level, then answer the link walks.
        await client.set(keys.halt, '1', 'EX', 3600).catch(() => undefined);
        // A violation already found is the run's verdict: every shallower level was searched, so
        // the uninterrupted search would have ended with a violation at this depth too.
        const best = leastViolation(latest);
        if (best) outcome = { verdict: 'violation', at: best };
      }
    } else if (e instanceof LostRedis) {
      lost = e.message;
      outcome = { verdict: 'incomplete', limit: { kind: 'interrupted' } };
    } else {
      jobsStop.abort();
      await jobs;
      await cleanUp();
      throw e;
    }
  }

  /** The levels, each behind a barrier, until a violation, a level that adds nothing, a limit or a signal. */
  async function search(): Promise<typeof outcome> {
    await reports('init');
    levelStates.push(total((r) => r.newest));
    for (let d = 0; ; d++) {
      // A violation found while expanding level d - 1 (or among the initial states) ends the search at that depth.
      const best = leastViolation(latest);
      if (best) return { verdict: 'violation', at: best };
      if (levelStates[d] === 0) return { verdict: 'pass' };
      depth = d;
      if (deadline !== undefined && Date.now() > deadline) throw new Stopped({ kind: 'time', bound: options.maxSeconds! });
      const stored = total((r) => r.states);
      if (options.maxStates !== undefined && stored >= options.maxStates) throw new Stopped({ kind: 'states', bound: options.maxStates });
      for (let p = 0; p < K; p++) await send(p, { cmd: 'expand', level: d, budget: options.maxStates === undefined ? Number.MAX_SAFE_INTEGER : options.maxStates - (stored - latest.get(p)!.states) });
      const stop = [...(await reports('sent')).values()].find((r) => r.stoppedBy)?.stoppedBy;
      if (stop) throw new Stopped(stop.kind === 'states' ? { kind: 'states', bound: options.maxStates ?? stop.bound } : stop);
      for (let p = 0; p < K; p++) await send(p, { cmd: 'receive', level: d });
      await reports('received');
      levelStates.push(total((r) => r.newest));
      options.onLevel?.(d, total((r) => r.states));
    }
  }

  // The partitions still serving answer link walks (the trace and the flags' witnesses), then
  // finish; also after a signal, so that a stopped run keeps the witnesses of what it found.
  const serving = lost === undefined && jobFailure === undefined;
  const flags = mergedFlags([...latest.values()]);
  let results: PartitionResult[] = [];
  const traffic = (): PartitionTraffic => ({ states: total((r) => r.sent.states), batches: total((r) => r.sent.batches), bytes: total((r) => r.sent.bytes) });
  try {
    const witnessPaths: number[][] = [];
    let violationPath: number[] | undefined;
    if (serving) {
      for (const f of flags) witnessPaths.push(await pathTo(f.witness[0], f.witness[1].id));
      if (outcome.verdict === 'violation') violationPath = await pathTo(outcome.at[0], outcome.at[1].id);
    } else if (flags.length > 0 && lost !== undefined)
      // Redis is gone, and with it the links: the flags are named, their witnesses are not kept.
      lost += `; found before: ${flags.map((f) => `${sys.codeName(f.code)} (${f.count} states)`).join(', ')}, their witnesses not kept (they lived in the partitions)`;
    results = await finish(serving);
    return { result: checkResult(witnessPaths, violationPath), traffic: traffic(), ...(lost !== undefined ? { lost } : {}) };
  } catch (e) {
    jobsStop.abort();
    await jobs;
    throw e;
  } finally {
    await cleanUp();
  }

  /** Ends the partitions' jobs: `finish` when they serve, else the run's stop key; their results carry the coverage. */
  async function finish(serving: boolean): Promise<PartitionResult[]> {
    if (serving) for (let p = 0; p < K; p++) await send(p, { cmd: 'finish' }).catch(() => undefined);
    else await client.set(stopKey(run), '1', 'EX', 3600).catch(() => undefined);
    const timer = setTimeout(() => jobsStop.abort(), stallMs);
    const done = await jobs;
    clearTimeout(timer);
    return (done?.results ?? []).filter((r): r is PartitionResult => r !== undefined);
  }

  async function cleanUp(): Promise<void> {
    clearInterval(heartbeat);
    if (client.status === 'ready') await client.del(...allPartitionKeys(run, K)).catch(() => undefined);
    client.disconnect();
    blocking.disconnect();
  }

  /** The check result, rendered as checkModel renders one: the partitions' coverage summed, then traces explained in the unreduced system. */
  function checkResult(witnessPaths: readonly number[][], violationPath: readonly number[] | undefined): CheckResult {
    for (const r of results) {
      if (r.coverageEvents.length !== sys.coverage.events.length || r.coverageViolations.length !== sys.coverage.violations.length) throw new QueueJobFailed('a worker returned coverage of another model; the run has no verdict');
      r.coverageEvents.forEach((n, i) => (sys.coverage.events[i]! += n));
      r.coverageViolations.forEach((n, i) => (sys.coverage.violations[i]! += n));
    }
    const concrete = sys.quotient ? buildSystem(ir, policy, traceSystemOptions(settings)) : sys;
    const real = (choices: readonly number[]): number[] => concretize(sys, concrete, choices);
    const meta = { model: ir.name, policy: policy.name };
    const explained: ExplainedFlag[] = witnessPaths.map((path, i) => {
      const f = flags[i]!;
      const name = sys.codeName(f.code);
      const witness = { choices: real(path) };
      return { code: f.code, name, count: f.count, witness, trace: explainPath(concrete, witness.choices, { ...meta, property: name }) };
    });
    const states = total((r) => r.states);
    const seconds = (performance.now() - start) / 1000;
    const perLevel = [...levelStates];
    while (perLevel.length > 1 && perLevel[perLevel.length - 1] === 0) perLevel.pop();
    const stats: Stats = {
      states,
      transitions: total((r) => r.transitions),
      depth,
      seconds,
      statesPerSecond: seconds > 0 ? states / seconds : states,
      bytesPerState: states > 0 ? total((r) => r.bytesPerState * r.states) / states : 0,
      stateWords: sys.stateWords,
      statesPerLevel: perLevel,
      statesPerPartition: Array.from({ length: K }, (_, p) => latest.get(p)?.states ?? 0),
    };
    const common = { kind: 'check' as const, model: ir.name, policy, budgets: sys.options.budgets, stats, flags: explained, coverage: coverageReport(sys) };
    if (outcome.verdict === 'violation' && violationPath) {
      const property = sys.codeName(outcome.at[1].code);
      const path = { choices: real(violationPath) };
      return { ...common, verdict: 'violation', property, path, trace: explainPath(concrete, path.choices, { ...meta, property }) };
    }
    if (outcome.verdict === 'incomplete') return { ...common, verdict: 'incomplete', stoppedBy: outcome.limit };
    return { ...common, verdict: 'pass' };
  }
}

/** The flags of every partition: counts summed, the witness of least depth, then packed state (as Findings picks one). */
function mergedFlags(reports: readonly PartitionReport[]): { code: number; count: number; witness: readonly [number, FoundState] }[] {
  const flags: { code: number; count: number; witness: readonly [number, FoundState] }[] = [];
  for (const r of reports)
    for (const f of r.flags) {
      const known = flags.find((x) => x.code === f.code);
      if (!known) flags.push({ code: f.code, count: f.count, witness: [r.partition, f] });
      else {
        known.count += f.count;
        const w = known.witness[1];
        if (f.depth < w.depth || (f.depth === w.depth && compareWords(f.words, w.words) < 0)) known.witness = [r.partition, f];
      }
    }
  return flags.sort((a, b) => b.code - a.code);
}

/** Redis was unreachable for the stall time: the run ends incomplete. */
class LostRedis extends Error {}

/** Partitions one worker takes at most: K over the workers serving the partition queue now (all of them when none is seen yet). */
async function sharePerWorker(target: QueueTarget, partitions: number): Promise<number> {
  const connection = new Redis(target.options);
  connection.on('error', () => undefined);
  const queue = new Queue(PARTITION_QUEUE, { connection });
  queue.on('error', () => undefined);
  try {
    const workers = await queue.getWorkersCount();
    return Math.ceil(partitions / Math.max(1, workers));
  } catch (e) {
    throw new LostRedis(`cannot count the workers at ${target.redacted}: ${redactedMessage(target, e)}`);
  } finally {
    void queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
