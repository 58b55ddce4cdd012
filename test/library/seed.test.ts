/**
 * The seed scenarios (models/library/seed/scenarios.ts) under every kernel preset and every
 * seed proposal: each model validates; the verdict table (G1/G2/G3, and the model's own data
 * condition) is printed; and the verdicts worked out by hand from rseq-semantics.md §2 and §5
 * are asserted, each with its reasoning.
 *
 * Table cells: the violated property (G1 / G2 / G3), `killed` (no property violated, and the
 * kernel killed the process on some path: flag killed-as-promised), or `holds`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkModel } from '../../run/check.js';
import type { ModelIR } from '../../models/ir/types.js';
import { validateModel } from '../../models/ir/validate.js';
import { kernelPresetNames, proposalPresetNames } from '../../models/kernel/presets.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';

const PRESETS: readonly string[] = [...kernelPresetNames, ...proposalPresetNames];
const G_PROPERTIES = ['G1-atomicity', 'G2-no-false-kill', 'G3-detection'];

type Verdict = 'G1-atomicity' | 'G2-no-false-kill' | 'G3-detection' | 'killed' | 'holds' | 'incomplete' | `error: ${string}`;
type DataVerdict = 'holds' | 'violated' | 'killed' | 'incomplete' | 'n/a' | `error: ${string}`;

interface Cell {
  readonly g: Verdict;
  readonly data: DataVerdict;
}

/** results[scenario id][preset] */
const results = new Map<string, Map<string, Cell>>();

function irOf(id: string): ModelIR {
  const sc = seedScenarios.find((s) => s.id === id);
  if (!sc) throw new Error(`no scenario ${id}`);
  const v = validateModel(sc.build());
  if (!v.ok) throw new Error(`${id} does not validate: ${JSON.stringify(v.errors)}`);
  return v.ir;
}

