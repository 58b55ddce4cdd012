/**
 * The shared visited store of parallel runs (checker/parallel/shared-store.ts), driven from the
 * test thread (issue #15: its mutants had no tests outside worker threads). Expected values are
 * worked by hand from the layout in shared-store.ts: a table slot holds (hash & ~mask) | (id + 1),
 * probing goes forward from slot hash & mask.
 *
 * Where a race needs a second worker, the test plays it in this thread: Atomics.load or
 * Atomics.compareExchange is wrapped so that the other worker's step (through a second handle on
 * the same buffers) happens between the store's load and its CAS, as it can in a real run.
 */
import { describe, expect, it } from 'vitest';
import { CapacityExhausted, Ctl, reserveCapacity, SharedStore } from '../../checker/parallel/shared-store.js';
import { hashWords } from '../../checker/state-store.js';

const row = (...w: number[]): Int32Array => Int32Array.from(w);
const loaded = (store: SharedStore, id: number): number[] => {
  const out = new Int32Array(store.words);
  store.load(id, out);
  return [...out];
};
const LOCKED = 0x8000;

type Ints = Int32Array | Uint16Array;
type Load = (a: Ints, i: number) => number;
type Cas = (a: Ints, i: number, expected: number, replacement: number) => number;

/** Runs `body` with Atomics.load replaced by `load` (which gets the real one), then restores it. */
function withLoad<T>(load: (real: Load, a: Ints, i: number) => number, body: () => T): T {
  const real = Atomics.load as Load;
  Atomics.load = ((a: Ints, i: number) => load(real, a, i)) as unknown as typeof Atomics.load;
  try {
    return body();
  } finally {
    Atomics.load = real as unknown as typeof Atomics.load;
  }
}

/** Runs `body` with `other` (another worker's step) run once just before the first CAS on `target`. */
function withRaceBeforeCas<T>(target: Ints, other: () => void, body: () => T): T {
  const real = Atomics.compareExchange as Cas;
  let fired = false;
  Atomics.compareExchange = ((a: Ints, i: number, expected: number, replacement: number) => {
    if (!fired && a === target) {
      fired = true;
      other();
    }
    return real(a, i, expected, replacement);
  }) as unknown as typeof Atomics.compareExchange;
  try {
    return body();
  } finally {
    Atomics.compareExchange = real as unknown as typeof Atomics.compareExchange;
  }
}

/** The ids in `table` (entries minus their tags), sorted, with any repeats kept. */
function idsIn(table: Int32Array): number[] {
  const mask = table.length - 1;
  return [...table].filter((e) => e !== 0).map((e) => (e & mask) - 1).sort((a, b) => a - b);
}

describe('SharedStore.create', () => {
  it('sizes each buffer: rows of words x 4 bytes, 4-byte parents, 2-byte choices and costs, the table, and a progress pair per worker', () => {
    const s = SharedStore.create(3, 10, 5, 4).shared;
    expect([s.words, s.capacity]).toEqual([3, 10]);
    expect([s.arena.byteLength, s.parents.byteLength, s.choices.byteLength, s.events.byteLength]).toEqual([120, 40, 20, 20]);
    // 32 slots of 4 bytes; control words 0-7, then 2 per worker.
    expect(s.table.byteLength).toBe(128);
    expect(s.control.byteLength).toBe((8 + 2 * 4) * 4);
    // Defaults: 2^16 slots and one worker; zero workers still get one pair.
    const d = SharedStore.create(1, 10).shared;
    expect(d.table.byteLength).toBe(65536 * 4);
    expect(d.control.byteLength).toBe(40);
    expect(SharedStore.create(1, 10, 4, 0).shared.control.byteLength).toBe(40);
  });

  it('progress words: worker i at control words 8 + 2i (expanded) and 9 + 2i (inserted); sums only over the workers asked', () => {
    const store = SharedStore.create(1, 16, 4, 2);
    store.addProgress(0, 3, 1);
    store.addProgress(1, 5, 2);
    expect([...store.control.subarray(Ctl.slots)]).toEqual([3, 1, 5, 2]);
    expect(store.progress(1)).toEqual({ expanded: 3, inserted: 1 });
    expect(store.progress(2)).toEqual({ expanded: 8, inserted: 3 });
    store.resetProgress(1, true);
    expect([...store.control.subarray(Ctl.slots)]).toEqual([0, 0, 5, 2]);
  });
});

