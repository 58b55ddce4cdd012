/**
 * A thread's own SIGSEGV handler over a bad descriptor (rseq-semantics.md §1.5, issue #16,
 * models/kernel/signal-faults.ts). Under segvOnDelivery=force_sigsegv (every kernel since
 * 784e0300fe9f) the fault forces a catchable SIGSEGV, its delivery faults again (fatal), and the
 * handler still runs once with the fatal SIGSEGV blocked: the kill comes at its rt_sigreturn, or
 * earlier at a new fault, or never if it exits first. force_sig keeps the loop.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import type { InstructionInput, ModelInput } from '../../models/ir/schema.js';
import { validateModel } from '../../models/ir/validate.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { Status } from '../../models/kernel/layout.js';
import { addv } from '../../models/library/librseq/primitives.js';
import { modelOutcomes } from '../../litmus/outcomes.js';
import { Code, KillReason } from '../../properties/codes.js';
import { checkModel } from '../../run/check.js';
import { sigreturnKillWords } from '../../run/decision-words.js';
import { LabelKind as K, exec, initial, runTo, stepTo, system, view } from './semantics-helpers.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';

/**
 * T0 (C0) runs rseq_addv (indices as in semantics-helpers.ts: 1 arms, 2..6 the range, 6 the
 * commit, 7 post) over a descriptor whose signature word is wrong, then `out: done`. Its SIGSEGV
 * handler is `segv`; `usr1` handles the other signals (nop; rt_sigreturn).
 */
function segvModel(segv: readonly InstructionInput[], budgets: { preemptions: number; signals: number }): ModelInput {
  const f = addv('P', 'v', 1, { next: 'out' });
  return new ModelBuilder('segv-handler')
    .cpus(1)
    .memory('v', { size: 'percpu', max: 2 })
    .memory('segv_handled', { max: 1 })
    .program('main', seq({ code: f.code, descriptors: { P_cs: { ...f.descriptors.P_cs!, signature: 0x1234 } } }, I.done({ label: 'out' })))
    .program('segv', [...segv])
    .program('usr1', [I.nop(), I.sigreturn()])
    .thread({ name: 'T0', program: 'main', cpu: 'C0', handler: 'usr1', sigsegvHandler: 'segv' })
    .budgets({ ...budgets, migrations: 0 })
    .build();
}
const returns = [I.addm({ var: 'segv_handled' }, 1), I.sigreturn()];
const exits = [I.addm({ var: 'segv_handled' }, 1), I.done()];

function segvFields(sys: RseqSystem, s: Int32Array) {
  const L = sys.layout;
  return { frame: sys.kernel.get(s, L.segvFrame[0]!), fatal: sys.kernel.get(s, L.segvFatal[0]!) };
}

/** T0 preempted at ip 4, inside the c.s., and switched back in: the notify-resume handler faults. */
function preemptedInCs(segv: readonly InstructionInput[], knobs: Parameters<typeof system>[2], preemptions = 1) {
  const sys = system(segvModel(segv, { preemptions, signals: 0 }), 'linux-4.18', knobs);
  return { sys, s: stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }) };
}

