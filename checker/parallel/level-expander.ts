/**
 * One thread's share of a BFS level of the parallel explorer, run by every worker thread and
 * by the coordinating thread itself: claims batches from a shared counter until the level is
 * exhausted, the stop flag is set, or the table must grow, expanding them straight into the
 * shared store (see shared-store.ts). It returns the id blocks it filled (the next level), its
 * counts, and its best violation and flag witnesses.
 */
import { threadId } from 'node:worker_threads';
import type { TransitionSystem } from '../transition-system.js';
import { Findings } from '../findings.js';
import { Ctl, SharedStore } from './shared-store.js';
import { EXPAND_GROUP, SuccessorBuffer } from '../successor-buffer.js';
import { pathCost } from '../explore.js';
import type { LevelRequest, LevelResult } from './protocol.js';

/**
 * One thread's expansion of BFS levels for one system: its buffers and successor callback are
 * made once per run, the per-level bookkeeping is reset by `begin`.
 */
export class LevelExpander {
  readonly out: Int32Array;
  readonly buf: SuccessorBuffer;
  // Per task (see begin).
  req!: LevelRequest;
  store!: SharedStore;
  found!: Findings;
  blocks!: number[];
  nextId = 0;
  blockEnd = 0;
  expanded = 0;
  transitions = 0;
  inserted = 0;
  tieCost: ((label: number) => number) | undefined;

  constructor(readonly sys: TransitionSystem) {
    this.out = new Int32Array(sys.stateWords);
    this.buf = new SuccessorBuffer(sys);
  }

  begin(req: LevelRequest): void {
    const store = new SharedStore(req.store);
    this.req = req;
    this.store = store;
    this.found = new Findings((a, b) => store.compare(a, b));
    this.tieCost = this.sys.tieCost?.bind(this.sys);
    this.blocks = [];
    this.nextId = this.blockEnd = 0;
    this.expanded = this.transitions = this.inserted = 0;
  }

  /** Expands states [first, end) of the level, in groups whose successors are looked up together. */
  expand(first: number, end: number): void {
    const { sys, store, buf, req } = this;
    // Stryker disable next-line EqualityOperator: equivalent, a group starting at `end` holds no state
    for (let g = first; g < end; g += EXPAND_GROUP) {
      buf.length = 0;
      for (let id = g; id < Math.min(end, g + EXPAND_GROUP); id++) {
        const successors = buf.expand(store, id);
        if (successors === 0) this.found.note(id, sys.terminal(buf.state), req.depth);
        this.transitions += successors;
        this.expanded++;
      }
      buf.prepareLookups(store);
      for (let i = 0; i < buf.length; i++) this.insert(i);
    }
  }

  /** Looks up buffered successor i, inserting it under this thread's next id if new. */
  private insert(i: number): void {
    const { buf, store, req, out } = this;
    if (buf.selfLoops[i] === 1) return;
    if (this.nextId === this.blockEnd) {
      this.nextId = Atomics.add(store.control, Ctl.nextId, req.blockSize);
      this.blockEnd = this.nextId + req.blockSize;
      if (this.blockEnd > store.capacity) throw new CapacityFull();
      this.blocks.push(this.nextId, 0);
    }
    const from = buf.parents[i]!;
    const c = buf.choices[i]!;
    // Looked up where it lies in the buffer; copied out only when new, to be inspected.
    const events = this.tieCost === undefined ? 0 : pathCost(store.eventsOf(from), this.tieCost(buf.labels[i]!));
    const r = store.insertAt(buf.words, this.nextId, from, c, buf.hashes[i], i * this.sys.stateWords, events);
    if (r !== this.nextId) {
      // Reached again: relinked when this path is cheaper and the state is of the next level (see
      // Exploration). Without tie costs every path costs 0 and the offer is never taken.
      if (-1 - r >= req.levelFirst) store.offerParent(-1 - r, from, c, events);
    } else {
      this.nextId++;
      this.inserted++;
      this.blocks[this.blocks.length - 1]!++;
      buf.load(i, out);
      this.found.note(r, this.sys.inspect(out), req.depth + 1);
    }
  }
}

