/**
 * One worker's part of the multi-core nested depth-first search CNDFS (Evangelista, Laarman,
 * Petrucci and van de Pol, ATVA 2012), on the product of checker/graph/cycles.ts (same product
 * semantics, same lasso format). Every worker runs a whole nested DFS from the initial states,
 * each in its own successor order; they share the store and two colours per state:
 *
 *  - blue: the state is backtracked by some worker's blue search;
 *  - red: no accepting cycle passes through the state (a red search from an accepting seed
 *    covered it and every accepting state it met is red too).
 *
 * A worker's blue search skips blue and red states; its cyan states (on its own blue stack)
 * and pink states (met by its current red search) are its own. A red search from an accepting
 * seed reports a cycle when it meets the worker's own cyan state; when it ends, the worker waits
 * until every other accepting state it met is red (another worker's red search from there is
 * still running), then paints everything it met red. The blue search reports a cycle as soon as
 * an edge closes a cycle on its stack through an accepting state (early cycle detection, which
 * CNDFS's correctness relies on). When every worker has finished its blue search without a
 * cycle, there is none. Lassos are real paths whichever worker finds them; which lasso is found first
 * depends on the schedule.
 */
import type { ProductSpec } from './product-steps.js';
import { IntStack } from './product-store.js';
import { productInitialStates, productSuccessors, STUTTER } from './product-steps.js';
import { BLUE, COUNTED, Ctl, RED, SharedProductStore, StopReason } from './shared-product-store.js';
import type { TransitionSystem } from '../transition-system.js';

/** What one worker's search ended with, and the states it expanded in its blue and red searches. */
export type WorkerOutcome = (
  | { readonly kind: 'lasso'; readonly stem: number[]; readonly cycle: number[] }
  /** This worker finished without a cycle (a pass once every worker has). */
  | { readonly kind: 'done' }
  /** Another worker or the coordinating thread stopped the search. */
  | { readonly kind: 'stopped' }
) & { readonly expanded: { readonly blue: number; readonly red: number } };

type Ending = { readonly kind: 'lasso'; readonly stem: number[]; readonly cycle: number[] } | { readonly kind: 'done' } | { readonly kind: 'stopped' };

/** Fields of a DFS frame: the state, the choice that led to it, where its successors begin, the next one, accepting states on the stack up to it. */
const FRAME = 5;
const F_ID = 0;
const F_CHOICE = 1;
const F_START = 2;
const F_CURSOR = 3;
const F_ACCEPTING = 4;

/**
 * Runs worker `worker`'s search. Worker 0 takes successors in the system's order (so alone it
 * searches as cycles.ts does); the others in a pseudo-random order of their own.
 */
