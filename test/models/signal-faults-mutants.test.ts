/**
 * models/kernel/signal-faults.ts rule by rule (mutation testing, issue #15): which faults loop
 * under segvOnDelivery=force_sig, how long a fault is caught (one fixup), the delivery of a
 * caught SIGSEGV (its signal event, its fixup, SIGSEGV blocked while the handler runs) and the
 * kill its rt_sigreturn lets through (reason and G2 judgement kept from the fault).
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { InstructionInput, ModelInput } from '../../models/ir/schema.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import { staleRseqCsRegistration } from '../../models/library/gallery/kernel-races.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { Code, KillReason } from '../../properties/codes.js';
import { checkModel } from '../../run/check.js';
import { sigreturnKillWords } from '../../run/decision-words.js';
import { LabelKind as K, addvWith, compile, exec, handlerProgram, initial, model, runTo, stepTo, system, view } from './semantics-helpers.js';

/** T0 (C0) with handler `h` (nop; rt_sigreturn) for its other signals and `segv` for SIGSEGV. */
const T0 = { name: 'T0', program: 'main', cpu: 'C0', handler: 'h', sigsegvHandler: 'segv' } as const;

/** addv (indices of semantics-helpers.ts: 2..6 the range) over a descriptor with `descriptor` overrides; then `out: done`. */
function addvModel(descriptor: Record<string, unknown>, segv: readonly InstructionInput[] = handlerProgram): ModelInput {
  return model({ threads: [T0], programs: { h: handlerProgram, segv }, main: seq(addvWith({ descriptor }), I.done({ label: 'out' })) });
}

/** T0 preempted at ip 4 (inside the range, rseq_cs set) and switched back in on C0. */
function preemptedAt4(m: ModelInput, knobs: Partial<KnobValues>, preset = 'linux-4.18'): { sys: RseqSystem; s: Int32Array } {
  const sys = system(m, preset, knobs);
  return { sys, s: stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }) };
}

function segvFields(sys: RseqSystem, s: Int32Array) {
  const L = sys.layout;
  return { frame: sys.kernel.get(s, L.segvFrame[0]!), fatal: sys.kernel.get(s, L.segvFatal[0]!) };
}

const badSignature = { signature: 0x1234 };
const forceSig = { segvOnDelivery: 'force_sig' } as const;
const forceSigsegv = { segvOnDelivery: 'force_sigsegv' } as const;

