import { RangeMemo } from '../../checker/range-memo.js';
import { equalWords } from '../../checker/state-store.js';
import type { ModelIR } from '../ir/types.js';
import { encodeCachedCpu, encodeValue } from '../kernel/encoding.js';
import { Entry, Status, type RseqLayout } from '../kernel/layout.js';
import type { Policy } from '../kernel/policy.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import { Budget } from './budgets.js';
import { passesFullValidation } from './reductions.js';
import { copyWords } from './words.js';

/** What decides the canonical form besides the model, the policy and the kernel. */
export interface CanonicalFormSettings {
  /** Whether any clone_vm can make two threads share one struct rseq. */
  readonly sharedAreas: boolean;
  /** Whether the event mask is reduced to one bit (see eventMaskCollapses). */
  readonly collapseEvents: boolean;
  /** Whether an event bit is cleared while notify-resume is clear (see eventBitsDieWithoutNotify). */
  readonly deadEvents: boolean;
  /** Whether a certain pending abort moves the IP to the range's start (see abortsArePending). */
  readonly abortPending: boolean;
  /** Whether it also does so with signals that do not abort, for a thread no signal can reach (see abortsArePendingUnsignalled). */
  readonly abortPendingUnsignalled: boolean;
  /** Per program, per IP: the descriptors dead there when stale (see deadStaleDescriptors), or undefined when the reduction is off. */
  readonly deadStale: readonly Int32Array[] | undefined;
  /** Per descriptor: whether a stale copy of it only ever gets cleared (see harmlessWhenStale). */
  readonly harmlessStale: readonly boolean[];
  /** Per program, per IP: the IP a thread resting there stands for, or -1 (see jumpThreads); undefined when the reduction is off. */
  readonly jumps: readonly Int32Array[] | undefined;
  /** Whether the partial-order reductions apply (see reductionsAreSound). */
  readonly reduced: boolean;
  /** Per thread: whether it may float over CPUs while ready (see floatingThreads). */
  readonly floating: readonly boolean[];
  /** Per program, per IP: bit d-1 set when descriptor d's range contains the IP (see descriptorRangeMasks). */
  readonly rangeMask: readonly Int32Array[];
  /**
   * Per program, per IP: the descriptors whose armed ghost (what G1, G2 and G3 read as "inside
   * the c.s. it armed") is dropped there: those no path from the IP reaches the range of without
   * an rseq_arm or rseq_clear first (deadStaleDescriptors), so nothing reads it again. Dropping
   * it wherever the IP is outside the range would lose it between an rseq_arm and a start_ip it
   * does not immediately precede, a U1 bug the properties must see. (A tracer's SETREGS into a
   * range sets the ghost itself when rseq_cs points at it: ptrace.ts setIp.)
   */
  readonly armedDead: readonly Int32Array[];
  /** Per program, per IP: the live registers (models/kernel/liveness.ts). */
  readonly live: readonly Int32Array[];
  /** Whether canonical records are remembered (see `memo`). */
  readonly memoize: boolean;
}

/**
 * The canonical form of a thread's record: states that differ only in what can never be
 * observed again (dead registers, stale IDs, which event bit is pending, the CPU of a floating
 * ready thread, ...) are merged into one.
 */
export class CanonicalForm {
  /**
   * Canonical forms of thread records already computed. Sound because every field
   * canonicalization reads or writes is in the thread's own record (models/kernel/layout.ts
   * groups them), the static tables it consults are indexed by the thread, and the one
   * process-wide fact it reads (`context`) is part of the memo's tag with the thread.
   */
  readonly memo: RangeMemo | undefined;
  private readonly L: RseqLayout;
  private readonly T: number;
  private readonly sharedAreas: boolean;
  private readonly collapseEvents: boolean;
  private readonly deadEvents: boolean;
  private readonly abortPending: boolean;
  private readonly abortPendingUnsignalled: boolean;
  /** The signal budget's field, or -1 when signals are unbounded (it is never spent). */
  private readonly signalsLeft: number;
  private readonly deadStale: readonly Int32Array[] | undefined;
  private readonly jumps: readonly Int32Array[] | undefined;
  /** Per thread: the harmless descriptors dead at the entry of each of its signal handlers (a signal may start one at any time). */
  private readonly staleDeadAtHandlers: Int32Array;
  private readonly reduced: boolean;
  private readonly floating: readonly boolean[];
  private readonly rangeMask: readonly Int32Array[];
  private readonly armedDead: readonly Int32Array[];
  /** Per frame field index and program (f * programs + prog), per IP: (word, and-mask, or-bits) triples that reset dead registers. */
  private readonly deadMasks: readonly (readonly Int32Array[])[];
  private readonly programs: number;
  /** Per frame field index: triples that reset every register (inactive frames). */
  private readonly clearAll: readonly Int32Array[];
  /** Descriptors that pass full validation (version 0, abort outside, right signature). */
  private readonly validDesc: readonly boolean[];
  /** Kernel fields of a finished thread, reset to 0. */
  private readonly doneFields: readonly Int32Array[];
  /** The kernel's cached CPU is never read (4.18-6.18 rewrite the IDs on every handler run). */
  private readonly kIdCpuDead: boolean;
  private readonly floatTmp: Int32Array;

