import type { TransitionSystem } from './transition-system.js';
import { equalWords, hashWords, keepTouched } from './state-store.js';

/**
 * States an explorer expands before it looks their successors up together: on a large state
 * space every lookup is a cache miss, and touched as a group the misses overlap instead of
 * each stalling the expansion.
 */
export const EXPAND_GROUP = 32;

/**
 * Successors of a group of states, kept until they are looked up: the words of each, its
 * hash, parent, choice and label, and whether it is a self-loop (a successor equal to its
 * parent, which needs no lookup and is kept only so that every source's transitions stay in
 * successor order).
 */
export class SuccessorBuffer {
  words: Int32Array;
  hashes = new Int32Array(256);
  parents = new Int32Array(256);
  choices = new Int32Array(256);
  labels = new Int32Array(256);
  selfLoops = new Int32Array(256);
  length = 0;
  /** The state `expand` expanded last. */
  readonly state: Int32Array;
  private readonly out: Int32Array;
  private readonly width: number;
  private parent = 0;
  private choice = 0;

  constructor(readonly system: TransitionSystem) {
    this.width = system.stateWords;
    this.words = new Int32Array(256 * this.width);
    this.state = new Int32Array(this.width);
    this.out = new Int32Array(this.width);
  }

  /** The system's successor callback. */
  private readonly emit = (label: number): void => this.push(this.out, this.parent, this.choice++, label, equalWords(this.out, this.state));

  /** Loads state `id` from `store` into `state` and buffers its successors; returns how many it has. */
  expand(store: { load(id: number, out: Int32Array): void }, id: number): number {
    store.load(id, this.state);
    this.parent = id;
    this.choice = 0;
    this.system.successors(this.state, this.out, this.emit);
    return this.choice;
  }

  /** Copies successor i into `out`. */
  load(i: number, out: Int32Array): void {
    const w = this.width;
    // Stryker disable next-line EqualityOperator: equivalent, `out` is one state wide, so a write past it is dropped
    for (let k = 0; k < w; k++) out[k] = this.words[i * w + k]!;
  }
  /**
   * Hashes every buffered successor and touches what their lookups in `store` will read, so
   * that the cache misses of the whole group overlap (see StateStore.touch).
   */
  prepareLookups(store: { touch(hs: Int32Array, n: number): number }): void {
    const w = this.width;
    // Stryker disable next-line ConditionalExpression: equivalent when false, a self-loop's hash is never read
    for (let i = 0; i < this.length; i++) this.hashes[i] = this.selfLoops[i] === 1 ? 0 : hashWords(this.words, i * w, w);
    keepTouched(store.touch(this.hashes, this.length));
  }
  private push(s: Int32Array, parent: number, choice: number, label: number, selfLoop: boolean): void {
    if (this.length === this.hashes.length) this.grow();
    const n = this.length++;
    const w = this.width;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a self-loop's words are never read, and a word past the row is overwritten by the next push (or dropped)
    if (!selfLoop) for (let i = 0; i < w; i++) this.words[n * w + i] = s[i]!;
    this.selfLoops[n] = selfLoop ? 1 : 0;
    this.parents[n] = parent;
    this.choices[n] = choice;
    this.labels[n] = label;
  }
  private grow(): void {
    const n = this.hashes.length * 2;
    const words = new Int32Array(n * this.width);
    words.set(this.words);
    this.words = words;
    for (const k of ['hashes', 'parents', 'choices', 'labels', 'selfLoops'] as const) {
      const a = new Int32Array(n);
      a.set(this[k]);
      this[k] = a;
    }
  }
}

