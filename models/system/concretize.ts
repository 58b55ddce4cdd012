import { replay } from '../../checker/replay.js';
import { LabelKind, decodeLabel } from './labels.js';
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
 * after the fewest steps the reduced system hides (stepTo).
 */
export function concretize(reduced: RseqSystem, concrete: RseqSystem, choices: readonly number[]): number[] {
  if (!reduced.quotient) return [...choices];
  const targets = replay(reduced, choices).map((s) => s.state);
  const out = new Int32Array(concrete.stateWords);
  let cur: Int32Array | undefined;
  const path: number[] = [];
  let i = 0;
  concrete.initialStates(out, () => {
    if (cur === undefined && reduced.representsAs(out, targets[0]!)) {
      cur = out.slice();
      path.push(i);
    }
    i++;
  });
  const lost = (): Error => new Error('internal: a reduced path has no concrete counterpart');
  if (cur === undefined) throw lost();
  for (let k = 1; k < targets.length; k++) {
    const step = stepTo(concrete, reduced, cur, targets[k - 1]!, targets[k]!);
    if (step === undefined) throw lost();
    path.push(...step.choices);
    cur = step.state;
  }
  return path;
}

/**
 * Concrete steps the reduced system does not show that may come before a step's own: at most
 * this many. One is what a single reduction hides (a resting thread's jmp; the migration of a
 * ready thread that floats in the reduced system but not in the trace system, where the stale
 * rseq_cs dead-rseq-cs clears still makes its CPU visible); more when several hide in one step.
 */
const MAX_HIDDEN_STEPS = 3;

/**
 * The concrete choices from `from` (standing for `prev`) to a state whose representative is
 * `target`: one step, after the fewest hidden steps (breadth-first, in the system's order).
 */
function stepTo(concrete: RseqSystem, reduced: RseqSystem, from: Int32Array, prev: Int32Array, target: Int32Array): { choices: number[]; state: Int32Array } | undefined {
  const reaches = (next: Int32Array): boolean => reduced.representsAs(next, target);
  let layer: { choices: number[]; state: Int32Array }[] = [{ choices: [], state: from }];
  for (let hidden = 0; ; hidden++) {
    for (const at of layer) {
      const [step] = successorsWhere(concrete, at.state, reaches);
      if (step) return { choices: [...at.choices, step.choice], state: step.state };
    }
    if (hidden === MAX_HIDDEN_STEPS) return undefined;
    layer = layer.flatMap((at) => {
      // A resting thread's own jmp (its state may differ from the reduced one in what running an
      // instruction records), or any step that keeps the reduced state. Other steps change what
      // the reduced state shows (a budget, an IP, a status, memory), which the one step from
      // `prev` to `target` cannot undo: this filter keeps the search small and says what a trace
      // may show in addition, it does not decide what is found.
      // (So the mutants that make `ownJmp` true, hide every instruction or every step are equivalent.)
      const isHidden = (next: Int32Array, label: number): boolean => {
        const { kind, thread } = decodeLabel(label);
        const ownJmp = kind === LabelKind.instruction && reduced.restsAtThreadedJmp(at.state, thread);
        return ownJmp || reduced.representsAs(next, prev);
      };
      return successorsWhere(concrete, at.state, isHidden).map((h) => ({ choices: [...at.choices, h.choice], state: h.state }));
    });
  }
}

/** The successors of `from` (choice index and state) that `take` accepts, in the system's order. */
function successorsWhere(concrete: RseqSystem, from: Int32Array, take: (next: Int32Array, label: number) => boolean): { choice: number; state: Int32Array }[] {
  const out = new Int32Array(concrete.stateWords);
  const found: { choice: number; state: Int32Array }[] = [];
  let j = 0;
  concrete.successors(from, out, (label) => {
    if (take(out, label)) found.push({ choice: j, state: out.slice() });
    j++;
  });
  return found;
}
