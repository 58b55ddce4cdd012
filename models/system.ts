import type { TransitionSystem } from '../checker/transition-system.js';
import { builtinPropertyNames, Code, FIRST_USER_CODE, FLAG_KILLED_AS_PROMISED } from '../properties/codes.js';
import type { BudgetsIR, ModelIR } from './ir/types.js';
import { Interpreter, StepOutcome } from './kernel/interpreter.js';
import { Entry, RseqLayout, Status } from './kernel/layout.js';
import type { Policy } from './kernel/policy.js';
import { KernelSemantics, type GhostNeeds } from './kernel/semantics.js';
import { liveRegisters } from './kernel/liveness.js';

/** Environment events and instruction steps, as encoded in transition labels. */
export const LabelKind = {
  instruction: 0,
  instructionPreemptedAtExit: 1,
  preempt: 2,
  migrate: 3,
  signal: 4,
  interrupt: 5,
  taskWork: 6,
  trap: 7,
  trapSleep: 8,
  schedule: 9,
  wake: 10,
  signalPending: 11,
  wakeBySignal: 12,
} as const;

/** label = kind | thread << 5 | arg << 9 */
export function makeLabel(kind: number, thread: number, arg = 0): number {
  return kind | (thread << 5) | (arg << 9);
}
export function decodeLabel(label: number): { kind: number; thread: number; arg: number } {
  return { kind: label & 31, thread: (label >>> 5) & 15, arg: label >>> 9 };
}

/** A compiled state predicate (user invariants, final conditions): true when it holds. */
export type StatePredicate = (s: Int32Array) => boolean;

export interface SystemOptions {
  readonly budgets: BudgetsIR;
  readonly ghosts: GhostNeeds;
  /** Built-in codes that are checked (others are tracked but not reported). */
  readonly checked: ReadonlySet<number>;
  readonly invariants: readonly { readonly name: string; readonly holds: StatePredicate }[];
  readonly finals: readonly { readonly name: string; readonly holds: StatePredicate }[];
}

const budgetKinds = ['preemptions', 'migrations', 'signals', 'interrupts', 'traps'] as const;
const B_PREEMPT = 0;
const B_MIGRATE = 1;
const B_SIGNAL = 2;
const B_IRQ = 3;
const B_TRAP = 4;

/**
 * The rseq model as a TransitionSystem: at every instruction boundary of a running thread the
 * environment may preempt, migrate, signal, interrupt or trap it (within budgets); ready
 * threads are scheduled onto idle CPUs; blocked threads wake; switched-out threads migrate.
 */
export class RseqSystem implements TransitionSystem {
  readonly stateWords: number;
  readonly layout: RseqLayout;
  readonly kernel: KernelSemantics;
  readonly interp: Interpreter;
  private readonly T: number;
  private readonly budgetBound: number[];
  private readonly runningOn: Int32Array;
  /** Per program, per instruction: bitmask of registers live there. */
  private readonly live: readonly Int32Array[];

  constructor(
    readonly ir: ModelIR,
    readonly policy: Policy,
    readonly options: SystemOptions,
  ) {
    const withBudgets: ModelIR = { ...ir, budgets: options.budgets };
    this.layout = new RseqLayout(withBudgets);
    this.stateWords = this.layout.bits.words;
    const trackMmCid = ir.programs.some((p) => p.code.some((i) => (i.op === 'read_id' || i.op === 'write_id') && i.field === 'mm_cid'));
    this.kernel = new KernelSemantics(ir, policy, this.layout, options.ghosts, trackMmCid);
    this.interp = new Interpreter(ir, this.kernel);
    this.T = ir.threads.length;
    this.budgetBound = budgetKinds.map((k) => options.budgets[k]);
    this.runningOn = new Int32Array(ir.cpus.length);
    this.live = ir.programs.map((p, pi) =>
      liveRegisters(
        p,
        ir.registers,
        ir.descriptors.filter((d) => d.program === pi).map((d) => d.abort),
      ),
    );
  }

  /**
   * Puts thread t's frames in canonical form: dead registers cleared, and G1/precision ghost
   * bits cleared once the IP is outside the armed range (they only matter inside it).
   */
  private canonicalize(s: Int32Array, t: number): void {
    const k = this.kernel;
    const L = this.layout;
    const st = k.get(s, L.status[t]!);
    const top = st === Status.Done || st === Status.Dormant ? -1 : k.level(s, t);
    for (let l = 0; l < L.levels; l++) {
      const f = L.frame(t, l);
      if (l > top) {
        if (st === Status.Done) k.set(s, L.ip[f]!, 0);
        for (let r = 0; r < L.registers; r++) k.set(s, L.regs[f * L.registers + r]!, 2);
        continue;
      }
      const prog = k.programOf(t, l);
      const ip = k.get(s, L.ip[f]!);
      const live = this.live[prog]![ip]!;
      for (let r = 0; r < L.registers; r++) if (!(live & (1 << r))) k.set(s, L.regs[f * L.registers + r]!, 2);
      if (!k.inRange(k.get(s, L.armed[f]!), prog, ip)) {
        k.set(s, L.dirty[f]!, 0);
        k.set(s, L.evSince[f]!, 0);
      }
    }
  }

