/**
 * The level expander (checker/parallel/level-expander.ts) run level by level in this thread
 * alone, over the shared store: the same levels, transitions and violation as the sequential
 * explorer. In a parallel run which thread expands a state is not fixed, so a fault in the
 * expander may hide behind a worker that did the work; here every state goes through it.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { cutBatches, expandLevel, LevelExpander, segmentClaims } from '../../checker/parallel/level-expander.js';
import type { LevelRequest } from '../../checker/parallel/protocol.js';
import { SharedStore } from '../../checker/parallel/shared-store.js';
import { replay } from '../../checker/replay.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { buildSystem, resolvePolicy } from '../../run/check.js';
import { resolveModel } from '../../models/library/resolve.js';
import { abortReadsRegister } from '../models/fixtures/abort-reads-register.js';
import { compile } from '../models/semantics-helpers.js';
import { Ctl } from '../../checker/parallel/shared-store.js';

const layered = (await import(new URL('./fixtures/layered-costs.mjs', import.meta.url).href)) as {
  createSystem(p: { width: number; layers: number }): TransitionSystem;
  linkCost(layer: number, from: number, to: number): number;
};

interface LevelByLevel {
  readonly statesPerLevel: number[];
  readonly transitions: number;
  /** The violating state of least depth the expander reported (its words, code, depth and the tie cost of its path). */
  readonly violation?: { readonly state: Int32Array; readonly code: number; readonly depth: number; readonly events: number };
}

/** A shared store holding `sys`'s initial states, with room for `capacity` states. */
function storeWithInitialStates(sys: TransitionSystem, capacity: number, tableLog2: number): SharedStore {
  const store = SharedStore.create(sys.stateWords, capacity, tableLog2, 1);
  const out = new Int32Array(sys.stateWords);
  let choice = 0;
  sys.initialStates(out, () => void store.insertIfAbsent(out, -1, choice++));
  store.count = store.nextId;
  return store;
}

/** A request for one thread to expand the states of `ranges` ((first id, count) pairs) at `depth`, in batches of `batchSize`. */
function levelRequest(store: SharedStore, ranges: readonly number[], batchSize: number, depth: number, blockSize: number, idLimit: number): LevelRequest {
  const batches = cutBatches(ranges, batchSize);
  return {
    spec: { factory: '', params: null, key: '' },
    store: store.shared,
    batches: batches.buffer,
    claims: segmentClaims(batches.length / 2, 1),
    depth,
    levelFirst: store.nextId,
    blockSize,
    idLimit,
    slot: 0,
  };
}

/** Explores `sys` with `expandLevel` alone: batches of `batchSize` states, id blocks of `blockSize`. */
async function levelByLevel(sys: TransitionSystem, batchSize: number, blockSize: number): Promise<LevelByLevel> {
  const store = storeWithInitialStates(sys, 1 << 15, 17);
  const x = new LevelExpander(sys);
  const statesPerLevel = [store.count];
  let frontier = [0, store.count];
  let transitions = 0;
  let violation: LevelByLevel['violation'];
  for (let depth = 0; frontier.length > 0 && !violation; depth++) {
    const r = await expandLevel(x, levelRequest(store, frontier, batchSize, depth, blockSize, 1 << 15));
    expect([r.paused, r.full, r.expanded]).toEqual([false, false, statesPerLevel[depth]]);
    store.count += r.inserted;
    transitions += r.transitions;
    frontier = [];
    for (let i = 0; i < r.blocks.length; i += 2) if (r.blocks[i + 1]! > 0) frontier.push(r.blocks[i]!, r.blocks[i + 1]!);
    if (r.inserted > 0) statesPerLevel.push(r.inserted);
    if (r.violations.length > 0) {
      const state = new Int32Array(sys.stateWords);
      store.load(r.violations[0]!, state);
      violation = { state, code: r.violations[1]!, depth: r.violations[2]!, events: store.eventsOf(r.violations[0]!) };
    }
  }
  return { statesPerLevel, transitions, ...(violation ? { violation } : {}) };
}

const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1']);
const cases: [string, () => TransitionSystem][] = [
  ['percpu-counter 2 × 1 + 1 under linux-6.3 (holds)', () => buildSystem(counter.ir, resolvePolicy('linux-6.3', []), { constants: counter.constants })],
  [
    'percpu-counter 2 × 1 + 1 without the migration abort (counter-sum violated on insertion)',
    () => buildSystem(counter.ir, resolvePolicy('linux-6.3', ['abortOnMigrate=false']), { constants: counter.constants, properties: ['counter-sum'] }),
  ],
  [
    'percpu-counter 2 × 1 + 1 without the migration abort, G1 (violated on insertion)',
    () => buildSystem(counter.ir, resolvePolicy('linux-6.3', ['abortOnMigrate=false']), { constants: counter.constants, properties: ['G1'] }),
  ],
  ['an abort handler reading a register (a final condition violated at an end state)', () => buildSystem(compile(abortReadsRegister), resolvePolicy('linux-6.19', []), {})],
  // States reached again by a cheaper path are relinked (test/checker/fewest-events-parallel.test.ts).
  ['layered costs 3 × 4 (the cheapest of the shortest paths)', () => layered.createSystem({ width: 3, layers: 4 })],
];

