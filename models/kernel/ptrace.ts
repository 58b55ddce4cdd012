import type { Instr, ModelIR } from '../ir/types.js';
import type { EventClass } from './decisions.js';
import type { FixupKernel, KernelView } from './kernel-view.js';
import { Entry, Status } from './layout.js';
import { syscallExitCheckNow } from './syscall-checks.js';

/**
 * A tracer (ptrace) attached to a thread (rseq-semantics.md §2.7, §5.1, §5.2 S10). The kernel
 * side of every tracer action is a ptrace stop: ptrace_stop() sets TASK_TRACED and calls
 * schedule() (kernel/signal.c), a context switch like any other (§2.2: "ptrace or job-control
 * stops"), so rseq_preempt / rseq_sched_switch_event run and the stopped thread's return to
 * user space goes through the resume path with its (possibly rewritten) regs. Nothing of
 * rseq is ptrace-specific: the model reuses the switch-out, the Blocked status (the tracee
 * waits for the tracer as a sleeper waits for its wake-up: the `wake` step is the tracer's
 * PTRACE_CONT / PTRACE_SINGLESTEP) and the switch-in.
 *
 * - Single-step (`tracer.singleStep`): after every instruction the thread stops. An ordinary
 *   instruction raises the debug trap (x86 #DB from user mode: exc_debug_user enters through
 *   irqentry_enter_from_user_mode, so 6.19+ sets user_irq), whose SIGTRAP makes the exit path
 *   stop in get_signal (the tracer resumes with signal 0: no handler frame, no
 *   rseq_signal_deliver). A syscall instruction stops in its syscall-exit work
 *   (report_single_step → ptrace_report_syscall_exit: generic entry's "1) One-time syscall exit
 *   work: rseq syscall exit, audit, syscall tracing, tracehook (single stepping)", comment on
 *   syscall_exit_to_user_mode, include/linux/entry-common.h), from kernel mode: user_irq stays
 *   clear. So 4.18-6.18 abort a c.s. at its first stepped instruction (§2.7: "ptrace_stop →
 *   schedule → abort"; why the asm macros emit __rseq_exit_point_array for debuggers).
 * - SETREGS (`tracer.setIp`): under PTRACE_SYSCALL the thread stops at each of its syscalls
 *   until the tracer, once, writes its IP (PTRACE_SETREGS / POKEUSER of regs->ip) to a label of
 *   its program; the tracer may also let a stop pass. At the syscall-entry stop
 *   (ptrace_report_syscall_entry, before the syscall runs) the exit path sees the new IP: ip_x
 *   differs from ip_e (§5.1: "except for syscalls that rewrite regs: ... ptrace SETREGS"), so
 *   an exit-IP check (c', rseq_syscall) judges the tracer's IP. At the syscall-exit stop
 *   rseq_syscall has already run (the call order above): only the exit loop's fixup sees it.
 *   The model takes the stop after the syscall's effect (no modelled syscall reads the IP;
 *   fork, clone_vm, execve and kvm_run, whose effects do, never stop for the tracer).
 */

/** Where a thread whose tracer sets its IP stands (layout field `ptraceStop`). */
export const PtraceStop = {
  /** Not stopped at a syscall for its tracer. */
  none: 0,
  /** Stopped at a syscall: the tracer may set its IP before it resumes it. */
  atSyscall: 1,
  /** The tracer has set the IP (once): its syscalls no longer stop. */
  ipSet: 2,
} as const;

/** Syscalls whose effect reads or replaces the IP or the image: no tracer stop is modelled at them. */
const NO_STOP = new Set(['fork', 'clone_vm', 'execve', 'kvm_run']);

/** The parts of KernelSemantics a ptrace stop uses. */
export interface TracedKernel extends FixupKernel {
  noteEvent(s: Int32Array, t: number, kind: EventClass): void;
  switchOut(s: Int32Array, t: number, kind: EventClass, fromUser: boolean): void;
}

/** The IPs of program `pi` a tracer may move a thread to (live registers must hold there from any syscall stop). */
export function tracerTargets(ir: ModelIR, pi: number): number[] {
  return ir.threads.filter((th) => th.program === pi && (th.tracer?.setIp ?? -1) >= 0).map((th) => th.tracer!.setIp);
}

/** Whether thread t stops for its tracer after a non-syscall instruction (single-step: the debug trap). */
export function stepsAfter(ir: ModelIR, t: number, ins: Instr): boolean {
  return ir.threads[t]!.tracer?.singleStep === true && ins.op !== 'done' && ins.op !== 'syscall' && ins.op !== 'raise' && ins.op !== 'sigreturn';
}

/**
 * Whether thread t, at the exit of syscall `ins` (its effect done), stops for its tracer: a
 * single-stepped thread at every syscall; a thread whose tracer sets its IP at each syscall of
 * its main program (kill(2) from `raise` too: PTRACE_SYSCALL stops at every syscall) until it has.
 */