export function searchAsWorker(system: TransitionSystem, spec: ProductSpec, store: SharedProductStore, worker: number): WorkerOutcome {
  const W = system.stateWords;
  const key = new Int32Array(W + 1);
  const out = new Int32Array(W);
  const cur = new Int32Array(W + 1);
  const curSystem = cur.subarray(0, W);
  // Stryker disable next-line ArithmeticOperator: equivalent, any seed gives a valid order (the tests check that worker orders differ, not which they are)
  let random = (worker * 0x9e3779b9) | 1;
  const nextRandom = (): number => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return random >>> 0;
  };
  // Both start small and double as ids grow (so a test of a few hundred states grows them too).
  /** Position + 1 on this worker's blue stack while the state is cyan, else 0. */
  let stackPos = new Int32Array(16);
  /** 1 while the state is pink (met by the current red search). */
  let pink = new Uint8Array(16);
  const fit = (id: number): void => {
    // Stryker disable next-line ConditionalExpression: equivalent, a copy of the same length with the same contents
    if (id < stackPos.length) return;
    let n = stackPos.length;
    while (n <= id) n *= 2;
    const p = new Int32Array(n);
    p.set(stackPos);
    stackPos = p;
    const k = new Uint8Array(n);
    k.set(pink);
    pink = k;
  };
  const expanded = { blue: 0, red: 0 };
  const stopped = (): boolean => store.stopped !== 0;

  const add = (s: Int32Array, q: number, choice: number, ids: IntStack, choices: IntStack): void => {
    key.set(s);
    key[W] = q;
    // -1 (the search stops) is pushed too but never read: the loops check the stop first.
    const id = store.intern(key);
    fit(id);
    ids.push(id);
    choices.push(choice);
  };

  /** Pushes every product successor of `id` onto `ids`/`choices`, in this worker's order. */
  const expand = (id: number, ids: IntStack, choices: IntStack): void => {
    const start = ids.length;
    store.load(id, cur);
    productSuccessors(system, spec, curSystem, cur[W]!, out, (to, q2, choice) => add(to, q2, choice, ids, choices), stopped);
    // Each state's transitions are counted once, by its first expansion, blue or red: on a pass
    // every worker has finished, so every reachable state was expanded in full by some worker.
    if ((store.paint(id, COUNTED) & COUNTED) === 0) Atomics.add(store.control, Ctl.transitions, ids.length - start);
    if (worker === 0) return;
    // Stryker disable next-line EqualityOperator: equivalent, at i = start the swap is with itself
    for (let i = ids.length - 1; i > start; i--) {
      const k = start + (nextRandom() % (i - start + 1));
      const id2 = ids.get(i);
      const c2 = choices.get(i);
      ids.set(i, ids.get(k));
      choices.set(i, choices.get(k));
      ids.set(k, id2);
      choices.set(k, c2);
    }
  };

  const accepting = (id: number): boolean => spec.accepting[store.automatonState(id)] === true;

  const blue = new IntStack();
  let blueDepth = 0;
  const blueIds = new IntStack();
  const blueChoices = new IntStack();
  const pushBlue = (id: number, choice: number): void => {
    const start = blueIds.length;
    expand(id, blueIds, blueChoices);
    expanded.blue++;
    const below = blueDepth > 0 ? blue.get((blueDepth - 1) * FRAME + F_ACCEPTING) : 0;
    pushFrame(blue, blueDepth, id, choice, start, below + (accepting(id) ? 1 : 0));
    stackPos[id] = ++blueDepth;
  };

  const red = new IntStack();
  const redIds = new IntStack();
  const redChoices = new IntStack();
  /** The states the current red search met (R in the paper). */
  const met = new IntStack();

  /** The lasso closed by an edge --`closingChoice`--> the cyan state at blue frame `at`, from the top of the red stack when `redDepth` > 0. */
  const lasso = (at: number, closingChoice: number, redDepth: number): Ending => {
    const stem: number[] = [];
    const cycle: number[] = [];
    for (let k = 0; k <= at; k++) stem.push(blue.get(k * FRAME + F_CHOICE));
    for (let k = at + 1; k < blueDepth; k++) cycle.push(blue.get(k * FRAME + F_CHOICE));
    // Red frame 0 is the seed, already the top of the blue stack.
    for (let k = 1; k < redDepth; k++) cycle.push(red.get(k * FRAME + F_CHOICE));
    cycle.push(closingChoice);
    // Stryker disable next-line all: only a stop between this worker's last check and this claim (a race) reaches it
    if (!store.stop(StopReason.found)) return { kind: 'stopped' };
    // A stutter (at a deadlocked state, which never changes again) only ever closes a cycle: its
    // target is its source, already cyan or pink, so no frame is pushed by one (see cycles.ts).
    return { kind: 'lasso', stem, cycle: cycle.filter((c) => c !== STUTTER) };
  };

  /** Red search from accepting `seed` (top of the blue stack), then the wait and the red paint: a lasso, a stop, or undefined. */
  const redSearch = (seed: number): Ending | undefined => {
    let depth = 0;
    met.length = 0;
    met.push(seed);
    pink[seed] = 1;
    redIds.length = 0;
    redChoices.length = 0;
    expand(seed, redIds, redChoices);
    expanded.red++;
    pushFrame(red, depth++, seed, STUTTER, 0, 0);
    // Stryker disable next-line EqualityOperator: equivalent, a turn at depth 0 only resets the buffers the next red search resets
    while (depth > 0) {
      if (stopped()) return { kind: 'stopped' };
      const f = (depth - 1) * FRAME;
      const cursor = red.get(f + F_CURSOR);
      if (cursor < redIds.length) {
        red.set(f + F_CURSOR, cursor + 1);
        const t = redIds.get(cursor);
        const at = stackPos[t]!;
        // Every cyan state reaches the seed along the blue stack, and the seed is accepting.
        if (at > 0) return lasso(at - 1, redChoices.get(cursor), depth);
        if (pink[t] === 0 && (store.colorOf(t) & RED) === 0) {
          pink[t] = 1;
          met.push(t);
          const start = redIds.length;
          expand(t, redIds, redChoices);
          expanded.red++;
          pushFrame(red, depth++, t, redChoices.get(cursor), start, 0);
        }
      } else {
        redIds.length = redChoices.length = red.get(f + F_START);
        depth--;
      }
    }
    // Another worker's red search from an accepting state met here is still running: its
    // result decides whether the states met here are free of accepting cycles.
    for (let i = 1; i < met.length; i++) {
      const s = met.get(i);
      if (!accepting(s)) continue;
      while ((store.colorOf(s) & RED) === 0) {
        if (stopped()) return { kind: 'stopped' };
        store.safePoint();
        Atomics.wait(store.control, Ctl.stop, 0, 0.2);
      }
    }
    for (let i = 0; i < met.length; i++) {
      const s = met.get(i);
      store.paint(s, RED);
      pink[s] = 0;
    }
    return undefined;
  };

  const roots = new IntStack();
  const rootChoices = new IntStack();
  /** The blue search from every initial state, with the red searches nested in it. */
  const blueSearch = (): Ending => {
    productInitialStates(system, spec, out, (s0, q, choice) => add(s0, q, choice, roots, rootChoices));
    // Stryker disable next-line EqualityOperator: equivalent, one more turn meets a root already searched
    for (let r = 0; r < roots.length; r++) {
      const root = roots.get((r + worker) % roots.length);
      if ((store.colorOf(root) & (BLUE | RED)) !== 0) continue;
      pushBlue(root, rootChoices.get((r + worker) % roots.length));
      while (blueDepth > 0) {
        if (stopped()) return { kind: 'stopped' };
        const f = (blueDepth - 1) * FRAME;
        // Stryker disable next-line ArithmeticOperator: equivalent, F_ID is 0
        const s = blue.get(f + F_ID);
        const cursor = blue.get(f + F_CURSOR);
        if (cursor < blueIds.length) {
          blue.set(f + F_CURSOR, cursor + 1);
          const t = blueIds.get(cursor);
          const at = stackPos[t]!;
          if (at > 0) {
            // A cycle on the stack from t's frame to this one: accepting if an accepting state lies on it.
            const below = at > 1 ? blue.get((at - 2) * FRAME + F_ACCEPTING) : 0;
            if (blue.get(f + F_ACCEPTING) > below) return lasso(at - 1, blueChoices.get(cursor), 0);
          } else if ((store.colorOf(t) & (BLUE | RED)) === 0) {
            pushBlue(t, blueChoices.get(cursor));
          }
        } else {
          const start = blue.get(f + F_START);
          store.paint(s, BLUE);
          if (accepting(s)) {
            const found = redSearch(s);
            if (found) return found;
          }
          stackPos[s] = 0;
          blueIds.length = blueChoices.length = start;
          blueDepth--;
        }
      }
    }
    // This worker's search alone proves nothing: it skipped states another worker painted blue
    // while one of their successors was still cyan on that worker's stack, and that worker must
    // finish them. Stopping the others here left reachable states unvisited (1 pass in about 100
    // at 3 workers under load stored fewer states than the one-thread search). The search is a
    // pass once every worker is done: then no state is cyan and every reachable one is blue.
    return stopped() ? { kind: 'stopped' } : { kind: 'done' };
  };

  store.enter();
  try {
    return { ...blueSearch(), expanded };
  } finally {
    store.leave();
  }
}

function pushFrame(stack: IntStack, depth: number, id: number, choice: number, start: number, acceptingBelow: number): void {
  stack.length = depth * FRAME;
  stack.push(id);
  stack.push(choice);
  stack.push(start);
  stack.push(start);
  stack.push(acceptingBelow);
}
