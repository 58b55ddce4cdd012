/**
 * Hand-worked tests of the user-instruction interpreter (models/kernel/interpreter.ts) that the
 * semantics tests leave open: the ISA's arithmetic and memory with their value domains, the
 * compare conditions, rseq_arm / rseq_clear, read_id / write_id, the syscall path (return
 * values, what a kill or a paused kernel work ends, the outcome the system explores a preemption
 * at the exit after), sched_yield's competitor test, membarrier's targets and fork / clone_vm.
 *
 * Models are tiny: thread T0 on C0 (2 CPUs, 4 registers, memory `v`: one cell per CPU, max 7, so
 * registerMax = 7 and MIN_VALUE = -2), budgets unbounded unless a test says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { I, seq } from '../../models/ir/builder.js';
import type { InstructionInput, ThreadInput } from '../../models/ir/schema.js';
import { DecisionLog, type KernelDecision } from '../../models/kernel/decisions.js';
import { decodeValue } from '../../models/kernel/encoding.js';
import { compare } from '../../models/kernel/interpreter.js';
import { WorkKind } from '../../models/kernel/kernel-work.js';
import { Entry, Status } from '../../models/kernel/layout.js';
import { unregisterIpiFalseKill } from '../../models/library/gallery/kernel-races.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import type { CheckOptions } from '../../run/check.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { Code, KillReason } from '../../properties/codes.js';
import { LabelKind, addvWith, csPtr, exec, handlerProgram, initial, model, runTo, stepTo, successors, system, view, type ModelOpts } from './semantics-helpers.js';

const K = LabelKind;
const T0: ThreadInput = { name: 'T0', program: 'main', cpu: 'C0' };
type Knobs = Partial<KnobValues>;

function build(o: Partial<ModelOpts> & { main: ModelOpts['main'] }, preset = 'linux-4.18', knobs: Knobs = {}, options: CheckOptions = {}): RseqSystem {
  return system(model({ threads: [T0], ...o }), preset, knobs, options);
}

/** Register r of thread t's frame at level l. */
function reg(sys: RseqSystem, s: Int32Array, r: number, t = 0, l = 0): number {
  const L = sys.layout;
  return decodeValue(sys.kernel.get(s, L.regs[L.frame(t, l) * L.registers + r]!));
}

/** A per-frame field (armed, dirty, ...) of thread t's frame at level l. */
function frameField(sys: RseqSystem, s: Int32Array, field: Int32Array, t = 0, l = 0): number {
  return sys.kernel.get(s, field[sys.layout.frame(t, l)]!);
}

/** n instructions of thread t. */
function run(sys: RseqSystem, s: Int32Array, n: number, t = 0): Int32Array {
  let cur = s;
  for (let i = 0; i < n; i++) cur = exec(sys, cur, t);
  return cur;
}

/** Reads of r0..r3 (asserts that hold): registers are cleared where dead (liveness.ts), these keep them. */
const keepRegs: readonly InstructionInput[] = [0, 1, 2, 3].map((r) => I.assert('eq', `r${r}`, `r${r}`));

/** T0 runs all of `code` (then its registers are read, then done): the state, with the system. */
function ran(code: readonly InstructionInput[], preset?: string, knobs?: Knobs) {
  const sys = build({ main: [...code, ...keepRegs, I.done()] }, preset, knobs);
  return { sys, s: run(sys, initial(sys), code.length) };
}

/** The decisions reported while the successors of `s` were computed. */
function decisionsOf(sys: RseqSystem, s: Int32Array): KernelDecision[] {
  const log = new DecisionLog();
  sys.kernel.sink = log;
  try {
    successors(sys, s);
  } finally {
    sys.kernel.sink = undefined;
  }
  return log.take();
}

