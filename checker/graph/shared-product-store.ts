/**
 * The product states of a parallel accepting-cycle search (concurrent-ndfs.ts), in
 * SharedArrayBuffers every worker maps: an arena of packed states indexed by id, one colour
 * byte per state (blue, red: shared by all workers), and an open-addressing table of ids
 * (0 = empty, else id + 1) that workers insert into with compare-and-swap.
 *
 * An inserter takes a fresh id only when it meets an empty slot, writes the state's words at
 * that id, then publishes it with one CAS; a reader that loads the slot with Atomics therefore
 * sees the words. When the CAS loses to an equal state the id is left unused (counted in
 * `Ctl.unused`), which is rare: two workers must meet the same new state at once.
 *
 * The tables of every size the search may reach are allocated up front (the operating system
 * commits only the pages written, so the unused ones cost address space, not memory). The
 * depth-first workers have no natural pause, so the table grows by a stop-the-world barrier:
 * the worker whose insertion fills it to half sets `Ctl.grow`; every worker stops at its next
 * `safePoint` (the start of each insertion, and each turn of a wait), and the initiator,
 * once no worker is running, rehashes into the next table and releases them.
 */
import { hashWords, wordsEqual } from '../state-store.js';

/** Indices into the shared control words. */
export const Ctl = {
  /** Next free id. */
  nextId: 0,
  /** Ids taken and left unused (lost CAS races): the states stored are nextId − unused. */
  unused: 1,
  /** Non-zero: the workers must stop (a `StopReason`). */
  stop: 2,
  /** 1 while a table growth is pending or under way. */
  grow: 3,
  /** Index of the table in use. */
  table: 4,
  /** Product transitions counted (each state's out-degree, once, at its first expansion). */
  transitions: 5,
  /** First of the per-worker run states (`Run`). */
  workers: 8,
} as const;

/** Why the workers stop (the value of `Ctl.stop`). */
export const StopReason = {
  /** A worker found an accepting cycle. */
  found: 1,
  /** More than `maxStates` states are stored. */
  states: 3,
  /** The reserved capacity ran out. */
  full: 4,
  /** The coordinating thread stopped the search (time, memory, a signal, a failed worker). */
  halted: 5,
} as const;

/** A worker's run state, for the growth barrier. */
const Run = { idle: 0, running: 1, parked: 2 } as const;

/** Colour bits, shared by all workers. */
export const BLUE = 1;
export const RED = 2;
/** Not a colour: some worker has expanded the state and counted its transitions. */
export const COUNTED = 4;

/** The buffers of a store, as posted to workers. */
export interface SharedProductHandles {
  readonly words: number;
  readonly capacity: number;
  /** States above which the search stops (`StopReason.states`). */
  readonly maxStates: number;
  readonly arena: SharedArrayBuffer;
  readonly colors: SharedArrayBuffer;
  /** Tables of 2^16, 2^17, ... slots; the last holds `capacity` states at half load. */
  readonly tables: readonly SharedArrayBuffer[];
  readonly control: SharedArrayBuffer;
}

const FIRST_TABLE_LOG2 = 16;

export class SharedProductStore {
  readonly words: number;
  readonly arena: Int32Array;
  readonly colors: Uint8Array;
  readonly control: Int32Array;
  private readonly tables: readonly Int32Array[];
  private table: Int32Array;
  private mask: number;

  /** `worker` is this thread's index (its run state word), or -1 for the coordinating thread. */
  constructor(
    readonly handles: SharedProductHandles,
    private readonly worker = -1,
  ) {
    this.words = handles.words;
    this.arena = new Int32Array(handles.arena);
    this.colors = new Uint8Array(handles.colors);
    this.control = new Int32Array(handles.control);
    this.tables = handles.tables.map((t) => new Int32Array(t));
    this.table = this.tables[Atomics.load(this.control, Ctl.table)]!;
    this.mask = this.table.length - 1;
  }

