/** Hand-sized transition systems the engine tests share (their counts are worked out by hand). */
import type { TransitionSystem } from '../../checker/transition-system.js';

/** How a hand-drawn system judges its states: `inspect`, `terminal` (none by default), `codeName`, and optionally `tieCost`. */
type Judged = Pick<TransitionSystem, 'inspect' | 'codeName'> & Partial<Pick<TransitionSystem, 'terminal' | 'tieCost'>>;

/**
 * A hand-drawn graph of one-word states from `initial` (state 0 by default; repeats allowed):
 * `next(s)` lists the [successor, label] pairs of s, emitted in that order, until the search
 * says stop.
 */
export function drawnGraph(next: (s: number) => readonly (readonly [number, number])[], judged: Judged, initial: readonly number[] = [0]): TransitionSystem {
  return {
    stateWords: 1,
    initialStates(out, emit) {
      for (const s of initial) {
        out[0] = s;
        emit();
      }
    },
    successors(s, out, emit) {
      for (const [to, label] of next(s[0]!)) {
        out[0] = to;
        if (emit(label)) return;
      }
    },
    terminal: () => 0,
    ...judged,
  };
}

/**
 * A counter 0..n with steps +1 and +2 (in that order): `bad` violates on inspection (code 1),
 * `badEnd` violates as an end state (code 2, judged by `terminal`).
 */
export function counter(n: number, bad: number, badEnd = -1): TransitionSystem {
  return drawnGraph((s) => [1, 2].filter((d) => s + d <= n).map((d) => [s + d, d] as const), {
    inspect: (s) => (s[0] === bad ? 1 : 0),
    terminal: (s) => (s[0] === badEnd ? 2 : 0),
    codeName: (c) => (c === 1 ? 'bad' : c === 2 ? 'bad end' : 'ok'),
  });
}

/** The chain 0 -> 1 -> ... -> last, each step labelled 0; `terminal` judges the states it reaches. */
export function chain(last: number, terminal: (s: Int32Array) => number = () => 0): TransitionSystem {
  return drawnGraph((s) => (s < last ? [[s + 1, 0]] : []), { inspect: () => 0, terminal, codeName: () => '' });
}

/**
 * Two shortest ways from 0 to the violating state 3 (code 1), found in this order:
 * 0 -(event)-> 1 -(step)-> 3 and 0 -(step)-> 2 -(step)-> 3. Labels are the tie costs: 1 for
 * the event, 0 for a step. With `deeper`, state 3 leads on to 4, the violating end state
 * (code 2), so the cheaper link of 3 matters to the trace of a deeper state too.
 */
export function eventDiamond(deeper = false): TransitionSystem {
  const next: Record<number, [number, number][]> = { 0: [[1, 1], [2, 0]], 1: [[3, 0]], 2: [[3, 0]], 3: deeper ? [[4, 0]] : [] };
  return drawnGraph((s) => next[s] ?? [], {
    inspect: (s) => (!deeper && s[0] === 3 ? 1 : 0),
    terminal: (s) => (s[0] === 4 ? 2 : 0),
    tieCost: (label) => label,
    codeName: (c) => (c === 1 ? 'bad' : c === 2 ? 'bad end' : 'ok'),
  });
}

/** A binary tree of `n` states: s leads to 2s+1 and 2s+2 (labels 1 and 2); `bad` violates on inspection (code 1). */
export function binaryTree(n: number, bad: number): TransitionSystem {
  return drawnGraph((s) => [1, 2].filter((c) => 2 * s + c < n).map((c) => [2 * s + c, c] as const), {
    inspect: (s) => (s[0] === bad ? 1 : 0),
    codeName: (c) => (c === 1 ? 'bad' : 'ok'),
  });
}