// -------------------------------------------------------------------------------------------
describe('cs-instruction decisions: only instructions inside the armed range', () => {
  // With the partial-order reduction the commit runs fused with the local instructions after it
  // (P_post's jmp, a nop): the frame still has the c.s. armed (cleared only in the canonical
  // state), but they lie outside its range: one cs-instruction, the commit's.
  it('the commit fused with the jmp and nop after it reports one cs-instruction', () => {
    const sys = system(model({ threads: [T0], main: seq(addvWith({ next: 'x' }), I.nop({ label: 'x' }), I.done()) }), 'linux-4.18', {}, { reduce: true });
    const decisions = decisionsOf(sys, runTo(sys, initial(sys), 0, 6));
    expect(decisions.filter((d) => d.kind === 'cs-instruction' || d.kind === 'commit')).toEqual([
      { kind: 'cs-instruction', thread: 0, desc: 1 },
      { kind: 'commit', thread: 0, desc: 1 },
    ]);
  });
});

// -------------------------------------------------------------------------------------------
describe('registers: mov, add, sub and the value domain MIN_VALUE..registerMax', () => {
  // mov overwrites: r1 := r1 keeps 2 (a register a mov overwrites unread is dead, so only this
  // one shows it), then add and sub read their destination.
  it('mov, add and sub compute; the bounds -2 and 7 themselves are in the domain', () => {
    const { sys, s } = ran([I.mov('r1', 2), I.mov('r1', 'r1'), I.add('r1', 5), I.mov('r2', 3), I.sub('r2', 5), I.mov('r3', 'r1'), I.sub('r3', 'r1')]);
    expect([reg(sys, s, 1), reg(sys, s, 2), reg(sys, s, 3), view(sys, s).violation()]).toEqual([7, -2, 0, 0]);
  });

  // A value outside the domain is a model error (value-domain), not a wrap: the register keeps its value.
  for (const [name, code, r, kept] of [
    ['above registerMax', [I.mov('r1', 7), I.add('r1', 1)], 1, 7],
    ['below MIN_VALUE', [I.mov('r2', -2), I.sub('r2', 1)], 2, -2],
  ] as const) {
    it(`a result ${name} is a domain violation; the register is not written`, () => {
      const { sys, s } = ran(code);
      expect([view(sys, s).violation(), reg(sys, s, r)]).toEqual([Code.domain, kept]);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('memory: load, store, addm, the cell bounds of a variable and its value domain', () => {
  // v has cells 0 and 1 (one per CPU); v[r2] with r2 = 2 or -1 lies outside. The index register
  // is the destination too, so it is live before the load (not cleared as dead): it keeps its value.
  for (const idx of [2, -1]) {
    it(`an index ${idx} outside v is a domain violation: the load writes nothing`, () => {
      const { sys, s } = ran([I.store({ var: 'v', index: 1 }, 5), I.mov('r2', idx), I.load('r2', { var: 'v', index: 'r2' })]);
      expect([view(sys, s).violation(), reg(sys, s, 2)]).toEqual([Code.domain, idx]);
    });
  }

  it('the last cell loads; addm adds to cell 0', () => {
    const { sys, s } = ran([I.store({ var: 'v', index: 1 }, 5), I.mov('r1', 1), I.load('r2', { var: 'v', index: 'r1' }), I.addm({ var: 'v', index: 0 }, 2), I.addm({ var: 'v', index: 0 }, 'r2')]);
    expect([view(sys, s).violation(), reg(sys, s, 2), view(sys, s).mem('v', 0)]).toEqual([0, 5, 7]);
  });

  for (const [name, code, kept] of [
    ['above the variable\'s max 7', [I.store({ var: 'v', index: 0 }, 7), I.addm({ var: 'v', index: 0 }, 1)], 7],
    ['negative', [I.mov('r1', -1), I.store({ var: 'v', index: 0 }, 'r1')], 0],
  ] as const) {
    it(`a stored value ${name} is a domain violation; the cell keeps its value`, () => {
      const { sys, s } = ran(code);
      expect([view(sys, s).violation(), view(sys, s).mem('v', 0)]).toEqual([Code.domain, kept]);
    });
  }

  it('the max itself stores', () => {
    const { sys, s } = ran([I.store({ var: 'v', index: 0 }, 7)]);
    expect([view(sys, s).violation(), view(sys, s).mem('v', 0)]).toEqual([0, 7]);
  });
});

// -------------------------------------------------------------------------------------------
describe('compare-and-branch conditions (models/ir/schema.ts)', () => {
  it('each condition on (1, 2), (2, 2), (2, 1)', () => {
    const table = Object.fromEntries((['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((c) => [c, [compare(c, 1, 2), compare(c, 2, 2), compare(c, 2, 1)]]));
    expect(table).toEqual({
      eq: [false, true, false],
      ne: [true, false, true],
      lt: [true, false, false],
      le: [true, true, false],
      gt: [false, false, true],
      ge: [false, true, true],
    });
  });

  it('a taken branch jumps to its target; an assert that fails is an assertion violation', () => {
    const sys = build({ main: [I.br('lt', 1, 2, 'skip'), I.mov('r1', 5), I.done({ label: 'skip' })] });
    expect(view(sys, exec(sys, initial(sys), 0)).ip(0)).toBe(2);
    const failed = ran([I.assert('gt', 1, 2)]);
    expect(view(failed.sys, failed.s).violation()).toBe(Code.assertion);
  });
});

// -------------------------------------------------------------------------------------------
describe('rseq_arm / rseq_clear', () => {
  // rseq_clear: the thread's own rseq_cs := 0 and the frame's armed c.s. ends.
  it('rseq_clear inside the c.s. zeroes rseq_cs and the armed c.s. of the frame', () => {
    const sys = build({ main: seq(addvWith({ inCs: [I.clear()] }), I.done({ label: 'out' })) });
    let s = runTo(sys, initial(sys), 0, 4);
    expect([view(sys, s).rseqCs(0), frameField(sys, s, sys.layout.armed)]).toEqual([csPtr(sys), csPtr(sys)]);
    s = exec(sys, s, 0);
    expect([view(sys, s).rseqCs(0), frameField(sys, s, sys.layout.armed)]).toEqual([0, 0]);
  });

  // A stale rseq_cs (staleRseqCs) is what an earlier user left: the thread's own store replaces it.
  for (const op of [I.arm('P_cs'), I.clear()]) {
    it(`${op.op} over a stale rseq_cs marks it the thread's own`, () => {
      const sys = system(model({ threads: [{ ...T0, registered: false, staleRseqCs: 'P_cs' }], main: [op, I.done()], programs: { other: seq(addvWith({ next: 'x' }), I.done({ label: 'x' })) } }), 'linux-4.18');
      const L = sys.layout;
      const s0 = initial(sys);
      expect(sys.kernel.get(s0, L.staleCs[0]!)).toBe(1);
      expect(sys.kernel.get(exec(sys, s0, 0), L.staleCs[0]!)).toBe(0);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('read_id / write_id', () => {
  it('node_id reads 0 whatever mm_cid holds; mm_cid reads the area\'s', () => {
    const { sys, s } = ran([I.writeId('mm_cid', 1), I.readId('r1', 'node_id'), I.readId('r2', 'mm_cid')]);
    expect([reg(sys, s, 1), reg(sys, s, 2)]).toEqual([0, 1]);
  });

  // A write to a read-only field lands where the instruction says; a negative mm_cid is stored as 0.
  it('write_id writes only the field it names (cpu_id, then mm_cid -1 -> 0, then node_id: none of them)', () => {
    const { sys, s } = ran([I.writeId('cpu_id', 1), I.mov('r1', -1), I.writeId('mm_cid', 'r1'), I.mov('r2', 1), I.writeId('node_id', 'r2')]);
    const v = view(sys, s);
    const L = sys.layout;
    expect([v.cpuIdStart(0), v.cpuId(0), sys.kernel.get(s, L.areaMmCid[0]!), v.roDirty(0)]).toEqual([0, 1, 0, 1]);
  });
});

// -------------------------------------------------------------------------------------------
describe('syscalls: names at entry, return values, the outcome after the return', () => {
  // rseq-semantics.md §5.1 d: the syscall number is what policy d tests; raise is kill(2),
  // the handler's last instruction rt_sigreturn.
  it('raise enters as kill, sigreturn as rt_sigreturn', () => {
    const sys = build({ main: [I.raise(), I.done()], threads: [{ ...T0, handler: 'h' }], programs: { h: handlerProgram } });
    let s = initial(sys);
    const entries = (st: Int32Array) => decisionsOf(sys, st).filter((d) => d.kind === 'syscall-entry').map((d) => d.kind === 'syscall-entry' && d.name);
    expect(entries(s)).toContain('kill');
    s = exec(sys, s, 0); // the signal is delivered at the raise's return: the handler runs
    expect(view(sys, s).level(0)).toBe(1);
    s = exec(sys, s, 0);
    expect(entries(s)).toContain('rt_sigreturn');
  });

  // The return value goes to dst (r0 here); a syscall without dst writes no register (of any frame).
  it('write returns 0 into dst r0; a write without dst leaves every register alone', () => {
    const { sys, s } = ran([I.mov('r0', 5), I.mov('r3', 6), I.syscall('write', { dst: 'r0' })]);
    expect([reg(sys, s, 0), reg(sys, s, 3)]).toEqual([0, 6]);
    const two = system(model({ threads: [T0, { name: 'T1', program: 'w', cpu: 'C1' }], main: [I.mov('r3', 6), ...keepRegs, I.done()], programs: { w: [I.syscall('write'), I.done()] } }), 'linux-4.18');
    const s2 = exec(two, exec(two, initial(two), 0), 1);
    expect([reg(two, s2, 3, 0), view(two, s2).ip(1)]).toEqual([6, 1]);
  });

  // In a signal handler (frame 1) a syscall without dst leaves the interrupted frame's registers alone.
  it('a write without dst in a signal handler leaves the interrupted frame\'s r3', () => {
    const sys = build({ main: [I.mov('r3', 6), I.nop(), ...keepRegs, I.done()], threads: [{ ...T0, handler: 'h' }], programs: { h: [I.syscall('write'), I.sigreturn()] } });
    let s = stepTo(sys, exec(sys, initial(sys), 0), { kind: K.signal, thread: 0 });
    s = exec(sys, s, 0);
    expect([view(sys, s).level(0), view(sys, s).ip(0, 1), reg(sys, s, 3, 0, 0)]).toEqual([1, 1, 6]);
  });

  // A kill at syscall entry ends the step: the thread never gets into the syscall (no return value).
  it('a syscall killed at entry (policy c) neither enters nor returns', () => {
    const sys = build({ main: seq(addvWith({ inCs: [I.syscall('write', { dst: 'r3' })] }), I.done({ label: 'out' })) }, 'c@4.18');
    const s = runTo(sys, exec(sys, initial(sys), 0), 0, 4);
    const before = view(sys, s).entry(0);
    const k = exec(sys, s, 0);
    expect([view(sys, k).killed(), view(sys, k).entry(0), reg(sys, k, 3)]).toEqual([1, before, reg(sys, s, 3)]);
  });

  // raise and rt_sigreturn return Complete: no preemption explored at their exit; a write may be.
  it('only a plain syscall offers a preemption at its exit', () => {
    const sys = build({ main: [I.syscall('write'), I.raise(), I.done()], threads: [{ ...T0, handler: 'h' }], programs: { h: handlerProgram } });
    const atExit = (s: Int32Array) => successors(sys, s).some((x) => x.label.kind === K.instructionPreemptedAtExit);
    let s = initial(sys);
    expect(atExit(s)).toBe(true);
    s = exec(sys, s, 0);
    expect(atExit(s)).toBe(false); // raise
    s = exec(sys, s, 0);
    expect([view(sys, s).level(0), atExit(s)]).toEqual([1, false]); // the handler's nop
    s = exec(sys, s, 0);
    expect(atExit(s)).toBe(false); // rt_sigreturn
  });

  // A paused kernel work (6.19 rseq(UNREGISTER) before has_rseq is cleared) is not a return to user space.
  it('rseq_unregister paused in its window stays in the kernel (entry syscall)', () => {
    const sys = system(unregisterIpiFalseKill(), 'linux-7.1-legacy', { unregisterAtomicVsIpi: false });
    const s = exec(sys, initial(sys), 0);
    expect([sys.kernel.work.kind(s, 0), view(sys, s).entry(0), view(sys, s).ip(0)]).toEqual([WorkKind.unregistering, Entry.Syscall, 1]);
  });

  // A membarrier whose IPI killed the process (T1's bad descriptor inside its c.s.) ends the caller's step there.
  it('a membarrier whose IPI kills: the caller does not return to user space', () => {
    const sys = system(
      model({ threads: [{ name: 'T0', program: 'mb', cpu: 'C0' }, { name: 'T1', program: 'main', cpu: 'C1' }], main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })), programs: { mb: [I.syscall('membarrier'), I.done()] } }),
      'linux-4.18',
    );
    const s = exec(sys, runTo(sys, initial(sys), 1, 4), 0);
    expect([view(sys, s).killed(), view(sys, s).killReason(), view(sys, s).entry(0)]).toEqual([1, KillReason.badSignature, Entry.Syscall]);
  });
});

// -------------------------------------------------------------------------------------------
describe('a switch in a syscall is a preemption (NO_RESTART_ON_PREEMPT exempts it from G1)', () => {
  // §2.4 NEED_RESTART (L418): "(ev & ~flags) != 0"; the switch out of a sleeping or preempted syscall is PREEMPT.
  const flagged = (ins: InstructionInput) => build({ main: seq(addvWith({ inCs: [ins], descriptor: { flags: ['NO_RESTART_ON_PREEMPT'] } }), I.done({ label: 'out' })) });
  for (const [name, ins, label] of [
    ['a blocking syscall', I.syscall('poll', { blocking: true }), K.instruction],
    ['a syscall preempted at its exit', I.syscall('write'), K.instructionPreemptedAtExit],
  ] as const) {
    it(`${name} inside a NO_RESTART_ON_PREEMPT c.s. leaves it clean`, () => {
      const sys = flagged(ins);
      const s = stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: label, thread: 0 });
      expect([view(sys, s).status(0) !== Status.Running, frameField(sys, s, sys.layout.dirty)]).toEqual([true, 0]);
    });
  }
});

// -------------------------------------------------------------------------------------------
describe('sched_yield switches only to a competitor ready on its own CPU (no preemption budget)', () => {
  const yieldSys = (main: readonly InstructionInput[], others: readonly ThreadInput[]) =>
    system(model({ threads: [T0, ...others], main: [...main, I.done()], programs: { other: [I.nop(), I.done()] } }), 'linux-4.18', {}, { budgets: { preemptions: 0 } });
  const switches = (sys: RseqSystem) => successors(sys, initial(sys)).some((x) => x.label.kind === K.instructionPreemptedAtExit && x.label.thread === 0);
  const other = (cpu: string, name = 'T1'): ThreadInput => ({ name, program: 'other', cpu });

  it('a competitor ready on C0: the yield may switch', () => {
    expect(switches(yieldSys([I.syscall('sched_yield')], [other('C0')]))).toBe(true);
  });
  it('alone: no switch', () => {
    expect(switches(yieldSys([I.syscall('sched_yield')], []))).toBe(false);
  });
  it('a thread on C0 that is not ready (dormant): no switch', () => {
    expect(switches(yieldSys([I.syscall('sched_yield')], [{ ...other('C0'), dormant: true }]))).toBe(false);
  });
  it('a thread ready on C1 only: no switch', () => {
    expect(switches(yieldSys([I.syscall('sched_yield')], [other('C1'), other('C1', 'T2')]))).toBe(false);
  });
  it('a plain syscall with a competitor ready: no switch without budget', () => {
    expect(switches(yieldSys([I.syscall('write')], [other('C0')]))).toBe(false);
  });
});

// -------------------------------------------------------------------------------------------
describe('membarrier(PRIVATE_EXPEDITED_RSEQ[, FLAG_CPU]) targets (§2.9)', () => {
  // The caller T1 is inside its own c.s. (ip 4, range [2, 8), abort_ip 9): does its own CPU get the IPI?
  const callerSys = (mb: InstructionInput, threads: readonly ThreadInput[], callerCpu = 'C1') =>
    system(
      model({ threads: [...threads, { name: 'T1', program: 'main', cpu: callerCpu }], main: seq(addvWith({ inCs: [mb] }), I.done({ label: 'out' })), programs: { idle: [I.done()] } }),
      'linux-4.18',
    );
  const callerIp = (sys: RseqSystem, s: Int32Array) => view(sys, exec(sys, runTo(sys, s, 1, 4), 1)).ip(1);
  const idle = (o: Partial<ThreadInput> = {}): ThreadInput => ({ name: 'T0', program: 'idle', cpu: 'C0', ...o });

  // "mm_users == 1: no IPIs": a finished or a not yet created thread does not count.
  it('with the only other thread done or dormant, FLAG_CPU on the caller\'s CPU sends no IPI', () => {
    const done = callerSys(I.syscall('membarrier', { cpu: 1 }), [idle()]);
    expect(callerIp(done, exec(done, initial(done), 0))).toBe(5);
    const dormant = callerSys(I.syscall('membarrier', { cpu: 1 }), [idle({ dormant: true })]);
    expect(callerIp(dormant, initial(dormant))).toBe(5);
    const alone = system(model({ threads: [{ name: 'T1', program: 'main', cpu: 'C1' }], main: seq(addvWith({ inCs: [I.syscall('membarrier', { cpu: 1 })] }), I.done({ label: 'out' })) }), 'linux-4.18');
    expect(view(alone, exec(alone, runTo(alone, initial(alone), 0, 4), 0)).ip(0)).toBe(5);
  });

  it('FLAG_CPU 0 from the caller on C0: the caller gets the event (CPU 0 is a target, not "no flag")', () => {
    const sys = callerSys(I.syscall('membarrier', { cpu: 0 }), [{ name: 'T0', program: 'idle', cpu: 'C1' }], 'C0');
    expect(callerIp(sys, initial(sys))).toBe(9);
  });

  // T0 inside its c.s. on C0; T1 on C1 targets only its own CPU: T0 is not interrupted.
  it('FLAG_CPU on another CPU: a thread in its c.s. on C0 is not interrupted', () => {
    const sys = system(
      model({ threads: [T0, { name: 'T1', program: 'mb', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier', { cpu: 1 }), I.done()] } }),
      'linux-4.18',
    );
    const s = exec(sys, runTo(sys, initial(sys), 0, 4), 1);
    expect([view(sys, s).ip(0), view(sys, s).rseqCs(0)]).toEqual([4, csPtr(sys)]);
  });

  // An IPI goes to the thread running on each other CPU: an idle CPU (T1 asleep in poll) has none to interrupt.
  it('an idle CPU gets no IPI: no event is recorded for any thread', () => {
    const sys = system(model({ threads: [{ name: 'T0', program: 'mb', cpu: 'C0' }, { name: 'T1', program: 'sleeper', cpu: 'C1' }], programs: { mb: [I.syscall('membarrier'), I.done()], sleeper: [I.syscall('poll', { blocking: true }), I.done()] } }), 'linux-4.18');
    const s = exec(sys, initial(sys), 1);
    expect(view(sys, s).status(1)).toBe(Status.Blocked);
    expect(decisionsOf(sys, s).filter((d) => d.kind === 'event-recorded' && d.cause === 'membarrier')).toEqual([]);
  });

  // The caller is in the kernel: under 6.19 its own IPI sets no user_irq (handled at its syscall exit).
  it('6.19: the caller\'s own IPI is taken in the kernel (no user_irq: the c.s. is not aborted)', () => {
    const sys = system(
      model({ threads: [idle(), { name: 'T1', program: 'main', cpu: 'C1' }], main: seq(addvWith({ inCs: [I.syscall('membarrier', { cpu: 1 })] }), I.done({ label: 'out' })), programs: { idle: [I.nop(), I.done()] } }),
      'linux-6.19',
      { archSetsUserIrq: true },
    );
    expect(callerIp(sys, initial(sys))).toBe(5);
  });
});

// -------------------------------------------------------------------------------------------
describe('fork / clone_vm: the child copies the parent (§2.2, §2.8)', () => {
  const child: ThreadInput = { name: 'C', program: 'main', cpu: 'C1', dormant: true };
  // The abort handler reads r0 and r3, so they are live everywhere (liveness.ts): the values a fork copies are kept.
  const abortReads = [I.assert('eq', 'r0', 'r3', undefined, { label: 'F_abort' }), I.done()];
  /** r2 = 4, r3 = 5, `main`, then two forks of C (the first returns into `dst`), then r0..r3 are read. */
  const forker = (name: 'fork' | 'clone_vm', threads: readonly ThreadInput[], main: readonly InstructionInput[] = [], preset = 'linux-4.18', knobs: Knobs = {}, dst = 'r3') =>
    system(model({ threads, main: { code: [I.mov('r2', 4), I.mov('r3', 5), ...main, I.syscall(name, { child: 'C', dst }), I.syscall(name, { child: 'C' }), ...keepRegs, I.nop({ label: 'F_start' }), I.done({ label: 'end' }), ...abortReads], descriptors: { F_cs: { start: 'F_start', postCommit: 'end', abort: 'F_abort' } } } }), preset, knobs);

  // The child (declared first: thread index 0) continues after the fork with the parent's
  // registers, returns 0 from it; the parent gets 1. A second fork of a live child does nothing.
  for (const name of ['fork', 'clone_vm'] as const) {
    it(`${name}: the child (thread 0) has the parent's IP and registers, returns 0; a second ${name} leaves it`, () => {
      const sys = forker(name, [child, { ...T0, name: 'P' }], [I.mov('r0', 3), I.mov('r1', 2)]);
      const s = run(sys, initial(sys), 5, 1);
      const v = view(sys, s);
      expect([v.status(0), v.ip(0), v.ip(1), v.entry(0)]).toEqual([Status.Ready, 5, 5, Entry.Syscall]);
      expect([0, 1, 2, 3].map((r) => reg(sys, s, r, 0))).toEqual([3, 2, 4, 0]);
      expect([0, 1, 2, 3].map((r) => reg(sys, s, r, 1))).toEqual([3, 2, 4, 1]);
      const again = exec(sys, s, 1);
      expect([view(sys, again).ip(0), view(sys, again).status(0), view(sys, again).ip(1)]).toEqual([5, Status.Ready, 6]);
    });
  }

  // fork: a new mm; the child's struct rseq is a copy at the same address, registered (its own area).
  it('fork: the child\'s struct rseq copies the parent\'s (IDs, rseq_cs, mm_cid) and is registered', () => {
    const sys = forker('fork', [{ ...T0, name: 'P' }, child], [I.mov('r1', 2), I.writeId('cpu_id', 1), I.writeId('mm_cid', 1), I.arm('F_cs')]);
    const s = run(sys, initial(sys), 7, 0);
    const L = sys.layout;
    const v = view(sys, s);
    // The child (thread 1, frame 1) returns 0 in r3; the parent 1; the parent's r1 is untouched.
    expect([reg(sys, s, 3, 1), reg(sys, s, 3, 0), reg(sys, s, 1, 0)]).toEqual([0, 1, 2]);
    expect([v.area(1), v.cpuIdStart(1), v.cpuId(1), v.rseqCs(1), sys.kernel.get(s, L.areaMmCid[1]!)]).toEqual([1, 0, 1, csPtr(sys, 'F_cs'), 1]);
  });

  // §2.8: the child continues the c.s. (the frame's armed c.s. is copied); for G1 its creation
  // is an event the c.s. should have been aborted for.
  it('fork inside the c.s.: the child continues it, dirty for G1', () => {
    const sys = system(model({ threads: [{ ...T0, name: 'P' }, child], main: seq(addvWith({ inCs: [I.syscall('fork', { child: 'C' })] }), I.done({ label: 'out' })) }), 'linux-4.18');
    const s = exec(sys, runTo(sys, initial(sys), 0, 4), 0);
    const L = sys.layout;
    expect([view(sys, s).ip(1), frameField(sys, s, L.armed, 1), frameField(sys, s, L.dirty, 1), frameField(sys, s, L.dirty, 0)]).toEqual([5, csPtr(sys), 1, 0]);
  });

  // clone_vm without CLONE_THREAD: fresh TLS; registered (the parent's area) only under the CLONE_THREAD rule.
  for (const [forkUnregister, area] of [['CLONE_THREAD', 0], ['CLONE_VM', -1]] as const) {
    it(`clone_vm, forkUnregister=${forkUnregister}: the child's area is ${area}`, () => {
      const sys = forker('clone_vm', [{ ...T0, name: 'P' }, child], [I.mov('r0', 3)], 'linux-4.18', { forkUnregister }, 'r0');
      const s = run(sys, initial(sys), 4, 0);
      const v = view(sys, s);
      expect([v.area(1), v.rseqCs(1), v.cpuId(1), reg(sys, s, 0, 1), reg(sys, s, 0, 0)]).toEqual([area, 0, -1, 0, 1]);
    });
  }

  // The child's struct rseq is a copy: a stale rseq_cs the parent's area holds is stale in the child's too.
  it('fork from an unregistered parent: the child is unregistered too, with the parent\'s stale rseq_cs', () => {
    const sys = forker('fork', [{ ...T0, name: 'P', registered: false, staleRseqCs: 'F_cs' }, child]);
    const s = run(sys, initial(sys), 3, 0);
    expect([view(sys, s).area(1), view(sys, s).rseqCs(1), sys.kernel.get(s, sys.layout.staleCs[1]!)]).toEqual([-1, csPtr(sys, 'F_cs'), 1]);
  });

  // The child runs the same handler frames: inside the SIGSEGV handler (force_sigsegv, rseq-semantics.md
  // §1.5) its level-1 frame is the SIGSEGV handler's too (segvFrame), not its ordinary handler's.
  it('fork inside the SIGSEGV handler: the child is in the SIGSEGV handler frame too', () => {
    const segv = { handler: 'usr1', sigsegvHandler: 'segv' };
    const sys = system(
      model({
        threads: [{ ...T0, name: 'P', ...segv }, { ...child, ...segv }],
        main: seq(addvWith({ descriptor: { signature: 0x1234 } }), I.done({ label: 'out' })),
        programs: { segv: [I.syscall('fork', { child: 'C' }), I.done()], usr1: handlerProgram },
      }),
      'linux-4.18',
      { segvOnDelivery: 'force_sigsegv' },
    );
    const s = exec(sys, stepTo(sys, runTo(sys, initial(sys), 0, 4), { kind: K.preempt, thread: 0, arg: 0 }), 0);
    const L = sys.layout;
    expect([view(sys, s).level(1), sys.kernel.get(s, L.segvFrame[1]!), sys.kernel.get(s, L.segvFrame[0]!)]).toEqual([1, 1, 1]);
  });

  it('a fork without dst writes no register of the parent (nor of any frame)', () => {
    const sys = system(model({ threads: [{ ...T0, name: 'P' }, child], main: [I.mov('r3', 5), I.syscall('fork', { child: 'C' }), ...keepRegs, I.done()] }), 'linux-4.18');
    const s = run(sys, initial(sys), 2, 0);
    expect([reg(sys, s, 3, 0), reg(sys, s, 3, 1), view(sys, s).status(1)]).toEqual([5, 5, Status.Ready]);
  });

  // The child runs the same signal-handler frames (level, handler IP and registers, event state).
  it('fork from a signal handler: the child is in the handler too, with its frames and pending events', () => {
    const sys = system(
      model({ threads: [{ ...T0, name: 'P', handler: 'h' }, { ...child, handler: 'h' }], main: seq(addvWith(), I.done({ label: 'out' })), programs: { h: [I.mov('r1', 3), I.syscall('fork', { child: 'C' }), I.assert('eq', 'r1', 'r1'), I.sigreturn()] } }),
      'linux-4.18',
    );
    let s = runTo(sys, initial(sys), 0, 4);
    s = stepTo(sys, s, { kind: K.signal, thread: 0 });
    s = run(sys, s, 2, 0);
    const v = view(sys, s);
    expect([v.level(1), v.ip(1, 1), reg(sys, s, 1, 1, 1), v.ip(1, 0), v.evMask(1), v.tifNotify(1)]).toEqual([1, 2, 3, v.ip(0, 0), v.evMask(0), v.tifNotify(0)]);
  });
});
