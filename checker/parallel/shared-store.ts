/**
 * The visited set of a parallel exploration, in SharedArrayBuffers that every worker maps: an
 * arena of packed states indexed by id, parent links, and an open-addressing table of ids
 * (0 = empty, else id + 1) that workers insert into with compare-and-swap. Ids stay below the
 * table's size (workers pause at 60 % of it, see explore-parallel.ts), so an entry's bits above
 * log2(size) carry the state's hash: most probes that meet another state's entry need no read
 * of the arena.
 *
 * An inserter first writes its candidate into the arena at an id it owns (workers take ids in
 * blocks, so a frontier is a list of id ranges with unused tails), then publishes it with one
 * CAS on the table slot. A thread that reads the slot with Atomics.load therefore sees the
 * state's words. If the slot holds an equal state the candidate is dropped and the id reused.
 *
 * The arena and links are reserved for `capacity` states up front; the operating system only
 * commits the pages that are written, so a small run costs little. The table is replaced by a
 * larger one (`grown`) between worker tasks, never while workers insert.
 */
import { hashWords, keepTouched, wordsEqual } from '../state-store.js';

/** Indices into the shared control words. */
export const Ctl = {
  /** Next free id (ids are handed out in blocks to workers). */
  nextId: 0,
  /** Set to 1 to make workers stop claiming batches (a limit, Ctrl-C, a failure). */
  stop: 1,
  /** Level tasks given to worker threads over the whole run (the fault-injection hook counts these). */
  levelTasks: 2,
  /**
   * First of the per-worker progress words: worker i's states expanded in the current level at
   * slots + 2i, its states inserted in the current task round at slots + 2i + 1.
   */
  slots: 8,
} as const;

/** The buffers of a store, as posted to workers. */
export interface SharedStoreHandles {
  readonly words: number;
  readonly capacity: number;
  readonly arena: SharedArrayBuffer;
  readonly parents: SharedArrayBuffer;
  readonly choices: SharedArrayBuffer;
  /** Tie costs of the paths the links make (see `offerParent`). */
  readonly events: SharedArrayBuffer;
  readonly table: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/** The top bit of a state's cost word: its link is being rewritten (path costs saturate below it, see pathCost in explore.ts). */
const LINK_LOCKED = 0x8000;

/** Thrown when the reserved capacity is exhausted (reported as the memory limit). */
export class CapacityExhausted extends Error {}

export class SharedStore {
  readonly words: number;
  readonly capacity: number;
  readonly arena: Int32Array;
  readonly parents: Int32Array;
  readonly choices: Uint16Array;
  readonly events: Uint16Array;
  readonly control: Int32Array;
  table: Int32Array;
  private mask: number;
  /** States stored (ids in use; ids beyond may be unused block tails). Kept by the coordinator. */
  count = 0;

  constructor(private handles: SharedStoreHandles) {
    this.words = handles.words;
    this.capacity = handles.capacity;
    this.arena = new Int32Array(handles.arena);
    this.parents = new Int32Array(handles.parents);
    this.choices = new Uint16Array(handles.choices);
    this.events = new Uint16Array(handles.events);
    this.control = new Int32Array(handles.control);
    this.table = new Int32Array(handles.table);
    this.mask = this.table.length - 1;
  }

  /** Reserves a store for up to `capacity` states of `words` words, with progress words for `workers` workers. */
  static create(words: number, capacity: number, tableLog2 = 16, workers = 1): SharedStore {
    return new SharedStore({
      words,
      capacity,
      arena: new SharedArrayBuffer(capacity * words * 4),
      parents: new SharedArrayBuffer(capacity * 4),
      choices: new SharedArrayBuffer(capacity * 2),
      events: new SharedArrayBuffer(capacity * 2),
      table: new SharedArrayBuffer((1 << tableLog2) * 4),
      control: new SharedArrayBuffer((Ctl.slots + 2 * Math.max(1, workers)) * 4),
    });
  }

  /** Worker `slot` expanded `expanded` more states and inserted `inserted` more. */
  addProgress(slot: number, expanded: number, inserted: number): void {
    const at = Ctl.slots + 2 * slot;
    Atomics.add(this.control, at, expanded);
    Atomics.add(this.control, at + 1, inserted);
  }

  /** States expanded in this level and inserted in this round, over `workers` workers. */
  progress(workers: number): { expanded: number; inserted: number } {
    let expanded = 0;
    let inserted = 0;
    for (let i = 0; i < workers; i++) {
      expanded += Atomics.load(this.control, Ctl.slots + 2 * i);
      inserted += Atomics.load(this.control, Ctl.slots + 2 * i + 1);
    }
    return { expanded, inserted };
  }

  /** Zeroes the expanded counts (a new level) and, always, the inserted counts (a new round). */
  resetProgress(workers: number, newLevel: boolean): void {
    for (let i = 0; i < workers; i++) {
      if (newLevel) Atomics.store(this.control, Ctl.slots + 2 * i, 0);
      Atomics.store(this.control, Ctl.slots + 2 * i + 1, 0);
    }
  }

