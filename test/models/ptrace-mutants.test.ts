/**
 * models/kernel/ptrace.ts rule by rule (mutation testing, issue #15): which instructions stop a
 * traced thread, which stops let the tracer set the IP (and only once), the event a stop and an
 * IP write are for the interrupted c.s., and the order of PTRACE_SETREGS against rseq_syscall.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq, type Fragment } from '../../models/ir/builder.js';
import type { ModelInput, ThreadInput } from '../../models/ir/schema.js';
import { Entry, Status } from '../../models/kernel/layout.js';
import { canSetIp, PtraceStop, stepsAfter, tracerTargets } from '../../models/kernel/ptrace.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { KillReason } from '../../properties/codes.js';
import { setIpCounter, type NoRestartFlag } from './fixtures/set-ip-counter.js';
import { LabelKind as K, compile, exec, initial, stepTo, successors, system, view } from './semantics-helpers.js';


/**
 * `main`: setIpCounter (fixtures/set-ip-counter.ts; 6 after: write(2) with rseq_cs still set).
 * `steps`: write; fork of the dormant C; done. `raiser`: raise; w: write; done. `h`: write;
 * rt_sigreturn. `plain`: nop; done. The given threads, then C (dormant, forked by `steps`, which it runs).
 */
function tracedModel(threads: readonly ThreadInput[], flags: readonly NoRestartFlag[] = [], main?: Fragment): ModelInput {
  const b = new ModelBuilder('traced')
    .cpus(2)
    .memory('counter', { max: 3 })
    .program('main', main ?? setIpCounter(flags))
    .program('steps', [I.syscall('write'), I.syscall('fork', { child: 'C' }), I.done()])
    .program('raiser', [I.raise(), I.syscall('write', { label: 'w' }), I.done()])
    .program('h', [I.syscall('write'), I.sigreturn()])
    .program('plain', [I.nop(), I.done()]);
  for (const t of threads) b.thread(t);
  b.thread({ name: 'C', program: 'steps', cpu: 'C1', dormant: true });
  return b.budgets({ preemptions: 0, migrations: 0, signals: 0 }).build();
}

const setIpAt = (label: string, stop: 'syscall-entry' | 'syscall-exit' = 'syscall-entry'): ThreadInput => ({ name: 'T1', program: 'main', cpu: 'C0', tracer: { setIp: label, stop } });
const stopField = (sys: RseqSystem, s: Int32Array, t = 0): number => sys.kernel.get(s, sys.layout.ptraceStop[t]!);
/** The wake successors of thread t: [arg] (0 the plain resume, 1 the IP write). */
const wakes = (sys: RseqSystem, s: Int32Array, t = 0): number[] => successors(sys, s).filter((x) => x.label.kind === K.wake && x.label.thread === t).map((x) => x.label.arg);
const run = (sys: RseqSystem, s: Int32Array, n: number, t = 0): Int32Array => (n === 0 ? s : run(sys, exec(sys, s, t), n - 1, t));
/** The frame-0 ghosts of thread t: [armed, dirty]. */
const ghosts = (sys: RseqSystem, s: Int32Array, t = 0): number[] => [sys.layout.armed, sys.layout.dirty].map((fs) => sys.kernel.get(s, fs[sys.layout.frame(t, 0)]!));

