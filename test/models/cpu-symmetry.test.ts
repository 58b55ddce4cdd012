/**
 * The CPU symmetry (models/system/cpu-symmetry.ts): when it applies, where it does not and why,
 * the renaming it makes, and reduced against unreduced runs (same property codes and final
 * memories under every preset; counterexamples concretized to real CPUs replay unreduced).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstructionInput } from '../../models/ir/schema.js';
import { I, ModelBuilder, seq, type Fragment } from '../../models/ir/builder.js';
import { replay } from '../../checker/replay.js';
import { buildSystem, checkModel, resolvePolicy, type CheckOptions } from '../../run/check.js';
import type { ModelIR } from '../../models/ir/types.js';
import { presetDefs } from '../../models/kernel/presets.js';
import { resolveModel } from '../../models/library/resolve.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { cpuSymmetryApplies } from '../../models/system/cpu-symmetry.js';
import { selftestScenarios } from '../../models/library/selftests/scenarios.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';

/** Two threads increment a shared counter without rseq (load, add, store) on 2 CPUs; `first` CPUs of T1 and T2. */
function sharedCounter(first: [string, string], extra: Partial<{ perCpu: boolean; readCpu: boolean; pinned: boolean; final: string }> = {}): ModelIR {
  const b = new ModelBuilder('shared-counter').cpus(2).memory('x', { max: 2 });
  if (extra.perCpu) b.memory('slot', { size: 'percpu', max: 1 });
  const prefix = [...(extra.readCpu ? [I.readId('r0', 'cpu_id'), I.add('r0', 1)] : []), ...(extra.perCpu ? [I.load('r2', { var: 'slot', index: 0 })] : [])];
  b.program('worker', [...prefix, I.load('r1', { var: 'x' }), I.add('r1', 1), I.store({ var: 'x' }, 'r1'), I.done()]);
  b.thread({ program: 'worker', cpu: first[0], ...(extra.pinned ? { allowed: [first[0]] } : {}) });
  b.thread({ program: 'worker', cpu: first[1] });
  return compile(b.budgets({ preemptions: 1, migrations: 1 }).final('sum', extra.final ?? 'x == 2').build());
}

/** An rseq critical section on `x` that never reads a CPU ID: load x into r1, `body`, store r1 to x; an abort restarts it. */
const rseqOnX = (body: readonly InstructionInput[]): Fragment =>
  seq(
    I.arm('cs', { label: 'retry' }),
    I.load('r1', { var: 'x' }, { label: 'start' }),
    body,
    I.store({ var: 'x' }, 'r1'),
    I.jmp('finish', { label: 'post' }),
    I.jmp('retry', { label: 'abort' }),
    { code: [], descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } } },
    I.done({ label: 'finish' }),
  );

/**
 * Two threads add 1 to a shared counter in an rseq critical section that never reads a CPU ID
 * (so rseq aborts it on preemption, migration and signals, but does not keep the CPUs apart);
 * a signal handler adds 1 to `h`. Every event kind has a budget of 1.
 */
function sharedRseq(): ModelIR {
  const b = new ModelBuilder('shared-rseq').cpus(2).memory('x', { max: 2 }).memory('h', { max: 1 });
  b.program('worker', rseqOnX([I.add('r1', 1)]));
  b.program('handler', [I.addm({ var: 'h' }, 1), I.sigreturn()]);
  for (const cpu of ['C0', 'C1']) b.thread({ program: 'worker', cpu, handler: 'handler' });
  return compile(b.budgets({ preemptions: 1, migrations: 1, signals: 1, interrupts: 1, traps: 1 }).final('sum', 'x == 2').build());
}

/** Every state the reduced and unreduced systems store must be its class's representative. */
const canonical = { canonicalStates: true };

describe('cpu-symmetry: when it applies', () => {
  it('applies to a model whose threads never see a CPU number', () => {
    expect(cpuSymmetryApplies(sharedCounter(['C0', 'C1']))).toEqual({ applies: true, cpuRegs: [0] });
    // percpu-counter: r0 (cpu_id_start) and r3 (cpu_id) hold CPU numbers, in the worker and the handler.
    expect(cpuSymmetryApplies(resolveModel('percpu-counter').ir)).toEqual({ applies: true, cpuRegs: [0b1001, 0b1001] });
  });

  it('does not apply, and says why', () => {
    const reason = (ir: ModelIR): string | undefined => {
      const v = cpuSymmetryApplies(ir);
      return v.applies ? undefined : v.reason;
    };
    expect(reason(sharedCounter(['C0', 'C1'], { readCpu: true }))).toBe('program worker at IP 1 writes a CPU-typed register with another value');
    expect(reason(sharedCounter(['C0', 'C1'], { perCpu: true }))).toBe('program worker at IP 0 reaches per-CPU memory slot other than by a CPU number as its index');
    expect(reason(sharedCounter(['C0', 'C1'], { pinned: true }))).toBe('thread T1 is not allowed on every CPU');
    expect(reason(sharedCounter(['C0', 'C1'], { final: 'x == 2 || cpu(T1) == 0' }))).toBe('property sum names a thread or a CPU');
    expect(reason(compile(selftestScenarios.find((x) => x.id === 'b')!.build()))).toBe('program worker at IP 6 computes with a CPU number');
    expect(reason(resolveModel('percpu-counter', ['cpus=1']).ir)).toBe('one CPU');
  });
});