describe('SharedStore.insertAt', () => {
  // Hashes given by the caller (insertAt trusts h), chosen to place entries by hand in 16 slots.
  function placed(): SharedStore {
    const store = SharedStore.create(2, 32, 4);
    expect(store.insertAt(row(10, 11), 0, -1, 0, 0x30)).toBe(0);
    expect(store.insertAt(row(20, 22), 1, 0, 1, 0x51, 0, 6)).toBe(1);
    // Home slot 0 holds tag 0x30, slot 1 tag 0x50: a different state, to slot 2.
    expect(store.insertAt(row(40, 44), 2, 0, 2, 0x70)).toBe(2);
    return store;
  }

  it('writes the row and links at the id and publishes (hash & ~mask) | (id + 1) at the first free slot from hash & mask', () => {
    const store = placed();
    expect([...store.table.subarray(0, 4)]).toEqual([0x31, 0x52, 0x73, 0]);
    expect(loaded(store, 1)).toEqual([20, 22]);
    expect([store.parentOf(1), store.choiceOf(1), store.eventsOf(1)]).toEqual([0, 1, 6]);
    expect([store.parentOf(2), store.choiceOf(2), store.eventsOf(2)]).toEqual([0, 2, 0]);
    // Probing wraps: home 15, then 0, 1, 2 are taken (tags 0x30, 0x50, 0x70, none 0x80), so slot 3.
    expect(store.insertAt(row(50, 55), 3, 0, 0, 0x7f)).toBe(3);
    expect(store.insertAt(row(60, 66), 4, 0, 0, 0x8f)).toBe(4);
    expect([store.table[15], store.table[3]]).toEqual([0x74, 0x85]);
  });

  it('finds an equal state (-1 - its id) and then writes nothing at the candidate id', () => {
    const store = placed();
    expect(store.insertAt(row(40, 44), 9, 7, 7, 0x70, 0, 7)).toBe(-3);
    expect(loaded(store, 9)).toEqual([0, 0]);
    expect([store.parentOf(9), store.choiceOf(9), store.eventsOf(9)]).toEqual([0, 0, 0]);
  });

  it('passes an entry with the same tag but other words: a hash collision is a different state', () => {
    const store = placed();
    // Same hash as (40, 44) at slot 2; slot 3 is free.
    expect(store.insertAt(row(40, 45), 5, 0, 0, 0x70)).toBe(5);
    expect(store.table[3]).toBe(0x76);
    expect(store.insertAt(row(40, 45), 6, 0, 0, 0x70)).toBe(-6);
  });

  it('a real 32-bit collision, (29767, 29767) and (46351, 46351): both stored, each found, also after growth', () => {
    const x = row(29767, 29767);
    const y = row(46351, 46351);
    const h = hashWords(x, 0, 2);
    expect(hashWords(y, 0, 2)).toBe(h);
    // h = 0xe8fddf5e: home 14 in 16 slots, tag h & ~15.
    expect(h & 15).toBe(14);
    const store = SharedStore.create(2, 32, 4);
    expect(store.insertIfAbsent(x, -1, 0)).toBe(0);
    expect(store.insertIfAbsent(y, -1, 1)).toBe(1);
    expect([store.table[14], store.table[15]]).toEqual([(h & ~15) | 1, (h & ~15) | 2]);
    store.grow();
    expect(store.tableSize).toBe(32);
    expect([store.insertAt(x, 5, 0, 0), store.insertAt(y, 5, 0, 0)]).toEqual([-1, -2]);
  });

  it('reads the state at s[from, from + words) and writes no word past its row', () => {
    const store = SharedStore.create(2, 32, 4);
    expect(store.insertAt(row(1, 2), 1, -1, 0)).toBe(1);
    // One word too many would put the 9 into row 1.
    const s = row(7, 8, 9);
    expect(store.insertAt(s, 0, -1, 0)).toBe(0);
    expect([loaded(store, 0), loaded(store, 1)]).toEqual([
      [7, 8],
      [1, 2],
    ]);
    const t = row(0, 5, 6, 3);
    expect(store.insertAt(t, 2, 0, 0, hashWords(t, 1, 2), 1)).toBe(2);
    expect([loaded(store, 2), loaded(store, 3)]).toEqual([
      [5, 6],
      [0, 0],
    ]);
    expect(store.insertAt(row(5, 6), 4, 0, 0)).toBe(-3);
  });

  it('refuses an id that does not fit the table: in 16 slots the ids stop at 14 (id + 1 must stay below the tag bits)', () => {
    const store = SharedStore.create(1, 32, 4);
    expect(() => store.insertAt(row(1), 15, -1, 0)).toThrow(new Error('internal: id 15 does not fit a table of 16 slots'));
    expect(store.insertAt(row(1), 14, -1, 0)).toBe(14);
  });

  it('loses the race for a slot to an equal state: returns the winner, which stays the only entry', () => {
    const store = SharedStore.create(2, 32, 4);
    const other = new SharedStore(store.shared);
    expect(store.insertAt(row(1, 2), 1, -1, 0)).toBe(1);
    const x = row(5, 6);
    // Our load finds the slot empty; the other worker publishes x (its id 0) before our CAS.
    const r = withRaceBeforeCas(
      store.table,
      () => expect(other.insertAt(x, 0, 3, 4)).toBe(0),
      () => store.insertAt(x, 5, 8, 9),
    );
    expect(r).toBe(-1);
    expect(idsIn(store.table)).toEqual([0, 1]);
    expect([store.parentOf(0), store.choiceOf(0)]).toEqual([3, 4]);
    // Our candidate row was written before the CAS: a copy of x at the reusable id 5. It compares
    // equal to the winner word for word (the words past the rows, rows 1 and 6, differ).
    expect(loaded(store, 5)).toEqual([5, 6]);
    expect(store.compare(0, 5)).toBe(0);
  });

  it('loses the race for a slot to another state: inserts at the next free slot', () => {
    const store = SharedStore.create(2, 32, 4);
    const other = new SharedStore(store.shared);
    const x = row(5, 6);
    const h = hashWords(x, 0, 2);
    const y = row(7, 7);
    const r = withRaceBeforeCas(
      store.table,
      // The other worker's state, given x's hash: it takes x's home slot.
      () => expect(other.insertAt(y, 0, -1, 0, h)).toBe(0),
      () => store.insertAt(x, 5, 8, 9, h),
    );
    expect(r).toBe(5);
    expect([store.table[h & 15], store.table[(h + 1) & 15]]).toEqual([(h & ~15) | 1, (h & ~15) | 6]);
    expect([loaded(store, 5), [store.parentOf(5), store.choiceOf(5)]]).toEqual([
      [5, 6],
      [8, 9],
    ]);
  });
});