  /** Canonicalizes the acting thread, or every thread after a syscall that may touch others. */
  private finish(s: Int32Array, t: number, all: boolean): void {
    if (all) for (let u = 0; u < this.T; u++) this.canonicalize(s, u);
    else this.canonicalize(s, t);
  }

  initialStates(out: Int32Array, emit: () => void): void {
    const k = this.kernel;
    const L = this.layout;
    out.fill(0);
    this.budgetBound.forEach((v, i) => {
      if (v >= 0) k.set(out, L.budget[i]!, v);
    });
    this.ir.memory.init.forEach((v, c) => k.set(out, L.mem[c]!, v));
    this.ir.threads.forEach((th, t) => {
      k.set(out, L.status[t]!, th.dormant ? Status.Dormant : Status.Ready);
      k.set(out, L.cpu[t]!, th.cpu);
      for (let l = 0; l < L.levels; l++) for (let r = 0; r < L.registers; r++) k.set(out, L.regs[L.frame(t, l) * L.registers + r]!, 2);
      const registered = th.registered && !th.dormant;
      k.set(out, L.kRseq[t]!, registered ? t + 1 : 0);
      // A registered thread has had its IDs written; an unregistered one shows 0 / -1.
      k.set(out, L.cpuIdStart[t]!, registered ? th.cpu + 2 : 2);
      k.set(out, L.cpuId[t]!, registered ? th.cpu + 2 : 1);
    });
    emit();
  }

  private budgetLeft(s: Int32Array, i: number): boolean {
    return this.budgetBound[i]! < 0 || this.kernel.get(s, this.layout.budget[i]!) > 0;
  }
  private spend(s: Int32Array, i: number): void {
    if (this.budgetBound[i]! >= 0) this.kernel.set(s, this.layout.budget[i]!, this.kernel.get(s, this.layout.budget[i]!) - 1);
  }

  /** Thread running on `cpu` (excluding `except`), or -1. */
  private readonly cpuOf = (cpu: number, except: number): number => {
    const t = this.runningOn[cpu]!;
    return t === except ? -1 : t;
  };

