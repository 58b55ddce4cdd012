/**
 * Hand-worked tests pinning the rules of models/kernel/semantics.ts that the mutation run
 * (stryker.config.mjs) found unchecked by semantics.test.ts and its siblings: the ghosts (G1's
 * dirty bit per event class, precision, area ownership, G2's stale-descriptor excuse), the
 * decisions reported to a sink, signal frames, and the switch / migration / membarrier paths.
 * Models and indices as in semantics-helpers.ts: addv's range is [2, 7), commit 6, P_post 7,
 * abort_ip 8, descriptor P_cs = 1.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { ThreadInput } from '../../models/ir/schema.js';
import { EV_PREEMPT, EV_SIGNAL, Status } from '../../models/kernel/layout.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { Code, KillReason } from '../../properties/codes.js';
import { logged } from './mutant-helpers.js';
import { LabelKind as K, addvWith, exec, handlerProgram, initial, model, runTo, stepTo, system, view, type LabelPattern } from './semantics-helpers.js';

type NoRestartFlag = NonNullable<ThreadInput['flags']>[number];

const T0 = { name: 'T0', program: 'main', cpu: 'C0' } as const;
const T0h = { ...T0, handler: 'h' } as const;
const withHandler = { h: handlerProgram };

/** 0 rseq_cs = &S_cs; 1 S_start: nop; 2 store v[0] = 1 (commit); 3 S_post: done; 4 S_abort: done. */
const nopCs = {
  code: [I.arm('S_cs'), I.nop({ label: 'S_start' }), I.store({ var: 'v' }, 1), I.done({ label: 'S_post' }), I.done({ label: 'S_abort' })],
  descriptors: { S_cs: { start: 'S_start', postCommit: 'S_post', abort: 'S_abort' } },
};

/** Runs T0 from the start to its commit store (ip 6) after `event` at ip 4, then the commit; returns the violation code. */
function violationAtCommit(sys: RseqSystem, event: LabelPattern): number {
  let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), event);
  if (view(sys, s).status(0) !== Status.Running) s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: view(sys, s).cpu(0) });
  expect(view(sys, s).ip(0)).toBe(4); // not aborted
  return view(sys, exec(sys, runTo(sys, s, 0, 6), 0)).violation();
}

// -------------------------------------------------------------------------------------------
describe('G1 ghost (noteEvent): which events inside the c.s. oblige it to restart', () => {
  const flagged = (flags: NoRestartFlag[], where: 'descriptor' | 'thread', preset: string, knobs: Parameters<typeof system>[2]) => {
    const thread = where === 'thread' ? { ...T0, flags } : T0;
    const main = seq(addvWith(where === 'descriptor' ? { descriptor: { flags } } : {}), I.done({ label: 'out' }));
    return system(model({ threads: [thread], main }), preset, knobs);
  };

  // §2.4 NEED_RESTART "(ev & ~flags) != 0": an exempted preemption owes no restart.
  it('NO_RESTART_ON_PREEMPT honoured: a preemption is exempt, the commit is no G1 violation', () => {
    expect(violationAtCommit(flagged(['NO_RESTART_ON_PREEMPT'], 'descriptor', 'linux-4.18', {}), { kind: K.preempt, thread: 0, arg: 0 })).toBe(0);
  });
  // A migration implies the switch: exempt only when PREEMPT and MIGRATE both are.
  it('NO_RESTART_ON_PREEMPT|MIGRATE (thread flags) honoured: a migration is exempt; PREEMPT alone does not exempt it', () => {
    const both = flagged(['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'], 'thread', 'linux-4.18', {});
    expect(violationAtCommit(both, { kind: K.migrate, thread: 0, arg: 1 })).toBe(0);
    // PREEMPT alone, with a kernel that records no event (so nothing aborts): the commit violates G1.
    const one = flagged(['NO_RESTART_ON_PREEMPT'], 'descriptor', 'linux-4.18', { abortOnMigrate: false, abortOnPreempt: false });
    expect(violationAtCommit(one, { kind: K.migrate, thread: 0, arg: 1 })).toBe(Code.G1);
  });
  // §1.5 "rseq_cs.flags has NO_RESTART bits: L619 non-debug: not checked (ignored)": the c.s. still owes its restart.
  it('noRestartFlags=ignored: the flags exempt nothing (a kernel that records no preemption lets the commit violate G1)', () => {
    const sys = flagged(['NO_RESTART_ON_PREEMPT'], 'descriptor', 'linux-4.18', { noRestartFlags: 'ignored', abortOnPreempt: false });
    expect(violationAtCommit(sys, { kind: K.preempt, thread: 0, arg: 0 })).toBe(Code.G1);
  });
});

