/**
 * The sequential meaning of each librseq primitive (models/library/librseq/primitives.ts,
 * rseq-semantics.md §3.2): one thread pinned to C1 of two CPUs (so that a wrong per-CPU index
 * shows up as a write to C0's cell), no kernel event at all (every budget 0), one call of the
 * primitive, then `done`. The final condition states the memory after that one call; where the
 * primitive has a compare-fail exit, the two exits store different values into `result`
 * (0: success / post_commit, 1: cmpfail), as librseq's return values do.
 *
 * With every budget 0 the exploration is a single path, so `pass` means "this is what one call
 * does". For some primitives a deliberately wrong expectation is checked too, to show the final
 * condition can fail.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder, seq, type Fragment } from '../../models/ir/builder.js';
import { checkModel, type CheckResult } from '../../run/check.js';
import { formatCheck } from '../../reports/text.js';
import type { InstructionInput, ModelInput } from '../../models/ir/schema.js';
import { validateModel } from '../../models/ir/validate.js';
import {
  addv,
  addvRmw,
  cmpeqvCmpeqvStorev,
  cmpeqvStorev,
  cmpeqvTrymemcpyStorev,
  cmpeqvTrystorevStorev,
  cmpnevStoreoffpLoad,
  offsetDerefAddv,
} from '../../models/library/librseq/primitives.js';

type Memory = Record<string, NonNullable<ModelInput['memory']>[string]>;

interface OneShot {
  readonly name: string;
  /** Memory in declaration order (flat addresses follow it from 0). */
  readonly memory: Memory;
  /** Code before the call (register set-up), run outside any c.s. */
  readonly setup?: readonly InstructionInput[];
  /** The call; it must continue at `ok` on success and at `fail` on a compare failure. */
  readonly call: Fragment;
  readonly registers?: number;
  readonly final: string;
}

/** One thread on C1 (of C0, C1) calls the primitive once; `result` records which exit it took. */
function oneShot(o: OneShot): ModelInput {
  const b = new ModelBuilder(`primitive-${o.name}`).cpus(2).registers(o.registers ?? 4);
  for (const [name, spec] of Object.entries(o.memory)) b.memory(name, spec);
  // result: 2 = no exit taken yet, 0 = success, 1 = cmpfail.
  b.memory('result', { init: 2, max: 2 });
  b.program(
    'main',
    seq(
      [...(o.setup ?? [])],
      o.call,
      I.store({ var: 'result' }, 0, { label: 'ok' }),
      I.jmp('end'),
      I.store({ var: 'result' }, 1, { label: 'fail' }),
      I.done({ label: 'end' }),
    ),
  );
  b.thread({ name: 'T1', program: 'main', cpu: 'C1', allowed: ['C1'] });
  return b.budgets({ preemptions: 0, migrations: 0, signals: 0 }).final('after-one-call', o.final).build();
}

async function check(model: ModelInput): Promise<CheckResult> {
  const v = validateModel(model);
  if (!v.ok) throw new Error(`${model.name} does not validate: ${JSON.stringify(v.errors)}`);
  return checkModel(v.ir, { policy: 'linux-6.3' });
}

async function expectPass(model: ModelInput): Promise<void> {
  const r = await check(model);
  expect(r.verdict, r.verdict === 'violation' ? formatCheck(r) : '').toBe('pass');
  expect(r.stats.states).toBeGreaterThan(1);
}

async function expectViolation(model: ModelInput, property = 'after-one-call'): Promise<void> {
  const r = await check(model);
  expect(r.verdict).toBe('violation');
  if (r.verdict === 'violation') expect(r.property).toBe(property);
}

const exits = { next: 'ok', cmpfail: 'fail' };

