import { Code } from '../../properties/codes.js';
import type { Instr, ModelIR, Operand } from '../ir/types.js';
import { decodeValue, encodeValue, MIN_VALUE, RSEQ_CPU_ID_UNINITIALIZED } from './encoding.js';
import { execveFails, execveSucceeds } from './exec.js';
import { WorkKind } from './kernel-work.js';
import { Entry, Status } from './layout.js';
import { ptraceStop, stepsAfter, stopsAtSyscall } from './ptrace.js';
import type { KernelSemantics } from './semantics.js';
import { syscallEntry } from './syscall-checks.js';

/** What executing one instruction left to the caller. */
export const StepOutcome = {
  /** Done: the thread is back in user mode (or finished, blocked, or the process died). */
  Complete: 0,
  /** A non-blocking syscall returned: the caller may also explore a preemption at its exit. */
  SyscallReturned: 1,
} as const;

/**
 * Executes user instructions (the ISA of models/ir/schema.ts) on a packed state, calling into
 * the kernel semantics for syscalls. One call executes exactly one instruction of thread t.
 */
export class Interpreter {
  private readonly R: number;
  /** Whether some thread has a tracer (models/kernel/ptrace.ts). */
  private readonly traced: boolean;

  constructor(
    private readonly ir: ModelIR,
    private readonly k: KernelSemantics,
  ) {
    this.R = ir.registers;
    // Stryker disable next-line ConditionalExpression: equivalent, `traced` only short-cuts stepsAfter / stopsAtSyscall, both false for a thread without a tracer
    this.traced = ir.threads.some((th) => th.tracer !== undefined);
  }

  private reg(s: Int32Array, f: number, r: number): number {
    return decodeValue(this.k.get(s, this.k.L.regs[f * this.R + r]!));
  }
  private setReg(s: Int32Array, f: number, r: number, v: number): void {
    if (v < MIN_VALUE || v > this.ir.registerMax) {
      this.k.violate(s, Code.domain);
      return;
    }
    this.k.set(s, this.k.L.regs[f * this.R + r]!, encodeValue(v));
  }
  private val(s: Int32Array, f: number, o: Operand): number {
    return o.reg ? this.reg(s, f, o.value) : o.value;
  }
  private cell(s: Int32Array, f: number, addr: { base: number; indexReg: number; lo: number; hi: number }): number {
    const c = addr.base + (addr.indexReg >= 0 ? this.reg(s, f, addr.indexReg) : 0);
    if (c < addr.lo || c >= addr.hi) {
      this.k.violate(s, Code.domain);
      return -1;
    }
    return c;
  }
  private store(s: Int32Array, c: number, v: number): void {
    if (v < 0 || v > this.ir.memory.cellMax[c]!) {
      this.k.violate(s, Code.domain);
      return;
    }
    this.k.set(s, this.k.L.mem[c]!, v);
  }

  /** The instruction thread t would execute next. */
  current(s: Int32Array, t: number): Instr {
    const k = this.k;
    const lvl = k.level(s, t);
    return this.ir.programs[k.programOf(s, t, lvl)]!.code[k.get(s, k.L.ip[k.L.frame(t, lvl)]!)]!;
  }

