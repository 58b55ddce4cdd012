/**
 * The memos of models/system.ts (canonical thread records, thread-local event steps) against
 * the same system computing everything afresh: the exploration must be the same, state for
 * state in BFS order, transition for transition.
 */
import { describe, expect, it } from 'vitest';
import { StateStore, hashWords } from '../../checker/state-store.js';
import { buildSystem, resolvePolicy, type CheckOptions } from '../../run/check.js';
import type { ModelIR } from '../../models/ir/types.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { selftestScenarios } from '../../models/library/selftests/scenarios.js';
import { resolveModel } from '../../models/library/resolve.js';
import { I, ModelBuilder, seq } from '../../models/ir/builder.js';
import { addv } from '../../models/library/librseq/primitives.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { RecordCache } from '../../models/system/record-cache.js';
import { localStepKey, localStepKind, localStepKinds } from '../../models/system/cached-steps.js';
import { LOCAL_OPS } from '../../models/system/thread-events.js';
import { compile } from './semantics-helpers.js';

/**
 * BFS over `sys`: states, transitions, and a digest of every state and label in order. With
 * `clearEvery`, the record cache is dropped before every clearEvery-th expansion (as it is
 * when it outgrows its bound).
 */
function trace(sys: RseqSystem, clearEvery = 0): { states: number; transitions: number; digest: number } {
  const W = sys.stateWords;
  const store = new StateStore(W);
  const s = new Int32Array(W);
  const out = new Int32Array(W);
  let digest = 0;
  let transitions = 0;
  sys.initialStates(out, () => void store.insertIfAbsent(out, -1, 0));
  for (let id = 0; id < store.size; id++) {
    if (clearEvery > 0 && id % clearEvery === 0) sys.recordCache!.clear();
    store.load(id, s);
    sys.successors(s, out, (label) => {
      transitions++;
      digest = Math.imul(digest ^ hashWords(out, 0, W), 31) ^ label;
      store.insertIfAbsent(out, id, 0);
    });
    if (store.size > 2_000_000) throw new Error('too large for a cross-check');
  }
  return { states: store.size, transitions, digest };
}


const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=1']);
const three = resolveModel('percpu-counter', ['threads=3', 'ops=1', 'signals=1']);
/**
 * Threads running different programs (the same IP means different things to each: the memo
 * must tell threads apart) and one reading mm_cid (the CID a switch-in assigns is part of it).
 */
const asymmetric = compile(
  new ModelBuilder('asymmetric')
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('cid_seen', { max: 3 })
    .program('late', seq(I.nop(), I.nop(), addv('a', 'counter', 1, { next: 'a_end' }), I.done({ label: 'a_end' })))
    .program('early', seq(addv('b', 'counter', 1, { next: 'b_end' }), I.nop({ label: 'b_end' }), I.nop(), I.done()))
    .program('cid', [I.readId('r0', 'mm_cid'), I.store({ var: 'cid_seen' }, 'r0'), I.readId('r0', 'mm_cid'), I.store({ var: 'cid_seen' }, 'r0'), I.done()])
    .program('handler', seq(addv('h', 'counter', 1, { next: 'h_end' }), I.sigreturn({ label: 'h_end' })))
    .thread({ program: 'late', cpu: 'C0', handler: 'handler' })
    .thread({ program: 'early', cpu: 'C1' })
    .thread({ program: 'cid', cpu: 'C0' })
    .budgets({ preemptions: 1, migrations: 2, signals: 1 })
    .build(),
);

const cases: [string, ModelIR, string, string[], Partial<CheckOptions>][] = [
  ['asymmetric threads reading mm_cid', asymmetric, 'linux-4.18', [], {}],
  ['asymmetric threads reading mm_cid', asymmetric, 'linux-6.19', [], {}],
  ['percpu-counter 3x1+1', three.ir, 'linux-4.18', [], {}],
  ['percpu-counter 3x1+1', three.ir, 'linux-6.19', [], {}],
  ['percpu-counter 2x1+1 unreduced', counter.ir, 'linux-6.3', [], { reduce: false, symmetry: false }],
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.3', ['abortOnMigrate=false'], {}],
  // abort-pending-unsignalled: the canonical form reads the signal budget, outside the record.
  ['percpu-counter 2x1+1', counter.ir, 'linux-6.3', ['abortOnSignal=false'], {}],
  ['percpu-counter 3x1+1', three.ir, 'linux-4.18', ['abortOnSignal=false'], {}],
  ['percpu-counter 2x1+1', counter.ir, 'linux-7.1-legacy', [], {}],
  ['percpu-counter 2x1+1 with interrupts and traps', counter.ir, 'linux-7.1-v2', [], { budgets: { interrupts: 1, traps: 1 } }],
  ...selftestScenarios.map((s) => [`selftest -T ${s.id}`, compile(s.build()), 'linux-6.19', [], {}] as [string, ModelIR, string, string[], Partial<CheckOptions>]),
  ...seedScenarios.map((s) => [`seed ${s.id}`, compile(s.build()), "c'@4.18", [], { properties: ['all'] }] as [string, ModelIR, string, string[], Partial<CheckOptions>]),
  ...gallery.map((g) => [`gallery ${g.name}`, compile(g.model), g.policy, g.bugKnobs, { properties: ['all'] }] as [string, ModelIR, string, string[], Partial<CheckOptions>]),
];

