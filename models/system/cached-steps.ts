import { wordsEqual } from '../../checker/state-store.js';
import type { ModelIR } from '../ir/types.js';
import { StepOutcome } from '../kernel/interpreter.js';
import { Status, type RseqLayout } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import type { CanonicalForm } from './canonical.js';
import type { PlacementCoverage } from './coverage.js';
import type { InstructionSteps } from './instruction-steps.js';
import { FactFlag, RecordCache, ThreadFacts, UNCACHEABLE } from './record-cache.js';
import { LOCAL_OPS, type ThreadEvents } from './thread-events.js';

/**
 * Index of a thread-local step within its record's row of the cache: step `op` (below
 * LOCAL_OPS) with its argument (a CPU, or 0/1: below argSpan) and second argument (a CID, at
 * most T), in the canonical form's `context`. Distinct steps get distinct indices below
 * localStepKinds, so a row never hands one step another's result.
 */
export function localStepKind(op: number, arg: number, arg2: number, context: number, argSpan: number, T: number): number {
  return op + LOCAL_OPS * (arg + argSpan * (arg2 + (T + 1) * context));
}

/** Width of a record's row: every localStepKind with `contexts` contexts. */
export function localStepKinds(argSpan: number, T: number, contexts: number): number {
  return LOCAL_OPS * argSpan * (T + 1) * contexts;
}

/** Where record `rid`'s step of index `kind` (below `kinds`, the row's width) is cached. */
export function localStepKey(rid: number, kind: number, kinds: number): number {
  return rid * kinds + kind;
}

/**
 * The successor function's use of the record cache: reads the threads of the state being
 * expanded into facts, and runs their event steps and instruction steps, through the cache
 * when it is on (a step is then computed once per distinct thread record).
 */
export class CachedSteps {
  /**
   * Interned thread records, their decoded facts, and the results of thread-local event steps
   * and local instruction steps: undefined when off (see the constructor).
   */
  readonly cache: RecordCache | undefined;
  /** Per thread of the state being expanded: what the successor function reads of its record. */
  readonly facts: ThreadFacts;
  /** Per thread of the state being expanded: its record id in the cache. */
  private readonly rid: Int32Array;
  /** The cache while the state being expanded was read through it (see read). */
  private liveCache: RecordCache | undefined;
  private readonly L: RseqLayout;
  private readonly T: number;
  /** Range of a local step's first argument (a CPU, or 0/1), for the cache's step index. */
  private readonly argSpan: number;
  /** Words before the first thread record (process-wide fields: violation, kill, budgets, memory). */
  private readonly globalWords: number;
  private readonly globalsTmp: Int32Array;

  /**
   * @param enabled whether to cache: not with shared areas (a step may then write another
   *   thread's area) nor with LTL ghosts (a step also reports what it did)
   * @param canonical the canonical form event steps end with: a local step's result depends on
   *   its record and the form's process-wide `context`, so the cache keys by both
   * @param runningOn per CPU, the thread running there: filled by `read`
   */
  constructor(
    private readonly ir: ModelIR,
    private readonly kernel: KernelSemantics,
    private readonly events: ThreadEvents,
    private readonly instructions: InstructionSteps,
    private readonly coverage: PlacementCoverage,
    private readonly canonical: CanonicalForm,
    private readonly runningOn: Int32Array,
    enabled: boolean,
  ) {
    const L = kernel.L;
    this.L = L;
    this.T = ir.threads.length;
    this.globalWords = L.threadWordStart[0]!;
    this.globalsTmp = new Int32Array(this.globalWords);
    this.argSpan = Math.max(2, ir.cpus.length);
    this.cache = enabled ? new RecordCache(L.threadWords, this.globalWords, localStepKinds(this.argSpan, this.T, canonical.contexts)) : undefined;
    this.facts = new ThreadFacts(this.T);
    this.rid = new Int32Array(this.T);
  }

