/**
 * Reduction `quiet-exit` (models/system/reductions.ts quietExitApplies): a running thread whose
 * next instruction is its final `done`, with no rseq_cs in its area, is not preempted, migrated,
 * interrupted or trapped there; a signal still is. Worked by hand on one-instruction programs,
 * then on the SPIN peer question.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { criticalSection } from '../../models/library/librseq/primitives.js';
import type { ReductionName } from '../../models/system/reductions.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { resolveModel } from '../../models/library/resolve.js';
import { buildSystem } from '../../models/system/build.js';
import { decodeLabel, labelKindNames } from '../../models/system/labels.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import type { ModelIR } from '../../models/ir/types.js';
import { compile } from './semantics-helpers.js';
import { outcomes } from './reachable-outcomes.js';

/** The labels (kind and thread) of the initial state's successors. */
function firstLabels(sys: RseqSystem): string[] {
  const s = new Int32Array(sys.stateWords);
  sys.initialStates(s, () => undefined);
  const out = new Int32Array(sys.stateWords);
  const labels: string[] = [];
  sys.successors(s, out, (label) => {
    const { kind, thread } = decodeLabel(label);
    labels.push(`${labelKindNames[kind]} T${thread + 1}`);
  });
  return [...new Set(labels)];
}

/** One thread on C0 of two CPUs, its program `code`, with or without a signal handler. */
function oneThread(code: Parameters<ModelBuilder['program']>[1], handler: boolean): ModelIR {
  const b = new ModelBuilder('exit').cpus(2).memory('x', { max: 2 }).program('main', code);
  if (handler) b.program('handler', [I.addm({ var: 'x' }, 1), I.sigreturn()]);
  b.thread({ program: 'main', cpu: 'C0', ...(handler ? { handler: 'handler' } : {}) });
  return compile(b.budgets({ preemptions: 'unbounded', migrations: 'unbounded', signals: handler ? 1 : 0, interrupts: 1 }).build());
}

describe('quiet-exit', () => {
  const pol = resolvePolicy('linux-6.3', []);

  it('explores only the exit before a final done: no preemption, migration or interrupt (2 states: before and after)', () => {
    const ir = oneThread([I.done()], false);
    expect(firstLabels(buildSystem(ir, pol, {}))).toEqual(['instruction T1']);
    expect(firstLabels(buildSystem(ir, pol, { disable: ['quiet-exit'] }))).toEqual(['instruction T1', 'preempt T1', 'migrate T1', 'interrupt T1', 'taskWork T1']);
    expect(outcomes(buildSystem(ir, pol, {})).states).toBe(2);
    expect(outcomes(buildSystem(ir, pol, { disable: ['quiet-exit'] })).states).toBeGreaterThan(2);
  });

  it('keeps a signal before the exit: its handler still runs there', () => {
    const ir = oneThread([I.done()], true);
    expect(firstLabels(buildSystem(ir, pol, {}))).toEqual(['instruction T1', 'signal T1']);
    const on = outcomes(buildSystem(ir, pol, {}));
    const off = outcomes(buildSystem(ir, pol, { disable: ['quiet-exit'] }));
    // x = 0 (no signal) and x = 1 (the handler ran) either way.
    expect(on.finals).toEqual(off.finals);
    expect(on.finals.length).toBe(2);
  });

  it('does not apply while rseq_cs holds a descriptor at the exit (a return to user space validates it)', () => {
    // One rseq_addv-shaped increment, then done: its commit leaves rseq_cs set (lazy clear).
    // Syscall policy b keeps it (dead-rseq-cs does not apply there): nothing is skipped at the
    // exit. linux-6.3 clears the dead descriptor first, and the exit is quiet.
    const ir = oneThread(seq(criticalSection('c', [I.addm({ var: 'x' }, 1)], 'end'), I.done({ label: 'end' })), false);
    const count = (policy: string, disable: ReductionName[]): number => outcomes(buildSystem(ir, resolvePolicy(policy, []), { disable })).states;
    expect(count('b@4.18', [])).toBe(count('b@4.18', ['quiet-exit']));
    expect(count('linux-6.3', [])).toBeLessThan(count('linux-6.3', ['quiet-exit']));
  });

  it('takes the SPIN peer question (linux-6.3) from 150 489 to 126 928 states (ops=1 with every property here: 38 315 -> 22 948), the same codes and final memories', () => {
    const peer = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1', 'cpus=2']);
    // Without cpu-compare-prefix, which came after it (cpu-compare-prefix.test.ts).
    const on = outcomes(buildSystem(peer.ir, pol, { constants: peer.constants, properties: ['all'], disable: ['cpu-compare-prefix'] }));
    const off = outcomes(buildSystem(peer.ir, pol, { constants: peer.constants, properties: ['all'], disable: ['quiet-exit', 'cpu-compare-prefix'] }));
    expect(on.codes).toEqual(off.codes);
    expect(on.finals).toEqual(off.finals);
    expect([off.states, on.states]).toEqual([38_315, 22_948]);
  });
});
