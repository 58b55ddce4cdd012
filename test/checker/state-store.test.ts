import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../checker/state-store.js';

describe('StateStore.insertIfAbsent', () => {
  it('agrees with a Set of strings on random insert sequences (model-based)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 5, maxLength: 5 }), { maxLength: 3000 }), (words, states) => {
        const store = new StateStore(words, 2);
        const seen = new Map<string, number>();
        for (const st of states) {
          const s = Int32Array.from(st.slice(0, words));
          const key = Array.from(s).join(',');
          const id = store.insertIfAbsent(s, -1, 0);
          if (seen.has(key)) expect(id).toBe(-1 - seen.get(key)!);
          else {
            expect(id).toBe(seen.size);
            seen.set(key, id);
          }
        }
        expect(store.size).toBe(seen.size);
        const out = new Int32Array(words);
        for (const [key, id] of seen) {
          store.load(id, out);
          expect(Array.from(out).join(',')).toBe(key);
        }
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('rebuilds paths from parent links', () => {
    const store = new StateStore(1);
    store.insertIfAbsent(Int32Array.of(10), -1, 0);
    store.insertIfAbsent(Int32Array.of(11), 0, 3);
    store.insertIfAbsent(Int32Array.of(12), 1, 1);
    expect(store.pathTo(2)).toEqual([0, 3, 1]);
  });
});
