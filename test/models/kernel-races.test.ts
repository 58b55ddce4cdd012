/**
 * Issue #16, section 1: the kernel paths behind eventRMWAtomicVsIPI, unregisterAtomicVsIpi,
 * unregisterResetsCpuIdStart and registrationClearsRseqCs with a stale area, each followed step
 * by step on its gallery model (models/library/gallery/kernel-races.ts), with the exact state
 * counts under both knob settings, and the proof that models without the feature are untouched.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { validateModel } from '../../models/ir/validate.js';
import { decodeValue } from '../../models/kernel/encoding.js';
import { WorkKind } from '../../models/kernel/kernel-work.js';
import { EV_PREEMPT } from '../../models/kernel/layout.js';
import { membarrierIpiLostAbort, staleRseqCsRegistration, unregisterCpuIdStart, unregisterIpiFalseKill } from '../../models/library/gallery/kernel-races.js';
import { addv } from '../../models/library/librseq/primitives.js';
import { resolveModel } from '../../models/library/resolve.js';
import { Code, KillReason } from '../../properties/codes.js';
import { buildSystem, checkModel } from '../../run/check.js';
import { compile, initial, LabelKind, policy, stepTo, successors, system } from './semantics-helpers.js';

const instr = (thread: number) => ({ kind: LabelKind.instruction, thread });
const work = (thread: number) => ({ kind: LabelKind.kernelWork, thread });

describe('eventRMWAtomicVsIPI: a membarrier IPI between reading and clearing the event mask', () => {
  // Threads: M (0) on C0, W (1) on C1. W's program (offset_deref_addv): 0 cpu_id_start,
  // 1 rseq_cs = &inc_cs, 2 cpu_id, 3 compare, 4 load list_ptr, 5 add cpu, 6 addm (commit),
  // 7 post-commit jump, 8 abort_ip. M: 0 store list_ptr, 1 membarrier, 2-3 loads, 4 assert.
  const ip = (sys: ReturnType<typeof system>, s: Int32Array, t: number): number => sys.kernel.get(s, sys.layout.ip[sys.layout.frame(t, 0)]!);

  /** W up to its commit, M's pointer flip, then an interrupt with task_work in W's c.s. */
  function toTaskWork(sys: ReturnType<typeof system>): Int32Array {
    let s = initial(sys);
    for (let i = 0; i < 6; i++) s = stepTo(sys, s, instr(1));
    expect(ip(sys, s, 1)).toBe(6);
    s = stepTo(sys, s, instr(0));
    return stepTo(sys, s, { kind: LabelKind.taskWork, thread: 1 });
  }

  it('racy (before 6eb350a22331): the IPI bit is lost and W resumes inside its c.s.', () => {
    const sys = system(membarrierIpiLostAbort(), 'linux-6.3', { eventRMWAtomicVsIPI: false });
    const k = sys.kernel;
    const L = sys.layout;
    let s = toTaskWork(sys);
    // The handler found W in its c.s. and read an empty mask: it pauses before the clear.
    expect(k.work.kind(s, 1)).toBe(WorkKind.maskRead);
    expect(k.work.maskRead(s, 1)).toBe(0);
    // Nothing else of W happens until its kernel work finishes.
    expect(successors(sys, s).filter((x) => x.label.thread === 1).map((x) => x.label.kind)).toEqual([LabelKind.kernelWork]);
    // M's membarrier: the IPI lands in the window (rseq_preempt: PREEMPT and TIF_NOTIFY_RESUME).
    s = stepTo(sys, s, instr(0));
    expect(k.get(s, L.evMask[1]!)).toBe(EV_PREEMPT);
    expect(k.get(s, L.tifNotify[1]!)).toBe(1);
    // The clear loses PREEMPT; no restart. The exit loop runs notify-resume again, which reads
    // an empty mask (and may be interrupted again).
    s = stepTo(sys, s, work(1));
    expect(k.get(s, L.evMask[1]!)).toBe(0);
    expect(k.get(s, L.tifNotify[1]!)).toBe(0);
    expect(k.work.kind(s, 1)).toBe(WorkKind.maskRead);
    expect(k.work.maskRead(s, 1)).toBe(0);
    s = stepTo(sys, s, work(1));
    expect(k.work.kind(s, 1)).toBe(WorkKind.none);
    expect(ip(sys, s, 1)).toBe(6); // back in user space at the commit, not at abort_ip
  });

  it('atomic (since 6eb350a22331): the handler is one step, and the IPI after it aborts W', () => {
    const sys = system(membarrierIpiLostAbort(), 'linux-6.3', { eventRMWAtomicVsIPI: true });
    expect(sys.layout.kernelWork.length).toBe(0);
    let s = toTaskWork(sys);
    expect(ip(sys, s, 1)).toBe(6);
    s = stepTo(sys, s, instr(0)); // membarrier: W in user mode, its return from the IPI aborts
    expect(ip(sys, s, 1)).toBe(8);
  });

  it('verdicts and state counts: assertion and G1 violated only when racy', async () => {
    const ir = compile(membarrierIpiLostAbort());
    for (const [atomic, verdict, states] of [
      [false, 'violation', 346],
      [true, 'pass', 167], // 217 before cpu-compare-prefix (which the racy kernel work turns off)
    ] as const) {
      const knobs = [`eventRMWAtomicVsIPI=${atomic}`];
      const a = await checkModel(ir, { policy: 'linux-6.3', knobs, properties: ['assertions'] });
      expect(a.verdict).toBe(verdict);
      const g1 = await checkModel(ir, { policy: 'linux-6.3', knobs, properties: ['G1-atomicity'] });
      expect(g1.verdict).toBe(verdict);
      // Every state (deadlock-freedom holds under both): measured, pinned.
      const all = await checkModel(ir, { policy: 'linux-6.3', knobs, properties: ['deadlock-freedom'] });
      expect(all.stats.states).toBe(states);
    }
  });
});

