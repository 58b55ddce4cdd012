/**
 * Worker thread of the parallel explorer: expands batches of a BFS level straight into the
 * shared store (see shared-store.ts). Each task claims batches from a shared counter until the
 * level is exhausted, the stop flag is set, or the table must grow; it returns the id blocks it
 * filled (the next level), its counts, its best violation and flag witnesses, and optionally
 * the transitions it took.
 */
import workerpool from 'workerpool';
import { threadId } from 'node:worker_threads';
import type { TransitionSystem } from '../transition-system.js';
import { EdgeLog } from '../explore.js';
import { Findings } from '../findings.js';
import { Ctl, SharedStore } from './shared-store.js';
import { equalWords } from '../state-store.js';
import { EXPAND_GROUP, SuccessorBuffer } from '../successor-buffer.js';
import type { LevelRequest, LevelResult, RehashRequest } from './protocol.js';

let cached: { key: string; system: TransitionSystem } | undefined;

async function systemFor(req: LevelRequest): Promise<TransitionSystem> {
  if (cached?.key !== req.spec.key) {
    const mod = (await import(req.spec.factory)) as { createSystem(params: unknown): TransitionSystem };
    cached = { key: req.spec.key, system: mod.createSystem(req.spec.params) };
  }
  return cached.system;
}

async function level(req: LevelRequest): Promise<unknown> {
  const sys = await systemFor(req);
  const store = new SharedStore(req.store);
  const ctl = store.control;
  const batches = new Int32Array(req.batches);
  const W = sys.stateWords;
  const state = new Int32Array(W);
  const out = new Int32Array(W);
  const blocks: number[] = [];
  const edges = req.recordEdges ? new EdgeLog() : undefined;
  let nextId = 0;
  let blockEnd = 0;
  let expanded = 0;
  let transitions = 0;
  let inserted = 0;
  let paused = false;
  let full = false;
  const found = new Findings((a, b) => store.compare(a, b));
  let parent = 0;
  let choice = 0;
  const buf = new SuccessorBuffer(W);
  const emit = (label: number): void => {
    transitions++;
    // An event that changed nothing: the successor is the state being expanded (no lookup).
    buf.push(out, parent, choice++, label, equalWords(out, state));
  };
  /** Looks up buffered successor i, inserting it under this worker's next id if new. */
  const insert = (i: number): void => {
    if (buf.selfLoops[i] === 1) {
      edges?.add(buf.parents[i]!, buf.parents[i]!, buf.choices[i]!, buf.labels[i]!);
      return;
    }
    if (nextId === blockEnd) {
      nextId = Atomics.add(ctl, Ctl.nextId, req.blockSize);
      blockEnd = nextId + req.blockSize;
      if (blockEnd > store.capacity) throw new CapacityFull();
      blocks.push(nextId, 0);
    }
    buf.load(i, out);
    const from = buf.parents[i]!;
    const c = buf.choices[i]!;
    const r = store.insertAt(out, nextId, from, c, buf.hashes[i]!);
    if (r === nextId) {
      nextId++;
      inserted++;
      blocks[blocks.length - 1]!++;
      found.note(r, sys.inspect(out), req.depth + 1);
    }
    edges?.add(from, r >= 0 ? r : -1 - r, c, buf.labels[i]!);
  };
  try {
    for (;;) {
      if (Atomics.load(ctl, Ctl.stop) !== 0 || Atomics.load(ctl, Ctl.nextId) >= req.idLimit) {
        paused = true;
        break;
      }
      const b = Atomics.add(ctl, Ctl.workNext, 1);
      if (b >= req.batchCount) break;
      if (Atomics.add(ctl, Ctl.batchesClaimed, 1) === req.crashAtBatch) process.exit(1);
      const first = batches[b * 2]!;
      const end = first + batches[b * 2 + 1]!;
      // In groups: expand, then look the group's successors up together (see SuccessorBuffer).
      for (let g = first; g < end; g += EXPAND_GROUP) {
        buf.length = 0;
        for (let id = g; id < Math.min(end, g + EXPAND_GROUP); id++) {
          store.load(id, state);
          parent = id;
          choice = 0;
          sys.successors(state, out, emit);
          if (choice === 0) found.note(id, sys.terminal(state), req.depth);
          expanded++;
        }
        buf.prepareLookups(store);
        for (let i = 0; i < buf.length; i++) insert(i);
      }
      Atomics.store(ctl, Ctl.slots + req.slot, Atomics.load(ctl, Ctl.slots + req.slot) + end - first);
    }
  } catch (e) {
    if (!(e instanceof CapacityFull)) throw e;
    // The batch in hand is incomplete: stop everyone; the run reports the memory limit.
    full = true;
    Atomics.store(ctl, Ctl.stop, 1);
  }
  const flagData = new Int32Array(found.flags.size * 4);
  let i = 0;
  for (const f of found.flags.values()) flagData.set([f.code, f.count, f.id, f.depth], 4 * i++);
  const v = found.violation;
  const result: LevelResult = {
    worker: threadId,
    blocks: Int32Array.from(blocks),
    expanded,
    transitions,
    inserted,
    paused,
    full,
    violation: v ? Int32Array.of(v.id, v.code, v.depth) : new Int32Array(0),
    flags: flagData,
    edges: edges ? edges.data.slice(0, edges.length) : new Int32Array(0),
  };
  return new workerpool.Transfer(result, [result.blocks.buffer, result.violation.buffer, result.flags.buffer, result.edges.buffer] as ArrayBuffer[]);
}

class CapacityFull extends Error {}

/** Rehashes slots [from, to) of the store's table into the larger table `into`. */
function rehash(req: RehashRequest): void {
  new SharedStore(req.store).rehashInto(req.into, req.from, req.to);
}

workerpool.worker({ level, rehash });