describe('cpu-symmetry: the renaming', () => {
  const pol = resolvePolicy('linux-6.3', []);
  const initial = (sys: RseqSystem): Int32Array => {
    const out = new Int32Array(sys.stateWords);
    let first: Int32Array | undefined;
    sys.initialStates(out, () => void (first ??= out.slice()));
    return first!;
  };

  it('the initial states with both threads on C0 and both on C1 are one class', () => {
    const on0 = buildSystem(sharedCounter(['C0', 'C0']), pol, {});
    const on1 = buildSystem(sharedCounter(['C1', 'C1']), pol, {});
    expect(on0.cpuSymmetric).toBe(true);
    expect(Array.from(initial(on1))).toEqual(Array.from(initial(on0)));
    // Without the reduction the two differ (in each thread's CPU, IDs and cached CPU).
    const off = { disable: ['cpu-symmetry' as const] };
    expect(Array.from(initial(buildSystem(sharedCounter(['C1', 'C1']), pol, off)))).not.toEqual(Array.from(initial(buildSystem(sharedCounter(['C0', 'C0']), pol, off))));
  });

  it('renames a thread CPU, cpu_id_start, cpu_id and the cached CPU together', () => {
    const sys = buildSystem(sharedCounter(['C1', 'C1']), pol, { disable: ['cpu-symmetry'], symmetry: false });
    const s = initial(sys);
    const k = sys.kernel;
    const L = sys.layout;
    const fields = (t: number): number[] => [L.cpu[t]!, L.cpuIdStart[t]!, L.cpuId[t]!, L.kIdCpu[t]!].map((f) => k.get(s, f));
    // CPU 1: the CPU itself, cpu_id_start and cpu_id stored as value + 2, the cached CPU as cpu + 1.
    expect(fields(0)).toEqual([1, 3, 3, 2]);
    const on = buildSystem(sharedCounter(['C1', 'C1']), pol, { symmetry: false });
    expect(on.cpuSymmetric).toBe(false); // --no-symmetry turns it off too
  });
});

describe('cpu-symmetry keeps every property code and final memory (every preset)', () => {
  const options: CheckOptions = { properties: ['all'] };
  /** What `ir` reaches under `preset` with the CPU symmetry (which must apply), without it, and with no reduction at all. */
  const threeWays = (ir: ModelIR, preset: string): Record<'red' | 'without' | 'full', ReturnType<typeof outcomes>> => {
    const pol = resolvePolicy(preset, []);
    const reduced = buildSystem(ir, pol, options);
    expect(reduced.cpuSymmetric).toBe(true);
    const red = outcomes(reduced, canonical);
    const without = outcomes(buildSystem(ir, pol, { ...options, disable: ['cpu-symmetry'] }), canonical);
    const full = outcomes(buildSystem(ir, pol, { ...options, reduce: false, symmetry: false }), canonical);
    return { red, without, full };
  };
  for (const { name: preset } of presetDefs) {
    for (const first of [['C0', 'C1'], ['C0', 'C0']] as [string, string][]) {
      it(`shared counter from ${first.join(',')} under ${preset}`, () => {
        const { red, without, full } = threeWays(sharedCounter(first), preset);
        expect(red.codes).toEqual(full.codes);
        expect(red.finals).toEqual(full.finals);
        expect(red.codes).toContain('sum');
        expect(red.states).toBeLessThan(without.states);
      });
    }
    it(`shared rseq counter with every event kind under ${preset}`, () => {
      const { red, without, full } = threeWays(sharedRseq(), preset);
      expect(red.codes).toEqual(full.codes);
      expect(red.finals).toEqual(full.finals);
      expect(red.states).toBeLessThan(without.states);
    });
  }
});

/** Every library, gallery, seed and selftest model the reduction applies to (small parameters). */
const libraryModels: [string, ModelIR][] = [
  ['percpu-counter 2x1+1', resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1']).ir],
  ['percpu-counter 3x1', resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=0']).ir],
  ['plain-counter 2x1', resolveModel('plain-counter', ['threads=2', 'ops=1']).ir],
  ...selftestScenarios.map((x) => [`selftest -T ${x.id}`, compile(x.build())] as [string, ModelIR]),
  ...seedScenarios.map((x) => [`seed ${x.id}`, compile(x.build())] as [string, ModelIR]),
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model)] as [string, ModelIR]),
];