describe('unregisterAtomicVsIpi: a membarrier IPI inside rseq(UNREGISTER) (6.19/7.0 rseq_reset)', () => {
  it('racy: the IPI in the window raises TIF_RSEQ; the exit work faults on the cleared area: a false kill', () => {
    const sys = system(unregisterIpiFalseKill(), 'linux-7.1-legacy', { unregisterAtomicVsIpi: false });
    const k = sys.kernel;
    const L = sys.layout;
    let s = stepTo(sys, initial(sys), instr(0)); // T1: rseq(UNREGISTER), paused before has_rseq is cleared
    expect(k.work.kind(s, 0)).toBe(WorkKind.unregistering);
    expect(k.area(s, 0)).toBe(-1);
    s = stepTo(sys, s, instr(1)); // T2: membarrier, its IPI reaches T1 on C0
    expect(k.work.kind(s, 0)).toBe(WorkKind.unregisterRaised);
    s = stepTo(sys, s, work(0));
    expect(k.killed(s)).toBe(true);
    expect(k.get(s, L.killReason)).toBe(KillReason.unregisterRace);
    expect(k.get(s, L.violation)).toBe(Code.G2);
  });

  it('racy, IPI before the unregistration: no kill', () => {
    const sys = system(unregisterIpiFalseKill(), 'linux-7.1-legacy', { unregisterAtomicVsIpi: false });
    let s = stepTo(sys, initial(sys), instr(1));
    s = stepTo(sys, s, instr(0));
    s = stepTo(sys, s, work(0));
    expect(sys.kernel.killed(s)).toBe(false);
    expect(sys.kernel.work.kind(s, 0)).toBe(WorkKind.none);
  });

  it('verdicts and state counts', async () => {
    // Atomic: T1 (unregister, done) and T2 (membarrier, done) interleave freely: 3 x 3 = 9
    // states. Racy: T1 has a third step (the end of rseq_reset): 4 x 3 = 12 positions, plus the
    // window states after T2's IPI landed in it (T2 at membarrier done or finished: 2), plus the
    // two killed states they lead to: 16.
    const ir = compile(unregisterIpiFalseKill());
    for (const [atomic, verdict, states] of [
      [false, 'violation', 16],
      [true, 'pass', 9],
    ] as const) {
      const knobs = [`unregisterAtomicVsIpi=${atomic}`];
      expect((await checkModel(ir, { policy: 'linux-7.1-legacy', knobs, properties: ['G2-no-false-kill'] })).verdict).toBe(verdict);
      expect((await checkModel(ir, { policy: 'linux-7.1-legacy', knobs, properties: ['assertions'] })).stats.states).toBe(states);
    }
  });

  it('opens no window under 6.19 V2 tracking on generic IRQ entry (the IPI reads cleared user_irq/ids_changed)', async () => {
    const r = await checkModel(compile(unregisterIpiFalseKill()), { policy: 'linux-6.19', knobs: ['unregisterAtomicVsIpi=false'], properties: ['G2-no-false-kill'] });
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(9);
  });
});

describe('unregisterResetsCpuIdStart', () => {
  for (const [value, expected] of [
    ['0', 0],
    ['-1', -1],
  ] as const) {
    it(`${value}: cpu_id_start ${expected} and cpu_id -1 after rseq(UNREGISTER)`, async () => {
      const sys = system(unregisterCpuIdStart(), 'linux-6.19', { unregisterResetsCpuIdStart: value });
      let s = initial(sys);
      // addv: 9 instructions to the post-commit jump, which lands on the unregistration.
      while (sys.kernel.get(s, sys.layout.ip[0]!) !== 9) s = stepTo(sys, s, instr(0));
      s = stepTo(sys, s, instr(0));
      expect(decodeValue(sys.kernel.get(s, sys.layout.cpuIdStart[0]!))).toBe(expected);
      expect(decodeValue(sys.kernel.get(s, sys.layout.cpuId[0]!))).toBe(-1);
      const r = await checkModel(compile(unregisterCpuIdStart()), { policy: 'linux-6.19', knobs: [`unregisterResetsCpuIdStart=${value}`], properties: ['assertions'] });
      expect(r.verdict).toBe(value === '0' ? 'pass' : 'violation');
    });
  }
});

