/**
 * Each kernel decision an explained trace lists is worded from that decision (run/decision-words.ts):
 * one exact wording per kind, and the traces where the words used to say something the kernel
 * did not do (a kill called a resumption, ID writes the 6.19 kernel never made, a thread's exit
 * called a lazy clear).
 */
import { describe, expect, it } from 'vitest';
import type { Instr } from '../../models/ir/types.js';
import { validateModel } from '../../models/ir/validate.js';
import { KillReason } from '../../properties/codes.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { checkModel } from '../../run/check.js';
import { replayToken } from '../../run/replay.js';
import { reviewCell } from '../../run/review-cell.js';
import {
  abortWords,
  commitWords,
  eventWords,
  execveWords,
  exitWords,
  framePushedWords,
  guestEntryWords,
  idsWords,
  kernelWorkFinishedWords,
  kernelWorkPausedWords,
  killWords,
  lazyClearWords,
  mmCidSharedWords,
  notAbortedWords,
  preemptedAtExitWords,
  ptraceSetIpWords,
  ptraceStopWords,
  sharedAbortWords,
  sigreturnWords,
  tracerResumesWords,
} from '../../run/decision-words.js';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { criticalSection } from '../../models/library/librseq/primitives.js';

describe('one wording per decision kind', () => {
  it('abort, and an abort that cleared a struct rseq shared with another thread', () => {
    expect(abortWords('T1', 'main:4', 'main:8 (P_abort)', 'P_cs')).toBe('T1: IP moved from main:4 to abort_ip main:8 (P_abort) of P_cs; rseq_cs cleared');
    expect(sharedAbortWords('T2', 'P_cs', 'T1')).toBe("T2: rseq_cs (P_cs) of its shared struct rseq cleared by T1's abort");
  });
  it('lazy-clear, and a thread that exits with rseq_cs set (no kernel clear at all)', () => {
    expect(lazyClearWords('T1', 'P_cs')).toBe('T1: rseq_cs (P_cs) cleared lazily, ip outside the c.s.');
    expect(exitWords('T1', 'P_cs')).toBe('T1 exits with rseq_cs (P_cs) still set: nothing reads its struct rseq any more');
  });
  it('not-aborted: it resumes, or the process is killed instead', () => {
    expect(notAbortedWords('T1', 'P_cs', false)).toBe('T1 resumes inside P_cs without an abort');
    expect(notAbortedWords('T1', 'P_cs', true)).toBe('T1 is not aborted inside P_cs: the process is killed instead');
  });
  it('ids-written, event-recorded, kill', () => {
    expect(idsWords('T2', 'cpu_id', 1)).toBe("cpu_id of T2's struct rseq written: 1");
    expect(eventWords('T1', 5)).toBe('T1: event bits PREEMPT|MIGRATE recorded');
    expect(eventWords('T1', null)).toBe('T1: rseq event pending');
    expect(killWords('T1', KillReason.noRestartFlags)).toBe('SIGSEGV: T1 killed (deprecated NO_RESTART flags set); the process dies');
  });
  it('signal-delivered, sigreturn, commit', () => {
    expect(framePushedWords('T1', 'main:2 (s3_start)')).toBe('signal delivered to T1: handler frame saves ip main:2 (s3_start)');
    expect(sigreturnWords('T1', 'main:2 (s3_start)')).toBe('T1 returns from its handler to main:2 (s3_start)');
    expect(commitWords('inc_cs')).toBe('commit of inc_cs');
  });
  it("a switch at a syscall's exit: sched_yield's own, or a preemption", () => {
    const yieldIns = { op: 'syscall', name: 'sched_yield' } as unknown as Instr;
    expect(preemptedAtExitWords(yieldIns)).toBe('sched_yield: the scheduler switches to a task ready on this CPU');
    expect(preemptedAtExitWords({ op: 'nop' })).toBe('preempted at syscall exit');
  });
});