describe('SharedStore.touch', () => {
  it('XORs the home-slot entries of hs[0, n), then the first and last words of the rows whose tag matches', () => {
    const store = SharedStore.create(2, 32, 4);
    // As in the insertAt tests: slot 0 = 0x31 (id 0, 10 11), 1 = 0x52 (id 1, 20 22), 2 = 0x73 (id 2, 40 44).
    store.insertAt(row(10, 11), 0, -1, 0, 0x30);
    store.insertAt(row(20, 22), 1, -1, 0, 0x51);
    store.insertAt(row(40, 44), 2, -1, 0, 0x70);
    // n = 5: hs[5] (slot 2, tag 0x70 matches id 2) is past the end and not read.
    const hs = row(0x30, 0x51, 0x62, 0x70, 0x05, 0x72);
    // Entries: slots 0, 1, 2, 0, 5 -> 0x31 ^ 0x52 ^ 0x73 ^ 0x31 ^ 0 = 0x21.
    // Rows: 0x30 matches id 0 (10 ^ 11 = 1), 0x51 id 1 (20 ^ 22 = 2); 0x62 and 0x70 meet other tags
    // in their home slots, 0x05 an empty one.
    expect(store.touch(hs, 5)).toBe(0x21 ^ 1 ^ 2);
    expect(store.touch(hs, 0)).toBe(0);
  });
});

