import type { KillReason } from '../../properties/codes.js';

/** The kind of a kernel event, for G1's "should have aborted" and the NO_RESTART exemptions. */
export type EventClass = 'preempt' | 'migrate' | 'signal' | 'membarrier' | 'trap' | 'fork' | 'ptrace';

/** Why the kernel killed the process (properties/codes.ts names them in words). */
export type KillReasonCode = (typeof KillReason)[keyof typeof KillReason];

/** Where the kernel looked at a thread's c.s.: the 4.18-6.18 notify-resume handler, signal delivery, or the 6.19+ exit work. */
export type CheckSite = 'notify-resume' | 'signal-delivery' | 'exit-work';

/**
 * What the kernel semantics decided while computing one transition, reported as it happens
 * (models/kernel/semantics.ts), plus the two facts of a user instruction the interpreter
 * reports (an instruction inside the c.s. it armed, and its commit). Threads, areas (the
 * struct rseq of that thread index), descriptors (index + 1) and IPs are model indices.
 */
export type KernelDecision =
  /** rseq_preempt / rseq_migrate / rseq_signal_deliver set event-mask bits (EV_PREEMPT, EV_SIGNAL, EV_MIGRATE). */
  | { readonly kind: 'event-recorded'; readonly thread: number; readonly bits: number; readonly cause: EventClass }
  /** The event mask was reset: read by the restart check, or cleared at every exit. */
  | { readonly kind: 'event-mask-cleared'; readonly thread: number; readonly why: 'restart-check' | 'every-exit' }
  /** 6.19+: rseq_sched_switch_event raised TIF_RSEQ (a switch, a membarrier IPI, a signal under legacy tracking). */
  | { readonly kind: 'switch-event'; readonly thread: number }
  /**
   * The IP of frame `level` moved from `fromIp` to the abort_ip of `desc`, and the area's
   * rseq_cs was cleared. `events`: the pending event bits that forced the restart (4.18-6.18;
   * 0 under the rework, where any switch event or signal that reaches the check does).
   */
  | {
      readonly kind: 'abort';
      readonly thread: number;
      readonly area: number;
      readonly desc: number;
      readonly level: number;
      readonly fromIp: number;
      readonly abortIp: number;
      readonly site: CheckSite;
      readonly events: number;
    }
  /** rseq_cs cleared with the IP outside the descriptor's range (the lazy clear). */
  | { readonly kind: 'lazy-clear'; readonly thread: number; readonly area: number; readonly desc: number; readonly site: CheckSite | 'syscall-exit' }
  /** Inside the c.s., the restart check found no event that is not exempted (`pending`: the mask it read, `exempt`: NO_RESTART bits). */
  | { readonly kind: 'no-restart'; readonly thread: number; readonly desc: number; readonly pending: number; readonly exempt: number }
  /** Back at the exit to user mode, the IP is still where the thread left it, inside the c.s. it armed: nothing aborted it (it resumes there, or the process was killed instead). */
  | { readonly kind: 'not-aborted'; readonly thread: number; readonly desc: number }
  /** force_sigsegv: the process dies (`atSigreturn`: the SIGSEGV handler's rt_sigreturn unblocked the fatal SIGSEGV its delivery left pending). */
  | { readonly kind: 'kill'; readonly thread: number; readonly reason: KillReasonCode; readonly atSigreturn?: boolean }
  /**
   * The SIGSEGV a fault for `reason` forced was delivered to the thread's SIGSEGV handler;
   * `fatal`: the delivery faulted again, so it runs with the fatal SIGSEGV pending and blocked.
   */
  | { readonly kind: 'sigsegv-handler'; readonly thread: number; readonly reason: KillReasonCode; readonly fatal: boolean }
  /** cpu_id_start and cpu_id of `area` written for `cpu` (-1 with cpu_id_start 0: unregistration). */
  | { readonly kind: 'ids-written'; readonly thread: number; readonly area: number; readonly cpu: number }
  /** A signal handler frame was pushed at `level`; the interrupted frame saved `savedIp`. */
  | { readonly kind: 'signal-delivered'; readonly thread: number; readonly level: number; readonly savedIp: number }
  /** rt_sigreturn popped the handler frame: execution resumes at frame `level`. */
  | { readonly kind: 'sigreturn'; readonly thread: number; readonly level: number }
  /** A syscall entered the kernel (`inCs`: its instruction is inside the c.s. the thread armed). */
  | { readonly kind: 'syscall-entry'; readonly thread: number; readonly name: string; readonly inCs: boolean }
  /** The thread stopped for its tracer (ptrace_stop → schedule): after a single-stepped instruction (the debug trap), or at a syscall. */
  | { readonly kind: 'ptrace-stop'; readonly thread: number; readonly why: 'single-step' | 'syscall' }
  /** The tracer rewrote the stopped thread's IP (PTRACE_SETREGS) from `fromIp` to `toIp` (frame 0). */
  | { readonly kind: 'ptrace-set-ip'; readonly thread: number; readonly fromIp: number; readonly toIp: number }
  /**
   * The thread took mm_cid `cid`: at switch-in (mm_cid_get), or afresh after a failed execve
   * (sched_mm_cid_after_execve). `heldBy`: a thread running on another CPU that holds the same
   * one (only under mmCidUniqueness=racy-without-barrier), or -1.
   */
  | { readonly kind: 'mm-cid-taken'; readonly thread: number; readonly cid: number; readonly heldBy: number; readonly at: 'switch-in' | 'execve-failure' }
  /** execve returned: `failed` to the old image (`notify`: its error path raised notify-resume), or the new image runs unregistered. */
  | { readonly kind: 'execve'; readonly thread: number; readonly failed: boolean; readonly notify: boolean }
  /**
   * Kernel work a membarrier IPI can land inside (models/kernel/kernel-work.ts), `paused` at
   * the window or `finished` past it. restart-check: rseq_need_restart between its read of the
   * event mask (`mask`) and its clear; at the finish `lost` holds the bits set since the read,
   * which the clear drops. unregister: rseq(UNREGISTER) between clearing the registration and
   * has_rseq; at the finish `lost` is 1 if an IPI raised TIF_RSEQ in the window.
   */
  | { readonly kind: 'kernel-work'; readonly thread: number; readonly work: 'restart-check' | 'unregister'; readonly phase: 'paused' | 'finished'; readonly mask: number; readonly lost: number }
  /**
   * A thread in ioctl(KVM_RUN), switched in, re-entered the guest: xfer_to_guest_mode_work found
   * no TIF_NOTIFY_RESUME (`none`), cleared it without rseq (`dropNotify`), or ran
   * rseq_handle_notify_resume(NULL, NULL) (`updateIds`); under the 6.19 rework the rseq work waits
   * for the return to user space (`deferred`).
   */
  | { readonly kind: 'guest-entry'; readonly thread: number; readonly path: 'none' | 'dropNotify' | 'updateIds' | 'deferred' }
  /** User instruction inside the range of the descriptor the frame armed. */
  | { readonly kind: 'cs-instruction'; readonly thread: number; readonly desc: number }
  /** User instruction that is the last of that range: the commit. */
  | { readonly kind: 'commit'; readonly thread: number; readonly desc: number };

