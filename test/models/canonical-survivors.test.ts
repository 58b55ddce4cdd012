/**
 * CanonicalForm (models/system/canonical.ts) on hand-built states of one tiny model, with the
 * settings given by hand: each test sets a thread's fields, canonicalizes its record and
 * checks the fields one by one. Fast (no exploration), so a Stryker run over the whole file
 * takes minutes; canonical-mutants.test.ts pins the state counts of whole models instead.
 *
 * The model (registers r0, r1; program indices):
 *
 *   main:    0 c_abort  mov r0, 0      <- abort_ip of c_cs (IP 0: `abortIp >= 0` vs `> 0`)
 *            1 c_retry  rseq_cs = &c_cs
 *            2 c_start  add r0, 1
 *            3          store x, r0    <- commit
 *            4 c_post   store x, r1
 *            5          jmp out
 *            6 out      done
 *   handler: the same shape with h_cs (h_abort 0, h_start 2, h_post 4), 4 sigreturn
 *   idle:    0 done
 *
 * Live registers (bit 0 = r0, bit 1 = r1): r1 is read at 4 and never written, and r0 is written
 * at the abort_ip before any read, so at abort_ip only r1 lives and at start_ip both do; what
 * abort_ip reads is live everywhere (an abort may strike anywhere): main [2, 3, 3, 3, 2, 2, 2],
 * handler [0, 1, 1, 1, 0]; one past the end (a killed thread's IP) nothing. T0 runs main
 * (signal handler: handler) on C0 and may run on C0 and C1; T1 runs idle on C1. Descriptor 1 is
 * c_cs, 2 is h_cs. Some tests hand-build states no run reaches (a dormant thread's register set,
 * a live thread's inactive frame at IP 3): they pin what the form does, not what a run meets.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import type { ModelIR } from '../../models/ir/types.js';
import { decodeValue, encodeCachedCpu, encodeValue } from '../../models/kernel/encoding.js';
import { DecisionLog } from '../../models/kernel/decisions.js';
import { Entry, Status } from '../../models/kernel/layout.js';
import { liveRegisters } from '../../models/kernel/liveness.js';
import type { KnobValues } from '../../models/kernel/policy.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { Budget } from '../../models/system/budgets.js';
import { buildSystem } from '../../models/system/build.js';
import { CanonicalForm, type CanonicalFormSettings } from '../../models/system/canonical.js';
import { deadStaleDescriptors, descriptorRangeMasks } from '../../models/system/reductions.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { compile } from './semantics-helpers.js';

interface ModelOptions {
  /** T0's SIGSEGV handler: its signal handler's program. */
  readonly segv?: boolean;
  /** T0 dormant (a fork child, unregistered). */
  readonly dormant?: boolean;
  /** T0 has no signal handler. */
  readonly noHandler?: boolean;
  readonly signals?: number | 'unbounded';
  /** Extra instructions at the start of idle (e.g. an mm_cid read). */
  readonly idle?: InstructionInput[];
  /** c_cs's version (other than 0 fails the kernel's full validation). */
  readonly csVersion?: number;
  /** Adds program `inside` (descriptor i_cs, 3, whose range starts at its entry) as T0's signal or SIGSEGV handler. */
  readonly inside?: 'handler' | 'segv';
  /** `inside` is program 0 (a handler's index 0 is not "none"). */
  readonly insideFirst?: boolean;
  /** c_cs's NO_RESTART flags. */
  readonly csFlags?: ('NO_RESTART_ON_PREEMPT' | 'NO_RESTART_ON_SIGNAL' | 'NO_RESTART_ON_MIGRATE')[];
}

/** Program `inside`: its entry is i_cs's start_ip. */
function inside(b: ModelBuilder): void {
  b.program('inside', {
    code: [I.store({ var: 'x' }, 'r0', { label: 'i_start' }), I.sigreturn({ label: 'i_post' }), I.sigreturn({ label: 'i_abort' })],
    descriptors: { i_cs: { start: 'i_start', postCommit: 'i_post', abort: 'i_abort' } },
  });
}

function tinyModel(o: ModelOptions = {}): ModelIR {
  const b = new ModelBuilder('canonical-survivors').cpus(2).registers(2).memory('x', { max: 3 });
  if (o.inside && o.insideFirst) inside(b);
  b.program('main', {
    code: [
      I.mov('r0', 0, { label: 'c_abort' }),
      I.arm('c_cs', { label: 'c_retry' }),
      I.add('r0', 1, { label: 'c_start' }),
      I.store({ var: 'x' }, 'r0'),
      I.store({ var: 'x' }, 'r1', { label: 'c_post' }),
      I.jmp('out'),
      I.done({ label: 'out' }),
    ],
    descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort', ...(o.csVersion === undefined ? {} : { version: o.csVersion }), ...(o.csFlags ? { flags: o.csFlags } : {}) } },
  });
  b.program('handler', {
    code: [
      I.mov('r0', 0, { label: 'h_abort' }),
      I.arm('h_cs', { label: 'h_retry' }),
      I.add('r0', 1, { label: 'h_start' }),
      I.store({ var: 'x' }, 'r0'),
      I.sigreturn({ label: 'h_post' }),
    ],
    descriptors: { h_cs: { start: 'h_start', postCommit: 'h_post', abort: 'h_abort' } },
  });
  b.program('idle', [...(o.idle ?? []), I.done()]);
  if (o.inside && !o.insideFirst) inside(b);
  b.thread({
    program: 'main',
    cpu: 'C0',
    allowed: ['C0', 'C1'],
    ...(o.noHandler ? {} : { handler: o.inside === 'handler' ? 'inside' : 'handler' }),
    ...(o.segv ? { sigsegvHandler: true } : o.inside === 'segv' ? { sigsegvHandler: 'inside' } : {}),
    ...(o.dormant ? { dormant: true, registered: false } : {}),
  });
  b.thread({ program: 'idle', cpu: 'C1' });
  return compile(b.budgets({ preemptions: 1, migrations: 'unbounded', signals: o.signals ?? 1 }).build());
}

interface Fixture {
  readonly sys: RseqSystem;
  readonly canon: CanonicalForm;
  readonly s: Int32Array;
  /** Reads field `f` (a layout index) of `s`. */
  readonly get: (f: number) => number;
  readonly set: (f: number, v: number) => void;
  /** Register r of T0's frame at level l, decoded. */
  readonly reg: (l: number, r: number) => number;
  readonly setReg: (l: number, r: number, v: number) => void;
  /** Puts T0's frame at level l at `ip` with registers r0, r1, ... set to `regs` (undefined: left alone). */
  readonly frameAt: (l: number, ip: number, regs: readonly (number | undefined)[]) => void;
  readonly ip: (l: number, t?: number) => number;
}