async function gVerdict(ir: ModelIR, policy: string): Promise<Verdict> {
  try {
    const r = await checkModel(ir, { policy, properties: G_PROPERTIES, maxStates: 1_000_000 });
    if (r.verdict === 'violation') return r.property as Verdict;
    if (r.verdict === 'incomplete') return 'incomplete';
    return r.flags.some((f) => f.name === 'killed-as-promised') ? 'killed' : 'holds';
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

async function dataVerdict(ir: ModelIR, policy: string): Promise<DataVerdict> {
  const names = [...ir.invariants, ...ir.final].map((c) => c.name);
  if (names.length === 0) return 'n/a';
  try {
    const r = await checkModel(ir, { policy, properties: names, maxStates: 1_000_000 });
    if (r.verdict === 'violation') return 'violated';
    if (r.verdict === 'incomplete') return 'incomplete';
    return r.flags.some((f) => f.name === 'killed-as-promised') ? 'killed' : 'holds';
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

const short = (v: string): string => (v.startsWith('error') ? 'ERROR' : v.startsWith('G') ? v.slice(0, 2) : v);

function table(pick: (c: Cell) => string): string {
  const w = 10;
  const head = ['scenario'.padEnd(w), ...PRESETS.map((p) => p.padEnd(Math.max(7, p.length)))].join(' ');
  const rows = seedScenarios.map((s) =>
    [s.id.padEnd(w), ...PRESETS.map((p) => short(pick(results.get(s.id)!.get(p)!)).padEnd(Math.max(7, p.length)))].join(' '),
  );
  return [head, ...rows].join('\n');
}

const g = (id: string, policy: string): Verdict => results.get(id)!.get(policy)!.g;
const data = (id: string, policy: string): DataVerdict => results.get(id)!.get(policy)!.data;

beforeAll(async () => {
  for (const s of seedScenarios) {
    const ir = irOf(s.id);
    const row = new Map<string, Cell>();
    for (const p of PRESETS) row.set(p, { g: await gVerdict(ir, p), data: await dataVerdict(ir, p) });
    results.set(s.id, row);
  }
}, 120_000);

describe('seed scenarios (rseq-semantics.md §5.2)', () => {
  it.each(seedScenarios.map((s) => [s.id, s] as const))('%s validates', (_id, s) => {
    const v = validateModel(s.build());
    expect(v.ok ? [] : v.errors).toEqual([]);
  });

  it('has unique ids, S10 included (a tracer, models/kernel/ptrace.ts)', () => {
    expect(new Set(seedScenarios.map((s) => s.id)).size).toBe(seedScenarios.length);
    expect(seedScenarios.map((s) => s.id).slice(-3)).toEqual(['S10', 'S10-exit', 'S10-step']);
  });

  it('prints the verdict table (scenario x policy)', () => {
    console.log(
      [
        'Seed scenarios: G1/G2/G3 = property violated; killed = kernel killed the process on some path (justified); holds = nothing violated',
        table((c) => c.g),
        '',
        "Data condition of each scenario (its `final`): holds / violated / killed (no terminal state reached without a kill on the violating paths)",
        table((c) => c.data),
      ].join('\n'),
    );
    const errors = [...results].flatMap(([id, row]) => [...row].filter(([, c]) => c.g.startsWith('error') || c.data.startsWith('error')).map(([p, c]) => `${id} under ${p}: ${c.g} / ${c.data}`));
    expect(errors).toEqual([]);
    const incomplete = [...results].flatMap(([id, row]) => [...row].filter(([, c]) => c.g === 'incomplete').map(([p]) => `${id} under ${p}`));
    expect(incomplete).toEqual([]);
  });
});

describe('hand-worked expectations (rseq-semantics.md §2, §5)', () => {
  // S1: write(2) with ip_e inside the range, no event.
  it('S1: production kernels let it commit; b, c and c\' kill as promised; d (write not in its set) does not', () => {
    // §2.7: no rseq action at syscall entry in any version; without an event no handler runs
    // with regs, so the c.s. commits. G3 does not apply (policy a promises nothing).
    for (const p of kernelPresetNames) expect(g('S1', p)).toBe('holds');
    // b: rseq_cs != 0 at entry. c: ip_e (the address after the syscall, the commit store) is in
    // [start, post_commit). c': ip_x == ip_e for write. Each kill is justified (the syscall was
    // issued from inside the c.s.), so G2 holds and the killed-as-promised flag is raised.
    for (const p of ['b@4.18', 'c@4.18', "c'@4.18", 'b@6.19', 'c@6.19', "c'@6.19"]) expect(g('S1', p)).toBe('killed');
    // d checks only fork and clone_vm: write falls back to (a), and is not promised (no G3).
    expect(g('S1', 'd@4.18')).toBe('holds');
  });

  it("S1': L418-L63 abort the c.s. after the sleep; the L619 family commits after a switch (G1)", () => {
    // Blocking switches the thread out: rseq_preempt sets PREEMPT and TIF_NOTIFY_RESUME (plus
    // MIGRATE if it moved); the notify-resume on the syscall-exit path runs with regs, finds ip
    // inside the c.s. and restarts it (§2.7 "silently aborted when the thread blocked").
    for (const p of ['linux-4.18', 'linux-6.0', 'linux-6.3', 'a@4.18']) expect(g("S1'", p)).toBe('holds');
    // L619: the switch came from a syscall, so user_irq is clear. On the same CPU V2 raises no
    // sched_switch at all; after a migration ids_changed is set but "GENERIC_IRQ_ENTRY and
    // !debug and !user_irq: c.s. NOT checked" (§2.6). Either way the commit follows a switch.
    for (const p of ['linux-6.19', 'linux-7.1-v2', 'linux-7.1-legacy', 'a@6.19']) expect(g("S1'", p)).toBe('G1-atomicity');
    // ... and the commit lands on counter[C0] from C1 (or after T2's update on C0): lost update.
    expect(data("S1'", 'linux-6.19')).toBe('violated');
    expect(data("S1'", 'linux-4.18')).toBe('holds');
  });

  it('S2: b kills a thread that did nothing wrong (G2); the IP-based policies do not', () => {
    // After the commit rseq_cs still points at the descriptor (lazy clearing, §1.1), so b's
    // `rseq_cs != 0` test fires for a syscall outside any c.s.: a false kill.
    expect(g('S2', 'b@4.18')).toBe('G2-no-false-kill');
    expect(g('S2', 'b@6.19')).toBe('G2-no-false-kill');
    // c and c': ip_e == ip_x == after the syscall, outside the range.
    for (const p of ['c@4.18', "c'@4.18", 'c@6.19', "c'@6.19", 'linux-4.18']) expect(g('S2', p)).toBe('holds');
  });

  it('S3: the handler\'s write is outside the c.s. (c holds); b kills it (G2); L60/L63 kill on the flags', () => {
    // L418 honours NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE: no restart, rseq_cs stays set, and the
    // delivery/preemption is exempt for G1.
    expect(g('S3', 'linux-4.18')).toBe('holds');
    // The seed thread: "the instruction pointer comparison would detect that we're not actually
    // running in the rseq critical section if a system call is issued from the signal handler".
    expect(g('S3', 'c@4.18')).toBe('holds');
    // b sees rseq_cs still set (not restarted) at the handler's write: a false kill.
    expect(g('S3', 'b@4.18')).toBe('G2-no-false-kill');
    // c' lets the handler's write through (ip_x in the handler); the handler does not return,
    // so rt_sigreturn (whose exit IP is back in the c.s.) is S3-ret's question, not this row's.
    expect(g('S3', "c'@4.18")).toBe('holds');
    // L60/L63: any NO_RESTART bit in struct rseq flags kills when the c.s. is evaluated with ip
    // inside it (rseq_need_restart): a justified kill (deprecated ABI).
    expect(g('S3', 'linux-6.0')).toBe('killed');
    expect(g('S3', 'linux-6.3')).toBe('killed');
    expect(g('S3', 'linux-6.15')).toBe('killed');
    // L619 ignores the flags and aborts at delivery (user_irq set by the sending IPI): rseq_cs
    // is cleared before the handler runs, so even b holds.
    expect(g('S3', 'linux-6.19')).toBe('holds');
    expect(g('S3', 'b@6.19')).toBe('holds');
  });

  it("S3-ret: rt_sigreturn's exit IP is back inside the c.s.: c' kills falsely (G2), c does not", () => {
    // Entry of rt_sigreturn: ip_e is in the handler (outside). Exit: regs restored from the
    // frame, ip_x = the interrupted IP, inside the c.s. that was not restarted (NO_RESTART flags).
    // The thread issued no syscall from inside its c.s., so c' (DEBUG_RSEQ's rseq_syscall) kills
    // it falsely.
    expect(g('S3-ret', "c'@4.18")).toBe('G2-no-false-kill');
    expect(g('S3-ret', 'c@4.18')).toBe('holds');
    // b: rseq_cs is still set at rt_sigreturn's entry.
    expect(g('S3-ret', 'b@4.18')).toBe('G2-no-false-kill');
    // L619 restarted the c.s. at delivery: the handler returns to abort_ip, outside.
    expect(g('S3-ret', "c'@6.19")).toBe('holds');
  });

  it('S4: without NO_RESTART flags the delivery aborts and clears rseq_cs: every policy holds', () => {
    // L418-L63: rseq_signal_deliver -> ip in c.s., SIGNAL not exempt -> abort, rseq_cs := 0; a
    // delivery outside the c.s. clears it lazily. L619: signal delivery after an interrupt
    // evaluates the c.s. (user_irq). So neither the handler's write nor its rt_sigreturn sees a
    // c.s. (rseq_cs == 0, and the handler returns to abort_ip).
    for (const p of PRESETS) expect(g('S4', p)).toBe('holds');
  });

  it('S5: ip_e == post_commit_ip escapes both IP checks (G3); b still kills', () => {
    // The syscall is the last instruction of the range: ip_e = ip_x = post_commit_ip, and
    // `ip - start < post_commit_offset` is false. The thread did issue a syscall from inside its
    // c.s. and c / c' promise detection: a false negative.
    expect(g('S5', 'c@4.18')).toBe('G3-detection');
    expect(g('S5', "c'@4.18")).toBe('G3-detection');
    expect(g('S5', 'c@6.19')).toBe('G3-detection');
    // b: rseq_cs != 0 at entry; justified.
    expect(g('S5', 'b@4.18')).toBe('killed');
    // a and the production kernels promise nothing.
    expect(g('S5', 'linux-4.18')).toBe('holds');
  });

  it('S6: fork inside a c.s. over shared data double-commits unless the kernel kills at the fork', () => {
    // The child returns from fork at the same IP, inside the c.s., and completes the parent's
    // increment again on MAP_SHARED memory (§2.8 [derived]); with no other event nothing aborts
    // it. The checker's G1 counts the creation of a task inside a c.s. as an event that c.s.
    // should have been aborted for (KernelSemantics.noteEvent 'fork', on the child's frames),
    // so the child's commit violates G1; the data condition shows the double commit.
    for (const p of ['linux-4.18', 'linux-6.3', 'linux-6.19', 'a@4.18']) {
      expect(g('S6', p)).toBe('G1-atomicity');
      expect(data('S6', p)).toBe('violated');
    }
    // b, c: kill at the fork's entry, before the child exists. c': kill at the parent's exit
    // (process-wide). d: fork is in its set. All justified.
    for (const p of ['b@4.18', 'c@4.18', "c'@4.18", 'd@4.18', 'd@6.19']) {
      expect(g('S6', p)).toBe('killed');
      expect(data('S6', p)).not.toBe('violated');
    }
  });

  it("S7: membarrier(FLAG_CPU = own CPU) from inside the caller's c.s.", () => {
    // smp_call_function_single runs ipi_rseq on the calling CPU (§2.9): L418-L63
    // rseq_preempt(current) sets PREEMPT + TIF_NOTIFY_RESUME while the caller is in the kernel;
    // its syscall exit runs the notify-resume with regs and aborts the c.s. (it retries until
    // T2 is gone and membarrier stops sending IPIs, mm_users == 1).
    expect(g('S7', 'linux-4.18')).toBe('holds');
    expect(g('S7', 'linux-6.3')).toBe('holds');
    // L619 V2: rseq_sched_switch_event(current) raises nothing, the caller entered through a
    // syscall (user_irq clear) and its IDs did not change; legacy mode raises, but the c.s.
    // check after a syscall exit is still skipped (§2.6 caveat). The c.s. commits after a
    // membarrier event aimed at it: G1 (of a thread that violated U5 anyway). Note this is the
    // checker's G1, whose ghost counts membarrier IPIs as abort-requiring events
    // (KernelSemantics.noteEvent 'membarrier'); §5.1's wording of G1 lists only being
    // scheduled out, migrated or signalled, none of which happens to the caller here.
    expect(g('S7', 'linux-6.19')).toBe('G1-atomicity');
    expect(g('S7', 'linux-7.1-legacy')).toBe('G1-atomicity');
    // Any syscall in the c.s. is what b/c/c' kill.
    expect(g('S7', 'c@4.18')).toBe('killed');
    // Without FLAG_CPU the calling CPU is excluded ("don't rseq_preempt() the caller").
    for (const p of ['linux-4.18', 'linux-6.19', 'linux-7.1-legacy']) expect(g('S7-noflag', p)).toBe('holds');
  });

  it('S8: a vDSO call never enters the kernel: every policy holds', () => {
    for (const p of PRESETS) expect(g('S8', p)).toBe('holds');
  });

  it('S9: a restarted poll outside any c.s.: only b kills, falsely (G2)', () => {
    // rseq_cs still points at the first c.s. when poll is entered: b kills a syscall outside.
    expect(g('S9', 'b@4.18')).toBe('G2-no-false-kill');
    expect(g('S9', 'b@6.19')).toBe('G2-no-false-kill');
    // The -ERESTARTSYS rewind moves ip back onto the poll instruction, outside both ranges, and
    // it happens before the rseq fixup (restartRewindOrder before-fixup): nothing to abort, and
    // c' sees ip_x outside.
    for (const p of ['linux-4.18', 'linux-6.19', 'c@4.18', "c'@4.18", 'd@4.18']) expect(g('S9', p)).toBe('holds');
    expect(data('S9', 'linux-4.18')).toBe('holds');
  });

  it('S10: the tracer sets the IP back into the c.s. at a later write(2): 4.18-6.18 abort on resume, 6.19 does not (G1); c\' kills at the entry stop only', () => {
    // The stop is a switch: PREEMPT + notify-resume, and the fixup finds the new IP in the range of rseq_cs.
    for (const p of ['linux-4.18', 'linux-5.5', 'linux-6.0', 'linux-6.3', 'linux-6.15', 'c@4.18', 'a@4.18']) expect(g('S10', p)).toBe('holds');
    // A switch out of a syscall raises no switch event without user_irq: the thread re-runs the
    // c.s. and commits after having been switched out inside it.
    for (const p of ['linux-6.19', 'linux-7.1-legacy', 'linux-7.1-v2', 'a@6.19', 'c@6.19']) expect(g('S10', p)).toBe('G1-atomicity');
    // ip_x is the tracer's IP at the entry stop: the exit check kills a thread whose syscall was outside.
    expect(g('S10', "c'@4.18")).toBe('G2-no-false-kill');
    expect(g('S10', "c'@6.19")).toBe('G2-no-false-kill');
    // At the exit stop rseq_syscall already ran: c' holds under 4.18 (the fixup aborts), G1 under 6.19.
    expect(g('S10-exit', "c'@4.18")).toBe('holds');
    expect(g('S10-exit', "c'@6.19")).toBe('G1-atomicity');
    // b kills at the write itself (rseq_cs still set lazily), tracer or not (as S2).
    expect(g('S10', 'b@4.18')).toBe('G2-no-false-kill');
    expect(data('S10', 'linux-4.18')).toBe('n/a');
  });

  it('S10-step: single-stepping aborts the c.s. at its first stepped instruction under every policy: it never commits', () => {
    for (const p of PRESETS) expect([p, g('S10-step', p), data('S10-step', p)]).toEqual([p, 'holds', 'violated']);
  });
});
