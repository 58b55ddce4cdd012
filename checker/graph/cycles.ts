/**
 * Accepting-cycle search on the product of a `TransitionSystem` with a Büchi automaton: the
 * engine of LTL checking. The automaton is the one of the *negated* property, so an accepting
 * cycle is a counterexample (a lasso: a stem followed by a cycle repeated forever).
 *
 * Product semantics. The automaton reads the sequence of system states s0 s1 s2 ... starting
 * with the initial state: product states are pairs (s, q) where q has already read s. The
 * initial product states are (s0, q) for every initial system state s0 and every q that
 * `step(q0, s0)` emits from an automaton initial state q0; (s, q) moves to (s', q') for every
 * system successor s' of s and every q' that `step(q, s')` emits. (s, q) is accepting iff q is.
 *
 * Deadlock and termination. A system state without successors is treated as stuttering forever
 * (an implicit self-loop), so properties are judged on the infinite word that repeats the final
 * state. A stutter step has no successor index, so it is left out of the choice paths: a cycle
 * that stutters is reported as an empty `cycle` whose loop is the final state itself.
 *
 * `inspect` and `terminal` codes are not consulted: safety violations are explore.ts's business.
 */
import type { TransitionSystem } from '../transition-system.js';
import { hashWords } from '../state-store.js';
import type { Limit } from '../result.js';

/** A Büchi automaton seen through its transition function, so checker/ need not know formulas. */
export interface ProductSpec {
  readonly buchiStates: number;
  readonly initial: readonly number[];
  readonly accepting: readonly boolean[];
  /** Successors of automaton state q reading system state s: calls emit(q2) for each. Must not modify `s`. */
  step(q: number, s: Int32Array, emit: (q2: number) => void): void;
}

export interface CycleSearchOptions {
  /** Stop (incomplete) once more than this many product states are stored. @defaultValue unlimited */
  readonly maxStates?: number;
}

interface Counts {
  /** Product states stored. */
  readonly states: number;
  /** Product transitions followed by the outer (blue) search. */
  readonly transitions: number;
}

export type CycleResult =
  | ({ readonly verdict: 'pass' } & Counts)
  | ({ readonly verdict: 'incomplete'; readonly stoppedBy: Limit } & Counts)
  | ({
      readonly verdict: 'violation';
      /** Choice path (replay.ts format) from an initial state to the first state of the cycle. */
      readonly stem: number[];
      /** Successor indices leading from that state around the cycle back to it; empty if it stutters. */
      readonly cycle: number[];
      /**
       * Index in the states replayed from `[...stem, ...cycle]` where the cycle begins
       * (`stem.length - 1`); the state there equals the last replayed state.
       */
      readonly loopStart: number;
    } & Counts);

/** Marks a stutter step (a deadlocked system state repeating) in the internal choice records. */
const STUTTER = -1;

const WHITE = 0;
/** On the blue (outer) DFS stack. */
const CYAN = 1;
/** Finished by the blue search, not yet reached by a red search. */
const BLUE = 2;
/** Finished by the blue search and either an accepting seed or reached by a red search. */
const RED = 3;

const CHUNK_LOG2 = 14;
const CHUNK = 1 << CHUNK_LOG2;

/** Product states (system words, then the automaton state) in a chunked arena, with an open-addressing table and a colour per state. */
class ProductStore {
  private chunks: Int32Array[] = [];
  private table = new Int32Array(1 << 12);
  private mask = this.table.length - 1;
  private colors = new Uint8Array(1024);
  size = 0;

  constructor(readonly words: number) {}