describe('execve and the mm_cid a thread takes', () => {
  it('execve: success; failure with the notify, without it, and for an unregistered thread', () => {
    expect(execveWords('T1', false, false, true, undefined)).toBe("execve succeeds: the other threads end and T1's rseq registration is reset (the new image starts unregistered)");
    expect(execveWords('T1', true, true, true, 0)).toBe('execve fails: T1 returns to its old image with mm_cid 0, taken afresh; the error path raises notify-resume, so its IDs are written before user space runs');
    expect(execveWords('T1', true, false, true, 0)).toBe('execve fails: T1 returns to its old image with mm_cid 0, taken afresh; no notify-resume on the error path: its struct rseq keeps the IDs it had');
    expect(execveWords('T1', true, false, false, undefined)).toBe('execve fails: T1 returns to its old image (not registered: no struct rseq to update)');
  });
  it('mm-cid-taken of an mm_cid another running thread holds', () => {
    expect(mmCidSharedWords('T2', 0, 'A', 'C0')).toBe("T2 gets mm_cid 0, which A still holds on C0 (a switch-in not ordered against that CPU's claim): two running threads share mm_cid 0");
  });
  it('gallery/exec-failure-stale-mm-cid: the failed execve says which mm_cid it took and that no notify follows', async () => {
    const e = gallery.find((g) => g.name === 'exec-failure-stale-mm-cid')!;
    const v = validateModel(e.model);
    if (!v.ok) throw new Error('invalid');
    const r = await checkModel(v.ir, { policy: e.policy, knobs: e.bugKnobs, properties: [e.property] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    expect(r.trace.steps.find((x) => x.text.includes('execve_fail'))?.text).toBe(
      'T1 executes exec:0 `syscall execve_fail`: execve fails: T1 returns to its old image with mm_cid 0, taken afresh; no notify-resume on the error path: its struct rseq keeps the IDs it had',
    );
  });
  it('a failed execve with the notify, and a successful one (an assertion after each fails)', async () => {
    for (const [name, words] of [
      ['execve_fail', 'execve fails: T1 returns to its old image; the error path raises notify-resume, so its IDs are written before user space runs'],
      ['execve', "execve succeeds: the other threads end and T1's rseq registration is reset (the new image starts unregistered)"],
    ] as const) {
      const m = new ModelBuilder('exec-words')
        .cpus(1)
        .memory('x', { size: 1, max: 1 })
        .program('main', [I.syscall(name), I.assert('eq', 0, 1), I.done()])
        .thread({ name: 'T1', program: 'main', cpu: 'C0' })
        .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
        .build();
      const v = validateModel(m);
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      const r = await checkModel(v.ir, { policy: 'linux-6.3', properties: ['assertions'] });
      if (r.verdict !== 'violation') throw new Error(r.verdict);
      expect(r.trace.steps[1]?.text, name).toBe(`T1 executes main:0 \`syscall ${name}\`: ${words}`);
    }
  });
});

describe('kernel work a membarrier IPI can land inside, and the return to a KVM guest', () => {
  it('kernel-work: the pause and the finish of the event-mask read/clear and of rseq(UNREGISTER)', () => {
    expect(kernelWorkPausedWords('W1', 'restart-check', 0, false, false)).toBe(
      "W1's notify-resume handler reads the event mask (none) in rseq_need_restart, with IRQs on until its clear: a membarrier IPI can land in between",
    );
    expect(kernelWorkPausedWords('W1', 'restart-check', 5, false, true)).toBe(
      "W1's notify-resume handler runs again and reads the event mask (PREEMPT|MIGRATE) in rseq_need_restart, with IRQs on until its clear: a membarrier IPI can land in between",
    );
    expect(kernelWorkPausedWords('T1', 'unregister', 0, false, false)).toBe(
      "T1's rseq(UNREGISTER) has cleared the registration, not yet has_rseq (rseq_reset without its IRQ guard): a membarrier IPI can land in between",
    );
    expect(kernelWorkFinishedWords('W1', 'restart-check', 0, 1, false)).toBe("W1's rseq_need_restart clears the event mask it read (none), losing PREEMPT a membarrier IPI set after the read");
    expect(kernelWorkFinishedWords('W1', 'restart-check', 1, 0, true)).toBe("W1's rseq_need_restart clears the event mask it read (an event)");
    expect(kernelWorkFinishedWords('T1', 'unregister', 0, 1, false)).toBe(
      "T1's rseq(UNREGISTER) clears has_rseq, but a membarrier IPI in the window has already raised TIF_RSEQ for the exit work",
    );
    expect(kernelWorkFinishedWords('T1', 'unregister', 0, 0, false)).toBe("T1's rseq(UNREGISTER) clears has_rseq: no IPI landed in the window");
  });
  it('guest-entry: each path of xfer_to_guest_mode_work', () => {
    expect(guestEntryWords('T1', 'dropNotify')).toBe('T1 re-enters the guest inside ioctl(KVM_RUN): xfer_to_guest_mode_work clears TIF_NOTIFY_RESUME without calling rseq, so no ID is written before the ioctl returns');
    expect(guestEntryWords('T1', 'updateIds')).toBe('T1 re-enters the guest inside ioctl(KVM_RUN): xfer_to_guest_mode_work runs rseq_handle_notify_resume(NULL, NULL): IDs written, no IP fixup');
    expect(guestEntryWords('T1', 'deferred')).toBe("T1 re-enters the guest inside ioctl(KVM_RUN): the 6.19 rework leaves rseq's work to the ioctl's return to user space");
    expect(guestEntryWords('T1', 'none')).toBe('T1 re-enters the guest inside ioctl(KVM_RUN): no notify-resume pending');
  });

  const traceOf = async (name: string, knobs?: readonly string[]) => {
    const e = gallery.find((g) => g.name === name)!;
    const v = validateModel(e.model);
    if (!v.ok) throw new Error('invalid');
    const r = await checkModel(v.ir, { policy: e.policy, knobs: [...(knobs ?? e.bugKnobs)], properties: [e.property] });
    if (r.verdict !== 'violation') throw new Error(r.verdict);
    return r.trace.steps.map((x) => x.text);
  };
  it('gallery/membarrier-ipi-lost-abort: the read, the lost bit at the clear, the second run of the handler', async () => {
    const t = await traceOf('membarrier-ipi-lost-abort');
    expect(t[7]).toBe(
      "interrupt with unrelated task_work (TIF_NOTIFY_RESUME) for W1 at worker:6 inside inc_cs: W1's notify-resume handler reads the event mask (none) in rseq_need_restart, with IRQs on until its clear: a membarrier IPI can land in between",
    );
    expect(t[10]).toBe(
      "W1's rseq_need_restart clears the event mask it read (none), losing an event a membarrier IPI set after the read: W1's notify-resume handler runs again and reads the event mask (none) in rseq_need_restart, with IRQs on until its clear: a membarrier IPI can land in between",
    );
    expect(t[11]).toBe("W1's rseq_need_restart clears the event mask it read (none)");
  });
  it('gallery/unregister-ipi-false-kill: the window of rseq(UNREGISTER), and the IPI that landed in it', async () => {
    const t = await traceOf('unregister-ipi-false-kill');
    expect(t[1]).toBe(
      "T1 executes leaving:0 `syscall rseq_unregister`: T1's rseq(UNREGISTER) has cleared the registration, not yet has_rseq (rseq_reset without its IRQ guard): a membarrier IPI can land in between; cpu_id of T1's struct rseq written: -1",
    );
    expect(t[3]).toMatch(/^T1's rseq\(UNREGISTER\) clears has_rseq, but a membarrier IPI in the window has already raised TIF_RSEQ for the exit work: SIGSEGV: T1 killed \(exit work wrote the IDs through the area rseq\(UNREGISTER\) had just cleared/);
  });
  it('gallery/kvm-stale-cpu-id: the switch-in of the vCPU thread re-enters the guest, dropping the notify', async () => {
    const t = await traceOf('kvm-stale-cpu-id');
    expect(t[4]).toBe(
      'T1 scheduled in on C1, returns to user at vcpu:1 (inc_retry): T1 re-enters the guest inside ioctl(KVM_RUN): xfer_to_guest_mode_work clears TIF_NOTIFY_RESUME without calling rseq, so no ID is written before the ioctl returns',
    );
  });
});

describe('traces say what the kernel did', () => {
  it('S3 under linux-6.0: the c.s. is not aborted because the process is killed, not "resumes"', async () => {
    const s = seedScenarios.find((x) => x.id === 'S3')!;
    const cell = await reviewCell(s.build(), 'S3', 'linux-6.0');
    expect(cell.verdict).toBe('killed as promised');
    expect(cell.trace!.steps.at(-1)!.text).toBe(
      'signal sent to T1 on C0 at main:2 (s3_start) inside s3_cs: T1 is not aborted inside s3_cs: the process is killed instead; T1: event bits SIGNAL recorded; SIGSEGV: T1 killed (deprecated NO_RESTART flags set); the process dies',
    );
  });

  it('6.19 (onChangeOnly): switched back in on the CPU it left, T1 gets no ID write (the reduction raised ids_changed, the kernel did not)', async () => {
    const g = gallery.find((x) => x.name === 'syscall-migrated-619')!;
    const v = validateModel(g.model, g.name);
    if (!v.ok) throw new Error('invalid gallery model');
    // G1's shortest counterexample: the sleep alone, no migration (the entry's own property needs one).
    const r = await checkModel(v.ir, { policy: g.policy, knobs: g.bugKnobs, properties: ['G1-atomicity'] });
    if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
    const texts = r.trace.steps.map((st) => st.text);
    expect(texts).toContain('T1 scheduled in on C0, returns to user at main:7 inside inc_cs: T1 resumes inside inc_cs without an abort');
    expect(r.trace.steps.flatMap((st) => st.decisions).filter((d) => d.kind === 'ids-updated')).toEqual([]);
  });
});

describe('a tracer, and the restart-rewind path', () => {
  it('ptrace-stop, ptrace-set-ip, and the resume of a stopped thread', () => {
    expect(ptraceStopWords('T1', 'single-step')).toBe('T1 takes the single-step trap and stops for its tracer (a switch out)');
    expect(ptraceStopWords('T1', 'syscall')).toBe('T1 stops for its tracer at the syscall (a switch out)');
    expect(ptraceSetIpWords('T1', 'main:7', 'main:1 (start)', 'C0')).toBe("the tracer sets T1's IP from main:7 to main:1 (start) (PTRACE_SETREGS) and resumes it (ready on C0)");
    expect(tracerResumesWords('T1', 'C0')).toBe('the tracer resumes T1 (ready on C0)');
  });

  /**
   * futex_wait is the last instruction of the c.s., so the IP after it is post_commit_ip: a
   * signal cuts the sleep short (-ERESTARTSYS). Rewound before the fixup (restartRewindOrder
   * before-fixup) the IP is back on futex_wait, inside the range: an abort, worded as one.
   * Rewound after it (csky's old order) the fixup saw the IP outside: a lazy clear, and only then
   * the rewind into the range.
   */
  const rewound = (order: 'before-fixup' | 'after-fixup'): string => {
    // 0 r_retry, 1 arm, 2 r_start, 3 cpu check, 4 futex_wait (the last of the range), 5 r_post, 6 r_abort, 7 finish.
    const m = new ModelBuilder('restart-rewind')
      .cpus(1)
      .memory('handled', { max: 1 })
      .program('main', seq(criticalSection('r', [I.syscall('futex_wait', { blocking: true })], 'finish'), I.done({ label: 'finish' })))
      .program('handler', [I.addm({ var: 'handled' }, 1), I.sigreturn()])
      .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
      .budgets({ preemptions: 0, migrations: 0, signals: 1 })
      .build();
    const v = validateModel(m);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    // Five instructions (T1 sleeps in futex_wait), the signal wakes it (successor 1 of a
    // sleeper), the switch-in delivers it.
    const r = replayToken(v.ir, '0:0:0:0:0:0:1:0', { policy: 'linux-4.18', knobs: [`restartRewindOrder=${order}`], reduce: false });
    return r.trace.steps.at(-1)!.text;
  };

  it('an abort on the restart-rewind path is worded as an abort, never as a lazy clear', () => {
    const before = rewound('before-fixup');
    expect(before).toContain(abortWords('T1', 'main:4', 'main:6 (r_abort)', 'r_cs'));
    expect(before).not.toContain('lazily');
    const after = rewound('after-fixup');
    expect(after).toContain(lazyClearWords('T1', 'r_cs'));
    expect(after).not.toContain('abort_ip');
  });
});
