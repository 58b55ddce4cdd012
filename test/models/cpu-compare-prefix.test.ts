/**
 * Reduction `cpu-compare-prefix` (models/system/reductions.ts cpuComparePrefixes): a critical
 * section that reads cpu_id_start, arms its descriptor, reads cpu_id and compares the two runs
 * those three instructions as one step. Worked by hand on a one-thread model, refused where its
 * argument does not hold (the unsound shapes keep their violations), then compared with the
 * unreduced system on the per-CPU counter under the kernels that break the abort.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { addv, criticalSection } from '../../models/library/librseq/primitives.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { resolveModel } from '../../models/library/resolve.js';
import { buildSystem } from '../../models/system/build.js';
import { decodeLabel, labelKindNames } from '../../models/system/labels.js';
import type { ModelIR } from '../../models/ir/types.js';
import type { InstructionInput } from '../../models/ir/schema.js';
import { decodeValue } from '../../models/kernel/encoding.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';

/** One thread on C0 of two CPUs incrementing x[cpu] once through `cs`, then done. */
function oneIncrement(cs: readonly InstructionInput[] | ReturnType<typeof seq>, extra: { knobsModel?: (b: ModelBuilder) => void } = {}): ModelIR {
  const b = new ModelBuilder('prefix').cpus(2).memory('x', { size: 'percpu', max: 2 });
  extra.knobsModel?.(b);
  b.program('main', seq(cs, I.done({ label: 'end' })));
  b.thread({ program: 'main', cpu: 'C0' });
  return compile(b.budgets({ preemptions: 'unbounded', migrations: 'unbounded' }).final('one', 'sum(x) == 1').build());
}

/** librseq's increment: r0 = cpu_id_start; arm; r3 = cpu_id; br ne r3 r0 -> abort; x[r0]++. */
const librseqIncrement = criticalSection('c', [I.addm({ var: 'x', index: 'r0' }, 1)], 'end');