  successors(state: Int32Array, out: Int32Array, emit: (label: number) => boolean | void): void {
    const k = this.kernel;
    const L = this.layout;
    if (k.killed(state) || k.get(state, L.violation) !== 0) return;
    this.runningOn.fill(-1);
    for (let t = 0; t < this.T; t++) if (k.get(state, L.status[t]!) === Status.Running) this.runningOn[k.get(state, L.cpu[t]!)] = t;

    for (let t = 0; t < this.T; t++) {
      const status = k.get(state, L.status[t]!);
      const th = this.ir.threads[t]!;
      const cpu = k.get(state, L.cpu[t]!);
      if (status === Status.Running) {
        out.set(state);
        const touchesOthers = this.interp.current(state, t).op === 'syscall';
        const outcome = this.interp.step(out, t, false, this.cpuOf);
        this.finish(out, t, touchesOthers);
        if (emit(makeLabel(LabelKind.instruction, t))) return;
        if (outcome === StepOutcome.SyscallReturned && this.budgetLeft(state, B_PREEMPT)) {
          out.set(state);
          this.spend(out, B_PREEMPT);
          this.interp.step(out, t, true, this.cpuOf);
          this.finish(out, t, true);
          if (emit(makeLabel(LabelKind.instructionPreemptedAtExit, t))) return;
        }
        if (this.budgetLeft(state, B_PREEMPT)) {
          out.set(state);
          this.spend(out, B_PREEMPT);
          this.switchOutFromUser(out, t, 'preempt');
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.preempt, t))) return;
        }
        if (this.budgetLeft(state, B_MIGRATE)) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            out.set(state);
            this.spend(out, B_MIGRATE);
            this.switchOutFromUser(out, t, 'migrate');
            k.noteEvent(out, t, 'migrate');
            k.migrate(out, t, c);
            this.finish(out, t, false);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && this.budgetLeft(state, B_SIGNAL) && k.get(state, L.sigPending[t]!) === 0) {
          out.set(state);
          this.spend(out, B_SIGNAL);
          k.set(out, L.sigPending[t]!, 1);
          // Sent from elsewhere: an interrupt (IPI) brings t into the kernel, which delivers it.
          k.interrupt(out, t, false);
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.signal, t))) return;
        }
        if (this.budgetLeft(state, B_IRQ)) {
          for (const taskWork of [false, true]) {
            out.set(state);
            this.spend(out, B_IRQ);
            k.interrupt(out, t, taskWork);
            this.finish(out, t, false);
            if (emit(makeLabel(taskWork ? LabelKind.taskWork : LabelKind.interrupt, t))) return;
          }
        }
        if (this.budgetLeft(state, B_TRAP)) {
          out.set(state);
          this.spend(out, B_TRAP);
          k.interrupt(out, t, false); // a fault that does not sleep: entry and exit only
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.trap, t))) return;
          out.set(state);
          this.spend(out, B_TRAP);
          k.noteEvent(out, t, 'trap');
          k.switchOut(out, t, 'trap', true);
          k.set(out, L.status[t]!, Status.Blocked);
          k.set(out, L.entry[t]!, Entry.Irq);
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.trapSleep, t))) return;
        }
      } else if (status === Status.Ready || status === Status.Blocked) {
        if (status === Status.Ready && this.runningOn[cpu] === -1) {
          out.set(state);
          k.switchIn(out, t, this.freeMmCid(state, t));
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.schedule, t, cpu))) return;
        }
        if (status === Status.Blocked) {
          out.set(state);
          k.set(out, L.status[t]!, Status.Ready);
          this.finish(out, t, false);
          if (emit(makeLabel(LabelKind.wake, t))) return;
        }
        if (this.budgetLeft(state, B_MIGRATE)) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            out.set(state);
            this.spend(out, B_MIGRATE);
            k.noteEvent(out, t, 'migrate');
            k.migrate(out, t, c);
            this.finish(out, t, false);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && this.budgetLeft(state, B_SIGNAL) && k.get(state, L.sigPending[t]!) === 0) {
          out.set(state);
          this.spend(out, B_SIGNAL);
          k.set(out, L.sigPending[t]!, 1);
          let kind: number = LabelKind.signalPending;
          if (status === Status.Blocked && this.interruptibleSleep(state, t)) {
            // -ERESTARTSYS: the sleep is cut short and restarted after the handler (SA_RESTART).
            k.set(out, L.status[t]!, Status.Ready);
            k.set(out, L.restart[t]!, 1);
            kind = LabelKind.wakeBySignal;
          }
          this.finish(out, t, false);
          if (emit(makeLabel(kind, t))) return;
        }
      }
    }
  }

  /** Whether blocked thread t sleeps in an interruptible, restartable syscall (poll, nanosleep, futex_wait). */
  private interruptibleSleep(s: Int32Array, t: number): boolean {
    const k = this.kernel;
    if (k.get(s, this.layout.entry[t]!) !== Entry.Syscall) return false;
    const prog = this.ir.programs[k.programOf(t, k.level(s, t))]!;
    const ins = prog.code[k.get(s, this.layout.ip[k.topFrame(s, t)]!) - 1];
    return ins !== undefined && ins.op === 'syscall' && ['poll', 'nanosleep', 'futex_wait'].includes(ins.name);
  }

  /** Preemption or migration of a thread running in user mode: an interrupt, then a switch. */
  private switchOutFromUser(s: Int32Array, t: number, kind: 'preempt' | 'migrate'): void {
    const k = this.kernel;
    if (kind === 'preempt') k.noteEvent(s, t, 'preempt');
    k.switchOut(s, t, kind, true);
    k.set(s, this.layout.status[t]!, Status.Ready);
    k.set(s, this.layout.entry[t]!, Entry.Irq);
  }

  /** The smallest mm_cid not held by a thread running on another CPU (the mm_cid contract). */
  private freeMmCid(s: Int32Array, t: number): number {
    const k = this.kernel;
    let used = 0;
    for (let c = 0; c < this.runningOn.length; c++) {
      const u = this.runningOn[c]!;
      if (u >= 0 && u !== t) used |= 1 << k.get(s, this.layout.mmCid[u]!);
    }
    let cid = 0;
    while (used & (1 << cid)) cid++;
    return cid;
  }

  inspect(state: Int32Array): number {
    const k = this.kernel;
    const v = k.get(state, this.layout.violation);
    if (v !== 0 && this.options.checked.has(v)) return v;
    const inv = this.options.invariants;
    for (let i = 0; i < inv.length; i++) if (!inv[i]!.holds(state)) return FIRST_USER_CODE + i;
    if (k.killed(state)) return FLAG_KILLED_AS_PROMISED;
    return 0;
  }

  terminal(state: Int32Array): number {
    const k = this.kernel;
    if (k.killed(state) || k.get(state, this.layout.violation) !== 0) return 0;
    for (let t = 0; t < this.T; t++) {
      const st = k.get(state, this.layout.status[t]!);
      if (st !== Status.Done && st !== Status.Dormant) return this.options.checked.has(Code.deadlock) ? Code.deadlock : 0;
    }
    const fin = this.options.finals;
    for (let i = 0; i < fin.length; i++) if (!fin[i]!.holds(state)) return FIRST_USER_CODE + this.options.invariants.length + i;
    return 0;
  }

  codeName(code: number): string {
    if (code === FLAG_KILLED_AS_PROMISED) return 'killed-as-promised';
    if (code < FIRST_USER_CODE) return builtinPropertyNames[code] ?? `code-${code}`;
    const i = code - FIRST_USER_CODE;
    const inv = this.options.invariants;
    return i < inv.length ? inv[i]!.name : (this.options.finals[i - inv.length]?.name ?? `code-${code}`);
  }
}
