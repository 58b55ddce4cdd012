/**
 * The values a counterexample shows step by step: registers, memory cells, each thread's
 * struct rseq (cpu_id_start, cpu_id, rseq_cs, mm_cid where modelled) and the event bits the
 * kernel holds pending for it.
 *
 * The replayed states are canonical (models/system/canonical.ts): dead registers, IDs the kernel
 * will rewrite, rseq_cs it will clear and event bits nothing reads are erased there, so their
 * differences are not changes anyone made. The values are therefore kept as user space (and the
 * kernel) last wrote them, and a step changes one only by a write it really made: an
 * instruction's effects are read from the state the instruction step reaches before
 * canonicalisation, the kernel's from the decisions it reported (an ID write user space can see,
 * a clear of rseq_cs, an event recorded or cleared).
 */
import type { KernelDecision } from '../models/kernel/decisions.js';
import { decodeValue, RSEQ_CPU_ID_UNINITIALIZED } from '../models/kernel/encoding.js';
import { EV_MIGRATE, EV_PREEMPT, EV_SIGNAL } from '../models/kernel/layout.js';
import type { RseqSystem } from '../models/system/rseq-system.js';
import type { TraceValue, ValueChange } from './explained-trace.js';

/** What one step did, as explain.ts knows it. */
export interface StepEffects {
  /** The state before the step (canonical). */
  readonly before: Int32Array;
  /** The state after the step (canonical). */
  readonly after: Int32Array;
  /** For an instruction step: the state it reaches before canonicalisation. */
  readonly raw?: Int32Array;
  /** The acting thread, and for an instruction step the registers its instructions write (a mask). */
  readonly thread: number;
  readonly written: number;
  /** The kernel's decisions during the step. */
  readonly decisions: readonly KernelDecision[];
  /** Threads whose IDs the step wrote where user space sees them (explain.ts words these writes). */
  readonly idsSeen: ReadonlySet<number>;
}

const EVENT_BITS: readonly [number, string][] = [
  [EV_PREEMPT, 'preempt'],
  [EV_SIGNAL, 'signal'],
  [EV_MIGRATE, 'migrate'],
];

/** Event bits in words: `none`, or the bits' names joined by `+`. */
function eventsText(bits: number): string {
  const names = EVENT_BITS.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
  return names.length === 0 ? 'none' : names.join('+');
}

/** The values of one trace as user space and the kernel last wrote them, advanced step by step. */
export class TraceValues {
  private readonly regs: number[][];
  private readonly mem: number[];
  private readonly cpuIdStart: number[];
  private readonly cpuId: number[];
  private readonly rseqCs: number[];
  private readonly mmCid: number[];
  private readonly events: number[];
  private readonly names: readonly string[];

  constructor(
    private readonly sys: RseqSystem,
    initial: Int32Array,
  ) {
    const k = sys.kernel;
    const L = sys.layout;
    const ir = sys.ir;
    this.names = ir.threads.map((t) => t.name);
    this.regs = Array.from({ length: L.threads * L.levels }, (_, f) => Array.from({ length: L.registers }, (_, r) => decodeValue(k.get(initial, L.regs[f * L.registers + r]!))));
    this.mem = Array.from({ length: ir.memory.cells }, (_, c) => k.get(initial, L.mem[c]!));
    // As explain.ts's IDs: a registered thread's were written at registration.
    const registered = ir.threads.map((th) => th.registered && !th.dormant);
    this.cpuIdStart = ir.threads.map((th, t) => (registered[t] ? th.cpu : 0));
    this.cpuId = ir.threads.map((th, t) => (registered[t] ? th.cpu : RSEQ_CPU_ID_UNINITIALIZED));
    this.rseqCs = ir.threads.map((_, t) => k.get(initial, L.rseqCs[t]!));
    this.mmCid = ir.threads.map((_, t) => k.get(initial, L.areaMmCid[t]!));
    this.events = ir.threads.map((_, t) => k.get(initial, L.evMask[t]!));
  }

  /** Every value of the initial state: memory, then each thread's registers, struct rseq and event bits. */
  initialValues(): ValueChange[] {
    const L = this.sys.layout;
    const out: ValueChange[] = this.mem.map((v, c) => ({ name: this.cellName(c), scope: 'memory', after: v }));
    this.names.forEach((n, t) => {
      for (let r = 0; r < L.registers; r++) out.push({ name: this.registerName(L.frame(t, 0), r), scope: 'register', after: this.regs[L.frame(t, 0)]![r]! });
      for (const [field, value] of this.rseqFields(t)) out.push({ name: `${n}.${field}`, scope: 'rseq', after: value });
      out.push({ name: `${n}.events`, scope: 'kernel', after: eventsText(this.events[t]!) });
    });
    return out;
  }