/**
 * The system's kernel and layout for `ir` under `preset`, its initial state, and a
 * CanonicalForm with every reduction off except those `settings` turns on (every property
 * checked, so the kernel keeps every ghost). Memoizing is off so
 * that each call computes the form afresh.
 */
function fixture(ir: ModelIR, preset: string, settings: Partial<CanonicalFormSettings> = {}, knobs: Partial<KnobValues> = {}): Fixture {
  const policy = { ...resolvePolicy(preset), ...knobs };
  const sys = buildSystem(ir, policy, { symmetry: false, reduce: false, properties: ['all'] });
  const rangeMask = descriptorRangeMasks(ir);
  const live = ir.programs.map((p, pi) => liveRegisters(p, ir.registers, ir.descriptors.filter((d) => d.program === pi).map((d) => d.abort)));
  const canon = new CanonicalForm(ir, policy, sys.kernel, {
    sharedAreas: false,
    collapseEvents: false,
    deadEvents: false,
    abortPending: false,
    abortPendingUnsignalled: false,
    deadStale: undefined,
    harmlessStale: ir.descriptors.map(() => true),
    jumps: undefined,
    reduced: false,
    floating: ir.threads.map(() => false),
    rangeMask,
    armedDead: deadStaleDescriptors(ir, rangeMask),
    live,
    memoize: false,
    ...settings,
  });
  const s = new Int32Array(sys.stateWords);
  let first: Int32Array | undefined;
  sys.initialStates(s, () => {
    first ??= s.slice();
  });
  const st = first!;
  const k = sys.kernel;
  const L = sys.layout;
  const regField = (l: number, r: number): number => L.regs[L.frame(0, l) * L.registers + r]!;
  return {
    sys,
    canon,
    s: st,
    get: (f) => k.get(st, f),
    set: (f, v) => k.set(st, f, v),
    reg: (l, r) => decodeValue(k.get(st, regField(l, r))),
    setReg: (l, r, v) => k.set(st, regField(l, r), encodeValue(v)),
    frameAt: (l, ip, regs) => {
      k.set(st, L.ip[L.frame(0, l)]!, ip);
      regs.forEach((v, r) => v !== undefined && k.set(st, regField(l, r), encodeValue(v)));
    },
    ip: (l, t = 0) => k.get(st, L.ip[L.frame(t, l)]!),
  };
}

const model = tinyModel();

describe('the tiny model is as the header says', () => {
  it('has the live registers and descriptors worked out by hand', () => {
    expect(Array.from(liveRegisters(model.programs[0]!, 2, [0]))).toEqual([2, 3, 3, 3, 2, 2, 2]);
    expect(Array.from(liveRegisters(model.programs[1]!, 2, [0]))).toEqual([0, 1, 1, 1, 0]);
    expect(model.descriptors.map((d) => [d.program, d.start, d.postCommit, d.abort])).toEqual([
      [0, 2, 4, 0],
      [1, 2, 4, 0],
    ]);
    // Bit d-1 where descriptor d is dead: c_cs is dead outside 2..3 in main (an arm or the end
    // comes first), h_cs everywhere in main (another program) and outside 2..3 in the handler.
    const dead = deadStaleDescriptors(model, descriptorRangeMasks(model));
    expect(dead.map((d) => Array.from(d))).toEqual([
      [3, 3, 2, 2, 3, 3, 3, 3],
      [3, 3, 1, 1, 3, 3],
      [3, 3],
    ]);
  });
});