  /** Reserves a store for up to `capacity` states of `words` words, searched by `workers` workers. */
  static create(words: number, capacity: number, workers: number, maxStates = Number.MAX_SAFE_INTEGER): SharedProductStore {
    const tables: SharedArrayBuffer[] = [];
    for (let log2 = FIRST_TABLE_LOG2; ; log2++) {
      tables.push(new SharedArrayBuffer(4 * 2 ** log2));
      if (2 ** (log2 - 1) >= capacity) break;
    }
    return new SharedProductStore({
      words,
      capacity,
      maxStates,
      arena: new SharedArrayBuffer(capacity * words * 4),
      colors: new SharedArrayBuffer(capacity),
      tables,
      control: new SharedArrayBuffer((Ctl.workers + workers) * 4),
    });
  }

  /** States stored. */
  get size(): number {
    // Stryker disable next-line ArithmeticOperator: only lost races leave ids unused (the parallel tests compare these counts with the one-thread search's)
    return Atomics.load(this.control, Ctl.nextId) - Atomics.load(this.control, Ctl.unused);
  }

  /** An upper bound of the ids in use. */
  get idBound(): number {
    return Math.min(Atomics.load(this.control, Ctl.nextId), this.handles.capacity);
  }

  get stopped(): number {
    return Atomics.load(this.control, Ctl.stop);
  }

  /** Stops the workers for `reason`, unless they are stopping already; true if this call stopped them. */
  stop(reason: number): boolean {
    return Atomics.compareExchange(this.control, Ctl.stop, 0, reason) === 0;
  }