  /**
   * Decodes what the successor function reads of each thread of `state` into `facts` and
   * fills `runningOn`. Through the cache, each record is interned and its facts are read from
   * the cache (decoded once per distinct record); the steps of `local` and `instruction` then
   * come from the cache too, until the next `read`.
   */
  read(state: Int32Array, throughCache: boolean): void {
    const F = this.facts;
    const cache = throughCache ? this.cache : undefined;
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

  /**
   * Runs the thread-local event step `op` of thread t on `s` (see ThreadEvents.apply), from
   * the cache when the state being expanded was read through it: `s` then still holds t's
   * record as read (each successor applies one step per thread). A step is cached only if it
   * left every word outside t's record alone (no kill, no violation), and read from the cache
   * only in a state without a pending violation, so a hit writes exactly what the step would.
   */
  local(s: Int32Array, t: number, op: number, arg = 0, arg2 = 0): void {
    const cache = this.liveCache;
    if (cache === undefined || this.kernel.get(s, this.L.violation) !== 0) return this.events.apply(s, t, op, arg, arg2);
    const start = this.L.threadWordStart[t]!;
    const key = localStepKey(this.rid[t]!, localStepKind(op, arg, arg2, this.canonical.context(s), this.argSpan, this.T), cache.localKinds);
    const next = cache.localNext[key]!;
    if (next >= 0) {
      cache.hits++;
      cache.records.copyOut(next, s, start);
      return;
    }
    if (next === UNCACHEABLE) return this.events.apply(s, t, op, arg, arg2);
    cache.misses++;
    const g = this.globalWords;
    const saved = this.globalsTmp;
    for (let i = 0; i < g; i++) saved[i] = s[i]!;
    this.events.apply(s, t, op, arg, arg2);
    const result = wordsEqual(saved, 0, s, 0, g) ? this.internRecord(cache, s, t) : UNCACHEABLE;
    cache.localNext[key] = result; // after internRecord, which may have replaced the array
  }

  /**
   * Runs running thread t's instruction step on `out` (a copy of `state`, see
   * InstructionSteps.step). A step whose instruction is not a syscall reads and writes only t's
   * record and the process-wide words (memory, violation, kill): it is cached by (record,
   * process-wide words), and a step found to touch anything else never is.
   */
  instruction(out: Int32Array, state: Int32Array, t: number): number {
    const cache = this.liveCache;
    if (cache === undefined || (this.facts.flags[t]! & FactFlag.localInstruction) === 0) return this.instructions.step(out, t);
    const G = this.globalWords;
    const start = this.L.threadWordStart[t]!;
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
    const outcome = this.instructions.step(out, t);
    if (next === UNCACHEABLE) return outcome;
    cache.misses++;
    const W = this.L.threadWords;
    const end = this.L.bits.words;
    const first = this.L.threadWordStart[0]!;
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

  /** Id of thread t's record in `s`, interned (and described) if new. */
  private internRecord(cache: RecordCache, s: Int32Array, t: number): number {
    const before = cache.records.size;
    const rid = cache.records.intern(t, s, this.L.threadWordStart[t]!);
    if (cache.records.size > before) {
      cache.addRecord(rid);
      this.describe(s, t, cache.facts, rid);
    }
    return rid;
  }

  /** Writes what the successor function reads of thread t's record in `s` into entry `at` of `into`. */
  private describe(s: Int32Array, t: number, into: ThreadFacts, at: number): void {
    const k = this.kernel;
    const L = this.L;
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
      const prog = k.programOf(s, t, lvl);
      const ip = k.get(s, L.ip[L.frame(t, lvl)]!);
      covIp = this.coverage.slot(prog, ip);
      if (this.instructions.atFusible(s, t)) flags |= FactFlag.fusible;
      const op = this.ir.programs[prog]!.code[ip]?.op;
      // Only syscalls (sched_yield, membarrier, fork, ...) read or write other threads; raise
      // and sigreturn are left out too, being rare, so the list of what is cached stays short.
      if (st === Status.Running && op !== undefined && op !== 'syscall' && op !== 'raise' && op !== 'sigreturn') flags |= FactFlag.localInstruction;
      if (st === Status.Running && op === 'done' && lvl === 0 && k.get(s, L.rseqCs[t]!) === 0 && k.get(s, L.roDirty[t]!) === 0) flags |= FactFlag.exitsQuietly;
      if (st === Status.Blocked && this.events.interruptibleSleep(s, t) !== undefined) flags |= FactFlag.wakesOnSignal;
    }
    into.covIp[at] = covIp;
    into.flags[at] = flags;
  }
}