describe('core: registers and frames', () => {
  it('clears the dead registers of active frames and every register of inactive ones, keeping their IPs', () => {
    const x = fixture(model, 'linux-6.3');
    // T0 running at IP 4 (only r1 live), and a stale handler frame at IP 3.
    x.frameAt(0, 4, [2, 3]);
    x.frameAt(1, 3, [1, 1]);
    x.canon.thread(x.s, 0);
    expect([x.ip(0), x.reg(0, 0), x.reg(0, 1)]).toEqual([4, 0, 3]);
    // An inactive frame of a live thread keeps its IP (only a finished thread's are reset).
    expect([x.ip(1), x.reg(1, 0), x.reg(1, 1)]).toEqual([3, 0, 0]);
  });

  it('inside the handler: both frames active, each with its own program\'s live registers', () => {
    const x = fixture(model, 'linux-6.3');
    const L = x.sys.layout;
    x.set(L.level[0]!, 1);
    // Main at IP 0 (r1 live), handler at IP 5 = one past sigreturn (nothing live).
    x.frameAt(0, 0, [2, 3]);
    x.frameAt(1, 5, [1, 1]);
    x.canon.thread(x.s, 0);
    expect([x.ip(0), x.reg(0, 0), x.reg(0, 1), x.ip(1), x.reg(1, 0), x.reg(1, 1)]).toEqual([0, 0, 3, 5, 0, 0]);
  });

  it('a finished thread: IPs and every register reset, its kernel fields and area zeroed', () => {
    const x = fixture(model, 'linux-6.3');
    const L = x.sys.layout;
    x.set(L.status[0]!, Status.Done);
    x.frameAt(0, 6, [undefined, 3]);
    x.frameAt(1, 2, [1]);
    x.set(L.cpu[0]!, 1);
    x.set(L.evMask[0]!, 1);
    x.set(L.tifNotify[0]!, 1);
    x.set(L.entry[0]!, Entry.Syscall);
    x.set(L.rseqCs[0]!, 1);
    x.set(L.roDirty[0]!, 1);
    x.set(L.sigPending[0]!, 1);
    x.set(L.kIdCpu[0]!, encodeCachedCpu(1));
    x.canon.thread(x.s, 0);
    expect([x.ip(0), x.ip(1), x.reg(0, 1), x.reg(1, 0)]).toEqual([0, 0, 0, 0]);
    const fields = [L.cpu, L.evMask, L.tifNotify, L.entry, L.kIdCpu, L.cpuIdStart, L.cpuId, L.rseqCs, L.roDirty, L.sigPending].map((a) => x.get(a[0]!));
    expect(fields).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // T1 (running) is left alone: its cached CPU is C1's.
    expect(x.get(L.kIdCpu[1]!)).toBe(encodeCachedCpu(1));
  });

  it('a finished thread whose area may be shared keeps its kernel fields (only registers and IPs go)', () => {
    const x = fixture(model, 'linux-6.3', { sharedAreas: true });
    const L = x.sys.layout;
    x.set(L.status[0]!, Status.Done);
    x.set(L.ip[L.frame(0, 0)]!, 6);
    x.set(L.rseqCs[0]!, 1);
    x.set(L.tifNotify[0]!, 1);
    x.canon.thread(x.s, 0);
    expect([x.ip(0), x.get(L.rseqCs[0]!), x.get(L.tifNotify[0]!), x.get(L.cpuId[0]!)]).toEqual([0, 1, 1, encodeValue(0)]);
  });

  it('a thread that ended in its SIGSEGV handler: the SIGSEGV fields are zeroed too', () => {
    const ir = tinyModel({ segv: true });
    const x = fixture(ir, 'linux-6.3');
    const L = x.sys.layout;
    expect(L.segvFrame.length).toBe(2);
    x.set(L.status[0]!, Status.Done);
    x.set(L.segvFrame[0]!, 1);
    x.set(L.segvFatal[0]!, 1);
    x.set(L.segvUnjustified[0]!, 1);
    x.canon.thread(x.s, 0);
    expect([x.get(L.segvFrame[0]!), x.get(L.segvFatal[0]!), x.get(L.segvUnjustified[0]!)]).toEqual([0, 0, 0]);
  });

  // The SIGSEGV frame (level 2) runs the SIGSEGV handler's program: its live registers apply there.
  const segvFrames: [string, ModelOptions, number][] = [
    // Handler IP 3: r0 read by the commit store, r1 dead (the handler never reads it).
    ['the signal handler doubling as SIGSEGV handler, at its IP 3', { segv: true }, 3],
    // inside's IP 0 stores r0 (live); r1 is never read there.
    ['a SIGSEGV handler of its own (program `inside`), at its IP 0', { inside: 'segv' }, 0],
  ];
  for (const [name, options, ip] of segvFrames) {
    it(`${name}: r0 kept, r1 cleared in the SIGSEGV frame`, () => {
      const x = fixture(tinyModel(options), 'linux-6.3');
      const L = x.sys.layout;
      expect(L.levels).toBe(3);
      x.set(L.level[0]!, 2);
      x.set(L.segvFrame[0]!, 2);
      x.frameAt(2, ip, [2, 2]);
      x.canon.thread(x.s, 0);
      expect([x.reg(2, 0), x.reg(2, 1)]).toEqual([2, 0]);
    });
  }

  it('a dormant thread has no frames: every register cleared, even one live at its IP', () => {
    const ir = tinyModel({ dormant: true });
    const x = fixture(ir, 'linux-6.3');
    const L = x.sys.layout;
    expect(x.get(L.status[0]!)).toBe(Status.Dormant);
    // r1 is live at main's IP 0; a dormant thread's frame 0 is not a frame yet.
    x.setReg(0, 1, 3);
    x.canon.thread(x.s, 0);
    expect(x.reg(0, 1)).toBe(0);
  });
});

describe('core: a killed thread, the kernel\'s cached CPU', () => {
  it('a thread killed after its last instruction rests one past the end: nothing is live there', () => {
    const x = fixture(model, 'linux-6.3');
    x.frameAt(0, 7, [2, 3]);
    x.canon.thread(x.s, 0);
    expect([x.ip(0), x.reg(0, 0), x.reg(0, 1)]).toEqual([7, 0, 0]);
  });

  it('4.18-6.18 rewrite the IDs on every handler run: the cached CPU is never read and reads 0', () => {
    const x = fixture(model, 'linux-6.3');
    const L = x.sys.layout;
    expect(x.get(L.kIdCpu[0]!)).toBe(encodeCachedCpu(0));
    x.canon.thread(x.s, 0);
    expect(x.get(L.kIdCpu[0]!)).toBe(0);
  });

  it('an on-change ID update before the rework compares with it too: kept', () => {
    const x = fixture(model, 'linux-6.3', {}, { idUpdate: 'onChangeOnly' });
    x.canon.thread(x.s, 0);
    expect(x.get(x.sys.layout.kIdCpu[0]!)).toBe(encodeCachedCpu(0));
  });

  it('the rework (6.19, and 7.1 legacy although it rewrites them on every switch) compares with it: kept', () => {
    for (const preset of ['linux-6.19', 'linux-7.1-legacy']) {
      const x = fixture(model, preset);
      const L = x.sys.layout;
      x.canon.thread(x.s, 0);
      expect([preset, x.get(L.kIdCpu[0]!)]).toEqual([preset, encodeCachedCpu(0)]);
    }
  });
});

describe('core: the collapsed event mask', () => {
  const mask = (settings: Partial<CanonicalFormSettings>, ev: number, notify: number): number => {
    const x = fixture(model, 'linux-6.3', settings);
    const L = x.sys.layout;
    x.set(L.evMask[0]!, ev);
    x.set(L.tifNotify[0]!, notify);
    x.canon.thread(x.s, 0);
    return x.get(L.evMask[0]!);
  };

  it('any pending bit reads as 1, none as 0; not collapsed, the bits stay', () => {
    expect([mask({ collapseEvents: true }, 6, 1), mask({ collapseEvents: true }, 0, 1), mask({}, 6, 1)]).toEqual([1, 0, 6]);
  });

  it('dead events: without notify-resume the bit is cleared, with it kept', () => {
    expect([mask({ collapseEvents: true, deadEvents: true }, 6, 0), mask({ collapseEvents: true, deadEvents: true }, 6, 1), mask({ collapseEvents: true }, 6, 0)]).toEqual([0, 1, 1]);
  });
});