describe('cpu-symmetry keeps every property code and final memory (every library model it applies to, every preset)', () => {
  const options: CheckOptions = { properties: ['all'] };
  const applying = libraryModels.filter(([, ir]) => cpuSymmetryApplies(ir).applies);
  it('applies to the models that never tell CPUs apart', () => {
    expect(applying.map(([name]) => name)).toEqual(['percpu-counter 2x1+1', 'percpu-counter 3x1', 'plain-counter 2x1', 'selftest -T s', 'selftest -T i', 'gallery syscall-migrated-619']);
  });
  for (const [name, ir] of applying) {
    for (const { name: preset } of presetDefs) {
      it(`${name} under ${preset}`, () => {
        const pol = resolvePolicy(preset, []);
        const constants = { threads: ir.threads.length, ops: 1, cpus: ir.cpus.length, signals: 1 };
        const reduced = buildSystem(ir, pol, { ...options, constants });
        expect(reduced.cpuSymmetric).toBe(true);
        const red = outcomes(reduced, canonical);
        const without = outcomes(buildSystem(ir, pol, { ...options, constants, disable: ['cpu-symmetry'] }), canonical);
        expect(red.codes).toEqual(without.codes);
        expect(red.finals).toEqual(without.finals);
        expect(red.states).toBeLessThanOrEqual(without.states);
      });
    }
  }
});

describe('cpu-symmetry counterexamples are real executions', () => {
  it('percpu-counter without the migration abort: the shortest violation, on real CPUs, replays unreduced', async () => {
    const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
    const options = { policy: 'linux-6.3', knobs: ['abortOnMigrate=false'], constants: counter.constants, search: 'bfs' } as const;
    const r = await checkModel(counter.ir, options);
    const without = await checkModel(counter.ir, { ...options, disable: ['cpu-symmetry'] });
    expect(r.verdict === 'violation' && [r.property, r.path.choices.length]).toEqual(['G1-atomicity', without.verdict === 'violation' && without.path.choices.length]);
    if (r.verdict !== 'violation') return;
    const concrete = buildSystem(counter.ir, resolvePolicy('linux-6.3', ['abortOnMigrate=false']), { constants: counter.constants, symmetry: false });
    const last = replay(concrete, r.path.choices).at(-1)!.state;
    expect(concrete.codeName(concrete.inspect(last) || concrete.terminal(last))).toBe('G1-atomicity');
  });

  it('the shortest lost update, concretized to real CPUs, replays in the unreduced system', async () => {
    const ir = sharedCounter(['C0', 'C1']);
    const r = await checkModel(ir, { policy: 'linux-6.3', search: 'bfs' });
    expect(r.verdict === 'violation' && r.property).toBe('sum');
    if (r.verdict !== 'violation') return;
    const without = await checkModel(ir, { policy: 'linux-6.3', search: 'bfs', disable: ['cpu-symmetry'] });
    expect(without.verdict === 'violation' && without.path.choices.length).toBe(r.path.choices.length);
    // The trace is the one of the system without symmetries (run/check.ts concretizes it).
    const concrete = buildSystem(ir, resolvePolicy('linux-6.3', []), { symmetry: false });
    const last = replay(concrete, r.path.choices).at(-1)!.state;
    expect(concrete.codeName(concrete.inspect(last) || concrete.terminal(last))).toBe('sum');
  });
});

/**
 * Small generated CPU-blind models: 2 CPUs, 1-2 threads placed on either, each running an rseq
 * critical section with a generated body on shared memory (no CPU ID read), an optional
 * signal handler, a budget of 0 or 1 of every event kind, any preset.
 */
const bodyInstr = fc.constantFrom<InstructionInput>(I.nop(), I.mov('r2', 'r1'), I.add('r1', 1), I.load('r2', { var: 'shared' }), I.addm({ var: 'shared' }, 1));
const budget = fc.constantFrom(0, 1);
const blindModel = fc
  .record({
    body: fc.array(bodyInstr, { maxLength: 3 }),
    threads: fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 1 }), handler: fc.boolean() }), { minLength: 1, maxLength: 2 }),
    budgets: fc.record({ preemptions: budget, migrations: budget, signals: budget, interrupts: budget, traps: budget }),
    preset: fc.constantFrom(...presetDefs.map((d) => d.name)),
  })
  .map((g) => {
    const b = new ModelBuilder('generated').cpus(2).memory('x', { max: 7 }).memory('shared', { max: 7 });
    b.program('worker', rseqOnX(g.body));
    b.program('handler', [I.addm({ var: 'shared' }, 1), I.sigreturn()]);
    for (const t of g.threads) b.thread({ program: 'worker', cpu: `C${t.cpu}`, ...(t.handler ? { handler: 'handler' } : {}) });
    return { ir: compile(b.budgets(g.budgets).final('sum', 'x + shared >= 1').build()), preset: g.preset };
  });

describe('cpu-symmetry on generated CPU-blind models (fast-check)', () => {
  it('keeps every reachable property code and final memory', () => {
    fc.assert(
      fc.property(blindModel, ({ ir, preset }) => {
        const pol = resolvePolicy(preset, []);
        const reduced = buildSystem(ir, pol, { properties: ['all'] });
        expect(reduced.cpuSymmetric).toBe(true);
        const full = outcomes(buildSystem(ir, pol, { properties: ['all'], reduce: false, symmetry: false }), canonical);
        const red = outcomes(reduced, canonical);
        expect(red.codes).toEqual(full.codes);
        expect(red.finals).toEqual(full.finals);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});