describe('librseq primitives: the effect of one call (thread on C1, no events, linux-6.3)', () => {
  // ---- rseq_addv ------------------------------------------------------------------------------

  const addvModel = (final: string, rmw = false): ModelInput =>
    oneShot({
      name: rmw ? 'addv-rmw' : 'addv',
      memory: { counter: { size: 'percpu', init: [0, 0], max: 3 } },
      call: (rmw ? addvRmw : addv)('a', 'counter', 1, { next: 'ok' }),
      final,
    });

  it('addv: counter[cpu] += 1 on the caller\'s CPU only', async () => {
    await expectPass(addvModel('counter[1] == 1 && counter[0] == 0 && result == 0'));
  });

  it('addv (x86 single-instruction form): the same effect', async () => {
    await expectPass(addvModel('counter[1] == 1 && counter[0] == 0 && result == 0', true));
  });

  it('addv: a wrong expectation (C0\'s counter incremented) is a violation', async () => {
    await expectViolation(addvModel('counter[0] == 1'));
  });

  // ---- rseq_cmpeqv_storev ---------------------------------------------------------------------

  const cmpeqvModel = (expectV: number, final: string): ModelInput =>
    oneShot({
      name: `cmpeqv-storev-${expectV}`,
      memory: { v: { size: 'percpu', init: [5, 3], max: 7 } },
      call: cmpeqvStorev('c', 'v', expectV, 6, exits),
      final,
    });

  it('cmpeqv_storev, equal: v[cpu] = newv, success exit', async () => {
    await expectPass(cmpeqvModel(3, 'v[1] == 6 && v[0] == 5 && result == 0'));
  });

  it('cmpeqv_storev, not equal: memory unchanged, cmpfail exit', async () => {
    await expectPass(cmpeqvModel(4, 'v[1] == 3 && v[0] == 5 && result == 1'));
  });

  it('cmpeqv_storev: a wrong expectation (store despite the mismatch) is a violation', async () => {
    await expectViolation(cmpeqvModel(4, 'v[1] == 6'));
  });

  // ---- rseq_cmpnev_storeoffp_load -------------------------------------------------------------

  // nil (address 0: NULL), head[2] (1, 2), node: A at 3 = [next, data], B at 5; popped at 7.
  // C1's list is A -> B -> NULL; C0's list is empty.
  const A = 3;
  const B = 5;
  const listMemory = (headC1: number): Memory => ({
    nil: { max: 1 },
    head: { size: 'percpu', init: [0, headC1], max: 7 },
    node: { size: 4, init: [B, 1, 0, 2], max: 7 },
    popped: { init: 0, max: 7 },
  });
  const popModel = (headC1: number, final: string): ModelInput =>
    oneShot({
      name: `cmpnev-storeoffp-load-${headC1}`,
      memory: listMemory(headC1),
      // cmpnev_storeoffp_load(&head[cpu], expectnot = NULL, voffp = offsetof(next) = 0, &popped)
      call: cmpnevStoreoffpLoad('p', 'head', 0, 0, { var: 'popped' }, exits),
      final,
    });

  it('cmpnev_storeoffp_load pops the first node of a 2-node list: head = A->next, *load = A', async () => {
    await expectPass(popModel(A, `head[1] == ${B} && popped == ${A} && head[0] == 0 && node[0] == ${B} && node[2] == 0 && result == 0`));
  });

  it('cmpnev_storeoffp_load on an empty list (head == NULL): cmpfail, nothing written', async () => {
    await expectPass(popModel(0, 'head[1] == 0 && popped == 0 && result == 1'));
  });

  it('cmpnev_storeoffp_load: a wrong expectation (head left at A) is a violation', async () => {
    await expectViolation(popModel(A, `head[1] == ${A}`));
  });

  // ---- rseq_offset_deref_addv -----------------------------------------------------------------

  // ptr (address 0) points at list_a (1, 2) or list_b (3, 4); the c.s. increments *ptr + cpu.
  const derefModel = (target: 'list_a' | 'list_b', final: string): ModelInput =>
    oneShot({
      name: `offset-deref-addv-${target}`,
      memory: {
        ptr: { init: target === 'list_a' ? 1 : 3, max: 4 },
        list_a: { size: 'percpu', init: [0, 0], max: 3 },
        list_b: { size: 'percpu', init: [0, 0], max: 3 },
      },
      call: offsetDerefAddv('d', 'ptr', 1, { next: 'ok' }),
      final,
    });

  it('offset_deref_addv: increments (*ptr)[cpu] through the pointer', async () => {
    await expectPass(derefModel('list_a', 'list_a[1] == 1 && list_a[0] == 0 && sum(list_b) == 0 && ptr == 1 && result == 0'));
    await expectPass(derefModel('list_b', 'list_b[1] == 1 && list_b[0] == 0 && sum(list_a) == 0 && ptr == 3 && result == 0'));
  });

  // ---- rseq_cmpeqv_cmpeqv_storev --------------------------------------------------------------

  const cmp2Model = (expect1: number, expect2: number, final: string): ModelInput =>
    oneShot({
      name: `cmpeqv-cmpeqv-storev-${expect1}-${expect2}`,
      memory: { v: { size: 'percpu', init: [0, 2], max: 7 }, v2: { init: 4, max: 7 } },
      call: cmpeqvCmpeqvStorev('c', 'v', expect1, { var: 'v2' }, expect2, 1, exits),
      final,
    });

  it('cmpeqv_cmpeqv_storev, both equal: v[cpu] = newv', async () => {
    await expectPass(cmp2Model(2, 4, 'v[1] == 1 && v[0] == 0 && v2 == 4 && result == 0'));
  });

  it('cmpeqv_cmpeqv_storev, first compare fails: unchanged, cmpfail', async () => {
    await expectPass(cmp2Model(3, 4, 'v[1] == 2 && v2 == 4 && result == 1'));
  });

  it('cmpeqv_cmpeqv_storev, second compare fails: unchanged, cmpfail', async () => {
    await expectPass(cmp2Model(2, 5, 'v[1] == 2 && v2 == 4 && result == 1'));
  });

  // ---- rseq_cmpeqv_trystorev_storev -----------------------------------------------------------

  const tryModel = (expectV: number, final: string): ModelInput =>
    oneShot({
      name: `cmpeqv-trystorev-storev-${expectV}`,
      memory: { offset: { size: 'percpu', init: [0, 2], max: 7 }, slot: { size: 2, init: [0, 0], max: 7 } },
      // offset[cpu] == 2: slot[1] = 7 (try store), offset[cpu] = 3 (commit)
      call: cmpeqvTrystorevStorev('t', 'offset', expectV, { var: 'slot', index: 1 }, 7, 3, exits),
      final,
    });

  it('cmpeqv_trystorev_storev, equal: writes both the try store and the commit', async () => {
    await expectPass(tryModel(2, 'slot[1] == 7 && slot[0] == 0 && offset[1] == 3 && offset[0] == 0 && result == 0'));
  });

  it('cmpeqv_trystorev_storev, not equal: neither store, cmpfail', async () => {
    await expectPass(tryModel(1, 'slot[1] == 0 && offset[1] == 2 && result == 1'));
  });

  // ---- rseq_cmpeqv_trymemcpy_storev -----------------------------------------------------------

  // offset (0, 1), src (2, 3) = {4, 5}, dst (4, 5); dst in r4, src in r5.
  const memcpyModel = (expectV: number, final: string): ModelInput =>
    oneShot({
      name: `cmpeqv-trymemcpy-storev-${expectV}`,
      memory: {
        offset: { size: 'percpu', init: [0, 1], max: 3 },
        src: { size: 2, init: [4, 5], max: 7 },
        dst: { size: 2, init: [0, 0], max: 7 },
      },
      registers: 6,
      setup: [I.mov('r4', '&dst'), I.mov('r5', '&src')],
      call: cmpeqvTrymemcpyStorev('m', 'offset', expectV, 'r4', 'r5', 2, 2, exits),
      final,
    });

  it('cmpeqv_trymemcpy_storev, equal: copies len = 2 cells, then commits offset[cpu] = newv', async () => {
    await expectPass(memcpyModel(1, 'dst[0] == 4 && dst[1] == 5 && src[0] == 4 && src[1] == 5 && offset[1] == 2 && offset[0] == 0 && result == 0'));
  });

  it('cmpeqv_trymemcpy_storev, not equal: no copy, no commit, cmpfail', async () => {
    await expectPass(memcpyModel(0, 'dst[0] == 0 && dst[1] == 0 && offset[1] == 1 && result == 1'));
  });

  it('cmpeqv_trymemcpy_storev: a wrong expectation (only one cell copied) is a violation', async () => {
    await expectViolation(memcpyModel(1, 'dst[1] == 0'));
  });
});
