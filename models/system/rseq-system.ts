import type { TransitionSystem } from '../../checker/transition-system.js';
import { builtinPropertyNames, Code, FIRST_USER_CODE, FLAG_KILLED_AS_PROMISED } from '../../properties/codes.js';
import type { BudgetsIR, Instr, ModelIR } from '../ir/types.js';
import { Interpreter, StepOutcome } from '../kernel/interpreter.js';
import { Entry, RseqLayout, Status } from '../kernel/layout.js';
import type { Policy } from '../kernel/policy.js';
import { KernelSemantics, type GhostNeeds } from '../kernel/semantics.js';
import { TransitionBits } from '../kernel/decisions.js';
import { liveRegisters } from '../kernel/liveness.js';
import { RangeMemo } from '../../checker/range-memo.js';
import { equalWords, wordsEqual } from '../../checker/state-store.js';
import { FactFlag, RecordCache, ThreadFacts, UNCACHEABLE } from './record-cache.js';

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

/** Number of label kinds (for coverage tables). */
export const NUM_LABEL_KINDS = 13;

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
  /** Record what each transition did, for LTL propositions (costs state space). @defaultValue false */
  readonly trackLast?: boolean;
  /** Merge states that differ only by a permutation of identical threads. @defaultValue true when sound */
  readonly symmetry?: boolean;
  /**
   * Partial-order reductions that keep every verdict (see `reductionsAreSound`): purely local
   * instructions run together with the instruction before them, and a ready thread whose
   * migration is invisible floats over its allowed CPUs. @defaultValue true when sound
   */
  readonly reduce?: boolean;
  /**
   * Remember canonical thread records, the kernel's thread-local event steps and local
   * instruction steps (pure functions of one thread's record and the process-wide words, see
   * `canonMemo` and `recordCache`): only tests turn this off, to check that the memos change
   * nothing. @defaultValue true
   */
  readonly memoize?: boolean;
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