describe('the memos change nothing: the same states and transitions in the same order', () => {
  for (const [name, model, policy, knobs, extra] of cases) {
    it(`${name} under ${policy}${knobs.length ? ` + ${knobs.join(' ')}` : ''}`, () => {
      const options: CheckOptions = { constants: { threads: model.threads.length, ops: 1, cpus: model.cpus.length, signals: 1 }, ...extra };
      const pol = resolvePolicy(policy, knobs);
      const freshSys = buildSystem(model, pol, { ...options, memoize: false });
      const fresh = trace(freshSys);
      const memoSys = buildSystem(model, pol, { ...options, memoize: true });
      const memo = trace(memoSys);
      expect(memo).toEqual(fresh);
      // The comparison is between a run without memos and one with them.
      expect([freshSys.canonMemo, freshSys.recordCache, freshSys.symmetryMemo]).toEqual([undefined, undefined, undefined]);
      expect(memoSys.canonMemo).toBeDefined(); // (the record cache is off for shared rseq areas)
      // The symmetry memo exists where the CPU symmetry applies.
      expect(memoSys.symmetryMemo !== undefined).toBe(memoSys.cpuSymmetric);
    });
  }

  it('dropping the record cache between states changes nothing', () => {
    const pol619 = resolvePolicy('linux-6.19', []);
    expect(trace(buildSystem(counter.ir, pol619, { constants: counter.constants }), 5)).toEqual(trace(buildSystem(counter.ir, pol619, { constants: counter.constants, memoize: false })));
    for (const policy of ['linux-4.18', 'linux-6.19']) {
      const pol = resolvePolicy(policy, []);
      expect(trace(buildSystem(asymmetric, pol, { constants: { threads: 3, ops: 1, cpus: 2, signals: 1 } }), 3)).toEqual(
        trace(buildSystem(asymmetric, pol, { constants: { threads: 3, ops: 1, cpus: 2, signals: 1 }, memoize: false })),
      );
    }
  });

  it('the record cache bounds its memory: fewer records when a row of event steps is wide', () => {
    expect(new RecordCache(3, 1, 80).maxKeys).toBe(32_768);
    expect(new RecordCache(3, 1, 720).maxKeys).toBe(11_650);
    const wide = new RecordCache(3, 1, 1 << 20);
    expect(wide.maxKeys).toBe(8);
    // 8 rows of 2^20 entries: 32 MB, not the 4 GB that a floor of 1024 records allocated.
    expect(wide.localNext.length).toBe(1 << 23);
    expect(new RecordCache(3, 1, 80).localNext.length).toBe(1024 * 80);
  });

  it('every thread-local step has its own index in its record\'s row of the cache (no step is handed another\'s result)', () => {
    for (const [argSpan, T, contexts] of [[2, 1, 1], [2, 3, 2], [4, 2, 2], [3, 5, 1]] as const) {
      const kinds = localStepKinds(argSpan, T, contexts);
      const seen = new Set<number>();
      for (let op = 0; op < LOCAL_OPS; op++)
        for (let arg = 0; arg < argSpan; arg++)
          for (let arg2 = 0; arg2 <= T; arg2++)
            for (let context = 0; context < contexts; context++) {
              const kind = localStepKind(op, arg, arg2, context, argSpan, T);
              expect(kind >= 0 && kind < kinds).toBe(true);
              seen.add(kind);
            }
      expect(seen.size).toBe(kinds);
      // Rows of different records do not overlap.
      const keys = new Set<number>();
      for (let rid = 0; rid < 4; rid++) for (let kind = 0; kind < kinds; kind++) keys.add(localStepKey(rid, kind, kinds));
      expect([Math.min(...keys), Math.max(...keys), keys.size]).toEqual([0, 4 * kinds - 1, 4 * kinds]);
    }
  });

  it('the memos are used (most lookups hit) on percpu-counter', () => {
    const sys = buildSystem(three.ir, resolvePolicy('linux-6.19', []), { constants: three.constants });
    trace(sys);
    expect(sys.recordCache!.hits).toBeGreaterThan(10 * sys.recordCache!.misses);
  });
});
