/**
 * The armed ghost (which c.s. a frame armed, read by G1, G2 and G3 inside its range) must survive
 * an instruction between the rseq_cs store and start_ip: that is the user bug U1 of
 * rseq-semantics.md (a preemption there lazily clears rseq_cs, and the c.s. then runs
 * unprotected), which the properties exist to find. The canonical form used to drop the ghost
 * wherever the IP was outside the range, so in such a model G1 went blind and policy c's kill of
 * a syscall inside the c.s. was judged a false kill (G2).
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { KillReason } from '../../properties/codes.js';
import { checkModel } from '../../run/check.js';
import { addvWith, compile, exec, initial, model, runTo, system, view } from './semantics-helpers.js';

/** librseq's addv with a nop between `rseq_cs = &P_cs` (IP 1) and P_start, and `extra` inside the c.s. */
function armThenNop(extra: ReturnType<typeof I.nop>[] = []) {
  const f = addvWith({ inCs: extra });
  return seq({ code: [...f.code.slice(0, 2), I.nop(), ...f.code.slice(2)], descriptors: f.descriptors }, I.done({ label: 'out' }));
}

describe('the armed ghost between rseq_arm and a start_ip it does not immediately precede (U1)', () => {
  it('stays set at the nop (IP 2), so the c.s. is still the one armed at P_start', () => {
    const sys = system(model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0' }], main: armThenNop() }), 'linux-6.3');
    const atNop = runTo(sys, initial(sys), 0, 2);
    expect(sys.kernel.get(atNop, sys.layout.armed[sys.layout.frame(0, 0)]!)).toBe(1);
  });

  it('policy c: write(2) inside the c.s. is killed at entry, a justified kill (no G2)', () => {
    // IPs: 0 cpu_id_start, 1 arm, 2 nop, 3 P_start, 4 cpu compare, 5 write.
    const sys = system(model({ threads: [{ name: 'T0', program: 'main', cpu: 'C0' }], main: armThenNop([I.syscall('write')]) }), 'c@4.18');
    const v = view(sys, exec(sys, runTo(sys, initial(sys), 0, 5), 0));
    expect([v.killed(), v.killReason(), v.violation()]).toEqual([1, KillReason.syscallInCs, 0]);
  });

  for (const reduce of [false, true]) {
    it(`G1 finds the unprotected commit after a preemption at the nop (reduce: ${reduce})`, async () => {
      const threads = [
        { name: 'T0', program: 'main', cpu: 'C0' },
        { name: 'T1', program: 'main', cpu: 'C0' },
      ];
      const r = await checkModel(compile(model({ cpus: 1, threads, main: armThenNop(), guard: false })), { policy: 'linux-6.3', reduce, symmetry: false });
      expect(r.verdict).toBe('violation');
      if (r.verdict !== 'violation') return;
      expect(r.property).toBe('G1-atomicity');
      // The preemption at the nop cleared rseq_cs; the one inside the range then found nothing to abort.
      expect(r.trace.steps.filter((s) => s.text.startsWith('preemption')).map((s) => s.text)).toEqual([
        'preemption of T0 on C0 at main:2; T0 scheduled in: T0: rseq_cs (P_cs) cleared lazily, ip outside the c.s.; T0: rseq event pending',
        'preemption of T0 on C0 at main:7 inside P_cs; T0 scheduled in: T0 resumes inside P_cs without an abort',
      ]);
    });
  }
});

describe('an abort handler that jumps back to start_ip without rseq_arm (the kernel cleared rseq_cs at the abort)', () => {
  /** 0 arm; 1 start: addm x (the commit); 2 post: done; 3 abort: jmp start. */
  const ir = (preemptions: number) => {
    const b = new ModelBuilder('abort-to-start').cpus(1).memory('x', { max: 2 });
    b.program('worker', seq(I.arm('cs'), I.addm({ var: 'x' }, 1, { label: 'start' }), I.done({ label: 'post' }), I.jmp('start', { label: 'abort' }), { code: [], descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } } }));
    b.thread({ program: 'worker', cpu: 'C0' });
    b.budgets({ preemptions, migrations: 0, signals: 0 });
    return compile(b.build());
  };

  it('one preemption: the abort ends that attempt, so the commit after re-entering is no G1 violation', async () => {
    expect((await checkModel(ir(1), { policy: 'linux-6.3', reduce: false })).verdict).toBe('pass');
  });

  it('two preemptions: the second, inside the re-entered range, finds rseq_cs cleared and the commit goes through (G1)', async () => {
    const r = await checkModel(ir(2), { policy: 'linux-6.3', reduce: false });
    expect(r.verdict === 'violation' ? r.property : r.verdict).toBe('G1-atomicity');
  });
});