describe('force_sigsegv: the SIGSEGV handler runs once with the fatal SIGSEGV blocked', () => {
  it('the fault and the faulting redelivery push one SIGSEGV frame over the unmoved IP (level 1, fatal reason kept)', () => {
    const { sys, s } = preemptedInCs(returns, { segvOnDelivery: 'force_sigsegv' });
    const v = view(sys, s);
    // Not killed; frame 0 still at ip 4 (no fixup happened), rseq_cs still the bad descriptor.
    expect([v.killed(), v.level(0), v.ip(0, 0), v.ip(0, 1), v.rseqCs(0)]).toEqual([0, 1, 4, 0, 1]);
    expect(segvFields(sys, s)).toEqual({ frame: 1, fatal: KillReason.badSignature });
    expect(sys.kernel.programOf(s, 0, 1)).toBe(sys.ir.programs.findIndex((p) => p.name === 'segv'));
  });

  it('handler returns: killed at its rt_sigreturn, for the bad signature, a justified kill', () => {
    const { sys, s } = preemptedInCs(returns, { segvOnDelivery: 'force_sigsegv' });
    const ran = exec(sys, s, 0);
    expect([view(sys, ran).mem('segv_handled'), view(sys, ran).killed()]).toEqual([1, 0]);
    const v = view(sys, exec(sys, ran, 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.badSignature, 0]);
  });

  it('handler exits: T0 done with segv_handled = 1, no kill', () => {
    const { sys, s } = preemptedInCs(exits, { segvOnDelivery: 'force_sigsegv' });
    const v = view(sys, exec(sys, exec(sys, s, 0), 0));
    expect([v.status(0), v.mem('segv_handled'), v.mem('v'), v.killed()]).toEqual([Status.Done, 1, 0, 0]);
  });

  it('a preemption inside the handler (full validation faults wherever the IP is): killed before it ends', () => {
    const { sys, s } = preemptedInCs(exits, { segvOnDelivery: 'force_sigsegv' }, 2);
    const v = view(sys, stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 }));
    expect([v.killed(), v.killReason(), v.mem('segv_handled')]).toEqual([1, KillReason.badSignature, 0]);
  });

  it('force_sig keeps the loop: killed as sigsegvLoop, signal-delivery-terminates violated', () => {
    const { sys, s } = preemptedInCs(returns, { segvOnDelivery: 'force_sig' });
    const v = view(sys, s);
    expect([v.killed(), v.killReason(), v.violation(), v.level(0)]).toEqual([1, KillReason.sigsegvLoop, Code.deliveryTerminates, 0]);
  });

  it('a fault on the delivery of another signal: its frame is set up, the SIGSEGV frame goes over it', () => {
    const sys = system(segvModel(returns, { preemptions: 0, signals: 1 }), 'linux-4.18', { segvOnDelivery: 'force_sigsegv' });
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    const v = view(sys, s);
    // Level 1: usr1 at ip 0 (frame 0 kept ip 4); level 2: segv, fatal.
    expect([v.killed(), v.level(0), v.ip(0, 0), v.ip(0, 1), segvFields(sys, s)]).toEqual([0, 2, 4, 0, { frame: 2, fatal: KillReason.badSignature }]);
    expect(sys.kernel.programOf(s, 0, 1)).toBe(sys.ir.programs.findIndex((p) => p.name === 'usr1'));
    // segv_handled += 1, rt_sigreturn: killed.
    expect(view(sys, exec(sys, exec(sys, s, 0), 0)).killReason()).toBe(KillReason.badSignature);
  });

  it('no recurrence: a signature checked only in range, the redelivery finds the usr1 IP outside and clears rseq_cs: an ordinary caught SIGSEGV', () => {
    const sys = system(segvModel(returns, { preemptions: 0, signals: 1 }), 'linux-4.18', { segvOnDelivery: 'force_sigsegv', csValidation: 'minimal-in-range' });
    const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    expect([view(sys, s).level(0), view(sys, s).rseqCs(0), segvFields(sys, s)]).toEqual([2, 0, { frame: 2, fatal: 0 }]);
    // Its rt_sigreturn returns to usr1; nothing kills; the c.s. resumes at ip 4 and commits: G1.
    const back = exec(sys, exec(sys, s, 0), 0);
    expect([view(sys, back).killed(), view(sys, back).level(0), segvFields(sys, back)]).toEqual([0, 1, { frame: 0, fatal: 0 }]);
    const committed = runTo(sys, exec(sys, exec(sys, back, 0), 0), 0, 7);
    expect([view(sys, committed).mem('v'), view(sys, committed).violation()]).toEqual([1, Code.G1]);
  });
});

