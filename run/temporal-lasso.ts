import { replay } from '../checker/replay.js';
import type { RseqSystem } from '../models/system/rseq-system.js';

/** A lasso as choices (replay.ts format) of one system: the stem, then the cycle back to the state at `loopStart`. */
export interface Lasso {
  readonly choices: number[];
  readonly loopStart: number;
}

/**
 * Turns a lasso found in the reduced temporal system (`stem`, then `cycle` back to the stem's
 * last state; kept modulo CPU renamings and with unread ghosts cleared, RseqSystem.quotient)
 * into one of `concrete`, the same system without those two reductions. Each step is the first
 * concrete successor whose representative is the next reduced state (as concretize.ts does for
 * safety). Around the cycle that comes back to a state with the same representative as where
 * the cycle began, not necessarily to it (CPUs renamed, or ghosts of another last step); the
 * cycle is followed again, turn after turn, until a turn ends in a state where an earlier turn
 * began. That state is the concrete cycle's start, and the turns before it join the stem.
 * From the second turn start on, each is reached by the cycle's last step (same ghosts) with
 * the records those steps touched in canonical form (the others as at the first), so it is one
 * of the |CPUs|! renamings of the representative; the first may differ from all of them (an
 * initial state, whose records are not yet in canonical form, or the stem's ghosts). So some
 * turn start repeats within |CPUs|! + 1 turns. Every turn passes the same atom values,
 * automaton states and fairness marks as the reduced cycle (the reductions keep them all:
 * models/system/cpu-symmetry.ts, transition-ghosts.ts), so the concrete cycle is accepting and
 * fair too.
 */
export function concretizeLasso(reduced: RseqSystem, concrete: RseqSystem, stem: readonly number[], cycle: readonly number[]): Lasso {
  if (!reduced.quotient) return { choices: [...stem, ...cycle], loopStart: stem.length - 1 };
  // The reduced states along the stem, then around the cycle.
  const targets = replay(reduced, [...stem, ...cycle]).map((s) => s.state);
  const words = concrete.stateWords;
  const same = (a: Int32Array, b: Int32Array): boolean => {
    for (let i = 0; i < words; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const probe = new Int32Array(words);
  const out = new Int32Array(words);
  const matches = (target: Int32Array): boolean => {
    probe.set(out);
    reduced.representative(probe);
    return same(probe, target);
  };
  let index = 0;
  let cur: Int32Array | undefined;
  const choices: number[] = [];
  concrete.initialStates(out, () => {
    if (cur === undefined && matches(targets[0]!)) {
      cur = out.slice();
      choices.push(index);
    }
    index++;
  });
  /** The first successor of `cur` whose representative is `target`: its index is the next choice. */
  const step = (target: Int32Array): void => {
    let j = 0;
    let next: Int32Array | undefined;
    concrete.successors(cur!, out, () => {
      if (matches(target)) {
        next = out.slice();
        choices.push(j);
        return true;
      }
      j++;
      return false;
    });
    if (!next) throw new Error('internal: a reduced lasso step has no concrete counterpart');
    cur = next;
  };
  if (cur === undefined) throw new Error('internal: a reduced initial state has no concrete counterpart');
  for (let i = 1; i < stem.length; i++) step(targets[i]!);
  if (cycle.length === 0) return { choices, loopStart: stem.length - 1 };
  const turnStarts = [cur];
  const maxTurns = factorial(reduced.cpuSymmetric ? reduced.ir.cpus.length : 1) + 1;
  for (let turn = 1; turn <= maxTurns; turn++) {
    for (let i = stem.length; i < targets.length; i++) step(targets[i]!);
    const back = turnStarts.findIndex((s) => same(s, cur!));
    if (back >= 0) return { choices, loopStart: stem.length - 1 + back * cycle.length };
    turnStarts.push(cur);
  }
  throw new Error(`internal: a reduced cycle did not close in the concrete system within ${maxTurns} turns`);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}
