/**
 * The transitions of the product of a TransitionSystem with a Büchi automaton, as every cycle
 * search reads them (semantics in cycles.ts): (s0, q) for each initial system state s0 and each
 * q the automaton's initial states step to on reading it; (s, q) moves to (s', q') for each
 * system successor s' and each q' that `step(q, s')` emits; a system state without successors
 * stutters (moves to itself, with no choice index and no label).
 */
import type { TransitionSystem } from '../transition-system.js';

/** A Büchi automaton seen through its transition function, so checker/ need not know formulas. */
export interface ProductSpec {
  readonly buchiStates: number;
  readonly initial: readonly number[];
  readonly accepting: readonly boolean[];
  /** Successors of automaton state q reading system state s: calls emit(q2) for each. Must not modify `s`. */
  step(q: number, s: Int32Array, emit: (q2: number) => void): void;
}

/** The choice index and label of a stutter step (a deadlocked system state repeating). */
export const STUTTER = -1;

/** Calls `emit(s0, q, choice)` for each initial product state; `choice` is the initial system state's index. */
export function productInitialStates(system: TransitionSystem, spec: ProductSpec, out: Int32Array, emit: (s0: Int32Array, q: number, choice: number) => void): void {
  let index = 0;
  system.initialStates(out, () => {
    const choice = index++;
    for (const q0 of spec.initial) spec.step(q0, out, (q) => emit(out, q, choice));
  });
}

/**
 * Calls `emit(to, q2, choice, label)` for each product successor of (s, q): `to` is the system
 * successor (in `out`, or `s` itself for a stutter), `choice` its successor index. `stop()` is
 * asked after each system successor; true ends the enumeration.
 */
export function productSuccessors(
  system: TransitionSystem,
  spec: ProductSpec,
  s: Int32Array,
  q: number,
  out: Int32Array,
  emit: (to: Int32Array, q2: number, choice: number, label: number) => void,
  stop: () => boolean,
): void {
  let j = 0;
  system.successors(s, out, (label) => {
    const choice = j++;
    spec.step(q, out, (q2) => emit(out, q2, choice, label));
    return stop();
  });
  if (j === 0) spec.step(q, s, (q2) => emit(s, q2, STUTTER, STUTTER));
}