describe('force_sigsegv with a SIGSEGV handler: outcomes and state counts', () => {
  const outcomes = async (segv: readonly InstructionInput[]) => {
    const v = validateModel(segvModel(segv, { preemptions: 1, signals: 0 }));
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const r = await modelOutcomes(v.ir, { policy: resolvePolicy('linux-4.18', ['segvOnDelivery=force_sigsegv']), budgets: { preemptions: 1, signals: 0 } });
    return r.outcomes.map((o) => o.outcome);
  };

  // A preemption while rseq_cs holds the descriptor (from the arm at 1 on, the commit included:
  // the full validation faults wherever the IP is) runs the handler: before the commit v stays 0.
  it('handler exits: v=[0] or v=[1] with segv_handled=1 (no kill), or no fault', async () => {
    expect(await outcomes(exits)).toEqual(['v=[0] segv_handled=1', 'v=[1] segv_handled=0', 'v=[1] segv_handled=1']);
  });

  it('handler returns: killed, or no fault', async () => {
    expect(await outcomes(returns)).toEqual(['v=[1] segv_handled=0', 'killed']);
  });

  it('a model without a SIGSEGV handler keeps its layout: no SIGSEGV fields, signalNesting + 1 levels', () => {
    const m = segvModel(returns, { preemptions: 1, signals: 0 });
    const plain = { ...m, threads: m.threads.map((t) => ({ ...t, sigsegvHandler: false })) };
    const sys = system(plain, 'linux-4.18');
    expect([sys.layout.segvFrame.length, sys.layout.levels]).toEqual([0, 2]);
    expect(system(m, 'linux-4.18').layout.levels).toBe(3);
  });

  it('the trace says what happened: the handler runs with the fatal SIGSEGV blocked, killed at its rt_sigreturn', async () => {
    const v = validateModel({ ...segvModel(returns, { preemptions: 1, signals: 0 }), invariants: [{ name: 'no-segv-handler', expr: 'segv_handled == 0' }] });
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const r = await checkModel(v.ir, { policy: 'linux-4.18', knobs: ['segvOnDelivery=force_sigsegv'], properties: ['no-segv-handler'], symmetry: false });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    expect(r.trace.steps.map((st) => st.text).find((t) => t.startsWith('preemption'))).toBe(
      'preemption of T0 on C0 at main:2 (P_start) inside P_cs; T0 scheduled in: signal delivered to T0: handler frame saves ip main:2 (P_start); ' +
        "SIGSEGV (rseq signature mismatch at abort_ip - 4) delivered to T0's SIGSEGV handler; the delivery faults again (force_sigsegv(SIGSEGV): handler reset, fatal SIGSEGV queued): SIGSEGV handler runs with the fatal SIGSEGV blocked; killed at its rt_sigreturn",
    );
    expect(sigreturnKillWords('T0', KillReason.badSignature)).toBe("SIGSEGV: T0's rt_sigreturn unblocks the fatal SIGSEGV (rseq signature mismatch at abort_ip - 4); the process dies");
  });
});

describe('sigsegvHandler input', () => {
  it('names a program (validated, located), or true for the handler program', () => {
    const m = segvModel(returns, { preemptions: 1, signals: 0 });
    const bad = validateModel({ ...m, threads: [{ ...m.threads[0]!, sigsegvHandler: 'segvv' }] });
    expect(bad.ok ? [] : bad.errors.map((e) => [e.code, e.path.join('.')])).toEqual([['unknown-program', 'threads.0.sigsegvHandler']]);
    const endless = validateModel({ ...m, programs: { ...m.programs, segv: [I.jmp('spin', { label: 'spin' })] } });
    expect(endless.ok ? [] : endless.errors.map((e) => [e.code, e.path.join('.'), e.message])).toEqual([
      ['bad-handler', 'threads.0.sigsegvHandler', 'SIGSEGV handler program segv has neither sigreturn nor done'],
    ]);
    const asHandler = validateModel({ ...m, threads: [{ ...m.threads[0]!, sigsegvHandler: true }] });
    expect(asHandler.ok && asHandler.ir.threads[0]!.sigsegvHandler === asHandler.ir.threads[0]!.handler).toBe(true);
  });
});