// -------------------------------------------------------------------------------------------
describe('force_sig with a SIGSEGV handler: only faults that recur wherever the IP is loop (sigsegvLoops)', () => {
  const killedBy = (m: ModelInput, knobs: Partial<KnobValues> = {}) => {
    const { sys, s } = preemptedAt4(m, { ...forceSig, ...knobs });
    const v = view(sys, s);
    return [v.killed(), v.killReason(), v.violation()];
  };
  const loop = [1, KillReason.sigsegvLoop, Code.deliveryTerminates];

  // rseq_get_rseq_cs rejects the descriptor itself (version != 0): the handler's IP does not help.
  it('a bad version loops', () => {
    expect(killedBy(addvModel({ version: 1 }))).toEqual(loop);
  });

  it('an abort_ip inside the range loops', () => {
    expect(killedBy(addvModel({ abort: 'P_start', deliberatelyInvalid: true }))).toEqual(loop);
  });

  // The read-only check runs in the ID update of every handler run (readOnlyEnforcement=kill).
  it('a dirty read-only field of struct rseq loops', () => {
    const m = model({ threads: [T0], programs: { h: handlerProgram, segv: handlerProgram }, main: [I.writeId('cpu_id_start', 1), I.nop(), I.done()] });
    const sys = system(m, 'linux-4.18', { ...forceSig, readOnlyEnforcement: 'kill' });
    const v = view(sys, stepTo(sys, exec(sys, initial(sys), 0), { kind: K.taskWork, thread: 0 }));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual(loop);
  });

  // rseq_need_restart is reached only with the IP in the c.s.: the handler's IP would not fault.
  it('a NO_RESTART flags kill (needs the IP inside) does not loop: the kill stands', () => {
    expect(killedBy(addvModel({ flags: ['NO_RESTART_ON_PREEMPT'] }), { noRestartFlags: 'kill' })).toEqual([1, KillReason.noRestartFlags, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('a SIGSEGV handler that is program 0 is a handler (sigsegvHandler >= 0)', () => {
  /** The same addv model with the SIGSEGV handler declared first: program index 0. */
  const segvFirst = (): ModelInput => {
    const m = addvModel(badSignature);
    const { segv, ...rest } = m.programs;
    return { ...m, programs: { segv: segv!, ...rest } };
  };

  it('the model puts it at index 0', () => {
    expect(compile(segvFirst()).threads[0]!.sigsegvHandler).toBe(0);
  });

  it('force_sig: the loop', () => {
    const { sys, s } = preemptedAt4(segvFirst(), forceSig);
    expect([view(sys, s).killed(), view(sys, s).killReason()]).toEqual([1, KillReason.sigsegvLoop]);
  });

  it('force_sigsegv: caught, the handler runs (level 1, fatal)', () => {
    const { sys, s } = preemptedAt4(segvFirst(), forceSigsegv);
    expect([view(sys, s).killed(), view(sys, s).level(0), segvFields(sys, s)]).toEqual([0, 1, { frame: 1, fatal: KillReason.badSignature }]);
  });
});

// -------------------------------------------------------------------------------------------
describe('a fault is caught only within the rseq handler run that found it (beginFixup/endFixup)', () => {
  // Policy c (rseq_syscall): a syscall with the IP in the c.s. kills; the syscall checks are
  // not followed into a handler, even after a handler run that caught nothing.
  it('policy c, force_sigsegv: a syscall inside the c.s. after an earlier notify-resume still kills', () => {
    const m = model({ threads: [T0], programs: { h: handlerProgram, segv: handlerProgram }, main: seq(addvWith({ inCs: [I.syscall('write')] }), I.done({ label: 'out' })) });
    const sys = system(m, 'c@4.18', forceSigsegv);
    // Preempted at ip 0 (registered, rseq_cs 0): the notify-resume handler runs and finds nothing.
    const back = stepTo(sys, initial(sys), { kind: K.preempt, thread: 0, arg: 0 });
    expect([view(sys, back).killed(), view(sys, back).level(0)]).toEqual([0, 0]);
    const v = view(sys, exec(sys, runTo(sys, back, 0, 4), 0));
    expect([v.killed(), v.killReason(), v.level(0)]).toEqual([1, KillReason.syscallInCs, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the delivery of a caught SIGSEGV (deliverForced)', () => {
  // Without abortOnSignal no fixup runs on delivery, so nothing faults again: an ordinary
  // caught SIGSEGV, whose rt_sigreturn kills nothing.
  it('abortOnSignal=false: the delivery finds no fault, the handler returns, not killed', () => {
    const { sys, s } = preemptedAt4(addvModel(badSignature), { ...forceSigsegv, abortOnSignal: false });
    expect([view(sys, s).killed(), view(sys, s).level(0), segvFields(sys, s)]).toEqual([0, 1, { frame: 1, fatal: 0 }]);
    const v = view(sys, exec(sys, exec(sys, s, 0), 0));
    expect([v.killed(), v.level(0), v.ip(0, 0)]).toEqual([0, 0, 4]);
  });

  // One SIGSEGV is pending: a second fault before its delivery (another reason, found with the
  // IP now in the usr1 handler) changes nothing; the kill keeps the first fault's reason.
  it('signal-first: a NO_RESTART kill at the usr1 delivery, then a read-only fault at the SIGSEGV delivery: killed for the first', () => {
    const m = model({ threads: [T0], programs: { h: handlerProgram, segv: handlerProgram }, main: seq(addvWith({ inCs: [I.writeId('cpu_id_start', 1)], descriptor: { flags: ['NO_RESTART_ON_PREEMPT'] } }), I.done({ label: 'out' })) });
    const sys = system(m, 'linux-4.18', { ...forceSigsegv, noRestartFlags: 'kill', readOnlyEnforcement: 'kill', signalVsNotifyOrder: 'signal-first' });
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 5), { kind: K.signal, thread: 0 });
    // rseq_cs cleared with the IP in usr1; cpu_id_start still dirty: the ID update faulted.
    expect([view(sys, s).killed(), view(sys, s).level(0), view(sys, s).rseqCs(0), view(sys, s).roDirty(0)]).toEqual([0, 2, 0, 1]);
    expect(segvFields(sys, s)).toEqual({ frame: 2, fatal: KillReason.noRestartFlags });
    const v = view(sys, exec(sys, exec(sys, s, 0), 0));
    expect([v.killed(), v.killReason()]).toEqual([1, KillReason.noRestartFlags]);
  });

  // Only the rt_sigreturn of the SIGSEGV handler's own frame ends it.
  it('a signal handler nested in the SIGSEGV handler returns: the SIGSEGV frame stays (level 1, still program segv)', () => {
    const { sys, s } = preemptedAt4(addvModel(badSignature), { ...forceSigsegv, abortOnSignal: false });
    const nested = stepTo(sys, s, { kind: K.signal, thread: 0 });
    expect([view(sys, nested).level(0), segvFields(sys, nested).frame]).toEqual([2, 1]);
    const back = exec(sys, exec(sys, nested, 0), 0);
    expect([view(sys, back).killed(), view(sys, back).level(0), segvFields(sys, back).frame]).toEqual([0, 1, 1]);
    expect(sys.kernel.programOf(back, 0, 1)).toBe(sys.ir.programs.findIndex((p) => p.name === 'segv'));
  });

  // signal_delivered blocks SIGSEGV while its handler runs: a syscall's return to user space
  // does not deliver the pending fatal SIGSEGV again.
  it('the fatal SIGSEGV stays blocked across a syscall of its handler', () => {
    const { sys, s } = preemptedAt4(addvModel(badSignature, [I.syscall('write'), I.sigreturn()]), forceSigsegv);
    expect(segvFields(sys, s)).toEqual({ frame: 1, fatal: KillReason.badSignature });
    const v = view(sys, exec(sys, s, 0));
    expect([v.killed(), v.level(0), v.ip(0, 1)]).toEqual([0, 1, 1]);
  });

  // The SIGSEGV's delivery is a signal event for the interrupted c.s.: NO_RESTART_ON_SIGNAL
  // (honoured on 4.18) exempts it, like any signal.
  it('the delivery is a signal event: dirty for G1 unless NO_RESTART_ON_SIGNAL exempts it', () => {
    const dirty = (flags: string[]) => {
      const { sys, s } = preemptedAt4(addvModel({ ...badSignature, flags }), forceSigsegv);
      expect(view(sys, s).level(0)).toBe(1);
      return sys.kernel.get(s, sys.layout.dirty[sys.layout.frame(0, 0)]!);
    };
    expect(dirty(['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'])).toBe(1);
    expect(dirty(['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE', 'NO_RESTART_ON_SIGNAL'])).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------
describe("the kill at the SIGSEGV handler's rt_sigreturn keeps the fault's G2 judgement", () => {
  /** gallery/stale-rseq-cs-registration (registration keeps the stale rseq_cs) with a SIGSEGV handler. */
  const staleWithHandler = (): ModelInput => {
    const m = staleRseqCsRegistration();
    return { ...m, programs: { ...m.programs, segv: [...handlerProgram] }, threads: [{ ...m.threads[0]!, sigsegvHandler: 'segv' }] };
  };
  const knobs = { ...forceSigsegv, registrationClearsRseqCs: false };

  // A descriptor an earlier user left is no fault of this thread (killJustified): the kill at
  // the rt_sigreturn is a false kill.
  it('a stale descriptor: caught at the registration, killed at the rt_sigreturn, G2 violated', () => {
    const sys = system(staleWithHandler(), 'linux-4.18', knobs);
    const caught = exec(sys, initial(sys), 0);
    expect([view(sys, caught).killed(), view(sys, caught).violation(), segvFields(sys, caught)]).toEqual([0, 0, { frame: 1, fatal: KillReason.badSignature }]);
    const v = view(sys, exec(sys, exec(sys, caught, 0), 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.badSignature, Code.G2]);
  });

  it('the trace says the rt_sigreturn unblocked the fatal SIGSEGV', async () => {
    const r = await checkModel(compile(staleWithHandler()), { policy: 'linux-4.18', knobs: ['segvOnDelivery=force_sigsegv', 'registrationClearsRseqCs=false'], properties: ['G2-no-false-kill'] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    expect(r.trace.steps.at(-1)!.text).toContain(sigreturnKillWords('T1', KillReason.badSignature));
  });
});