describe('core: the notify-resume handler pre-applied to a switched-out thread', () => {
  /** T0 ready after an interrupt with notify-resume raised, at IP `ip`, rseq_cs = `cs`: its IDs (raw) and rseq_cs after canonical form. */
  const after = (opts: { ip?: number; cs?: number; status?: number; notify?: number; entry?: number; otherArea?: boolean; level?: number } = {}, settings: Partial<CanonicalFormSettings> = {}, preset = 'linux-6.3', ir = model): number[] => {
    const x = fixture(ir, preset, { collapseEvents: true, ...settings });
    const L = x.sys.layout;
    x.set(L.status[0]!, opts.status ?? Status.Ready);
    x.set(L.tifNotify[0]!, opts.notify ?? 1);
    x.set(L.entry[0]!, opts.entry ?? Entry.Irq);
    x.set(L.level[0]!, opts.level ?? 0);
    x.set(L.ip[L.frame(0, opts.level ?? 0)]!, opts.ip ?? 4);
    x.set(L.rseqCs[0]!, opts.cs ?? 1);
    if (opts.otherArea) x.sys.kernel.setArea(x.s, 0, 1);
    x.canon.thread(x.s, 0);
    return [x.get(L.cpuIdStart[0]!), x.get(L.cpuId[0]!), x.get(L.rseqCs[0]!)];
  };
  const kept = [encodeValue(0), encodeValue(0), 1];

  it('clears both IDs, and a valid rseq_cs whose range the IP is outside', () => {
    expect(after()).toEqual([0, 0, 0]);
    // IP 3 is inside c_cs: rseq_cs kept.
    expect(after({ ip: 3 })).toEqual([0, 0, 1]);
    // A blocked thread too (only a running one is excluded).
    expect(after({ status: Status.Blocked })).toEqual([0, 0, 0]);
  });

  it('the range is tested in the top frame\'s program: a handler frame at IP 3 is outside main\'s c_cs', () => {
    expect(after({ level: 1, ip: 3 })).toEqual([0, 0, 0]);
    // ... and inside the handler's h_cs.
    expect(after({ level: 1, ip: 3, cs: 2 })).toEqual([0, 0, 2]);
  });

  it('an rseq_cs failing full validation is not cleared (the handler would kill, not clear)', () => {
    expect(after({}, {}, 'linux-6.3', tinyModel({ csVersion: 1 }))).toEqual([0, 0, 1]);
  });

  it('not for a running thread, without notify-resume, from a syscall, another\'s area, shared areas, IDs on change, or a mask not collapsed', () => {
    expect(after({ status: Status.Running })).toEqual(kept);
    expect(after({ notify: 0 })).toEqual(kept);
    expect(after({ entry: Entry.Syscall })).toEqual(kept);
    expect(after({ otherArea: true })).toEqual(kept);
    expect(after({}, { sharedAreas: true })).toEqual(kept);
    expect(after({}, {}, 'linux-6.19')).toEqual(kept);
    expect(after({}, { collapseEvents: false })).toEqual(kept);
  });
});

describe('core: the rework\'s ids_changed', () => {
  interface ReworkCase {
    readonly status?: number;
    readonly idsChanged?: number;
    readonly roDirty?: number;
    readonly userIrq?: number;
    /** Raw values of kIdCpu, cpuIdStart, cpuId (default: consistent with C0). */
    readonly ids?: readonly [number, number, number];
    readonly otherArea?: boolean;
    readonly mmCid?: readonly [number, number];
  }
  /** T0 switched out under `preset` with the reductions on: [ids_changed, kIdCpu, cpuIdStart, cpuId, areaMmCid] after. */
  const after = (preset: string, c: ReworkCase = {}, settings: Partial<CanonicalFormSettings> = {}, knobs: Partial<KnobValues> = {}, ir = model): number[] => {
    const x = fixture(ir, preset, { reduced: true, ...settings }, knobs);
    const L = x.sys.layout;
    x.set(L.status[0]!, c.status ?? Status.Ready);
    x.set(L.idsChanged[0]!, c.idsChanged ?? 0);
    x.set(L.roDirty[0]!, c.roDirty ?? 0);
    x.set(L.userIrq[0]!, c.userIrq ?? 0);
    const [kid, start, id] = c.ids ?? [encodeCachedCpu(0), encodeValue(0), encodeValue(0)];
    x.set(L.kIdCpu[0]!, kid);
    x.set(L.cpuIdStart[0]!, start);
    x.set(L.cpuId[0]!, id);
    if (c.mmCid) {
      x.set(L.areaMmCid[0]!, c.mmCid[0]);
      x.set(L.mmCid[0]!, c.mmCid[1]);
    }
    if (c.otherArea) x.sys.kernel.setArea(x.s, 0, 1);
    x.canon.thread(x.s, 0);
    const ids = [x.get(L.idsChanged[0]!), x.get(L.kIdCpu[0]!), x.get(L.cpuIdStart[0]!), x.get(L.cpuId[0]!)];
    return c.mmCid ? [...ids, x.get(L.areaMmCid[0]!)] : ids;
  };
  const raised = [1, 0, 0, 0];
  const untouched = [0, encodeCachedCpu(0), encodeValue(0), encodeValue(0)];

  it('v2: IDs the forced update would write anyway: ids_changed raised and the IDs cleared (ready or blocked)', () => {
    expect(after('linux-7.1-v2')).toEqual(raised);
    expect(after('linux-7.1-v2', { status: Status.Blocked })).toEqual(raised);
    expect(after('linux-6.19')).toEqual(raised);
  });

  it('v2: ids_changed already raised: the IDs are cleared whatever they hold', () => {
    expect(after('linux-7.1-v2', { idsChanged: 1, ids: [encodeCachedCpu(1), encodeValue(1), encodeValue(1)] })).toEqual(raised);
  });

  it('v2: an ID the update would change, or a dirty read-only field: left alone', () => {
    expect(after('linux-7.1-v2', { ids: [encodeCachedCpu(1), encodeValue(0), encodeValue(0)] })).toEqual([0, encodeCachedCpu(1), encodeValue(0), encodeValue(0)]);
    expect(after('linux-7.1-v2', { ids: [encodeCachedCpu(0), encodeValue(1), encodeValue(0)] })).toEqual([0, encodeCachedCpu(0), encodeValue(1), encodeValue(0)]);
    expect(after('linux-7.1-v2', { ids: [encodeCachedCpu(0), encodeValue(0), encodeValue(1)] })).toEqual([0, encodeCachedCpu(0), encodeValue(0), encodeValue(1)]);
    expect(after('linux-7.1-v2', { roDirty: 1 })).toEqual(untouched);
  });

  it('v2 where the c.s. check is not skipped anyway: only with user_irq set', () => {
    for (const knobs of [{ csValidation: 'debug-full' as const }, { csCheckAfterSyscallSwitch: true }]) {
      expect(after('linux-7.1-v2', {}, {}, knobs)).toEqual(untouched);
      expect(after('linux-7.1-v2', { userIrq: 1 }, {}, knobs)).toEqual(raised);
    }
  });

  it('v2 on an arch without generic IRQ entry: every switch raises the event, the check never skips: raised', () => {
    expect(after('linux-7.1-v2', {}, {}, { genericIrqEntry: false })).toEqual(raised);
    expect(after('linux-7.1-v2', {}, {}, { genericIrqEntry: false, csValidation: 'debug-full' })).toEqual(raised);
  });

  it('v2 with mm_cid read by the model: the area\'s mm_cid must be the kernel\'s too', () => {
    const ir = tinyModel({ idle: [I.readId('r0', 'mm_cid')] });
    expect(after('linux-7.1-v2', { mmCid: [1, 1] }, {}, {}, ir)).toEqual([...raised, 0]);
    expect(after('linux-7.1-v2', { mmCid: [2, 1] }, {}, {}, ir)).toEqual([...untouched, 2]);
    // Legacy mode clears the area's mm_cid with the IDs.
    expect(after('linux-7.1-legacy', { mmCid: [2, 1] }, {}, {}, ir)).toEqual([0, 0, 0, 0, 0]);
  });

  it('legacy mode: every switched-out thread\'s IDs are cleared, ids_changed left as it is', () => {
    expect(after('linux-7.1-legacy', { ids: [encodeCachedCpu(1), encodeValue(1), encodeValue(1)] })).toEqual([0, 0, 0, 0]);
    // IDs that agree with the CPU: the v2 probe does not apply, ids_changed is not raised.
    expect(after('linux-7.1-legacy')).toEqual([0, 0, 0, 0]);
    expect(after('linux-7.1-legacy', { idsChanged: 1 })).toEqual([1, 0, 0, 0]);
  });

  it('not for a running thread, without the reductions, with shared areas, another\'s area, or before the rework', () => {
    expect(after('linux-7.1-v2', { status: Status.Running })).toEqual(untouched);
    expect(after('linux-7.1-legacy', { status: Status.Running })).toEqual(untouched);
    expect(after('linux-7.1-v2', {}, { reduced: false })).toEqual(untouched);
    expect(after('linux-7.1-v2', {}, { sharedAreas: true })).toEqual(untouched);
    expect(after('linux-7.1-v2', { otherArea: true })).toEqual(untouched);
    // 6.3 with everything else in place: only its dead cached CPU goes.
    expect(after('linux-6.3')).toEqual([0, 0, encodeValue(0), encodeValue(0)]);
  });
});