/** The thread-local event steps of `RseqSystem.localStep` (part of the record cache's step index). */
const Local = {
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
} as const;
const LOCAL_OPS = Object.keys(Local).length;

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
  /** Whether any clone_vm can make two threads share one struct rseq. */
  private readonly sharedAreas: boolean;
  /** Whether the event mask can be reduced to one bit (no NO_RESTART flags, see canonicalize). */
  readonly collapseEvents: boolean;
  /** Descriptors that pass full validation (version 0, abort outside, right signature). */
  private readonly validDesc: readonly boolean[];
  /** Placement coverage counters (see `coverageReport`). */
  readonly coverage: { readonly base: Int32Array; readonly events: Int32Array; readonly violations: Int32Array };
  /** Whether states are reduced modulo permutations of identical threads. */
  readonly symmetric: boolean;
  private readonly blockTmp: Int32Array;
  private readonly order: Int32Array;
  /** Per frame field index, per IP: (word, and-mask, or-bits) triples that reset dead registers. */
  private readonly deadMasks: readonly (readonly Int32Array[])[];
  /** Per frame field index: triples that reset every register (inactive frames). */
  private readonly clearAll: readonly Int32Array[];
  /** Per program, per IP: bit d-1 set when descriptor d's range contains the IP. */
  private readonly rangeMask: readonly Int32Array[];
  /** Whether the local-step and floating-ready reductions apply (see `reductionsAreSound`). */
  readonly reduced: boolean;
  /** Per program, per IP: 1 when the instruction is purely local and runs fused (see `fusibleInstructions`). */
  private readonly fusible: readonly Uint8Array[];
  /** Per thread: whether it may float over CPUs while ready (unbounded migrations, several CPUs). */
  private readonly mayFloat: readonly boolean[];
  private readonly floatTmp: Int32Array;
  /** The kernel's cached CPU is never read (4.18-6.18 rewrite the IDs on every handler run). */
  private readonly kIdCpuDead: boolean;
  /** Kernel fields of a finished thread, reset to 0 (see canonicalize). */
  private readonly doneFields: readonly Int32Array[];
  /**
   * Canonical forms of thread records already computed (see canonicalize). Sound because every
   * field canonicalization reads or writes is in the thread's own record (models/kernel/layout.ts
   * groups them), and the static tables it consults are indexed by the thread (the memo's tag).
   */
  readonly canonMemo: RangeMemo | undefined;
  /**
   * Interned thread records, their decoded facts, and the results of thread-local event steps
   * and local instruction steps (see `local`, `instructionStep`): off with shared areas (a step
   * may then write another thread's area) and with LTL ghosts (a step also reports what it did).
   */
  readonly recordCache: RecordCache | undefined;
  /** The cache while the state being expanded was read through it (see readThreads). */
  private liveCache: RecordCache | undefined;
  /** Per thread of the state being expanded: its facts, and its record id in the cache. */
  private readonly facts: ThreadFacts;
  private readonly rid: Int32Array;
  /** Range of a local step's first argument (a CPU, or 0/1), for the cache's step index. */
  private readonly argSpan: number;
  /** Words before the first thread record (process-wide fields: violation, kill, budgets, memory). */
  private readonly globalWords: number;
  private readonly globalsTmp: Int32Array;
  // The successor being emitted (fields rather than a closure per call: no garbage per state).
  private emitOut: Int32Array = new Int32Array(0);
  private emitRaw: (label: number) => boolean | void = () => undefined;
  private covIp = 0;
  /** With LTL ghosts: what the transition being computed did (the kernel's sink; reset before every transition). */
  private readonly lastStep: TransitionBits | undefined;

  constructor(
    readonly ir: ModelIR,
    readonly policy: Policy,
    readonly options: SystemOptions,
  ) {
    const withBudgets: ModelIR = { ...ir, budgets: options.budgets };
    this.layout = new RseqLayout(withBudgets, options.trackLast ?? false);
    this.stateWords = this.layout.bits.words;
    const trackMmCid = ir.programs.some((p) => p.code.some((i) => (i.op === 'read_id' || i.op === 'write_id') && i.field === 'mm_cid'));
    this.kernel = new KernelSemantics(ir, policy, this.layout, options.ghosts, trackMmCid);
    this.lastStep = options.trackLast ? new TransitionBits() : undefined;
    this.kernel.sink = this.lastStep;
    this.interp = new Interpreter(ir, this.kernel);
    this.T = ir.threads.length;
    this.budgetBound = budgetKinds.map((k) => options.budgets[k]);
    this.runningOn = new Int32Array(ir.cpus.length);
    this.sharedAreas = ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && i.name === 'clone_vm'));
    this.collapseEvents =
      (policy.eventTracking === 'anyEvent' || policy.eventTracking === 'mask3') &&
      policy.csValidation !== 'minimal-in-range' &&
      ir.descriptors.every((d) => d.flags === 0) &&
      ir.threads.every((th) => th.flags === 0);
    this.symmetric = (options.symmetry ?? true) && !options.trackLast && symmetryIsSound(ir, options);
    this.reduced = (options.reduce ?? true) && !options.trackLast && reductionsAreSound(ir);
    const Lay = this.layout;
    this.doneFields = [Lay.cpu, Lay.evMask, Lay.tifNotify, Lay.entry, Lay.mmCid, Lay.kIdCpu, Lay.cpuIdStart, Lay.cpuId, Lay.rseqCs, Lay.areaMmCid, Lay.roDirty, Lay.sigPending];
    const base = new Int32Array(ir.programs.length);
    let total = 0;
    ir.programs.forEach((p, i) => {
      base[i] = total;
      total += p.code.length + 1;
    });
    this.coverage = { base, events: new Int32Array(total * NUM_LABEL_KINDS), violations: new Int32Array(total) };
    this.blockTmp = new Int32Array(this.T * this.layout.threadWords);
    this.order = new Int32Array(this.T);
    this.validDesc = ir.descriptors.map((d) => d.version === 0 && !(d.abort >= d.start && d.abort < d.postCommit) && d.signature === ir.signature);
    const live = ir.programs.map((p, pi) =>
      liveRegisters(
        p,
        ir.registers,
        ir.descriptors.filter((d) => d.program === pi).map((d) => d.abort),
      ),
    );
    const L = this.layout;
    const bits = L.bits;
    const masksFor = (f: number, deadSet: number): Int32Array => {
      const triples: number[] = [];
      for (let r = 0; r < L.registers; r++) {
        if (!(deadSet & (1 << r))) continue;
        const fld = L.regs[f * L.registers + r]!;
        const sh = bits.shift[fld]!;
        triples.push(bits.word[fld]!, ~(bits.mask[fld]! << sh), 2 << sh);
      }
      return Int32Array.from(triples);
    };
    const all = (1 << ir.registers) - 1;
    this.deadMasks = Array.from({ length: this.T * L.levels }, (_, f) => {
      const t = Math.floor(f / L.levels);
      const prog = this.kernel.programOf(t, f % L.levels);
      if (prog < 0) return [];
      // One entry past the end: a killed thread's IP may rest after its last syscall.
      return Array.from({ length: live[prog]!.length + 1 }, (_, ip) => masksFor(f, all & ~(live[prog]![ip] ?? 0)));
    });
    this.clearAll = Array.from({ length: this.T * L.levels }, (_, f) => masksFor(f, all));
    this.rangeMask = ir.programs.map((p, pi) =>
      Int32Array.from({ length: p.code.length + 1 }, (_, ip) => ir.descriptors.reduce((m, d, di) => (d.program === pi && ip >= d.start && ip < d.postCommit ? m | (1 << di) : m), 0)),
    );
    this.fusible = ir.programs.map((p, pi) => (this.reduced ? fusibleInstructions(ir, pi, this.rangeMask[pi]!, live[pi]!) : new Uint8Array(p.code.length + 1)));
    this.mayFloat = ir.threads.map((th) => this.reduced && options.budgets.migrations < 0 && th.allowed.length > 1);
    this.floatTmp = new Int32Array(this.stateWords);
    this.kIdCpuDead = !this.kernel.rework && policy.idUpdate === 'everyHandlerRun';
    this.canonMemo = options.memoize === false ? undefined : new RangeMemo(this.layout.threadWords);
    this.globalWords = this.layout.threadWordStart[0]!;
    this.globalsTmp = new Int32Array(this.globalWords);
    this.argSpan = Math.max(2, ir.cpus.length);
    // Step index: op + LOCAL_OPS * (arg + argSpan * arg2), arg2 a CID (below T).
    this.recordCache =
      options.memoize === false || this.sharedAreas || options.trackLast ? undefined : new RecordCache(this.layout.threadWords, this.globalWords, LOCAL_OPS * this.argSpan * (this.T + 1));
    this.facts = new ThreadFacts(this.T);
    this.rid = new Int32Array(this.T);
  }

  /**
   * Puts thread t's frames in canonical form: dead registers cleared, and G1/precision ghost
   * bits cleared once the IP is outside the armed range (they only matter inside it).
   */
  private canonicalize(s: Int32Array, t: number): void {
    const memo = this.canonMemo;
    if (memo === undefined) return this.canonicalizeRecord(s, t);
    const start = this.layout.threadWordStart[t]!;
    if (memo.recall(s, start, t)) return;
    this.canonicalizeRecord(s, t);
    memo.remember(s, start);
  }

  /** canonicalize without the memo: reads and writes thread t's record only. */
  private canonicalizeRecord(s: Int32Array, t: number): void {
    this.canonicalizeCore(s, t);
    if (this.mayFloat[t] && this.kernel.get(s, this.layout.status[t]!) === Status.Ready && this.kernel.get(s, this.layout.anyCpu[t]!) === 0 && this.migrationInvisible(s, t)) {
      this.kernel.set(s, this.layout.cpu[t]!, 0);
      this.kernel.set(s, this.layout.anyCpu[t]!, 1);
    }
  }

  /**
   * Whether migrating ready thread t would change nothing but its CPU (its event bits, TIF
   * flag, ID-change bit and G1 ghosts already say "an event happened"). Then every CPU it may
   * run on is as good as its own, and with unbounded migrations the states differing only in
   * its CPU are reachable from each other: one stands for all.
   */
  private migrationInvisible(s: Int32Array, t: number): boolean {
    const k = this.kernel;
    const L = this.layout;
    const tmp = this.floatTmp;
    copyWords(tmp, s);
    const cpu = k.get(s, L.cpu[t]!);
    const other = this.ir.threads[t]!.allowed.find((c) => c !== cpu)!;
    // A probe, not a transition: no decision of it is reported.
    const sink = k.sink;
    k.sink = undefined;
    k.noteEvent(tmp, t, 'migrate');
    k.migrate(tmp, t, other);
    k.sink = sink;
    this.canonicalizeCore(tmp, t);
    k.set(tmp, L.cpu[t]!, cpu);
    return equalWords(tmp, s);
  }

  /**
   * Under the rework (v2 tracking), whether raising ids_changed on switched-out thread t would
   * change nothing: its IDs, the kernel's cached CPU and mm_cid are what the forced update at
   * its next switch-in would write anyway (and no read-only field is dirty), and the exit work
   * that ids_changed may add runs the c.s. check only where it runs regardless (user_irq set),
   * or skips it. Then the state with the bit raised stands for both.
   */
  private idsChangeInvisible(s: Int32Array, t: number): boolean {
    const k = this.kernel;
    const L = this.layout;
    const p = this.policy;
    if (p.eventTracking !== 'userIrqOnly' || k.get(s, L.idsChanged[t]!) === 1 || k.get(s, L.roDirty[t]!) === 1) return false;
    const cpu = k.get(s, L.cpu[t]!);
    if (k.get(s, L.kIdCpu[t]!) !== cpu + 1 || k.get(s, L.cpuIdStart[t]!) !== cpu + 2 || k.get(s, L.cpuId[t]!) !== cpu + 2) return false;
    if (k.trackMmCid && k.get(s, L.areaMmCid[t]!) !== k.get(s, L.mmCid[t]!)) return false;
    const checkSkippedAnyway = p.genericIrqEntry && p.csValidation !== 'debug-full' && !p.csCheckAfterSyscallSwitch;
    return k.get(s, L.userIrq[t]!) === 1 || checkSkippedAnyway;
  }

  private canonicalizeCore(s: Int32Array, t: number): void {
    const k = this.kernel;
    const L = this.layout;
    const st = k.get(s, L.status[t]!);
    const top = st === Status.Done || st === Status.Dormant ? -1 : k.level(s, t);
    // Only an on-change ID update compares with the cached CPU: otherwise it is write-only.
    if (this.kIdCpuDead) k.set(s, L.kIdCpu[t]!, 0);
    if (st === Status.Done) {
      // Nothing can observe a finished thread's kernel state or its own struct rseq any more
      // (areas shared through clone_vm belong to a live owner and are left alone).
      if (!this.sharedAreas) {
        const fields = this.doneFields;
        for (let i = 0; i < fields.length; i++) k.set(s, fields[i]![t]!, 0);
      }
    } else if (this.collapseEvents) {
      // With no NO_RESTART flag anywhere, which event bit is pending never matters, only whether one is.
      if (k.get(s, L.evMask[t]!) !== 0) k.set(s, L.evMask[t]!, 1);
      // Switched out with TIF_NOTIFY_RESUME raised, a registered thread will run the handler
      // before any of its user code: the handler rewrites both IDs, and clears a (valid)
      // rseq_cs whose range the IP is outside. Their current values cannot be observed.
      // (Not for a thread in a syscall: a restart may rewind its IP into the range.)
      if (st !== Status.Running && k.get(s, L.tifNotify[t]!) === 1 && k.get(s, L.entry[t]!) === Entry.Irq && k.area(s, t) === t && !this.sharedAreas && this.policy.idUpdate === 'everyHandlerRun') {
        k.set(s, L.cpuIdStart[t]!, 0);
        k.set(s, L.cpuId[t]!, 0);
        const d = k.get(s, L.rseqCs[t]!);
        if (d !== 0 && this.validDesc[d - 1] && !k.inRange(d, k.programOf(t, top), k.get(s, L.ip[L.frame(t, top)]!))) k.set(s, L.rseqCs[t]!, 0);
      }
    }
    if (this.reduced && (st === Status.Ready || st === Status.Blocked) && k.rework && !this.sharedAreas && k.area(s, t) === t) {
      if (this.idsChangeInvisible(s, t)) k.set(s, L.idsChanged[t]!, 1);
      if (k.get(s, L.idsChanged[t]!) === 1 || this.policy.eventTracking === 'legacyV1') {
        // The rework's exit work rewrites every ID of a thread whose IDs changed (legacy mode: of
        // every thread switched in) before its first user instruction, signal handler included:
        // the stale values and the kernel's cached CPU cannot be observed.
        k.set(s, L.cpuIdStart[t]!, 0);
        k.set(s, L.cpuId[t]!, 0);
        k.set(s, L.kIdCpu[t]!, 0);
        k.set(s, L.areaMmCid[t]!, 0);
      }
    }
    for (let l = 0; l < L.levels; l++) {
      const f = L.frame(t, l);
      if (l > top) {
        if (st === Status.Done) k.set(s, L.ip[f]!, 0);
        applyMasks(s, this.clearAll[f]!);
        continue;
      }
      const prog = k.programOf(t, l);
      const ip = k.get(s, L.ip[f]!);
      applyMasks(s, this.deadMasks[f]![ip]!);
      const d = k.get(s, L.armed[f]!);
      if (d !== 0 && !(this.rangeMask[prog]![ip]! & (1 << (d - 1)))) {
        // Outside its range the armed descriptor is history: re-entering a c.s. goes through
        // rseq_arm (U1), which sets it again; G1 and precision bits only matter inside.
        k.set(s, L.armed[f]!, 0);
        k.set(s, L.dirty[f]!, 0);
        k.set(s, L.evSince[f]!, 0);
      }
    }
  }

  /**
   * Sorts the thread records of `s` (symmetry reduction): identical threads are
   * interchangeable, so one state per permutation class is stored. Each thread's record is a
   * contiguous word range with the same internal layout (models/kernel/layout.ts), and no field
   * names a thread (K.rseq's own area is a bit), so sorting word ranges is a sound renaming.
   */
  sortThreads(s: Int32Array): void {
    const T = this.T;
    const W = this.layout.threadWords;
    const start = this.layout.threadWordStart;
    const order = this.order;
    // Most successors are in order already (the records lie one after another).
    const first = start[0]!;
    let inOrder = 1;
    while (inOrder < T && compareBlocks(s, first + (inOrder - 1) * W, first + inOrder * W, W) <= 0) inOrder++;
    if (inOrder === T) return;
    for (let t = 0; t < T; t++) order[t] = t;
    let moved = false;
    for (let i = 1; i < T; i++) {
      const cur = order[i]!;
      let j = i - 1;
      while (j >= 0 && compareBlocks(s, start[order[j]!]!, start[cur]!, W) > 0) {
        order[j + 1] = order[j]!;
        j--;
        moved = true;
      }
      order[j + 1] = cur;
    }
    if (!moved) return;
    // Word loops rather than subarray copies: a subarray is an allocation, on the hottest path.
    const tmp = this.blockTmp;
    for (let p = 0; p < T; p++) {
      const from = start[order[p]!]!;
      for (let i = 0; i < W; i++) tmp[p * W + i] = s[from + i]!;
    }
    for (let p = 0; p < T; p++) {
      const to = start[p]!;
      for (let i = 0; i < W; i++) s[to + i] = tmp[p * W + i]!;
    }
    const k = this.kernel;
    if (k.killed(s)) {
      const old = k.get(s, this.layout.killThread);
      for (let p = 0; p < T; p++) if (order[p] === old) k.set(s, this.layout.killThread, p);
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
      // The first thread placed on each CPU is running; the others wait in its run queue.
      const first = this.ir.threads.findIndex((o) => !o.dormant && o.cpu === th.cpu) === t;
      k.set(out, L.status[t]!, th.dormant ? Status.Dormant : first ? Status.Running : Status.Ready);
      k.set(out, L.cpu[t]!, th.cpu);
      for (let l = 0; l < L.levels; l++) for (let r = 0; r < L.registers; r++) k.set(out, L.regs[L.frame(t, l) * L.registers + r]!, 2);
      const registered = th.registered && !th.dormant;
      k.setArea(out, t, registered ? t : -1);
      // A registered thread has had its IDs written; an unregistered one shows 0 / -1.
      k.set(out, L.cpuIdStart[t]!, registered ? th.cpu + 2 : 2);
      k.set(out, L.cpuId[t]!, registered ? th.cpu + 2 : 1);
      k.set(out, L.kIdCpu[t]!, registered ? th.cpu + 1 : 0);
    });
    if (this.symmetric) this.sortThreads(out);
    emit();
  }

  /** Bit i set when budget i is unbounded or has some left in `s` (read once per state being expanded). */
  private budgetsLeft(s: Int32Array): number {
    let mask = 0;
    for (let i = 0; i < budgetKinds.length; i++) if (this.budgetBound[i]! < 0 || this.kernel.get(s, this.layout.budget[i]!) > 0) mask |= 1 << i;
    return mask;
  }
  private spend(s: Int32Array, i: number): void {
    if (this.budgetBound[i]! >= 0) this.kernel.set(s, this.layout.budget[i]!, this.kernel.get(s, this.layout.budget[i]!) - 1);
  }

  /** Thread running on `cpu` (excluding `except`), or -1. */
  private readonly cpuOf = (cpu: number, except: number): number => {
    const t = this.runningOn[cpu]!;
    return t === except ? -1 : t;
  };

  successors(state: Int32Array, out: Int32Array, emitRaw: (label: number) => boolean | void): void {
    const k = this.kernel;
    const L = this.layout;
    // A dead process and a checked violation end a run; unchecked ghost violations do not.
    const v = k.get(state, L.violation);
    if (k.killed(state) || (v !== 0 && this.options.checked.has(v))) return;
    // The record cache answers only for a state without a pending violation (see `local`), and
    // only when no sink listens to the kernel's decisions (a cached step reports none).
    this.readThreads(state, v === 0 && k.sink === undefined ? this.recordCache : undefined);
    const F = this.facts;
    const left = this.budgetsLeft(state);
    this.lastStep?.reset();
    this.emitOut = out;
    this.emitRaw = emitRaw;
    const emit = this.emitOne;
    for (let t = 0; t < this.T; t++) {
      const status = F.status[t]!;
      // Placement coverage: which event kinds were explored at which instruction, and where
      // violations arose (instrumentation only: it never influences a verdict).
      this.covIp = F.covIp[t]!;
      const th = this.ir.threads[t]!;
      const cpu = F.cpu[t]!;
      if (status === Status.Running) {
        copyWords(out, state);
        const outcome = this.instructionStep(out, state, t);
        if (emit(makeLabel(LabelKind.instruction, t))) return;
        // Before a purely local instruction, an event is equivalent to the same event one
        // instruction later (see fusibleInstructions): only the instruction is explored here.
        if ((F.flags[t]! & FactFlag.fusible) !== 0) continue;
        if (outcome === StepOutcome.SyscallReturned && (left & (1 << B_PREEMPT)) !== 0) {
          copyWords(out, state);
          this.spend(out, B_PREEMPT);
          this.interp.step(out, t, true, this.cpuOf);
          this.finish(out, t, true);
          if (emit(makeLabel(LabelKind.instructionPreemptedAtExit, t))) return;
        }
        if ((left & (1 << B_PREEMPT)) !== 0) {
          // A preemption is a context switch: the CPU goes straight to one of its ready
          // threads (possibly t again), so no idle intermediate state is stored.
          for (let u = 0; u < this.T; u++) {
            if (u !== t && (F.status[u] !== Status.Ready || !this.queuedOn(u, cpu))) continue;
            copyWords(out, state);
            this.spend(out, B_PREEMPT);
            this.runningOn[cpu] = -1;
            const cid = this.freeMmCid(u);
            this.runningOn[cpu] = t;
            if (u === t) this.local(out, t, Local.preemptSelf, cpu, cid);
            else {
              // t's and u's steps touch their own records only: they commute.
              this.local(out, t, Local.preemptOut);
              this.local(out, u, Local.schedule, cpu, cid);
            }
            if (emit(makeLabel(LabelKind.preempt, t, u))) return;
          }
        }
        if ((left & (1 << B_MIGRATE)) !== 0) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            copyWords(out, state);
            this.spend(out, B_MIGRATE);
            this.local(out, t, Local.migrateRunning, c);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && (left & (1 << B_SIGNAL)) !== 0 && F.sigPending[t] === 0) {
          copyWords(out, state);
          this.spend(out, B_SIGNAL);
          this.local(out, t, Local.signalRunning);
          if (emit(makeLabel(LabelKind.signal, t))) return;
        }
        if ((left & (1 << B_IRQ)) !== 0) {
          for (let tw = 0; tw < 2; tw++) {
            copyWords(out, state);
            this.spend(out, B_IRQ);
            this.local(out, t, Local.interrupt, tw);
            if (emit(makeLabel(tw === 1 ? LabelKind.taskWork : LabelKind.interrupt, t))) return;
          }
        }
        if ((left & (1 << B_TRAP)) !== 0) {
          copyWords(out, state);
          this.spend(out, B_TRAP);
          this.local(out, t, Local.interrupt, 0); // a fault that does not sleep: entry and exit only
          if (emit(makeLabel(LabelKind.trap, t))) return;
          copyWords(out, state);
          this.spend(out, B_TRAP);
          this.local(out, t, Local.trapSleep);
          if (emit(makeLabel(LabelKind.trapSleep, t))) return;
        }
      } else if (status === Status.Ready || status === Status.Blocked) {
        if (status === Status.Ready) {
          for (let c = 0; c < this.runningOn.length; c++) {
            if (this.runningOn[c] !== -1 || !this.queuedOn(t, c)) continue;
            copyWords(out, state);
            this.local(out, t, Local.schedule, c, this.freeMmCid(t));
            if (emit(makeLabel(LabelKind.schedule, t, c))) return;
          }
        }
        if (status === Status.Blocked) {
          copyWords(out, state);
          this.local(out, t, Local.wake);
          if (emit(makeLabel(LabelKind.wake, t))) return;
        }
        // A floating thread's migrations change nothing (canonicalize): none is explored.
        if ((left & (1 << B_MIGRATE)) !== 0 && F.anyCpu[t] === 0) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            copyWords(out, state);
            this.spend(out, B_MIGRATE);
            this.local(out, t, Local.migrateReady, c);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && (left & (1 << B_SIGNAL)) !== 0 && F.sigPending[t] === 0) {
          copyWords(out, state);
          this.spend(out, B_SIGNAL);
          const wakes = (F.flags[t]! & FactFlag.wakesOnSignal) !== 0;
          this.local(out, t, Local.signalSwitchedOut);
          if (emit(makeLabel(wakes ? LabelKind.wakeBySignal : LabelKind.signalPending, t))) return;
        }
      }
    }
  }

  /**
   * Decodes what `successors` reads of each thread of `state` into `facts` and fills
   * `runningOn`. With `cache`, each record is interned and its facts are read from the cache
   * (decoded once per distinct record); `rid` then holds each thread's record id.
   */
  private readThreads(state: Int32Array, cache: RecordCache | undefined): void {
    const F = this.facts;
    this.liveCache = cache;
    const running = this.runningOn;
    for (let c = 0; c < running.length; c++) running[c] = -1;
    if (cache !== undefined && cache.full) cache.clear();
    for (let t = 0; t < this.T; t++) {
      if (cache !== undefined) {
        const rid = this.internRecord(cache, state, t);
        this.rid[t] = rid;
        F.copyFrom(cache.facts, rid, t);
      } else this.describe(state, t, F, t);
      if (F.status[t] === Status.Running) running[F.cpu[t]!] = t;
    }
  }

  /** Id of thread t's record in `s`, interned (and described) if new. */
  private internRecord(cache: RecordCache, s: Int32Array, t: number): number {
    const before = cache.records.size;
    const rid = cache.records.intern(t, s, this.layout.threadWordStart[t]!);
    if (cache.records.size > before) {
      cache.addRecord(rid);
      this.describe(s, t, cache.facts, rid);
    }
    return rid;
  }

  /** Writes what `successors` reads of thread t's record in `s` into entry `at` of `into`. */
  private describe(s: Int32Array, t: number, into: ThreadFacts, at: number): void {
    const k = this.kernel;
    const L = this.layout;
    const st = k.get(s, L.status[t]!);
    into.status[at] = st;
    into.cpu[at] = k.get(s, L.cpu[t]!);
    into.anyCpu[at] = k.get(s, L.anyCpu[t]!);
    into.sigPending[at] = k.get(s, L.sigPending[t]!);
    into.mmCid[at] = k.get(s, L.mmCid[t]!);
    let covIp = 0;
    let flags = 0;
    if (st !== Status.Done && st !== Status.Dormant) {
      const lvl = k.level(s, t);
      const prog = k.programOf(t, lvl);
      const ip = k.get(s, L.ip[L.frame(t, lvl)]!);
      covIp = this.coverage.base[prog]! + ip;
      if (this.atFusible(s, t)) flags |= FactFlag.fusible;
      const op = this.ir.programs[prog]!.code[ip]?.op;
      // Only syscalls (sched_yield, membarrier, fork, ...) read or write other threads; raise
      // and sigreturn are left out too, being rare, so the list of what is cached stays short.
      if (st === Status.Running && op !== undefined && op !== 'syscall' && op !== 'raise' && op !== 'sigreturn') flags |= FactFlag.localInstruction;
      if (st === Status.Blocked && this.interruptibleSleep(s, t) !== undefined) flags |= FactFlag.wakesOnSignal;
    }
    into.covIp[at] = covIp;
    into.flags[at] = flags;
  }

  /**
   * Runs running thread t's instruction step on `out` (a copy of `state`): its instruction, the
   * fused ones after it, canonical form. A step whose instruction is not a syscall reads and
   * writes only t's record and the process-wide words (memory, violation, kill): it is cached
   * by (record, process-wide words), and a step found to touch anything else never is.
   */
  private instructionStep(out: Int32Array, state: Int32Array, t: number): number {
    const cache = this.liveCache;
    if (cache === undefined || (this.facts.flags[t]! & FactFlag.localInstruction) === 0) return this.interpretStep(out, t);
    const G = this.globalWords;
    const start = this.layout.threadWordStart[t]!;
    const before = cache.steps.size;
    const key = cache.steps.intern(this.rid[t]!, state, 0);
    if (cache.steps.size > before) cache.addStep(key);
    const next = cache.stepNext[key]!;
    if (next >= 0) {
      cache.hits++;
      const globals = cache.stepGlobals;
      for (let i = 0; i < G; i++) out[i] = globals[key * G + i]!;
      cache.records.copyOut(next, out, start);
      return StepOutcome.Complete;
    }
    const outcome = this.interpretStep(out, t);
    if (next === UNCACHEABLE) return outcome;
    cache.misses++;
    const W = this.layout.threadWords;
    const end = this.stateWords;
    const first = this.layout.threadWordStart[0]!;
    const othersKept = outcome === StepOutcome.Complete && wordsEqual(out, first, state, first, start - first) && wordsEqual(out, start + W, state, start + W, end - start - W);
    if (!othersKept) {
      cache.stepNext[key] = UNCACHEABLE;
      return outcome;
    }
    const rid = this.internRecord(cache, out, t);
    for (let i = 0; i < G; i++) cache.stepGlobals[key * G + i] = out[i]!;
    cache.stepNext[key] = rid;
    return outcome;
  }

  /** Thread t's instruction step computed by the interpreter (see instructionStep). */
  private interpretStep(out: Int32Array, t: number): number {
    const touchesOthers = this.interp.current(out, t).op === 'syscall';
    const outcome = this.interp.step(out, t, false, this.cpuOf);
    this.runFusedSteps(out, t);
    this.finish(out, t, touchesOthers);
    return outcome;
  }

  /**
   * Runs the thread-local step `op` of thread t on `s` (see localStep), from the record cache
   * when the state being expanded was read through it (`liveCache`): `s` then still holds t's
   * record as read (each successor applies one step per thread). A step is cached only if it
   * left every word outside t's record alone (no kill, no violation), and read from the cache
   * only in a state without a pending violation, so a hit writes exactly what the step would.
   */
  private local(s: Int32Array, t: number, op: number, arg = 0, arg2 = 0): void {
    const cache = this.liveCache;
    if (cache === undefined || this.kernel.get(s, this.layout.violation) !== 0) return this.localStep(s, t, op, arg, arg2);
    const start = this.layout.threadWordStart[t]!;
    const key = this.rid[t]! * cache.localKinds + op + LOCAL_OPS * (arg + this.argSpan * arg2);
    const next = cache.localNext[key]!;
    if (next >= 0) {
      cache.hits++;
      cache.records.copyOut(next, s, start);
      return;
    }
    if (next === UNCACHEABLE) return this.localStep(s, t, op, arg, arg2);
    cache.misses++;
    const g = this.globalWords;
    const saved = this.globalsTmp;
    for (let i = 0; i < g; i++) saved[i] = s[i]!;
    this.localStep(s, t, op, arg, arg2);
    const result = wordsEqual(saved, 0, s, 0, g) ? this.internRecord(cache, s, t) : UNCACHEABLE;
    cache.localNext[key] = result; // after internRecord, which may have replaced the array
  }

  /**
   * The kernel's handling of one event, reading and writing thread t's record only (and, on a
   * kill or a violation, the process-wide words), canonicalization included.
   */
  private localStep(s: Int32Array, t: number, op: number, arg: number, arg2: number): void {
    const k = this.kernel;
    const L = this.layout;
    switch (op) {
      case Local.preemptOut:
        this.switchOutFromUser(s, t, 'preempt');
        break;
      case Local.preemptSelf:
        this.switchOutFromUser(s, t, 'preempt');
        this.placeOn(s, t, arg);
        k.switchIn(s, t, arg2);
        this.canonicalize(s, t);
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
          else if (sleep.dst >= 0) k.set(s, L.regs[k.topFrame(s, t) * L.registers + sleep.dst]!, 1 + 2);
        }
        break;
      }
    }
    this.canonicalize(s, t);
  }

  /** Whether ready thread u of the state being expanded waits for `cpu`: queued there, or floating and allowed on it. */
  private queuedOn(u: number, cpu: number): boolean {
    if (this.facts.anyCpu[u] === 0) return this.facts.cpu[u] === cpu;
    return this.ir.threads[u]!.allowed.includes(cpu);
  }

  /** Puts ready thread u on `cpu` before it is switched in (a floating thread lands there). */
  private placeOn(s: Int32Array, u: number, cpu: number): void {
    this.kernel.set(s, this.layout.cpu[u]!, cpu);
    this.kernel.set(s, this.layout.anyCpu[u]!, 0);
  }

  /** Whether instruction `ip` of program `prog` runs fused with the one before it (no events explored before it). */
  fusedAt(prog: number, ip: number): boolean {
    return this.fusible[prog]![ip] === 1;
  }

  /** Whether running thread t's next instruction is one that runs fused (no events before it). */
  private atFusible(s: Int32Array, t: number): boolean {
    if (!this.reduced) return false;
    const k = this.kernel;
    const lvl = k.level(s, t);
    return this.fusible[k.programOf(t, lvl)]![k.get(s, this.layout.ip[this.layout.frame(t, lvl)]!)] === 1;
  }

  /**
   * Runs the purely local instructions that follow an instruction step of t (see
   * fusibleInstructions), telling `onStep` the (program, IP) of each before it runs.
   */
  private runFusedSteps(s: Int32Array, t: number, onStep?: (prog: number, ip: number) => void): void {
    const k = this.kernel;
    const L = this.layout;
    while (k.get(s, L.status[t]!) === Status.Running && !k.killed(s) && k.get(s, L.violation) === 0 && this.atFusible(s, t)) {
      if (onStep) {
        const lvl = k.level(s, t);
        onStep(k.programOf(t, lvl), k.get(s, L.ip[L.frame(t, lvl)]!));
      }
      this.interp.step(s, t, false, this.cpuOf);
    }
  }

  /**
   * The instructions thread t runs in its instruction step from `s`, as (program, IP) pairs:
   * the one at its IP, then the fused local ones (for explanations).
   */
  instructionChain(s: Int32Array, t: number): { prog: number; ip: number }[] {
    const k = this.kernel;
    const tmp = new Int32Array(s);
    const lvl = k.level(tmp, t);
    const chain = [{ prog: k.programOf(t, lvl), ip: k.get(tmp, this.layout.ip[this.layout.frame(t, lvl)]!) }];
    this.readThreads(tmp, undefined); // for runningOn (membarrier's IPIs)
    this.interp.step(tmp, t, false, this.cpuOf);
    this.runFusedSteps(tmp, t, (prog, ip) => chain.push({ prog, ip }));
    return chain;
  }

  /** Records coverage and the LTL ghosts of the successor in `emitOut`, canonicalizes it, emits it. */
  private readonly emitOne = (label: number): boolean | void => {
    const k = this.kernel;
    const L = this.layout;
    const out = this.emitOut;
    const last = this.lastStep;
    const cov = this.coverage;
    cov.events[this.covIp * NUM_LABEL_KINDS + (label & 31)]!++;
    if (last !== undefined) {
      k.set(out, L.lastKind, label & 31);
      k.set(out, L.lastThread, (label >>> 5) & 15);
      k.set(out, L.lastCommit, last.commit);
      k.set(out, L.lastAbort, last.abort);
      k.set(out, L.lastSyscall, last.syscall);
      k.set(out, L.lastCsInstr, last.csInstr);
      last.reset();
    }
    if (k.get(out, L.violation) !== 0) cov.violations[this.covIp]!++;
    if (this.symmetric) this.sortThreads(out);
    return this.emitRaw(label);
  };

  /**
   * If blocked thread t sleeps in a syscall a signal interrupts: whether it is restarted, and
   * the register receiving its result (EINTR is reported as 1, the model's error value).
   */
  private interruptibleSleep(s: Int32Array, t: number): { restart: boolean; dst: number } | undefined {
    const k = this.kernel;
    if (k.get(s, this.layout.entry[t]!) !== Entry.Syscall) return undefined;
    const prog = this.ir.programs[k.programOf(t, k.level(s, t))]!;
    const ins = prog.code[k.get(s, this.layout.ip[k.topFrame(s, t)]!) - 1];
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
    k.set(s, this.layout.status[t]!, Status.Ready);
    k.set(s, this.layout.entry[t]!, Entry.Irq);
  }

  /** The smallest mm_cid not held by a thread running on another CPU (the mm_cid contract), in the state being expanded. */
  private freeMmCid(t: number): number {
    let used = 0;
    for (let c = 0; c < this.runningOn.length; c++) {
      const u = this.runningOn[c]!;
      if (u >= 0 && u !== t) used |= 1 << this.facts.mmCid[u]!;
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

function compareBlocks(s: Int32Array, a: number, b: number, words: number): number {
  for (let i = 0; i < words; i++) {
    const d = s[a + i]! - s[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Symmetry reduction is sound when every thread runs the same code with the same handler,
 * affinity, registration and flags, no thread is created at run time, no memory is indexed
 * per thread, and no property names a thread.
 */
function symmetryIsSound(ir: ModelIR, options: SystemOptions): boolean {
  const [first, ...rest] = ir.threads;
  if (!first || rest.length === 0) return false;
  const same = rest.every(
    (t) => t.program === first.program && t.handler === first.handler && t.registered === first.registered && t.flags === first.flags && !t.dormant && t.allowed.join() === first.allowed.join(),
  );
  if (!same || first.dormant) return false;
  if (ir.memory.vars.some((v) => v.perthread)) return false;
  if (ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && (i.name === 'fork' || i.name === 'clone_vm')))) return false;
  void options;
  return !propertiesNameAThread(ir);
}

/** Whether an invariant or final condition mentions a thread (its registers, IP, CPU, ...). */
function propertiesNameAThread(ir: ModelIR): boolean {
  const names = ir.threads.map((t) => t.name);
  const mentions = (e: string): boolean => names.some((n) => new RegExp(`\\b${n.replace(/[.']/g, '\\$&')}\\b`).test(e));
  return [...ir.invariants, ...ir.final].some((c) => mentions(c.expr));
}

/**
 * The partial-order reductions are sound when no property can see a thread's registers, IP or
 * CPU: no invariant or final condition names a thread (they then speak of memory and the
 * built-in ghosts only).
 */
function reductionsAreSound(ir: ModelIR): boolean {
  return !propertiesNameAThread(ir);
}

/**
 * The instructions of program `pi` that run fused with the instruction before them: purely
 * local ones (nop, mov, add, sub, br, jmp: registers and the IP only) whose every successor is
 * inside exactly the same descriptor ranges, and whose written register is dead at the abort
 * handler of each range they are in. For such an instruction L at IP p, any kernel event at p
 * leads to the state the same event reaches at L's successor once L has run: the kernel reads
 * the IP only through range tests (equal at both), never reads registers, and moves the IP to
 * the same abort_ip with the same live registers; while the thread is switched out nothing
 * else can touch its registers. No property reads them (reductionsAreSound), so exploring only
 * L at p loses no verdict. Instructions on a cycle of fusible ones are excluded, so a thread
 * never runs fused forever.
 */
function fusibleInstructions(ir: ModelIR, pi: number, rangeMask: Int32Array, live: Int32Array): Uint8Array {
  const code = ir.programs[pi]!.code;
  const n = code.length;
  const out = new Uint8Array(n + 1);
  const succ = (ins: Instr, i: number): number[] => (ins.op === 'jmp' ? [ins.target] : ins.op === 'br' ? [i + 1, ins.target] : [i + 1]);
  for (let i = 0; i < n; i++) {
    const ins = code[i]!;
    if (!['nop', 'mov', 'add', 'sub', 'br', 'jmp'].includes(ins.op)) continue;
    if (!succ(ins, i).every((q) => q <= n && rangeMask[q] === rangeMask[i])) continue;
    const writes = ins.op === 'mov' || ins.op === 'add' || ins.op === 'sub' ? 1 << ins.dst : 0;
    const abortsLive = ir.descriptors.reduce((m, d, di) => (rangeMask[i]! & (1 << di) ? m | live[d.abort]! : m), 0);
    if (writes & abortsLive) continue;
    out[i] = 1;
  }
  // Break cycles of fusible instructions (repeatedly drop one on a cycle).
  for (;;) {
    const onCycle = findCycle(out, (i) => succ(code[i]!, i).filter((q) => q < n && out[q] === 1));
    if (onCycle < 0) break;
    out[onCycle] = 0;
  }
  return out;
}

/** A node on a cycle of the graph restricted to `member` nodes, or -1 (iterative DFS). */
function findCycle(member: Uint8Array, next: (i: number) => number[]): number {
  const color = new Uint8Array(member.length);
  for (let root = 0; root < member.length; root++) {
    if (!member[root] || color[root]) continue;
    const stack: [number, number[]][] = [[root, next(root)]];
    color[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const v = top[1].pop();
      if (v === undefined) {
        color[top[0]] = 2;
        stack.pop();
        continue;
      }
      if (color[v] === 1) return v;
      if (color[v] === 0) {
        color[v] = 1;
        stack.push([v, next(v)]);
      }
    }
  }
  return -1;
}

/** Applies (word, and-mask, or-bits) triples to a packed state. */
function applyMasks(s: Int32Array, m: Int32Array): void {
  for (let i = 0; i < m.length; i += 3) s[m[i]!] = (s[m[i]!]! & m[i + 1]!) | m[i + 2]!;
}

/** dst = src for two states of equal width (a loop the JIT inlines: cheaper than set() at this size). */
function copyWords(dst: Int32Array, src: Int32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = src[i]!;
}
