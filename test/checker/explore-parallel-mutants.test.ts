/**
 * Hand-worked examples for the coordinator of the parallel breadth-first search
 * (checker/parallel/explore-parallel.ts): when the pool starts and which levels it expands, the
 * level requests it sends, the limits, checkpoints and counters at level starts, the memory
 * stops, the table growth, and a failing worker.
 *
 * The system is a binary tree of `n` one-word states (s leads to 2s+1 and 2s+2, labels 1 and 2):
 * level d holds the 2^d states 2^d - 1 .. 2^(d+1) - 2 (or, for the table growth, a ladder of
 * many narrow levels). Workers load it from a data: URL (they
 * import systems by URL and run the compiled dist/ code: run `npm run build` first); a worker's
 * copy can be made slow (`slowMs` per expanded state), the coordinator's never is.
 *
 * The pool is the real workerpool, wrapped to record the pools started and the tasks sent to
 * them; `reserveCapacity` is the real one unless a test makes the store small.
 */
import { totalmem } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explore } from '../../checker/explore.js';
import type { SearchSnapshot } from '../../checker/checkpoint.js';
import { exploreParallel, type ParallelOptions } from '../../checker/parallel/explore-parallel.js';
import type { LevelRequest, RehashRequest, SystemSpec } from '../../checker/parallel/protocol.js';
import { reserveCapacity, SharedStore } from '../../checker/parallel/shared-store.js';
import type { RawResult } from '../../checker/result.js';
import type { TransitionSystem } from '../../checker/transition-system.js';

/** What the wrapped pool saw: each pool's size, and each task (typed arrays of a level request copied when sent). */
const seen = vi.hoisted(() => ({
  /** Called when a pool starts. */
  onPool: undefined as (() => void) | undefined,
  pools: [] as { maxWorkers: number | undefined; totalWorkers: () => number }[],
  tasks: [] as { method: string; arg: unknown; batches?: number[]; claims?: number[] }[],
  /** The `force` argument of each pool's terminate. */
  terminations: [] as (boolean | undefined)[],
}));

vi.mock('workerpool', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('workerpool') }>()).default;
  const pool = (script: string, options: { maxWorkers?: number }): ReturnType<typeof real.pool> => {
    const p = real.pool(script, options);
    seen.onPool?.();
    seen.pools.push({ maxWorkers: options.maxWorkers, totalWorkers: () => p.stats().totalWorkers });
    const exec = p.exec.bind(p);
    const recording = (method: string, params: unknown[]): ReturnType<typeof exec> => {
      const arg = params[0];
      const level = method === 'level' ? (arg as LevelRequest) : undefined;
      // Copied before the task is sent: the threads claim batches from `claims` as they go.
      seen.tasks.push({ method, arg, ...(level ? { batches: [...new Int32Array(level.batches)], claims: [...new Int32Array(level.claims)] } : {}) });
      return exec(method, params);
    };
    p.exec = recording as typeof p.exec;
    const terminate = p.terminate.bind(p);
    p.terminate = (force?: boolean, timeout?: number) => {
      seen.terminations.push(force);
      return terminate(force, timeout);
    };
    return p;
  };
  return { default: { ...real, pool } };
});

vi.mock('../../checker/parallel/shared-store.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../checker/parallel/shared-store.js')>();
  return { ...real, reserveCapacity: vi.fn(real.reserveCapacity) };
});

interface TreeParams {
  readonly n: number;
  /** Violate on inspection (code 1). */
  readonly bad?: readonly number[];
  /** Violates as an end state (code 2). */
  readonly badEnd?: number;
  /** States s with s % flagEvery === 1 are flagged (code -1). */
  readonly flagEvery?: number;
  /** Busy milliseconds per expanded state. */
  readonly slowMs?: number;
  /** Instead of the tree, a ladder of levels of `width` states, each leading to every state of the next level. */
  readonly width?: number;
  /** The ladder's last level leads back to its first state. */
  readonly wrap?: boolean;
  /** Without `counters`. */
  readonly noCounters?: boolean;
}

