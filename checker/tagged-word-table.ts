import { hashTagged, wordsEqual } from './state-store.js';

/**
 * An exact, growing map from keys of (a small integer tag, `width` words) to dense ids 0, 1, ...
 * in insertion order. A system interns the few thousand distinct parts of its states with it
 * (one thread's record, say) and keeps what it learns about each part in arrays indexed by the
 * id, where a lookup is one array read instead of a hash probe.
 *
 * Open addressing at most half full; a slot holds id + 1 in its low bits and the key's hash
 * above them, so a probe meeting another key rarely reads the keys (as in StateStore).
 */
export class TaggedWordTable {
  /** Per id: the tag, then the key's `width` words. */
  keys: Int32Array;
  private slots: Int32Array;
  private mask: number;
  /** Number of keys interned; the next new key gets this id. */
  size = 0;

  constructor(
    readonly width: number,
    initialLog2 = 10,
  ) {
    this.slots = new Int32Array(1 << initialLog2);
    this.mask = this.slots.length - 1;
    this.keys = new Int32Array((this.slots.length >>> 1) * (width + 1));
  }

  /** Id of (tag, src[at, at + width)), interning it if absent (compare `size` before and after to tell). */
  intern(tag: number, src: Int32Array, at: number): number {
    const w = this.width;
    const stride = w + 1;
    const h = hashTagged(tag, src, at, w);
    const mask = this.mask;
    const high = h & ~mask;
    const keys = this.keys;
    let slot = h & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      // Stryker disable next-line ConditionalExpression: equivalent, the hash test only skips a key comparison that fails anyway
      if ((entry & ~mask) === high) {
        const id = (entry & mask) - 1;
        if (keys[id * stride] === tag && wordsEqual(keys, id * stride + 1, src, at, w)) return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    keys[id * stride] = tag;
    // Stryker disable next-line EqualityOperator: equivalent, the word past the key is the next id's tag, written before that id is used
    for (let i = 0; i < w; i++) keys[id * stride + 1 + i] = src[at + i]!;
    this.slots[slot] = high | (id + 1);
    if (this.size * 2 >= this.slots.length) this.grow();
    return id;
  }

  /** Copies the words of key `id` into `dst[at, at + width)`. */
  copyOut(id: number, dst: Int32Array, at: number): void {
    const w = this.width;
    const from = id * (w + 1) + 1;
    const keys = this.keys;
    for (let i = 0; i < w; i++) dst[at + i] = keys[from + i]!;
  }

  /** Forgets every key (ids start again at 0). */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const w = this.width;
    const stride = w + 1;
    const keys = new Int32Array((slots.length >>> 1) * stride);
    keys.set(this.keys);
    for (let id = 0; id < this.size; id++) {
      const h = hashTagged(keys[id * stride]!, keys, id * stride + 1, w);
      let slot = h & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = (h & ~mask) | (id + 1);
    }
    this.slots = slots;
    this.mask = mask;
    this.keys = keys;
  }
}