describe('SharedStore.insertIfAbsent and insertHashed', () => {
  it('hands out ids in order, counts only new states, and stops at the capacity', () => {
    const store = SharedStore.create(1, 4, 4);
    for (let i = 0; i < 3; i++) expect(store.insertIfAbsent(row(100 + i), i - 1, i)).toBe(i);
    expect(store.insertIfAbsent(row(102), 0, 0)).toBe(-3);
    expect([store.count, store.nextId]).toEqual([3, 3]);
    // The 4th fills the capacity; the 5th new state does not fit.
    expect(store.insertIfAbsent(row(103), 2, 3)).toBe(3);
    expect(() => store.insertIfAbsent(row(999), 0, 0)).toThrow(CapacityExhausted);
    expect([store.count, store.nextId]).toEqual([4, 4]);
    // The duplicate left the links alone.
    expect([store.parentOf(2), store.choiceOf(2)]).toEqual([1, 2]);
  });

  it('stores s[at, at + words) with its cost', () => {
    const store = SharedStore.create(2, 8, 4);
    const s = row(9, 1, 2);
    expect(store.insertHashed(s, hashWords(s, 1, 2), 4, 3, 1, 7)).toBe(0);
    expect([loaded(store, 0), store.parentOf(0), store.choiceOf(0), store.eventsOf(0)]).toEqual([[1, 2], 4, 3, 7]);
    expect(store.insertIfAbsent(row(1, 2), 0, 0)).toBe(-1);
  });

  it('grows the table once more than half of it is used: 16 slots hold 8 states, the 9th doubles it', () => {
    const store = SharedStore.create(1, 64, 4);
    for (let i = 0; i < 8; i++) store.insertIfAbsent(row(i * 3), -1, 0);
    expect(store.tableSize).toBe(16);
    store.insertIfAbsent(row(24), -1, 0);
    expect(store.tableSize).toBe(32);
    for (let i = 0; i < 9; i++) expect(store.insertIfAbsent(row(i * 3), -1, 0)).toBe(-1 - i);
  });
});

