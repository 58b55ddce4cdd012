/**
 * Helpers for the hand-worked kernel-semantics tests (test/models/semantics.test.ts): tiny
 * models built from librseq's `addv`, a system built with `buildSystem` under a preset plus knob
 * overrides, successor selection by label, and readable accessors for the packed state.
 */
import { I, ModelBuilder, seq, type Fragment } from '../../models/ir/builder.js';
import { buildSystem, type CheckOptions } from '../../run/check.js';
import type { InstructionInput, ModelInput, ThreadInput } from '../../models/ir/schema.js';
import type { ModelIR } from '../../models/ir/types.js';
import { validateModel } from '../../models/ir/validate.js';
import { decodeValue } from '../../models/kernel/encoding.js';
import type { KnobValues, Policy } from '../../models/kernel/policy.js';
import { resolvePreset } from '../../models/kernel/presets.js';
import { addv } from '../../models/library/librseq/primitives.js';
import { LabelKind, decodeLabel } from '../../models/system/labels.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';

export { LabelKind };

/** A preset with knob overrides: `{...resolvePreset(x)!, knob: value}`. */
export function policy(preset: string, knobs: Partial<KnobValues> = {}): Policy {
  const base = resolvePreset(preset);
  if (!base) throw new Error(`unknown preset ${preset}`);
  return { ...base, ...knobs };
}

/**
 * rseq_addv(v, 1) as librseq writes it (models/library/librseq/primitives.ts), optionally with
 * extra instructions spliced in. Without extras, program indices are:
 *
 *   0 P_retry  r0 = cpu_id_start
 *   1          rseq_cs = &P_cs
 *   2 P_start  r3 = cpu_id            <- start_ip
 *   3          if r3 != r0 goto P_abort
 *   4          r1 = v[r0]
 *   5          r1 += 1
 *   6          v[r0] = r1             <- commit (last instruction of the range)
 *   7 P_post   goto next              <- post_commit_ip (outside the range)
 *   8 P_abort  goto P_retry           <- abort_ip
 *
 * `inCs` is inserted right after the cpu compare (index 4, inside the range); `atEnd` right after
 * the commit store, so its last instruction becomes the last instruction of the range.
 */
export function addvWith(opts: { inCs?: readonly InstructionInput[]; atEnd?: readonly InstructionInput[]; next?: string; descriptor?: Record<string, unknown> } = {}): Fragment {
  const f = addv('P', 'v', 1, { next: opts.next ?? 'out' });
  const c = [...f.code];
  const code = [...c.slice(0, 4), ...(opts.inCs ?? []), ...c.slice(4, 7), ...(opts.atEnd ?? []), ...c.slice(7)];
  const descriptors = { P_cs: { ...f.descriptors.P_cs!, ...(opts.descriptor ?? {}) } } as Fragment['descriptors'];
  return { code, descriptors };
}

export interface ModelOpts {
  readonly cpus?: number;
  readonly threads: readonly ThreadInput[];
  /** The main program (default: addv then `out: done`). */
  readonly main?: Fragment | readonly InstructionInput[];
  readonly programs?: Readonly<Record<string, Fragment | readonly InstructionInput[]>>;
  readonly signature?: number;
  /**
   * Adds an unused program with a NO_RESTART-flagged descriptor. RseqSystem only collapses the
   * event mask to one bit and pre-applies the notify-resume handler's effects to switched-out
   * threads (canonicalize, `collapseEvents`) when no descriptor or thread has flags; the guard
   * turns that state-space reduction off so that the exact PREEMPT/SIGNAL/MIGRATE bits, the IDs
   * and rseq_cs can be read in intermediate states. It changes no thread's behaviour.
   * @defaultValue true
   */
  readonly guard?: boolean;
}

/** A one-instruction signal handler: `nop; rt_sigreturn`. */
export const handlerProgram: readonly InstructionInput[] = [I.nop(), I.sigreturn()];

export function model(o: ModelOpts): ModelInput {
  const b = new ModelBuilder('semantics').cpus(o.cpus ?? 2).memory('v', { size: 'percpu', max: 7 });
  b.program('main', o.main ?? seq(addvWith(), I.done({ label: 'out' })));
  for (const [n, p] of Object.entries(o.programs ?? {})) b.program(n, p);
  if (o.guard ?? true) {
    b.program('guard', {
      code: [I.nop({ label: 'g_start' }), I.nop({ label: 'g_post' }), I.done({ label: 'g_abort' })],
      descriptors: { guard_cs: { start: 'g_start', postCommit: 'g_post', abort: 'g_abort', flags: ['NO_RESTART_ON_PREEMPT'] } },
    });
  }
  for (const t of o.threads) b.thread(t);
  b.budgets({ preemptions: 'unbounded', migrations: 'unbounded', signals: 'unbounded', interrupts: 'unbounded', traps: 'unbounded' });
  const m = b.build();
  return o.signature === undefined ? m : { ...m, signature: o.signature };
}

export function compile(m: ModelInput): ModelIR {
  const v = validateModel(m);
  if (!v.ok) throw new Error(`invalid model: ${JSON.stringify(v.errors, null, 2)}`);
  return v.ir;
}

/**
 * buildSystem under `preset` + knob overrides; default properties (G1, G2, G3, ...). Thread
 * symmetry reduction is turned off: it renames identical threads (sorts their records), and these
 * tests follow one named thread through the hooks. So are the partial-order reductions: they
 * skip events before purely local instructions, and these tests place events everywhere.
 */