  /**
   * The id of the state `key[0, words)`, storing it if it is new; -1 when the search must stop
   * instead (it is stopping, or the capacity ran out).
   */
  intern(key: Int32Array): number {
    this.safePoint();
    const words = this.words;
    const arena = this.arena;
    const table = this.table;
    const mask = this.mask;
    let slot = hashWords(key, 0, words) & mask;
    let id = -1;
    for (;;) {
      const entry = Atomics.load(table, slot);
      if (entry === 0) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a second empty slot is met only after a lost race
        if (id < 0) {
          id = Atomics.add(this.control, Ctl.nextId, 1);
          if (id >= this.handles.capacity) {
            this.stop(StopReason.full);
            return -1;
          }
          arena.set(key.subarray(0, words), id * words);
        }
        const won = Atomics.compareExchange(table, slot, 0, id + 1);
        // Stryker disable next-line ConditionalExpression: the CAS fails only in a race between two workers
        if (won === 0) {
          this.afterInsert(id);
          return id;
        }
        // Lost the slot: read what won it.
        // Stryker disable next-line all: reached only when two workers race for one slot
        const other = won - 1;
        // Stryker disable next-line all: reached only when two workers race for one slot
        if (wordsEqual(arena, other * words, key, 0, words)) {
          Atomics.add(this.control, Ctl.unused, 1);
          return other;
        }
      } else if (wordsEqual(arena, (entry - 1) * words, key, 0, words)) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: an id is taken here only after a lost race
        if (id >= 0) Atomics.add(this.control, Ctl.unused, 1);
        return entry - 1;
      }
      slot = (slot + 1) & mask;
    }
  }

  load(id: number, out: Int32Array): void {
    const at = id * this.words;
    out.set(this.arena.subarray(at, at + this.words));
  }

  /** The automaton component (last word) of state `id`. */
  automatonState(id: number): number {
    return this.arena[id * this.words + this.words - 1]!;
  }

  colorOf(id: number): number {
    return Atomics.load(this.colors, id);
  }

  /** Adds colour bits to `id`; returns the colours it had. */
  paint(id: number, bits: number): number {
    return Atomics.or(this.colors, id, bits);
  }

  /** Bytes the shared buffers hold for the states stored (arena rows, colours) and the table in use. */
  bytes(): number {
    return this.idBound * (this.words * 4 + 1) + this.table.byteLength;
  }

  /** Bytes `inserts` more states would make resident: rows, colours and a table growth falling due. */
  growthBytes(inserts: number, perStateElsewhere: number): number {
    const after = this.size + inserts;
    return inserts * (this.words * 4 + 1 + perStateElsewhere) + (after * 2 > this.table.length ? this.table.byteLength * 2 : 0);
  }

  /** This worker enters the search (it may insert from now on). */
  enter(): void {
    this.setRun(Run.running);
    this.safePoint();
    // A growth may have completed since this view was made.
    this.useCurrentTable();
  }

  /** This worker leaves the search (a growth no longer waits for it). */
  leave(): void {
    this.setRun(Run.idle);
  }

  /** Where a worker stops for a table growth: call it wherever the worker may wait. */
  safePoint(): void {
    // Stryker disable next-line ConditionalExpression: equivalent, without a growth the loop below ends at once
    if (Atomics.load(this.control, Ctl.grow) === 0) return;
    for (;;) {
      this.setRun(Run.parked);
      while (Atomics.load(this.control, Ctl.grow) !== 0 && this.stopped === 0) Atomics.wait(this.control, Ctl.grow, 1, 20);
      // Running again before reading the flag: an initiator that reads this worker parked has
      // set the flag already, so the read below sees it (sequentially consistent atomics).
      this.setRun(Run.running);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a new growth raised between the release and this read (a race) keeps it parked
      if (Atomics.load(this.control, Ctl.grow) === 0 || this.stopped !== 0) break;
    }
    this.useCurrentTable();
  }

  private useCurrentTable(): void {
    this.table = this.tables[Atomics.load(this.control, Ctl.table)]!;
    this.mask = this.table.length - 1;
  }

  /** After an insertion: the worker that fills the table to half grows it. */
  private afterInsert(id: number): void {
    if (id + 1 > this.handles.maxStates) this.stop(StopReason.states);
    if ((id + 1) * 2 <= this.table.length) return;
    if (Atomics.compareExchange(this.control, Ctl.grow, 0, 1) !== 0) return;
    this.setRun(Run.parked);
    // Wait until no other worker is running (each parks at its next safe point).
    while (this.othersRunning() && this.stopped === 0) Atomics.wait(this.control, Ctl.stop, 0, 1);
    // The next table exists: the last one holds the capacity at half load, and ids stay below it.
    if (this.stopped === 0) {
      const next = Atomics.load(this.control, Ctl.table) + 1;
      this.rehashInto(this.tables[next]!);
      Atomics.store(this.control, Ctl.table, next);
    }
    Atomics.store(this.control, Ctl.grow, 0);
    Atomics.notify(this.control, Ctl.grow);
    this.setRun(Run.running);
    this.useCurrentTable();
  }

  private othersRunning(): boolean {
    const n = this.control.length - Ctl.workers;
    // This worker's own state is parked by now.
    for (let w = 0; w < n; w++) if (Atomics.load(this.control, Ctl.workers + w) === Run.running) return true;
    return false;
  }

  /** The coordinating thread's view (worker -1) never enters the search, so never gets here. */
  private setRun(state: number): void {
    Atomics.store(this.control, Ctl.workers + this.worker, state);
  }

  private rehashInto(into: Int32Array): void {
    const mask = into.length - 1;
    const old = this.table;
    const words = this.words;
    // Stryker disable next-line EqualityOperator: equivalent, the slot past the end reads undefined and stores 0 into an empty slot
    for (let i = 0; i < old.length; i++) {
      const entry = old[i]!;
      // Stryker disable next-line ConditionalExpression: equivalent, an empty entry is stored (as 0) into an empty slot
      if (entry === 0) continue;
      let slot = hashWords(this.arena, (entry - 1) * words, words) & mask;
      while (into[slot] !== 0) slot = (slot + 1) & mask;
      into[slot] = entry;
    }
  }
}