describe('SharedStore growth', () => {
  it('grownSize: at least double, then doubled while expected > size x load', () => {
    const store = SharedStore.create(1, 64, 4);
    expect(store.grownSize(0)).toBe(32);
    // 16 states fill 32 slots exactly to half: enough.
    expect(store.grownSize(16)).toBe(32);
    expect(store.grownSize(17)).toBe(64);
    expect(store.grownSize(100)).toBe(256);
    expect(store.grownSize(10, 0.25)).toBe(64);
  });

  it('grow takes the count, or the expected states and load given; an empty store grows too', () => {
    const empty = SharedStore.create(1, 64, 4);
    empty.grow();
    expect(empty.tableSize).toBe(32);
    expect(idsIn(empty.table)).toEqual([]);
    const store = SharedStore.create(1, 64, 4);
    for (let i = 0; i < 5; i++) store.insertIfAbsent(row(i), -1, 0);
    store.grow(100);
    expect(store.tableSize).toBe(256);
    store.grow(100, 0.25);
    expect(store.tableSize).toBe(512);
    expect(idsIn(store.table)).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < 5; i++) expect(store.insertIfAbsent(row(i), -1, 0)).toBe(-1 - i);
  });

  it('rehashInto in two slices, split anywhere and in either order: every id once, each under its own hash tag', () => {
    const store = SharedStore.create(2, 64, 4);
    for (let i = 0; i < 8; i++) store.insertIfAbsent(row(i, i * i), -1, 0);
    expect(store.tableSize).toBe(16);
    for (let split = 0; split <= 16; split++) {
      for (const firstHalfFirst of [true, false]) {
        const into = new SharedArrayBuffer(32 * 4);
        const halves: [number, number][] = [
          [0, split],
          [split, 16],
        ];
        if (!firstHalfFirst) halves.reverse();
        for (const [from, to] of halves) store.rehashInto(into, from, to);
        const table = new Int32Array(into);
        expect(idsIn(table)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        for (const e of table) if (e !== 0) expect(e & ~31).toBe(hashWords(store.arena, ((e & 31) - 1) * 2, 2) & ~31);
      }
    }
  });

  it('adoptTable switches the table and the handles posted to workers, keeping the other buffers', () => {
    const store = SharedStore.create(2, 64, 4);
    store.insertIfAbsent(row(3, 4), -1, 0);
    const before = store.shared;
    const into = new SharedArrayBuffer(store.grownSize(1) * 4);
    store.rehashInto(into, 0, store.tableSize);
    store.adoptTable(into);
    expect(store.tableSize).toBe(32);
    const after = store.shared;
    expect(after.table).toBe(into);
    expect([after.words, after.capacity]).toEqual([2, 64]);
    const same = (['arena', 'parents', 'choices', 'events', 'control'] as const).map((k) => after[k] === before[k]);
    expect(same).toEqual([true, true, true, true, true]);
    // A worker's handle made from them finds the state, and the store inserts with the new mask.
    expect(new SharedStore(after).insertAt(row(3, 4), 9, 0, 0)).toBe(-1);
    expect(store.insertIfAbsent(row(5, 6), 0, 0)).toBe(1);
    expect(idsIn(store.table)).toEqual([0, 1]);
  });
});

describe('SharedStore reads', () => {
  it('load writes exactly the row; compare gives the first differing word difference; parentOf, choiceOf, eventsOf, pathTo', () => {
    const store = SharedStore.create(2, 16, 4);
    store.insertIfAbsent(row(1, 100), -1, 0);
    store.insertIfAbsent(row(5, 1), 0, 3);
    store.insertIfAbsent(row(5, 2), 1, 2);
    const out = row(-5, -5, -5);
    store.load(1, out);
    expect([...out]).toEqual([5, 1, -5]);
    // Rows 1 and 2 differ only in their second word: 1 - 2.
    expect(store.compare(1, 2)).toBe(-1);
    expect(store.compare(2, 1)).toBe(1);
    expect(store.compare(0, 1)).toBe(-4);
    expect([store.parentOf(2), store.choiceOf(2), store.parentOf(0)]).toEqual([1, 2, -1]);
    expect(store.pathTo(2)).toEqual([0, 3, 2]);
  });
});