describe('registrationClearsRseqCs with a stale area (thread staleRseqCs)', () => {
  it('the area starts with the stale descriptor; without the clear, its validation is a false kill (G2)', async () => {
    const sys = system(staleRseqCsRegistration(), 'linux-4.18', { registrationClearsRseqCs: false });
    let s = initial(sys);
    const oldCs = compile(staleRseqCsRegistration()).descriptors.findIndex((d) => d.name === 'old_cs') + 1;
    expect(sys.kernel.get(s, sys.layout.rseqCs[0]!)).toBe(oldCs);
    s = stepTo(sys, s, instr(0)); // rseq_register; its notify-resume validates old_cs
    expect(sys.kernel.get(s, sys.layout.killReason)).toBe(KillReason.badSignature);
    expect(sys.kernel.get(s, sys.layout.violation)).toBe(Code.G2);
    const ir = compile(staleRseqCsRegistration());
    // Without the clear: the initial state and the killed one. With it: one state per step of
    // the single thread (the reduced system fuses local instructions): 11.
    for (const [clears, verdict, states] of [
      [false, 'violation', 2],
      [true, 'pass', 11],
    ] as const) {
      const knobs = [`registrationClearsRseqCs=${clears}`];
      expect((await checkModel(ir, { policy: 'linux-4.18', knobs, properties: ['G2-no-false-kill'] })).verdict).toBe(verdict);
      expect((await checkModel(ir, { policy: 'linux-4.18', knobs, properties: ['assertions'] })).stats.states).toBe(states);
    }
  });

  it("a kill the thread's own c.s. earned stays expected (killed-as-promised, G2 holds)", async () => {
    // The thread arms its own descriptor whose abort_ip - 4 holds another signature; a
    // preemption inside the c.s. makes notify-resume validate it: SIGSEGV, justified.
    const m = new ModelBuilder('own-bad-descriptor')
      .cpus(1)
      .memory('counter', { size: 'percpu', max: 1 })
      .program('main', seq(addv('inc', 'counter', 1, { next: 'out' }), I.done({ label: 'out' })))
      .thread({ name: 'T1', program: 'main', cpu: 'C0' })
      .budgets({ preemptions: 1, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
      .build();
    const bad = { ...m, descriptors: { inc_cs: { ...m.descriptors!.inc_cs!, signature: 0x0bad0bad } } };
    const r = await checkModel(compile(bad), { policy: 'linux-4.18', knobs: ['registrationClearsRseqCs=false'], properties: ['G2-no-false-kill'] });
    expect(r.verdict).toBe('pass');
    expect(r.flags.map((f) => f.name)).toEqual(['killed-as-promised']);
  });

  it('bad input: an unknown descriptor, or a thread registered from the start', () => {
    const base = staleRseqCsRegistration();
    const unknown = validateModel({ ...base, threads: [{ ...base.threads[0]!, staleRseqCs: 'old_css' }] });
    expect(unknown.ok ? [] : unknown.errors.map((e) => [e.code, e.path, e.hint])).toEqual([['unknown-descriptor', ['threads', 0, 'staleRseqCs'], 'did you mean "old_cs"?']]);
    const registered = validateModel({ ...base, threads: [{ ...base.threads[0]!, registered: true }] });
    expect(registered.ok ? [] : registered.errors.map((e) => [e.code, e.path])).toEqual([['bad-thread', ['threads', 0, 'staleRseqCs']]]);
  });
});

describe('models without the feature are untouched by the racy settings', () => {
  it('percpu-counter (no membarrier, no unregistration): no kernel-work field, the same state counts', async () => {
    const loaded = resolveModel('percpu-counter', ['ops=1']);
    const racy = ['eventRMWAtomicVsIPI=false', 'unregisterAtomicVsIpi=false'];
    for (const policy of ['linux-4.18', 'linux-6.3', 'linux-6.19', 'linux-7.1-legacy']) {
      const base = await checkModel(loaded.ir, { policy, constants: loaded.constants });
      const r = await checkModel(loaded.ir, { policy, knobs: racy, constants: loaded.constants });
      expect([r.verdict, r.stats.states, r.stats.stateWords], policy).toEqual([base.verdict, base.stats.states, base.stats.stateWords]);
    }
    expect(buildSystem(loaded.ir, policy('linux-6.3', { eventRMWAtomicVsIPI: false }), { constants: loaded.constants }).layout.kernelWork.length).toBe(0);
  });

  it('a membarrier model under the 6.19+ rework: the event-mask race does not exist there', async () => {
    const ir = compile(membarrierIpiLostAbort());
    const base = await checkModel(ir, { policy: 'linux-6.19', properties: ['assertions'] });
    const r = await checkModel(ir, { policy: 'linux-6.19', knobs: ['eventRMWAtomicVsIPI=false'], properties: ['assertions'] });
    expect([r.verdict, r.stats.states]).toEqual([base.verdict, base.stats.states]);
  });
});
