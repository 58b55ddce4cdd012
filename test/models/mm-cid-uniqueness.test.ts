/**
 * Issue #16, knob mmCidUniqueness: under `racy-without-barrier` a switch-in may hand out an
 * mm_cid that a thread running on another CPU still holds; under `strict` (every preset) it takes
 * the smallest free one. Followed step by step, counted by hand on a minimal model, checked on
 * gallery/mm-cid-racy-handover, and shown to change nothing in models that do not read mm_cid.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { ModelInput } from '../../models/ir/schema.js';
import { Status } from '../../models/kernel/layout.js';
import { parseKnobOverrides } from '../../models/kernel/policy.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { mmCidRacyHandover } from '../../models/library/gallery/kernel-races.js';
import { resolveModel } from '../../models/library/resolve.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { checkModel } from '../../run/check.js';
import type { ExplainedTrace } from '../../run/explained-trace.js';
import type { CheckResult } from '../../run/result.js';
import { compile, exec, initial, LabelKind, stepTo, successors, system } from './semantics-helpers.js';

const RACY = 'racy-without-barrier';

/** The counterexample's steps of a violation (any other verdict fails the test). */
function steps(r: CheckResult): ExplainedTrace['steps'] {
  if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
  return r.trace.steps;
}

/**
 * A (C0) reads its mm_cid and stores it in seen[0]; T2 (C1) sleeps in poll, is switched in
 * again, reads its mm_cid and stores it in seen[1]. A holds mm_cid 0 (its store writes 0 over
 * 0), T2 starts with 1. No event budget: the only choices are the interleaving and, under the
 * racy knob, the mm_cid of T2's switch-in.
 */
function readBoth(): ModelInput {
  return new ModelBuilder('mm-cid-read-both')
    .cpus(2)
    .memory('seen', { size: 2, max: 2 })
    .program('a', [I.readId('r0', 'mm_cid'), I.store({ var: 'seen', index: 0 }, 'r0'), I.done()])
    .program('b', [I.syscall('poll'), I.readId('r0', 'mm_cid'), I.store({ var: 'seen', index: 1 }, 'r0'), I.done()])
    .thread({ name: 'A', program: 'a', cpu: 'C0', allowed: ['C0'] })
    .thread({ name: 'T2', program: 'b', cpu: 'C1', allowed: ['C1'] })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
    .invariant('mm-cid-unique', 'mm_cid_unique')
    .build();
}