// -------------------------------------------------------------------------------------------
describe('descriptor validation (validateFull, rseq_get_rseq_cs, §1.5)', () => {
  const killOf = (descriptor: Record<string, unknown>): [number, number] => {
    const sys = system(model({ threads: [T0], main: seq(addvWith({ descriptor }), I.done({ label: 'out' })) }), 'linux-4.18');
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }));
    return [v.killed(), v.killReason()];
  };
  // GET_CS: "if version != 0: -EINVAL"; "if abort_ip - start_ip < post_commit_offset: -EINVAL".
  it('version 1 kills (badVersion); abort_ip = start_ip kills (abortInCs); abort_ip = post_commit_ip is valid', () => {
    expect(killOf({ version: 1 })).toEqual([1, KillReason.badVersion]);
    expect(killOf({ abort: 'P_start', deliberatelyInvalid: true })).toEqual([1, KillReason.abortInCs]);
    expect(killOf({ abort: 'P_post' })).toEqual([0, KillReason.none]);
    expect(killOf({ abort: 'P_retry' })).toEqual([0, KillReason.none]); // below start_ip: valid too
  });
});

// -------------------------------------------------------------------------------------------
describe('signals: delivery under the rework, nesting, frames', () => {
  // §2.6 rseq_signal_deliver (L619): UPDATE_USER_CS now (user_irq set by the interrupt that
  // delivers it); no event bit is recorded.
  it('linux-6.19: a signal inside the c.s. aborts before the frame; the event mask stays empty', () => {
    const sys = system(model({ threads: [T0h], programs: withHandler }), 'linux-6.19');
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 }));
    expect([v.level(0), v.ip(0, 0), v.ip(0, 1), v.rseqCs(0), v.evMask(0), v.sigPending(0)]).toEqual([1, 8, 0, 0, 0, 0]);
    // Without a pending signal the exit pushes no frame.
    expect(view(sys, stepTo(sys, initial(sys), { kind: K.interrupt, thread: 0 })).level(0)).toBe(0);
  });

  // A handler blocks its own signal (no SA_NODEFER): with signalNesting 1 a signal arriving in
  // the handler waits for its rt_sigreturn; with 2 it nests.
  for (const nesting of [1, 2]) {
    it(`signalNesting=${nesting}: a second signal in the handler ${nesting === 1 ? 'stays pending' : 'pushes a second frame'}`, () => {
      const m = model({ threads: [T0h], programs: withHandler });
      const sys = system({ ...m, signalNesting: nesting }, 'linux-4.18');
      let s = stepTo(sys, initial(sys), { kind: K.signal, thread: 0 });
      s = stepTo(sys, s, { kind: K.signal, thread: 0 });
      expect([view(sys, s).level(0), view(sys, s).sigPending(0)]).toEqual(nesting === 1 ? [1, 1] : [2, 0]);
    });
  }

  // setup_rt_frame and rt_sigreturn touch only the handler's frame: the interrupted context's
  // registers (here the last one, r3, live across the handler) come back intact.
  it('a handler that writes its own last register leaves the interrupted frame\'s registers intact', () => {
    const h = [I.mov('r3', 2), I.store({ var: 'v', index: 1 }, 'r3'), I.sigreturn()];
    const main = [I.mov('r3', 5), I.nop(), I.store({ var: 'v' }, 'r3'), I.done()];
    const sys = system(model({ threads: [T0h], main, programs: { h } }), 'linux-4.18');
    expect(sys.layout.registers).toBe(4);
    let s = stepTo(sys, exec(sys, initial(sys), 0), { kind: K.signal, thread: 0 });
    for (let i = 0; i < 3; i++) s = exec(sys, s, 0); // the handler, rt_sigreturn
    expect([view(sys, s).level(0), view(sys, s).ip(0)]).toEqual([0, 1]);
    s = exec(sys, exec(sys, s, 0), 0);
    expect([view(sys, s).mem('v', 0), view(sys, s).mem('v', 1)]).toEqual([5, 2]);
  });
});