  constructor(
    private readonly ir: ModelIR,
    private readonly policy: Policy,
    private readonly kernel: KernelSemantics,
    settings: CanonicalFormSettings,
  ) {
    const L = kernel.L;
    this.L = L;
    this.T = ir.threads.length;
    this.sharedAreas = settings.sharedAreas;
    this.collapseEvents = settings.collapseEvents;
    this.deadEvents = settings.deadEvents;
    this.abortPending = settings.abortPending;
    this.abortPendingUnsignalled = settings.abortPendingUnsignalled;
    this.signalsLeft = L.budget[Budget.signal]!;
    this.deadStale = settings.deadStale;
    this.jumps = settings.jumps;
    const harmless = settings.harmlessStale.reduce((m, ok, d) => (ok ? m | (1 << d) : m), 0);
    // Equivalent mutant: `?.[0]` made `[0]`, hp is a program's index, so deadStale[hp] is defined whenever deadStale is.
    this.staleDeadAtHandlers = Int32Array.from(ir.threads, (th) =>
      [th.handler, th.sigsegvHandler].reduce((m, hp) => (hp < 0 ? m : m & (settings.deadStale?.[hp]?.[0] ?? 0)), harmless),
    );
    this.reduced = settings.reduced;
    this.floating = settings.floating;
    this.rangeMask = settings.rangeMask;
    this.armedDead = settings.armedDead;
    this.memo = settings.memoize ? new RangeMemo(L.threadWords) : undefined;
    this.doneFields = [L.cpu, L.evMask, L.tifNotify, L.entry, L.mmCid, L.kIdCpu, L.cpuIdStart, L.cpuId, L.rseqCs, L.areaMmCid, L.roDirty, L.sigPending];
    // A thread that ended in its SIGSEGV handler leaves no pending SIGSEGV anyone can see.
    // Equivalent mutant: the test made true (or >= 0), the appended arrays are empty: field undefined, and k.set writes s[undefined], a named property of the array object, never a word of the state.
    if (L.segvFrame.length > 0) this.doneFields = [...this.doneFields, L.segvFrame, L.segvFatal, L.segvUnjustified];
    this.validDesc = passesFullValidation(ir);
    this.kIdCpuDead = !kernel.rework && policy.idUpdate === 'everyHandlerRun';
    this.floatTmp = new Int32Array(L.bits.words);
    const bits = L.bits;
    const masksFor = (f: number, deadSet: number): Int32Array => {
      const triples: number[] = [];
      // Equivalent mutant: r <= L.registers, deadSet (within `all`) has no bit `registers`, so that r is skipped.
      for (let r = 0; r < L.registers; r++) {
        if (!(deadSet & (1 << r))) continue;
        const fld = L.regs[f * L.registers + r]!;
        const sh = bits.shift[fld]!;
        triples.push(bits.word[fld]!, ~(bits.mask[fld]! << sh), encodeValue(0) << sh);
      }
      return Int32Array.from(triples);
    };
    const all = (1 << ir.registers) - 1;
    const live = settings.live;
    const P = ir.programs.length;
    this.programs = P;
    this.deadMasks = Array.from({ length: this.T * L.levels * P }, (_, i) => {
      const f = Math.floor(i / P);
      const prog = i % P;
      const th = ir.threads[Math.floor(f / L.levels)]!;
      // Level 0 runs the main program; the others a signal handler or the SIGSEGV handler.
      // Equivalent mutants: `prog === th.program` or the handler test made true, `!runs` made false, `[]` made
      // non-empty: each only fills tables of a (frame, program) pair core never reads (it reads programOf's).
      const runs = f % L.levels === 0 ? prog === th.program : prog === th.handler || prog === th.sigsegvHandler;
      // Stryker disable next-line ArrayDeclaration: equivalent, a table of a program the frame never runs is never read
      if (!runs) return [];
      // One entry past the end: a killed thread's IP may rest after its last syscall.
      return Array.from({ length: live[prog]!.length + 1 }, (_, ip) => masksFor(f, all & ~(live[prog]![ip] ?? 0)));
    });
    this.clearAll = Array.from({ length: this.T * L.levels }, (_, f) => masksFor(f, all));
  }