class CapacityFull extends Error {}

/**
 * Claims a batch of the level: from the front of this thread's own segment, and when that is
 * used up from the other threads' segments; -1 when none is left. A thread works through
 * consecutive states, as one thread would: a successor reached again from a nearby state is
 * then found in this thread's memos (the symmetry memo missed 20 % more often in all when
 * two threads took turns at consecutive batches).
 */
export function claimBatch(claims: Int32Array, own: number): number {
  const n = claims.length / 2;
  // Stryker disable next-line EqualityOperator: equivalent, turn n looks at this thread's own segment again, used up by then
  for (let k = 0; k < n; k++) {
    const s = (own + k) % n;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, it only spares a used-up segment's word an increment; the check below has the same bound
    if (Atomics.load(claims, s) >= claims[n + s]!) continue;
    const b = Atomics.add(claims, s, 1);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: past the check above, only another thread's claim in between (a race) takes the last batch
    if (b < claims[n + s]!) return b;
  }
  return -1;
}

/** The claim words of a level of `batches` batches shared by `threads` threads (see `claimBatch`). */
export function segmentClaims(batches: number, threads: number): SharedArrayBuffer {
  const claims = new Int32Array(new SharedArrayBuffer(2 * threads * 4));
  for (let s = 0; s < threads; s++) {
    claims[s] = Math.floor((s * batches) / threads);
    claims[threads + s] = Math.floor(((s + 1) * batches) / threads);
  }
  return claims.buffer;
}

/**
 * Claims and expands batches of the level `req` describes. `between` runs after each batch
 * (the coordinating thread checks its limits and lets its event loop run there).
 */
export async function expandLevel(x: LevelExpander, req: LevelRequest, between?: () => Promise<void>): Promise<LevelResult> {
  x.begin(req);
  const ctl = x.store.control;
  const batches = new Int32Array(req.batches);
  const claims = new Int32Array(req.claims);
  let paused = false;
  let full = false;
  try {
    for (;;) {
      if (Atomics.load(ctl, Ctl.stop) !== 0 || Atomics.load(ctl, Ctl.nextId) >= req.idLimit) {
        paused = true;
        break;
      }
      const b = claimBatch(claims, req.slot);
      if (b < 0) break;
      const first = batches[b * 2]!;
      const end = first + batches[b * 2 + 1]!;
      const before = x.inserted;
      x.expand(first, end);
      x.store.addProgress(req.slot, end - first, x.inserted - before);
      if (between) await between();
    }
  } catch (e) {
    if (!(e instanceof CapacityFull)) throw e;
    // The batch in hand is incomplete: stop everyone; the run reports the memory limit.
    full = true;
    Atomics.store(ctl, Ctl.stop, 1);
  }
  const found = x.found;
  const flagData = new Int32Array(found.flags.size * 4);
  let i = 0;
  for (const f of found.flags.values()) flagData.set([f.code, f.count, f.id, f.depth], 4 * i++);
  return {
    worker: threadId,
    blocks: Int32Array.from(x.blocks),
    expanded: x.expanded,
    transitions: x.transitions,
    inserted: x.inserted,
    paused,
    full,
    violations: Int32Array.from(found.violations.flatMap((v) => [v.id, v.code, v.depth])),
    flags: flagData,
  };
}

/** Splits id ranges into (first, count) batches of at most `size` states, in a shared buffer. */
export function cutBatches(ranges: readonly number[], size: number): Int32Array<SharedArrayBuffer> {
  const out: number[] = [];
  // Stryker disable next-line EqualityOperator: equivalent, the pair past the end is undefined and cuts nothing
  for (let i = 0; i < ranges.length; i += 2) {
    const end = ranges[i]! + ranges[i + 1]!;
    for (let first = ranges[i]!; first < end; first += size) out.push(first, Math.min(size, end - first));
  }
  const shared = new Int32Array(new SharedArrayBuffer(Math.max(1, out.length) * 4));
  shared.set(out);
  // Stryker disable next-line ConditionalExpression: equivalent when false, a subarray of the whole length is the same view
  return shared.length === out.length ? shared : shared.subarray(0, out.length);
}
