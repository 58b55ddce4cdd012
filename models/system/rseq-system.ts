import type { TransitionSystem } from '../../checker/transition-system.js';
import type { Expr } from '../../properties/expr/ast.js';
import { builtinPropertyNames, Code, FIRST_USER_CODE, FLAG_KILLED_AS_PROMISED } from '../../properties/codes.js';
import type { BudgetsIR, ModelIR } from '../ir/types.js';
import { RangeMemo } from '../../checker/range-memo.js';
import { equalWords } from '../../checker/state-store.js';
import { encodeCachedCpu, encodeValue, NO_CACHED_CPU, RSEQ_CPU_ID_UNINITIALIZED } from '../kernel/encoding.js';
import { Interpreter, StepOutcome } from '../kernel/interpreter.js';
import { initialMmCids } from '../kernel/exec.js';
import { canSetIp, tracerTargets } from '../kernel/ptrace.js';
import { kernelWorkPossible, WorkKind } from '../kernel/kernel-work.js';
import { RseqLayout, Status } from '../kernel/layout.js';
import type { Policy } from '../kernel/policy.js';
import { TransitionBits } from '../kernel/decisions.js';
import { KernelSemantics, type GhostNeeds } from '../kernel/semantics.js';
import { liveRegisters } from '../kernel/liveness.js';
import { Budget, EventBudgets } from './budgets.js';
import { CachedSteps } from './cached-steps.js';
import { CanonicalForm } from './canonical.js';
import { PlacementCoverage } from './coverage.js';
import { InstructionSteps } from './instruction-steps.js';
import { kernelEvents, LabelKind, labelKind, makeLabel } from './labels.js';
import { FactFlag, type RecordCache } from './record-cache.js';
import { abortsArePending, abortsArePendingUnsignalled, cpuComparePrefixApplies, cpuComparePrefixes, deadStaleDescriptors, descriptorRangeMasks, eventBitsDieWithoutNotify, eventMaskCollapses, floatingThreads, fusibleInstructions, harmlessWhenStale, jumpThreads, quietExitApplies, reductionsAreSound, staleRseqCsCanDie, symmetryIsSound, type ReductionName } from './reductions.js';
import { ThreadSorter } from './symmetry.js';
import { CpuRenamer, cpuSymmetryApplies, type CpuSymmetryVerdict } from './cpu-symmetry.js';
import { Local, ThreadEvents } from './thread-events.js';
import { allGhosts, clearUnreadGhosts, ghostsReadBy, recordLastTransition, type GhostsRead } from './transition-ghosts.js';
import { copyWords } from './words.js';

/**
 * Sets of the symmetry memo (two entries each, 256 bytes a set for a 10-word state): 2^13
 * sets, 2 MB, keep 96 % of the hits 2^20 would (3.46 M of 3.67 M on the peer question with
 * 3 increments) and stay in the caches next to the visited set.
 */
const SYMMETRY_MEMO_LOG2_SETS = 13;

/** A compiled state predicate (user invariants, final conditions): true when it holds. */
export type StatePredicate = (s: Int32Array) => boolean;

