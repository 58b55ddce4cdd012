/**
 * The partial-order reductions (fused local instructions, floating ready threads) against the
 * unreduced system, state space by state space: the same property codes are reachable (every
 * violation and flag, checked or not), and the same memory contents are possible when every
 * thread has finished. The reduced space must also be smaller where the reductions apply.
 * Each named reduction (reductionNames) is also compared on every library, gallery, seed and
 * selftest model under every kernel preset where it applies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import { addv, criticalSection } from '../../models/library/librseq/primitives.js';
import { buildSystem, resolvePolicy, type CheckOptions } from '../../run/check.js';
import type { ModelIR } from '../../models/ir/types.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { selftestScenarios } from '../../models/library/selftests/scenarios.js';
import { resolveModel } from '../../models/library/resolve.js';
import { presetDefs } from '../../models/kernel/presets.js';
import { reductionNames } from '../../models/system/reductions.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';

const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1']);
const quiet = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
const three = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=0']);
const plain = resolveModel('plain-counter', ['threads=2', 'ops=1']);
const REDUCED_COUNTER = 1_758;
// 310 before the seed S10 rows, whose 30 pairs under the 4.18-6.18 presets (tracer models) take the named reductions too;
// 579 with dead-rseq-cs, which also applies under 6.19+; 596 with gallery mm-cid-racy-handover (every preset but b@4.18);
// 678 with jump-threading, which applies wherever the fused instructions do.
const APPLIED_PAIRS = 678;
const cases: [string, ModelIR, string, string[]][] = [
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.3', ['abortOnMigrate=false']],
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.19', ['abortOnSignal=false']],
  ['percpu-counter 2x1', quiet.ir, 'linux-6.19', ['abortOnMigrate=false']],
  ['percpu-counter 3x1', three.ir, 'linux-6.3', []],
  ['plain-counter 2x1', plain.ir, 'linux-6.3', []],
  // Without generic IRQ entry the exit work always checks the c.s., so ids_changed is invisible
  // even without user_irq (canonical.ts idsChangeInvisible).
  ['plain-counter 2x1', plain.ir, 'linux-6.19', ['genericIrqEntry=false']],
  ...selftestScenarios
    .filter((s) => ['s', 'i', 'l'].includes(s.id))
    .map((s) => [`selftest -T ${s.id}`, compile(s.build()), 'linux-4.18', ['abortOnPreempt=false']] as [string, ModelIR, string, string[]]),
  // Cheap, and some (S10 under 6.19+) are not compared below, where no named reduction applies.
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build()), 'linux-6.19', []] as [string, ModelIR, string, string[]]),
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build()), "c'@4.18", []] as [string, ModelIR, string, string[]]),
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build()), 'linux-7.1-v2', []] as [string, ModelIR, string, string[]]),
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model), g.policy, g.bugKnobs] as [string, ModelIR, string, string[]]),
];

// Plain presets of the counter and selftest models are left to the every-preset comparison below,
// which runs the same explorations with the same options (percpu-counter 3x1 excepted: below it is
// compared with the named reductions off, here with the unreduced system).
describe('partial-order reductions keep every reachable property code and final memory', () => {
  for (const [name, model, policy, knobs] of cases) {
    it(`${name} under ${policy}${knobs.length ? ` + ${knobs.join(' ')}` : ''}`, () => {
      const options: CheckOptions = { properties: ['all'], symmetry: false, constants: { threads: model.threads.length, ops: 1, cpus: model.cpus.length, signals: 1 } };
      const pol = resolvePolicy(policy, knobs);
      const full = outcomes(buildSystem(model, pol, { ...options, reduce: false }));
      const reduced = outcomes(buildSystem(model, pol, { ...options, reduce: true }));
      expect(reduced.codes).toEqual(full.codes);
      expect(reduced.finals).toEqual(full.finals);
      expect(reduced.states).toBeLessThanOrEqual(full.states);
    });
  }

  it('shrinks percpu-counter several-fold', () => {
    const options: CheckOptions = { symmetry: false, constants: counter.constants };
    const pol = resolvePolicy('linux-6.3', []);
    const full = outcomes(buildSystem(counter.ir, pol, { ...options, reduce: false }));
    const reduced = outcomes(buildSystem(counter.ir, pol, { ...options, reduce: true }));
    // 107-fold today (24.6-fold before cpu-compare-prefix, 21.0-fold before quiet-exit, 16.2-fold before jump-threading; 3.9-fold without the named reductions); the exact counts, so that a lost or a new reduction shows.
    expect([full.states, reduced.states]).toEqual([188_726, REDUCED_COUNTER]);
    const withoutNamed = outcomes(buildSystem(counter.ir, pol, { ...options, disable: [...reductionNames] }));
    expect(withoutNamed.states).toBe(48_586);
  });

  it('merges a raised ids_changed on an arch without generic IRQ entry (plain-counter 2x1, 6.19)', () => {
    const pol = resolvePolicy('linux-6.19', ['genericIrqEntry=false']);
    const options: CheckOptions = { symmetry: false, constants: plain.constants };
    // 798 while the merge required user_irq, which such an arch never sets.
    expect(outcomes(buildSystem(plain.ir, pol, options)).states).toBe(378);
  });
});

/** Every model of the library, gallery, seed and selftest sets (small parameters). */
const everyModel: [string, ModelIR][] = [
  ['percpu-counter 2x1+1', counter.ir],
  ['percpu-counter 3x1', three.ir],
  ['plain-counter 2x1', plain.ir],
  ...selftestScenarios.map((s) => [`selftest -T ${s.id}`, compile(s.build())] as [string, ModelIR]),
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build())] as [string, ModelIR]),
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model)] as [string, ModelIR]),
];

