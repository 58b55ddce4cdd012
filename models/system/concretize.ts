import { replay } from '../../checker/replay.js';
import type { RseqSystem } from './rseq-system.js';

/**
 * Turns a path found in the symmetry-reduced system into a path of the unreduced one, so
 * that traces keep thread names straight and `--replay` tokens replay without reduction. At
 * each step it takes the first concrete successor whose sorted form is the reduced state.
 */
export function concretize(reduced: RseqSystem, concrete: RseqSystem, choices: readonly number[]): number[] {
  if (!reduced.symmetric) return [...choices];
  const targets = replay(reduced, choices).map((s) => s.state);
  const words = concrete.stateWords;
  const probe = new Int32Array(words);
  const out = new Int32Array(words);
  const same = (a: Int32Array, b: Int32Array): boolean => {
    for (let i = 0; i < words; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  let cur: Int32Array | undefined;
  const path: number[] = [];
  let i = 0;
  concrete.initialStates(out, () => {
    probe.set(out);
    reduced.sortThreads(probe);
    if (cur === undefined && same(probe, targets[0]!)) {
      cur = out.slice();
      path.push(i);
    }
    i++;
  });
  for (let k = 1; k < targets.length && cur; k++) {
    let j = 0;
    let next: Int32Array | undefined;
    concrete.successors(cur, out, () => {
      probe.set(out);
      reduced.sortThreads(probe);
      if (same(probe, targets[k]!)) {
        next = out.slice();
        path.push(j);
        return true;
      }
      j++;
      return false;
    });
    cur = next;
  }
  if (path.length !== targets.length) throw new Error('internal: a reduced path has no concrete counterpart');
  return path;
}
