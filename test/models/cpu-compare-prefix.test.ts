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
import { gallery } from '../../models/library/gallery/entries.js';
import { compile } from './semantics-helpers.js';
import { outcomes, withAndWithout } from './reachable-outcomes.js';

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

  /**
   * librseq's increment with one thing changed (each row changes one): the prefix is fused only
   * in the first row. Labels: c_retry (p), c_start (p+2), c_post, c_abort.
   */
  describe('the pattern test, one change at a time', () => {
    const cs = (desc: Record<string, unknown> = {}) => ({ code: [], descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort', ...desc } } });
    const tail = (abort: readonly InstructionInput[] = [I.jmp('c_retry', { label: 'c_abort' })]) => [I.addm({ var: 'x', index: 'r0' }, 1), I.jmp('end', { label: 'c_post' }), ...abort];
    const shape = (head: readonly InstructionInput[], opts: { abort?: readonly InstructionInput[]; desc?: Record<string, unknown> } = {}) => seq(...head, ...tail(opts.abort), cs(opts.desc));
    const retry = I.readId('r0', 'cpu_id_start', { label: 'c_retry' });
    const arm = I.arm('c_cs');
    const start = I.readId('r3', 'cpu_id', { label: 'c_start' });
    const compare = I.br('ne', 'r3', 'r0', 'c_abort');
    const rows: [string, ReturnType<typeof seq>, boolean][] = [
      ['librseq as written', shape([retry, arm, start, compare]), true],
      ['the compare branches to the post label, whose jmp retries', seq(retry, arm, start, I.br('ne', 'r3', 'r0', 'c_post'), I.addm({ var: 'x', index: 'r0' }, 1), I.jmp('c_retry', { label: 'c_post' }), I.jmp('c_retry', { label: 'c_abort' }), cs()), true],
      ['p reads cpu_id', shape([I.readId('r0', 'cpu_id', { label: 'c_retry' }), arm, start, compare]), false],
      ['p is no read (the CPU comes from elsewhere)', shape([I.mov('r0', 0, { label: 'c_retry' }), arm, start, compare]), false],
      ['no arm between the reads', shape([arm, retry, I.nop(), start, compare]), false],
      // d_cs covers the abort handler's jmp: its own range has no such prefix.
      ['the arm is of another descriptor', seq(shape([retry, I.arm('d_cs'), start, compare]), { code: [], descriptors: { d_cs: { start: 'c_abort', postCommit: 'end', abort: 'c_retry' } } }), false],
      ['start_ip reads cpu_id_start', shape([retry, arm, I.readId('r3', 'cpu_id_start', { label: 'c_start' }), compare]), false],
      ['start_ip reads into the same register', shape([retry, arm, I.readId('r0', 'cpu_id', { label: 'c_start' }), I.br('ne', 'r0', 'r0', 'c_abort')]), false],
      ['the compare is no branch', shape([retry, arm, start, I.jmp('c_abort')]), false],
      ['the branch is taken on equality', shape([retry, arm, start, I.br('eq', 'r3', 'r0', 'c_abort')]), false],
      ['it compares r0 with r1', shape([retry, arm, start, I.br('ne', 'r1', 'r0', 'c_abort')]), false],
      ['it compares r3 with r1', shape([retry, arm, start, I.br('ne', 'r3', 'r1', 'c_abort')]), false],
      ['a mismatch gives up (the branch leaves for the end)', shape([retry, arm, start, I.br('ne', 'r3', 'r0', 'end')]), false],
      ['it compares r3 with a constant', shape([retry, arm, start, I.br('ne', 'r3', 0, 'c_abort')]), false],
      ['the range ends at start_ip', seq(retry, arm, start, I.jmp('c_post_x', { label: 'c_post' }), I.jmp('c_retry', { label: 'c_abort' }), I.addm({ var: 'x', index: 'r0' }, 1, { label: 'c_post_x' }), { code: [], descriptors: { c_cs: { start: 'c_start', postCommit: 'c_post', abort: 'c_abort' } } }), false],
      ['the branch target is inside the range', seq(retry, arm, start, I.br('ne', 'r3', 'r0', 'c_in'), I.jmp('c_commit'), I.jmp('c_retry', { label: 'c_in' }), I.addm({ var: 'x', index: 'r0' }, 1, { label: 'c_commit' }), I.jmp('end', { label: 'c_post' }), I.jmp('c_retry', { label: 'c_abort' }), cs()), false],
      ['the branch target jumps on in a cycle that misses p', shape([retry, arm, start, I.br('ne', 'r3', 'r0', 'spin')], { abort: [I.jmp('c_retry', { label: 'c_abort' }), I.jmp('spin', { label: 'spin' })] }), false],
      ['abort_ip reads r0 before it retries', shape([retry, arm, start, I.br('ne', 'r3', 'r0', 'c_again')], { abort: [I.addm({ var: 'x', index: 'r0' }, 0, { label: 'c_abort' }), I.jmp('c_retry', { label: 'c_again' })] }), false],
      ['the descriptor fails validation (another signature)', shape([retry, arm, start, compare], { desc: { signature: 7 } }), false],
      ['the registers swapped: cpu_id_start into r3, cpu_id into r0', shape([I.readId('r3', 'cpu_id_start', { label: 'c_retry' }), arm, I.readId('r0', 'cpu_id', { label: 'c_start' }), I.br('ne', 'r0', 'r3', 'c_abort')]), true],
      ['the compare branches straight to p', shape([retry, arm, start, I.br('ne', 'r3', 'r0', 'c_retry')]), true],
      ['p is no read, and r3 is compared with r1', shape([I.mov('r1', 0, { label: 'c_retry' }), arm, start, I.br('ne', 'r3', 'r1', 'c_abort')]), false],
      ['p is no read, and r3 is compared with a constant', shape([I.mov('r0', 0, { label: 'c_retry' }), arm, start, I.br('ne', 'r3', 0, 'c_abort')]), false],
      ['start_ip is no read, and r0 is compared with a constant', shape([retry, arm, I.mov('r3', 0, { label: 'c_start' }), I.br('ne', 'r0', 0, 'c_abort')]), false],
      ['cpu_id_start read into r1, r3 compared with the constant 1', shape([I.readId('r1', 'cpu_id_start', { label: 'c_retry' }), arm, start, I.br('ne', 'r3', 1, 'c_abort')]), false],
      ['the range is start_ip alone, the compare right after it', seq(retry, arm, start, I.br('ne', 'r3', 'r0', 'c_abort', { label: 'c_post' }), I.addm({ var: 'x', index: 'r0' }, 1), I.jmp('end'), I.jmp('c_retry', { label: 'c_abort' }), cs()), false],
      ['start_ip is the second instruction (nothing before the arm)', seq(arm, start, compare, I.addm({ var: 'x', index: 'r0' }, 1), I.jmp('end', { label: 'c_post' }), I.jmp('c_start', { label: 'c_abort' }), cs()), false],
    ];
    for (const [name, code, fused] of rows) {
      it(`${name}: ${fused ? 'fused' : 'not fused'}`, () => {
        const ir = oneIncrement(code);
        const sys = buildSystem(ir, pol, {});
        const d = ir.descriptors[0]!;
        // The arm is fused by this reduction alone; start_ip too where it reads an ID (a mov
        // there may be fused by local fusion).
        expect(sys.fusedAt(0, d.start - 1)).toBe(fused);
        if (fused || ir.programs[0]!.code[d.start]!.op === 'read_id') expect(sys.fusedAt(0, d.start)).toBe(fused);
      });
    }

    it('another program with the same code but no descriptor of its own is not fused', () => {
      const b = new ModelBuilder('two').cpus(2).memory('x', { size: 'percpu', max: 3 });
      b.program('main', seq(librseqIncrement, I.done({ label: 'end' })));
      // The copy's compare branches back to its own read: only the descriptor's program tells them apart.
      b.program('copy', [I.readId('r0', 'cpu_id_start', { label: 'again' }), I.arm('c_cs'), I.readId('r3', 'cpu_id'), I.br('ne', 'r3', 'r0', 'again'), I.done()]);
      b.thread({ program: 'main', cpu: 'C0' }).thread({ program: 'copy', cpu: 'C1' });
      const sys = buildSystem(compile(b.budgets({ preemptions: 1, migrations: 1 }).build()), pol, {});
      expect([sys.fusedAt(0, 1), sys.fusedAt(1, 1), sys.fusedAt(1, 2)]).toEqual([true, false, false]);
    });
  });

  it('applies only where its argument holds: every thread registered, no write of cpu_id_start or cpu_id, no interruptible kernel work, the mask consumed only inside a c.s., stale descriptors dying, fusion on', () => {
    const applies = (ir: ModelIR, policy = pol, options: Parameters<typeof buildSystem>[2] = {}): boolean => buildSystem(ir, policy, options).cpuComparePrefix;
    expect(applies(oneIncrement(librseqIncrement))).toBe(true);
    // write_id of mm_cid leaves cpu_id_start and cpu_id alone.
    expect(applies(oneIncrement(seq(I.writeId('mm_cid', 1), librseqIncrement)))).toBe(true);
    expect(applies(oneIncrement(seq(I.writeId('cpu_id_start', 1), librseqIncrement)))).toBe(false);
    expect(applies(oneIncrement(seq(I.writeId('cpu_id', 1), librseqIncrement)))).toBe(false);
    // A write in any program counts, the signal handler's too.
    const b = new ModelBuilder('handler-writes').cpus(2).memory('x', { size: 'percpu', max: 3 });
    b.program('main', seq(librseqIncrement, I.done({ label: 'end' }))).program('handler', [I.writeId('cpu_id', 1), I.sigreturn()]);
    b.thread({ program: 'main', cpu: 'C0', handler: 'handler' });
    expect(applies(compile(b.budgets({ preemptions: 1, migrations: 1, signals: 1 }).build()))).toBe(false);
    const twoThreads = (registered: boolean): ModelIR => {
      const b = new ModelBuilder('reg').cpus(2).memory('x', { size: 'percpu', max: 3 });
      b.program('main', seq(librseqIncrement, I.done({ label: 'end' })));
      b.thread({ program: 'main', cpu: 'C0' }).thread({ program: 'main', cpu: 'C1', registered });
      return compile(b.budgets({ preemptions: 1, migrations: 1 }).build());
    };
    expect([applies(twoThreads(true)), applies(twoThreads(false))]).toEqual([true, false]);
    expect(applies(oneIncrement(librseqIncrement), resolvePolicy('linux-6.3', ['eventMaskClear=everyExit']))).toBe(false);
    expect(applies(oneIncrement(librseqIncrement), resolvePolicy('b@4.18', []))).toBe(false);
    expect(applies(oneIncrement(librseqIncrement), pol, { reduce: false })).toBe(false);
    expect(applies(oneIncrement(librseqIncrement), pol, { disable: ['cpu-compare-prefix'] })).toBe(false);
    // The racy event-mask clear (a membarrier IPI between reading and clearing it) is kernel work an IPI interrupts.
    const ipi = compile(gallery.find((g) => g.name === 'membarrier-ipi-lost-abort')!.model);
    expect([applies(ipi, resolvePolicy('linux-6.3', ['eventRMWAtomicVsIPI=true'])), applies(ipi, resolvePolicy('linux-6.3', ['eventRMWAtomicVsIPI=false']))]).toEqual([true, false]);
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
      const { on: on2, off: off2 } = withAndWithout(counter.ir, p, { constants: counter.constants, properties: ['all'] }, 'cpu-compare-prefix');
      expect([on2.codes, on2.finals]).toEqual([off2.codes, off2.finals]);
      expect(on2.states * 3).toBeLessThan(off2.states);
    });
  }

  it('takes the SPIN peer question (linux-6.3, ops=1 with every property here) from 22 948 to 4 005 states, the same codes and final memories', () => {
    const peer = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1', 'cpus=2']);
    const { on, off } = withAndWithout(peer.ir, pol, { constants: peer.constants, properties: ['all'] }, 'cpu-compare-prefix');
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
