/**
 * The product steps every cycle search reads (checker/graph/product-steps.ts), called directly
 * on a hand-drawn system and a small automaton: which (state, automaton state, choice, label)
 * tuples come out, in which order.
 */
import { describe, expect, it } from 'vitest';
import { productInitialStates, productSuccessors, STUTTER, type ProductSpec } from '../../checker/graph/product-steps.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { drawnGraph } from './toy-systems.js';

/** 0 -> 1 (label 7), 0 -> 2 (label 8); 1 and 2 have no successors. Initial states 1 and 2. */
const system: TransitionSystem = drawnGraph(
  (s) =>
    s === 0
      ? [
          [1, 7],
          [2, 8],
        ]
      : [],
  { inspect: () => 0, codeName: () => '' },
  [1, 2],
);

/**
 * Three automaton states, initial 0 and 2: from q, reading state s, it moves to q + s and, when
 * q is 0, also to 2 (so a step can emit one or two automaton states).
 */
const spec: ProductSpec = {
  buchiStates: 3,
  initial: [0, 2],
  accepting: [false, false, true],
  step(q, s, emit) {
    emit(q + s[0]!);
    if (q === 0) emit(2);
  },
};

type Step = [state: number, q: number, choice: number, label: number];

/** Every product successor of (s, q), and how many times `stop` was asked; `stopAfter` successors of the system end it. */
function successors(s: number, q: number, stopAfter = Infinity): { steps: Step[]; asked: number } {
  const steps: Step[] = [];
  let asked = 0;
  productSuccessors(system, spec, Int32Array.of(s), q, new Int32Array(1), (to, q2, choice, label) => steps.push([to[0]!, q2, choice, label]), () => ++asked >= stopAfter);
  return { steps, asked };
}

describe('productInitialStates: each initial system state with each automaton state its initial states step to', () => {
  it('numbers the initial system states 0, 1, ... as choices', () => {
    const got: [number, number, number][] = [];
    productInitialStates(system, spec, new Int32Array(1), (s0, q, choice) => got.push([s0[0]!, q, choice]));
    // State 1 (choice 0): from q0 0 to 1 and 2, from q0 2 to 3. State 2 (choice 1): 2, 2, 4.
    expect(got).toEqual([
      [1, 1, 0],
      [1, 2, 0],
      [1, 3, 0],
      [2, 2, 1],
      [2, 2, 1],
      [2, 4, 1],
    ]);
  });
});

describe('productSuccessors: system successors with their choice index and label', () => {
  it('steps the automaton on each successor, numbering the successors 0, 1, ...', () => {
    expect(successors(0, 0)).toEqual({
      steps: [
        [1, 1, 0, 7],
        [1, 2, 0, 7],
        [2, 2, 1, 8],
        [2, 2, 1, 8],
      ],
      asked: 2,
    });
  });

  it('asks stop after each system successor, and ends at the first true', () => {
    expect(successors(0, 1, 1)).toEqual({ steps: [[1, 2, 0, 7]], asked: 1 });
  });

  it('a state without successors stutters: itself, with no choice and no label', () => {
    expect(STUTTER).toBe(-1);
    expect(successors(2, 0)).toEqual({
      steps: [
        [2, 2, STUTTER, STUTTER],
        [2, 2, STUTTER, STUTTER],
      ],
      asked: 0,
    });
  });
});