describe('cpu-compare-prefix', () => {
  const pol = resolvePolicy('linux-6.3', []);

  it('runs the read of cpu_id_start, the arm and the read of cpu_id as one step, with both registers holding the CPU', () => {
    const ir = oneIncrement(librseqIncrement);
    const sys = buildSystem(ir, pol, {});
    expect(sys.cpuComparePrefix).toBe(true);
    // IPs: 0 read_id r0, 1 rseq_arm, 2 read_id r3 (start), 3 br, 4 addm (commit), 5 jmp end, 6 jmp retry, 7 done.
    expect([0, 1, 2, 3].map((ip) => sys.fusedAt(0, ip))).toEqual([false, true, true, false]);
    const s = new Int32Array(sys.stateWords);
    sys.initialStates(s, () => undefined);
    const out = new Int32Array(sys.stateWords);
    const after: { kind: string; ip: number; r0: number; r3: number; rseqCs: number }[] = [];
    const L = sys.layout;
    const k = sys.kernel;
    sys.successors(s, out, (label) => {
      const { kind } = decodeLabel(label);
      const f = L.frame(0, 0);
      after.push({ kind: labelKindNames[kind]!, ip: k.get(out, L.ip[f]!), r0: decodeValue(k.get(out, L.regs[f * L.registers]!)), r3: decodeValue(k.get(out, L.regs[f * L.registers + 3]!)), rseqCs: k.get(out, L.rseqCs[0]!) });
    });
    // The instruction step lands on the compare, armed, having read CPU 0 twice.
    expect(after.find((a) => a.kind === 'instruction')).toEqual({ kind: 'instruction', ip: 3, r0: 0, r3: 0, rseqCs: 1 });
    // Events are still explored before the first read.
    expect(after.map((a) => a.kind)).toContain('migrate');
    const off = buildSystem(ir, pol, { disable: ['cpu-compare-prefix'] });
    expect([1, 2].map((ip) => off.fusedAt(0, ip))).toEqual([false, false]);
    const [on, full] = [outcomes(sys), outcomes(buildSystem(ir, pol, { reduce: false }))];
    expect(on.codes).toEqual(full.codes);
    expect(on.finals).toEqual(full.finals);
    expect(on.states).toBeLessThan(outcomes(off).states);
  });

  it('refuses a section that indexes by a CPU read before its arm without comparing it: the migration in between stays, and so does the lost update', () => {
    // Two threads on one slot each: the stale index commits to the other CPU's slot.
    const unchecked = seq(
      I.readId('r0', 'cpu_id_start', { label: 'c_retry' }),
      I.arm('c_cs'),
      I.load('r1', { var: 'x', index: 'r0' }, { label: 'c_start' }),
      I.add('r1', 1),
      I.store({ var: 'x', index: 'r0' }, 'r1'),
      I.jmp('end', { label: 'c_post' }),
      I.jmp('c_retry', { label: 'c_abort' }),
      { code: [], descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort' } } },
    );
    const b = new ModelBuilder('unchecked').cpus(2).memory('x', { size: 'percpu', max: 3 });
    b.program('main', seq(unchecked, I.done({ label: 'end' })));
    b.thread({ program: 'main', cpu: 'C0' }).thread({ program: 'main', cpu: 'C1' });
    const ir = compile(b.budgets({ preemptions: 'unbounded', migrations: 'unbounded' }).final('two', 'sum(x) == 2').build());
    const sys = buildSystem(ir, pol, {});
    expect(sys.cpuComparePrefix).toBe(true);
    expect([1, 2].map((ip) => sys.fusedAt(0, ip))).toEqual([false, false]);
    const on = outcomes(sys);
    expect(on.finals).toContain('1,0');
    expect(on.codes).toEqual(outcomes(buildSystem(ir, pol, { reduce: false })).codes);
  });

  it('refuses a compare of other registers, an abort that does not lead back to the read, and a program that writes cpu_id', () => {
    const shapes: Record<string, ModelIR> = {
      'compare with r1': oneIncrement(
        seq(
          I.readId('r0', 'cpu_id_start', { label: 'c_retry' }),
          I.arm('c_cs'),
          I.readId('r3', 'cpu_id', { label: 'c_start' }),
          I.br('ne', 'r3', 'r1', 'c_abort'),
          I.addm({ var: 'x', index: 'r0' }, 1),
          I.jmp('end', { label: 'c_post' }),
          I.jmp('c_retry', { label: 'c_abort' }),
          { code: [], descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort' } } },
        ),
      ),
      'mismatch gives up': oneIncrement(
        seq(
          I.readId('r0', 'cpu_id_start', { label: 'c_retry' }),
          I.arm('c_cs'),
          I.readId('r3', 'cpu_id', { label: 'c_start' }),
          I.br('ne', 'r3', 'r0', 'end'),
          I.addm({ var: 'x', index: 'r0' }, 1),
          I.jmp('end', { label: 'c_post' }),
          I.jmp('c_retry', { label: 'c_abort' }),
          { code: [], descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort' } } },
        ),
      ),
    };
    for (const [name, ir] of Object.entries(shapes)) expect([name, [1, 2].map((ip) => buildSystem(ir, pol, {}).fusedAt(0, ip))]).toEqual([name, [false, false]]);
    const writesCpuId = oneIncrement(seq(I.writeId('cpu_id', 1), librseqIncrement));
    expect(buildSystem(writesCpuId, pol, {}).cpuComparePrefix).toBe(false);
  });

  it('does not apply under the 6.19 rework, nor with a NO_RESTART flag (the event mask then matters)', () => {
    const ir = oneIncrement(librseqIncrement);
    expect(buildSystem(ir, resolvePolicy('linux-6.19', []), {}).cpuComparePrefix).toBe(false);
    const flagged = oneIncrement(criticalSection('c', [I.addm({ var: 'x', index: 'r0' }, 1)], { next: 'end', flags: ['NO_RESTART_ON_SIGNAL'] }));
    expect(buildSystem(flagged, pol, {}).cpuComparePrefix).toBe(false);
  });

  const small = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1', 'cpus=2']);
  const counter = resolveModel('percpu-counter', ['threads=2', 'ops=2', 'signals=1', 'cpus=2']);
  for (const knobs of [[], ['abortOnMigrate=false'], ['abortOnSignal=false'], ['abortOnPreempt=false'], ['abortOnMigrate=false', 'abortOnSignal=false']]) {
    it(`percpu-counter under linux-6.3${knobs.length ? ` + ${knobs.join(' ')}` : ''}: 2x1+1 the same codes and final memories as the unreduced system; 2x2+1 as without it, in a third of the states or fewer`, () => {
      const p = resolvePolicy('linux-6.3', knobs);
      const on = outcomes(buildSystem(small.ir, p, { constants: small.constants, properties: ['all'] }));
      const full = outcomes(buildSystem(small.ir, p, { constants: small.constants, properties: ['all'], reduce: false, symmetry: false }));
      expect([on.codes, on.finals]).toEqual([full.codes, full.finals]);
      const options = { constants: counter.constants, properties: ['all'] };
      const on2 = outcomes(buildSystem(counter.ir, p, options));
      const off2 = outcomes(buildSystem(counter.ir, p, { ...options, disable: ['cpu-compare-prefix'] }));
      expect([on2.codes, on2.finals]).toEqual([off2.codes, off2.finals]);
      expect(on2.states * 3).toBeLessThan(off2.states);
    });
  }

  it('takes the SPIN peer question (linux-6.3, ops=1 with every property here) from 22 948 to 4 005 states, the same codes and final memories', () => {
    const peer = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1', 'cpus=2']);
    const options = { constants: peer.constants, properties: ['all'] };
    const on = outcomes(buildSystem(peer.ir, pol, options));
    const off = outcomes(buildSystem(peer.ir, pol, { ...options, disable: ['cpu-compare-prefix'] }));
    expect(on.codes).toEqual(off.codes);
    expect(on.finals).toEqual(off.finals);
    expect([off.states, on.states]).toEqual([22_948, 4_005]);
  });

  it('keeps every reachable code and final memory on generated models under the kernels that break an abort (fast-check)', () => {
    const knob = fc.constantFrom('abortOnMigrate=false', 'abortOnSignal=false', 'abortOnPreempt=false', 'abortOnTrap=false');
    const body = fc.constantFrom<InstructionInput>(I.nop(), I.add('r1', 1), I.load('r2', { var: 'v', index: 'r0' }), I.addm({ var: 'shared' }, 1));
    let applied = 0;
    fc.assert(
      fc.property(
        fc.record({
          body: fc.array(body, { maxLength: 2 }),
          second: fc.boolean(),
          // Two threads, or one whose signal handler increments too: the unreduced system stays small.
          threads: fc.oneof(
            fc.constant([{ cpu: 0, handler: true }]),
            fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })).map(([a, c]) => [{ cpu: a, handler: false }, { cpu: c, handler: false }]),
          ),
          budgets: fc.record({ preemptions: fc.constantFrom(0, 1), migrations: fc.constantFrom(1, 2), signals: fc.constantFrom(0, 1), interrupts: fc.constantFrom(0, 1), traps: fc.constantFrom(0, 1) }),
          preset: fc.constantFrom('linux-4.18', 'linux-5.5', 'linux-6.3', 'linux-6.15'),
          knobs: fc.uniqueArray(knob, { maxLength: 2 }),
        }),
        (g) => {
          const b = new ModelBuilder('generated').cpus(2).memory('v', { size: 'percpu', max: 5 }).memory('shared', { max: 5 });
          const first = criticalSection('p', seq(...g.body, I.load('r1', { var: 'v', index: 'r0' }), I.add('r1', 1), I.store({ var: 'v', index: 'r0' }, 'r1')), g.second ? 'q_retry' : 'out');
          b.program('main', seq(first, ...(g.second ? [addv('q', 'v', 1, { next: 'out' })] : []), I.done({ label: 'out' })));
          b.program('handler', seq(addv('h', 'v', 1, { next: 'h_out' }), I.sigreturn({ label: 'h_out' })));
          for (const t of g.threads) b.thread({ program: 'main', cpu: `C${t.cpu}`, ...(t.handler ? { handler: 'handler' } : {}) });
          const ir = compile(b.budgets(g.budgets).final('sum', 'sum(v) >= 0').build());
          const p = resolvePolicy(g.preset, g.knobs);
          const sys = buildSystem(ir, p, { properties: ['all'] });
          if (sys.cpuComparePrefix) applied++;
          const on = outcomes(sys);
          const full = outcomes(buildSystem(ir, p, { properties: ['all'], reduce: false, symmetry: false }));
          expect([on.codes, on.finals]).toEqual([full.codes, full.finals]);
        },
      ),
      { numRuns: 30, seed: 16 },
    );
    expect(applied).toBe(30);
  });
});