const treeModule = `
export function createSystem({ n, bad = [], badEnd = -1, flagEvery = 0, slowMs = 0, width = 0, wrap = false, noCounters = false }) {
  const expanded = new Int32Array(1);
  const next = width > 0 ? (s, c) => (Math.floor(s / width) + 1) * width + c - 1 : (s, c) => 2 * s + c;
  const fanOut = width > 0 ? width : 2;
  return {
    stateWords: 1,
    initialStates(out, emit) { out[0] = 0; emit(); },
    successors(s, out, emit) {
      expanded[0]++;
      for (const until = performance.now() + slowMs; performance.now() < until; );
      if (wrap && next(s[0], 1) >= n) { out[0] = 0; emit(0); return; }
      for (let c = 1; c <= fanOut; c++) {
        if (next(s[0], c) >= n) return;
        out[0] = next(s[0], c);
        if (emit(c)) return;
      }
    },
    inspect: (s) => (bad.includes(s[0]) ? 1 : flagEvery > 0 && s[0] % flagEvery === 1 ? -1 : 0),
    terminal: (s) => (s[0] === badEnd ? 2 : 0),
    codeName: (c) => (c === 1 ? 'bad' : c === 2 ? 'bad end' : c === -1 ? 'flagged' : 'ok'),
    ...(noCounters ? {} : { counters: () => [expanded] }),
  };
}`;
const factory = `data:text/javascript,${encodeURIComponent(treeModule)}`;
const { createSystem } = (await import(factory)) as { createSystem(p: TreeParams): TransitionSystem };

let runs = 0;
/**
 * A tree run on `workers` threads (2, threshold 1 unless given): this thread's copy calls
 * `before(s)` ahead of expanding state s; the workers build the tree with `workerParams` too.
 */
function onWorkers(
  tree: TreeParams,
  options: Omit<ParallelOptions, 'workers'> & { workers?: number },
  workerParams: Partial<TreeParams> = {},
  before?: (s: number) => void,
): { local: TransitionSystem; run: Promise<RawResult> } {
  const base = createSystem(tree);
  const local: TransitionSystem = before
    ? {
        ...base,
        successors(s, out, emit) {
          before(s[0]!);
          base.successors(s, out, emit);
        },
      }
    : base;
  const spec = { factory, params: { ...tree, ...workerParams }, key: `tree:${runs++}` };
  return { local, run: exploreParallel(local, spec, { workers: 2, threshold: 1, ...options }) };
}

/** Keeps this thread busy for `ms` milliseconds. */
function busy(ms: number): void {
  for (const until = performance.now() + ms; performance.now() < until; );
}

/** The states each thread expanded, added up per level. */
function perLevel(r: RawResult): number[] {
  const rows = r.stats.statesPerWorkerLevel ?? [];
  return (rows[0] ?? []).map((_, d) => rows.reduce((n, row) => n + row[d]!, 0));
}

/** What a parallel run must share with the sequential one (not the timings or the store's layout). */
function outcome(r: RawResult): unknown {
  const { states, transitions, depth, statesPerLevel } = r.stats;
  const verdict = r.verdict === 'violation' ? { property: r.property, path: r.path } : r.verdict === 'incomplete' ? { stoppedBy: r.stoppedBy } : {};
  return { verdict: r.verdict, ...verdict, states, transitions, depth, statesPerLevel, flags: r.flags };
}

const expanded = (sys: TransitionSystem): number => sys.counters!()[0]![0]!;
const levelTasks = (): LevelRequest[] => seen.tasks.filter((t) => t.method === 'level').map((t) => t.arg as LevelRequest);
/** The memory bound reported when no maxMemoryMB is given: 60 % of physical memory, in MB. */
const defaultMemoryMB = Math.round((totalmem() * 0.6) / 2 ** 20);

beforeEach(() => {
  seen.onPool = undefined;
  seen.pools.length = 0;
  seen.tasks.length = 0;
  seen.terminations.length = 0;
  vi.mocked(reserveCapacity).mockClear();
});
afterEach(() => vi.restoreAllMocks());

