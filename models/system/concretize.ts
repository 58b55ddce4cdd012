import { replay } from '../../checker/replay.js';
import type { ReductionName } from './reductions.js';
import type { RseqSystem } from './rseq-system.js';

/**
 * The options of the system traces and replay tokens are given in: no symmetry (thread and CPU
 * names stay real) and no `dead-rseq-cs` (a trace shows the rseq_cs a commit leaves behind and
 * the kernel's lazy clear of it, as they happen).
 */
export function traceSystemOptions<O extends { readonly symmetry?: boolean; readonly disable?: readonly ReductionName[] }>(options: O): O {
  return { ...options, symmetry: false, disable: [...(options.disable ?? []), 'dead-rseq-cs'] };
}

/**
 * Turns a path found in the reduced system into a path of the trace system (see
 * traceSystemOptions), so that traces keep thread names straight and show what really
 * happened, and `--replay` tokens replay without those reductions. At each step it takes the
 * first concrete successor whose representative (`reduced.representative`) is the reduced state.
 */
export function concretize(reduced: RseqSystem, concrete: RseqSystem, choices: readonly number[]): number[] {
  if (!reduced.quotient) return [...choices];
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
    reduced.representative(probe);
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
      reduced.representative(probe);
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