  /** The id of the state in `key` (the first `words` words), storing a copy if it is new. */
  intern(key: Int32Array): number {
    const words = this.words;
    let slot = hashWords(key, 0, words) & this.mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) break;
      const id = entry - 1;
      const chunk = this.chunks[id >>> CHUNK_LOG2]!;
      const base = (id & (CHUNK - 1)) * words;
      let i = 0;
      while (i < words && chunk[base + i] === key[i]) i++;
      if (i === words) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    if (id >>> CHUNK_LOG2 === this.chunks.length) this.chunks.push(new Int32Array(CHUNK * words));
    this.chunks[id >>> CHUNK_LOG2]!.set(key.subarray(0, words), (id & (CHUNK - 1)) * words);
    this.table[slot] = id + 1;
    if (id >= this.colors.length) {
      const c = new Uint8Array(this.colors.length * 2);
      c.set(this.colors);
      this.colors = c;
    }
    if (this.size * 2 > this.table.length) this.grow();
    return id;
  }

  load(id: number, out: Int32Array): void {
    const base = (id & (CHUNK - 1)) * this.words;
    out.set(this.chunks[id >>> CHUNK_LOG2]!.subarray(base, base + this.words));
  }

  /** The automaton component (last word) of state `id`. */
  automatonState(id: number): number {
    return this.chunks[id >>> CHUNK_LOG2]![(id & (CHUNK - 1)) * this.words + this.words - 1]!;
  }

  color(id: number): number {
    return this.colors[id]!;
  }

  setColor(id: number, c: number): void {
    this.colors[id] = c;
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
class IntStack {
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

/** Fields of a DFS frame, stored `FRAME` ints per frame. */
const FRAME = 4;
const F_ID = 0;
/** Successor index that led to the frame's state (initial-state index for a root, STUTTER for a stutter). */
const F_CHOICE = 1;
/** Where the frame's successors begin in the successor buffers (they end at the buffer top while the frame is on top). */
const F_START = 2;
const F_CURSOR = 3;

/**
 * Searches the product for a reachable accepting cycle with the nested depth-first search of
 * Courcoubetis, Vardi, Wolper and Yannakakis in the form of Schwoon and Esparza (2005): four
 * colours, a cycle is reported as soon as the blue search closes a cycle through an accepting
 * state on its stack, and a red search stops at any state on the blue stack (every such state
 * reaches the seed). Both searches use explicit stacks, so depth is limited by memory only.
 * Each product state is expanded at most twice (once per colour search).
 *
 * Fairness would plug in where cycles are reported below: nested DFS can only confirm that
 * *some* accepting cycle exists, so weak or strong fairness constraints (e.g. "every runnable
 * thread is eventually scheduled") would need either a fairness-aware automaton product or an
 * SCC-based search that checks each accepting SCC against the constraints.
 */
export function findAcceptingCycle(system: TransitionSystem, spec: ProductSpec, options: CycleSearchOptions = {}): CycleResult {
  const W = system.stateWords;
  const store = new ProductStore(W + 1);
  const key = new Int32Array(W + 1);
  const out = new Int32Array(W);
  const cur = new Int32Array(W + 1);
  const curSystem = cur.subarray(0, W);
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  let overflow = false;
  let transitions = 0;

  const add = (s: Int32Array, q: number, choice: number, ids: IntStack, choices: IntStack): void => {
    key.set(s);
    key[W] = q;
    ids.push(store.intern(key));
    choices.push(choice);
    if (store.size > maxStates) overflow = true;
  };

  /** Pushes every product successor of `id` onto `ids`/`choices`. */
  const expand = (id: number, ids: IntStack, choices: IntStack): void => {
    store.load(id, cur);
    const q = cur[W]!;
    let j = 0;
    system.successors(curSystem, out, () => {
      const choice = j++;
      spec.step(q, out, (q2) => add(out, q2, choice, ids, choices));
      return overflow;
    });
    if (j === 0) spec.step(q, curSystem, (q2) => add(curSystem, q2, STUTTER, ids, choices));
  };

  const accepting = (id: number): boolean => spec.accepting[store.automatonState(id)] === true;
  const counts = (): Counts => ({ states: store.size, transitions });
  const incomplete = (): CycleResult => ({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: maxStates }, ...counts() });

  const roots = new IntStack();
  const rootChoices = new IntStack();
  let initialIndex = 0;
  system.initialStates(out, () => {
    const choice = initialIndex++;
    for (const q0 of spec.initial) spec.step(q0, out, (q) => add(out, q, choice, roots, rootChoices));
  });

  const blue = new IntStack();
  let blueDepth = 0;
  const blueIds = new IntStack();
  const blueChoices = new IntStack();
  const pushBlue = (id: number, choice: number): void => {
    store.setColor(id, CYAN);
    const start = blueIds.length;
    expand(id, blueIds, blueChoices);
    pushFrame(blue, blueDepth++, id, choice, start);
  };

  const red = new IntStack();
  const redIds = new IntStack();
  const redChoices = new IntStack();

  /**
   * The lasso closed by the edge (last state on the blue stack, or on the red stack when
   * `redDepth` > 0) --`closingChoice`--> `target`, a state on the blue stack.
   */
  const lasso = (target: number, closingChoice: number, redDepth: number): CycleResult => {
    let at = blueDepth - 1;
    while (blue.get(at * FRAME + F_ID) !== target) at--;
    const stem: number[] = [];
    const cycle: number[] = [];
    for (let k = 0; k <= at; k++) stem.push(blue.get(k * FRAME + F_CHOICE));
    for (let k = at + 1; k < blueDepth; k++) cycle.push(blue.get(k * FRAME + F_CHOICE));
    // Red frame 0 is the seed, already the top of the blue stack.
    for (let k = 1; k < redDepth; k++) cycle.push(red.get(k * FRAME + F_CHOICE));
    cycle.push(closingChoice);
    // Stutters happen only at a deadlocked state, which never changes again: dropping them keeps
    // the replayed stem ending at the loop state and the replayed cycle returning to it.
    const s = stem.filter((c) => c !== STUTTER);
    const c = cycle.filter((x) => x !== STUTTER);
    return { verdict: 'violation', stem: s, cycle: c, loopStart: s.length - 1, ...counts() };
  };

  /** Red search from accepting `seed` (top of the blue stack): a violation, or undefined. */
  const redSearch = (seed: number): CycleResult | undefined => {
    let depth = 0;
    pushFrame(red, depth++, seed, STUTTER, 0);
    redIds.length = 0;
    redChoices.length = 0;
    expand(seed, redIds, redChoices);
    while (depth > 0) {
      const f = (depth - 1) * FRAME;
      const cursor = red.get(f + F_CURSOR);
      if (cursor < redIds.length) {
        red.set(f + F_CURSOR, cursor + 1);
        const t = redIds.get(cursor);
        const color = store.color(t);
        // Fairness constraints would be checked here (and at the blue report below).
        if (color === CYAN) return lasso(t, redChoices.get(cursor), depth);
        if (color === BLUE) {
          store.setColor(t, RED);
          const start = redIds.length;
          expand(t, redIds, redChoices);
          pushFrame(red, depth++, t, redChoices.get(cursor), start);
        }
      } else {
        redIds.length = redChoices.length = red.get(f + F_START);
        depth--;
      }
    }
    return undefined;
  };

  for (let r = 0; r < roots.length; r++) {
    if (overflow) return incomplete();
    const root = roots.get(r);
    if (store.color(root) !== WHITE) continue;
    pushBlue(root, rootChoices.get(r));
    while (blueDepth > 0) {
      if (overflow) return incomplete();
      const f = (blueDepth - 1) * FRAME;
      const s = blue.get(f + F_ID);
      const cursor = blue.get(f + F_CURSOR);
      if (cursor < blueIds.length) {
        blue.set(f + F_CURSOR, cursor + 1);
        transitions++;
        const t = blueIds.get(cursor);
        const color = store.color(t);
        if (color === CYAN && (accepting(s) || accepting(t))) return lasso(t, blueChoices.get(cursor), 0);
        if (color === WHITE) pushBlue(t, blueChoices.get(cursor));
      } else {
        if (accepting(s)) {
          const found = redSearch(s);
          if (found) return found;
          store.setColor(s, RED);
        } else {
          store.setColor(s, BLUE);
        }
        blueIds.length = blueChoices.length = blue.get(f + F_START);
        blueDepth--;
      }
    }
  }
  return overflow ? incomplete() : { verdict: 'pass', ...counts() };
}

function pushFrame(stack: IntStack, depth: number, id: number, choice: number, start: number): void {
  stack.length = depth * FRAME;
  stack.push(id);
  stack.push(choice);
  stack.push(start);
  stack.push(start);
}
