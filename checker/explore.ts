import type { TransitionSystem } from './transition-system.js';
import type { ExploreOptions } from './options.js';
import type { FlagReport, Limit, RawResult, Stats } from './result.js';
import { hashWords, StateStore } from './state-store.js';
import { EXPAND_GROUP, SuccessorBuffer } from './successor-buffer.js';
import { Findings, type Candidate } from './findings.js';
import { MemoryBound } from './memory-bound.js';
import { takeSnapshot, type SearchPosition, type SearchSnapshot } from './checkpoint.js';

/** The largest path cost stored (costs saturate there; a parallel store locks a link with the bit above). */
const MAX_TIE_COST = 0x7fff;

/** Explored states between checks of the clock, the memory bound and the abort signal. */
export const BATCH = 4096;

/** What the exploration needs from a visited set (the sequential and the shared store). */
export interface VisitedStore {
  /** States stored. */
  readonly count: number;
  /** Inserts a copy of `s` if absent: the new id, or -1 - id of the equal stored state. */
  insertIfAbsent(s: Int32Array, parent: number, choice: number): number;
  /** `insertIfAbsent` of the state at `s[at, at + words)`, given its hash `h = hashWords(s, at, words)`. */
  insertHashed(s: Int32Array, h: number, parent: number, choice: number, at?: number, events?: number): number;
  /** The tie cost of the path the links make to `id`. */
  eventsOf(id: number): number;
  /** Relinks `id` to (`parent`, `choice`) when that path costs `events`, less than its path now. */
  offerParent(id: number, parent: number, choice: number, events: number): void;
  /** Reads the memory lookups of hashes `hs[0, n)` read first; the result means nothing (see expandInProcess). */
  touch(hs: Int32Array, n: number): number;
  load(id: number, out: Int32Array): void;
  /** Parent id of `id` (-1 for an initial state). */
  parentOf(id: number): number;
  /** Successor index of `id` within its parent's successors (or its initial-state index). */
  choiceOf(id: number): number;
  /** Compares stored states word by word (negative: `a` sorts first). */
  compare(a: number, b: number): number;
  /** Choice path from an initial state to `id`. */
  pathTo(id: number): number[];
  bytes(): number;
  bytesPerState(): number;
  /** Bytes the store would allocate to hold `inserts` more states (rows, links, and a table growth falling due). */
  growthBytes(inserts: number): number;
}

/**
 * The bookkeeping of one breadth-first exploration, shared by the sequential and the parallel
 * explorer so that both report the same result at any worker count:
 *  - levels are expanded whole: a violation found while expanding level d ends the run after
 *    level d, so the states and transitions counted never depend on the order of expansion;
 *  - the counterexample is the violating state of least depth (a violation among level d+1's
 *    inserted states has depth d+1, a state of level d without successors has depth d), ties
 *    broken by the least path cost (`TransitionSystem.tieCost`: kernel events), then by the
 *    smaller packed state; a flag's witness is chosen by depth and packed state.
 *  - the links give each state a shortest path of least cost: every state stores the cost of
 *    its path, and a state stored in level d + 1 that is reached again from level d by a cheaper
 *    path is relinked (`offerParent`). Costs of level d + 1 are final once level d is expanded,
 *    whatever the order. Among paths of equal cost the first link stored stays, so links (not
 *    the path's length or cost) may differ between runs with workers.
 */
export class Exploration {
  private readonly findings: Findings;
  private readonly start = performance.now();
  /** Seconds explored before this run (a resumed run's earlier runs). */
  private readonly priorSeconds: number;
  /** When the last checkpoint was saved (or the run started). */
  private lastSave = performance.now();
  transitions = 0;
  /** Next state id to expand (in-process expansion: ids are consecutive). */
  next = 0;
  /** Depth of the level being expanded (-1 before the first). */
  depth = -1;
  levelEnd = 0;
  /** The states stored when each level began: level d's states are levelStarts[d + 1] - levelStarts[d]. */
  private readonly levelStarts: number[] = [];
  stoppedBy: Limit | undefined;
  private nextProgress: number;
  private readonly memory: MemoryBound | undefined;
  private readonly tieCost: ((label: number) => number) | undefined;

