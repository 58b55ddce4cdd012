/**
 * A tracer (ptrace) attached to a thread (rseq-semantics.md §2.7, §5.2 S10, issue #16,
 * models/kernel/ptrace.ts): single-step (a ptrace stop after every instruction) and
 * PTRACE_SETREGS at a syscall stop. Hand-worked states and verdicts on tiny models.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import type { ModelInput } from '../../models/ir/schema.js';
import { validateModel } from '../../models/ir/validate.js';
import { Entry, EV_PREEMPT, Status } from '../../models/kernel/layout.js';
import { PtraceStop } from '../../models/kernel/ptrace.js';
import { resolveModel } from '../../models/library/resolve.js';
import { checkModel } from '../../run/check.js';
import { ptraceSetIpWords, ptraceStopWords } from '../../run/decision-words.js';
import { setIpCounter } from './fixtures/set-ip-counter.js';
import { LabelKind as K, compile, exec, initial, stepTo, successors, system, view } from './semantics-helpers.js';

/**
 * 0 rseq_cs = &cs; 1 start: x = 1 (the commit: the range is [1, 2)); 2 post: goto end;
 * 3 abort: aborted = 1; 4 end: rseq_cs = 0; 5 done. No event budget: only the tracer acts.
 */
function stepped(): ModelInput {
  return new ModelBuilder('stepped')
    .cpus(1)
    .memory('x', { max: 1 })
    .memory('aborted', { max: 1 })
    .program(
      'main',
      seq(
        I.arm('cs'),
        I.store({ var: 'x' }, 1, { label: 'start' }),
        I.jmp('end', { label: 'post' }),
        I.store({ var: 'aborted' }, 1, { label: 'abort' }),
        I.clear({ label: 'end' }),
        I.done(),
        { code: [], descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } } },
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0', tracer: { singleStep: true } })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('committed', 'x == 1')
    .build();
}

/**
 * 0 arm: rseq_cs = &cs; 1 start: r1 = counter; 2 r1 += 1; 3 counter = r1 (commit); 4 post: goto
 * after; 5 abort: goto arm; 6 after: write(2) (rseq_cs still set); 7 done. The tracer stops T1 at
 * the write and may set its IP back to `start`.
 */
function setIpModel(stop: 'syscall-entry' | 'syscall-exit'): ModelInput {
  return new ModelBuilder(`set-ip-${stop}`)
    .cpus(1)
    .memory('counter', { max: 3 })
    .program('main', setIpCounter())
    .thread({ name: 'T1', program: 'main', cpu: 'C0', tracer: { setIp: 'start', stop } })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .build();
}

async function verdict(m: ModelInput, policy: string, knobs: string[] = []): Promise<{ verdict: string; states: number }> {
  const r = await checkModel(compile(m), { policy, knobs, properties: ['all'] });
  return { verdict: r.verdict === 'violation' ? r.property : r.verdict, states: r.stats.states };
}