  /**
   * Executes one instruction of running thread t in `s`. With `preemptAtExit`, a non-blocking
   * syscall is followed by a preemption at its exit instead of the return to user space.
   */
  step(s: Int32Array, t: number, preemptAtExit: boolean, cpuOf: (cpu: number, except: number) => number): number {
    const k = this.k;
    const L = k.L;
    const lvl = k.level(s, t);
    const f = L.frame(t, lvl);
    const prog = k.programOf(s, t, lvl);
    const ip = k.get(s, L.ip[f]!);
    const ins = this.ir.programs[prog]!.code[ip]!;

    // G1: the commit is the last instruction of the armed range.
    const armed = k.get(s, L.armed[f]!);
    // Stryker disable next-line ConditionalExpression: equivalent for armed !== 0 made true, inRange(0, ...) is false (the test only short-cuts it)
    if (armed !== 0 && k.inRange(armed, prog, ip)) {
      k.sink?.decide({ kind: 'cs-instruction', thread: t, desc: armed });
      if (ip === k.desc(armed).postCommit - 1) {
        k.sink?.decide({ kind: 'commit', thread: t, desc: armed });
        if (k.ghosts.g1 && k.get(s, L.dirty[f]!) === 1) k.violate(s, Code.G1);
      }
    }

    let next = ip + 1;
    switch (ins.op) {
      // Stryker disable StringLiteral: equivalent, an op that matches no case goes on at ip + 1 as the break does
      case 'nop':
      case 'vdso':
        break;
      // Stryker restore StringLiteral
      case 'mov':
        this.setReg(s, f, ins.dst, this.val(s, f, ins.src));
        break;
      case 'add':
        this.setReg(s, f, ins.dst, this.reg(s, f, ins.dst) + this.val(s, f, ins.src));
        break;
      case 'sub':
        this.setReg(s, f, ins.dst, this.reg(s, f, ins.dst) - this.val(s, f, ins.src));
        break;
      case 'load': {
        const c = this.cell(s, f, ins.addr);
        if (c >= 0) this.setReg(s, f, ins.dst, k.get(s, L.mem[c]!));
        break;
      }
      case 'store': {
        const c = this.cell(s, f, ins.addr);
        // Stryker disable next-line ConditionalExpression: equivalent, cell() returns -1 only after a domain violation; store(-1) writes L.mem[-1], no field (no word of the state)
        if (c >= 0) this.store(s, c, this.val(s, f, ins.src));
        break;
      }
      case 'addm': {
        const c = this.cell(s, f, ins.addr);
        // Stryker disable next-line ConditionalExpression: equivalent, cell() returns -1 only after a domain violation; L.mem[-1] is no field: reads 0, the store writes no word
        if (c >= 0) this.store(s, c, k.get(s, L.mem[c]!) + this.val(s, f, ins.src));
        break;
      }
      case 'br':
        if (compare(ins.cond, this.val(s, f, ins.a), this.val(s, f, ins.b))) next = ins.target;
        break;
      case 'jmp':
        next = ins.target;
        break;
      case 'rseq_arm':
        // The store goes to the thread's own TLS struct rseq, whatever the kernel has registered.
        k.set(s, L.rseqCs[t]!, ins.desc + 1);
        // Stryker disable next-line ConditionalExpression, EqualityOperator: equivalent when true / >= 0, without stale areas L.staleCs[t] is no field (the write touches no word)
        if (L.staleCs.length > 0) k.set(s, L.staleCs[t]!, 0);
        k.set(s, L.armed[f]!, ins.desc + 1);
        k.set(s, L.dirty[f]!, 0);
        k.set(s, L.evSince[f]!, 0);
        break;
      case 'rseq_clear':
        k.set(s, L.rseqCs[t]!, 0);
        // Stryker disable next-line ConditionalExpression, EqualityOperator: equivalent when true / >= 0, without stale areas L.staleCs[t] is no field (the write touches no word)
        if (L.staleCs.length > 0) k.set(s, L.staleCs[t]!, 0);
        k.set(s, L.armed[f]!, 0);
        break;
      case 'read_id': {
        const v =
          ins.field === 'cpu_id_start'
            ? decodeValue(k.get(s, L.cpuIdStart[t]!))
            : ins.field === 'cpu_id'
              ? decodeValue(k.get(s, L.cpuId[t]!))
              : ins.field === 'mm_cid'
                ? k.get(s, L.areaMmCid[t]!)
                : 0;
        this.setReg(s, f, ins.dst, v);
        break;
      }
      case 'write_id': {
        const v = this.val(s, f, ins.src);
        if (ins.field === 'cpu_id_start') k.set(s, L.cpuIdStart[t]!, encodeValue(Math.max(MIN_VALUE, v)));
        else if (ins.field === 'cpu_id') k.set(s, L.cpuId[t]!, encodeValue(Math.max(MIN_VALUE, v)));
        else if (ins.field === 'mm_cid') k.set(s, L.areaMmCid[t]!, Math.max(0, v));
        k.set(s, L.roDirty[t]!, 1);
        break;
      }
      case 'assert':
        if (!compare(ins.cond, this.val(s, f, ins.a), this.val(s, f, ins.b))) k.violate(s, Code.assertion);
        break;
      case 'done':
        k.set(s, L.ip[f]!, ip);
        k.set(s, L.status[t]!, Status.Done);
        return StepOutcome.Complete;
      case 'raise':
      case 'sigreturn':
      case 'syscall':
        k.set(s, L.ip[f]!, next);
        return this.syscall(s, t, ins, ip, preemptAtExit, cpuOf);
    }
    k.set(s, L.ip[f]!, next);
    // A single-stepped thread takes the debug trap and stops for its tracer (models/kernel/ptrace.ts).
    if (this.traced && stepsAfter(this.ir, t, ins)) ptraceStop(k, s, t, true);
    return StepOutcome.Complete;
  }