describe('in process first, then on the pool', () => {
  it('a tree of 100 states ends before the default threshold: no pool, no split among workers, the sequential result', async () => {
    const r = await onWorkers({ n: 100 }, { threshold: undefined }).run;
    expect(seen.pools).toEqual([]);
    expect(r.stats.statesPerWorker).toBeUndefined();
    expect(outcome(r)).toEqual(outcome(await explore(createSystem({ n: 100 }))));
  });

  it('1 worker never starts a pool, whatever the threshold', async () => {
    const r = await onWorkers({ n: 20 }, { workers: 1 }).run;
    expect(seen.pools).toEqual([]);
    expect(r.stats.statesPerWorker).toBeUndefined();
    expect(r.stats.states).toBe(20);
  });

  it('threshold 100: the pool boots at 5 stored states, levels 6.. (from 127 stored states) go on the threads, this thread yields about every 100 ms of its share, and nothing is left running', async () => {
    // Levels 0-5 (1, 2, .., 32 states) are expanded in process; level 6 starts with 127 states stored.
    const timers = (): number => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
    const before = timers();
    const progress: number[] = [];
    // This thread spends 2 ms on each leaf (level 7, states 127..254): its share of the level
    // takes a few hundred milliseconds, in which the event loop turns only where it yields.
    let turns = 0;
    const turnsInLevel7: number[] = [];
    const timesInLevel7: number[] = [];
    const spin = (): void => {
      turns++;
      ticker = setImmediate(spin);
    };
    let ticker = setImmediate(spin);
    const options = { threshold: 100, batchSize: 1, progressEvery: 1, onProgress: (p: { states: number }) => progress.push(p.states) };
    const { local, run } = onWorkers({ n: 255 }, options, { slowMs: 2 }, (s) => {
      if (s < 127) return;
      turnsInLevel7.push(turns);
      timesInLevel7.push(performance.now());
      busy(2);
    });
    let expandedAtBoot = -1;
    seen.onPool = () => (expandedAtBoot = expanded(local));
    const r = await run;
    clearImmediate(ticker);
    // The pool boots at the start of level 2 (7 stored states), after 3 states were expanded.
    expect(expandedAtBoot).toBe(3);
    expect(seen.pools.map((p) => p.maxWorkers)).toEqual([1]);
    // Given the system to build once, ahead of its first level.
    expect(seen.tasks.filter((t) => t.method === 'prepare').map((t) => (t.arg as SystemSpec).params)).toEqual([{ n: 255, slowMs: 2 }]);
    expect(perLevel(r)).toEqual([0, 0, 0, 0, 0, 0, 64, 128]);
    expect(r.stats.statesPerWorker!.reduce((a, b) => a + b, 0)).toBe(192);
    // Each state is expanded once, in whichever thread: the workers' counts are added to this system's.
    expect(expanded(local)).toBe(255);
    // Yields in this thread's share of level 7: at least one, and at most one per 100 ms (not one a batch).
    const yields = turnsInLevel7.at(-1)! - turnsInLevel7[0]!;
    expect(yields).toBeGreaterThanOrEqual(1);
    expect(yields).toBeLessThanOrEqual((timesInLevel7.at(-1)! - timesInLevel7[0]!) / 100 + 1);
    // Progress from the threads' shared counters, up to the last level's.
    expect(progress.at(-1)).toBeGreaterThanOrEqual(128);
    // The pool and the polling timer are gone when the run returns.
    expect(seen.pools[0]!.totalWorkers()).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('an error in the in-process phase other than a full store fails the run', async () => {
    const fail = (s: number): void => {
      if (s === 20) throw new Error('state 20 cannot be expanded');
    };
    await expect(onWorkers({ n: 255 }, { threshold: undefined }, {}, fail).run).rejects.toThrow('state 20 cannot be expanded');
  });
});

/** The claim words of `batches` batches shared by `threads` threads (segments, as level-claims.test.ts works out). */
function segments(batches: number, threads: number): number[] {
  const starts = Array.from({ length: threads }, (_, s) => Math.floor((s * batches) / threads));
  return [...starts, ...starts.slice(1), batches];
}

describe('the level requests', () => {
  it('depth, first id of the next level, blocks of 1024 ids, pause at 60 % of the table, one slot per thread, batches and claims', async () => {
    const reset = vi.spyOn(SharedStore.prototype, 'resetProgress');
    // Threshold 1: level 0 is already on the threads. Each level's states lie in 1024-id blocks:
    // level 1 in [1, 3), level 2 in [1025, 1029) (one batch of 2 states each in level 1).
    const r = await onWorkers({ n: 15 }, { workers: 3, batchSize: 2 }).run;
    expect(r.verdict).toBe('pass');
    const tasks = seen.tasks.filter((t) => t.method === 'level').slice(0, 6);
    const common = { blockSize: 1024, idLimit: Math.floor(65536 * 0.6), spec: undefined, store: undefined };
    // The claims as the first task of a level was sent (the threads claim from then on).
    const claims = (t: (typeof tasks)[number]): number[] | undefined => ((t.arg as LevelRequest).slot === 0 ? t.claims : undefined);
    expect(tasks.map((t) => ({ ...(t.arg as LevelRequest), spec: undefined, store: undefined, batches: t.batches, claims: claims(t) }))).toEqual(
      [
        { depth: 0, levelFirst: 1, batches: [0, 1], claims: segments(1, 3) },
        { depth: 1, levelFirst: 1025, batches: [1, 2], claims: segments(1, 3) },
        { depth: 2, levelFirst: 2049, batches: [1025, 2, 1027, 2], claims: segments(2, 3) },
      ].flatMap((level) => [0, 1].map((slot) => ({ ...level, ...common, slot, claims: slot === 0 ? level.claims : undefined }))),
    );
    expect(levelTasks().every((t) => !('crashAtTask' in t) && t.spec.factory === factory)).toBe(true);
    // Each of the 4 levels resets the threads' expanded counts once, and their inserted counts every round (one here).
    expect(reset.mock.calls).toEqual(Array.from({ length: 4 }, () => [[3, true], [3, false]]).flat());
  });
});

describe('the same results as one thread', () => {
  it.each([
    // States 31 and 32 (level 5) are found by one thread, in that order: the least, 31, is the violation.
    ['a violation on inspection (states 31 and 32, level 5) and flags', { n: 63, bad: [31, 32], flagEvery: 7 }, {}],
    ['a depth bound of 3', { n: 63 }, { maxDepth: 3 }],
  ] as const)('%s', async (_, tree, limits) => {
    const r = await onWorkers(tree, { ...limits, batchSize: 4 }).run;
    expect(outcome(r)).toEqual(outcome(await explore(createSystem(tree), limits)));
    expect(r.stats.statesPerWorker!.reduce((a, b) => a + b, 0)).toBe(perLevel(r).reduce((a, b) => a + b, 0));
  });
});

describe('limits and checkpoints at level starts', () => {
  /** A run's checkpoints (saved when a limit stops it, and every `everySeconds`). */
  const checkpoints = (everySeconds = 3600): { saved: SearchSnapshot[]; checkpoint: ParallelOptions['checkpoint'] } => {
    const saved: SearchSnapshot[] = [];
    return { saved, checkpoint: { everySeconds, save: (s) => saved.push(s) } };
  };
  /** A run resumed from `snap` in process, against one uninterrupted run. */
  const expectResumedAsOneRun = async (tree: TreeParams, snap: SearchSnapshot): Promise<void> => {
    const resumed = await onWorkers(tree, { resume: snap, threshold: undefined }).run;
    expect(outcome(resumed)).toEqual(outcome(await explore(createSystem(tree))));
  };
  let levelEnd: SearchSnapshot | undefined;
  const flagged63 = { n: 63, flagEvery: 7 };

  it('maxStates 10, one batch a level, a checkpoint due at every level: stops after level 2 (15 states), saves the start of level 3 with the flags the threads found, and the resumed run ends as one run', async () => {
    const { saved, checkpoint } = checkpoints(0);
    const { local, run } = onWorkers(flagged63, { maxStates: 10, checkpoint });
    const r = await run;
    expect(outcome(r)).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 10 }, states: 15, transitions: 14, depth: 2, statesPerLevel: [1, 2, 4, 8] });
    expect(expanded(local)).toBe(7);
    // Due at the starts of levels 0, 1 and 2; then the stop's.
    expect(saved.map((s) => s.count)).toEqual([1, 3, 7, 15]);
    levelEnd = saved.at(-1)!;
    // States renumbered consecutively: level 3 is ids 7..14.
    expect({ count: levelEnd.count, next: levelEnd.next, levelEnd: levelEnd.levelEnd, depth: levelEnd.depth, transitions: levelEnd.transitions }).toEqual({ count: 15, next: 7, levelEnd: 7, depth: 2, transitions: 14 });
    expect([...levelEnd.parents]).toEqual([-1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    // Flagged states 1 (depth 1) and 8 (depth 3): the witness is the shallower one.
    expect(levelEnd.flags).toEqual([{ code: -1, count: 2, id: 1, depth: 1 }]);
    await expectResumedAsOneRun(flagged63, levelEnd);
  });

  it('a resumed run reserves room for its states too: the larger of maxStates and the states it starts with', async () => {
    for (const maxStates of [5, 100, undefined]) await onWorkers(flagged63, { resume: levelEnd!, threshold: undefined, ...(maxStates ? { maxStates } : {}) }).run;
    expect(vi.mocked(reserveCapacity).mock.calls.map((c) => c[2])).toEqual([15, 100, undefined]);
  });

  it("a stop inside a level (maxStates 40 in level 4, slow workers): the checkpoint and the counters are those of the level's start", async () => {
    const { saved, checkpoint } = checkpoints();
    const { local, run } = onWorkers({ n: 255 }, { maxStates: 40, batchSize: 1, checkpoint }, { slowMs: 20 });
    const r = await run;
    // This thread checks the limit after each batch of 1 state (2 new states): it stops a few
    // batches into level 4 (16 states, 32 new), long before the level's 63 states.
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'states', bound: 40 });
    expect(r.stats.states).toBeGreaterThanOrEqual(40);
    expect(r.stats.states).toBeLessThan(50);
    // Levels 0-3 (15 states) were expanded whole.
    expect(expanded(local)).toBe(15);
    expect(saved.map((s) => [s.count, s.next, s.depth, s.transitions])).toEqual([[31, 15, 3, 30]]);
    await expectResumedAsOneRun({ n: 255 }, saved[0]!);
  });

  it('a limit in process with 2 workers saves the checkpoint one thread saves', async () => {
    const { saved, checkpoint } = checkpoints();
    const r = await onWorkers({ n: 255 }, { threshold: undefined, maxStates: 10, checkpoint }).run;
    expect(r.verdict).toBe('incomplete');
    const alone = checkpoints();
    await explore(createSystem({ n: 255 }), { maxStates: 10, checkpoint: alone.checkpoint });
    expect(saved.map((s) => ({ ...s, seconds: 0 }))).toEqual(alone.saved.map((s) => ({ ...s, seconds: 0 })));
  });

  it("an interrupt while the worker has run out of batches and this thread has not: the level's start again", async () => {
    // Level 3 (states 7..14, batches of 1): this thread's segment is 11..14. Expanding 11 takes
    // it 100 ms, and Ctrl-C comes then; meanwhile the worker expands the rest and finds no batch
    // left (it is not paused, this thread is). The level was not stopped in time as a whole: the
    // checkpoint and the counters are those of its start.
    const controller = new AbortController();
    const { saved, checkpoint } = checkpoints();
    const { local, run } = onWorkers({ n: 255 }, { batchSize: 1, signal: controller.signal, checkpoint }, {}, (s) => {
      if (s !== 11) return;
      busy(100);
      controller.abort();
    });
    const r = await run;
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'interrupted' });
    expect(expanded(local)).toBe(7);
    expect(saved.map((s) => [s.count, s.next, s.depth])).toEqual([[15, 7, 2]]);
  });
});

