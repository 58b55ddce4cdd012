/**
 * The kernel selftest scenarios (param_test -T s|i|l|b|m|r, models/library/selftests/scenarios.ts,
 * rseq-semantics.md §3.3) under every kernel preset, with the default properties (G1, G2, G3,
 * assertions, deadlock freedom, value domain, and the scenario's own final conditions).
 *
 * Expectation (argued in the scenarios' header from §2): every scenario holds under every preset.
 * - The abort on preemption, migration and signal delivery exists in every preset (§2.10, "IP
 *   moved to abort_ip"): L418-L63 through the event mask and the notify-resume handler, L619/L71
 *   through user_irq (set by the interrupt that preempts or migrates a thread running user code)
 *   and sched_switch at switch-in.
 * - The scenarios' threads make no syscall inside a c.s. and use no NO_RESTART flag, so the
 *   places where the presets differ for user code (syscall-exit switches in L619, the deprecated
 *   flags) are never reached.
 * - `-T r` relies on the membarrier RSEQ IPI (§2.9), implemented by every preset.
 *
 * Negative controls: the same models with the abort switched off must violate their own
 * invariant (checked with only the scenario's conditions and assertions selected, so that the
 * violation reported is the selftest's, not G1's), which shows the tests can fail.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkModel, type CheckResult } from '../../run/check.js';
import { formatCheck } from '../../reports/text.js';
import type { ModelInput } from '../../models/ir/schema.js';
import type { ModelIR } from '../../models/ir/types.js';
import { validateModel } from '../../models/ir/validate.js';
import { kernelPresetNames } from '../../models/kernel/presets.js';
import { buffer, membarrier, memcpyBuffer, selftestScenarios, type SelftestScenario } from '../../models/library/selftests/scenarios.js';

/** Upper bound on the states of any check here (the scenarios are sized for ~300k). */
const MAX_STATES = 600_000;

function irOf(model: ModelInput): ModelIR {
  const v = validateModel(model);
  if (!v.ok) throw new Error(`${model.name} does not validate: ${JSON.stringify(v.errors)}`);
  return v.ir;
}

/** The scenario's own conditions: its final conditions and its assert instructions. */
const ownProperties = (ir: ModelIR): string[] => ['assertions', ...ir.invariants.map((c) => c.name), ...ir.final.map((c) => c.name)];

const stats: string[] = [];
afterAll(() => {
  console.log(['selftest scenarios: verdict, states, seconds per preset', ...stats].join('\n'));
});

async function run(ir: ModelIR, policy: string, knobs?: string[], properties?: string[]): Promise<CheckResult> {
  const t0 = performance.now();
  const r = await checkModel(ir, { policy, maxStates: MAX_STATES, ...(knobs ? { knobs } : {}), ...(properties ? { properties } : {}) });
  const secs = (performance.now() - t0) / 1000;
  stats.push(
    `  ${ir.name.padEnd(28)} ${(policy + (knobs ? `+${knobs.join('+')}` : '')).padEnd(60)} ${r.verdict.padEnd(10)} ${(r.verdict === 'violation' ? r.property : '').padEnd(16)} ${String(r.stats.states).padStart(7)} ${secs.toFixed(2)}s`,
  );
  return r;
}

describe('selftest scenarios: shape', () => {
  it('has the seven scenarios, each with an expectation for every kernel preset', () => {
    expect(selftestScenarios.map((s) => s.id)).toEqual(['s', 'i', 'l', 'b', 'm', 'r', 'r-cpu']);
    for (const s of selftestScenarios) expect(Object.keys(s.expect).sort()).toEqual([...kernelPresetNames].sort());
  });

  it.each(selftestScenarios.map((s) => [s.id, s] as const))('%s validates, on 2 CPUs with 2-3 threads', (_id, s) => {
    const ir = irOf(s.build());
    expect(ir.cpus.length).toBe(2);
    expect(ir.threads.length).toBeGreaterThanOrEqual(2);
    expect(ir.threads.length).toBeLessThanOrEqual(3);
    expect(ir.final.length).toBeGreaterThan(0);
  });
});

describe('selftest scenarios under every kernel preset (default properties)', () => {
  const cases = selftestScenarios.flatMap((s) => kernelPresetNames.map((p) => [s.id, p, s] as const));
  // Every cell is 'holds' (see the file header): the abort each scenario relies on exists in
  // every preset, and no scenario reaches a syscall inside a c.s. A 'violated' cell would be
  // asserted the same way.
  it.each(cases)('%s under %s', async (_id, policy, s: SelftestScenario) => {
    const r = await run(irOf(s.build()), policy);
    const want = s.expect[policy];
    if (want === 'holds') {
      expect(r.verdict, r.verdict === 'violation' ? formatCheck(r) : '').toBe('pass');
      expect(r.flags).toEqual([]);
    } else expect(r.verdict).toBe('violation');
    expect(r.stats.states).toBeLessThan(MAX_STATES);
  });
});

