import { BitLayout, BitLayoutBuilder, bitsFor } from '../../checker/packing.js';
import type { ModelIR } from '../ir/types.js';
import { encodeCachedCpu, encodeValue } from './encoding.js';
import { KERNEL_WORK_BITS } from './kernel-work.js';

/** Kernel-side status of a thread. */
export const Status = {
  /** Declared as a fork/clone child; not created yet. */
  Dormant: 0,
  /** On its CPU, executing user code. */
  Running: 1,
  /** Runnable, switched out, waiting for its CPU. */
  Ready: 2,
  /** Switched out in a blocking syscall or a sleeping page fault. */
  Blocked: 3,
  Done: 4,
} as const;
export const statusNames = ['dormant', 'running', 'ready', 'blocked', 'done'] as const;

/** How a switched-out thread re-enters user space. */
export const Entry = {
  /** From an interrupt or exception taken in user mode (user_irq in L619). */
  Irq: 0,
  /** From a syscall (syscall-exit work runs first; user_irq clear). */
  Syscall: 1,
} as const;

/** L418-L63 event bits (bit numbers equal RSEQ_CS_FLAG_NO_RESTART_ON_*_BIT). */
export const EV_PREEMPT = 1;
export const EV_SIGNAL = 2;
export const EV_MIGRATE = 4;

/**
 * Field ids of one rseq state. Registers, cpu_id and cpu_id_start hold signed values, stored
 * biased (models/kernel/encoding.ts).
 */
export class RseqLayout {
  readonly bits: BitLayout;
  readonly violation: number;
  readonly killed: number;
  readonly killReason: number;
  readonly killThread: number;
  /**
   * LTL ghosts (only when a temporal property needs them): what the last transition did, its
   * label kind (models/system/labels.ts: fewer than 16, 4 bits) and acting thread first.
   */
  readonly lastKind: number;
  readonly lastThread: number;
  /** Bit t: thread t committed / was moved to abort_ip / issued a syscall / ran an instruction inside its c.s. */
  readonly lastCommit: number;
  readonly lastAbort: number;
  readonly lastSyscall: number;
  readonly lastCsInstr: number;
  readonly budget: Int32Array;
  readonly mem: Int32Array;
  // per thread
  readonly status: Int32Array;
  readonly cpu: Int32Array;
  readonly entry: Int32Array;
  readonly level: Int32Array;
  readonly sigPending: Int32Array;
  readonly restart: Int32Array;
  /** K.rseq is the thread's own area. */
  readonly kRseqOwn: Int32Array;
  /** K.rseq is another thread's area (clone_vm under the CLONE_THREAD rule): that area + 1. */
  readonly kRseqOther: Int32Array;
  readonly evMask: Int32Array;
  readonly tifNotify: Int32Array;
  readonly schedSwitch: Int32Array;
  readonly idsChanged: Int32Array;
  readonly userIrq: Int32Array;
  readonly tifRseq: Int32Array;
  readonly mmCid: Int32Array;
  /** The kernel's cached copy of the CPU it last wrote to the IDs (encodeCachedCpu). */
  readonly kIdCpu: Int32Array;
  /** Ghost: the syscall in progress was issued from inside the thread's armed c.s. (U5). */
  readonly sysInCs: Int32Array;
  /** Ghost: the syscall in progress is one the policy promised to detect (G3). */
  readonly sysPromised: Int32Array;
  /** The syscall in progress must be checked at exit (c' or d with exit check). */
  readonly sysExitCheck: Int32Array;
  /** Ghost: user space wrote a read-only field of its struct rseq since the kernel last wrote it. */
  readonly roDirty: Int32Array;
  /**
   * A ready thread whose migration would change nothing but its CPU (unbounded migrations):
   * it may be scheduled on any allowed CPU, and its `cpu` field is 0 (models/system/canonical.ts).
   */
  readonly anyCpu: Int32Array;
  /** Kernel work an IPI may land inside (models/kernel/kernel-work.ts); empty unless some can. */
  readonly kernelWork: Int32Array;
  // per thread and frame level: index t * levels + l
  readonly ip: Int32Array;
  readonly regs: Int32Array; // (t * levels + l) * registers + r
  readonly armed: Int32Array;
  readonly dirty: Int32Array;
  readonly evSince: Int32Array;
  // per struct rseq area (one per thread, owned by it)
  readonly cpuIdStart: Int32Array;
  readonly cpuId: Int32Array;
  readonly rseqCs: Int32Array;
  readonly areaMmCid: Int32Array;
  /** Ghost: the area's rseq_cs is still what an earlier user left (thread staleRseqCs); empty unless a thread has one. */
  readonly staleCs: Int32Array;
  // per thread, empty unless a thread has a SIGSEGV handler (models/kernel/signal-faults.ts)
  /** The level of the frame that runs the SIGSEGV handler, 0: none. */
  readonly segvFrame: Int32Array;
  /**
   * The KillReason of the fault that forced a SIGSEGV (0: none): queued while segvFrame is 0,
   * else fatal (the delivery faulted again), pending and blocked while the handler runs.
   */
  readonly segvFatal: Int32Array;
  /** Ghost: that fault's kill would not be justified (G2), judged when the fault happened. */
  readonly segvUnjustified: Int32Array;
  /** Per thread, empty unless a thread's tracer sets its IP: its PtraceStop (models/kernel/ptrace.ts). */
  readonly ptraceStop: Int32Array;