describe('the named reductions keep every reachable property code and final memory (every model, every preset)', () => {
  const options: CheckOptions = { properties: ['all'], symmetry: false };
  let applied = 0;
  for (const [name, model] of everyModel) {
    for (const { name: preset } of presetDefs) {
      const pol = resolvePolicy(preset, []);
      const constants = { threads: model.threads.length, ops: 1, cpus: model.cpus.length, signals: 1 };
      const reduced = buildSystem(model, pol, { ...options, constants });
      if (!reduced.deadEvents && !reduced.abortPending && !reduced.deadRseqCs && !reduced.jumpThreading && !reduced.quietExit && !reduced.cpuComparePrefix) continue;
      applied++;
      it(`${name} under ${preset}`, () => {
        // percpu-counter 3x1 unreduced outgrows a differential test under 6.19+ (over 3 M
        // states): there the named reductions are compared with the other reductions alone.
        // On the peer question's models the named reductions must also never grow the space;
        // elsewhere that third exploration would cost a third of this file's time for a
        // performance check, so the others are held to the unreduced count only.
        const peer = name.startsWith('percpu-counter');
        const without = peer ? outcomes(buildSystem(model, pol, { ...options, constants, disable: [...reductionNames] })) : undefined;
        const full = name === 'percpu-counter 3x1' && without ? without : outcomes(buildSystem(model, pol, { ...options, constants, reduce: false }));
        const red = outcomes(reduced);
        expect(red.codes).toEqual(full.codes);
        expect(red.finals).toEqual(full.finals);
        expect(red.states).toBeLessThanOrEqual((without ?? full).states);
      });
    }
  }
  it('applies to the models it was made for', () => expect(applied).toBe(APPLIED_PAIRS));
});

/** A short instruction for the body of a generated critical section. */
const bodyInstr = fc.constantFrom<InstructionInput>(I.nop(), I.mov('r2', 'r1'), I.add('r1', 1), I.add('r2', 1), I.load('r2', { var: 'v', index: 'r0' }), I.addm({ var: 'shared' }, 1));
const budget = fc.constantFrom(0, 1, 2);

/**
 * Small generated models: 1-2 CPUs, 1-3 threads running one of two programs (a critical section
 * with a generated body that ends in a commit store, then maybe a second one or a local tail),
 * an optional signal handler, small budgets of every event kind.
 */
const smallModel = fc
  .record({
    cpus: fc.integer({ min: 1, max: 2 }),
    bodies: fc.array(fc.array(bodyInstr, { maxLength: 3 }), { minLength: 1, maxLength: 2 }),
    second: fc.boolean(),
    threads: fc.array(fc.record({ program: fc.integer({ min: 0, max: 1 }), cpu: fc.integer({ min: 0, max: 1 }), handler: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    budgets: fc.record({ preemptions: budget, migrations: budget, signals: fc.constantFrom(0, 1), interrupts: fc.constantFrom(0, 1), traps: fc.constantFrom(0, 1) }),
    preset: fc.constantFrom(...presetDefs.map((d) => d.name)),
  })
  .map((g) => {
    const b = new ModelBuilder('generated').cpus(g.cpus).memory('v', { size: 'percpu', max: 7 }).memory('shared', { max: 7 });
    g.bodies.forEach((body, i) => {
      const cs = criticalSection(`p${i}`, seq(...body, I.store({ var: 'v', index: 'r0' }, 'r1')), g.second ? `p${i}_again_retry` : `p${i}_out`);
      const tail = g.second ? seq(addv(`p${i}_again`, 'v', 1, { next: `p${i}_out` }), I.done({ label: `p${i}_out` })) : seq(I.mov('r2', 0), I.done({ label: `p${i}_out` }));
      b.program(`w${i}`, seq(cs, tail));
    });
    b.program('handler', [I.addm({ var: 'shared' }, 1), I.sigreturn()]);
    for (const t of g.threads) b.thread({ program: `w${Math.min(t.program, g.bodies.length - 1)}`, cpu: `C${t.cpu % g.cpus}`, ...(t.handler ? { handler: 'handler' } : {}) });
    return { ir: compile(b.budgets(g.budgets).final('sum', 'sum(v) >= 0').build()), preset: g.preset };
  });

describe('reductions on generated small models (fast-check)', () => {
  it('keep every reachable property code and final memory', () => {
    fc.assert(
      fc.property(smallModel, ({ ir, preset }) => {
        const pol = resolvePolicy(preset, []);
        const full = outcomes(buildSystem(ir, pol, { properties: ['all'], reduce: false, symmetry: false }));
        const reduced = outcomes(buildSystem(ir, pol, { properties: ['all'] }));
        expect(reduced.codes).toEqual(full.codes);
        expect(reduced.finals).toEqual(full.finals);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});