  constructor(
    readonly system: TransitionSystem,
    readonly options: ExploreOptions,
    readonly store: VisitedStore = new StateStore(system.stateWords),
  ) {
    this.findings = new Findings(
      (a, b) => this.store.compare(a, b),
      (id) => this.store.eventsOf(id),
    );
    this.tieCost = system.tieCost?.bind(system);
    const resume = options.resume;
    this.priorSeconds = resume?.seconds ?? 0;
    if (resume) this.restore(resume);
    else {
      const out = new Int32Array(system.stateWords);
      let choice = 0;
      system.initialStates(out, () => {
        const id = this.store.insertIfAbsent(out, -1, choice++);
        if (id >= 0) this.note(id, system.inspect(out), 0);
      });
    }
    this.nextProgress = options.progressEvery ?? 65536;
    this.memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  }

  /** Continues a stopped run: its states inserted in id order take their old ids (see checker/checkpoint.ts). */
  private restore(snap: SearchSnapshot): void {
    const words = this.system.stateWords;
    if (snap.words !== words || this.store.count !== 0) throw new Error(`a checkpoint of ${snap.words}-word states cannot continue a search of ${words}-word states`);
    for (let id = 0; id < snap.count; id++) {
      const at = id * words;
      this.store.insertHashed(snap.states, hashWords(snap.states, at, words), snap.parents[id]!, snap.choices[id]!, at, snap.events[id]);
    }
    this.next = snap.next;
    this.levelEnd = snap.levelEnd;
    this.depth = snap.depth;
    this.levelStarts.push(...levelEnds(snap.parents, snap.depth));
    this.transitions = snap.transitions;
    this.findings.restore(snap.violations, snap.flags);
  }

  /** Where the search is, besides its states: what a snapshot saves (and the parallel explorer at a level's start). */
  position(): SearchPosition {
    return {
      next: this.next,
      levelEnd: this.levelEnd,
      depth: this.depth,
      transitions: this.transitions,
      seconds: this.seconds(),
      violations: this.findings.violations.map((v) => ({ ...v })),
      flags: [...this.findings.flags.values()].map((f) => ({ ...f })),
    };
  }

  /** The whole search, at a consistent point (between batches of `expandInProcess`). */
  snapshot(): SearchSnapshot {
    return takeSnapshot(this.store, this.system.stateWords, this.position());
  }

  /** Saves a checkpoint when one is asked for and `everySeconds` have passed since the last (`take` makes it). */
  saveIfDue(take: () => SearchSnapshot): void {
    const c = this.options.checkpoint;
    if (!c || (performance.now() - this.lastSave) / 1000 < c.everySeconds) return;
    c.save(take());
    this.lastSave = performance.now();
  }

  /** A run that a limit or a signal stopped without a violation: saves its checkpoint, when one is asked for. */
  saveIfStopped(take: () => SearchSnapshot): void {
    if (this.stoppedBy && !this.violated) this.options.checkpoint?.save(take());
  }

  /** Seconds explored, over every run that led here. */
  private seconds(): number {
    return this.priorSeconds + (performance.now() - this.start) / 1000;
  }

  /** True between levels: the next state to expand starts a new BFS level. */
  get atLevelStart(): boolean {
    return this.next === this.levelEnd;
  }

  get done(): boolean {
    return this.stoppedBy !== undefined || this.next >= this.store.count || (this.findings.violated && this.atLevelStart);
  }

  /** Whether a violating state was found (the run ends after the level being expanded). */
  get violated(): boolean {
    return this.findings.violated;
  }

  /** The violating state that ends the run, once one is found (final once its level is expanded). */
  get violation(): Candidate | undefined {
    return this.findings.violation;
  }

  /** Records the code of a state inserted (or, for `terminal`, expanded) at `depth`. */
  note(id: number, code: number, depth: number): void {
    this.findings.note(id, code, depth);
  }

  /** Adds `count` states flagged with `code`, of which `id` (at `depth`) is the best witness. */
  noteFlag(code: number, count: number, id: number, depth: number): void {
    this.findings.noteFlag(code, count, id, depth);
  }