describe('the store: its size, and a full store', () => {
  it('room for 60 % of physical memory, or 1.25 x maxMemoryMB; a table of 2^16 slots, or 4 x 1024 ids per thread', async () => {
    const create = vi.spyOn(SharedStore, 'create');
    for (const options of [{ workers: 40 }, { maxMemoryMB: 3000 }]) await onWorkers({ n: 20 }, { ...options, threshold: undefined }).run;
    expect(vi.mocked(reserveCapacity).mock.calls).toEqual([
      [1, totalmem() * 0.6, undefined],
      [1, 3000 * 1024 * 1024 * 1.25, undefined],
    ]);
    // 40 x 1024 x 4 ids: 2^17.3, so 2^18 slots.
    expect(create.mock.calls.map((c) => [c[2], c[3]])).toEqual([
      [18, 40],
      [16, 2],
    ]);
  });

  it('full in process: the memory limit of 60 % of physical memory, and no checkpoint of that inconsistent point', async () => {
    vi.mocked(reserveCapacity).mockReturnValueOnce(20);
    const save = vi.fn();
    const r = await onWorkers({ n: 255 }, { threshold: undefined, checkpoint: { everySeconds: 3600, save } }).run;
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'memory', bound: defaultMemoryMB });
    expect(save).not.toHaveBeenCalled();
  });

  it('full on the threads (room for 1500 states, a block of 1024 ids a level): stops at level 1, saving its start (a system without counters)', async () => {
    vi.mocked(reserveCapacity).mockReturnValueOnce(1500);
    const saved: SearchSnapshot[] = [];
    const r = await onWorkers({ n: 255, noCounters: true }, { checkpoint: { everySeconds: 3600, save: (s) => saved.push(s) } }).run;
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'memory', bound: defaultMemoryMB });
    expect(saved.map((s) => [s.count, s.next, s.depth])).toEqual([[3, 1, 0]]);
  });
});