describe('core: a certain pending abort applied early (abort-pending)', () => {
  interface AbortCase {
    readonly status?: number;
    readonly entry?: number;
    readonly restart?: number;
    readonly notify?: number;
    readonly ev?: number;
    readonly cs?: number;
    readonly armed?: number;
    readonly ip?: number;
    readonly otherArea?: boolean;
    readonly sigPending?: number;
    /** Signals left (the budget field); default the model's. */
    readonly signalsLeft?: number;
  }
  /**
   * T0 ready after an interrupt, notify-resume and an event pending, c_cs armed in its frame and
   * in rseq_cs, at IP 3 (the commit) with r0 = 2 and r1 = 3: [IP, r0, r1] after canonical form.
   * The mask is not collapsed here, so that rseq_cs is not cleared ahead by the notify-resume
   * pre-application (tested above) and each condition is seen alone.
   */
  const after = (c: AbortCase = {}, settings: Partial<CanonicalFormSettings> = { abortPending: true }, ir = model): number[] => {
    const x = fixture(ir, 'linux-6.3', settings);
    const L = x.sys.layout;
    const f = L.frame(0, 0);
    x.set(L.status[0]!, c.status ?? Status.Ready);
    x.set(L.entry[0]!, c.entry ?? Entry.Irq);
    x.set(L.restart[0]!, c.restart ?? 0);
    x.set(L.tifNotify[0]!, c.notify ?? 1);
    x.set(L.evMask[0]!, c.ev ?? 1);
    x.set(L.rseqCs[0]!, c.cs ?? 1);
    x.set(L.armed[f]!, c.armed ?? 1);
    x.set(L.ip[f]!, c.ip ?? 3);
    x.set(L.sigPending[0]!, c.sigPending ?? 0);
    if (c.signalsLeft !== undefined) x.sys.kernel.set(x.s, L.budget[Budget.signal]!, c.signalsLeft);
    x.setReg(0, 0, 2);
    x.setReg(0, 1, 3);
    if (c.otherArea) x.sys.kernel.setArea(x.s, 0, 1);
    x.canon.thread(x.s, 0);
    return [x.ip(0), x.reg(0, 0), x.reg(0, 1)];
  };
  // Moved to start_ip 2, r0 (dead at abort_ip 0, which writes it) cleared, r1 (read at 4) kept.
  const aborted = [2, 0, 3];
  const stays = [3, 2, 3];

  it('moves the IP to start_ip and keeps only what abort_ip 0 reads', () => {
    expect(after()).toEqual(aborted);
    // Anywhere in the range: IP 2 too (r0 live at 2 but dead at abort_ip).
    expect(after({ ip: 2 })).toEqual(aborted);
  });

  it('not without the reduction, nor for a running thread, shared or another\'s area', () => {
    expect(after({}, {})).toEqual(stays);
    expect(after({ status: Status.Running })).toEqual(stays);
    expect(after({ status: Status.Blocked })).toEqual(stays);
    expect(after({}, { abortPending: true, sharedAreas: true })).toEqual(stays);
    expect(after({ otherArea: true })).toEqual(stays);
  });

  it('not from a syscall, with a restart pending, without notify-resume or without an event', () => {
    expect(after({ entry: Entry.Syscall })).toEqual(stays);
    expect(after({ restart: 1 })).toEqual(stays);
    expect(after({ notify: 0 })).toEqual(stays);
    expect(after({ ev: 0 })).toEqual(stays);
  });

  it('not without a valid rseq_cs armed in the top frame whose range holds the IP', () => {
    expect(after({ cs: 0 })).toEqual(stays);
    expect(after({ armed: 0 })).toEqual(stays);
    // h_cs (descriptor 2) armed and in rseq_cs: its range is in the handler, not at main's IP 3.
    expect(after({ cs: 2, armed: 2 })).toEqual(stays);
    expect(after({ cs: 1, armed: 2 })).toEqual(stays);
    expect(after({}, { abortPending: true }, tinyModel({ csVersion: 1 }))).toEqual(stays);
    // IP 4 is the post-commit IP: outside (the dead registers go: r0 is dead there).
    expect(after({ ip: 4 })).toEqual([4, 0, 3]);
  });

  it('in the handler: only the top frame moves, by the handler\'s own descriptor', () => {
    const x = fixture(model, 'linux-6.3', { abortPending: true });
    const L = x.sys.layout;
    x.set(L.status[0]!, Status.Ready);
    x.set(L.tifNotify[0]!, 1);
    x.set(L.evMask[0]!, 1);
    x.set(L.level[0]!, 1);
    // Main interrupted inside c_cs (armed), the handler inside h_cs (armed, in rseq_cs).
    x.set(L.ip[L.frame(0, 0)]!, 3);
    x.set(L.armed[L.frame(0, 0)]!, 1);
    x.set(L.ip[L.frame(0, 1)]!, 3);
    x.set(L.armed[L.frame(0, 1)]!, 2);
    x.set(L.rseqCs[0]!, 2);
    for (const l of [0, 1]) for (const r of [0, 1]) x.setReg(l, r, 1);
    x.canon.thread(x.s, 0);
    // Handler: IP to h_start 2, r0 cleared (dead at h_abort), r1 cleared (never read in the handler).
    expect([x.ip(1), x.reg(1, 0), x.reg(1, 1)]).toEqual([2, 0, 0]);
    expect([x.ip(0), x.reg(0, 0), x.reg(0, 1)]).toEqual([3, 1, 1]);
  });

  describe('where signals do not abort (abort-pending-unsignalled): only once no signal can reach the thread', () => {
    const unsignalled = { abortPendingUnsignalled: true };
    it('a thread with a handler: only once the signal budget is spent, none pending', () => {
      expect(after({}, unsignalled)).toEqual(stays);
      expect(after({ signalsLeft: 0 }, unsignalled)).toEqual(aborted);
      expect(after({ signalsLeft: 0, sigPending: 1 }, unsignalled)).toEqual(stays);
      // With signals unbounded the budget is never spent.
      expect(after({}, unsignalled, tinyModel({ signals: 'unbounded' }))).toEqual(stays);
      // A handler that is program 0 is a handler (c_cs is then descriptor 2).
      const first = tinyModel({ inside: 'handler', insideFirst: true });
      expect(first.threads[0]!.handler).toBe(0);
      expect(after({ cs: 2, armed: 2 }, unsignalled, first)).toEqual(stays);
      expect(after({ cs: 2, armed: 2, signalsLeft: 0 }, unsignalled, first)).toEqual(aborted);
    });

    it('a thread without a handler: whatever the budget, unless a signal is pending (it would kill it first)', () => {
      const ir = tinyModel({ noHandler: true });
      expect(after({}, unsignalled, ir)).toEqual(aborted);
      expect(after({ sigPending: 1 }, unsignalled, ir)).toEqual(stays);
      expect(after({}, unsignalled, tinyModel({ noHandler: true, signals: 'unbounded' }))).toEqual(aborted);
      expect(after({}, {}, ir)).toEqual(stays);
    });

    it('context: 1 once the budget is spent, only with the reduction and a bounded budget; contexts counts its values', () => {
      const ctx = (settings: Partial<CanonicalFormSettings>, left: number | undefined, ir = model): [number, number] => {
        const x = fixture(ir, 'linux-6.3', settings);
        if (left !== undefined) x.sys.kernel.set(x.s, x.sys.layout.budget[Budget.signal]!, left);
        return [x.canon.context(x.s), x.canon.contexts];
      };
      expect(ctx(unsignalled, 0)).toEqual([1, 2]);
      expect(ctx(unsignalled, 1)).toEqual([0, 2]);
      expect(ctx({}, 0)).toEqual([0, 1]);
      expect(ctx(unsignalled, undefined, tinyModel({ signals: 'unbounded' }))).toEqual([0, 2]);
    });
  });
});

