import { TaggedWordTable } from '../../checker/tagged-word-table.js';

/** Bits of `ThreadFacts.flags`. */
export const FactFlag = {
  /** The next instruction runs fused with the one before it (no events are explored before it). */
  fusible: 1,
  /** The next instruction's step reads and writes only the thread's record and the process-wide words. */
  localInstruction: 2,
  /** Blocked in a sleep that a signal interrupts (its label is wakeBySignal). */
  wakesOnSignal: 4,
  /** Running, its next instruction its final `done` (no signal frame), no rseq_cs in its area (see quietExitApplies). */
  exitsQuietly: 8,
} as const;

/**
 * What the successor function reads of one thread's record, decoded once: per thread of the
 * state being expanded, or per interned record (see RecordCache). Index: thread or record id.
 */
export class ThreadFacts {
  readonly status: Int32Array;
  readonly cpu: Int32Array;
  readonly anyCpu: Int32Array;
  readonly sigPending: Int32Array;
  readonly mmCid: Int32Array;
  /** Coverage slot of the thread's current (program, IP). */
  readonly covIp: Int32Array;
  readonly flags: Int32Array;

  constructor(n: number) {
    this.status = new Int32Array(n);
    this.cpu = new Int32Array(n);
    this.anyCpu = new Int32Array(n);
    this.sigPending = new Int32Array(n);
    this.mmCid = new Int32Array(n);
    this.covIp = new Int32Array(n);
    this.flags = new Int32Array(n);
  }

  get capacity(): number {
    return this.status.length;
  }

  /** Copies entry `from` of `src` to entry `to`. */
  copyFrom(src: ThreadFacts, from: number, to: number): void {
    this.status[to] = src.status[from]!;
    this.cpu[to] = src.cpu[from]!;
    this.anyCpu[to] = src.anyCpu[from]!;
    this.sigPending[to] = src.sigPending[from]!;
    this.mmCid[to] = src.mmCid[from]!;
    this.covIp[to] = src.covIp[from]!;
    this.flags[to] = src.flags[from]!;
  }

  /** A copy with twice the capacity. */
  widened(): ThreadFacts {
    const wider = new ThreadFacts(this.capacity * 2);
    for (let i = 0; i < this.capacity; i++) wider.copyFrom(this, i, i);
    return wider;
  }
}

const LOCAL_NEXT_ENTRIES = 1 << 23;

/** Marks in `localNext` and `stepNext`: not computed yet, or not cacheable (computed every time). */
const UNKNOWN = -1;
export const UNCACHEABLE = -2;

/**
 * The successor function's tables over interned thread records (used by cached-steps.ts): a few
 * thousand distinct records recur across millions of states, so what the kernel does to a
 * record, and what the record's next instruction does, is computed once and then read.
 *
 * - `records` interns (thread, record words); `facts` decodes each record once.
 * - `localNext[rid * localKinds + kind]`: the record a thread-local kernel step (preemption,
 *   migration, signal, switch-in, ...) turns record `rid` into.
 * - `steps` interns (record id, process-wide words): the state an instruction step of a thread
 *   whose instruction touches nothing else depends on; `stepNext` and `stepGlobals` hold the
 *   record and process-wide words it leaves.
 *
 * Entries are exact (no eviction); past `maxKeys` records the whole cache is dropped and
 * refilled, so its memory stays bounded (about 40 MB at most).
 */
export class RecordCache {
  readonly records: TaggedWordTable;
  facts = new ThreadFacts(1024);
  localNext: Int32Array;
  readonly steps: TaggedWordTable;
  stepNext: Int32Array;
  stepGlobals: Int32Array;
  /** Lookups answered from the tables, and lookups that computed their entry. */
  hits = 0;
  misses = 0;

  /** Records kept before the cache is dropped: 32 768, fewer when a row of `localNext` is wide (2^23 entries in all). */
  readonly maxKeys: number;

  constructor(
    recordWords: number,
    readonly globalWords: number,
    readonly localKinds: number,
  ) {
    // `localNext` holds at most 2^23 entries (32 MB) whatever the number of CPUs and threads: a
    // very wide row means few records (a floor of 1024 records once cost 4 GB at 2^20 kinds).
    this.maxKeys = Math.min(1 << 15, Math.max(1, Math.floor(LOCAL_NEXT_ENTRIES / localKinds)));
    this.records = new TaggedWordTable(recordWords);
    this.localNext = new Int32Array(Math.min(1024, this.maxKeys) * localKinds).fill(UNKNOWN);
    this.steps = new TaggedWordTable(globalWords);
    this.stepNext = new Int32Array(1024).fill(UNKNOWN);
    this.stepGlobals = new Int32Array(1024 * globalWords);
  }

  /** Whether the tables have outgrown their bound (checked between states, never within one). */
  get full(): boolean {
    return this.records.size > this.maxKeys || this.steps.size > 8 * this.maxKeys;
  }

  /** Forgets everything (a new record's row and a new step start out unknown: see addRecord, addStep). */
  clear(): void {
    this.records.clear();
    this.steps.clear();
  }

  /** Makes room for record `rid` (just interned): facts and an all-unknown row of `localNext`. */
  addRecord(rid: number): void {
    while (rid >= this.facts.capacity) this.facts = this.facts.widened();
    const k = this.localKinds;
    if ((rid + 1) * k > this.localNext.length) {
      const next = new Int32Array(this.localNext.length * 2).fill(UNKNOWN);
      next.set(this.localNext);
      this.localNext = next;
    }
    this.localNext.fill(UNKNOWN, rid * k, (rid + 1) * k);
  }

  /** Makes room for step key `key` (just interned), unknown. */
  addStep(key: number): void {
    if (key >= this.stepNext.length) {
      const next = new Int32Array(this.stepNext.length * 2).fill(UNKNOWN);
      next.set(this.stepNext);
      this.stepNext = next;
      const globals = new Int32Array(this.stepGlobals.length * 2);
      globals.set(this.stepGlobals);
      this.stepGlobals = globals;
    }
    this.stepNext[key] = UNKNOWN;
  }
}
