/**
 * The `dead-rseq-cs` reduction: a stale rseq_cs reads as 0 where every path overwrites it before
 * the IP can enter its range. Hand-worked tables and verdicts; the differential comparison on
 * every model and preset is in reductions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { resolveModel } from '../../models/library/resolve.js';
import { deadStaleDescriptors, descriptorRangeMasks, staleRseqCsCanDie } from '../../models/system/reductions.js';
import { buildSystem, resolvePolicy } from '../../run/check.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';

/**
 * One thread, one CPU, one preemption. After its first commit the thread branches back to the
 * range start without rseq_arm (against U1), so its stale rseq_cs still protects the second
 * pass: a preemption there aborts, and the abort handler counts `late` when x is already 1.
 * Clearing rseq_cs at the first post-commit IP would make late = 1 unreachable.
 */
function reentryModel(): ReturnType<typeof compile> {
  const b = new ModelBuilder('reentry').cpus(1).memory('x', { max: 3 }).memory('late', { max: 3 });
  b.program(
    'worker',
    seq(
      I.arm('cs', { label: 'arm' }),
      I.nop({ label: 'start' }),
      I.addm({ var: 'x' }, 1),
      I.load('r1', { var: 'x' }, { label: 'post' }),
      I.br('lt', 'r1', 2, 'start'),
      I.done(),
      I.load('r1', { var: 'x' }, { label: 'abort' }),
      I.br('eq', 'r1', 0, 'arm'),
      I.addm({ var: 'late' }, 1),
      I.jmp('arm'),
      { code: [], descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } } },
    ),
  );
  b.thread({ program: 'worker', cpu: 'C0' });
  return compile(b.budgets({ preemptions: 1 }).build());
}

describe('dead-rseq-cs', () => {
  it('finds the descriptor live on the path that re-enters its range without rseq_arm', () => {
    const ir = reentryModel();
    const dead = deadStaleDescriptors(ir, descriptorRangeMasks(ir));
    // arm, start, commit, post (load), br back to start, done, abort: load, br, addm, jmp; one past the end.
    expect(Array.from(dead[0]!)).toEqual([1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps the late abort of the re-entered range reachable', () => {
    const ir = reentryModel();
    const pol = resolvePolicy('linux-6.3', []);
    const reduced = buildSystem(ir, pol, {});
    expect(reduced.deadRseqCs).toBe(true);
    const red = outcomes(reduced);
    const full = outcomes(buildSystem(ir, pol, { reduce: false }));
    // memory: x, late. No preemption, one in the first pass, one in the second.
    expect(red.finals.sort()).toEqual(['2,0', '2,1']);
    expect(red.finals).toEqual(full.finals.sort());
    expect(red.codes).toEqual(full.codes);
  });

  it('clears the stale rseq_cs of percpu-counter after each commit and in the handler', () => {
    const { ir } = resolveModel('percpu-counter', ['threads=3', 'ops=2', 'signals=1', 'cpus=2']);
    const dead = deadStaleDescriptors(ir, descriptorRangeMasks(ir));
    // Descriptors inc0 (bit 1), inc1 (bit 2), h (bit 4). The worker: read_id, arm, inc0's range
    // (read_id, br, load, add, store), post and abort jumps; the same for inc1; done.
    expect(Array.from(dead[0]!)).toEqual([7, 7, 6, 6, 6, 6, 6, 7, 7, 7, 7, 5, 5, 5, 5, 5, 7, 7, 7, 7]);
    // The handler: its range (bit 4) only, then addm and sigreturn.
    expect(Array.from(dead[1]!)).toEqual([7, 7, 3, 3, 3, 3, 3, 7, 7, 7, 7, 7]);
  });

  it('takes the SPIN peer question from 249 874 to 150 489 states (linux-6.3)', { timeout: 120_000 }, () => {
    const { ir, constants } = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1', 'cpus=2']);
    const pol = resolvePolicy('linux-6.3', []);
    // ops=1 here to stay quick: 24 264 -> 15 817 states, the same codes and final memories
    // (without quiet-exit and cpu-compare-prefix, which came after it and are measured in their own tests).
    const on = outcomes(buildSystem(ir, pol, { constants, disable: ['quiet-exit', 'cpu-compare-prefix'] }));
    const off = outcomes(buildSystem(ir, pol, { constants, disable: ['dead-rseq-cs', 'quiet-exit', 'cpu-compare-prefix'] }));
    expect([off.states, on.states]).toEqual([24_264, 15_817]);
    expect(on.codes).toEqual(off.codes);
    expect(on.finals).toEqual(off.finals);
  });

  it('is off where the kernel reads rseq_cs as a pointer (policy b) or an area can be reset', () => {
    const { ir } = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
    expect(staleRseqCsCanDie(ir, resolvePolicy('b@4.18', []))).toBe(false);
    expect(staleRseqCsCanDie(ir, resolvePolicy('c@4.18', []))).toBe(true);
    const b = new ModelBuilder('reregister').cpus(1).memory('x', { max: 1 });
    b.program('worker', seq(I.syscall('rseq_unregister'), I.syscall('rseq_register'), I.done()));
    b.thread({ program: 'worker', cpu: 'C0' });
    expect(staleRseqCsCanDie(compile(b.build()), resolvePolicy('linux-6.3', []))).toBe(false);
  });

  it('under policy b, a syscall after the commit still kills: the stale rseq_cs is kept', () => {
    const b = new ModelBuilder('syscall-after-commit').cpus(1).memory('x', { max: 1 });
    b.program(
      'worker',
      seq(
        I.arm('cs', { label: 'retry' }),
        I.addm({ var: 'x' }, 1, { label: 'start' }),
        I.syscall('getpid', { label: 'post' }),
        I.done(),
        I.jmp('retry', { label: 'abort' }),
        { code: [], descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } } },
      ),
    );
    b.thread({ program: 'worker', cpu: 'C0' });
    const ir = compile(b.build());
    const sys = buildSystem(ir, resolvePolicy('b@4.18', []), { properties: ['all'] });
    expect(sys.deadRseqCs).toBe(false);
    const full = outcomes(buildSystem(ir, resolvePolicy('b@4.18', []), { properties: ['all'], reduce: false }));
    // b kills at getpid for the rseq_cs left set after the commit: a false kill.
    expect(full.codes).toEqual(['G2-no-false-kill']);
    expect(outcomes(sys).codes).toEqual(full.codes);
    // c checks the IP instead: there the reduction clears the stale rseq_cs, and nothing fires.
    const byIp = buildSystem(ir, resolvePolicy('c@4.18', []), { properties: ['all'] });
    expect(byIp.deadRseqCs).toBe(true);
    expect(outcomes(byIp).codes).toEqual([]);
  });
});
