/**
 * The kernel decisions an explained step lists, worked by hand on a tiny model (see
 * semantics-helpers.ts): a step is found by its label, explained with explainPath (which words
 * the decisions the semantics reported while replaying it), and compared with what the kernel did.
 */
import { describe, expect, it } from 'vitest';
import { explainPath } from '../../run/explain.js';
import { decodeLabel } from '../../models/system/labels.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { LabelKind, initial, model, system, type LabelPattern } from './semantics-helpers.js';

/** The choice path (initial state 0, then successor indices) through the given labels. */
function choicesFor(sys: RseqSystem, labels: readonly LabelPattern[]): number[] {
  const choices = [0];
  let s = initial(sys);
  const out = new Int32Array(sys.stateWords);
  for (const want of labels) {
    let found: { i: number; state: Int32Array } | undefined;
    let i = 0;
    sys.successors(s, out, (label) => {
      const l = decodeLabel(label);
      if (!found && l.kind === want.kind && l.thread === want.thread && (want.arg === undefined || l.arg === want.arg)) found = { i, state: out.slice() };
      i++;
    });
    if (!found) throw new Error(`no successor ${JSON.stringify(want)}`);
    choices.push(found.i);
    s = found.state;
  }
  return choices;
}

describe('explained decisions', () => {
  // T1 runs on C0 with T2 queued behind it; T3 runs on C1.
  const m = model({
    cpus: 2,
    threads: [
      { program: 'main', cpu: 'C0' },
      { program: 'main', cpu: 'C0' },
      { program: 'main', cpu: 'C1' },
    ],
  });

  it('lists the IDs written for a thread a preemption switches in', () => {
    const sys = system(m, 'linux-4.18');
    // T2 (ready) migrates to C1, then T3 is preempted there and T2 is switched in: the
    // notify-resume handler writes T2's IDs for C1 before it returns to user space.
    const choices = choicesFor(sys, [
      { kind: LabelKind.migrate, thread: 1, arg: 1 },
      { kind: LabelKind.preempt, thread: 2, arg: 1 },
    ]);
    const trace = explainPath(sys, choices, { model: 'ids', policy: 'linux-4.18', property: 'none' });
    const last = trace.steps.at(-1)!;
    expect(last.decisions.filter((d) => d.kind === 'ids-updated').map((d) => d.text)).toEqual([
      "cpu_id of T2's struct rseq written: 1",
      "cpu_id_start of T2's struct rseq written: 1",
    ]);
  });

  it("words the abort from the kernel's decision: where the IP was, the abort_ip, the descriptor", () => {
    const sys = system(m, 'linux-4.18');
    // T1 runs into its c.s. (ip 4), is preempted for T2, then T2 is preempted for T1.
    const choices = choicesFor(sys, [
      ...Array.from({ length: 4 }, () => ({ kind: LabelKind.instruction, thread: 0 })),
      { kind: LabelKind.preempt, thread: 0, arg: 1 },
      { kind: LabelKind.preempt, thread: 1, arg: 0 },
    ]);
    const trace = explainPath(sys, choices, { model: 'abort', policy: 'linux-4.18', property: 'none' });
    // T1's IDs are rewritten with the values they had (C0): no change to show. T2's PREEMPT is
    // still pending from the switch-out that made it start ready (outside a c.s. the handler
    // leaves the mask alone), so recording it again changes nothing either.
    expect(trace.steps.at(-1)!.decisions.map((d) => d.text)).toEqual(['T1: IP moved from main:4 to abort_ip main:8 (P_abort) of P_cs; rseq_cs cleared']);
    // The replay's sink is the explanation's own: the kernel is left as it was found.
    expect(sys.kernel.sink).toBeUndefined();
  });

  it('lists no IDs for a preempted thread that is switched out', () => {
    const sys = system(m, 'linux-4.18');
    const choices = choicesFor(sys, [{ kind: LabelKind.preempt, thread: 0, arg: 1 }]);
    const trace = explainPath(sys, choices, { model: 'ids', policy: 'linux-4.18', property: 'none' });
    expect(trace.steps.at(-1)!.decisions.filter((d) => d.kind === 'ids-updated')).toEqual([]);
  });
});
