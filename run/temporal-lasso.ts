import { replay } from '../checker/replay.js';
import { concretize } from '../models/system/concretize.js';
import type { RseqSystem } from '../models/system/rseq-system.js';

/** A lasso as choices (replay.ts format) of one system: the stem, then the cycle back to the state at `loopStart`. */
export interface Lasso {
  readonly choices: number[];
  readonly loopStart: number;
}

/**
 * Turns a lasso found in the CPU-symmetry-reduced temporal system (`stem`, then `cycle` back
 * to the stem's last state) into one of `concrete`, the same system without the symmetry.
 * Each step is the first concrete successor whose canonical form is the next representative
 * (concretize.ts). Around the cycle that comes back to a renaming of where the cycle began,
 * not necessarily to it; the cycle is followed again, turn after turn, until a turn ends in a
 * state where an earlier turn began. That state is the concrete cycle's start, and the turns
 * before it join the stem. Every turn start canonicalizes to the same representative; from
 * the second on each is a state some steps reached, whose records those steps left in canonical
 * form (the others are as they were at the first), so it is one of the |CPUs|! renamings of the
 * representative; the first may be an initial state, whose records are not yet in canonical
 * form. So some turn start repeats within |CPUs|! + 1 turns. Every turn passes the
 * same atom values, automaton states and fairness marks as the reduced cycle (a renaming keeps
 * them all: models/system/cpu-symmetry.ts), so the concrete cycle is accepting and fair too.
 */
export function concretizeLasso(reduced: RseqSystem, concrete: RseqSystem, stem: readonly number[], cycle: readonly number[]): Lasso {
  if (!reduced.symmetric) return { choices: [...stem, ...cycle], loopStart: stem.length - 1 };
  const choices = concretize(reduced, concrete, stem);
  if (cycle.length === 0) return { choices, loopStart: stem.length - 1 };
  // The representatives around the cycle, after each of its steps.
  const targets = replay(reduced, [...stem, ...cycle])
    .slice(stem.length)
    .map((s) => s.state);
  const words = concrete.stateWords;
  const same = (a: Int32Array, b: Int32Array): boolean => {
    for (let i = 0; i < words; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const probe = new Int32Array(words);
  const out = new Int32Array(words);
  /** The index of the first successor of `from` whose canonical form is `target`, and that successor. */
  const step = (from: Int32Array, target: Int32Array): { index: number; state: Int32Array } => {
    let j = 0;
    let found: { index: number; state: Int32Array } | undefined;
    concrete.successors(from, out, () => {
      probe.set(out);
      reduced.sortThreads(probe);
      if (same(probe, target)) {
        found = { index: j, state: out.slice() };
        return true;
      }
      j++;
      return false;
    });
    if (!found) throw new Error('internal: a reduced cycle step has no concrete counterpart');
    return found;
  };
  let cur = replay(concrete, choices).at(-1)!.state;
  const turnStarts = [cur];
  const maxTurns = factorial(reduced.ir.cpus.length) + 1;
  for (let turn = 1; turn <= maxTurns; turn++) {
    for (const target of targets) {
      const next = step(cur, target);
      choices.push(next.index);
      cur = next.state;
    }
    const back = turnStarts.findIndex((s) => same(s, cur));
    if (back >= 0) return { choices, loopStart: stem.length - 1 + back * cycle.length };
    turnStarts.push(cur);
  }
  throw new Error(`internal: a reduced cycle did not close on real CPUs within ${maxTurns} turns`);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}