describe('single-step: a ptrace stop after every instruction', () => {
  it('the stop after rseq_arm is a switch out: blocked, from user mode, PREEMPT pending, notify-resume raised (4.18)', () => {
    const sys = system(stepped(), 'linux-4.18');
    const v = view(sys, exec(sys, initial(sys), 0));
    expect([v.status(0), v.entry(0), v.ip(0), v.evMask(0), v.tifNotify(0), v.rseqCs(0)]).toEqual([Status.Blocked, Entry.Irq, 1, EV_PREEMPT, 1, 1]);
  });

  it('the tracer resumes it (wake), the switch-in aborts the c.s. at its first instruction: abort_ip, rseq_cs cleared', () => {
    const sys = system(stepped(), 'linux-4.18');
    const stopped = exec(sys, initial(sys), 0);
    // Blocked: the only successor is the tracer's resume; no IP write without setIp.
    expect(successors(sys, stopped).map((x) => x.label.kind)).toEqual([K.wake]);
    const back = stepTo(sys, stepTo(sys, stopped, { kind: K.wake, thread: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    const v = view(sys, back);
    expect([v.status(0), v.ip(0), v.rseqCs(0), v.evMask(0)]).toEqual([Status.Running, 3, 0, 0]);
  });

  it('6.19: the debug trap enters from user mode (user_irq), so the switch-in aborts too; archSetsUserIrq=false: no abort', () => {
    for (const [knobs, ip, userIrq] of [
      [{}, 3, 1],
      [{ archSetsUserIrq: false }, 1, 0],
    ] as const) {
      const sys = system(stepped(), 'linux-6.19', knobs);
      const stopped = exec(sys, initial(sys), 0);
      expect(view(sys, stopped).userIrq(0)).toBe(userIrq);
      const back = stepTo(sys, stepTo(sys, stopped, { kind: K.wake, thread: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
      expect(view(sys, back).ip(0)).toBe(ip);
    }
  });

  it('whole runs: 11 states, one path (each of the 3 instructions run: stop, resume, switch-in; then done); never commits', async () => {
    // 0 init; arm, stop (1), ready (2), abort at switch-in (3); aborted = 1, stop (4), ready (5),
    // running at end (6); clear, stop (7), ready (8), running (9); done (10).
    expect(await verdict(stepped(), 'linux-4.18')).toEqual({ verdict: 'committed', states: 11 });
    expect(await verdict(stepped(), 'linux-6.19')).toEqual({ verdict: 'committed', states: 11 });
    // Without the user_irq the 6.19 V2 switch-in checks nothing: the store commits (G1, the thread stopped inside).
    expect(await verdict(stepped(), 'linux-6.19', ['archSetsUserIrq=false'])).toEqual({ verdict: 'G1-atomicity', states: 5 });
  });
});

describe('PTRACE_SETREGS at a syscall stop', () => {
  it('the write stops T1 (blocked, in the syscall); the tracer resumes it, or sets its IP to start and resumes it', () => {
    const sys = system(setIpModel('syscall-entry'), 'linux-4.18');
    let s = initial(sys);
    for (let i = 0; i < 6; i++) s = exec(sys, s, 0);
    const v = view(sys, s);
    expect([v.status(0), v.entry(0), v.ip(0), v.rseqCs(0), sys.kernel.get(s, sys.layout.ptraceStop[0]!)]).toEqual([Status.Blocked, Entry.Syscall, 7, 1, PtraceStop.atSyscall]);
    expect(successors(sys, s).map((x) => [x.label.kind, x.label.arg])).toEqual([
      [K.wake, 0],
      [K.wake, 1],
    ]);
    const set = stepTo(sys, s, { kind: K.wake, thread: 0, arg: 1 });
    // Ready at start, set once, and for G1 inside cs again (armed) after a switch (dirty).
    const L = sys.layout;
    expect([view(sys, set).status(0), view(sys, set).ip(0), sys.kernel.get(set, L.ptraceStop[0]!), sys.kernel.get(set, L.armed[0]!), sys.kernel.get(set, L.dirty[0]!)]).toEqual([
      Status.Ready,
      1,
      PtraceStop.ipSet,
      1,
      1,
    ]);
    // The resume without a new IP ends the stop at the switch-in: the field is back to none.
    const passed = stepTo(sys, stepTo(sys, s, { kind: K.wake, thread: 0, arg: 0 }), { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys, passed).ip(0), sys.kernel.get(passed, L.ptraceStop[0]!)]).toEqual([7, PtraceStop.none]);
  });

  it('4.18: the switch-in finds the new IP in the range of rseq_cs and aborts; the retried write does not stop', () => {
    const sys = system(setIpModel('syscall-entry'), 'linux-4.18');
    let s = initial(sys);
    for (let i = 0; i < 6; i++) s = exec(sys, s, 0);
    s = stepTo(sys, stepTo(sys, s, { kind: K.wake, thread: 0, arg: 1 }), { kind: K.schedule, thread: 0, arg: 0 });
    expect([view(sys, s).ip(0), view(sys, s).rseqCs(0)]).toEqual([5, 0]);
    // goto 0, the arm, load, add, store, goto after, and the write itself.
    for (let i = 0; i < 7; i++) s = exec(sys, s, 0);
    expect([view(sys, s).status(0), view(sys, s).ip(0)]).toEqual([Status.Running, 7]);
  });

  it('verdicts and state counts, entry stop vs exit stop', async () => {
    // 4.18 (20 states): 0-5 the c.s. and the jmp; 6 stopped at the write; 7 resumed (ready),
    // 8 running, 9 done; 10 the IP set and resumed, 11 aborted to abort_ip at the switch-in,
    // then 12-18 the jmp to 0, the retried c.s. and its write (no stop), 19 done.
    expect(await verdict(setIpModel('syscall-entry'), 'linux-4.18')).toEqual({ verdict: 'pass', states: 20 });
    // 6.19: no user_irq after a syscall stop: no abort, the commit after the stop inside is G1 (states 0-10 as above, 11-14).
    expect(await verdict(setIpModel('syscall-entry'), 'linux-6.19')).toEqual({ verdict: 'G1-atomicity', states: 15 });
    // c' at the entry stop: rseq_syscall sees the tracer's IP in range: a kill for a syscall the thread made outside (G2).
    // (11 states: the search stops at the kill, before T1's done after the plain resume.)
    expect(await verdict(setIpModel('syscall-entry'), "c'@4.18")).toEqual({ verdict: 'G2-no-false-kill', states: 11 });
    expect(await verdict(setIpModel('syscall-entry'), 'c@4.18')).toEqual({ verdict: 'pass', states: 20 });
    // At the exit stop rseq_syscall already ran with the old IP: c' keeps its hands off, the fixup aborts.
    expect(await verdict(setIpModel('syscall-exit'), "c'@4.18")).toEqual({ verdict: 'pass', states: 20 });
    expect(await verdict(setIpModel('syscall-exit'), 'linux-6.19')).toEqual({ verdict: 'G1-atomicity', states: 15 });
  });

  it('the trace names the tracer: the stop, the IP write and the resume', async () => {
    const r = await checkModel(compile(setIpModel('syscall-entry')), { policy: 'linux-6.19', properties: ['all'] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    const texts = r.trace.steps.map((st) => st.text);
    expect(texts).toContain(`T1 executes main:6 (after) \`syscall write\`: ${ptraceStopWords('T1', 'syscall')}`);
    expect(texts).toContain(ptraceSetIpWords('T1', 'main:7', 'main:1 (start)', 'C0'));
    expect(r.trace.steps.filter((st) => st.kind === 'ptrace').length).toBe(1);
  });
});

describe('tracer input and the models without one', () => {
  it('a tracer that does nothing, or a setIp label the program lacks: located errors', () => {
    const m = setIpModel('syscall-entry');
    const nothing = validateModel({ ...m, threads: [{ ...m.threads[0]!, tracer: {} }] });
    expect(nothing.ok ? [] : nothing.errors.map((e) => [e.code, e.path.join('.')])).toEqual([['bad-thread', 'threads.0.tracer']]);
    const badLabel = validateModel({ ...m, threads: [{ ...m.threads[0]!, tracer: { setIp: 'strat' } }] });
    expect(badLabel.ok ? [] : badLabel.errors.map((e) => [e.code, e.path.join('.'), e.hint])).toEqual([['unknown-label', 'threads.0.tracer.setIp', 'did you mean "start"?']]);
    const stopOnly = validateModel({ ...m, threads: [{ ...m.threads[0]!, tracer: { singleStep: true, stop: 'syscall-exit' } }] });
    expect(stopOnly.ok ? [] : stopOnly.errors.map((e) => [e.code, e.path.join('.')])).toEqual([['bad-thread', 'threads.0.tracer.stop']]);
  });

  it('no tracer: no ptraceStop field and the reductions stay on; a tracer turns fusion and symmetry off', () => {
    const plain = { ...setIpModel('syscall-entry'), threads: [{ name: 'T1', program: 'main', cpu: 'C0' }] };
    const without = system(plain, 'linux-4.18', {}, { reduce: true, symmetry: true });
    expect([without.layout.ptraceStop.length, without.reduced]).toEqual([0, true]);
    const withTracer = system(setIpModel('syscall-entry'), 'linux-4.18', {}, { reduce: true, symmetry: true });
    expect([withTracer.layout.ptraceStop.length, withTracer.reduced, withTracer.symmetric]).toEqual([1, false, false]);
    expect(system(stepped(), 'linux-4.18').layout.ptraceStop.length).toBe(0);
  });
});

describe('the library model traced-counter', () => {
  const check = async (tracer: number, policy: string): Promise<{ verdict: string; states: number }> => {
    const r = await checkModel(resolveModel('traced-counter', [`tracer=${tracer}`]).ir, { policy, properties: ['all'] });
    return { verdict: r.verdict === 'violation' ? r.property : r.verdict, states: r.stats.states };
  };

  it('single-step: every kernel aborts the stepped c.s. (G1 holds, T1 retries for ever)', async () => {
    expect(await check(1, 'linux-4.18')).toEqual({ verdict: 'pass', states: 320 });
    expect(await check(1, 'linux-6.19')).toEqual({ verdict: 'pass', states: 321 });
  });

  it('single-step without aborts on preemption: the decisive step of G1 is the ptrace stop, not the stepped instruction', async () => {
    const r = await checkModel(resolveModel('traced-counter', ['tracer=1', 'threads=1', 'cpus=1']).ir, { policy: 'linux-4.18', knobs: ['abortOnPreempt=false'], properties: ['G1-atomicity'] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    // Step 4 arms inc_cs; the single-step trap after it is the first switch inside the c.s.
    expect(r.trace.decisive).toEqual({
      step: 4,
      property: 'G1-atomicity',
      why: "T1's single-step trap after `rseq_cs = &inc_cs` stops it for its tracer (a switch) while it is inside inc_cs, and does not abort it: T1 commits at step 19 as if nothing had happened (the missing abort)",
    });
  });

  it('SETREGS under 6.19: the decisive step of G1 is the tracer putting the IP inside, not a kernel event', async () => {
    const r = await checkModel(resolveModel('traced-counter', ['tracer=2']).ir, { policy: 'linux-6.19', properties: ['G1-atomicity'] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    const decisive = r.trace.decisive!;
    expect(r.trace.steps[decisive.step]!.kind).toBe('ptrace');
    expect(decisive.why).toMatch(/^the tracer's PTRACE_SETREGS puts T1's IP inside inc_cs while it is stopped, and its return to user space does not abort it: T1 commits at step \d+ as if nothing had happened \(the missing abort\)$/);
  });

  it('SETREGS to the commit: 4.18 aborts, 6.19 commits again (G1); c\' kills at the entry stop only (G2)', async () => {
    expect(await check(2, 'linux-4.18')).toEqual({ verdict: 'pass', states: 1333 });
    expect((await check(2, 'linux-6.19')).verdict).toBe('G1-atomicity');
    expect((await check(2, "c'@4.18")).verdict).toBe('G2-no-false-kill');
    expect(await check(3, "c'@4.18")).toEqual({ verdict: 'pass', states: 1333 });
    expect((await check(3, 'linux-6.19')).verdict).toBe('G1-atomicity');
  });
});
