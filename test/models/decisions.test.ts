/**
 * The decisions the kernel semantics reports (models/kernel/decisions.ts), worked by hand on the
 * tiny addv model of semantics-helpers.ts: range [2, 7), commit at 6, P_post = 7, abort_ip = 8,
 * descriptor P_cs = 1. A step is taken with a decision log as the kernel's sink; only the
 * decisions reported while the chosen successor was computed are kept.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import { DecisionLog, type KernelDecision } from '../../models/kernel/decisions.js';
import { EV_PREEMPT } from '../../models/kernel/layout.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { decodeLabel } from '../../models/system/labels.js';
import { KillReason } from '../../properties/codes.js';
import { LabelKind, addvWith, at, initial, model, runTo, system, type LabelPattern } from './semantics-helpers.js';

const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
const T1 = { name: 'T1', program: 'main', cpu: 'C0' } as const;

/** The successor of `s` matching `want`, and the decisions reported while it was computed. */
function decide(sys: RseqSystem, s: Int32Array, want: LabelPattern): { state: Int32Array; decisions: KernelDecision[] } {
  const log = new DecisionLog();
  const out = new Int32Array(sys.stateWords);
  let found: { state: Int32Array; decisions: KernelDecision[] } | undefined;
  sys.kernel.sink = log;
  try {
    sys.successors(s, out, (label) => {
      const mine = log.take();
      const l = decodeLabel(label);
      if (l.kind !== want.kind || l.thread !== want.thread || (want.arg !== undefined && l.arg !== want.arg)) return false;
      found = { state: out.slice(), decisions: mine };
      return true;
    });
  } finally {
    sys.kernel.sink = undefined;
  }
  if (!found) throw new Error(`no successor ${JSON.stringify(want)}`);
  return found;
}

describe('kernel decisions', () => {
  it('exploration installs no sink (no decision is built on the hot path)', () => {
    expect(system(model({ threads: [T0] }), 'linux-4.18').kernel.sink).toBeUndefined();
  });

  // L418: switch-out records PREEMPT; at switch-in the notify-resume handler finds ip 4 inside
  // the c.s., consumes the mask, aborts to abort_ip 8, then writes the IDs for C0.
  it('preemption inside the c.s. (linux-4.18): PREEMPT recorded, then the abort and why', () => {
    const sys = system(model({ threads: [T0, T1] }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 0, 4);
    const out = decide(sys, s, { kind: LabelKind.preempt, thread: 0, arg: 1 });
    // T1 started ready, so its first switch-in runs the notify-resume its switch-out raised.
    expect(out.decisions).toEqual([
      { kind: 'event-recorded', thread: 0, bits: EV_PREEMPT, cause: 'preempt' },
      { kind: 'ids-written', thread: 1, area: 1, cpu: 0 },
    ]);
    const back = decide(sys, out.state, { kind: LabelKind.preempt, thread: 1, arg: 0 });
    expect(back.decisions).toEqual([
      { kind: 'event-recorded', thread: 1, bits: EV_PREEMPT, cause: 'preempt' },
      { kind: 'event-mask-cleared', thread: 0, why: 'restart-check' },
      { kind: 'abort', thread: 0, area: 0, desc: 1, level: 0, fromIp: 4, abortIp: 8, site: 'notify-resume', events: EV_PREEMPT },
      { kind: 'ids-written', thread: 0, area: 0, cpu: 0 },
    ]);
  });

  // L418: after the commit (ip 7 = P_post) rseq_cs still points at P_cs: the handler clears it
  // lazily, leaves the PREEMPT bit pending (eventMaskClear=onlyWhenInCs) and rewrites the IDs.
  it('preemption outside the c.s. (linux-4.18): the lazy clear, no abort', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 0, at(sys, 'P_post'));
    expect(decide(sys, s, { kind: LabelKind.preempt, thread: 0, arg: 0 }).decisions).toEqual([
      { kind: 'event-recorded', thread: 0, bits: EV_PREEMPT, cause: 'preempt' },
      { kind: 'lazy-clear', thread: 0, area: 0, desc: 1, site: 'notify-resume' },
      { kind: 'ids-written', thread: 0, area: 0, cpu: 0 },
    ]);
  });

  // L418 validates the descriptor before the in-range test: a wrong signature kills even with
  // ip outside the c.s.
  it('bad signature (linux-4.18): the kill and its reason', () => {
    const sys = system(model({ threads: [T0], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })) }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 0, at(sys, 'P_post'));
    expect(decide(sys, s, { kind: LabelKind.preempt, thread: 0, arg: 0 }).decisions).toEqual([
      { kind: 'event-recorded', thread: 0, bits: EV_PREEMPT, cause: 'preempt' },
      { kind: 'kill', thread: 0, reason: KillReason.badSignature },
    ]);
  });

  // Policy c: at syscall entry the kernel tests ip_e = 5 against [2, 8) and kills.
  it('syscall inside the c.s. under policy c: the kill at entry', () => {
    const sys = system(model({ threads: [T0], main: seq(addvWith({ inCs: [I.syscall('write')] }), I.done({ label: 'out' })) }), 'c@4.18');
    const s = runTo(sys, initial(sys), 0, 4);
    expect(decide(sys, s, { kind: LabelKind.instruction, thread: 0 }).decisions).toEqual([
      { kind: 'cs-instruction', thread: 0, desc: 1 },
      { kind: 'syscall-entry', thread: 0, name: 'write', inCs: true },
      { kind: 'kill', thread: 0, reason: KillReason.syscallInCs },
    ]);
  });

  // 6.19 on an arch that sets no user_irq: the exit work skips the c.s. check after a plain
  // interrupt, so the thread goes back inside its c.s. with nothing aborted.
  it('interrupt inside the c.s. (linux-6.19): no abort reported as such', () => {
    const sys = system(model({ threads: [T0] }), 'linux-6.19');
    const s = runTo(sys, initial(sys), 0, 4);
    expect(decide(sys, s, { kind: LabelKind.interrupt, thread: 0 }).decisions).toEqual([{ kind: 'not-aborted', thread: 0, desc: 1 }]);
  });
});
