/**
 * The visited set: packed states appended to a chunked Int32Array arena (arena order is BFS
 * order and a state's id is its index), an open-addressing hash table of ids, and per-state
 * parent links (parent id and successor index, and the tie cost of the path they make) from
 * which shortest traces are rebuilt.
 *
 * A table entry is id + 1 in its low log2(table size) bits (at most half the slots are used, so
 * that is enough) and the state's hash above them: a probe that meets another state's entry
 * usually tells from the hash bits alone, without a read of the arena far away in memory.
 */
const CHUNK_STATES_LOG2 = 16;
const CHUNK_STATES = 1 << CHUNK_STATES_LOG2;

/** Hashes `words` words of `s` starting at `offset` (murmur3-style mixing). */
export function hashWords(s: Int32Array, offset: number, words: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words; i++) {
    let k = Math.imul(s[offset + i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    // Stryker disable next-line ArithmeticOperator: equivalent, any mixing constant gives a valid hash (only the spread changes)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= words;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Hash of the key (`tag`, `s[offset, offset + words)`): `hashWords` mixed with a small integer tag. */
export function hashTagged(tag: number, s: Int32Array, offset: number, words: number): number {
  return hashWords(s, offset, words) ^ Math.imul(tag + 1, 0x9e3779b1);
}

/** Whether `a[aAt, aAt + n)` and `b[bAt, bAt + n)` are equal word for word. */
export function wordsEqual(a: Int32Array, aAt: number, b: Int32Array, bAt: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/** Whether two states of equal width are equal word for word. */
// Stryker disable next-line BlockStatement: equivalent, its one use (SuccessorBuffer's self-loop test) only skips a lookup that finds the state itself
export function equalWords(a: Int32Array, b: Int32Array): boolean {
  return wordsEqual(a, 0, b, 0, a.length);
}

export class StateStore {
  private chunks: Int32Array[] = [];
  private table: Int32Array;
  private tableMask: number;
  private parentIds: Int32Array;
  private choices: Uint16Array;
  /** Per state, the least tie cost (kernel events) over the shortest paths found to it (see Exploration). */
  private events: Uint16Array;
  /** Number of stored states; the next new state gets this id. */
  size = 0;

  constructor(readonly words: number, initialCapacityLog2 = 12) {
    this.table = new Int32Array(1 << initialCapacityLog2);
    this.tableMask = this.table.length - 1;
    this.parentIds = new Int32Array(1024);
    this.choices = new Uint16Array(1024);
    this.events = new Uint16Array(1024);
  }

  /**
   * Inserts a copy of `s` if absent. Returns the new id (>= 0), or -1 - id of the equal state
   * already stored.
   */
  insertIfAbsent(s: Int32Array, parent: number, choice: number): number {
    return this.insertHashed(s, hashWords(s, 0, this.words), parent, choice);
  }

  /** `insertIfAbsent` of the state at `s[at, at + words)`, given its hash `h = hashWords(s, at, words)`. */
  insertHashed(s: Int32Array, h: number, parent: number, choice: number, at = 0, events = 0): number {
    const words = this.words;
    const mask = this.tableMask;
    const tag = h & ~mask;
    let slot = h & mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) break;
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, the tag test only skips a word comparison that fails anyway
      if ((entry & ~mask) !== tag) {
        // Different high hash bits: a different state, no need to read the arena.
        slot = (slot + 1) & mask;
        continue;
      }
      const id = (entry & mask) - 1;
      if (wordsEqual(this.chunks[id >>> CHUNK_STATES_LOG2]!, (id & (CHUNK_STATES - 1)) * words, s, at, words)) return -1 - id;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    const chunkIndex = id >>> CHUNK_STATES_LOG2;
    if (chunkIndex === this.chunks.length) this.chunks.push(new Int32Array(CHUNK_STATES * words));
    const dst = this.chunks[chunkIndex]!;
    const row = (id & (CHUNK_STATES - 1)) * words;
    // Stryker disable next-line EqualityOperator: equivalent, one word too many lands in the next row, unused until its own insert overwrites it (or past the chunk, dropped)
    for (let i = 0; i < words; i++) dst[row + i] = s[at + i]!;
    this.table[slot] = tag | (id + 1);
    if (id >= this.parentIds.length) this.growLinks();
    this.parentIds[id] = parent;
    this.choices[id] = choice;
    this.events[id] = events;
    if (this.size * 2 > this.table.length) this.growTable();
    return id;
  }

  /**
   * Reads what lookups of hashes `hs[0, n)` read first: their table slots, then the arena rows
   * of slots whose hash bits match. The result means nothing. Each loop is a few instructions
   * per hash with independent loads, so the CPU keeps many cache misses in flight at once
   * instead of stalling on each lookup in turn (see SuccessorBuffer).
   */
  // Stryker disable all: equivalent, touch only warms caches; its result means nothing
  touch(hs: Int32Array, n: number): number {
    const mask = this.tableMask;
    const table = this.table;
    let acc = 0;
    for (let i = 0; i < n; i++) acc ^= table[hs[i]! & mask]!;
    const words = this.words;
    for (let i = 0; i < n; i++) {
      const h = hs[i]!;
      const entry = table[h & mask]!;
      if (entry === 0 || (entry & ~mask) !== (h & ~mask)) continue;
      const id = (entry & mask) - 1;
      const chunk = this.chunks[id >>> CHUNK_STATES_LOG2]!;
      const at = (id & (CHUNK_STATES - 1)) * words;
      // A row may straddle two cache lines: touch both ends.
      acc ^= chunk[at]! ^ chunk[at + words - 1]!;
    }
    return acc;
  }

  // Stryker restore all

  /** States stored (the same as `size`). */
  get count(): number {
    return this.size;
  }

  /** Compares stored states word by word (negative: `a` sorts first). */
  compare(a: number, b: number): number {
    const words = this.words;
    const ca = this.chunks[a >>> CHUNK_STATES_LOG2]!;
    const cb = this.chunks[b >>> CHUNK_STATES_LOG2]!;
    const ba = (a & (CHUNK_STATES - 1)) * words;
    const bb = (b & (CHUNK_STATES - 1)) * words;
    // Stryker disable next-line EqualityOperator: equivalent, two distinct stored states differ within their first `words` words
    for (let i = 0; i < words; i++) {
      const d = ca[ba + i]! - cb[bb + i]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Copies state `id` into `out`. */
  load(id: number, out: Int32Array): void {
    const words = this.words;
    const base = (id & (CHUNK_STATES - 1)) * words;
    const src = this.chunks[id >>> CHUNK_STATES_LOG2]!;
    // Stryker disable next-line EqualityOperator: equivalent, `out` is `words` long, so a write past it is dropped
    for (let i = 0; i < words; i++) out[i] = src[base + i]!;
  }

  /** Parent id of `id` (-1 for an initial state). */
  parentOf(id: number): number {
    return this.parentIds[id]!;
  }

  /** Successor index of `id` within its parent's successors (or its initial-state index). */
  choiceOf(id: number): number {
    return this.choices[id]!;
  }

  /** The tie cost of the path to `id` (see `insertHashed`'s `events`). */
  eventsOf(id: number): number {
    return this.events[id]!;
  }

  /** Makes (`parent`, `choice`) the link of `id` when its path costs `events`, fewer than the link's now. */
  offerParent(id: number, parent: number, choice: number, events: number): void {
    if (events >= this.events[id]!) return;
    this.parentIds[id] = parent;
    this.choices[id] = choice;
    this.events[id] = events;
  }

  /** The choice path from an initial state to `id`. */
  pathTo(id: number): number[] {
    const rev: number[] = [];
    for (let cur = id; cur >= 0; cur = this.parentIds[cur]!) rev.push(this.choices[cur]!);
    return rev.reverse();
  }

  /** Bytes held by the arena, the table and the parent links. */
  bytes(): number {
    return this.chunks.length * CHUNK_STATES * this.words * 4 + this.table.byteLength + this.parentIds.byteLength + this.choices.byteLength + this.events.byteLength;
  }

  /** Bytes per stored state counting only used arena space and links at their used size. */
  bytesPerState(): number {
    if (this.size === 0) return 0;
    return this.words * 4 + this.table.byteLength / this.size + 4 + 2 + 2;
  }

  growthBytes(inserts: number): number {
    const after = this.size + inserts;
    let bytes = inserts * (this.words * 4 + 8);
    // A growth allocates the doubled array while the old one is still alive.
    if (after * 2 > this.table.length) bytes += this.table.byteLength * 2;
    if (after > this.parentIds.length) bytes += this.parentIds.length * 2 * 8;
    return bytes;
  }

  private growLinks(): void {
    const n = this.parentIds.length * 2;
    const p = new Int32Array(n);
    p.set(this.parentIds);
    this.parentIds = p;
    const c = new Uint16Array(n);
    c.set(this.choices);
    this.choices = c;
    const e = new Uint16Array(n);
    e.set(this.events);
    this.events = e;
  }

  private growTable(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    const words = this.words;
    // In groups: hashes first, then a pass that only reads the slots (overlapping their cache
    // misses, see touch), then the inserts.
    const hs = new Int32Array(256);
    // Stryker disable next-line EqualityOperator: equivalent, one more group of 0 states does nothing
    for (let first = 0; first < this.size; first += hs.length) {
      const n = Math.min(hs.length, this.size - first);
      let acc = 0;
      // Stryker disable next-line EqualityOperator: equivalent, the hash written past the group is never used
      for (let i = 0; i < n; i++) {
        const id = first + i;
        hs[i] = hashWords(this.chunks[id >>> CHUNK_STATES_LOG2]!, (id & (CHUNK_STATES - 1)) * words, words);
      }
      // Stryker disable next-line all: equivalent, cache warming only (see touch)
      for (let i = 0; i < n; i++) acc ^= table[hs[i]! & mask]!;
      keepTouched(acc);
      // Stryker disable next-line EqualityOperator: equivalent, the extra entry points at an id whose row is either that state or not yet stored, so it never matches another state
      for (let i = 0; i < n; i++) {
        const h = hs[i]!;
        let slot = h & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = (h & ~mask) | (first + i + 1);
      }
    }
    this.table = table;
    this.tableMask = mask;
  }
}

/** Where touched words go (see StateStore.touch): a heap cell, so the compiler cannot prove the reads unused. */
const touchedSink = new Int32Array(1);
/** Folds words read only to warm the caches into a value, so that the reads are not optimised away. */
// Stryker disable next-line BlockStatement: equivalent, the digest is never read for a result
export function keepTouched(v: number): void {
  touchedSink[0]! ^= v;
}