describe('SharedStore.offerParent', () => {
  function linked(): SharedStore {
    const store = SharedStore.create(1, 16, 4);
    store.insertIfAbsent(row(0), -1, 0);
    store.insertHashed(row(1), hashWords(row(1), 0, 1), 0, 0, 0, 5);
    store.insertAt(row(2), 2, 9, 2, hashWords(row(2), 0, 1), 0, 5);
    return store;
  }
  const link = (store: SharedStore, id: number): number[] => [store.parentOf(id), store.choiceOf(id), store.eventsOf(id)];

  it('relinks only for a strictly smaller cost, and leaves the cost word unlocked', () => {
    const store = linked();
    store.offerParent(2, 7, 1, 6);
    store.offerParent(2, 7, 1, 5);
    expect(link(store, 2)).toEqual([9, 2, 5]);
    store.offerParent(2, 7, 1, 4);
    expect(link(store, 2)).toEqual([7, 1, 4]);
    expect(store.events[2]).toBe(4);
  });

  it('waits while another worker holds the link locked, then compares with the cost it leaves', () => {
    const store = linked();
    // Another worker is relinking state 2 at cost 3: it has written its link, not yet unlocked.
    Atomics.store(store.events, 2, 3 | LOCKED);
    let loads = 0;
    withLoad(
      (real, a, i) => {
        if (a === store.events && i === 2 && ++loads === 3) Atomics.store(store.events, 2, 3);
        return real(a, i);
      },
      () => store.offerParent(2, 7, 1, 4),
    );
    // Two loads saw the lock; the third saw cost 3, which 4 does not beat.
    expect(loads).toBe(3);
    expect(link(store, 2)).toEqual([9, 2, 3]);
  });

  it('loses the CAS to a cheaper offer made meanwhile: reads again and keeps that one', () => {
    const store = linked();
    const other = new SharedStore(store.shared);
    withRaceBeforeCas(
      store.events,
      () => other.offerParent(2, 8, 0, 2),
      () => store.offerParent(2, 7, 1, 4),
    );
    expect(link(store, 2)).toEqual([8, 0, 2]);
  });
});

describe('SharedStore sizes', () => {
  it('bytes: rows (4 bytes a word) and links (8 bytes) of the ids handed out, plus the table', () => {
    const store = SharedStore.create(3, 100, 5);
    store.insertIfAbsent(row(1, 2, 3), -1, 0);
    store.insertIfAbsent(row(4, 5, 6), 0, 0);
    expect(store.bytes()).toBe(2 * (12 + 8) + 32 * 4);
  });

  it('growthBytes: rows and links of the inserts, plus the next table once 45 % of this one would be used', () => {
    const store = SharedStore.create(2, 100, 4);
    for (let i = 0; i < 3; i++) store.insertIfAbsent(row(i, 0), -1, 0);
    // 45 % of 16 slots is 7.2: 3 + 2 ids stay under it.
    expect(store.growthBytes(2)).toBe(2 * 16);
    // 3 + 5 = 8 ids pass it: the next table, 32 slots (8 <= 14.4), 128 bytes.
    expect(store.growthBytes(5)).toBe(5 * 16 + 128);
    // 23 ids: 32 slots hold 14.4, 64 hold 28.8: 256 bytes.
    expect(store.growthBytes(20)).toBe(20 * 16 + 256);
  });

  it('bytesPerState: 0 when empty, else the row and links plus the table shared out', () => {
    const store = SharedStore.create(2, 100, 4);
    expect(store.bytesPerState()).toBe(0);
    for (let i = 0; i < 4; i++) store.insertIfAbsent(row(i, 1), -1, 0);
    expect(store.bytesPerState()).toBe(16 + 64 / 4);
  });
});

describe('reserveCapacity', () => {
  // A state costs words x 4 + 16 bytes: 24 for 2 words, 48 for 8.
  it('what fits in memory, rounded down, at least 2^16', () => {
    expect(reserveCapacity(2, 24 * 100_000)).toBe(100_000);
    expect(reserveCapacity(2, 24 * 100_000 + 23)).toBe(100_000);
    expect(reserveCapacity(2, 24 * 10)).toBe(65536);
  });

  it('at most 2^30 states and (2^32 - 1) / words words-worth', () => {
    expect(reserveCapacity(2, 24 * 2 ** 31)).toBe(2 ** 30);
    // floor(4 294 967 295 / 8) = 536 870 911, under 2^30 and under the 600 million that fit.
    expect(reserveCapacity(8, 48 * 600_000_000)).toBe(536_870_911);
  });

  it('with maxStates: at most maxStates + 2^20', () => {
    expect(reserveCapacity(2, 24 * 10_000_000, 1000)).toBe(1000 + 1048576);
    expect(reserveCapacity(2, 24 * 100_000, 10_000_000)).toBe(100_000);
  });
});
