/**
 * The messages between the coordinating thread and its workers. Everything is plain data,
 * a typed array (copied) or a SharedArrayBuffer: a worker rebuilds the transition system
 * from `SystemSpec` by importing `factory` (a module exporting `createSystem(params)`), so
 * checker/ never imports the domain.
 */
import type { SharedStoreHandles } from './shared-store.js';

export interface SystemSpec {
  /** File URL of a module exporting `createSystem(params): TransitionSystem`. */
  readonly factory: string;
  /** Plain data the factory needs (a model, a policy, options). */
  readonly params: unknown;
  /** Identifies `params`, so a worker builds each system once. */
  readonly key: string;
}

/** Expand one BFS level (or what is left of it): claim batches until none is left. */
export interface LevelRequest {
  readonly spec: SystemSpec;
  readonly store: SharedStoreHandles;
  /** (first id, count) pairs: the level's batches. */
  readonly batches: SharedArrayBuffer;
  /**
   * Per thread, the next batch of its segment of the level and the segment's end (n words
   * each, n the threads): see `claimBatch`.
   */
  readonly claims: SharedArrayBuffer;
  /** Depth of the level being expanded. */
  readonly depth: number;
  /** The least id of the next level's states (a state reached again from this level is relinked only then). */
  readonly levelFirst: number;
  /** Ids handed out per block. */
  readonly blockSize: number;
  /** Stop claiming batches once this many ids are handed out (the table must grow first). */
  readonly idLimit: number;
  /** This worker's progress slot. */
  readonly slot: number;
  /** Fault injection for tests: the worker given the task of this number (counted over the run) dies. */
  readonly crashAtTask?: number;
}

/** What one worker did in one level task. */
export interface LevelResult {
  /** The worker thread (for load-balance statistics). */
  readonly worker: number;
  /** (first id, states used) of each id block this task filled: the next level's states. */
  readonly blocks: Int32Array;
  readonly expanded: number;
  readonly transitions: number;
  readonly inserted: number;
  /** Stopped early because the table must grow (`idLimit`), or the stop flag was set. */
  readonly paused: boolean;
  /** The reserved capacity ran out. */
  readonly full: boolean;
  /** (id, code, depth) triples: this worker's violating states of least depth (the coordinator picks one after the level). */
  readonly violations: Int32Array;
  /** (code, count, best id, depth) per flag code seen. */
  readonly flags: Int32Array;
  /**
   * A worker thread's counts since its last task (TransitionSystem.counters); absent for the
   * coordinating thread's own share, whose system counts in place.
   */
  readonly counters?: readonly Int32Array[];
}

/** Rehash slots [from, to) of the store's current table into the larger table `into`. */
export interface RehashRequest {
  readonly store: SharedStoreHandles;
  readonly into: SharedArrayBuffer;
  readonly from: number;
  readonly to: number;
}
