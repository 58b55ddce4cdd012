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
import { IntStack, ProductStore } from './product-store.js';
import { productInitialStates, productSuccessors, STUTTER, type ProductSpec } from './product-steps.js';
import type { Limit } from '../result.js';
import { MemoryBound } from '../memory-bound.js';
import type { Progress } from '../options.js';


export interface CycleSearchOptions {
  /** Stop (incomplete) once more than this many product states are stored. @defaultValue unlimited */
  readonly maxStates?: number;
  /** Stop (incomplete) after this many seconds. @defaultValue unlimited */
  readonly maxSeconds?: number;
  /** Stop (incomplete) before the process's resident size would exceed this many megabytes. @defaultValue unlimited */
  readonly maxMemoryMB?: number;
  /** Aborting it stops the search (incomplete, "interrupted"); checked between expansions. */
  readonly signal?: AbortSignal;
  /** Called at every check of the limits. */
  readonly onProgress?: (p: Progress) => void;
}

/**
 * Expansions between checks of the clock, the memory bound and the abort signal: an expansion of
 * an rseq product state can take a tenth of a millisecond, so a signal is seen within ~0.1 s.
 */
const CHECK_EVERY = 1 << 10;

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

const WHITE = 0;
/** On the blue (outer) DFS stack. */
const CYAN = 1;
/** Finished by the blue search, not yet reached by a red search. */
const BLUE = 2;
/** Finished by the blue search and either an accepting seed or reached by a red search. */
const RED = 3;

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
  const run = nestedSearch(system, spec, options);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/**
 * `findAcceptingCycle`, turning the event loop at every check of the limits, so that aborting
 * `options.signal` (a signal handler, a timer) can stop it.
 */