describe('mmCidUniqueness: the mm_cid of a switch-in', () => {
  /** T2's poll and wake-up: T2 ready on C1, A running with mm_cid 0 at its first instruction. */
  function t2Ready(value: 'strict' | typeof RACY) {
    const sys = system(readBoth(), 'linux-6.3', { mmCidUniqueness: value });
    let s = exec(sys, initial(sys), 1);
    s = stepTo(sys, s, { kind: LabelKind.wake, thread: 1 });
    return { sys, s };
  }
  const scheduled = (sys: ReturnType<typeof system>, s: Int32Array) =>
    successors(sys, s)
      .filter((x) => x.label.kind === LabelKind.schedule && x.label.thread === 1)
      .map((x) => [sys.kernel.get(x.state, sys.layout.mmCid[1]!), sys.kernel.get(x.state, sys.layout.areaMmCid[1]!)]);

  it('strict: T2 gets the free mm_cid 1 while A runs, 0 once A is done', () => {
    const { sys, s } = t2Ready('strict');
    expect(sys.kernel.get(s, sys.layout.status[1]!)).toBe(Status.Ready);
    expect(scheduled(sys, s)).toEqual([[1, 1]]);
    let done = s;
    for (let i = 0; i < 3; i++) done = exec(sys, done, 0);
    expect(sys.kernel.get(done, sys.layout.status[0]!)).toBe(Status.Done);
    expect(scheduled(sys, done)).toEqual([[0, 0]]);
  });

  it('racy-without-barrier: also A\'s mm_cid 0, which T2\'s return to user space writes to its struct rseq', () => {
    const { sys, s } = t2Ready(RACY);
    // The contract's choice first, then each mm_cid held elsewhere (kernel mm_cid, struct rseq's).
    expect(scheduled(sys, s)).toEqual([
      [1, 1],
      [0, 0],
    ]);
    // With no thread running elsewhere nothing is held: one choice, as under strict.
    let done = s;
    for (let i = 0; i < 3; i++) done = exec(sys, done, 0);
    expect(scheduled(sys, done)).toEqual([[0, 0]]);
  });

  // Hand count (linux-6.3, both running threads hold distinct mm_cids at the start). A has four
  // phases: before each of its 3 instructions, then done; its store writes 0 over 0, so memory
  // does not tell them apart further. T2 has: before poll, blocked, ready (3 phases x 4 of A = 12);
  // switched in with mm_cid 1 while A ran, before each of its 3 instructions (x 4 of A, A may go
  // on = 12); switched in with 0 after A finished (3); done with seen[1] = 1 (x 4 of A = 4) or
  // seen[1] = 0 (A done: 1). Strict: 12 + 12 + 3 + 4 + 1 = 32. The racy switch-in adds T2 with
  // mm_cid 0 while A still runs: 3 positions x A's 3 running phases = 9, and T2 done with
  // seen[1] = 0 while A runs: 3. Racy: 32 + 12 = 44. In those 9 states two running threads read
  // mm_cid 0 from their own struct rseq: mm-cid-unique fails.
  it('hand-counted: 32 states (mm-cid-unique holds) vs 44 (violated)', async () => {
    const ir = compile(readBoth());
    for (const [value, verdict, states] of [
      ['strict', 'pass', 32],
      [RACY, 'pass', 44],
    ] as const) {
      const r = await checkModel(ir, { policy: 'linux-6.3', knobs: [`mmCidUniqueness=${value}`], properties: ['assertions'] });
      expect([r.verdict, r.stats.states], value).toEqual([verdict, states]);
    }
    expect((await checkModel(ir, { policy: 'linux-6.3', knobs: ['mmCidUniqueness=strict'], properties: ['mm-cid-unique'] })).verdict).toBe('pass');
    const bad = await checkModel(ir, { policy: 'linux-6.3', knobs: [`mmCidUniqueness=${RACY}`], properties: ['mm-cid-unique'] });
    // The shortest counterexample: T2's poll, its wake-up, the racy switch-in.
    expect(steps(bad).map((x) => x.text)).toEqual([
      'initial state (A on C0, T2 on C1)',
      'T2 executes b:0 `syscall poll`: T2: rseq event pending',
      'T2 wakes up (ready on C1)',
      "T2 scheduled in on C1, returns to user at b:1: T2 gets mm_cid 0, which A still holds on C0 (a switch-in not ordered against that CPU's claim): two running threads share mm_cid 0",
    ]);
  });

  it('gallery/mm-cid-racy-handover: an increment of the mm_cid-indexed counter is lost only under the racy value', async () => {
    const entry = gallery.find((e) => e.name === 'mm-cid-racy-handover')!;
    expect(entry.model).toEqual(mmCidRacyHandover());
    const ir = compile(entry.model);
    const fix = await checkModel(ir, { policy: 'linux-6.3', knobs: ['mmCidUniqueness=strict'], properties: ['slot-sum'] });
    expect([fix.verdict, fix.stats.states]).toEqual(['pass', 96]);
    const bug = await checkModel(ir, { policy: 'linux-6.3', knobs: [`mmCidUniqueness=${RACY}`], properties: ['slot-sum'] });
    const trace = steps(bug);
    expect(trace.at(-1)?.values).toEqual([]);
    expect(trace.at(-2)?.text).toMatch(/^T2 executes sleeper:7 `store slot\[r0\], r1`, then `jmp b_finish`: commit of b_inc_cs$/);
    // Under every preset with mm_cid the contract holds unless the knob says otherwise.
    for (const policy of ['linux-6.3', 'linux-6.19', 'linux-7.1-v2']) expect((await checkModel(ir, { policy, properties: ['mm-cid-unique'] })).verdict, policy).toBe('pass');
  });

  it('a bad value is a located error listing the values', () => {
    const { errors } = parseKnobOverrides(['mmCidUniqueness=racy']);
    expect(errors.map((e) => [e.code, e.path, e.message])).toEqual([['bad-knob-value', ['--knob', 'mmCidUniqueness'], '"racy" is not a value of mmCidUniqueness (one of: strict, racy-without-barrier)']]);
  });
});

describe('models that do not read mm_cid are untouched by mmCidUniqueness', () => {
  const readsMmCid = (m: ModelInput): boolean => compile(m).programs.some((p) => p.code.some((i) => (i.op === 'read_id' || i.op === 'write_id') && i.field === 'mm_cid'));
  const models: [string, ModelInput][] = [
    ...seedScenarios.map((s) => [`seed ${s.id}`, s.build()] as [string, ModelInput]),
    ...gallery.map((g) => [`gallery ${g.name}`, g.model] as [string, ModelInput]),
  ];

  it('only the two mm_cid gallery models read mm_cid', () => {
    expect(models.filter(([, m]) => readsMmCid(m)).map(([n]) => n)).toEqual(['gallery exec-failure-stale-mm-cid', 'gallery mm-cid-racy-handover']);
  });

  it('every seed scenario and gallery model without mm_cid: the same verdict and state count under both values', async () => {
    for (const [name, m] of models) {
      if (readsMmCid(m)) continue;
      const ir = compile(m);
      const strict = await checkModel(ir, { policy: 'linux-6.3', knobs: ['mmCidUniqueness=strict'] });
      const racy = await checkModel(ir, { policy: 'linux-6.3', knobs: [`mmCidUniqueness=${RACY}`] });
      expect([racy.verdict, racy.stats.states], name).toEqual([strict.verdict, strict.stats.states]);
    }
    const loaded = resolveModel('percpu-counter', ['ops=1']);
    for (const policy of ['linux-4.18', 'linux-6.19']) {
      const strict = await checkModel(loaded.ir, { policy, constants: loaded.constants });
      const racy = await checkModel(loaded.ir, { policy, knobs: [`mmCidUniqueness=${RACY}`], constants: loaded.constants });
      expect([racy.verdict, racy.stats.states], policy).toEqual([strict.verdict, strict.stats.states]);
    }
  });
});
