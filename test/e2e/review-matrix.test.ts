import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import { buildSystem, resolvePolicy } from '../../run/check.js';
import { validateModel } from '../../models/ir/validate.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { review, reviewPolicies, type CellVerdict } from '../../run/review.js';

const H = 'holds';
const K = 'killed as promised';
const G1 = 'atomicity broken (G1)';
const G2 = 'false kill (G2)';
const G3 = 'undetected violation (G3)';

/**
 * The whole verdict matrix, one row per seed scenario (rseq-semantics.md §5.2), columns in
 * `reviewPolicies` order:
 *   linux-4.18 linux-5.5 linux-6.0 linux-6.3 linux-6.15 linux-6.19 linux-7.1-legacy linux-7.1-v2
 *   a@4.18 b@4.18 c@4.18 c'@4.18 d@4.18   a@6.19 b@6.19 c@6.19 c'@6.19 d@6.19
 * Production kernels all run policy (a); d checks only fork and clone_vm. linux-5.5 differs from
 * linux-4.18 only in which clone unregisters the child, linux-6.15 from linux-6.3 only in the
 * registration clearing a stale rseq_cs: no seed scenario tells them apart.
 */
const expected: Record<string, CellVerdict[]> = {
  // write(2) inside the c.s., no event: nothing aborts and nothing needs to. b, c, c' promise
  // detection and kill (the syscall instruction is in the range: justified); d ignores write.
  S1: [H, H, H, H, H, H, H, H, H, K, K, K, H, H, K, K, K, H],
  // The write blocks and the thread migrates: L418-L63 raise PREEMPT/MIGRATE and the
  // notify-resume at syscall exit aborts the c.s. L619 evaluates no c.s. at syscall exit
  // (!user_irq), so the commit lands on the old CPU's slot; 7.1-legacy keeps that skip
  // (§2.6 caveat, unverified). b, c, c' kill first.
  "S1'": [H, H, H, H, H, G1, G1, G1, H, K, K, K, H, G1, K, K, K, G1],
  // A syscall after the commit while rseq_cs is still set (lazy clear): only the pointer test b
  // fires, on a thread that broke no rule.
  S2: [H, H, H, H, H, H, H, H, H, G2, H, H, H, H, G2, H, H, H],
  // NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE: L418 does not abort on delivery, rseq_cs stays set
  // while the handler runs. b kills at the handler's write (G2); c and c' see the handler's IP
  // (the seed thread's point); the handler does not return. L60/L63 kill on the deprecated
  // flags (justified); L619 ignores them and aborts.
  S3: [H, H, K, K, K, H, H, H, H, G2, H, H, H, H, H, H, H, H],
  // Only rt_sigreturn is a syscall: b sees rseq_cs set at its entry, c' its exit IP back in the c.s.
  'S3-ret': [H, H, K, K, K, H, H, H, H, G2, H, G2, H, H, H, H, H, H],
  // Without flags the delivery aborts and clears rseq_cs before the handler: nothing to see.
  S4: [H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H],
  // The syscall is the last instruction of the range: ip_e == post_commit_ip, so both IP
  // tests miss an ABI violation they promised to catch (G3); the pointer test catches it.
  S5: [H, H, H, H, H, H, H, H, H, K, G3, G3, H, H, K, G3, G3, H],
  // fork() inside the c.s.: the child continues the c.s. and commits a second time under every
  // production kernel (no event reaches it); every enforcing policy kills (fork is in d's set).
  S6: [G1, G1, G1, G1, G1, G1, G1, G1, G1, K, K, K, K, G1, K, K, K, K],
  // membarrier(FLAG_CPU = own CPU) from inside the caller's c.s.: L418-L63 give the caller a
  // PREEMPT event that aborts at syscall exit; L619 V2 raises nothing (no user_irq), and 7.1
  // legacy raises it but skips the c.s. at syscall exit: the c.s. commits after the IPI.
  S7: [H, H, H, H, H, G1, G1, G1, H, K, K, K, H, G1, K, K, K, G1],
  // Without FLAG_CPU the caller's CPU is excluded: no event, nothing to abort.
  'S7-noflag': [H, H, H, H, H, H, H, H, H, K, K, K, H, H, K, K, K, H],
  // A vDSO call never enters the kernel: every policy holds.
  S8: [H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H],
  // futex_wait() outside any c.s., restarted after a signal (-ERESTARTSYS): only b's pointer test
  // fires, because rseq_cs is still set lazily.
  S9: [H, H, H, H, H, H, H, H, H, G2, H, H, H, H, G2, H, H, H],
  // A tracer sets the IP back into the c.s. at the syscall-entry stop of a later write(2):
  // 4.18-6.18 abort at the resume (the stop is a switch); 6.19+ see a switch out of a syscall
  // (no user_irq) and skip the c.s. (G1). c' judges the tracer's IP at syscall exit: a false
  // kill; b kills at the write (rseq_cs still set, as S2).
  S10: [H, H, H, H, H, G1, G1, G1, H, G2, H, G2, H, G1, G2, G1, G2, G1],
  // At the syscall-exit stop rseq_syscall already ran with the old IP: c' sees nothing.
  'S10-exit': [H, H, H, H, H, G1, G1, G1, H, G2, H, H, H, G1, G2, G1, G1, G1],
  // Single-stepped: every stop aborts the c.s. at its first instruction (the data condition,
  // not part of the matrix, shows it never commits).
  'S10-step': [H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H],
};

describe('the design review matrix (rseq-check review)', async () => {
  const r = await review();

  it('has every seed scenario and policy', () => {
    expect(r.scenarios.map((s) => s.id)).toEqual(Object.keys(expected));
    expect(r.policies).toEqual(reviewPolicies);
  });

  for (const [scenario, row] of Object.entries(expected)) {
    it(`${scenario}: every cell`, () => {
      const got = reviewPolicies.map((p) => r.cells.find((c) => c.scenario === scenario && c.policy === p)!.verdict);
      expect(got).toEqual(row);
    });
  }

  it('every failing cell carries a counterexample that replays to its violation', () => {
    const failing = r.cells.filter((c) => c.verdict !== 'holds');
    expect(failing.length).toBe(Object.values(expected).flat().filter((v) => v !== H).length);
    for (const c of failing) {
      expect(c.trace).toBeDefined();
      const model = seedScenarios.find((s) => s.id === c.scenario)!.build();
      const v = validateModel(model);
      if (!v.ok) throw new Error('invalid scenario');
      const prop = c.verdict === G1 ? 'G1-atomicity' : c.verdict === G2 ? 'G2-no-false-kill' : c.verdict === G3 ? 'G3-detection' : 'G2-no-false-kill';
      const sys = buildSystem(v.ir, resolvePolicy(c.policy, undefined), { properties: [prop], symmetry: false });
      const steps = replay(sys, c.trace!.replay.split(':').map(Number));
      const last = steps.at(-1)!.state;
      const code = sys.inspect(last);
      expect(sys.codeName(code)).toBe(c.verdict === K ? 'killed-as-promised' : prop);
    }
  });

  it('runs in well under the 60 s budget of npm start', () => {
    expect(r.seconds).toBeLessThan(30);
  });
});