  /**
   * Puts thread t's frames in canonical form: dead registers cleared, and G1/precision ghost
   * bits cleared once the IP is outside the armed range (they only matter inside it).
   */
  thread(s: Int32Array, t: number): void {
    const memo = this.memo;
    if (memo === undefined) return this.record(s, t);
    const start = this.L.threadWordStart[t]!;
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: equivalent, the memo only saves work: never recalling, or tags that stay distinct per (thread, context) or that the table reads as empty (a tag + 1 of 0), give the same records.
    if (memo.recall(s, start, t + this.T * this.context(s))) return;
    this.record(s, t);
    memo.remember(s, start);
  }

  /**
   * What canonicalization reads outside thread records: 1 once the signal budget is spent
   * (abort-pending-unsignalled), else 0. Caches of canonical records key by it.
   */
  context(s: Int32Array): number {
    return this.abortPendingUnsignalled && this.signalsLeft !== -1 && this.kernel.get(s, this.signalsLeft) === 0 ? 1 : 0;
  }

  /** How many values `context` takes. */
  get contexts(): number {
    return this.abortPendingUnsignalled ? 2 : 1;
  }

  /** Canonicalizes the acting thread, or every thread after a syscall that may touch others. */
  threads(s: Int32Array, t: number, all: boolean): void {
    if (all) for (let u = 0; u < this.T; u++) this.thread(s, u);
    else this.thread(s, t);
  }

  /** `thread` without the memo: reads and writes thread t's record only. */
  private record(s: Int32Array, t: number): void {
    this.core(s, t);
    const k = this.kernel;
    const L = this.L;
    // Equivalent mutant: `anyCpu === 0` made true, anyCpu is 1 only with cpu 0 (set together here; placeOn sets a CPU and clears it), so these writes change nothing.
    if (this.floating[t] && k.get(s, L.status[t]!) === Status.Ready && k.get(s, L.anyCpu[t]!) === 0 && this.migrationInvisible(s, t)) {
      k.set(s, L.cpu[t]!, 0);
      k.set(s, L.anyCpu[t]!, 1);
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
    const L = this.L;
    const tmp = this.floatTmp;
    copyWords(tmp, s);
    const cpu = k.get(s, L.cpu[t]!);
    // Stryker disable next-line ArrowFunction,ConditionalExpression,EqualityOperator: equivalent, the target CPU (even undefined, written as 0) is restored below and nothing between reads it: migrate's other writes do not depend on it, and idsChangeInvisible returns before reading the CPU (not v2 tracking, or ids_changed just raised)
    const other = this.ir.threads[t]!.allowed.find((c) => c !== cpu)!;
    // A probe, not a transition: no decision of it is reported.
    const sink = k.sink;
    k.sink = undefined;
    k.noteEvent(tmp, t, 'migrate');
    k.migrate(tmp, t, other);
    k.sink = sink;
    this.core(tmp, t);
    k.set(tmp, L.cpu[t]!, cpu);
    return equalWords(tmp, s);
  }

  /**
   * Under the rework (v2 tracking), whether raising ids_changed on switched-out thread t would
   * change nothing: its IDs, the kernel's cached CPU and mm_cid are what the forced update at
   * its next switch-in would write anyway (and no read-only field is dirty), and the exit work
   * that ids_changed may add runs the c.s. check only where it runs regardless (user_irq set, or
   * an arch without generic IRQ entry: every switch raises the event and the check never skips),
   * or skips it. Then the state with the bit raised stands for both.
   */
  private idsChangeInvisible(s: Int32Array, t: number): boolean {
    const k = this.kernel;
    const L = this.L;
    const p = this.policy;
    // Equivalent mutant: `idsChanged === 1` made false, raising a bit already raised changes nothing.
    if (p.eventTracking !== 'userIrqOnly' || k.get(s, L.idsChanged[t]!) === 1 || k.get(s, L.roDirty[t]!) === 1) return false;
    const cpu = k.get(s, L.cpu[t]!);
    if (k.get(s, L.kIdCpu[t]!) !== encodeCachedCpu(cpu) || k.get(s, L.cpuIdStart[t]!) !== encodeValue(cpu) || k.get(s, L.cpuId[t]!) !== encodeValue(cpu)) return false;
    if (k.trackMmCid && k.get(s, L.areaMmCid[t]!) !== k.get(s, L.mmCid[t]!)) return false;
    const checkSkippedAnyway = p.genericIrqEntry && p.csValidation !== 'debug-full' && !p.csCheckAfterSyscallSwitch;
    return !p.genericIrqEntry || k.get(s, L.userIrq[t]!) === 1 || checkSkippedAnyway;
  }

