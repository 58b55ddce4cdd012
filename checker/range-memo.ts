import { hashWords } from './state-store.js';

/**
 * A direct-mapped cache of a pure function on a word range of a packed state: for a (tag,
 * words) key it remembers the words the function wrote back. A system uses it for work that
 * reads and writes one contiguous record only (e.g. putting one thread's record in canonical
 * form), which repeats across millions of states over a few thousand distinct records. A
 * colliding key simply replaces the entry, so the memory is fixed and lookups never chain.
 */
export class RangeMemo {
  /** Per entry: tag + 1 (0 = empty), then `words` key words, then `words` value words. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly stride: number;
  private readonly key: Int32Array;
  hits = 0;
  misses = 0;

  constructor(
    readonly words: number,
    log2Entries = 14,
  ) {
    this.stride = 1 + 2 * words;
    this.table = new Int32Array((1 << log2Entries) * this.stride);
    this.mask = (1 << log2Entries) - 1;
    this.key = new Int32Array(words);
  }

  /** Slot and tag of the last miss (what `remember` fills). */
  private pendingAt = -1;
  private pendingTag = 0;

  /**
   * Replaces `s[start, start + words)` by what the function wrote for this key and `tag`, and
   * returns true; or returns false, and the caller runs the function (which must read and write
   * only that range) and then calls `remember` with the same `s` and `start`.
   */
  recall(s: Int32Array, start: number, tag: number): boolean {
    const w = this.words;
    const t = this.table;
    const at = ((hashWords(s, start, w) ^ Math.imul(tag + 1, 0x9e3779b1)) & this.mask) * this.stride;
    if (t[at] === tag + 1) {
      let same = true;
      for (let i = 0; i < w; i++) {
        if (t[at + 1 + i] !== s[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.hits++;
        for (let i = 0; i < w; i++) s[start + i] = t[at + 1 + w + i]!;
        return true;
      }
    }
    this.misses++;
    const key = this.key;
    for (let i = 0; i < w; i++) key[i] = s[start + i]!;
    this.pendingAt = at;
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