describe('core: the armed ghost of a dead descriptor', () => {
  const after = (ip: number, armed: number): number[] => {
    const x = fixture(model, 'linux-6.3');
    const L = x.sys.layout;
    const f = L.frame(0, 0);
    x.set(L.ip[f]!, ip);
    x.set(L.armed[f]!, armed);
    x.set(L.dirty[f]!, 1);
    x.set(L.evSince[f]!, 1);
    x.canon.thread(x.s, 0);
    return [x.get(L.armed[f]!), x.get(L.dirty[f]!), x.get(L.evSince[f]!)];
  };

  it('is dropped with its G1 and precision bits where the descriptor is dead, kept where it is not', () => {
    expect(after(4, 1)).toEqual([0, 0, 0]);
    expect(after(3, 1)).toEqual([1, 1, 1]);
    // h_cs armed in main's frame: dead everywhere there.
    expect(after(3, 2)).toEqual([0, 0, 0]);
    // Nothing armed: the bits stay.
    expect(after(4, 0)).toEqual([0, 1, 1]);
  });
});

describe('a floating ready thread: its CPU stands for every CPU when a migration would change nothing else', () => {
  /** T0 ready on C1 after an interrupt: [cpu, anyCpu] after canonical form. */
  const after = (c: { status?: number; notify?: number; ev?: number; anyCpu?: number; evSince?: number; dirty?: number } = {}, settings: Partial<CanonicalFormSettings> = { floating: [true, false] }): number[] => {
    const x = fixture(model, 'linux-6.3', { collapseEvents: true, ...settings });
    const L = x.sys.layout;
    x.set(L.status[0]!, c.status ?? Status.Ready);
    x.set(L.cpu[0]!, 1);
    x.set(L.anyCpu[0]!, c.anyCpu ?? 0);
    x.set(L.tifNotify[0]!, c.notify ?? 1);
    x.set(L.evMask[0]!, c.ev ?? 1);
    // The precision ghost a migration sets (noteEvent), already set.
    x.set(L.evSince[L.frame(0, 0)]!, c.evSince ?? 1);
    if (c.dirty !== undefined) {
      // Inside c_cs, armed: G1's ghost records the event unless already set.
      x.set(L.ip[L.frame(0, 0)]!, 3);
      x.set(L.armed[L.frame(0, 0)]!, 1);
      x.set(L.dirty[L.frame(0, 0)]!, c.dirty);
    }
    x.canon.thread(x.s, 0);
    return [x.get(L.cpu[0]!), x.get(L.anyCpu[0]!)];
  };

  it('notify-resume and an event already pending: CPU 0, any CPU', () => {
    expect(after()).toEqual([0, 1]);
  });

  it('a migration would raise notify-resume or the event: its CPU kept', () => {
    expect(after({ notify: 0, ev: 1 })).toEqual([1, 0]);
    expect(after({ notify: 1, ev: 0 })).toEqual([1, 0]);
    // The precision ghost (every property is checked here) records the event too.
    expect(fixture(model, 'linux-6.3').sys.kernel.ghosts.precision).toBe(true);
    expect(after({ evSince: 0 })).toEqual([1, 0]);
    expect(after({ dirty: 0 })).toEqual([1, 0]);
    expect(after({ dirty: 1 })).toEqual([0, 1]);
  });

  it('not a running or blocked thread, nor one that does not float', () => {
    expect(after({ status: Status.Running })).toEqual([1, 0]);
    expect(after({ status: Status.Blocked })).toEqual([1, 0]);
    expect(after({}, { floating: [false, false] })).toEqual([1, 0]);
  });

  it('a migration exempt by NO_RESTART_ON_PREEMPT and _MIGRATE (4.18 honours them) leaves G1\'s ghost clear: invisible', () => {
    const ir = tinyModel({ csFlags: ['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'] });
    const x = fixture(ir, 'linux-4.18', { floating: [true, false] });
    const L = x.sys.layout;
    const f = L.frame(0, 0);
    x.set(L.status[0]!, Status.Ready);
    x.set(L.cpu[0]!, 1);
    x.set(L.tifNotify[0]!, 1);
    // Preempted inside c_cs (exempt: dirty clear), PREEMPT and MIGRATE already recorded.
    x.set(L.evMask[0]!, 5);
    x.set(L.ip[f]!, 3);
    x.set(L.armed[f]!, 1);
    x.set(L.evSince[f]!, 1);
    x.canon.thread(x.s, 0);
    expect([x.get(L.cpu[0]!), x.get(L.anyCpu[0]!), x.get(L.dirty[f]!)]).toEqual([0, 1, 0]);
  });

  it('the probe reports no decision to the kernel\'s sink and leaves the sink in place', () => {
    const x = fixture(model, 'linux-6.3', { collapseEvents: true, floating: [true, false] });
    const L = x.sys.layout;
    x.set(L.status[0]!, Status.Ready);
    x.set(L.cpu[0]!, 1);
    x.set(L.tifNotify[0]!, 1);
    x.set(L.evMask[0]!, 1);
    x.set(L.evSince[L.frame(0, 0)]!, 1);
    const log = new DecisionLog();
    x.sys.kernel.sink = log;
    x.canon.thread(x.s, 0);
    expect(x.sys.kernel.sink).toBe(log);
    expect(log.take()).toEqual([]);
    expect([x.get(L.cpu[0]!), x.get(L.anyCpu[0]!)]).toEqual([0, 1]);
  });
});