  /**
   * The abort_ip thread t is certain to be moved to before it runs user code again, or -1 (see
   * abortsArePending): ready after an interrupt with notify-resume and an event pending, its
   * own area's rseq_cs a valid descriptor, armed in its top frame, whose range holds the IP.
   */
  private pendingAbortIp(s: Int32Array, t: number, st: number, top: number): number {
    const k = this.kernel;
    const L = this.L;
    if (!(this.abortPending || this.unsignalled(s, t)) || st !== Status.Ready || this.sharedAreas || k.area(s, t) !== t) return -1;
    if (k.get(s, L.entry[t]!) !== Entry.Irq || k.get(s, L.restart[t]!) !== 0 || k.get(s, L.tifNotify[t]!) !== 1 || k.get(s, L.evMask[t]!) === 0) return -1;
    const d = k.get(s, L.rseqCs[t]!);
    const f = L.frame(t, top);
    // Equivalent mutant: `d === 0` made false, for d = 0 validDesc[-1] is undefined and the next test returns -1.
    if (d === 0 || !this.validDesc[d - 1] || k.get(s, L.armed[f]!) !== d) return -1;
    const prog = k.programOf(s, t, top);
    if (!(this.rangeMask[prog]![k.get(s, L.ip[f]!)]! & (1 << (d - 1)))) return -1;
    return this.ir.descriptors[d - 1]!.abort;
  }

  /**
   * Whether no signal can reach thread t before it runs again (abort-pending-unsignalled): none
   * pending, and no handler to take one or the signal budget spent (the only other sender is
   * its own `raise`). A forced SIGSEGV needs no test: it is delivered after notify-resume in
   * either order of the exit loop, so after the abort.
   */
  private unsignalled(s: Int32Array, t: number): boolean {
    if (!this.abortPendingUnsignalled || this.kernel.get(s, this.L.sigPending[t]!) !== 0) return false;
    return this.ir.threads[t]!.handler < 0 || this.context(s) === 1;
  }

