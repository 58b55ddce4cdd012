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
 * after the steps the reduced system hides (stepTo).
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
    const step = stepTo(concrete, reduced, cur, targets[k]!);
    if (step === undefined) throw lost();
    path.push(...step.choices);
    cur = step.state;
  }
  return path;
}

/**
 * The concrete choices from `from` to a state whose representative is `target`: one step, or
 * first a step the reduced system does not show (a thread's jmp at abort_ip, or wherever it
 * rests at a jmp jump-threading moves it past; a chain of fused jmps runs in that one step).
 */
function stepTo(concrete: RseqSystem, reduced: RseqSystem, from: Int32Array, target: Int32Array): { choices: number[]; state: Int32Array } | undefined {
  const reaches = (next: Int32Array): boolean => reduced.representsAs(next, target);
  const [direct] = successorsWhere(concrete, from, reaches);
  if (direct) return { choices: [direct.choice], state: direct.state };
  // Only a resting thread's own jmp is hidden. Without this filter the same paths are found
  // (any other first step changes what the target's representative shows, and one more step
  // cannot undo it); it says what may be hidden, so a trace never gains a step of another kind.
  const hiddenStep = (_next: Int32Array, label: number): boolean => {
    const { kind, thread } = decodeLabel(label);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
    return kind === LabelKind.instruction && reduced.restsAtThreadedJmp(from, thread);
  };
  for (const hidden of successorsWhere(concrete, from, hiddenStep)) {
    // With threads resting at a jmp on two CPUs at once, the first one's jmp may not lead on.
    const [after] = successorsWhere(concrete, hidden.state, reaches);
    if (after) return { choices: [hidden.choice, after.choice], state: after.state };
  }
  return undefined;
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
