/**
 * Checkpoint and resume (issue #17 item 4): a search stopped by --max-states, saved and
 * continued (again and again) ends exactly as the uninterrupted search: verdict, state and
 * transition counts, depth, coverage and the counterexample's trace. Also the file format's
 * refusals and the renumbering of a parallel store's id ranges.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptCheckpoint, decodeCheckpoint, encodeCheckpoint, takeSnapshot, type SearchSnapshot } from '../../checker/checkpoint.js';
import { explore } from '../../checker/explore.js';
import type { RawResult } from '../../checker/result.js';
import { StateStore } from '../../checker/state-store.js';
import { InputErrors } from '../../models/ir/errors.js';
import { resolveModel } from '../../models/library/resolve.js';
import { checkModel } from '../../run/check.js';
import type { CheckOptions } from '../../run/options.js';
import type { CheckResult } from '../../run/result.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { binaryTree } from './toy-systems.js';

const dir = mkdtempSync(join(tmpdir(), 'rseq-ckpt-'));

/** Through the file format and back, as a resumed run reads it. */
function viaFile(s: SearchSnapshot): SearchSnapshot {
  const bytes = Buffer.concat(encodeCheckpoint({ meta: { toy: true }, snapshot: s, extra: {} }));
  return decodeCheckpoint(bytes).snapshot!;
}

const timeless = (r: RawResult) => ({ ...r, stats: { ...r.stats, seconds: 0, statesPerSecond: 0 } });

/**
 * The tree of 32767 states, ids = states in BFS order (level k is [2^k - 1, 2^(k+1) - 1)). State
 * 30000 violates: found while expanding level 13, so the run ends after it, with every state of
 * level 14 stored.
 */
const tree = (): TransitionSystem => binaryTree(32767, 30000);

describe('explore: stopped, saved and resumed', () => {
  it('the uninterrupted run, worked by hand', async () => {
    const r = await explore(tree());
    expect(r.verdict).toBe('violation');
    expect([r.stats.states, r.stats.transitions, r.stats.depth]).toEqual([32767, 2 * 16383, 13]);
    // 30000 = 2*14999+2 <- 14999 = 2*7499+1 <- 7499 <- 3749 <- 1874 <- 936 <- 467 <- 233 <- 116 <- 57 <- 28 <- 13 <- 6 <- 2 <- 0.
    expect(r.verdict === 'violation' && r.path.choices).toEqual([0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1]);
  });

  it('stopped at a level start, then mid-level, resumed from the file each time: the same result', async () => {
    const full = await explore(tree());
    const saved: SearchSnapshot[] = [];
    const checkpoint = { everySeconds: 3600, save: (s: SearchSnapshot) => saved.push(s) };
    // Batches end at a level's end or after 4096 states: 5000 stops after level 11 (8191 stored).
    const first = await explore(tree(), { maxStates: 5000, checkpoint });
    expect(first.verdict).toBe('incomplete');
    expect([saved[0]!.next, saved[0]!.levelEnd, saved[0]!.depth, saved[0]!.count]).toEqual([4095, 4095, 11, 8191]);
    // Resumed: level 12 is one batch (16383 stored), then 4096 states of level 13 (24575 stored).
    const second = await explore(tree(), { maxStates: 20000, resume: viaFile(saved[0]!), checkpoint });
    expect(second.verdict).toBe('incomplete');
    expect(second.stats.states).toBe(24575);
    expect([saved[1]!.next, saved[1]!.levelEnd, saved[1]!.depth, saved[1]!.count]).toEqual([12287, 16383, 13, 24575]);
    const last = await explore(tree(), { resume: viaFile(saved[1]!), checkpoint });
    // The run ended with a verdict: nothing more saved.
    expect(saved).toHaveLength(2);
    expect(timeless(last)).toEqual(timeless(full));
  });

  it('saves periodically while it runs (everySeconds 0: after every batch but the last)', async () => {
    const saves: number[] = [];
    await explore(tree(), { checkpoint: { everySeconds: 0, save: (s) => saves.push(s.next) } });
    expect(saves).toEqual([1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 12287]);
  });
});

