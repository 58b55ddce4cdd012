import { hashTagged, wordsEqual } from './state-store.js';

/**
 * A cache of a pure function on a word range of a packed state: for a (tag, words) key it
 * remembers the words the function wrote back. A system uses it for work that reads and writes
 * one contiguous record only (e.g. putting one thread's record in canonical form), which
 * repeats across millions of states over a few thousand distinct records.
 *
 * Two-way set associative, each entry padded to a power of two of words so that a set is one
 * or two cache lines: the table must stay small enough to live in the CPU's caches next to the
 * visited set, and a direct-mapped table that small thrashes on colliding keys. A miss evicts
 * the set's older entry, so memory is fixed and lookups never chain.
 */
export class RangeMemo {
  /** Per entry: tag + 1 (0 = empty), `words` key words, `words` value words, padding. */
  private readonly table: Int32Array;
  private readonly setMask: number;
  private readonly stride: number;
  private readonly key: Int32Array;
  /** Slot and tag of the last miss (what `remember` fills). */
  // Stryker disable next-line UnaryOperator: equivalent, `remember` only follows a `recall` that missed, which sets it
  private pendingAt = -1;
  private pendingTag = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly words: number,
    log2Sets = 13,
  ) {
    let stride = 1;
    // Stryker disable next-line EqualityOperator: equivalent, 1 + 2 * words is odd, so a power of two equals it only for words = 0, where the larger stride is padding only
    while (stride < 1 + 2 * words) stride *= 2;
    this.stride = stride;
    this.table = new Int32Array((2 << log2Sets) * stride);
    this.setMask = (1 << log2Sets) - 1;
    this.key = new Int32Array(words);
  }

  /**
   * Replaces `s[start, start + words)` by what the function wrote for this key and `tag`, and
   * returns true; or returns false, and the caller runs the function (which must read and write
   * only that range) and then calls `remember` with the same `s` and `start`.
   */
  recall(s: Int32Array, start: number, tag: number): boolean {
    const w = this.words;
    const t = this.table;
    const set = (hashTagged(tag, s, start, w) & this.setMask) * 2 * this.stride;
    // Stryker disable next-line EqualityOperator: equivalent, a third way is the next set's first, whose entries have keys of that set: never this (tag, key)
    for (let way = 0; way < 2; way++) {
      const at = set + way * this.stride;
      if (t[at] !== tag + 1 || !wordsEqual(t, at + 1, s, start, w)) continue;
      this.hits++;
      for (let i = 0; i < w; i++) s[start + i] = t[at + 1 + w + i]!;
      return true;
    }
    this.misses++;
    const key = this.key;
    // Stryker disable next-line EqualityOperator: equivalent, key[w] is past the end of `key`, so the write is dropped
    for (let i = 0; i < w; i++) key[i] = s[start + i]!;
    // The newer entry of a set is its first way: the older one goes.
    const stride = this.stride;
    for (let i = 0; i < stride; i++) t[set + stride + i] = t[set + i]!;
    this.pendingAt = set;
    this.pendingTag = tag;
    return false;
  }

  /** Remembers the function's result for the key of the last `recall` that missed. */
  remember(s: Int32Array, start: number): void {
    const w = this.words;
    const t = this.table;
    const at = this.pendingAt;
    t[at] = this.pendingTag + 1;
    for (let i = 0; i < w; i++) {
      t[at + 1 + i] = this.key[i]!;
      t[at + 1 + w + i] = s[start + i]!;
    }
  }
}