  /** The current buffers (the table changes when the store grows). */
  get shared(): SharedStoreHandles {
    return this.handles;
  }

  /** Table slots; the coordinator grows the table before it is half full. */
  get tableSize(): number {
    return this.table.length;
  }

  /** Next free id (also an upper bound of the ids in use). */
  get nextId(): number {
    return Atomics.load(this.control, Ctl.nextId);
  }

  /**
   * Inserts `s` under the candidate id `id` (which the caller owns) unless an equal state is
   * stored. Returns `id` when inserted, else -1 - (the stored state's id). The state's words
   * and links are written before the CAS that publishes it. The state is `s[from, from + words)`.
   */
  insertAt(s: Int32Array, id: number, parent: number, choice: number, h = hashWords(s, 0, this.words), from = 0, events = 0): number {
    const words = this.words;
    const arena = this.arena;
    const table = this.table;
    let written = false;
    const mask = this.mask;
    const tag = h & ~mask;
    let slot = h & mask;
    for (;;) {
      let entry = Atomics.load(table, slot);
      if (entry === 0) {
        // Most successors are duplicates: the candidate is written only once a free slot is found.
        // Equivalent mutant: `if (true)` (and `written = false` below). A second free slot is met
        // only after a CAS lost to another worker's entry (then a different state); writing the
        // row and links again writes the same values at an id this thread still owns, unpublished.
        if (!written) {
          if (id >= mask) throw new Error(`internal: id ${id} does not fit a table of ${mask + 1} slots`);
          const at = id * words;
          for (let i = 0; i < words; i++) arena[at + i] = s[from + i]!;
          this.parents[id] = parent;
          this.choices[id] = choice;
          this.events[id] = events;
          // Stryker disable next-line BooleanLiteral: equivalent, a second write is of the same values (see above)
          written = true;
        }
        entry = Atomics.compareExchange(table, slot, 0, tag | (id + 1));
        if (entry === 0) return id;
      }
      // Equivalent mutant: the condition `false`. The tag only spares a word comparison: another
      // tag is another hash, so the words differ and the probe moves on as here.
      // Stryker disable next-line BlockStatement: equivalent, as `false` above (the word comparison fails)
      if ((entry & ~mask) !== tag) {
        slot = (slot + 1) & mask;
        continue;
      }
      const stored = (entry & mask) - 1;
      if (wordsEqual(arena, stored * words, s, from, words)) return -1 - stored;
      slot = (slot + 1) & mask;
    }
  }

  /** Reads what lookups of hashes `hs[0, n)` read first (see StateStore.touch). */
  touch(hs: Int32Array, n: number): number {
    const table = this.table;
    const mask = this.mask;
    let acc = 0;
    for (let i = 0; i < n; i++) acc ^= table[hs[i]! & mask]!;
    for (let i = 0; i < n; i++) {
      const h = hs[i]!;
      const entry = table[h & mask]!;
      // Equivalent mutant: `entry === 0` as `false`. An empty slot passes the tag test only when
      // h's tag is 0; then the row read is at -words, out of the arena: undefined ^ undefined is 0.
      if (entry === 0 || (entry & ~mask) !== (h & ~mask)) continue;
      const at = ((entry & mask) - 1) * this.words;
      acc ^= this.arena[at]! ^ this.arena[at + this.words - 1]!;
    }
    return acc;
  }

  /** Coordinator-only insertion with sequential ids (no workers running). */
  insertIfAbsent(s: Int32Array, parent: number, choice: number): number {
    return this.insertHashed(s, hashWords(s, 0, this.words), parent, choice);
  }

  /** `insertIfAbsent` of the state at `s[at, at + words)`, given its hash `h = hashWords(s, at, words)`. */
  insertHashed(s: Int32Array, h: number, parent: number, choice: number, at = 0, events = 0): number {
    const id = this.nextId;
    if (id >= this.capacity) throw new CapacityExhausted();
    const r = this.insertAt(s, id, parent, choice, h, at, events);
    if (r === id) {
      this.control[Ctl.nextId] = id + 1;
      this.count++;
      if (this.count * 2 > this.table.length) this.grow();
    }
    return r;
  }

  /** Doubles the table until it is at most `load` full for `expected` states (no workers running). */
  grow(expected = this.count, load = 0.5): void {
    const buffer = new SharedArrayBuffer(this.grownSize(expected, load) * 4);
    this.rehashInto(buffer, 0, this.table.length);
    this.adoptTable(buffer);
  }

  /** Table slots needed for `expected` states at `load`: at least double the current size. */
  grownSize(expected: number, load = 0.5): number {
    let size = this.table.length * 2;
    while (expected > size * load) size *= 2;
    return size;
  }

