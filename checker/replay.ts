import type { TransitionSystem } from './transition-system.js';

/** One replayed step: the label of the transition taken (undefined for the initial state) and the state reached. */
export interface ReplayedStep {
  readonly label: number | undefined;
  readonly state: Int32Array;
}

/** Thrown when a choice path does not fit the system (a stale or foreign token). */
class ReplayError extends Error {}

/**
 * Re-executes a choice path: the initial-state index, then one successor index per step.
 * Returns every state visited, so reports never need the explorer's store.
 */
export function replay(system: TransitionSystem, choices: readonly number[]): ReplayedStep[] {
  if (choices.length === 0) throw new ReplayError('empty path');
  const out = new Int32Array(system.stateWords);
  const steps: ReplayedStep[] = [];
  let i = 0;
  system.initialStates(out, () => {
    if (i++ === choices[0]) steps.push({ label: undefined, state: out.slice() });
  });
  if (steps.length === 0) throw new ReplayError(`no initial state ${choices[0]}`);
  for (let k = 1; k < choices.length; k++) {
    const from = steps[steps.length - 1]!.state;
    const want = choices[k]!;
    let j = 0;
    let found: ReplayedStep | undefined;
    system.successors(from, out, (label) => {
      if (j++ === want) {
        found = { label, state: out.slice() };
        // Stryker disable next-line BooleanLiteral: equivalent, stopping early only saves work (later successors never match `want`)
        return true;
      }
      return false;
    });
    if (!found) throw new ReplayError(`step ${k}: no successor ${want}`);
    steps.push(found);
  }
  return steps;
}
