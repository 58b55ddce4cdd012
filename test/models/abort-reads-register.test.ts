/**
 * The fused-instruction reduction (models/system/reductions.ts fusibleInstructions) may only fuse
 * an instruction inside a critical section when the register it writes is dead at the abort
 * handler: an event between it and the next instruction is then invisible. Here the handler
 * stores r1, which the c.s. sets to 1 and back to 0, so the one placement that breaks the final
 * condition is a preemption between the two moves. Fusing the first move (treating r1 as dead
 * at the abort handler) would turn this violation into a pass with reductions on.
 */
import { describe, expect, it } from 'vitest';
import { liveRegisters } from '../../models/kernel/liveness.js';
import { checkModel } from '../../run/check.js';
import { abortReadsRegister } from './fixtures/abort-reads-register.js';
import { compile } from './semantics-helpers.js';

const ir = compile(abortReadsRegister);

describe('register liveness (models/kernel/liveness.ts)', () => {
  it('a register the abort handler reads is live before every instruction, even one that writes it', () => {
    // Live-in masks (bit 1 = r1): an abort may strike at IPs 0..3 before the instruction runs,
    // and the handler (5) reads r1. Before this was fixed, IPs 1 and 2 (which write r1) had it
    // dead, so the state preempted at IP 2 with r1 = 1 was merged with r1 = 0: a wrong pass.
    const main = ir.programs[0]!;
    expect(Array.from(liveRegisters(main, 2, [5]))).toEqual([2, 2, 2, 2, 2, 2, 2]);
  });
});

describe('an abort handler reading a register written inside the critical section', () => {
  for (const reduce of [false, true]) {
    it(`violates the final condition with reduce: ${reduce} (a preemption between the two moves)`, async () => {
      const r = await checkModel(ir, { policy: 'linux-6.19', reduce, symmetry: false });
      expect(r.verdict).toBe('violation');
      if (r.verdict !== 'violation') return;
      expect(r.property).toBe('abort-saw-zero');
      expect(r.trace.steps.map((s) => s.text)).toEqual([
        'initial state (T0 on C0, T1 on C0)',
        'T0 executes main:0 `rseq_cs = &P_cs`',
        'T0 executes main:1 (P_start) `mov r1, 1`',
        'preemption of T0 on C0 at main:2 inside P_cs; T0 scheduled in: T0: IP moved from main:2 to abort_ip main:5 (P_abort) of P_cs; rseq_cs cleared',
        'T0 executes main:5 (P_abort) `store seen[0], r1`',
        'T0 executes main:6 `done`',
        'T1 scheduled in on C0, returns to user at other:0',
        'T1 executes other:0 `done`',
      ]);
    });
  }
});