// -------------------------------------------------------------------------------------------
describe('which instructions stop a thread for its tracer', () => {
  it('stepsAfter: the debug trap follows an ordinary instruction of a single-stepped thread, not done, a syscall, raise or rt_sigreturn', () => {
    const ir = compile(tracedModel([{ name: 'T1', program: 'main', cpu: 'C0', tracer: { singleStep: true } }, { name: 'P', program: 'plain', cpu: 'C1' }]));
    const [main, , raiser, h, plain] = ir.programs.map((p) => p.code);
    expect([main![1]!, plain![1]!, main![6]!, raiser![0]!, h![1]!, plain![0]!].map((ins) => [ins.op, stepsAfter(ir, 0, ins)])).toEqual([
      ['load', true],
      ['done', false],
      ['syscall', false],
      ['raise', false],
      ['sigreturn', false],
      ['nop', true],
    ]);
    expect(stepsAfter(ir, 1, plain![0]!)).toBe(false);
  });

  // report_single_step in the syscall-exit work; fork, clone_vm, execve and kvm_run are not modelled with a stop.
  it('single-step: a write stops in its syscall exit (blocked, entry syscall); the fork after it does not stop', () => {
    const sys = system(tracedModel([{ name: 'T1', program: 'steps', cpu: 'C0', tracer: { singleStep: true } }]), 'linux-4.18');
    const stopped = exec(sys, initial(sys), 0);
    expect([view(sys, stopped).status(0), view(sys, stopped).entry(0)]).toEqual([Status.Blocked, Entry.Syscall]);
    const back = stepTo(sys, stepTo(sys, stopped, { kind: K.wake, thread: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    const forked = exec(sys, back, 0);
    expect([view(sys, forked).status(0), view(sys, forked).ip(0), view(sys, forked).status(1)]).toEqual([Status.Running, 2, Status.Ready]);
  });

  // PTRACE_SYSCALL stops of the model: the syscalls of the main program only, kill(2) from
  // raise included; a stop the tracer lets pass is over at switch-in (leaveSyscallStop).
  it('setIp: raise of the main program stops with its signal pending; a syscall of the signal handler does not', () => {
    const sys = system(tracedModel([{ name: 'T1', program: 'raiser', cpu: 'C0', handler: 'h', tracer: { setIp: 'w' } }]), 'linux-4.18');
    const raised = exec(sys, initial(sys), 0);
    expect([view(sys, raised).status(0), view(sys, raised).level(0), view(sys, raised).sigPending(0), stopField(sys, raised), wakes(sys, raised)]).toEqual([Status.Blocked, 0, 1, PtraceStop.atSyscall, [0, 1]]);
    const inHandler = stepTo(sys, stepTo(sys, raised, { kind: K.wake, thread: 0, arg: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys, inHandler).status(0), view(sys, inHandler).level(0), stopField(sys, inHandler)]).toEqual([Status.Running, 1, PtraceStop.none]);
    const handlerWrote = exec(sys, inHandler, 0);
    expect([view(sys, handlerWrote).status(0), view(sys, handlerWrote).ip(0, 1), stopField(sys, handlerWrote)]).toEqual([Status.Running, 1, PtraceStop.none]);
    const mainWrote = run(sys, handlerWrote, 2);
    expect([view(sys, mainWrote).status(0), view(sys, mainWrote).level(0), stopField(sys, mainWrote)]).toEqual([Status.Blocked, 0, PtraceStop.atSyscall]);
  });
});

// -------------------------------------------------------------------------------------------
describe('which stops let the tracer set the IP', () => {
  it('tracerTargets: the setIp labels of the threads running that program (index 0 included)', () => {
    const ir = compile(
      tracedModel([setIpAt('arm'), { name: 'S', program: 'main', cpu: 'C0', tracer: { singleStep: true } }, { name: 'R', program: 'raiser', cpu: 'C1', handler: 'h', tracer: { setIp: 'w' } }]),
    );
    expect([tracerTargets(ir, 0), tracerTargets(ir, 2), tracerTargets(ir, 4)]).toEqual([[0], [1], []]);
  });

  it('a setIp label at index 0 (arm): the write stops and the tracer may set the IP there', () => {
    const sys = system(tracedModel([setIpAt('arm')]), 'linux-4.18');
    const s = run(sys, initial(sys), 6);
    expect([view(sys, s).status(0), stopField(sys, s), wakes(sys, s)]).toEqual([Status.Blocked, PtraceStop.atSyscall, [0, 1]]);
  });

  // Outside the range of rseq_cs no c.s. is entered: nothing armed, nothing to abort; the write
  // is still an event of the thread (the precision ghost evSince, set for every frame).
  it('a setIp label outside the range of rseq_cs: armed stays 0, the event is recorded', () => {
    const sys = system(tracedModel([setIpAt('arm')]), 'linux-4.18', {}, { properties: ['no-spurious-abort'] });
    const set = stepTo(sys, run(sys, initial(sys), 6), { kind: K.wake, thread: 0, arg: 1 });
    const evSince = sys.kernel.get(set, sys.layout.evSince[sys.layout.frame(0, 0)]!);
    expect([view(sys, set).ip(0), view(sys, set).rseqCs(0), ...ghosts(sys, set), evSince]).toEqual([0, 1, 0, 0, 1]);
  });

  it("a single-stepped thread's syscall stop is no SETREGS stop, even beside a thread whose tracer sets the IP", () => {
    const sys = system(tracedModel([{ name: 'T1', program: 'steps', cpu: 'C0', tracer: { singleStep: true } }, { ...setIpAt('start'), name: 'T2', cpu: 'C1' }]), 'linux-4.18');
    const s = exec(sys, initial(sys), 0);
    expect([view(sys, s).status(0), stopField(sys, s), wakes(sys, s)]).toEqual([Status.Blocked, PtraceStop.none, [0]]);
  });

  // Once set, the IP is not set again: a single-stepped thread still stops at its syscalls.
  it('single-step and setIp: after the IP write, the next syscall stop keeps ipSet and offers no second write', () => {
    const twice = { code: [I.syscall('write', { label: 'w' }), I.syscall('write'), I.done()], descriptors: {} };
    const sys = system(tracedModel([{ name: 'T1', program: 'main', cpu: 'C0', tracer: { singleStep: true, setIp: 'w' } }], [], twice), 'linux-4.18');
    const first = exec(sys, initial(sys), 0);
    expect([stopField(sys, first), wakes(sys, first)]).toEqual([PtraceStop.atSyscall, [0, 1]]);
    const again = exec(sys, stepTo(sys, stepTo(sys, first, { kind: K.wake, thread: 0, arg: 1 }), { kind: K.schedule, thread: 0, arg: 0 }), 0);
    expect([view(sys, again).status(0), view(sys, again).ip(0), stopField(sys, again), wakes(sys, again)]).toEqual([Status.Blocked, 1, PtraceStop.ipSet, [0]]);
  });

  // canSetIp is asked for blocked threads; a resumed thread (ready) still at its stop cannot be written.
  it('canSetIp: stopped (blocked) at a syscall yes; resumed and ready, before its switch-in, no', () => {
    const sys = system(tracedModel([setIpAt('start')]), 'linux-4.18');
    const s = run(sys, initial(sys), 6);
    const resumed = stepTo(sys, s, { kind: K.wake, thread: 0, arg: 0 });
    expect([canSetIp(sys.kernel, s, 0), view(sys, resumed).status(0), stopField(sys, resumed), canSetIp(sys.kernel, resumed, 0)]).toEqual([true, Status.Ready, PtraceStop.atSyscall, false]);
  });
});

// -------------------------------------------------------------------------------------------
describe('a ptrace stop and an IP write are preemption events for the c.s. (NO_RESTART_ON_PREEMPT exempts them)', () => {
  const preemptFlag: NoRestartFlag[] = ['NO_RESTART_ON_PREEMPT'];

  it('single-step: the stop after rseq_arm, inside the range, marks the c.s. dirty unless exempt', () => {
    const afterArm = (flags: NoRestartFlag[]) => {
      const sys = system(tracedModel([{ name: 'T1', program: 'main', cpu: 'C0', tracer: { singleStep: true } }], flags), 'linux-4.18');
      const s = exec(sys, initial(sys), 0);
      return [view(sys, s).ip(0), ...ghosts(sys, s)];
    };
    expect([afterArm([]), afterArm(preemptFlag)]).toEqual([
      [1, 1, 1],
      [1, 1, 0],
    ]);
  });

  it('SETREGS into the range of rseq_cs: armed, dirty unless exempt', () => {
    const setIntoRange = (flags: NoRestartFlag[]) => {
      const sys = system(tracedModel([setIpAt('start')], flags), 'linux-4.18');
      return ghosts(sys, stepTo(sys, run(sys, initial(sys), 6), { kind: K.wake, thread: 0, arg: 1 }));
    };
    expect([setIntoRange([]), setIntoRange(preemptFlag)]).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });
});

// -------------------------------------------------------------------------------------------
describe('PTRACE_SETREGS at the syscall-exit stop: rseq_syscall judges the old IP first', () => {
  // c' (rseq_syscall at exit): the write inside the c.s. is killed before the tracer's write lands.
  it("c': the write inside the c.s. is killed at the IP write; the IP stays where the syscall left it", () => {
    // 0 arm; 1 start: write; 2 nop; 3 post: nop; 4 abort: done. The write returns to 2, inside.
    const inCs = seq(I.arm('cs'), I.syscall('write', { label: 'start' }), I.nop(), I.nop({ label: 'post' }), I.done({ label: 'abort' }), {
      code: [],
      descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } },
    });
    const sys = system(tracedModel([setIpAt('start', 'syscall-exit')], [], inCs), "c'@4.18");
    const s = run(sys, initial(sys), 2);
    expect([view(sys, s).status(0), view(sys, s).killed(), stopField(sys, s)]).toEqual([Status.Blocked, 0, PtraceStop.atSyscall]);
    const v = view(sys, stepTo(sys, s, { kind: K.wake, thread: 0, arg: 1 }));
    expect([v.killed(), v.killReason(), v.ip(0)]).toEqual([1, KillReason.syscallInCs, 2]);
  });
});
