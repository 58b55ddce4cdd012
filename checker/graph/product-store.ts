/**
 * Product states (system words, then the automaton state) in a chunked arena of packed words,
 * with an open-addressing table: no object per state. Ids are dense (0, 1, 2, ... in the order
 * states are first stored), so callers keep per-state fields in typed arrays indexed by id.
 */
import { hashWords } from '../state-store.js';

const CHUNK_LOG2 = 14;
const CHUNK = 1 << CHUNK_LOG2;

export class ProductStore {
  private chunks: Int32Array[] = [];
  private table = new Int32Array(1 << 12);
  private mask = this.table.length - 1;
  size = 0;

  constructor(readonly words: number) {}

  /** The id of the state in `key` (its first `words` words), storing a copy if it is new. */
  intern(key: Int32Array): number {
    const slot = this.slotOf(key);
    const entry = this.table[slot]!;
    if (entry !== 0) return entry - 1;
    const words = this.words;
    const id = this.size++;
    if (id >>> CHUNK_LOG2 === this.chunks.length) this.chunks.push(new Int32Array(CHUNK * words));
    this.chunks[id >>> CHUNK_LOG2]!.set(key.subarray(0, words), (id & (CHUNK - 1)) * words);
    this.table[slot] = id + 1;
    if (this.size * 2 > this.table.length) this.grow();
    return id;
  }

  /** The id of the state in `key`, or -1 if it was never stored. */
  find(key: Int32Array): number {
    return this.table[this.slotOf(key)]! - 1;
  }

  load(id: number, out: Int32Array): void {
    const base = (id & (CHUNK - 1)) * this.words;
    out.set(this.chunks[id >>> CHUNK_LOG2]!.subarray(base, base + this.words));
  }

  /** The automaton component (last word) of state `id`. */
  automatonState(id: number): number {
    return this.chunks[id >>> CHUNK_LOG2]![(id & (CHUNK - 1)) * this.words + this.words - 1]!;
  }

  /** Bytes held by the arena and the table. */
  bytes(): number {
    return this.chunks.length * CHUNK * this.words * 4 + this.table.length * 4;
  }

  /** Bytes the store would allocate to hold `inserts` more states (rows, and a table growth falling due). */
  growthBytes(inserts: number): number {
    const after = this.size + inserts;
    // A growth allocates the doubled table while the old one is still alive.
    return inserts * this.words * 4 + (after * 2 > this.table.length ? this.table.byteLength * 2 : 0);
  }

  /** The table slot holding `key`, or the empty slot where it would go. */
  private slotOf(key: Int32Array): number {
    const words = this.words;
    let slot = hashWords(key, 0, words) & this.mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) return slot;
      const id = entry - 1;
      const chunk = this.chunks[id >>> CHUNK_LOG2]!;
      const base = (id & (CHUNK - 1)) * words;
      let i = 0;
      while (i < words && chunk[base + i] === key[i]) i++;
      if (i === words) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = hashWords(this.chunks[id >>> CHUNK_LOG2]!, (id & (CHUNK - 1)) * this.words, this.words) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** A growable stack of int32 values. */
export class IntStack {
  data = new Int32Array(1024);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, x: number): void {
    this.data[i] = x;
  }
}

/** A per-state int32 field that grows with the store (new entries start at `fill`). */
export class StateField {
  data: Int32Array;

  constructor(private readonly fill: number) {
    this.data = new Int32Array(1024).fill(fill);
  }

  /** Makes room for ids below `size`. */
  ensure(size: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, without the early return a field that holds `size` ids is copied into a new one of the same length and fill (callers read `data` afresh after `ensure`)
    if (size <= this.data.length) return;
    let n = this.data.length;
    while (n < size) n *= 2;
    const d = new Int32Array(n).fill(this.fill);
    d.set(this.data);
    this.data = d;
  }
}