/** The tie cost of a layered-costs path (initial state 0, then the node chosen in each next layer). */
function layeredCost(choices: readonly number[]): number {
  let cost = 0;
  for (let layer = 0; layer + 1 < choices.length; layer++) cost += layered.linkCost(layer, layer === 0 ? 0 : choices[layer]!, choices[layer + 1]!);
  return cost;
}

describe('expandLevel in one thread, level by level', () => {
  for (const [name, make] of cases) {
    for (const [batchSize, blockSize] of [
      [256, 1024],
      [3, 2],
    ] as const) {
      it(`${name}: batches of ${batchSize}, id blocks of ${blockSize}`, async () => {
        const sequential = await explore(make());
        const sys = make();
        const mine = await levelByLevel(sys, batchSize, blockSize);
        const levels = sequential.stats.statesPerLevel!;
        // The expander stops after the level in which it meets a violation, as the explorer does.
        expect(mine.statesPerLevel).toEqual(levels.slice(0, mine.statesPerLevel.length));
        if (sequential.verdict !== 'violation') {
          expect(mine.violation).toBeUndefined();
          expect(mine.transitions).toBe(sequential.stats.transitions);
          return;
        }
        expect(mine.violation?.code).toBe(sequential.code);
        const end = replay(sys, sequential.path.choices).at(-1)!.state;
        expect(mine.violation?.depth).toBe(sequential.path.choices.length - 1);
        expect([...mine.violation!.state]).toEqual([...end]);
        if (name.startsWith('layered')) expect(mine.violation?.events).toBe(layeredCost(sequential.path.choices));
      });
    }
  }
});

describe('expandLevel: pausing, a full store, progress', () => {
  /** The store with the initial states of the end-state model, and a request for level 0 in batches of 1 state. */
  function level0(capacity = 1 << 12): { sys: TransitionSystem; store: SharedStore; req: LevelRequest } {
    const sys = buildSystem(compile(abortReadsRegister), resolvePolicy('linux-6.19', []), {});
    const store = storeWithInitialStates(sys, capacity, 16);
    return { sys, store, req: levelRequest(store, [0, store.count], 1, 0, 4, capacity) };
  }

  it('expands every batch, calls `between` after each, and counts its progress', async () => {
    const { sys, store, req } = level0();
    const x = new LevelExpander(sys);
    const r = await expandLevel(x, req);
    expect([r.paused, r.full, r.expanded]).toEqual([false, false, store.count]);
    store.count += r.inserted;
    // Level 1 in batches of 1 state: ids past 0, and states inserted by earlier batches.
    expect(r.inserted).toBeGreaterThan(1);
    store.resetProgress(1, true);
    let calls = 0;
    const level1 = levelRequest(store, [...r.blocks], 1, 1, req.blockSize, req.idLimit);
    expect(new Int32Array(level1.batches).length / 2).toBe(r.inserted);
    const r1 = await expandLevel(x, level1, () => Promise.resolve(void calls++));
    expect([r1.paused, r1.full, r1.expanded]).toEqual([false, false, r.inserted]);
    expect(calls).toBe(r.inserted);
    expect(store.progress(1)).toEqual({ expanded: r.inserted, inserted: r1.inserted });
    expect(r1.inserted).toBeGreaterThan(0);
  });

  it('claims nothing once the stop flag is set, or once the ids handed out reach idLimit (paused)', async () => {
    const stopped = level0();
    Atomics.store(stopped.store.control, Ctl.stop, 1);
    const r = await expandLevel(new LevelExpander(stopped.sys), stopped.req);
    expect([r.paused, r.expanded, r.inserted]).toEqual([true, 0, 0]);
    const limited = level0();
    const p = await expandLevel(new LevelExpander(limited.sys), { ...limited.req, idLimit: limited.store.nextId });
    expect([p.paused, p.expanded]).toEqual([true, 0]);
    // Below the limit it expands a batch, whose id block takes the ids past it, then pauses:
    // the limit is looked at before each claim (here before finding that no batch is left).
    const some = level0();
    expect(some.store.count).toBe(1);
    const q = await expandLevel(new LevelExpander(some.sys), { ...some.req, idLimit: some.store.nextId + 1 });
    expect([q.paused, q.expanded]).toEqual([true, 1]);
  });

  it('a store without room for the next id block: full, and everyone is told to stop', async () => {
    const { sys, store, req } = level0(1 << 12);
    const r = await expandLevel(new LevelExpander(sys), { ...req, blockSize: store.capacity });
    expect([r.full, r.paused]).toEqual([true, false]);
    expect(Atomics.load(store.control, Ctl.stop)).toBe(1);
  });
});