  readonly levels: number;
  readonly threads: number;
  readonly registers: number;

  /** First word of each thread's record, and the record's width in words. */
  readonly threadWordStart: Int32Array;
  readonly threadWords: number;

  constructor(ir: ModelIR, trackLast = false, kernelWork = false) {
    const b = new BitLayoutBuilder();
    const T = ir.threads.length;
    // A SIGSEGV handler frame may sit over as many signal frames as signalNesting allows.
    const segv = ir.threads.some((th) => th.sigsegvHandler >= 0);
    const levels = ir.signalNesting + 1 + (segv ? 1 : 0);
    this.levels = levels;
    this.threads = T;
    this.registers = ir.registers;
    const ncpu = ir.cpus.length;
    const maxLen = Math.max(...ir.programs.map((p) => p.code.length));
    // Every per-thread field lives in its thread's group, so a thread record is a word range
    // (what the symmetry reduction sorts). `perThread` is how many entries each thread has.
    const per = (name: string, bits: number, n = T): Int32Array =>
      Int32Array.from({ length: n }, (_, i) => b.add(`${name}[${i}]`, bits, `t${Math.floor(i / (n / T))}`));

    this.violation = b.add('violation', 8);
    this.killed = b.add('killed', 1);
    this.killReason = b.add('killReason', 4);
    this.killThread = b.add('killThread', bitsFor(T));
    const last = (name: string, bits: number): number => (trackLast ? b.add(name, bits) : -1);
    this.lastKind = last('lastKind', 4);
    this.lastThread = last('lastThread', bitsFor(T));
    this.lastCommit = last('lastCommit', T);
    this.lastAbort = last('lastAbort', T);
    this.lastSyscall = last('lastSyscall', T);
    this.lastCsInstr = last('lastCsInstr', T);
    const budgets = [ir.budgets.preemptions, ir.budgets.migrations, ir.budgets.signals, ir.budgets.interrupts, ir.budgets.traps];
    this.budget = Int32Array.from(budgets, (v, i) => (v < 0 ? -1 : b.addRange(`budget${i}`, v)));
    this.mem = Int32Array.from(ir.memory.cellMax, (max, i) => b.addRange(`mem${i}`, max));

    this.status = per('status', 3);
    this.cpu = per('cpu', bitsFor(ncpu - 1));
    this.entry = per('entry', 1);
    this.level = per('level', bitsFor(levels - 1));
    this.sigPending = per('sigPending', 1);
    this.restart = per('restart', 1);
    this.kRseqOwn = per('kRseqOwn', 1);
    this.kRseqOther = per('kRseqOther', bitsFor(T));
    this.evMask = per('evMask', 3);
    this.tifNotify = per('tifNotify', 1);
    this.schedSwitch = per('schedSwitch', 1);
    this.idsChanged = per('idsChanged', 1);
    this.userIrq = per('userIrq', 1);
    this.tifRseq = per('tifRseq', 1);
    this.mmCid = per('mmCid', bitsFor(T));
    this.kIdCpu = per('kIdCpu', bitsFor(encodeCachedCpu(ncpu - 1)));
    this.sysInCs = per('sysInCs', 1);
    this.sysPromised = per('sysPromised', 1);
    this.sysExitCheck = per('sysExitCheck', 1);
    this.roDirty = per('roDirty', 1);
    this.anyCpu = per('anyCpu', 1);
    this.kernelWork = kernelWork ? per('kernelWork', KERNEL_WORK_BITS) : new Int32Array(0);

    const TL = T * levels;
    this.ip = per('ip', bitsFor(maxLen), TL);
    this.regs = per('reg', bitsFor(encodeValue(ir.registerMax)), TL * ir.registers);
    this.armed = per('armed', bitsFor(ir.descriptors.length), TL);
    this.dirty = per('dirty', 1, TL);
    this.evSince = per('evSince', 1, TL);

    this.cpuIdStart = per('cpuIdStart', bitsFor(encodeValue(ncpu - 1)));
    this.cpuId = per('cpuId', bitsFor(encodeValue(ncpu - 1)));
    this.rseqCs = per('rseqCs', bitsFor(ir.descriptors.length));
    this.areaMmCid = per('areaMmCid', bitsFor(T));
    this.staleCs = ir.threads.some((th) => th.staleRseqCs > 0) ? per('staleCs', 1) : new Int32Array(0);
    this.segvFrame = segv ? per('segvFrame', bitsFor(levels - 1)) : new Int32Array(0);
    this.segvFatal = segv ? per('segvFatal', 4) : new Int32Array(0);
    this.segvUnjustified = segv ? per('segvUnjustified', 1) : new Int32Array(0);
    this.ptraceStop = ir.threads.some((th) => (th.tracer?.setIp ?? -1) >= 0) ? per('ptraceStop', 2) : new Int32Array(0);
    this.bits = b.build();
    this.threadWordStart = Int32Array.from({ length: T }, (_, t) => this.bits.groups.get(`t${t}`)!.start);
    this.threadWords = this.bits.groups.get('t0')!.count;
  }

  /** Field index of thread t's frame at level l. */
  frame(t: number, l: number): number {
    return t * this.levels + l;
  }
}