describe('thread, threads and the memo', () => {
  it('threads: the acting thread only, or every thread', () => {
    for (const all of [false, true]) {
      const x = fixture(model, 'linux-6.3');
      const L = x.sys.layout;
      x.canon.threads(x.s, 0, all);
      // 4.18-6.18 clear the cached CPU of each thread put in canonical form (T1's is C1's).
      expect([all, x.get(L.kIdCpu[0]!), x.get(L.kIdCpu[1]!)]).toEqual([all, 0, all ? 0 : encodeCachedCpu(1)]);
    }
  });

  it('remembers each canonical record, and recalls it for the same record in the same context', () => {
    const x = fixture(model, 'linux-6.3', { memoize: true });
    const L = x.sys.layout;
    expect(x.canon.memo).toBeDefined();
    x.set(L.ip[L.frame(0, 0)]!, 4);
    x.setReg(0, 0, 2);
    const before = x.s.slice();
    x.canon.thread(x.s, 0);
    expect(x.reg(0, 0)).toBe(0);
    const again = before.slice();
    const start = L.threadWordStart[0]!;
    expect(x.canon.memo!.recall(again, start, 0)).toBe(true);
    expect(Array.from(again)).toEqual(Array.from(x.s));
    // Through the memo, the same record.
    const viaMemo = before.slice();
    x.canon.thread(viaMemo, 0);
    expect(Array.from(viaMemo)).toEqual(Array.from(x.s));
    expect(fixture(model, 'linux-6.3').canon.memo).toBeUndefined();
  });
});

describe('jump threading', () => {
  // By hand: main's `jmp out` (IP 5) stands for its target 6.
  const jumps = (ir: ModelIR, to = 6): Int32Array[] => ir.programs.map((p, pi) => Int32Array.from({ length: p.code.length + 1 }, (_, ip) => (pi === 0 && ip === 5 ? to : -1)));

  it('the canonical form moves a frame resting at the jmp to its target, and applies the target\'s live registers', () => {
    const x = fixture(model, 'linux-6.3', { jumps: jumps(model) });
    const L = x.sys.layout;
    x.set(L.ip[L.frame(0, 0)]!, 5);
    x.canon.thread(x.s, 0);
    expect(x.ip(0)).toBe(6);
    const y = fixture(model, 'linux-6.3');
    y.set(L.ip[L.frame(0, 0)]!, 5);
    y.canon.thread(y.s, 0);
    expect(y.ip(0)).toBe(5);
  });

  it('restsAtThreadedJmp: a thread with frames whose top frame is at the jmp', () => {
    const x = fixture(model, 'linux-6.3', { jumps: jumps(model) });
    const L = x.sys.layout;
    const k = x.sys.kernel;
    const at = (status: number, level: number, ip0: number, ip1 = 0, canon = x.canon): boolean => {
      const s = x.s.slice();
      k.set(s, L.status[0]!, status);
      k.set(s, L.level[0]!, level);
      k.set(s, L.ip[L.frame(0, 0)]!, ip0);
      k.set(s, L.ip[L.frame(0, 1)]!, ip1);
      return canon.restsAtThreadedJmp(s, 0);
    };
    expect(at(Status.Running, 0, 5)).toBe(true);
    expect(at(Status.Ready, 0, 5)).toBe(true);
    expect(at(Status.Running, 0, 4)).toBe(false);
    expect(at(Status.Done, 0, 5)).toBe(false);
    expect(at(Status.Dormant, 0, 5)).toBe(false);
    // In the handler, the handler's IP counts (its IP 5 is one past its end: no jmp).
    expect(at(Status.Running, 1, 5, 5)).toBe(false);
    expect(at(Status.Running, 0, 5, 0, fixture(model, 'linux-6.3').canon)).toBe(false);
    // A jmp whose target is IP 0 (a table made by hand: a loop back to the program's start).
    expect(at(Status.Running, 0, 5, 0, fixture(model, 'linux-6.3', { jumps: jumps(model, 0) }).canon)).toBe(true);
  });

  it('a jmp to IP 0 is threaded too', () => {
    const x = fixture(model, 'linux-6.3', { jumps: jumps(model, 0) });
    x.set(x.sys.layout.ip[x.sys.layout.frame(0, 0)]!, 5);
    x.canon.thread(x.s, 0);
    expect(x.ip(0)).toBe(0);
  });

  it('threadJumps: every frame up to the top one, only for a thread with frames, only with the reduction', () => {
    const run = (status: number, level: number, withJumps = true): number => {
      const x = fixture(model, 'linux-6.3', withJumps ? { jumps: jumps(model) } : {});
      const L = x.sys.layout;
      x.set(L.status[0]!, status);
      x.set(L.level[0]!, level);
      x.set(L.ip[L.frame(0, 0)]!, 5);
      x.canon.threadJumps(x.s, 0);
      return x.ip(0);
    };
    expect([run(Status.Running, 0), run(Status.Running, 1), run(Status.Blocked, 1), run(Status.Done, 0), run(Status.Dormant, 0), run(Status.Running, 0, false)]).toEqual([6, 6, 6, 5, 5, 5]);
  });
});

