import type { ModelIR } from '../ir/types.js';
import { encodeValue } from '../kernel/encoding.js';
import { Entry, Status, type RseqLayout } from '../kernel/layout.js';
import { finishKernelWork } from '../kernel/ipi-races.js';
import { setIp } from '../kernel/ptrace.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import type { CanonicalForm } from './canonical.js';

/** The thread-local event steps of `ThreadEvents.apply` (part of the record cache's step index). */
export const Local = {
  preemptOut: 0,
  preemptSelf: 1,
  schedule: 2,
  migrateRunning: 3,
  signalRunning: 4,
  interrupt: 5,
  trapSleep: 6,
  wake: 7,
  migrateReady: 8,
  signalSwitchedOut: 9,
  kernelWork: 10,
  ptraceSetIp: 11,
} as const;
export const LOCAL_OPS = Object.keys(Local).length;

/**
 * The kernel's handling of the environment's events on one thread: preemption, migration,
 * signals, interrupts, traps, switch-in and wake-up, each reading and writing that thread's
 * record only (and, on a kill or a violation, the process-wide words).
 */
export class ThreadEvents {
  private readonly L: RseqLayout;

  constructor(
    private readonly ir: ModelIR,
    private readonly kernel: KernelSemantics,
    private readonly canonical: CanonicalForm,
  ) {
    this.L = kernel.L;
  }

  /** Runs event step `op` (a `Local` value) of thread t on `s`, canonicalization included. */
  apply(s: Int32Array, t: number, op: number, arg: number, arg2: number): void {
    const k = this.kernel;
    const L = this.L;
    switch (op) {
      case Local.preemptOut:
        this.switchOutFromUser(s, t, 'preempt');
        break;
      case Local.preemptSelf:
        this.switchOutFromUser(s, t, 'preempt');
        this.placeOn(s, t, arg);
        k.switchIn(s, t, arg2);
        this.canonical.thread(s, t);
        break;
      case Local.schedule:
        this.placeOn(s, t, arg);
        k.switchIn(s, t, arg2);
        break;
      case Local.migrateRunning:
        this.switchOutFromUser(s, t, 'migrate');
        k.noteEvent(s, t, 'migrate');
        k.migrate(s, t, arg);
        break;
      case Local.signalRunning:
        k.set(s, L.sigPending[t]!, 1);
        // Sent from elsewhere: an interrupt (IPI) brings t into the kernel, which delivers it.
        k.interrupt(s, t, false);
        break;
      case Local.interrupt:
        k.interrupt(s, t, arg === 1);
        break;
      case Local.trapSleep:
        k.noteEvent(s, t, 'trap');
        k.switchOut(s, t, 'trap', true);
        k.set(s, L.status[t]!, Status.Blocked);
        k.set(s, L.entry[t]!, Entry.Irq);
        break;
      case Local.wake:
        k.set(s, L.status[t]!, Status.Ready);
        break;
      case Local.migrateReady:
        k.noteEvent(s, t, 'migrate');
        k.migrate(s, t, arg);
        break;
      case Local.kernelWork:
        finishKernelWork(k, s, t);
        break;
      case Local.ptraceSetIp:
        setIp(k, s, t);
        if (!k.killed(s)) k.set(s, L.status[t]!, Status.Ready);
        break;
      case Local.signalSwitchedOut: {
        k.set(s, L.sigPending[t]!, 1);
        const sleep = k.get(s, L.status[t]!) === Status.Blocked ? this.interruptibleSleep(s, t) : undefined;
        if (sleep) {
          // The signal cuts the sleep short. futex_wait and blocking read/write return
          // -ERESTARTSYS and are restarted after the handler (SA_RESTART: the IP is rewound to
          // the syscall); poll and nanosleep fail with EINTR (-ERESTARTNOHAND /
          // -ERESTART_RESTARTBLOCK), as litmus runs on 6.18 showed.
          k.set(s, L.status[t]!, Status.Ready);
          if (sleep.restart) k.set(s, L.restart[t]!, 1);
          else if (sleep.dst >= 0) k.set(s, L.regs[k.topFrame(s, t) * L.registers + sleep.dst]!, encodeValue(1));
        }
        break;
      }
    }
    this.canonical.thread(s, t);
  }

  /**
   * If blocked thread t sleeps in a syscall a signal interrupts: whether it is restarted, and
   * the register receiving its result (EINTR is reported as 1, the model's error value).
   */
  interruptibleSleep(s: Int32Array, t: number): { restart: boolean; dst: number } | undefined {
    const k = this.kernel;
    if (k.get(s, this.L.entry[t]!) !== Entry.Syscall) return undefined;
    const prog = this.ir.programs[k.programOf(s, t, k.level(s, t))]!;
    const ins = prog.code[k.get(s, this.L.ip[k.topFrame(s, t)]!) - 1];
    if (ins === undefined || ins.op !== 'syscall' || !ins.blocking) return undefined;
    if (['futex_wait', 'read', 'write'].includes(ins.name)) return { restart: true, dst: ins.dst };
    if (['poll', 'nanosleep'].includes(ins.name)) return { restart: false, dst: ins.dst };
    return undefined;
  }

  /** Preemption or migration of a thread running in user mode: an interrupt, then a switch. */
  private switchOutFromUser(s: Int32Array, t: number, kind: 'preempt' | 'migrate'): void {
    const k = this.kernel;
    if (kind === 'preempt') k.noteEvent(s, t, 'preempt');
    k.switchOut(s, t, kind, true);
    k.set(s, this.L.status[t]!, Status.Ready);
    k.set(s, this.L.entry[t]!, Entry.Irq);
  }

  /** Puts ready thread u on `cpu` before it is switched in (a floating thread lands there). */
  private placeOn(s: Int32Array, u: number, cpu: number): void {
    this.kernel.set(s, this.L.cpu[u]!, cpu);
    this.kernel.set(s, this.L.anyCpu[u]!, 0);
  }
}