export function stopsAtSyscall(k: KernelView, s: Int32Array, t: number, ins: Instr): boolean {
  const tr = k.ir.threads[t]!.tracer;
  // Stryker disable next-line ConditionalExpression: equivalent, raise and rt_sigreturn have no name: NO_STOP.has(undefined) is false
  if (tr === undefined || (ins.op === 'syscall' && NO_STOP.has(ins.name))) return false;
  if (tr.singleStep) return true;
  // Stryker disable next-line ConditionalExpression: equivalent, a tracer that does not single-step sets the IP (validated): setIp >= 0 here
  return (ins.op === 'syscall' || ins.op === 'raise') && tr.setIp >= 0 && k.level(s, t) === 0 && k.get(s, k.L.ptraceStop[t]!) === PtraceStop.none;
}

/**
 * The ptrace stop: a context switch out (rseq_preempt at switch-out, 4.18-6.18; user_irq from
 * the debug trap's entry, 6.19+) and the thread waits, Blocked, for the tracer to resume it.
 * `fromUser`: the debug trap after a user instruction; else a stop inside a syscall's exit.
 */
export function ptraceStop(k: TracedKernel, s: Int32Array, t: number, fromUser: boolean): void {
  const L = k.L;
  // Stryker disable next-line StringLiteral: equivalent, the words (explain, decisive step) tell only 'single-step' apart
  k.sink?.decide({ kind: 'ptrace-stop', thread: t, why: fromUser ? 'single-step' : 'syscall' });
  k.noteEvent(s, t, 'ptrace');
  k.switchOut(s, t, 'ptrace', fromUser);
  k.set(s, L.status[t]!, Status.Blocked);
  // Stryker disable ConditionalExpression,EqualityOperator,UnaryOperator,OptionalChaining: equivalent, (if) a single-step stop follows a user instruction, and every return to user space set entry Irq; (else if) a stopped thread has a tracer whose setIp is a number, and without ptraceStop fields no thread has setIp >= 0
  if (fromUser) k.set(s, L.entry[t]!, Entry.Irq);
  else if (L.ptraceStop.length > 0 && (k.ir.threads[t]!.tracer?.setIp ?? -1) >= 0 && k.get(s, L.ptraceStop[t]!) === PtraceStop.none) k.set(s, L.ptraceStop[t]!, PtraceStop.atSyscall);
}
// Stryker restore ConditionalExpression,EqualityOperator,UnaryOperator,OptionalChaining

/** Whether t's tracer may set its IP now: t is stopped at a syscall and the tracer has not yet. */
export function canSetIp(k: KernelView, s: Int32Array, t: number): boolean {
  const L = k.L;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, without ptraceStop fields the field reads 0, not atSyscall
  return L.ptraceStop.length > 0 && k.get(s, L.ptraceStop[t]!) === PtraceStop.atSyscall && k.get(s, L.status[t]!) === Status.Blocked;
}

/**
 * PTRACE_SETREGS on stopped thread t: its IP becomes the tracer's label. At the syscall-exit
 * stop rseq_syscall has already judged the old IP (it runs now, before the write). For G1 the
 * thread now sits stopped (switched out) at the new IP: inside the range of the descriptor
 * its rseq_cs points at, that is an event the c.s. must be aborted for (rseq(2): a preempted
 * thread whose IP is in the range of rseq_cs is restarted at abort_ip).
 */
export function setIp(k: TracedKernel, s: Int32Array, t: number): void {
  const L = k.L;
  const tr = k.ir.threads[t]!.tracer!;
  k.set(s, L.ptraceStop[t]!, PtraceStop.ipSet);
  // rseq_syscall (the policy's exit check) runs now, with the old IP; not again at this syscall's exit.
  if (tr.stop === 'syscall-exit') syscallExitCheckNow(k, s, t);
  if (k.killed(s)) return;
  const f = L.frame(t, 0);
  const fromIp = k.get(s, L.ip[f]!);
  k.sink?.decide({ kind: 'ptrace-set-ip', thread: t, fromIp, toIp: tr.setIp });
  k.set(s, L.ip[f]!, tr.setIp);
  // Landing inside the range of the descriptor rseq_cs points at is entering that c.s. as the
  // kernel sees it (no rseq_arm ran: the ghost `armed` is set here; canonical.ts dropped it
  // once no path led back into the range without an rseq_arm).
  const d = k.get(s, L.rseqCs[t]!);
  // Stryker disable next-line ConditionalExpression: equivalent, inRange is false for rseq_cs 0
  if (d !== 0 && k.inRange(d, k.ir.threads[t]!.program, tr.setIp)) {
    k.set(s, L.armed[f]!, d);
    k.set(s, L.dirty[f]!, 0);
    k.set(s, L.evSince[f]!, 0);
  }
  k.noteEvent(s, t, 'ptrace');
}

/** At switch-in: a stop the tracer let pass without setting the IP is over. */
export function leaveSyscallStop(k: KernelView, s: Int32Array, t: number): void {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, without ptraceStop fields the field reads 0, not atSyscall
  if (k.L.ptraceStop.length > 0 && k.get(s, k.L.ptraceStop[t]!) === PtraceStop.atSyscall) k.set(s, k.L.ptraceStop[t]!, PtraceStop.none);
}
