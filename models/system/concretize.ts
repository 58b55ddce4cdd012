import { replay } from '../../checker/replay.js';
import { equalWords } from '../../checker/state-store.js';
import type { ReductionName } from './reductions.js';
import type { RseqSystem } from './rseq-system.js';

/**
 * The options of the system traces and replay tokens are given in: no symmetry (thread and CPU
 * names stay real), no `dead-rseq-cs` (a trace shows the rseq_cs a commit leaves behind and
 * the kernel's lazy clear of it, as they happen) and no `jump-threading` (it shows the jmp at
 * abort_ip).
 */
export function traceSystemOptions<O extends { readonly symmetry?: boolean; readonly disable?: readonly ReductionName[] }>(options: O): O {
  return { ...options, symmetry: false, disable: [...(options.disable ?? []), 'dead-rseq-cs', 'jump-threading'] };
}

/**
 * Turns a path found in the reduced system into a path of the trace system (see
 * traceSystemOptions), so that traces keep thread names straight and show what really
 * happened, and `--replay` tokens replay without those reductions. At each step it takes the
 * first concrete successor whose representative (`reduced.representative`) is the reduced state,
 * after the steps the reduced system hides (stepTo).
 */
export function concretize(reduced: RseqSystem, concrete: RseqSystem, choices: readonly number[]): number[] {
  if (!reduced.quotient) return [...choices];
  const targets = replay(reduced, choices).map((s) => s.state);
  const probe = new Int32Array(concrete.stateWords);
  const out = new Int32Array(concrete.stateWords);
  let cur: Int32Array | undefined;
  const path: number[] = [];
  let i = 0;
  concrete.initialStates(out, () => {
    probe.set(out);
    reduced.representative(probe);
    if (cur === undefined && equalWords(probe, targets[0]!)) {
      cur = out.slice();
      path.push(i);
    }
    i++;
  });
  const lost = (): Error => new Error('internal: a reduced path has no concrete counterpart');
  if (cur === undefined) throw lost();
  for (let k = 1; k < targets.length; k++) {
    const step = stepTo(concrete, reduced, cur, targets[k]!, targets[k - 1]!);
    if (step === undefined) throw lost();
    path.push(...step.choices);
    cur = step.state;
  }
  return path;
}

/** How many steps a reduction may hide in one reduced step (a chain of fused jmps: jump-threading). */
const MAX_STUTTER = 4;

/**
 * The concrete choices from `from` to a state whose representative is `target`: one step, or
 * first up to MAX_STUTTER steps that keep the representative at `here` (steps the reduced system
 * does not show, such as the jmp at abort_ip), breadth-first so the fewest are inserted.
 */
function stepTo(concrete: RseqSystem, reduced: RseqSystem, from: Int32Array, target: Int32Array, here: Int32Array): { choices: number[]; state: Int32Array } | undefined {
  const probe = new Int32Array(concrete.stateWords);
  const out = new Int32Array(concrete.stateWords);
  let frontier = [{ choices: [] as number[], state: from }];
  for (let depth = 0; depth <= MAX_STUTTER && frontier.length > 0; depth++) {
    const stutters: typeof frontier = [];
    for (const node of frontier) {
      let j = 0;
      let hit: Int32Array | undefined;
      concrete.successors(node.state, out, () => {
        probe.set(out);
        reduced.representative(probe);
        if (equalWords(probe, target)) {
          hit = out.slice();
          return true;
        }
        if (equalWords(probe, here)) stutters.push({ choices: [...node.choices, j], state: out.slice() });
        j++;
        return false;
      });
      if (hit) return { choices: [...node.choices, j], state: hit };
    }
    frontier = stutters;
  }
  return undefined;
}