  private syscall(
    s: Int32Array,
    t: number,
    ins: Extract<Instr, { op: 'raise' | 'sigreturn' | 'syscall' }>,
    insIp: number,
    preemptAtExit: boolean,
    cpuOf: (cpu: number, except: number) => number,
  ): number {
    const k = this.k;
    const L = k.L;
    const name = ins.op === 'syscall' ? ins.name : ins.op === 'raise' ? 'kill' : 'rt_sigreturn';
    syscallEntry(k, s, t, insIp, name);
    if (k.killed(s)) return StepOutcome.Complete;
    k.set(s, L.entry[t]!, Entry.Syscall);
    const f = k.topFrame(s, t);
    const ret = (dst: number, v: number): void => {
      if (dst >= 0) this.setReg(s, f, dst, v);
    };
    let blocks = false;
    if (ins.op === 'raise') k.set(s, L.sigPending[t]!, 1);
    else if (ins.op === 'sigreturn') k.popFrame(s, t);
    else {
      switch (ins.name) {
        case 'membarrier':
          this.membarrier(s, t, ins.cpu === null ? -1 : this.val(s, f, ins.cpu), cpuOf);
          ret(ins.dst, 0);
          break;
        case 'fork':
        case 'clone_vm':
          this.spawn(s, t, ins.child, ins.name === 'clone_vm');
          ret(ins.dst, 1);
          break;
        case 'rseq_register':
          ret(ins.dst, k.register(s, t) ? 0 : 1);
          break;
        case 'rseq_unregister':
          ret(ins.dst, k.unregister(s, t) ? 0 : 1);
          break;
        case 'execve':
          execveSucceeds(k, s, t);
          break;
        case 'execve_fail':
          execveFails(k, s, t);
          ret(ins.dst, 1);
          break;
        default:
          // sched_yield too: it returns 0 and never blocks (validation refuses "blocking": true);
          // this step is its outcome without a switch (yieldMaySwitch).
          ret(ins.dst, 0);
          blocks = ins.blocking;
      }
    }
    // Paused inside the syscall where an IPI may land (models/kernel/kernel-work.ts).
    if (k.killed(s) || k.work.kind(s, t) !== WorkKind.none) return StepOutcome.Complete;
    if (this.traced && stopsAtSyscall(k, s, t, ins)) {
      // The tracer's syscall stop (a blocking syscall's sleep, if any, ended before it).
      ptraceStop(k, s, t, false);
      return StepOutcome.Complete;
    }
    if (blocks) {
      // Sleeping is a context switch from kernel mode (user_irq stays clear).
      k.noteEvent(s, t, 'preempt');
      k.switchOut(s, t, 'preempt', false);
      k.set(s, L.status[t]!, Status.Blocked);
      return StepOutcome.Complete;
    }
    if (preemptAtExit) {
      k.noteEvent(s, t, 'preempt');
      k.switchOut(s, t, 'preempt', false);
      k.set(s, L.status[t]!, Status.Ready);
      return StepOutcome.Complete;
    }
    k.returnToUser(s, t);
    return ins.op === 'sigreturn' || ins.op === 'raise' ? StepOutcome.Complete : StepOutcome.SyscallReturned;
  }

  /**
   * Whether t's instruction is a sched_yield that a task ready on its CPU may take the CPU at.
   * Nothing else ready on this CPU: the scheduler picks the same task, no switch, no rseq event
   * (litmus on 6.18: the c.s. commits). With a competitor it may still keep the task (6.18:
   * switched in about 43 % of calls): the syscall's own step is the outcome without a switch,
   * and the system explores the switch as a free preemption at its exit.
   */
  yieldMaySwitch(s: Int32Array, t: number): boolean {
    const ins = this.current(s, t);
    // Stryker disable next-line ConditionalExpression: equivalent when ins.op === 'syscall' is true, only syscalls return SyscallReturned (the only caller's guard) and only they name sched_yield
    return ins.op === 'syscall' && ins.name === 'sched_yield' && this.readyElsewhereOnCpu(s, t);
  }

  /** Whether another thread waits in the run queue of t's CPU. */
  private readyElsewhereOnCpu(s: Int32Array, t: number): boolean {
    const k = this.k;
    const L = k.L;
    const cpu = k.get(s, L.cpu[t]!);
    // Stryker disable next-line ConditionalExpression, EqualityOperator: equivalent when u !== t is true, t is Running in the state asked about (its instruction not yet executed), never Ready; for u <= length, L.status[length] is no field: 0 (Dormant), not Ready
    for (let u = 0; u < this.ir.threads.length; u++) if (u !== t && k.get(s, L.status[u]!) === Status.Ready && k.get(s, L.cpu[u]!) === cpu) return true;
    return false;
  }