export interface SystemOptions {
  /** Record what each transition did, for LTL propositions (costs state space). @defaultValue false */
  readonly trackLast?: boolean;
  /**
   * With `trackLast`: the atoms of the temporal property checked. The CPU symmetry applies only
   * when a CPU renaming keeps each of them (cpuSymmetryApplies); without them it is off.
   */
  readonly temporalAtoms?: readonly Expr[];
  /** Merge states that differ only by a permutation of identical threads. @defaultValue true when sound */
  readonly symmetry?: boolean;
  /**
   * Partial-order reductions that keep every verdict (see `reductionsAreSound`): purely local
   * instructions run together with the instruction before them, and a ready thread whose
   * migration is invisible floats over its allowed CPUs. @defaultValue true when sound
   */
  readonly reduce?: boolean;
  /** Named reductions turned off (see reductionNames); all are off without `reduce`. */
  readonly disable?: readonly ReductionName[];
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

/**
 * The rseq model as a TransitionSystem: at every instruction boundary of a running thread the
 * environment may preempt, migrate, signal, interrupt or trap it (within budgets); ready
 * threads are scheduled onto idle CPUs; blocked threads wake; switched-out threads migrate.
 * This file is the successor function; the thread steps, canonical form, reductions, record
 * cache and coverage it uses live beside it.
 */
export class RseqSystem implements TransitionSystem {
  readonly stateWords: number;
  readonly layout: RseqLayout;
  readonly kernel: KernelSemantics;
  readonly interp: Interpreter;
  private readonly T: number;
  /** Whether the event mask is reduced to one bit (see eventMaskCollapses). */
  readonly collapseEvents: boolean;
  /** Placement coverage counters (see `coverageReport`). */
  readonly coverage: PlacementCoverage;
  /** Whether states are reduced modulo permutations of identical threads or of CPUs (see `sortThreads`). */
  readonly symmetric: boolean;
  /** Whether the CPU symmetry applies to the model, or why not (cpu-symmetry.ts). */
  readonly cpuSymmetry: CpuSymmetryVerdict;
  /** Whether states are reduced modulo renamings of the CPUs (on when `cpuSymmetry` applies and the reduction is enabled). */
  readonly cpuSymmetric: boolean;
  private readonly threadSymmetric: boolean;
  private readonly cpuRenamer: CpuRenamer | undefined;
  /** The last-transition ghosts recorded: those the temporal property's atoms read (reduction `unread-ghosts`), or all. */
  private readonly ghostsRead: GhostsRead;
  /**
   * Whether states are kept modulo an equivalence the system without these reductions does not
   * apply (the symmetries, unread ghosts cleared, dead stale rseq_cs cleared, fused jmps
   * threaded): its paths are told in that system through `representative`.
   */
  readonly quotient: boolean;
  /** Whether the local-step and floating-ready reductions apply (see `reductionsAreSound`). */
  readonly reduced: boolean;
  /** Whether dead event bits are cleared (see eventBitsDieWithoutNotify). */
  readonly deadEvents: boolean;
  /** Whether certain pending aborts are applied to the IP early (see abortsArePending). */
  readonly abortPending: boolean;
  /** Whether they are also where signals do not abort, for threads no signal can reach (see abortsArePendingUnsignalled). */
  readonly abortPendingUnsignalled: boolean;
  /** Whether a stale rseq_cs is cleared where it is dead (see deadStaleDescriptors). */
  readonly deadRseqCs: boolean;
  /** Whether a thread resting at a fused jmp stands at its target (see jumpThreads). */
  readonly jumpThreading: boolean;
  /** Whether no event is explored before a running thread's quiet exit (see quietExitApplies). */
  readonly quietExit: boolean;
  /** Whether a c.s.'s cpu_id_start read, arm and cpu_id read run as one step (see cpuComparePrefixes). */
  readonly cpuComparePrefix: boolean;
  /** Canonical forms of thread records already computed (see CanonicalForm.memo). */
  readonly canonMemo: RangeMemo | undefined;
  /**
   * Symmetry classes' representatives already computed, keyed by the whole state: the CPU
   * renaming tries every permutation, each followed by the records' canonical form and the
   * thread order (pure functions of the state), and about three successors in four repeat one
   * seen shortly before (74 % on the peer question, a third of the check's time saved).
   */
  readonly symmetryMemo: RangeMemo | undefined;
  /** The record cache of the thread steps (see CachedSteps). */
  readonly recordCache: RecordCache | undefined;
  private readonly budgets: EventBudgets;
  private readonly canonical: CanonicalForm;
  private readonly sorter: ThreadSorter;
  private readonly instructions: InstructionSteps;
  private readonly steps: CachedSteps;
  /** Per CPU, the thread running there in the state being expanded, or -1 (filled by `steps.read`). */
  private readonly runningOn: Int32Array;
  /** Whether switch-in may also hand out an mm_cid a thread running elsewhere holds (mmCidUniqueness, for models that read mm_cid). */
  private readonly racyMmCid: boolean;
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
    const kernelWork = kernelWorkPossible(ir, policy);
    this.layout = new RseqLayout(withBudgets, options.trackLast ?? false, kernelWork);
    this.stateWords = this.layout.bits.words;
    const trackMmCid = ir.programs.some((p) => p.code.some((i) => (i.op === 'read_id' || i.op === 'write_id') && i.field === 'mm_cid'));
    this.kernel = new KernelSemantics(ir, policy, this.layout, options.ghosts, trackMmCid);
    this.racyMmCid = trackMmCid && policy.mmCidUniqueness === 'racy-without-barrier';
    this.lastStep = options.trackLast ? new TransitionBits() : undefined;
    this.kernel.sink = this.lastStep;
    this.interp = new Interpreter(ir, this.kernel);
    this.T = ir.threads.length;
    this.budgets = new EventBudgets(options.budgets, this.kernel);
    this.runningOn = new Int32Array(ir.cpus.length);
    // Whether any clone_vm can make two threads share one struct rseq.
    const sharedAreas = ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && i.name === 'clone_vm'));
    const memoize = options.memoize !== false;
    this.collapseEvents = eventMaskCollapses(ir, policy);
    this.threadSymmetric = (options.symmetry ?? true) && !options.trackLast && symmetryIsSound(ir);
    this.reduced = (options.reduce ?? true) && !options.trackLast && reductionsAreSound(ir);
    // The named reductions change only what no property can read (a pending event bit; the exact
    // IP inside the range and the dead registers of a thread certain to abort; in_cs sees the
    // same range either way), so unlike fusion and floating they stay on under temporal
    // properties and properties that name a thread. The CPU symmetry renames CPUs, which cpu(T)
    // and on_cpu(T, C) can see: under a temporal property it applies when the formula has no
    // such atom (cpu-symmetry.ts argues why the fair cycles are kept), and the thread symmetry,
    // which would permute the fairness marks, stays off.
    const enabled = (name: ReductionName): boolean => (options.reduce ?? true) && !(options.disable ?? []).includes(name);
    this.cpuSymmetry = !options.trackLast
      ? cpuSymmetryApplies(ir)
      : options.temporalAtoms !== undefined
        ? cpuSymmetryApplies(ir, options.temporalAtoms)
        : { applies: false, reason: "the temporal property's atoms are not given" };
    this.cpuSymmetric = (options.symmetry ?? true) && (this.reduced || options.trackLast === true) && enabled('cpu-symmetry') && this.cpuSymmetry.applies;
    this.symmetric = this.threadSymmetric || this.cpuSymmetric;
    this.ghostsRead = options.trackLast && options.temporalAtoms !== undefined && enabled('unread-ghosts') ? ghostsReadBy(ir, options.temporalAtoms) : allGhosts;
    this.deadRseqCs = enabled('dead-rseq-cs') && staleRseqCsCanDie(ir, policy);
    this.jumpThreading = this.reduced && enabled('jump-threading');
    this.quietExit = enabled('quiet-exit') && quietExitApplies(ir, this.reduced, sharedAreas, trackMmCid);
    this.cpuComparePrefix =
      enabled('cpu-compare-prefix') && cpuComparePrefixApplies(ir, policy, { reduced: this.reduced, collapseEvents: this.collapseEvents, rework: this.kernel.rework, kernelWork });
    this.quotient = this.symmetric || this.ghostsRead !== allGhosts || this.deadRseqCs || this.jumpThreading;
    this.deadEvents = enabled('dead-events') && eventBitsDieWithoutNotify(ir, policy, this.collapseEvents, options.budgets.interrupts);
    this.abortPending = enabled('abort-pending') && abortsArePending(policy, this.collapseEvents, this.kernel.rework);
    this.abortPendingUnsignalled = enabled('abort-pending-unsignalled') && abortsArePendingUnsignalled(withBudgets, policy, this.collapseEvents, this.kernel.rework);
    this.coverage = new PlacementCoverage(ir);
    const live = ir.programs.map((p, pi) =>
      liveRegisters(
        p,
        ir.registers,
        [...ir.descriptors.filter((d) => d.program === pi).map((d) => d.abort), ...tracerTargets(ir, pi)],
      ),
    );
    const rangeMask = descriptorRangeMasks(ir);
    const deadCs = deadStaleDescriptors(ir, rangeMask);
    const harmlessStale = harmlessWhenStale(ir, policy);
    const fusible = ir.programs.map((p, pi) => (this.reduced ? fusibleInstructions(ir, pi, rangeMask[pi]!, live[pi]!) : new Uint8Array(p.code.length + 1)));
    // The prefixes run fused too; jump threading reads only the fused jmps, so it takes `fusible`.
    const fused = fusible.map((f, pi) => {
      if (!this.cpuComparePrefix) return f;
      const prefix = cpuComparePrefixes(ir, pi, harmlessStale, live[pi]!);
      return f.map((x, ip) => x | prefix[ip]!);
    });
    this.canonical = new CanonicalForm(ir, policy, this.kernel, {
      sharedAreas,
      collapseEvents: this.collapseEvents,
      deadEvents: this.deadEvents,
      abortPending: this.abortPending,
      abortPendingUnsignalled: this.abortPendingUnsignalled,
      deadStale: this.deadRseqCs ? deadCs : undefined,
      armedDead: deadCs,
      harmlessStale,
      jumps: this.jumpThreading ? ir.programs.map((_, pi) => jumpThreads(ir, pi, fusible[pi]!)) : undefined,
      reduced: this.reduced,
      floating: floatingThreads(ir, this.reduced, options.budgets.migrations),
      rangeMask,
      live,
      memoize,
    });
    this.canonMemo = this.canonical.memo;
    this.sorter = new ThreadSorter(this.kernel);
    // A renamed state goes through the record canonical form again (a register cleared to 0 by
    // it may read as CPU 0 and be renamed), then into thread order.
    const order = (s: Int32Array): void => {
      for (let t = 0; t < this.T; t++) this.canonical.thread(s, t);
      if (this.threadSymmetric) this.sorter.sort(s);
    };
    this.cpuRenamer = this.cpuSymmetry.applies && this.cpuSymmetric ? new CpuRenamer(this.kernel, ir, this.cpuSymmetry.cpuRegs, live, order) : undefined;
    this.symmetryMemo = this.cpuRenamer && memoize ? new RangeMemo(this.stateWords, SYMMETRY_MEMO_LOG2_SETS) : undefined;
    this.instructions = new InstructionSteps(this.kernel, this.interp, this.canonical, this.reduced, fused, this.runningOn);
    const events = new ThreadEvents(ir, this.kernel, this.canonical);
    this.steps = new CachedSteps(ir, this.kernel, events, this.instructions, this.coverage, this.canonical, this.runningOn, memoize && !sharedAreas && !options.trackLast);
    this.recordCache = this.steps.cache;
  }

  /** The placement coverage counters (TransitionSystem.counters). */
  counters(): readonly Int32Array[] {
    return [this.coverage.events, this.coverage.violations];
  }

  /** Puts `s` in the symmetry reductions' canonical form: thread records sorted (ThreadSorter), CPUs renamed (CpuRenamer). */
  sortThreads(s: Int32Array): void {
    if (!this.cpuRenamer) return this.sorter.sort(s);
    const memo = this.symmetryMemo;
    if (memo?.recall(s, 0, 0)) return;
    this.cpuRenamer.canonicalize(s);
    memo?.remember(s, 0);
  }

  /**
   * Puts a state of the system without the reductions `quotient` names (the trace system:
   * concretize.ts) in this system's form: dead stale rseq_cs cleared (a thread's record is put
   * in canonical form at each of its own steps, which is where its rseq_cs goes stale and
   * dead), frames resting at a fused jmp moved to its target, unread ghosts cleared, then the
   * symmetries' canonical form.
   */
  representative(s: Int32Array): void {
    if (this.deadRseqCs) for (let t = 0; t < this.T; t++) this.canonical.clearDeadStale(s, t);
    if (this.jumpThreading) for (let t = 0; t < this.T; t++) this.canonical.threadJumps(s, t);
    if (this.ghostsRead !== allGhosts) clearUnreadGhosts(this.kernel, s, this.ghostsRead);
    if (this.symmetric) this.sortThreads(s);
  }

  /** Whether state `s` of the trace system stands for `rep` of this one (see `representative`). */
  representsAs(s: Int32Array, rep: Int32Array): boolean {
    const probe = s.slice();
    this.representative(probe);
    return equalWords(probe, rep);
  }

  /** Whether thread t of `s` (a state of the trace system) rests at a jmp this system moves it past (see jumpThreads). */
  restsAtThreadedJmp(s: Int32Array, t: number): boolean {
    return this.canonical.restsAtThreadedJmp(s, t);
  }

  /** Whether instruction `ip` of program `prog` runs fused with the one before it (no events explored before it). */
  fusedAt(prog: number, ip: number): boolean {
    return this.instructions.fusedAt(prog, ip);
  }

  /**
   * The instructions thread t runs in its instruction step from `s` (with a preemption at a
   * syscall's exit if asked), as (program, IP) pairs: the one at its IP, then the fused local
   * ones; and the state they reach before canonical form (for explanations).
   */
  instructionChain(s: Int32Array, t: number, preemptAtExit = false): { chain: { prog: number; ip: number }[]; after: Int32Array } {
    const tmp = new Int32Array(s);
    this.steps.read(tmp, false); // for runningOn (membarrier's IPIs)
    return { chain: this.instructions.chain(tmp, t, preemptAtExit), after: tmp };
  }

  initialStates(out: Int32Array, emit: () => void): void {
    const k = this.kernel;
    const L = this.layout;
    out.fill(0);
    this.budgets.fill(out);
    this.ir.memory.init.forEach((v, c) => k.set(out, L.mem[c]!, v));
    this.ir.threads.forEach((th, t) => {
      // The first thread placed on each CPU is running; the others wait in its run queue.
      const first = this.ir.threads.findIndex((o) => !o.dormant && o.cpu === th.cpu) === t;
      k.set(out, L.status[t]!, th.dormant ? Status.Dormant : first ? Status.Running : Status.Ready);
      k.set(out, L.cpu[t]!, th.cpu);
      for (let l = 0; l < L.levels; l++) for (let r = 0; r < L.registers; r++) k.set(out, L.regs[L.frame(t, l) * L.registers + r]!, encodeValue(0));
      const registered = th.registered && !th.dormant;
      k.setArea(out, t, registered ? t : -1);
      // A registered thread has had its IDs written; an unregistered one shows 0 / -1.
      k.set(out, L.cpuIdStart[t]!, encodeValue(registered ? th.cpu : 0));
      k.set(out, L.cpuId[t]!, encodeValue(registered ? th.cpu : RSEQ_CPU_ID_UNINITIALIZED));
      k.set(out, L.kIdCpu[t]!, registered ? encodeCachedCpu(th.cpu) : NO_CACHED_CPU);
      // A registered thread waiting in a run queue got there by a context switch after its
      // registration returned, and on 4.18-6.18 every switch raises TIF_NOTIFY_RESUME (and
      // records PREEMPT where that aborts): its first switch-in rewrites its IDs.
      if (registered && !first && !k.rework) k.switchOut(out, t, 'preempt', true);
      // An area an earlier user left a descriptor in (staleRseqCs).
      if (th.staleRseqCs > 0) {
        k.set(out, L.rseqCs[t]!, th.staleRseqCs);
        k.set(out, L.staleCs[t]!, 1);
      }
    });
    if (this.kernel.trackMmCid) initialMmCids(this.kernel, out);
    // A program may start at a fused jmp: the initial state is told at its target too.
    if (this.jumpThreading) for (let t = 0; t < this.T; t++) this.canonical.threadJumps(out, t);
    if (this.symmetric) this.sortThreads(out);
    emit();
  }

  successors(state: Int32Array, out: Int32Array, emitRaw: (label: number) => boolean | void): void {
    const k = this.kernel;
    const L = this.layout;
    // A dead process and a checked violation end a run; unchecked ghost violations do not.
    const v = k.get(state, L.violation);
    if (k.killed(state) || (v !== 0 && this.options.checked.has(v))) return;
    // The record cache answers only for a state without a pending violation (see CachedSteps.local),
    // and only when no sink listens to the kernel's decisions (a cached step reports none).
    const steps = this.steps;
    steps.read(state, v === 0 && k.sink === undefined);
    const F = steps.facts;
    const budgets = this.budgets;
    const left = budgets.left(state);
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
      if (status === Status.Running && k.work.kind(state, t) !== WorkKind.none) {
        // Inside kernel work an IPI may interrupt: the work finishes before anything else of t.
        copyWords(out, state);
        steps.local(out, t, Local.kernelWork);
        if (emit(makeLabel(LabelKind.kernelWork, t))) return;
      } else if (status === Status.Running) {
        copyWords(out, state);
        const outcome = steps.instruction(out, state, t);
        if (emit(makeLabel(LabelKind.instruction, t))) return;
        // Before a purely local instruction, an event is equivalent to the same event one
        // instruction later (see fusibleInstructions): only the instruction is explored here.
        if ((F.flags[t]! & FactFlag.fusible) !== 0) continue;
        // Before a quiet exit only a signal is explored: the other events only delay it (quietExitApplies).
        const eventsLeft = this.quietExit && (F.flags[t]! & FactFlag.exitsQuietly) !== 0 ? left & (1 << Budget.signal) : left;
        // A sched_yield with a competitor ready may switch or not (both outcomes, no budget spent).
        const yieldSwitch = outcome === StepOutcome.SyscallReturned && this.interp.yieldMaySwitch(state, t);
        if (yieldSwitch || (outcome === StepOutcome.SyscallReturned && (left & (1 << Budget.preempt)) !== 0)) {
          copyWords(out, state);
          if (!yieldSwitch) budgets.spend(out, Budget.preempt);
          this.instructions.stepPreemptedAtExit(out, t);
          if (emit(makeLabel(LabelKind.instructionPreemptedAtExit, t))) return;
        }
        if ((eventsLeft & (1 << Budget.preempt)) !== 0) {
          // A preemption is a context switch: the CPU goes straight to one of its ready
          // threads (possibly t again), so no idle intermediate state is stored.
          for (let u = 0; u < this.T; u++) {
            if (u !== t && (F.status[u] !== Status.Ready || !this.queuedOn(u, cpu))) continue;
            this.runningOn[cpu] = -1;
            const held = this.mmCidsHeldElsewhere(u);
            this.runningOn[cpu] = t;
            // The mm_cid u takes: the free one, then (racy handover) each one held elsewhere.
            for (let cid = lowestFree(held); cid >= 0; cid = this.nextRacyMmCid(held, cid)) {
              copyWords(out, state);
              budgets.spend(out, Budget.preempt);
              if (u === t) steps.local(out, t, Local.preemptSelf, cpu, cid);
              else {
                // t's and u's steps touch their own records only: they commute.
                steps.local(out, t, Local.preemptOut);
                steps.local(out, u, Local.schedule, cpu, cid);
              }
              if (emit(makeLabel(LabelKind.preempt, t, u))) return;
            }
          }
        }
        if ((eventsLeft & (1 << Budget.migrate)) !== 0) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            copyWords(out, state);
            budgets.spend(out, Budget.migrate);
            steps.local(out, t, Local.migrateRunning, c);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && (eventsLeft & (1 << Budget.signal)) !== 0 && F.sigPending[t] === 0) {
          copyWords(out, state);
          budgets.spend(out, Budget.signal);
          steps.local(out, t, Local.signalRunning);
          if (emit(makeLabel(LabelKind.signal, t))) return;
        }
        if ((eventsLeft & (1 << Budget.interrupt)) !== 0) {
          for (let tw = 0; tw < 2; tw++) {
            copyWords(out, state);
            budgets.spend(out, Budget.interrupt);
            steps.local(out, t, Local.interrupt, tw);
            if (emit(makeLabel(tw === 1 ? LabelKind.taskWork : LabelKind.interrupt, t))) return;
          }
        }
        if ((eventsLeft & (1 << Budget.trap)) !== 0) {
          copyWords(out, state);
          budgets.spend(out, Budget.trap);
          steps.local(out, t, Local.interrupt, 0); // a fault that does not sleep: entry and exit only
          if (emit(makeLabel(LabelKind.trap, t))) return;
          copyWords(out, state);
          budgets.spend(out, Budget.trap);
          steps.local(out, t, Local.trapSleep);
          if (emit(makeLabel(LabelKind.trapSleep, t))) return;
        }
      } else if (status === Status.Ready || status === Status.Blocked) {
        if (status === Status.Ready) {
          for (let c = 0; c < this.runningOn.length; c++) {
            if (this.runningOn[c] !== -1 || !this.queuedOn(t, c)) continue;
            const held = this.mmCidsHeldElsewhere(t);
            for (let cid = lowestFree(held); cid >= 0; cid = this.nextRacyMmCid(held, cid)) {
              copyWords(out, state);
              steps.local(out, t, Local.schedule, c, cid);
              if (emit(makeLabel(LabelKind.schedule, t, c))) return;
            }
          }
        }
        if (status === Status.Blocked) {
          copyWords(out, state);
          steps.local(out, t, Local.wake);
          if (emit(makeLabel(LabelKind.wake, t))) return;
          if (canSetIp(k, state, t)) {
            // The tracer sets the stopped thread's IP, then resumes it.
            copyWords(out, state);
            steps.local(out, t, Local.ptraceSetIp);
            if (emit(makeLabel(LabelKind.wake, t, 1))) return;
          }
        }
        // A floating thread's migrations change nothing (CanonicalForm): none is explored.
        if ((left & (1 << Budget.migrate)) !== 0 && F.anyCpu[t] === 0) {
          for (const c of th.allowed) {
            if (c === cpu) continue;
            copyWords(out, state);
            budgets.spend(out, Budget.migrate);
            steps.local(out, t, Local.migrateReady, c);
            if (emit(makeLabel(LabelKind.migrate, t, c))) return;
          }
        }
        if (th.handler >= 0 && (left & (1 << Budget.signal)) !== 0 && F.sigPending[t] === 0) {
          copyWords(out, state);
          budgets.spend(out, Budget.signal);
          const wakes = (F.flags[t]! & FactFlag.wakesOnSignal) !== 0;
          steps.local(out, t, Local.signalSwitchedOut);
          if (emit(makeLabel(wakes ? LabelKind.wakeBySignal : LabelKind.signalPending, t))) return;
        }
      }
    }
  }

  /** Records coverage and the LTL ghosts of the successor in `emitOut`, puts it in symmetric order, emits it. */
  private readonly emitOne = (label: number): boolean | void => {
    const out = this.emitOut;
    this.coverage.count(this.covIp, labelKind(label), this.kernel.get(out, this.layout.violation) !== 0);
    if (this.lastStep !== undefined) recordLastTransition(this.kernel, out, label, this.lastStep, this.ghostsRead);
    if (this.symmetric) this.sortThreads(out);
    return this.emitRaw(label);
  };

  /** Whether ready thread u of the state being expanded waits for `cpu`: queued there, or floating and allowed on it. */
  private queuedOn(u: number, cpu: number): boolean {
    const F = this.steps.facts;
    if (F.anyCpu[u] === 0) return F.cpu[u] === cpu;
    return this.ir.threads[u]!.allowed.includes(cpu);
  }

  /** The mm_cids held by the threads running on the other CPUs than t's next one, as a bit set, in the state being expanded. */
  private mmCidsHeldElsewhere(t: number): number {
    const F = this.steps.facts;
    let used = 0;
    for (let c = 0; c < this.runningOn.length; c++) {
      const u = this.runningOn[c]!;
      if (u >= 0 && u !== t) used |= 1 << F.mmCid[u]!;
    }
    return used;
  }

  /**
   * After switch-in with mm_cid `cid`, the next one to try, or -1. The contract (strict) gives
   * only the free one; mmCidUniqueness=racy-without-barrier also hands out, after it, each mm_cid
   * in `held` (a switch-in that missed another CPU's claim), in increasing order.
   */
  private nextRacyMmCid(held: number, cid: number): number {
    if (!this.racyMmCid) return -1;
    const from = (held & (1 << cid)) !== 0 ? cid + 1 : 0;
    for (let c = from; held >>> c !== 0; c++) if ((held & (1 << c)) !== 0) return c;
    return -1;
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

  /** Shortest counterexamples are picked with the fewest kernel events (see labels.ts). */
  tieCost(label: number): number {
    return kernelEvents(label);
  }

  codeName(code: number): string {
    if (code === FLAG_KILLED_AS_PROMISED) return 'killed-as-promised';
    if (code < FIRST_USER_CODE) return builtinPropertyNames[code] ?? `code-${code}`;
    const i = code - FIRST_USER_CODE;
    const inv = this.options.invariants;
    return i < inv.length ? inv[i]!.name : (this.options.finals[i - inv.length]?.name ?? `code-${code}`);
  }
}

/** The smallest mm_cid not in `held` (the mm_cid contract: none a thread running elsewhere holds). */
function lowestFree(held: number): number {
  let cid = 0;
  while (held & (1 << cid)) cid++;
  return cid;
}