/** A system given by successor lists, each successor with a label (its tie cost); `codes[n]` is what inspecting node n gives. */
function listSystem(succ: readonly (readonly (readonly [number, number])[])[], codes: Readonly<Record<number, number>> = {}, costs = true): TransitionSystem {
  return {
    stateWords: 1,
    initialStates: (out, emit) => {
      out[0] = 0;
      emit();
    },
    successors: (s, out, emit) => {
      for (const [t, label] of succ[s[0]!]!) {
        out[0] = t;
        emit(label);
      }
    },
    inspect: (s) => codes[s[0]!] ?? 0,
    terminal: () => 0,
    ...(costs ? { tieCost: (label: number) => label } : {}),
    codeName: (c) => String(c),
  };
}

describe('expandLevel: flags, relinking, failures, batches', () => {
  it('flags: the count and, as witness, the smallest flagged state of the level, whatever the order found (a system without tie costs)', async () => {
    // 0 -> 5, 3, 4 (flag -1), and 9 (flag -2): ids 1, 2, 3, 4 in that order; the -1 witness is 3 (id 2).
    const sys = listSystem([[[5, 0], [3, 0], [4, 0], [9, 0]], [], [], [], [], [], [], [], [], []], { 3: -1, 4: -1, 5: -1, 9: -2 }, false);
    const store = storeWithInitialStates(sys, 1 << 12, 16);
    const r = await expandLevel(new LevelExpander(sys), levelRequest(store, [0, store.count], 4, 0, 8, 1 << 12));
    expect([...r.flags]).toEqual([-1, 3, 2, 1, -2, 1, 4, 1]);
  });

  it('a state of the level being expanded, reached again by a cheaper path, keeps its link: only next-level states are relinked', async () => {
    // 0 -> 1 (cost 5), 2 (cost 0); 2 -> 1 (cost 0); 1 -> 3 (cost 0). Node 1 is in level 1 like 2:
    // its path stays 0 -> 1, so the path to 3 is 0 -> 1 -> 3 (choices 0, 0, 0), not through 2.
    const sys = listSystem([[[1, 5], [2, 0]], [[3, 0]], [[1, 0]], []]);
    const store = storeWithInitialStates(sys, 1 << 12, 16);
    const x = new LevelExpander(sys);
    // Id blocks of 1: ids are dense (1, 2 for level 1; 3 for node 3), so a relinking test off by
    // a few ids would reach node 1.
    const r0 = await expandLevel(x, levelRequest(store, [0, store.count], 4, 0, 1, 1 << 12));
    store.count += r0.inserted;
    const level1 = [...r0.blocks].flatMap((v, i, a) => (i % 2 === 0 && a[i + 1]! > 0 ? [v, a[i + 1]!] : []));
    expect(level1).toEqual([1, 1, 2, 1]);
    const r1 = await expandLevel(x, levelRequest(store, level1, 4, 1, 1, 1 << 12));
    expect(r1.inserted).toBe(1);
    const three = r1.blocks[0]!;
    expect(store.pathTo(three)).toEqual([0, 0, 0]);
    expect(store.eventsOf(three)).toBe(5);
  });

  it('an error in the system fails the level (it is not taken for a full store)', async () => {
    const sys = listSystem([[[1, 0]], []]);
    const failing: TransitionSystem = {
      ...sys,
      successors: () => {
        throw new Error('successors failed');
      },
    };
    const store = storeWithInitialStates(sys, 1 << 12, 16);
    await expect(expandLevel(new LevelExpander(failing), levelRequest(store, [0, store.count], 4, 0, 8, 1 << 12))).rejects.toThrow('successors failed');
  });

  it('an id block that ends exactly at the capacity fits', async () => {
    const sys = listSystem([[[1, 0]], []]);
    const store = storeWithInitialStates(sys, 1 << 12, 16);
    const r = await expandLevel(new LevelExpander(sys), levelRequest(store, [0, store.count], 4, 0, store.capacity - store.nextId, 1 << 12));
    expect([r.full, r.inserted]).toEqual([false, 1]);
  });

  it('cutBatches: nothing to cut gives no batch', () => {
    expect(cutBatches([], 4).length).toBe(0);
    expect([...cutBatches([0, 5, 10, 2], 2)]).toEqual([0, 2, 2, 2, 4, 1, 10, 2]);
  });
});
