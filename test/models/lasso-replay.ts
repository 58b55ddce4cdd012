/** Following a lasso's labels in another system (the unreduced one), for the reduction tests under temporal properties. */
import type { RseqSystem } from '../../models/system/rseq-system.js';

/** Whether the label sequence can be followed from an initial state of `sys` (a frontier of states). */
export function followable(sys: RseqSystem, labels: readonly number[]): boolean {
  const out = new Int32Array(sys.stateWords);
  let frontier = new Map<string, Int32Array>();
  sys.initialStates(out, () => void frontier.set(out.join(), out.slice()));
  for (const label of labels) {
    const next = new Map<string, Int32Array>();
    for (const s of frontier.values())
      sys.successors(s, out, (l) => {
        if (l === label) next.set(out.join(), out.slice());
      });
    if (next.size === 0) return false;
    frontier = next;
  }
  return true;
}