  /** Starts a new level when the current one is finished; false when the depth bound stops the run. */
  beginLevel(): boolean {
    this.depth++;
    this.levelEnd = this.store.count;
    this.levelStarts.push(this.store.count);
    // Stryker disable next-line ConditionalExpression: equivalent when true, a depth compared with an undefined bound is false
    if (this.options.maxDepth !== undefined && this.depth > this.options.maxDepth) {
      this.stoppedBy = { kind: 'depth', bound: this.options.maxDepth };
      return false;
    }
    return true;
  }

  /**
   * Adds successor i of `buf`: looked up where it lies in the buffer, and copied to `out` only
   * when it is new (to be inspected). A self-loop needs no lookup: its target is its source.
   */
  addBuffered(buf: SuccessorBuffer, i: number, out: Int32Array): void {
    this.transitions++;
    const parent = buf.parents[i]!;
    const choice = buf.choices[i]!;
    if (buf.selfLoops[i] === 1) return;
    const events = this.tieCost === undefined ? 0 : pathCost(this.store.eventsOf(parent), this.tieCost(buf.labels[i]!));
    const id = this.store.insertHashed(buf.words, buf.hashes[i]!, parent, choice, i * this.system.stateWords, events);
    // Stryker disable next-line EqualityOperator: equivalent, id 0 is the first initial state, never inserted here
    if (id >= 0) {
      buf.load(i, out);
      this.note(id, this.system.inspect(out), this.depth + 1);
    } else if (this.tieCost !== undefined && -1 - id >= this.levelEnd) this.store.offerParent(-1 - id, parent, choice, events);
    // Stryker disable next-line EqualityOperator: equivalent, id 0 is never new here, and -1 - (-1) is 0 too
  }

  /** Finishes expanding state `this.next`: a state with no successors is judged by `terminal`. */
  endState(successors: number, state: Int32Array): void {
    if (successors === 0) this.note(this.next, this.system.terminal(state), this.depth);
    this.next++;
  }

