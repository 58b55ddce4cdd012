/** The two-way set-associative cache of a function on a word range (checker/range-memo.ts), worked by hand. */
import { describe, expect, it } from 'vitest';
import { RangeMemo } from '../../checker/range-memo.js';
import { hashTagged } from '../../checker/state-store.js';

/** The function the memo caches in these tests: each word of the range plus 100. */
const plus100 = (s: Int32Array, start: number, words: number): void => {
  for (let i = start; i < start + words; i++) s[i] = s[i]! + 100;
};

/** The caller's protocol: recall, else run the function and remember. Returns whether it was a hit and the whole array after. */
function lookup(memo: RangeMemo, words: readonly number[], tag: number, start = 0): { hit: boolean; s: number[] } {
  const s = Int32Array.from(words);
  const hit = memo.recall(s, start, tag);
  if (!hit) {
    plus100(s, start, memo.words);
    memo.remember(s, start);
  }
  return { hit, s: [...s] };
}

/** A two-word key [k, 0] of `tag` whose set is `set` among the 2^log2Sets sets (the memo indexes sets by the key's tagged hash). */
function keyInSet(set: number, log2Sets: number, tag: number, skip = 0): number[] {
  let found = 0;
  for (let k = 1; ; k++) {
    if ((hashTagged(tag, Int32Array.of(k, 0), 0, 2) & ((1 << log2Sets) - 1)) === set && found++ === skip) return [k, 0];
  }
}

describe('RangeMemo: a hit writes back exactly the remembered words', () => {
  it('a miss lets the caller run the function; the same key and tag again is a hit giving its result, and only the range changes', () => {
    const memo = new RangeMemo(2);
    expect(lookup(memo, [7, 1, 2, 7], 5, 1)).toEqual({ hit: false, s: [7, 101, 102, 7] });
    // A hit: the range becomes the remembered words, read from the table, not computed.
    const s = Int32Array.of(-3, 1, 2, -4);
    expect(memo.recall(s, 1, 5)).toBe(true);
    expect([...s]).toEqual([-3, 101, 102, -4]);
    expect([memo.hits, memo.misses]).toEqual([1, 1]);
  });

  it('the key is the whole range: a range differing in its last word is a miss', () => {
    const memo = new RangeMemo(2, 0);
    lookup(memo, [1, 2], 0);
    expect(lookup(memo, [1, 3], 0).hit).toBe(false);
    expect(lookup(memo, [1, 2], 0).hit).toBe(true);
  });
});

describe('RangeMemo: the tag is part of the key', () => {
  it('the same words under another tag are a miss (one set, so both keys meet in it)', () => {
    const memo = new RangeMemo(2, 0);
    lookup(memo, [4, 4], 0);
    expect(lookup(memo, [4, 4], 1)).toEqual({ hit: false, s: [104, 104] });
    expect(lookup(memo, [4, 4], 0).hit).toBe(true);
    expect(lookup(memo, [4, 4], 1).hit).toBe(true);
  });

  it('an empty entry matches no key, not even all-zero words under tag 0 or 1', () => {
    const memo = new RangeMemo(2, 0);
    expect(lookup(memo, [0, 0], 0).hit).toBe(false);
    expect(lookup(memo, [0, 0], 1).hit).toBe(false);
    expect([memo.hits, memo.misses]).toEqual([0, 2]);
  });
});

describe('RangeMemo: two ways per set, a miss evicts the older entry', () => {
  it('holds two keys of one set; a third evicts the first remembered, whatever was hit since', () => {
    const memo = new RangeMemo(2, 0);
    lookup(memo, [1, 0], 3);
    lookup(memo, [2, 0], 3);
    expect(lookup(memo, [1, 0], 3).hit).toBe(true);
    expect(lookup(memo, [2, 0], 3).hit).toBe(true);
    lookup(memo, [5, 0], 3);
    expect(lookup(memo, [2, 0], 3)).toEqual({ hit: true, s: [102, 100] });
    expect(lookup(memo, [5, 0], 3)).toEqual({ hit: true, s: [105, 100] });
    expect(lookup(memo, [1, 0], 3).hit).toBe(false);
  });

  it('a miss in one set leaves the entries of the next set alone', () => {
    const memo = new RangeMemo(2, 1);
    // Under tag 5 in set 1; then two misses under tag 0 in set 0.
    const inSet1 = keyInSet(1, 1, 5);
    lookup(memo, inSet1, 5);
    lookup(memo, keyInSet(0, 1, 0), 0);
    lookup(memo, keyInSet(0, 1, 0, 1), 0);
    expect(lookup(memo, inSet1, 5).hit).toBe(true);
  });

  it('keys of different sets do not evict each other', () => {
    const memo = new RangeMemo(2, 1);
    const [a, b, c] = [keyInSet(0, 1, 0), keyInSet(0, 1, 0, 1), keyInSet(1, 1, 0)];
    lookup(memo, a, 0);
    lookup(memo, b, 0);
    lookup(memo, c, 0);
    expect([a, b, c].map((k) => lookup(memo, k, 0).hit)).toEqual([true, true, true]);
  });
});