describe('the table grows while the threads insert', () => {
  it('a ladder of 40 levels of 2 states (the last leads back to the first) in batches of 1: past 45 % of 2^16 ids (a block of 1024 a level at least) the table doubles, each thread rehashing its slice', async () => {
    const rehashHere = vi.spyOn(SharedStore.prototype, 'rehashInto');
    // The last level only reaches a known state: a block taken and left empty, and no level after it.
    const ladder = { n: 80, width: 2, wrap: true };
    const r = await onWorkers(ladder, { workers: 3, batchSize: 1 }).run;
    expect(outcome(r)).toEqual(outcome(await explore(createSystem(ladder))));
    const rehash = seen.tasks.filter((t) => t.method === 'rehash').map((t) => t.arg as RehashRequest);
    // The first growth: 65536 slots in 3 slices of ceil(65536 / 3) = 21846, this thread's the last.
    expect(rehash.slice(0, 2).map((q) => [q.from, q.to, q.into.byteLength])).toEqual([
      [0, 21846, 2 ** 17 * 4],
      [21846, 43692, 2 ** 17 * 4],
    ]);
    expect(rehashHere.mock.calls[0]!.slice(1)).toEqual([43692, 65536]);
  });

  it('a level in several rounds: with a table of 2^11 slots, level 8 (from 255 ids) pauses at 60 % (1228 ids) once a block is taken, and goes on after the table grew', async () => {
    const create = SharedStore.create.bind(SharedStore);
    vi.spyOn(SharedStore, 'create').mockImplementation((words, capacity, _, workers) => create(words, capacity, 11, workers));
    const reset = vi.spyOn(SharedStore.prototype, 'resetProgress');
    const r = await onWorkers({ n: 1023 }, { threshold: 200, batchSize: 1 }).run;
    expect(outcome(r)).toEqual(outcome(await explore(createSystem({ n: 1023 }))));
    // Level 8 took more than one round.
    const rounds = reset.mock.calls.filter((c) => c[1] === false).length;
    expect(rounds).toBeGreaterThan(2);
  });
});

describe('a failing worker', () => {
  it('fails the whole run, naming the level and the cause', async () => {
    const failure = await onWorkers({ n: 255 }, { crashAtTask: 0 }).run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(`a worker failed while expanding BFS level 0: ${(cause as Error).message}; the run is abandoned, no verdict`);
    expect(levelTasks().map((t) => t.crashAtTask)).toEqual([0]);
    expect(seen.pools[0]!.totalWorkers()).toBe(0);
    // Forced: the other threads' share of the level would only delay the failure (a graceful
    // terminate waits for the tasks they are running). Timing it is not reliable on a loaded
    // machine (the other thread may not have started its task yet), so the call is recorded.
    expect(seen.terminations).toEqual([true]);
  });
});