describe('negative controls: without the abort the selftest invariant fails', () => {
  const data = selftestScenarios.filter((s) => !s.id.startsWith('r'));
  // Preemption and migration no longer abort: a thread preempted between the compare (or load)
  // and the commit of its c.s. commits over what another thread did on that CPU meanwhile:
  // s: both threads take lock[C0] (the second unlock finds 0, or an increment is lost);
  // i: lost update; l: a push overwrites head with a stale value (a node lost) or a stale pop
  // re-installs a popped node (lists corrupt); b, m: a stale offset commit loses or duplicates an
  // item.
  const cases = data.flatMap((s) => kernelPresetNames.map((p) => [s.id, p, s] as const));
  it.each(cases)('%s under %s with abortOnPreempt=false, abortOnMigrate=false', async (_id, policy, s: SelftestScenario) => {
    const ir = irOf(s.build());
    const r = await run(ir, policy, ['abortOnPreempt=false', 'abortOnMigrate=false'], ownProperties(ir));
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(ownProperties(ir)).toContain(r.property);
  });

  // The control above also stops L418-L63 from raising TIF_NOTIFY_RESUME on a migration
  // (semantics.ts `migrate` returns before it), so there a migrated thread keeps a stale cpu_id
  // and some counterexamples run two threads on one CPU's data from two CPUs. Switching off
  // only the abort on preemption gives counterexamples that are purely a missing abort (a
  // thread preempted inside its c.s. and resumed at the commit), under the L418 and L619
  // families alike.
  const preemptOnly = data.flatMap((s) => ['linux-4.18', 'linux-6.19'].map((p) => [s.id, p, s] as const));
  it.each(preemptOnly)('%s under %s with abortOnPreempt=false only', async (_id, policy, s: SelftestScenario) => {
    const ir = irOf(s.build());
    const r = await run(ir, policy, ['abortOnPreempt=false'], ownProperties(ir));
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(ownProperties(ir)).toContain(r.property);
  });

  // -T r: without the IPI's event, the worker running on the other CPU with the old list
  // pointer commits into the now-inactive list after the manager's snapshot. G1 fires first (the
  // IPI is an event the c.s. should have been aborted for, whatever the knob); the selftest's
  // own assertion ("Membarrier test failed") is checked alone, so that it is what reports it.
  const mb = selftestScenarios.filter((s) => s.id.startsWith('r'));
  it.each(mb.flatMap((s) => kernelPresetNames.map((p) => [s.id, p, s] as const)))('%s under %s with abortOnMembarrier=false', async (_id, policy, s: SelftestScenario) => {
    const r = await checkModel(irOf(s.build()), { policy, knobs: ['abortOnMembarrier=false'], properties: ['assertions'] });
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') {
      expect(r.property).toBe('assertions');
      expect(r.trace.steps.some((st) => st.text.includes('membarrier'))).toBe(true);
    }
  });
});

describe('membarrier FLAG_CPU covers the targeted CPU only (§2.9)', () => {
  // What param_test checks: after membarrier(FLAG_CPU, cpu_a), list_a.c[cpu_a] is stable.
  it.each(kernelPresetNames.map((p) => [p] as const))('targeting C0 and checking list_a[C0] holds under %s', async (policy) => {
    const r = await run(irOf(membarrier({ targets: [0], check: [0] })), policy);
    expect(r.verdict, r.verdict === 'violation' ? formatCheck(r) : '').toBe('pass');
  });

  // Expecting the whole list to be stable after one FLAG_CPU call is too much: the worker on
  // C1 got no IPI and commits its c.s. begun with the old pointer.
  it.each(kernelPresetNames.map((p) => [p] as const))('targeting C0 and checking list_a[C1] too is violated under %s', async (policy) => {
    const r = await run(irOf(membarrier({ targets: [0], check: [0, 1] })), policy);
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(r.property).toBe('assertions');
  });
});

describe('the librseq calling convention matters for the buffer primitives', () => {
  // primitives.ts's fragments re-read the CPU at P_retry and their abort jumps there, keeping
  // the operands the caller computed for the previous CPU (slot index, expected head, offset).
  // A migration between the caller's CPU read and the block's then publishes C0's slot as C1's
  // top: a false counterexample, which the scenarios avoid with `callerCpu` (librseq: the
  // block takes `cpu` from the caller and an abort returns -1 to the caller's loop).
  it('-T b with the raw fragments: data-sum violated under linux-6.3', async () => {
    const r = await run(irOf(buffer({ threads: 2, reps: 1, items: [2, 1], placement: [0, 0], rawPrimitives: true })), 'linux-6.3');
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(r.property).toBe('data-sum');
  });

  it('-T m with the raw fragments: data-sum violated under linux-6.3', async () => {
    const r = await run(irOf(memcpyBuffer({ threads: 2, reps: 1, items: [1, 1], placement: [0, 0], rawPrimitives: true })), 'linux-6.3');
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(r.property).toBe('data-sum');
  });
});