  private core(s: Int32Array, t: number): void {
    const k = this.kernel;
    const L = this.L;
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
      // Without notify-resume pending, every later read of the bit follows an event that sets it.
      if (this.deadEvents && k.get(s, L.tifNotify[t]!) === 0) k.set(s, L.evMask[t]!, 0);
      // Switched out with TIF_NOTIFY_RESUME raised, a registered thread will run the handler
      // before any of its user code: the handler rewrites both IDs, and clears a (valid)
      // rseq_cs whose range the IP is outside. Their current values cannot be observed.
      // (Not for a thread in a syscall: a restart may rewind its IP into the range.)
      if (st !== Status.Running && k.get(s, L.tifNotify[t]!) === 1 && k.get(s, L.entry[t]!) === Entry.Irq && k.area(s, t) === t && !this.sharedAreas && this.policy.idUpdate === 'everyHandlerRun') {
        k.set(s, L.cpuIdStart[t]!, 0);
        k.set(s, L.cpuId[t]!, 0);
        const d = k.get(s, L.rseqCs[t]!);
        // Equivalent mutant: `d !== 0` made true, for d = 0 validDesc[-1] is undefined (falsy) and nothing is cleared either.
        if (d !== 0 && this.validDesc[d - 1] && !k.inRange(d, k.programOf(s, t, top), k.get(s, L.ip[L.frame(t, top)]!))) k.set(s, L.rseqCs[t]!, 0);
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
    const abortIp = this.pendingAbortIp(s, t, st, top);
    for (let l = 0; l < L.levels; l++) {
      const f = L.frame(t, l);
      if (l > top) {
        if (st === Status.Done) k.set(s, L.ip[f]!, 0);
        applyMasks(s, this.clearAll[f]!);
        continue;
      }
      const prog = k.programOf(s, t, l);
      if (l === top && abortIp >= 0) {
        // Only the registers live at abort_ip survive the certain abort; any IP of the range stands for all.
        applyMasks(s, this.deadMasks[f * this.programs + prog]![abortIp]!);
        k.set(s, L.ip[f]!, this.ir.descriptors[k.get(s, L.rseqCs[t]!) - 1]!.start);
      }
      const ip = this.jumpThreaded(s, f, prog);
      applyMasks(s, this.deadMasks[f * this.programs + prog]![ip]!);
      const d = k.get(s, L.armed[f]!);
      // Stryker disable next-line ConditionalExpression: equivalent for d !== 0 made true, d = 0 tests bit 31 (1 << -1), which no mask holds (fewer than 31 descriptors)
      if (d !== 0 && this.armedDead[prog]![ip]! & (1 << (d - 1))) {
        // The armed descriptor is history: the range can only be re-entered through rseq_arm,
        // which sets it again; G1 and precision bits only matter inside.
        k.set(s, L.armed[f]!, 0);
        k.set(s, L.dirty[f]!, 0);
        k.set(s, L.evSince[f]!, 0);
      }
    }
    if (this.deadStale && top >= 0 && k.area(s, t) === t) this.clearDeadStaleCs(s, t, top);
  }

  /** Frame f's IP, moved to where it stands for if it rests at a fused jmp (see jumpThreads). */
  private jumpThreaded(s: Int32Array, f: number, prog: number): number {
    const k = this.kernel;
    const ip = k.get(s, this.L.ip[f]!);
    const to = this.jumps === undefined ? -1 : this.jumps[prog]![ip]!;
    if (to < 0) return ip;
    k.set(s, this.L.ip[f]!, to);
    return to;
  }

  /** The jump table, when the reduction is on and thread t has frames (neither finished nor yet to be created). */
  private jumpsFor(s: Int32Array, t: number): readonly Int32Array[] | undefined {
    const st = this.kernel.get(s, this.L.status[t]!);
    return st === Status.Done || st === Status.Dormant ? undefined : this.jumps;
  }

  /** Whether running or switched-out thread t's top frame rests at a jmp jumpThreads moves past. */
  restsAtThreadedJmp(s: Int32Array, t: number): boolean {
    const jumps = this.jumpsFor(s, t);
    if (jumps === undefined) return false;
    const k = this.kernel;
    const l = k.level(s, t);
    return jumps[k.programOf(s, t, l)]![k.get(s, this.L.ip[this.L.frame(t, l)]!)]! >= 0;
  }

  /**
   * Puts thread t's frames resting at a fused jmp at its target (as the canonical form does):
   * maps a state of the trace system, which keeps them (see concretize.ts), to this system's.
   */
  threadJumps(s: Int32Array, t: number): void {
    if (this.jumpsFor(s, t) === undefined) return;
    const k = this.kernel;
    for (let l = 0; l <= k.level(s, t); l++) this.jumpThreaded(s, this.L.frame(t, l), k.programOf(s, t, l));
  }

  /**
   * Clears thread t's rseq_cs if it is dead (as the canonical form does): maps a state of the
   * trace system, which keeps it (see concretize.ts), to this system's.
   */
  clearDeadStale(s: Int32Array, t: number): void {
    const k = this.kernel;
    const st = k.get(s, this.L.status[t]!);
    if (this.deadStale && st !== Status.Done && st !== Status.Dormant && k.area(s, t) === t) this.clearDeadStaleCs(s, t, k.level(s, t));
  }

  /** Clears thread t's rseq_cs where it is dead in every frame and every handler (see deadStaleDescriptors). */
  private clearDeadStaleCs(s: Int32Array, t: number, top: number): void {
    const k = this.kernel;
    const L = this.L;
    const d = k.get(s, L.rseqCs[t]!);
    // Equivalent mutant: `d === 0` made false, for d = 0 the bit is 1 << -1 (bit 31), which no mask holds (fewer than 31 descriptors), so the next test returns.
    if (d === 0) return;
    const bit = 1 << (d - 1);
    if (!(this.staleDeadAtHandlers[t]! & bit)) return;
    for (let l = 0; l <= top; l++) if (!(this.deadStale![k.programOf(s, t, l)]![k.get(s, L.ip[L.frame(t, l)]!)]! & bit)) return;
    k.set(s, L.rseqCs[t]!, 0);
  }
}

/** Applies (word, and-mask, or-bits) triples to a packed state. */
function applyMasks(s: Int32Array, m: Int32Array): void {
  // Stryker disable next-line EqualityOperator: equivalent, i === m.length reads m[i] as undefined and assigns s[undefined], a named property of the array object, never a word of the state
  for (let i = 0; i < m.length; i += 3) s[m[i]!] = (s[m[i]!]! & m[i + 1]!) | m[i + 2]!;
}