export async function searchAcceptingCycle(system: TransitionSystem, spec: ProductSpec, options: CycleSearchOptions = {}): Promise<CycleResult> {
  const run = nestedSearch(system, spec, options);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The nested DFS; it yields where the caller may turn the event loop before the abort signal is read. */
function* nestedSearch(system: TransitionSystem, spec: ProductSpec, options: CycleSearchOptions): Generator<void, CycleResult> {
  const W = system.stateWords;
  const store = new ProductStore(W + 1);
  let colors = new Uint8Array(1024);
  const colorOf = (id: number): number => colors[id] ?? WHITE;
  const setColor = (id: number, c: number): void => {
    if (id >= colors.length) {
      const grown = new Uint8Array(Math.max(colors.length * 2, id + 1));
      grown.set(colors);
      colors = grown;
    }
    colors[id] = c;
  };
  const key = new Int32Array(W + 1);
  const out = new Int32Array(W);
  const cur = new Int32Array(W + 1);
  const curSystem = cur.subarray(0, W);
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  // Stryker disable next-line ConditionalExpression: equivalent, a bound of undefined MB is NaN bytes, which no resident size exceeds
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  let stoppedBy: Limit | undefined;
  let transitions = 0;
  // The limits are first checked at the first expansion (a signal may be aborted already).
  let expansions = CHECK_EVERY;

  const add = (s: Int32Array, q: number, choice: number, ids: IntStack, choices: IntStack): void => {
    key.set(s);
    key[W] = q;
    ids.push(store.intern(key));
    choices.push(choice);
    if (store.size > maxStates) stoppedBy ??= { kind: 'states', bound: maxStates };
  };

  /** Pushes every product successor of `id` onto `ids`/`choices`. */
  const expand = (id: number, ids: IntStack, choices: IntStack): void => {
    store.load(id, cur);
    productSuccessors(system, spec, curSystem, cur[W]!, out, (to, q2, choice) => add(to, q2, choice, ids, choices), () => stoppedBy !== undefined);
    expansions++;
  };

  const accepting = (id: number): boolean => spec.accepting[store.automatonState(id)] === true;
  const counts = (): Counts => ({ states: store.size, transitions });
  const incomplete = (by: Limit): CycleResult => ({ verdict: 'incomplete', stoppedBy: by, ...counts() });
  const bytes = (): number => store.bytes() + colors.length;

  /** Every CHECK_EVERY expansions: the clock, the memory bound, the abort signal (after a turn of the event loop), progress; sets `stoppedBy`. */
  function* checkLimits(depth: number): Generator<void, void> {
    expansions = 0;
    const seconds = (performance.now() - start) / 1000;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, without maxSeconds `seconds > undefined` is false; the clock is never read at exactly the bound
    if (options.maxSeconds !== undefined && seconds > options.maxSeconds) stoppedBy ??= { kind: 'time', bound: options.maxSeconds };
    if (memory?.exceededAhead(store.size, (n) => store.growthBytes(n) + n)) stoppedBy ??= { kind: 'memory', bound: memory.boundMB };
    if (options.signal) {
      yield;
      if (options.signal.aborted) stoppedBy ??= { kind: 'interrupted' };
    }
    options.onProgress?.({ states: store.size, transitions, frontier: 0, depth, seconds, statesPerSecond: store.size / Math.max(seconds, 1e-9), memoryBytes: bytes() });
  }

  const roots = new IntStack();
  const rootChoices = new IntStack();
  productInitialStates(system, spec, out, (s0, q, choice) => add(s0, q, choice, roots, rootChoices));

  const blue = new IntStack();
  let blueDepth = 0;
  const blueIds = new IntStack();
  const blueChoices = new IntStack();
  const pushBlue = (id: number, choice: number): void => {
    setColor(id, CYAN);
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
    // Stryker disable next-line ArithmeticOperator: equivalent, F_ID is 0
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
  function* redSearch(seed: number): Generator<void, CycleResult | undefined> {
    let depth = 0;
    pushFrame(red, depth++, seed, STUTTER, 0);
    redIds.length = 0;
    redChoices.length = 0;
    expand(seed, redIds, redChoices);
    // Stryker disable next-line EqualityOperator: equivalent, a pass at depth 0 finds no check due and no stop (the last pass checked, nothing expanded since), reads frame -1 as undefined and only sets the red successor stacks' length, which the next red search resets
    while (depth > 0) {
      // Generators cost an allocation: only every CHECK_EVERY expansions.
      if (expansions >= CHECK_EVERY) yield* checkLimits(blueDepth + depth);
      if (stoppedBy) return incomplete(stoppedBy);
      const f = (depth - 1) * FRAME;
      const cursor = red.get(f + F_CURSOR);
      if (cursor < redIds.length) {
        red.set(f + F_CURSOR, cursor + 1);
        const t = redIds.get(cursor);
        const color = colorOf(t);
        // Fairness constraints would be checked here (and at the blue report below).
        if (color === CYAN) return lasso(t, redChoices.get(cursor), depth);
        if (color === BLUE) {
          setColor(t, RED);
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
  }

  for (let r = 0; r < roots.length; r++) {
    if (stoppedBy) return incomplete(stoppedBy);
    const root = roots.get(r);
    if (colorOf(root) !== WHITE) continue;
    pushBlue(root, rootChoices.get(r));
    while (blueDepth > 0) {
      if (expansions >= CHECK_EVERY) yield* checkLimits(blueDepth);
      if (stoppedBy) return incomplete(stoppedBy);
      const f = (blueDepth - 1) * FRAME;
      // Stryker disable next-line ArithmeticOperator: equivalent, F_ID is 0
      const s = blue.get(f + F_ID);
      const cursor = blue.get(f + F_CURSOR);
      if (cursor < blueIds.length) {
        blue.set(f + F_CURSOR, cursor + 1);
        transitions++;
        const t = blueIds.get(cursor);
        const color = colorOf(t);
        if (color === CYAN && (accepting(s) || accepting(t))) return lasso(t, blueChoices.get(cursor), 0);
        if (color === WHITE) pushBlue(t, blueChoices.get(cursor));
      } else {
        if (accepting(s)) {
          const found = yield* redSearch(s);
          if (found) return found;
          setColor(s, RED);
        } else {
          setColor(s, BLUE);
        }
        blueIds.length = blueChoices.length = blue.get(f + F_START);
        blueDepth--;
      }
    }
  }
  return stoppedBy ? incomplete(stoppedBy) : { verdict: 'pass', ...counts() };
}

function pushFrame(stack: IntStack, depth: number, id: number, choice: number, start: number): void {
  stack.length = depth * FRAME;
  stack.push(id);
  stack.push(choice);
  stack.push(start);
  stack.push(start);
}