export function system(m: ModelInput, preset: string, knobs: Partial<KnobValues> = {}, options: CheckOptions = {}): RseqSystem {
  return buildSystem(compile(m), policy(preset, knobs), { symmetry: false, reduce: false, ...options });
}

export function initial(sys: RseqSystem): Int32Array {
  const out = new Int32Array(sys.stateWords);
  let s: Int32Array | undefined;
  sys.initialStates(out, () => {
    s = out.slice();
  });
  return s!;
}

export interface Succ {
  readonly label: { kind: number; thread: number; arg: number };
  readonly state: Int32Array;
}

export function successors(sys: RseqSystem, s: Int32Array): Succ[] {
  const out = new Int32Array(sys.stateWords);
  const res: Succ[] = [];
  sys.successors(s, out, (label) => {
    res.push({ label: decodeLabel(label), state: out.slice() });
  });
  return res;
}

const kindName = (k: number): string => Object.entries(LabelKind).find(([, v]) => v === k)?.[0] ?? `kind${k}`;
const fmt = (l: Succ['label']): string => `${kindName(l.kind)}(T${l.thread}${l.arg ? `,${l.arg}` : ''})`;

export type LabelPattern = { kind: number; thread: number; arg?: number };

/** The unique successor of `s` whose decoded label matches (kind, thread and, if given, arg). */
export function stepTo(sys: RseqSystem, s: Int32Array, want: LabelPattern | ((l: Succ['label']) => boolean)): Int32Array {
  const pred = typeof want === 'function' ? want : (l: Succ['label']) => l.kind === want.kind && l.thread === want.thread && (want.arg === undefined || l.arg === want.arg);
  const all = successors(sys, s);
  const hits = all.filter((x) => pred(x.label));
  if (hits.length !== 1) throw new Error(`expected exactly one successor matching ${typeof want === 'function' ? 'predicate' : fmt({ arg: 0, ...want })}, got ${hits.length}; available: ${all.map((x) => fmt(x.label)).join(' ') || '(none)'}`);
  return hits[0]!.state;
}

/** Executes one user instruction of thread t (label `instruction`). */
export function exec(sys: RseqSystem, s: Int32Array, t: number): Int32Array {
  return stepTo(sys, s, { kind: LabelKind.instruction, thread: t });
}

/** Executes instructions of thread t until its top frame is at `ip` (no step if it already is). */
export function runTo(sys: RseqSystem, s: Int32Array, t: number, ip: number, maxSteps = 40): Int32Array {
  let cur = s;
  for (let i = 0; i < maxSteps; i++) {
    const v = view(sys, cur);
    if (v.ip(t, v.level(t)) === ip) return cur;
    cur = exec(sys, cur, t);
  }
  throw new Error(`thread ${t} did not reach ip ${ip} in ${maxSteps} steps`);
}

/** Index of a label in a program (default: main). */
export function at(sys: RseqSystem, label: string, program = 'main'): number {
  const p = sys.ir.programs.find((x) => x.name === program);
  const i = p?.labels.indexOf(label) ?? -1;
  if (i < 0) throw new Error(`no label ${label} in ${program}`);
  return i;
}

/** Readable accessors over the packed state (biases removed: cpu_id fields are stored +2). */
export function view(sys: RseqSystem, s: Int32Array) {
  const k = sys.kernel;
  const L = sys.layout;
  const g = (f: number): number => k.get(s, f);
  return {
    status: (t: number) => g(L.status[t]!),
    cpu: (t: number) => g(L.cpu[t]!),
    entry: (t: number) => g(L.entry[t]!),
    level: (t: number) => g(L.level[t]!),
    ip: (t: number, l = 0) => g(L.ip[L.frame(t, l)]!),
    sigPending: (t: number) => g(L.sigPending[t]!),
    restart: (t: number) => g(L.restart[t]!),
    /** K.rseq as an area index, or -1 (unregistered). */
    area: (t: number) => k.area(s, t),
    evMask: (t: number) => g(L.evMask[t]!),
    tifNotify: (t: number) => g(L.tifNotify[t]!),
    schedSwitch: (t: number) => g(L.schedSwitch[t]!),
    idsChanged: (t: number) => g(L.idsChanged[t]!),
    userIrq: (t: number) => g(L.userIrq[t]!),
    tifRseq: (t: number) => g(L.tifRseq[t]!),
    sysExitCheck: (t: number) => g(L.sysExitCheck[t]!),
    /** U.rseq_cs of area a: descriptor index + 1, or 0. */
    rseqCs: (a: number) => g(L.rseqCs[a]!),
    cpuIdStart: (a: number) => decodeValue(g(L.cpuIdStart[a]!)),
    cpuId: (a: number) => decodeValue(g(L.cpuId[a]!)),
    roDirty: (a: number) => g(L.roDirty[a]!),
    mem: (name: string, i = 0) => g(L.mem[sys.ir.memory.vars.find((x) => x.name === name)!.base + i]!),
    killed: () => g(L.killed),
    killReason: () => g(L.killReason),
    killThread: () => g(L.killThread),
    violation: () => g(L.violation),
  };
}

/** rseq_cs value of descriptor `name` (index + 1), as stored in U.rseq_cs. */
export function csPtr(sys: RseqSystem, name = 'P_cs'): number {
  const d = sys.ir.descriptors.findIndex((x) => x.name === name);
  if (d < 0) throw new Error(`no descriptor ${name}`);
  return d + 1;
}