describe('a dead stale rseq_cs (dead-rseq-cs)', () => {
  const deadFor = (ir: ModelIR): Int32Array[] => deadStaleDescriptors(ir, descriptorRangeMasks(ir));
  /** T0 at main IP `ip` with rseq_cs = `cs`: rseq_cs after canonical form (or clearDeadStale with `direct`). */
  const after = (c: { ip: number; cs: number; status?: number; level?: number; ip1?: number; otherArea?: boolean; direct?: boolean }, settings: (ir: ModelIR) => Partial<CanonicalFormSettings> = (ir) => ({ deadStale: deadFor(ir) }), ir = model): number => {
    const x = fixture(ir, 'linux-6.3', settings(ir));
    const L = x.sys.layout;
    x.set(L.status[0]!, c.status ?? Status.Running);
    x.set(L.level[0]!, c.level ?? 0);
    x.set(L.ip[L.frame(0, 0)]!, c.ip);
    x.set(L.ip[L.frame(0, 1)]!, c.ip1 ?? 0);
    x.set(L.rseqCs[0]!, c.cs);
    if (c.otherArea) x.sys.kernel.setArea(x.s, 0, 1);
    if (c.direct) x.canon.clearDeadStale(x.s, 0);
    else x.canon.thread(x.s, 0);
    return x.get(L.rseqCs[0]!);
  };

  it('cleared where the descriptor is dead in every frame and at the handler\'s entry', () => {
    expect(after({ ip: 4, cs: 1 })).toBe(0);
    expect(after({ ip: 3, cs: 1 })).toBe(1);
    expect(after({ ip: 3, cs: 2 })).toBe(0);
    expect(after({ ip: 4, cs: 0 })).toBe(0);
    // In the handler: main's frame at 3 keeps c_cs alive, at 4 not (the handler never reaches c_cs).
    expect(after({ ip: 3, cs: 1, level: 1, ip1: 3 })).toBe(1);
    expect(after({ ip: 4, cs: 1, level: 1, ip1: 3 })).toBe(0);
    // h_cs: the handler's frame at 3 keeps it alive.
    expect(after({ ip: 4, cs: 2, level: 1, ip1: 3 })).toBe(2);
    expect(after({ ip: 4, cs: 2, level: 1, ip1: 4 })).toBe(0);
  });

  it('not without the reduction, for another\'s area, for a descriptor not harmless when stale', () => {
    expect(after({ ip: 4, cs: 1 }, () => ({}))).toBe(1);
    expect(after({ ip: 4, cs: 1, otherArea: true })).toBe(1);
    expect(after({ ip: 4, cs: 1 }, (ir) => ({ deadStale: deadFor(ir), harmlessStale: [false, true] }))).toBe(1);
    expect(after({ ip: 4, cs: 2 }, (ir) => ({ deadStale: deadFor(ir), harmlessStale: [false, true] }))).toBe(0);
  });

  it('not where a handler may start inside its range: i_cs is dead all over main, alive at the entry of `inside`', () => {
    const asHandler = tinyModel({ inside: 'handler' });
    const asSegv = tinyModel({ inside: 'segv' });
    // Main's IP 4: all three dead; the entry of `inside`: c_cs and h_cs, not i_cs.
    expect([deadFor(asHandler)[0]![4], deadFor(asHandler)[3]![0]]).toEqual([7, 3]);
    // c_cs is dead at the entry of `inside` too: cleared; i_cs is kept, as the SIGSEGV handler too.
    expect(after({ ip: 4, cs: 1 }, undefined, asHandler)).toBe(0);
    expect(after({ ip: 4, cs: 3 }, undefined, asHandler)).toBe(3);
    expect(after({ ip: 4, cs: 1 }, undefined, asSegv)).toBe(0);
    expect(after({ ip: 4, cs: 3 }, undefined, asSegv)).toBe(3);
    // As program 0 (main is then 1, and i_cs descriptor 1).
    for (const where of ['handler', 'segv'] as const) {
      const first = tinyModel({ inside: where, insideFirst: true });
      expect([first.threads[0]!.program, first.descriptors[0]!.name]).toEqual([1, 'i_cs']);
      expect([where, after({ ip: 4, cs: 1 }, undefined, first), after({ ip: 4, cs: 2 }, undefined, first)]).toEqual([where, 1, 0]);
    }
  });

  it('a thread without a handler: harmless descriptors dead at its IP are cleared', () => {
    expect(after({ ip: 4, cs: 1 }, undefined, tinyModel({ noHandler: true }))).toBe(0);
    expect(after({ ip: 4, cs: 2 }, undefined, tinyModel({ noHandler: true }))).toBe(0);
  });

  it('a finished thread whose area may be shared keeps rseq_cs (it has no frames to be dead in)', () => {
    expect(after({ ip: 4, cs: 1, status: Status.Done }, (ir) => ({ deadStale: deadFor(ir), sharedAreas: true }))).toBe(1);
  });

  it('clearDeadStale (the trace system\'s states): the same test, only for a thread with frames', () => {
    expect(after({ ip: 4, cs: 1, direct: true })).toBe(0);
    expect(after({ ip: 3, cs: 1, direct: true })).toBe(1);
    expect(after({ ip: 4, cs: 1, direct: true, level: 1, ip1: 3 })).toBe(0);
    expect(after({ ip: 3, cs: 1, direct: true, level: 1, ip1: 3 })).toBe(1);
    expect(after({ ip: 4, cs: 1, direct: true, status: Status.Done })).toBe(1);
    expect(after({ ip: 4, cs: 1, direct: true, status: Status.Dormant })).toBe(1);
    expect(after({ ip: 4, cs: 1, direct: true, otherArea: true })).toBe(1);
    expect(after({ ip: 4, cs: 1, direct: true }, () => ({}))).toBe(1);
  });
});
