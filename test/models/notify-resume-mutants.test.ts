/**
 * Hand-worked tests of the 4.18-6.18 notify-resume handler (models/kernel/notify-resume.ts),
 * written against its mutants: the ID update skipped after a caught fault, the in-range-only
 * signature check, nothing more done after a NO_RESTART kill, and the decisions of the restart
 * check. Each cites the rule of ../shared/rseq-semantics.md (§2.4, §2.5, §1.5) it checks. The
 * restart check's race with a membarrier IPI is in kernel-work-mutants.test.ts.
 *
 * The model is the addv c.s. of semantics-helpers.ts: range [2, 7), P_post = 7, abort_ip = 8,
 * descriptor P_cs = 1; T0 starts on C0.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { ThreadInput } from '../../models/ir/schema.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { KillReason } from '../../properties/codes.js';
import { logged, ofKind } from './mutant-helpers.js';
import { LabelKind, addvWith, csPtr, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

const K = LabelKind;
const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;

/** T0 running addv over P_cs with `descriptor` fields overridden, under `preset` + `knobs`. */
function addvSystem(preset: string, knobs: Partial<KnobValues>, descriptor: Record<string, unknown> = {}, thread: Partial<ThreadInput> = {}): RseqSystem {
  const main = seq(addvWith({ descriptor }), I.done({ label: 'out' }));
  return system(model({ threads: [{ ...T0, ...thread }], main, programs: { segv: [I.nop(), I.sigreturn()] } }), preset, knobs);
}
/** T0 preempted at ip 4 (inside the c.s.) and switched in again on C0: the handler's state and decisions. */
const preemptedInside = (sys: RseqSystem) => logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });

// -------------------------------------------------------------------------------------------
describe('the ID update after the IP fixup (§2.4 "goto error")', () => {
  // __rseq_handle_notify_resume: "if (unlikely(rseq_ip_fixup(regs, event))) goto error;" - the
  // IDs are not written when the fixup faulted, also when the SIGSEGV it forces is caught
  // (segvOnDelivery=force_sigsegv). Migrated to C1 inside a c.s. with a bad signature: the IDs
  // still say C0 after both the fixup and the SIGSEGV delivery faulted.
  it('a fault caught by the SIGSEGV handler skips the ID update (IDs still C0 after a migration to C1)', () => {
    const sys = addvSystem('linux-4.18', { segvOnDelivery: 'force_sigsegv' }, { signature: 0x1234 }, { sigsegvHandler: 'segv' });
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.migrate, thread: 0, arg: 1 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    const v = view(sys, s);
    expect([v.killed(), v.level(0), v.ip(0, 0), v.cpu(0)]).toEqual([0, 1, 4, 1]);
    expect([v.cpuIdStart(0), v.cpuId(0)]).toEqual([0, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('csValidation=minimal-in-range on the L418 handler (§1.5, §2.6 UPDATE_USER_CS)', () => {
  // "if *(u32*)(abort_ip-4) != K.sig: fatal" only in range: a valid descriptor is aborted as usual.
  for (const [label, signature, expected] of [
    ['a valid descriptor inside is aborted', undefined, { killed: 0, ip: 8 }],
    ['a bad signature inside kills (badSignature)', 0x1234, { killed: 1, ip: 4 }],
  ] as const) {
    it(label, () => {
      const sys = addvSystem('linux-4.18', { csValidation: 'minimal-in-range' }, signature === undefined ? {} : { signature });
      const v = view(sys, preemptedInside(sys).state);
      expect({ killed: v.killed(), ip: v.ip(0) }).toEqual(expected);
      expect(v.killReason()).toBe(signature === undefined ? KillReason.none : KillReason.badSignature);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('rseq_need_restart kills: nothing is aborted after the kill (§2.5, §2.4)', () => {
  // L60: "if cs_flags & NO_RESTART_FLAGS: return -EINVAL // -> SIGSEGV"; L418 with
  // noRestartSignalRequiresBoth: NO_RESTART_ON_SIGNAL without PREEMPT and MIGRATE is -EINVAL. The
  // handler returns the error: no abort follows (ip and rseq_cs as they were).
  for (const [label, knobs, flags, reason] of [
    ['noRestartFlags=kill', { noRestartFlags: 'kill' }, ['NO_RESTART_ON_PREEMPT'], KillReason.noRestartFlags],
    ['noRestartSignalRequiresBoth', { noRestartSignalRequiresBoth: true }, ['NO_RESTART_ON_SIGNAL'], KillReason.noRestartSignalAlone],
  ] as const) {
    it(`${label}: the kill leaves ip and rseq_cs; no abort is reported`, () => {
      const sys = addvSystem('linux-4.18', knobs, { flags });
      const { state, decisions } = preemptedInside(sys);
      const v = view(sys, state);
      expect([v.killed(), v.killReason(), v.ip(0), v.rseqCs(0)]).toEqual([1, reason, 4, csPtr(sys)]);
      expect(ofKind(decisions, 'abort')).toEqual([]);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('the decisions of the restart check (clearMask)', () => {
  // An interrupt with unrelated task_work inside the c.s. runs the handler with an empty mask:
  // no restart (reported with what was pending and exempt) and no mask clear to report.
  it('an empty mask: no-restart reported, no event-mask-cleared', () => {
    const sys = addvSystem('linux-4.18', {});
    const { state, decisions } = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.taskWork, thread: 0 });
    expect(view(sys, state).ip(0)).toBe(4);
    expect(ofKind(decisions, 'no-restart')).toEqual([{ kind: 'no-restart', thread: 0, desc: csPtr(sys), pending: 0, exempt: 0 }]);
    expect(ofKind(decisions, 'event-mask-cleared')).toEqual([]);
  });
});