  /** Applies one step's effects; returns the values it changed: registers, memory, struct rseq, event bits. */
  step(e: StepEffects): ValueChange[] {
    const k = this.sys.kernel;
    const L = this.sys.layout;
    const out: ValueChange[] = [];
    const change = (name: string, scope: ValueChange['scope'], before: TraceValue, after: TraceValue): void => {
      if (before !== after) out.push({ name, scope, before, after });
    };

    // Registers: what the instructions wrote (a register dead before the step may have been
    // erased in `before` even though user space still holds its value) and anything else the
    // step changed (a fork's child). A handler's fresh frame starts from zero, unreported.
    if (e.raw !== undefined) {
      const f0 = L.frame(e.thread, k.level(e.before, e.thread));
      for (let f = 0; f < this.regs.length; f++) {
        for (let r = 0; r < L.registers; r++) {
          const w = L.regs[f * L.registers + r]!;
          const wrote = f === f0 && (e.written & (1 << r)) !== 0;
          if (!wrote && k.get(e.raw, w) === k.get(e.before, w)) continue;
          const v = decodeValue(k.get(e.raw, w));
          change(this.registerName(f, r), 'register', this.regs[f]![r]!, v);
          this.regs[f]![r] = v;
        }
      }
    }
    for (const d of e.decisions) if (d.kind === 'signal-delivered') this.regs[L.frame(d.thread, d.level)]!.fill(0);

    // Memory is never canonicalised.
    const state = e.raw ?? e.after;
    for (let c = 0; c < this.mem.length; c++) {
      const v = k.get(state, L.mem[c]!);
      change(this.cellName(c), 'memory', this.mem[c]!, v);
      this.mem[c] = v;
    }

    // struct rseq: IDs (and mm_cid) where the kernel's write is visible, rseq_cs where an
    // instruction wrote it or the kernel cleared it.
    this.names.forEach((n, u) => {
      const rseqBefore = this.rseqFields(u);
      if (e.idsSeen.has(u)) {
        this.cpuIdStart[u] = decodeValue(k.get(state, L.cpuIdStart[u]!));
        this.cpuId[u] = decodeValue(k.get(state, L.cpuId[u]!));
        this.mmCid[u] = k.get(state, L.areaMmCid[u]!);
      }
      if (e.raw !== undefined && k.get(e.raw, L.rseqCs[u]!) !== k.get(e.before, L.rseqCs[u]!)) this.rseqCs[u] = k.get(e.raw, L.rseqCs[u]!);
      else if (e.raw === undefined && e.decisions.some((d) => (d.kind === 'abort' || d.kind === 'lazy-clear') && d.area === u)) this.rseqCs[u] = 0;
      const rseqAfter = this.rseqFields(u);
      rseqBefore.forEach(([field, v], i) => change(`${n}.${field}`, 'rseq', v, rseqAfter[i]![1]));
    });

    // The kernel's pending event bits, as its decisions recorded and cleared them.
    this.names.forEach((n, u) => {
      let bits = this.events[u]!;
      for (const d of e.decisions) {
        if (d.kind === 'event-recorded' && d.thread === u) bits |= d.bits;
        else if (d.kind === 'event-mask-cleared' && d.thread === u) bits = 0;
      }
      change(`${n}.events`, 'kernel', eventsText(this.events[u]!), eventsText(bits));
      this.events[u] = bits;
    });
    return out;
  }

  /** Thread u's struct rseq fields as shown: mm_cid only where the policy models it. */
  private rseqFields(u: number): [string, TraceValue][] {
    const cs = this.rseqCs[u]!;
    const fields: [string, TraceValue][] = [
      ['cpu_id_start', this.cpuIdStart[u]!],
      ['cpu_id', this.cpuId[u]!],
      ['rseq_cs', cs === 0 ? null : this.sys.kernel.desc(cs).name],
    ];
    if (this.sys.kernel.trackMmCid) fields.push(['mm_cid', this.mmCid[u]!]);
    return fields;
  }

  private registerName(f: number, r: number): string {
    const L = this.sys.layout;
    const t = Math.floor(f / L.levels);
    const l = f % L.levels;
    return `${this.names[t]}${l === 0 ? '' : `@sig${l}`}.r${r}`;
  }

  private cellName(c: number): string {
    const v = this.sys.ir.memory.vars.find((x) => c >= x.base && c < x.base + x.size)!;
    return v.size === 1 && !v.percpu && !v.perthread ? v.name : `${v.name}[${c - v.base}]`;
  }
}
