import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { SharedStore } from '../../checker/parallel/shared-store.js';
import type { TransitionSystem } from '../../checker/transition-system.js';

describe('SharedStore', () => {
  it('finds duplicates, keeps ids and links, and survives growth and sliced rehashing', () => {
    const store = SharedStore.create(2, 1 << 16, 4);
    const s = new Int32Array(2);
    for (let i = 0; i < 1000; i++) {
      s[0] = i;
      s[1] = i * 7;
      expect(store.insertIfAbsent(s, i - 1, i % 5)).toBe(i);
    }
    expect(store.count).toBe(1000);
    expect(store.tableSize).toBeGreaterThanOrEqual(2000);
    // Rehash into a bigger table in two slices, as two workers would.
    const into = new SharedArrayBuffer(store.grownSize(1000) * 4);
    store.rehashInto(into, 0, store.tableSize >> 1);
    store.rehashInto(into, store.tableSize >> 1, store.tableSize);
    store.adoptTable(into);
    for (let i = 0; i < 1000; i++) {
      s[0] = i;
      s[1] = i * 7;
      expect(store.insertAt(s, 5000, -1, 0)).toBe(-1 - i);
    }
    expect(store.pathTo(3)).toEqual([0, 1, 2, 3]);
    const out = new Int32Array(2);
    store.load(999, out);
    expect(Array.from(out)).toEqual([999, 6993]);
    expect(store.compare(1, 2)).toBeLessThan(0);
  });
});

describe('SharedStore progress words', () => {
  it('has a pair per worker, however many workers (more than fit a fixed control block)', () => {
    const store = SharedStore.create(1, 16, 4, 100);
    store.resetProgress(100, true);
    store.addProgress(0, 5, 2);
    store.addProgress(99, 7, 3);
    store.addProgress(99, 1, 1);
    expect(store.progress(100)).toEqual({ expanded: 13, inserted: 6 });
    // A new round keeps the level's expanded count and restarts the inserted one.
    store.resetProgress(100, false);
    expect(store.progress(100)).toEqual({ expanded: 13, inserted: 0 });
    store.resetProgress(100, true);
    expect(store.progress(100)).toEqual({ expanded: 0, inserted: 0 });
  });
});

describe('the canonical counterexample', () => {
  // From 0: successors 1 and 2. State 1 has no successors and is a deadlock (terminal code 2);
  // state 2's successor 3 is an invariant violation (code 1). Expanding level 1 meets the
  // violating successor (depth 2) before... or after the deadlock (depth 1): either way the
  // shallower one is reported.
  const sys = (order: 'violation-first' | 'deadlock-first'): TransitionSystem => ({
    stateWords: 1,
    initialStates(out, emit) {
      out[0] = 0;
      emit();
    },
    successors(s, out, emit) {
      const next = s[0] === 0 ? (order === 'violation-first' ? [2, 1] : [1, 2]) : s[0] === 2 ? [3] : [];
      for (const n of next) {
        out[0] = n;
        emit(n);
      }
    },
    inspect: (s) => (s[0] === 3 ? 1 : 0),
    terminal: (s) => (s[0] === 1 ? 2 : 0),
    codeName: (c) => (c === 1 ? 'bad' : 'deadlock'),
  });
  for (const order of ['violation-first', 'deadlock-first'] as const) {
    it(`is the least deep violation, whatever the expansion order (${order})`, async () => {
      const r = await explore(sys(order));
      expect(r.verdict).toBe('violation');
      if (r.verdict !== 'violation') return;
      expect(r.property).toBe('deadlock');
      expect(r.path.choices).toHaveLength(2);
      // The level is finished before the run stops: all four states are counted.
      expect(r.stats.states).toBe(4);
    });
  }
});