  /** membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ[, FLAG_CPU]) from thread t (§2.9). */
  private membarrier(s: Int32Array, t: number, targetCpu: number, cpuOf: (cpu: number, except: number) => number): void {
    const k = this.k;
    const L = k.L;
    let live = 0;
    // Stryker disable next-line EqualityOperator: equivalent, u = threads.length reads L.status[u], no field: 0 (Dormant), not counted
    for (let u = 0; u < this.ir.threads.length; u++) {
      const st = k.get(s, L.status[u]!);
      if (st !== Status.Dormant && st !== Status.Done) live++;
    }
    if (live <= 1) return; // mm_users == 1: no IPIs
    const myCpu = k.get(s, L.cpu[t]!);
    // Stryker disable next-line EqualityOperator: equivalent, c = cpus.length is no CPU: cpuOf gives undefined (no IPI), and it is no target nor the caller's CPU
    for (let c = 0; c < this.ir.cpus.length; c++) {
      if (targetCpu >= 0 ? c !== targetCpu : c === myCpu && k.policy.membarrierExcludesCaller) continue;
      if (c === myCpu) {
        k.membarrierIpi(s, t, true); // the caller, in the kernel: handled at its syscall exit
        continue;
      }
      const u = cpuOf(c, t);
      if (u >= 0) k.membarrierIpi(s, u, false);
    }
  }

  /** fork (new mm, MAP_SHARED memory) or clone(CLONE_VM) without CLONE_THREAD (§2.2, §2.8). */
  private spawn(s: Int32Array, t: number, child: number, cloneVm: boolean): void {
    const k = this.k;
    const L = k.L;
    // Stryker disable next-line ConditionalExpression: equivalent when child < 0 is false, validation requires fork / clone_vm to name a dormant child thread (child >= 0)
    if (child < 0 || k.get(s, L.status[child]!) !== Status.Dormant) return;
    const copy = (fields: Int32Array, from: number, to: number): void => k.set(s, fields[to]!, k.get(s, fields[from]!));
    for (const fs of [L.level, L.evMask, L.tifNotify, L.sysInCs, L.sysPromised, L.sysExitCheck, L.cpu]) copy(fs, t, child);
    // The child runs the same handler frames; a fatal SIGSEGV pending is not inherited.
    // Stryker disable next-line ConditionalExpression, EqualityOperator: equivalent when true / >= 0, without SIGSEGV handlers L.segvFrame is empty: the copy reads and writes no field
    if (L.segvFrame.length > 0) copy(L.segvFrame, t, child);
    for (let l = 0; l < L.levels; l++) {
      const from = L.frame(t, l);
      const to = L.frame(child, l);
      for (const fs of [L.ip, L.armed, L.dirty, L.evSince]) copy(fs, from, to);
      for (let r = 0; r < L.registers; r++) copy(L.regs, from * L.registers + r, to * L.registers + r);
    }
    // A task created inside a c.s. would commit it a second time: for G1 that is an event the
    // c.s. should have been aborted for (§2.8: the child continues the c.s.).
    // Stryker disable next-line StringLiteral: equivalent, noteEvent reads the class only through exemptBit, whose 'fork' bit is 0 like an unknown class's (undefined & flags = 0)
    k.noteEvent(s, child, 'fork');
    k.set(s, L.status[child]!, Status.Ready);
    k.set(s, L.entry[child]!, Entry.Syscall);
    const parentArea = k.area(s, t);
    if (!cloneVm) {
      // New mm: the child's struct rseq is a copy at the same address, registered.
      for (const fs of [L.cpuIdStart, L.cpuId, L.rseqCs, L.areaMmCid]) copy(fs, t, child);
      // Stryker disable next-line ConditionalExpression, EqualityOperator: equivalent when true / >= 0, without stale areas L.staleCs is empty: the copy reads and writes no field
      if (L.staleCs.length > 0) copy(L.staleCs, t, child);
      k.setArea(s, child, parentArea >= 0 ? child : -1);
    } else {
      // Same mm: the child has fresh TLS; it stays registered only under the CLONE_THREAD rule.
      k.set(s, L.cpuIdStart[child]!, encodeValue(0));
      k.set(s, L.cpuId[child]!, encodeValue(RSEQ_CPU_ID_UNINITIALIZED));
      k.set(s, L.rseqCs[child]!, 0);
      // Stryker disable next-line ConditionalExpression: equivalent when parentArea >= 0 is true, an unregistered parent's area is -1, the other branch's value
      k.setArea(s, child, k.policy.forkUnregister === 'CLONE_THREAD' && parentArea >= 0 ? parentArea : -1);
    }
    // The child returns 0 from fork/clone; the parent got a non-zero value.
    const lastSyscall = this.ir.programs[k.programOf(s, child, k.level(s, child))]!.code[k.get(s, L.ip[k.topFrame(s, child)]!) - 1];
    // Stryker disable next-line ConditionalExpression, LogicalOperator: equivalent for lastSyscall / its op test, the child's IP follows the fork it was created by: lastSyscall is that syscall
    if (lastSyscall && lastSyscall.op === 'syscall' && lastSyscall.dst >= 0)
      k.set(s, L.regs[k.topFrame(s, child) * L.registers + lastSyscall.dst]!, encodeValue(0));
  }
}

/** The ISA's compare-and-branch conditions (models/ir/schema.ts) on two values. */
export function compare(cond: string, a: number, b: number): boolean {
  switch (cond) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    default:
      return a >= b;
  }
}