  /**
   * Checks the limits and the abort signal between batches; yields to the event loop (where
   * Ctrl-C is seen, and a parallel run's workers are started while this one explores).
   */
  async betweenBatches(): Promise<void> {
    this.checkLimits();
    if (this.stoppedBy) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Stryker disable next-line ConditionalExpression,OptionalChaining: equivalent, checkLimits at the next checkpoint (or the caller's result) sees the abort
    if (this.options.signal?.aborted) this.stoppedBy = { kind: 'interrupted' };
  }

  /** Stops the run when a limit is exceeded; reports progress. */
  checkLimits(frontier = this.store.count - this.next, count = this.store.count): void {
    const o = this.options;
    // Stryker disable next-line ConditionalExpression: equivalent when the first test is true, a count compared with an undefined bound is false
    if (o.maxStates !== undefined && count >= o.maxStates && frontier > 0) this.stoppedBy ??= { kind: 'states', bound: o.maxStates };
    // --max-seconds bounds this run (a resumed run gets its own time).
    const runSeconds = (performance.now() - this.start) / 1000;
    const seconds = this.seconds();
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, an undefined bound compares false, and the clock never reads the bound exactly
    if (o.maxSeconds !== undefined && runSeconds > o.maxSeconds) this.stoppedBy ??= { kind: 'time', bound: o.maxSeconds };
    if (this.memory?.exceededAhead(count, (n) => this.store.growthBytes(n))) this.stoppedBy ??= { kind: 'memory', bound: this.memory.boundMB };
    if (o.signal?.aborted) this.stoppedBy ??= { kind: 'interrupted' };
    if (o.onProgress && count >= this.nextProgress) {
      this.nextProgress = count + (o.progressEvery ?? 65536);
      o.onProgress({
        states: count,
        transitions: this.transitions,
        frontier,
        depth: Math.max(0, this.depth),
        seconds,
        statesPerSecond: count / Math.max(seconds, 1e-9),
        memoryBytes: this.store.bytes(),
      });
    }
  }

  stats(): Stats {
    const seconds = this.seconds();
    const states = this.store.count;
    return {
      states,
      transitions: this.transitions,
      depth: Math.max(0, this.depth),
      seconds,
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, seconds is 0 only when the clock did not advance
      statesPerSecond: seconds > 0 ? states / seconds : states,
      bytesPerState: this.store.bytesPerState(),
      stateWords: this.system.stateWords,
      statesPerLevel: this.statesPerLevel(),
    };
  }

  /** The states stored at each depth; a last level still being filled counts what it holds, and an empty one is left out. */
  private statesPerLevel(): number[] {
    const bounds = [0, ...this.levelStarts, this.store.count];
    const out: number[] = [];
    for (let d = 1; d < bounds.length; d++) out.push(bounds[d]! - bounds[d - 1]!);
    while (out.length > 1 && out[out.length - 1] === 0) out.pop();
    return out;
  }

  result(): RawResult {
    const flags: FlagReport[] = [...this.findings.flags.values()]
      .sort((a, b) => b.code - a.code)
      .map((f) => ({ code: f.code, name: this.system.codeName(f.code), count: f.count, witness: { choices: this.store.pathTo(f.id) } }));
    const stats = this.stats();
    if (this.violation) {
      const { code, id } = this.violation;
      return { verdict: 'violation', code, property: this.system.codeName(code), path: { choices: this.store.pathTo(id) }, stats, flags };
    }
    if (this.stoppedBy) return { verdict: 'incomplete', stoppedBy: this.stoppedBy, stats, flags };
    return { verdict: 'pass', stats, flags };
  }
}

/**
 * The states stored by the end of each level 0..`depth`, from the parent links of states stored
 * in breadth-first order (a parent always precedes its children): what `beginLevel` recorded
 * before a checkpoint.
 */
function levelEnds(parents: Int32Array, depth: number): number[] {
  const depthOf = new Int32Array(parents.length);
  const ends = new Array<number>(Math.max(0, depth + 1)).fill(0);
  for (let id = 0; id < parents.length; id++) {
    const p = parents[id]!;
    const d = (depthOf[id] = p < 0 ? 0 : depthOf[p]! + 1);
    if (d <= depth) ends[d]!++;
  }
  for (let d = 1; d <= depth; d++) ends[d]! += ends[d - 1]!;
  return ends;
}

/** The cost of a path of cost `parent` extended by a transition of cost `step` (saturating). */
export function pathCost(parent: number, step: number): number {
  return Math.min(MAX_TIE_COST, parent + step);
}

/**
 * Expands states in-process until the run ends, or until a level boundary at which at least
 * `until` states are stored (where a parallel run starts its workers, and later hands over to them).
 *
 * States are expanded in groups of EXPAND_GROUP of one level. Their successors are buffered,
 * then all their table slots are touched, then they are looked up and inserted in the order
 * they were generated, exactly as one by one. On a large state space every lookup is a cache
 * miss; touched together the misses overlap instead of each stalling the expansion.
 */
export async function expandInProcess(x: Exploration, until = Infinity): Promise<void> {
  const out = new Int32Array(x.system.stateWords);
  const buf = new SuccessorBuffer(x.system);
  while (!x.done) {
    const batchEnd = Math.min(x.store.count, x.next + BATCH);
    while (x.next < batchEnd && !x.done) {
      if (x.atLevelStart) {
        if (x.store.count >= until) return;
        if (!x.beginLevel()) return;
      }
      const groupEnd = Math.min(x.levelEnd, x.next + EXPAND_GROUP);
      buf.length = 0;
      while (x.next < groupEnd) x.endState(buf.expand(x.store, x.next), buf.state);
      buf.prepareLookups(x.store);
      for (let i = 0; i < buf.length; i++) x.addBuffered(buf, i, out);
    }
    await x.betweenBatches();
    if (!x.done) x.saveIfDue(() => x.snapshot());
  }
}

/**
 * Breadth-first exploration of `system` with parent links, so every counterexample is a
 * shortest one (see `Exploration` for how the violation is chosen). Counts flags (negative
 * codes) with a shortest witness each. Yields to the event loop between batches so that
 * Ctrl-C can abort it.
 */
export async function explore(system: TransitionSystem, options: ExploreOptions = {}): Promise<RawResult> {
  const x = new Exploration(system, options);
  await expandInProcess(x);
  x.saveIfStopped(() => x.snapshot());
  return x.result();
}