describe('the file format', () => {
  const snapshot = (): SearchSnapshot => {
    const store = new StateStore(1);
    store.insertIfAbsent(Int32Array.of(5), -1, 0);
    store.insertIfAbsent(Int32Array.of(6), 0, 1);
    return takeSnapshot(store, 1, { next: 1, levelEnd: 2, depth: 0, transitions: 1, seconds: 0.5, violations: [], flags: [{ id: 1, code: -3, depth: 1, count: 1 }] });
  };
  const file = (): Buffer => Buffer.concat(encodeCheckpoint({ meta: { m: 1 }, snapshot: snapshot(), extra: { more: Int32Array.of(7, 8) } }));

  it('reads back what it wrote', () => {
    const cp = decodeCheckpoint(file());
    expect(cp.meta).toEqual({ m: 1 });
    expect([...cp.snapshot!.states]).toEqual([5, 6]);
    expect([...cp.snapshot!.parents]).toEqual([-1, 0]);
    expect([...cp.snapshot!.choices]).toEqual([0, 1]);
    expect(cp.snapshot!.flags).toEqual([{ id: 1, code: -3, depth: 1, count: 1 }]);
    expect([...cp.extra['more']!]).toEqual([7, 8]);
  });

  it('refuses a truncated file, a damaged body, a longer file and random bytes', () => {
    const f = file();
    expect(() => decodeCheckpoint(f.subarray(0, f.length - 3))).toThrow(/truncated \(29 of 32 bytes/);
    const damaged = Buffer.from(f);
    damaged[damaged.length - 1]! ^= 1;
    expect(() => decodeCheckpoint(damaged)).toThrow(/does not match its checksum/);
    expect(() => decodeCheckpoint(Buffer.concat([f, Buffer.of(0)]))).toThrow(/1 bytes after its end/);
    expect(() => decodeCheckpoint(Buffer.from('\x01\x02garbage\n'))).toThrow(CorruptCheckpoint);
    expect(() => decodeCheckpoint(Buffer.from('rseq-check search checkpoint\n{"format":1'))).toThrow(/truncated \(in its header\)/);
  });

  it('renumbers id ranges consecutively, parents and witnesses alike (a parallel store with unused block tails)', () => {
    const store = new StateStore(1);
    // Ids 0..5; ids 2 and 3 stand for an unused block tail.
    for (let i = 0; i < 6; i++) store.insertIfAbsent(Int32Array.of(10 + i), i === 0 ? -1 : i >= 4 ? 1 : 0, i);
    const s = takeSnapshot(store, 1, { next: 0, levelEnd: 0, depth: 1, transitions: 5, seconds: 0, violations: [], flags: [{ id: 5, code: -1, depth: 2, count: 1 }] }, [0, 2, 4, 2]);
    expect([...s.states]).toEqual([10, 11, 14, 15]);
    expect([...s.parents]).toEqual([-1, 0, 1, 1]);
    expect(s.flags[0]!.id).toBe(3);
  });
});

/** A check's result without its timings, the split among workers (it differs from run to run; a resumed run counts its own) and, for `withWorkers`, the store's layout. */
function comparable(r: CheckResult, withWorkers = false) {
  return {
    ...r,
    stats: { ...r.stats, seconds: 0, statesPerSecond: 0, statesPerWorker: undefined, statesPerWorkerLevel: undefined, ...(withWorkers ? { bytesPerState: 0 } : {}) },
    ...(r.verdict === 'violation' && r.first ? { first: { ...r.first, seconds: 0 }, secondsToShortest: 0 } : {}),
  };
}

/** Runs `spec` stopped every `step` states with a checkpoint and resumed until it ends; returns the end and the resumes. */
async function stopAndGo(spec: string, options: CheckOptions, step: number, params: string[] = []): Promise<{ result: CheckResult; resumes: number; uninterrupted: CheckResult }> {
  const m = resolveModel(spec, params);
  const base: CheckOptions = { ...(m.defaults ? { properties: m.defaults.properties, policy: m.defaults.policy.preset, knobs: m.defaults.policy.knobs } : {}), constants: m.constants, ...options };
  const uninterrupted = await checkModel(m.ir, base);
  const file = join(dir, `${spec.replace('/', '-')}-${options.workers ?? 1}.ckpt`);
  let result = await checkModel(m.ir, { ...base, maxStates: step, checkpoint: file });
  let resumes = 0;
  // A first-then-shortest run whose shortest search was stopped reports the first counterexample (no secondsToShortest).
  const stopped = (r: CheckResult): boolean => r.verdict === 'incomplete' || (r.verdict === 'violation' && r.first !== undefined && r.secondsToShortest === undefined);
  while (stopped(result) && resumes < 100) {
    result = await checkModel(m.ir, { ...base, maxStates: result.stats.states + step, resume: file, checkpoint: file });
    resumes++;
  }
  return { result, resumes, uninterrupted };
}

describe('checkModel: stopped by --max-states, resumed until done', () => {
  it('percpu-counter 3 x 2 + 1 under linux-6.3 (a pass): the same counts and coverage', async () => {
    const { result, resumes, uninterrupted } = await stopAndGo('percpu-counter', { policy: 'linux-6.3', search: 'bfs' }, 5000, ['threads=3']);
    expect(resumes).toBe(2);
    expect(result.verdict).toBe('pass');
    expect([result.stats.states, result.stats.transitions, result.stats.depth]).toEqual([11987, 80416, 37]);
    expect(comparable(result)).toEqual(comparable(uninterrupted));
  });

  it('a gallery entry (a violation, first-then-shortest): the same shortest trace and the first counterexample', async () => {
    const { result, resumes, uninterrupted } = await stopAndGo('gallery/kvm-stale-cpu-id', {}, 40);
    expect(resumes).toBeGreaterThanOrEqual(5);
    expect(result.verdict).toBe('violation');
    expect([result.stats.states, result.stats.transitions]).toEqual([250, 463]);
    expect(result.verdict === 'violation' && result.path.choices.length).toBe(16);
    expect(result.verdict === 'violation' && result.first?.steps).toBe(15);
    expect(comparable(result)).toEqual(comparable(uninterrupted));
  });

  it('with 2 workers (checkpoints at level starts): the same counts, verdict and trace', async () => {
    const pass = await stopAndGo('percpu-counter', { policy: 'linux-6.3', search: 'bfs', workers: 2, parallelThreshold: 100 }, 5000, ['threads=3']);
    expect(pass.resumes).toBeGreaterThanOrEqual(2);
    expect([pass.result.stats.states, pass.result.stats.transitions]).toEqual([11987, 80416]);
    expect(comparable(pass.result, true)).toEqual(comparable(pass.uninterrupted, true));
    const violated = await stopAndGo('gallery/kvm-stale-cpu-id', { search: 'bfs', workers: 2, parallelThreshold: 50 }, 100);
    expect(violated.resumes).toBeGreaterThanOrEqual(2);
    expect([violated.result.stats.states, violated.result.verdict]).toEqual([250, 'violation']);
    expect(comparable(violated.result, true)).toEqual(comparable(violated.uninterrupted, true));
  });

  it('a checkpoint made on workers resumes in process, and that one on workers again', async () => {
    const m = resolveModel('percpu-counter', ['threads=3']);
    const base: CheckOptions = { policy: 'linux-6.3', search: 'bfs', constants: m.constants };
    const workers: CheckOptions = { ...base, workers: 2, parallelThreshold: 100 };
    const f = join(dir, 'mixed.ckpt');
    expect((await checkModel(m.ir, { ...workers, maxStates: 5000, checkpoint: f })).verdict).toBe('incomplete');
    const inProcess = await checkModel(m.ir, { ...base, maxStates: 10000, resume: f, checkpoint: f });
    expect(inProcess.verdict).toBe('incomplete');
    expect(inProcess.stats.states).toBeGreaterThanOrEqual(10000);
    const end = await checkModel(m.ir, { ...workers, resume: f });
    expect([end.verdict, end.stats.states, end.stats.transitions, end.stats.depth]).toEqual(['pass', 11987, 80416, 37]);
  });

  it('on workers, a stop mid-level saves the level start: the resumed run expands the whole level again', async () => {
    // 278417 states, 1442416 transitions, depth 41 at any worker count; levels of thousands of
    // states around 200 k; the coordinating thread looks at the limit after each of its batches,
    // so it is noticed while the level that crosses it is expanded.
    const m = resolveModel('percpu-counter', ['threads=3']);
    const options: CheckOptions = { constants: m.constants, budgets: { preemptions: 3, migrations: 3 }, search: 'bfs', workers: 2, parallelThreshold: 1000 };
    const f = join(dir, 'mid-level.ckpt');
    const stopped = await checkModel(m.ir, { ...options, maxStates: 200_000, checkpoint: f });
    expect(stopped.verdict).toBe('incomplete');
    const saved = decodeCheckpoint(readFileSync(f)).snapshot!;
    expect(saved.next).toBe(saved.levelEnd);
    // If the worker claimed the batches that crossed it, the limit may be noticed just as a level
    // ends, and then the level start saved is every state stored.
    if (saved.count < stopped.stats.states) expect(saved.depth).toBe(stopped.stats.depth - 1);
    else expect(saved.count).toBe(stopped.stats.states);
    const end = await checkModel(m.ir, { ...options, resume: f });
    expect([end.verdict, end.stats.states, end.stats.transitions, end.stats.depth]).toEqual(['pass', 278417, 1442416, 41]);
    // The placement coverage too: the stopped run's counts of the level it cut short went back
    // to the level start's, so the level expanded again is not counted twice.
    const inProcess = await checkModel(m.ir, { ...options, workers: 1 });
    expect(end.coverage).toEqual(inProcess.coverage);
  });

  it('refuses a checkpoint of another policy or property, naming the file and what differs', async () => {
    const m = resolveModel('percpu-counter', ['threads=3']);
    const file = join(dir, 'refuse.ckpt');
    const check = (o: CheckOptions) => checkModel(m.ir, { constants: m.constants, ...o });
    await check({ policy: 'linux-6.3', search: 'bfs', maxStates: 5000, checkpoint: file });
    await expect(check({ policy: 'linux-6.15', search: 'bfs', resume: file })).rejects.toThrow(`checkpoint ${file} was made for policy linux-6.3, this run uses linux-6.15`);
    await expect(check({ policy: 'linux-6.3', search: 'bfs', properties: ['G1'], resume: file })).rejects.toThrow(/was made for properties the model's defaults, this run uses G1/);
    await expect(check({ policy: 'linux-6.3', search: 'dfs', resume: file })).rejects.toThrow(InputErrors);
    // A damaged copy: refused, not explored.
    const bytes = readFileSync(file);
    writeFileSync(join(dir, 'damaged.ckpt'), bytes.subarray(0, bytes.length - 100));
    await expect(check({ policy: 'linux-6.3', search: 'bfs', resume: join(dir, 'damaged.ckpt') })).rejects.toThrow(/damaged\.ckpt cannot be used: it is truncated/);
  });
});