// -------------------------------------------------------------------------------------------
describe('sys_rseq register / unregister: return values and errors (§1.4)', () => {
  /** Each sys_rseq call's result stored to v[0] right away (so it stays live). */
  const calls = (...names: ('rseq_register' | 'rseq_unregister')[]) => [...names.flatMap((n) => [I.syscall(n, { dst: 'r0' }), I.store({ var: 'v' }, 'r0')]), I.done()];
  const results = (sys: RseqSystem, n: number): number[] => {
    let s = initial(sys);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      s = exec(sys, exec(sys, s, 0), 0);
      out.push(view(sys, s).mem('v', 0));
    }
    return out;
  };
  // -EBUSY for a second registration; -EINVAL for unregistering what is not registered (1 = error).
  it('registered: register fails, unregister succeeds, register succeeds; unregistered: unregister fails', () => {
    const sys = system(model({ threads: [T0], main: calls('rseq_register', 'rseq_unregister', 'rseq_register') }), 'linux-4.18');
    expect(results(sys, 3)).toEqual([1, 0, 0]);
    const sys2 = system(model({ threads: [{ ...T0, registered: false }], main: calls('rseq_unregister') }), 'linux-4.18');
    expect(results(sys2, 1)).toEqual([1]);
  });
});

// -------------------------------------------------------------------------------------------
describe('ID updates (updateIds, rseq_update_cpu_node_id)', () => {
  // idUpdate=onChangeOnly: the kernel compares with its cached CPU; after a migration it differs.
  it('idUpdate=onChangeOnly (L418): a migration to C1 rewrites both IDs at the next handler run', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18', { idUpdate: 'onChangeOnly' });
    let s = stepTo(sys, initial(sys), { kind: K.migrate, thread: 0, arg: 1 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    expect([view(sys, s).cpuIdStart(0), view(sys, s).cpuId(0), view(sys, s).killed()]).toEqual([1, 1, 0]);
  });
  // readOnlyEnforcement=kill kills only for a field user space wrote (roDirty), not on every write.
  it('linux-7.1-v2 (readOnlyEnforcement=kill): a migration with untouched fields writes the IDs and does not kill', () => {
    const sys = system(model({ threads: [T0] }), 'linux-7.1-v2');
    let s = stepTo(sys, initial(sys), { kind: K.migrate, thread: 0, arg: 1 });
    s = stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 1 });
    expect([view(sys, s).cpuIdStart(0), view(sys, s).killed()]).toEqual([1, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('area ownership and G2 (writeArea, killJustified)', () => {
  // forkUnregister=CLONE_THREAD (4.18): a clone_vm child keeps K.rseq = the parent's area; the
  // kernel's ID write for the child lands in memory the child does not own.
  it('ownership: a clone_vm child (linux-4.18) migrated to C1 gets notify-resume; its ID write into the parent\'s area is a violation', () => {
    const m = model({ threads: [T0, { name: 'C', program: 'main', dormant: true }], main: [I.syscall('clone_vm', { child: 'C', dst: 'r1' }), I.nop(), I.done()] });
    const sys = system(m, 'linux-4.18', {}, { properties: ['ownership'] });
    let s = exec(sys, initial(sys), 0);
    expect([view(sys, s).area(1), view(sys, s).violation()]).toEqual([0, 0]);
    // rseq_migrate of the child: K.rseq (area 0) is set, so TIF_NOTIFY_RESUME is raised.
    s = stepTo(sys, s, { kind: K.migrate, thread: 1, arg: 1 });
    expect([view(sys, s).tifNotify(1), view(sys, s).violation()]).toEqual([1, 0]);
    s = stepTo(sys, s, { kind: K.schedule, thread: 1, arg: 1 });
    expect(view(sys, s).cpuId(0)).toBe(1);
    expect(view(sys, s).violation()).toBe(Code.areaOwnership);
  });

  // issue #16: a descriptor an earlier user left is no fault of the thread; one it armed itself is.
  it('G2: a kill for the thread\'s own bad descriptor is justified even in a model where another area starts stale', () => {
    const staleOwner = { name: 'T1', program: 'idle', cpu: 'C1', registered: false, staleRseqCs: 'P_cs' } as const;
    const m = model({ threads: [T0, staleOwner], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })), programs: { idle: [I.done()] } });
    const sys = system(m, 'linux-4.18');
    const v = view(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.badSignature, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('decisions reported to the sink (models/kernel/decisions.ts)', () => {
  // A handler frame pushed at level 1 over abort_ip; rt_sigreturn back to level 0.
  it('signal inside the c.s. then rt_sigreturn: signal-delivered over abort_ip, then sigreturn to level 0', () => {
    const sys = system(model({ threads: [T0h], programs: withHandler }), 'linux-4.18');
    const sig = logged(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    expect(sig.decisions.filter((d) => d.kind === 'event-recorded' || d.kind === 'abort' || d.kind === 'signal-delivered')).toEqual([
      { kind: 'event-recorded', thread: 0, bits: EV_SIGNAL, cause: 'signal' },
      { kind: 'abort', thread: 0, area: 0, desc: 1, level: 0, fromIp: 4, abortIp: 8, site: 'signal-delivery', events: EV_SIGNAL },
      { kind: 'signal-delivered', thread: 0, level: 1, savedIp: 8 },
    ]);
    expect(logged(sys, exec(sys, sig.state, 0), { kind: K.instruction, thread: 0 }).decisions).toContainEqual({ kind: 'sigreturn', thread: 0, level: 0 });
  });

  // The abort names the level of the frame, not its index in the layout (thread 1's frame 0).
  it('abort of thread 1: level 0', () => {
    const sys = system(model({ threads: [{ ...T0, cpu: 'C1' }, { name: 'T1', program: 'main', cpu: 'C0' }] }), 'linux-4.18');
    const s = runTo(sys, initial(sys), 1, 4);
    const abort = logged(sys, s, { kind: K.preempt, thread: 1, arg: 1 }).decisions.find((d) => d.kind === 'abort');
    expect(abort).toMatchObject({ thread: 1, area: 1, level: 0, fromIp: 4, abortIp: 8 });
  });

  // eventMaskClear=everyExit: the clear is reported when a bit was pending.
  it('everyExit: a stale PREEMPT bit cleared on the way out is reported', () => {
    const sys = system(model({ threads: [T0] }), 'linux-4.18', { eventMaskClear: 'everyExit' });
    const out = logged(sys, runTo(sys, initial(sys), 0, 7), { kind: K.preempt, thread: 0, arg: 0 });
    expect(out.decisions).toContainEqual({ kind: 'event-mask-cleared', thread: 0, why: 'every-exit' });
  });

  // rseq(UNREGISTER): cpu_id = -1 reported as the IDs written.
  it('rseq_unregister reports the IDs written with cpu -1', () => {
    const sys = system(model({ threads: [T0], main: [I.syscall('rseq_unregister'), I.done()] }), 'linux-4.18');
    expect(logged(sys, initial(sys), { kind: K.instruction, thread: 0 }).decisions).toContainEqual({ kind: 'ids-written', thread: 0, area: 0, cpu: -1 });
  });

  // not-aborted needs a registered area: an unregistered thread's rseq_cs means nothing to the kernel.
  it('an unregistered thread interrupted inside the c.s. it armed: nothing reported', () => {
    const sys = system(model({ threads: [{ ...T0, registered: false }], main: nopCs }), 'linux-4.18');
    expect(logged(sys, runTo(sys, initial(sys), 0, 1), { kind: K.interrupt, thread: 0 }).decisions).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the exit to user space (exitToUser, exitFromNotify)', () => {
  // rseq_syscall (c') kills at the syscall's exit; a killed process takes no signal after it.
  it("c'@4.18, signal-first: killed at the syscall's exit with a signal pending, no handler frame is pushed", () => {
    const sys = system(model({ threads: [T0h], main: seq(addvWith({ inCs: [I.syscall('write')] }), I.done({ label: 'out' })), programs: withHandler }), "c'@4.18", { signalVsNotifyOrder: 'signal-first' });
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.instructionPreemptedAtExit, thread: 0 });
    s = stepTo(sys, s, { kind: K.signalPending, thread: 0 });
    const v = view(sys, stepTo(sys, s, { kind: K.schedule, thread: 0, arg: 0 }));
    expect([v.killed(), v.killReason(), v.level(0), v.sigPending(0)]).toEqual([1, KillReason.syscallInCs, 0, 1]);
  });

  // G3 (finishSyscall at the syscall's return): policy c promised to catch a syscall inside the
  // c.s., so the registered thread's is killed; it cannot promise anything to a thread that armed
  // a c.s. without a registration, whose syscall is neither caught nor a G3 violation.
  for (const preset of ['b@4.18', 'c@4.18', "c'@4.18", 'c@6.19']) {
    it(`${preset}: a syscall inside the armed c.s. is killed when registered, no G3 when unregistered`, () => {
      const main = { ...nopCs, code: [...nopCs.code.slice(0, 2), I.syscall('write'), ...nopCs.code.slice(2)] };
      const registered = system(model({ threads: [T0], main }), preset);
      expect(view(registered, exec(registered, runTo(registered, initial(registered), 0, 2), 0)).killed()).toBe(1);
      const sys = system(model({ threads: [{ ...T0, registered: false }], main }), preset);
      const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 2), 0));
      expect([v.killed(), v.ip(0), v.violation()]).toEqual([0, 3, 0]);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('membarrier IPI under the rework (membarrierIpi)', () => {
  // §2.2 "L71, legacy mode: ids_changed = sched_switch = 1 and raise, whenever has_rseq": the IPI
  // on a thread inside its c.s. aborts it at the exit work; T0 in the kernel is not aborted then.
  it('linux-7.1-legacy: the IPI on T0 inside its c.s. raises the switch event and aborts it', () => {
    const sys = system(model({ threads: [T0, { name: 'T1', program: 'mb', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier'), I.done()] } }), 'linux-7.1-legacy');
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 4), 1));
    expect([v.ip(0), v.rseqCs(0), v.schedSwitch(0), v.tifRseq(0), v.idsChanged(0)]).toEqual([8, 0, 0, 0, 0]);
  });
});

// -------------------------------------------------------------------------------------------
describe('the range test (inRange: the kernel\'s unsigned ip - start_ip < post_commit_offset)', () => {
  // The handler's frame runs another program: its IP 2..6 is not inside main's descriptor.
  it('a preemption in the signal handler at an index inside main\'s range: a lazy clear, no abort', () => {
    const h = [I.nop(), I.nop(), I.nop(), I.sigreturn()];
    const sys = system(model({ threads: [T0h], programs: { h } }), 'linux-4.18', { abortOnSignal: false });
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    s = stepTo(sys, exec(sys, exec(sys, s, 0), 0), { kind: K.preempt, thread: 0, arg: 0 });
    const v = view(sys, s);
    expect([v.level(0), v.ip(0, 1), v.ip(0, 0), v.rseqCs(0)]).toEqual([1, 2, 4, 0]);
  });
  // Below start_ip (the retry loop re-entered with rseq_cs still set from the last commit).
  it('a preemption below start_ip with rseq_cs still set: a lazy clear, no abort', () => {
    const sys = system(model({ threads: [T0], main: addvWith({ next: 'P_retry' }) }), 'linux-4.18');
    let s = runTo(sys, exec(sys, runTo(sys, initial(sys), 0, 7), 0), 0, 0);
    expect(view(sys, s).rseqCs(0)).toBe(1);
    s = stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 });
    expect([view(sys, s).ip(0), view(sys, s).rseqCs(0)]).toEqual([0, 0]);
  });
});

describe('more event bookkeeping', () => {
  // rseq_preempt: "if prev.K.rseq, sets TIF_NOTIFY_RESUME(prev)" — not for an unregistered thread.
  it('an unregistered thread preempted or migrated gets no TIF_NOTIFY_RESUME', () => {
    const sys = system(model({ threads: [{ ...T0, registered: false }, { name: 'T1', program: 'main', cpu: 'C1', registered: false }] }), 'linux-4.18');
    const s = initial(sys);
    expect(view(sys, stepTo(sys, s, { kind: K.preempt, thread: 0, arg: 0 })).tifNotify(0)).toBe(0);
    expect(view(sys, stepTo(sys, s, { kind: K.migrate, thread: 0, arg: 1 })).tifNotify(0)).toBe(0);
  });

  // The signal's G1 exemption is the thread's NO_RESTART_ON_SIGNAL (with both others, as required).
  it('thread flags SIGNAL|PREEMPT|MIGRATE (honoured): a signal in the c.s. is exempt, the commit after sigreturn is no G1 violation', () => {
    const flags: NoRestartFlag[] = ['NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'];
    const sys = system(model({ threads: [{ ...T0h, flags }], programs: withHandler }), 'linux-4.18');
    let s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.signal, thread: 0 });
    s = exec(sys, exec(sys, s, 0), 0);
    expect(view(sys, exec(sys, runTo(sys, s, 0, 6), 0)).violation()).toBe(0);
  });

  it('decisions name the cause: migrate (L418 rseq_migrate), membarrier (the IPI); the rework records no event bit for a signal', () => {
    const l418 = system(model({ threads: [T0, { name: 'T1', program: 'mb', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier'), I.done()] } }), 'linux-4.18');
    const s = runTo(l418, initial(l418), 0, 4);
    expect(logged(l418, s, { kind: K.migrate, thread: 0, arg: 1 }).decisions).toContainEqual({ kind: 'event-recorded', thread: 0, bits: 4, cause: 'migrate' });
    expect(logged(l418, s, { kind: K.instruction, thread: 1 }).decisions).toContainEqual({ kind: 'event-recorded', thread: 0, bits: EV_PREEMPT, cause: 'membarrier' });
    const rework = system(model({ threads: [T0h], programs: withHandler }), 'linux-6.19');
    const kinds = logged(rework, runTo(rework, initial(rework), 0, 4), { kind: K.signal, thread: 0 }).decisions.map((d) => d.kind);
    expect(kinds).toEqual(['abort', 'signal-delivered']);
  });
});

// -------------------------------------------------------------------------------------------
describe('a SIGSEGV handler frame (signal-faults.ts) under other signals', () => {
  /** T0 (one CPU) over its own descriptor with a bad signature; SIGSEGV handler `segv`, other signals `h`. */
  const segvSystem = (segv: ReturnType<typeof I.nop>[]) =>
    system(
      model({ cpus: 1, threads: [{ ...T0h, sigsegvHandler: 'segv' }], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })), programs: { ...withHandler, segv } }),
      'linux-4.18',
      { segvOnDelivery: 'force_sigsegv' },
    );
  const faulted = (sys: RseqSystem) => stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 });

  // The fault under force_sigsegv pushes the SIGSEGV handler's frame (level 1), which does not
  // count against signalNesting: another signal nests over it.
  it('force_sigsegv: in the SIGSEGV handler (level 1, signalNesting 1) an ordinary signal is still delivered, and runs its own handler', () => {
    // The SIGSEGV handler clears rseq_cs first: the next delivery's fixup finds nothing to fault on.
    const sys = segvSystem([I.clear(), I.nop(), I.sigreturn()]);
    let s = faulted(sys);
    expect([view(sys, s).killed(), view(sys, s).level(0)]).toEqual([0, 1]);
    s = exec(sys, s, 0); // the SIGSEGV handler's rseq_cs = 0
    s = stepTo(sys, s, { kind: K.signal, thread: 0 });
    expect([view(sys, s).killed(), view(sys, s).level(0), view(sys, s).ip(0, 1), view(sys, s).ip(0, 2)]).toEqual([0, 2, 1, 0]);
    // Level 2 runs `h` (nop; rt_sigreturn), not the SIGSEGV handler: its rt_sigreturn is at ip 1.
    s = exec(sys, exec(sys, s, 0), 0);
    expect([view(sys, s).killed(), view(sys, s).level(0), view(sys, s).ip(0, 1)]).toEqual([0, 1, 1]);
  });

  // The redelivery faulted again: the fatal SIGSEGV waits, blocked, until the handler's rt_sigreturn.
  it('the kill at the SIGSEGV handler\'s rt_sigreturn is reported as such (atSigreturn)', () => {
    const sys = segvSystem([I.nop(), I.sigreturn()]);
    const s = exec(sys, faulted(sys), 0);
    expect(logged(sys, s, { kind: K.instruction, thread: 0 }).decisions).toContainEqual({ kind: 'kill', thread: 0, reason: KillReason.badSignature, atSigreturn: true });
  });
});