/**
 * Where the semantics reports its decisions. Exploration installs none, so no decision is
 * built on the hot path; explanations and the LTL ghosts install one.
 */
export interface DecisionSink {
  decide(d: KernelDecision): void;
}

/** A sink that keeps every decision, in order. */
export class DecisionLog implements DecisionSink {
  private decisions: KernelDecision[] = [];
  decide(d: KernelDecision): void {
    this.decisions.push(d);
  }
  /** The decisions so far; the log starts again empty. */
  take(): KernelDecision[] {
    const taken = this.decisions;
    this.decisions = [];
    return taken;
  }
}

/** Per thread bit, what the transition being computed did: what LTL's transition propositions read. */
export class TransitionBits implements DecisionSink {
  commit = 0;
  abort = 0;
  syscall = 0;
  csInstr = 0;
  decide(d: KernelDecision): void {
    switch (d.kind) {
      case 'commit':
        this.commit |= 1 << d.thread;
        break;
      case 'cs-instruction':
        this.csInstr |= 1 << d.thread;
        break;
      case 'abort':
        this.abort |= 1 << d.thread;
        break;
      case 'syscall-entry':
        this.syscall |= 1 << d.thread;
        break;
    }
  }
  reset(): void {
    this.commit = this.abort = this.syscall = this.csInstr = 0;
  }
}

/** Both sinks, in order (an explanation listening to a system whose LTL ghosts listen too). */
export function bothSinks(first: DecisionSink, second: DecisionSink): DecisionSink {
  return {
    decide(d: KernelDecision): void {
      first.decide(d);
      second.decide(d);
    },
  };
}