  /**
   * Inserts the entries of slots [from, to) of the current table into the table in `buffer`
   * (workers rehash disjoint slices at once: slots are claimed with CAS).
   */
  rehashInto(buffer: SharedArrayBuffer, from: number, to: number): void {
    const table = new Int32Array(buffer);
    const mask = table.length - 1;
    const old = this.table;
    const oldMask = this.mask;
    const words = this.words;
    const arena = this.arena;
    // In groups, as in StateStore.growTable: gather ids, touch their rows, then hash and insert.
    const ids = new Int32Array(256);
    let acc = 0;
    for (let i = from; i < to; ) {
      let n = 0;
      for (; i < to && n < ids.length; i++) {
        const entry = old[i]!;
        if (entry !== 0) ids[n++] = (entry & oldMask) - 1;
      }
      // Cache warming only: acc goes to keepTouched. Equivalent mutant: `k <= n` (one more index
      // read, never a throw). `k >= n` is not: a group with no entries (n = 0) never ends.
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: equivalent, they only change which arena words are XORed into acc
      for (let k = 0; k < n; k++) acc ^= arena[ids[k]! * words]! ^ arena[ids[k]! * words + words - 1]!;
      for (let k = 0; k < n; k++) {
        const id = ids[k]!;
        const h = hashWords(arena, id * words, words);
        let slot = h & mask;
        const entry = (h & ~mask) | (id + 1);
        while (Atomics.compareExchange(table, slot, 0, entry) !== 0) slot = (slot + 1) & mask;
      }
    }
    keepTouched(acc);
  }

  /** Switches to the rehashed table in `buffer`. */
  adoptTable(buffer: SharedArrayBuffer): void {
    this.table = new Int32Array(buffer);
    this.mask = this.table.length - 1;
    this.handles = { ...this.handles, table: buffer };
  }

  load(id: number, out: Int32Array): void {
    const words = this.words;
    const at = id * words;
    for (let i = 0; i < words; i++) out[i] = this.arena[at + i]!;
  }

  /** Compares stored states a and b word by word: negative when a sorts first. */
  compare(a: number, b: number): number {
    const words = this.words;
    for (let i = 0; i < words; i++) {
      const d = this.arena[a * words + i]! - this.arena[b * words + i]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Parent id of `id` (-1 for an initial state). */
  parentOf(id: number): number {
    return this.parents[id]!;
  }

  /** Successor index of `id` within its parent's successors (or its initial-state index). */
  choiceOf(id: number): number {
    return this.choices[id]!;
  }

  /** The tie cost of the path to `id` (final once `id`'s level is expanded). */
  eventsOf(id: number): number {
    // Plain read: a state is relinked only while it is in the next level, never while it is read.
    return this.events[id]!;
  }

  /**
   * Makes (`parent`, `choice`) the link of `id` when its path costs `events`, fewer than the
   * link's now. Workers offer concurrently: the cost word's top bit locks the link while it is
   * rewritten, so a link and its cost always match.
   */
  offerParent(id: number, parent: number, choice: number, events: number): void {
    const costs = this.events;
    for (;;) {
      const now = Atomics.load(costs, id);
      if ((now & LINK_LOCKED) !== 0) continue;
      if (events >= now) return;
      if (Atomics.compareExchange(costs, id, now, events | LINK_LOCKED) !== now) continue;
      this.parents[id] = parent;
      this.choices[id] = choice;
      Atomics.store(costs, id, events);
      return;
    }
  }

  pathTo(id: number): number[] {
    const rev: number[] = [];
    for (let cur = id; cur >= 0; cur = this.parents[cur]!) rev.push(this.choices[cur]!);
    return rev.reverse();
  }

  /** Bytes committed for the states stored (arena, links) plus the table. */
  bytes(): number {
    return this.nextId * (this.words * 4 + 8) + this.table.byteLength;
  }

  growthBytes(inserts: number): number {
    // The arena is reserved up front but only its written pages are resident; a table growth
    // (at 45 % load between parallel rounds, 50 % in process) allocates the next table beside this one.
    const after = this.nextId + inserts;
    // Equivalent mutant: `after >= ...`. Table sizes are powers of two, so table.length * 0.45
    // (0.45's binary fraction, scaled) is never a whole number that `after` could equal.
    return inserts * (this.words * 4 + 8) + (after > this.table.length * 0.45 ? this.grownSize(after, 0.45) * 4 : 0);
  }

  bytesPerState(): number {
    return this.count === 0 ? 0 : this.words * 4 + 8 + this.table.byteLength / this.count;
  }
}

/**
 * How many states to reserve room for: what `maxStates` asks for, else what fits in
 * `memoryBytes` (60 % of physical memory by default), at most what a typed array can index.
 */
export function reserveCapacity(words: number, memoryBytes: number, maxStates?: number): number {
  const perState = words * 4 + 8 + 8;
  let cap = Math.floor(memoryBytes / perState);
  cap = Math.min(cap, Math.floor((2 ** 32 - 1) / words), 2 ** 30);
  if (maxStates !== undefined) cap = Math.min(cap, maxStates + (1 << 20));
  return Math.max(cap, 1 << 16);
}
