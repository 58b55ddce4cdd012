/**
 * The CPU symmetry under temporal properties (models/system/cpu-symmetry.ts, run/temporal-lasso.ts):
 * it applies when a CPU renaming keeps every atom of the formula, and then gives the verdict of
 * the product without it (every formula × model × policy × fairness × event assumption below);
 * it refuses formulas that can tell CPUs apart; a lasso found on representatives is told on
 * real CPUs, its cycle followed again until it closes, and replays in the unreduced system.
 */
import { describe, expect, it } from 'vitest';
import { findFairAcceptingCycle } from '../../checker/temporal/fair-cycles.js';
import { searchAcceptingCycle } from '../../checker/graph/cycles.js';
import { replay } from '../../checker/replay.js';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolveModel } from '../../models/library/resolve.js';
import { decodeLabel, LabelKind } from '../../models/system/labels.js';
import { reductionNames } from '../../models/system/reductions.js';
import { buildTemporalSystem, checkTemporal, prepareTemporal, type TemporalOptions, type TemporalResult } from '../../run/temporal.js';
import { runCli } from '../cli/cli-runner.js';
import { compile } from './semantics-helpers.js';
import { followable } from './lasso-replay.js';

const withoutCpuSymmetry = { disable: ['cpu-symmetry' as const] };
const unreduced = { disable: [...reductionNames] };

/** Why the CPU symmetry is off for this temporal check, or 'applies'. */
function cpuSymmetryFor(model: ModelIR, options: TemporalOptions): string {
  const v = prepareTemporal(model, options).sys.cpuSymmetry;
  return v.applies ? 'applies' : v.reason;
}

/** The lasso closes in the system it is told in (no CPU symmetry): the state at loopStart is the last one. */
function closes(model: ModelIR, options: TemporalOptions, r: TemporalResult): boolean {
  if (r.verdict !== 'violation') return false;
  const steps = replay(buildTemporalSystem(model, options), r.path.choices);
  return steps[r.path.loopStart]!.state.every((w, i) => w === steps.at(-1)!.state[i]) && r.trace.loopStart === r.path.loopStart;
}

/** Its labels, stem then two turns of the cycle, can be followed in the system without any reduction. */
function replaysUnreduced(model: ModelIR, options: TemporalOptions, r: TemporalResult): boolean {
  if (r.verdict !== 'violation') return false;
  const labels = replay(buildTemporalSystem(model, options), r.path.choices)
    .slice(1)
    .map((st) => st.label!);
  return followable(buildTemporalSystem(model, { ...options, ...unreduced }), [...labels, ...labels.slice(r.path.loopStart)]);
}

const quiet = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
const signalled = resolveModel('percpu-counter', ['threads=1', 'ops=2', 'signals=1']);
const plain = resolveModel('plain-counter', ['threads=2', 'ops=1']);

describe('cpu-symmetry under temporal properties: when it applies', () => {
  const m = quiet.ir;
  const at = (ltl: string): string => cpuSymmetryFor(m, { ltl, constants: quiet.constants });
  it('applies when every atom reads only what a CPU renaming keeps', () => {
    expect(at('G (in_cs(T1) -> F (committed(T1) | aborted(T1)))')).toBe('applies');
    expect(at('G (must_abort(T1) -> X !committed(T1))')).toBe('applies');
    expect(at('G F (preempt(T2) || migrate(T1) || signal(T1) || syscall(T1) || cs_instr(T2))')).toBe('applies');
    expect(at('G (running(T1) || done(T1) || level(T2) == 0 || mm_cid(T1) == 0 || killed || mm_cid_unique)')).toBe('applies');
    // sum over a per-CPU array is kept (its cells are permuted), so is arithmetic of kept values.
    expect(at('F (sum(counter) == threads * 1 + cpus - 2)')).toBe('applies');
    expect(cpuSymmetryFor(m, { property: 'progress' })).toBe('applies');
    expect(cpuSymmetryFor(m, { property: 'abort-before-cs-step' })).toBe('applies');
  });

  it('refuses an atom that names a CPU or reads a CPU number or a per-CPU cell, and says which', () => {
    expect(at('G (cpu(T1) == 0 -> F done(T1))')).toBe("the temporal property's atom cpu(T1) == 0 reads a CPU number");
    expect(at('G F on_cpu(T1, C0)')).toBe("the temporal property's atom on_cpu(T1, C0) names a CPU");
    expect(at('F counter[0] == 1')).toBe("the temporal property's atom counter[0] == 1 reads a cell of per-CPU memory counter");
  });

  it('is off for a model it does not apply to whatever the formula (a pinned thread)', () => {
    const b = new ModelBuilder('pinned').cpus(2);
    b.program('spin', [I.jmp('top', { label: 'top' })]);
    b.thread({ program: 'spin', cpu: 'C0', allowed: ['C0'] });
    expect(cpuSymmetryFor(compile(b.build()), { ltl: 'F G !migrate(T1)' })).toBe('thread T1 is not allowed on every CPU');
  });

  it('a refused formula explores exactly the product without the symmetry; an accepted one about half', async () => {
    const options: TemporalOptions = { fairness: 'weak', finiteEvents: true, constants: quiet.constants };
    const refused = { ...options, ltl: 'G (on_cpu(T1, C0) -> F (committed(T1) | aborted(T1) | !on_cpu(T1, C0)))' };
    const on = await checkTemporal(m, refused);
    const off = await checkTemporal(m, { ...refused, ...withoutCpuSymmetry });
    expect([on.verdict, on.stats.states]).toEqual([off.verdict, off.stats.states]);
    const accepted = { ...options, property: 'progress' };
    expect((await checkTemporal(m, accepted)).stats.states).toBe(1_886);
    expect((await checkTemporal(m, { ...accepted, ...withoutCpuSymmetry })).stats.states).toBe(3_864);
  });
});

interface Case {
  readonly name: string;
  readonly model: ModelIR;
  readonly options: TemporalOptions;
}

const formulas = ['G (in_cs(T1) -> F (committed(T1) | aborted(T1)))', 'G (must_abort(T1) -> X !committed(T1))', 'F G !migrate(T1)', 'G F !in_cs(T1)'];
const cases: Case[] = [];
const policies = [
  ['linux-6.3', []],
  ['linux-6.19', []],
  ['linux-6.3', ['abortOnMigrate=false']],
] as const;
for (const [label, m, modelPolicies] of [
  ['percpu-counter 2x1', quiet, policies.slice(0, 1)],
  ['percpu-counter 1x2+1', signalled, policies],
  ['plain-counter 2x1', plain, policies],
] as const)
  for (const [policy, knobs] of modelPolicies)
    for (const [fairness, finiteEvents] of [
      ['none', false],
      ['weak', true],
      ['strong', false],
      ['strong', true],
    ] as const) {
      const name = `${label} ${policy}${knobs.length > 0 ? ` + ${knobs.join()}` : ''}, fairness ${fairness}${finiteEvents ? ', finite events' : ''}`;
      const common = { policy, knobs: [...knobs], fairness, finiteEvents, constants: m.constants };
      for (const ltl of formulas) cases.push({ name: `${name}: ${ltl}`, model: m.ir, options: { ...common, ltl } });
      for (const property of ['progress', 'no-livelock']) cases.push({ name: `${name}: ${property}`, model: m.ir, options: { ...common, property } });
    }

describe('cpu-symmetry under temporal properties: same verdicts, lassos that replay', () => {
  let smaller = 0;
  let lassos = 0;
  it.each(cases)('$name', async ({ model, options }) => {
    expect(cpuSymmetryFor(model, options)).toBe('applies');
    const reduced = await checkTemporal(model, options);
    const without = await checkTemporal(model, { ...options, ...withoutCpuSymmetry });
    expect(reduced.verdict).toBe(without.verdict);
    if (reduced.verdict === 'pass') {
      expect(reduced.stats.states).toBeLessThanOrEqual(without.stats.states);
      if (reduced.stats.states < without.stats.states) smaller++;
    }
    if (reduced.verdict !== 'violation') return;
    lassos++;
    expect(closes(model, options, reduced)).toBe(true);
    expect(replaysUnreduced(model, options, reduced)).toBe(true);
  });
  it('the symmetry reduced proofs and lassos were checked (the comparisons above are not vacuous)', () => {
    // 122 of the proofs are smaller with the symmetry, 46 cases are lassos.
    expect(smaller).toBeGreaterThan(110);
    expect(lassos).toBeGreaterThan(40);
  });
});

describe('a lasso whose cycle swaps the CPUs is unrolled until it closes', () => {
  // One thread spinning on `jmp top` on 2 CPUs, migrations unbounded, under linux-6.3.
  // `F G !migrate(T1)` is violated by a run that migrates forever. On representatives a
  // migration and the schedule after it come back to the class they left (the thread on C1 is
  // the thread on C0 renamed), so the reduced cycle migrates once; on real CPUs one turn ends
  // on the other CPU, and the cycle is followed again.
  const b = new ModelBuilder('spinner').cpus(2);
  b.program('spin', [I.jmp('top', { label: 'top' })]);
  b.thread({ program: 'spin', cpu: 'C0' });
  const model = compile(b.budgets({ migrations: 'unbounded' }).build());
  const steps = (r: TemporalResult): string[] =>
    r.verdict !== 'violation'
      ? []
      : replay(buildTemporalSystem(model, { policy: 'linux-6.3' }), r.path.choices)
          .slice(1)
          .map((st) => {
            const { kind, arg } = decodeLabel(st.label!);
            return kind === LabelKind.migrate ? `migrate to C${arg}` : kind === LabelKind.schedule ? `schedule on C${arg}` : kind === LabelKind.preempt ? 'preempt' : kind === LabelKind.instruction ? 'jmp' : `kind ${kind}`;
          });
  const expected = {
    // Nested DFS: the stem preempts T1 and moves it to C1; the reduced cycle (migrate, schedule)
    // ends on C0, a second turn back on C1 closes it: 2 turns.
    none: {
      raw: [
        [0, 1, 2, 0],
        [2, 0],
      ],
      path: { choices: [0, 1, 2, 0, 2, 0, 2, 0], loopStart: 3 },
      steps: ['preempt', 'migrate to C1', 'schedule on C1', 'migrate to C0', 'schedule on C0', 'migrate to C1', 'schedule on C1'],
    },
    // Weak fairness makes T1 step on the cycle. The reduced cycle starts at the initial state
    // (jmp, migrate, schedule, jmp), but the initial state is the only one whose kernel-cached
    // CPU is still set (4.18-6.18 never read it, so every successor clears it): the turn
    // starts are the initial state, T1 on C1, T1 on C0 with the cache cleared, T1 on C1 again.
    // The first turn joins the stem and the cycle is the next two: 3 turns.
    weak: {
      raw: [[0], [0, 2, 0, 0]],
      path: { choices: [0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0], loopStart: 4 },
      steps: ['jmp', 'migrate to C1', 'schedule on C1', 'jmp', 'jmp', 'migrate to C0', 'schedule on C0', 'jmp', 'jmp', 'migrate to C1', 'schedule on C1', 'jmp'],
    },
  } as const;

  for (const fairness of ['none', 'weak'] as const) {
    it(`fairness ${fairness}: the reduced cycle is followed until it closes on real CPUs, and replays unreduced`, async () => {
      const options: TemporalOptions = { ltl: 'F G !migrate(T1)', policy: 'linux-6.3', fairness };
      const prepared = prepareTemporal(model, options);
      expect(prepared.sys.cpuSymmetric).toBe(true);
      const raw = fairness === 'none' ? await searchAcceptingCycle(prepared.sys, prepared.spec) : await findFairAcceptingCycle(prepared.sys, prepared.spec, prepared.fair);
      expect(raw.verdict === 'violation' && [raw.stem, raw.cycle]).toEqual(expected[fairness].raw);
      const r = await checkTemporal(model, options);
      expect(r.verdict === 'violation' && r.path).toEqual(expected[fairness].path);
      expect(steps(r)).toEqual(expected[fairness].steps);
      expect(closes(model, options, r)).toBe(true);
      expect(replaysUnreduced(model, options, r)).toBe(true);
      // The product on representatives: 5 states against 11.
      expect(r.stats.states).toBe(5);
      expect((await checkTemporal(model, { ...options, ...withoutCpuSymmetry })).stats.states).toBe(11);
    });
  }
});

describe('--no-reduce=cpu-symmetry turns it off under temporal properties too', () => {
  it('check --property progress: 1886 product states with it, 3864 without (percpu-counter 2x1)', async () => {
    const args = ['check', 'percpu-counter', '--param', 'threads=2', '--param', 'ops=1', '--param', 'signals=0', '--property', 'progress', '--fairness', 'weak', '--finite-events'];
    const states = (out: string): string | undefined => /product states (\d+)/.exec(out)?.[1];
    const on = await runCli(args);
    const off = await runCli([...args, '--no-reduce=cpu-symmetry']);
    expect([on.code, states(on.stdout), off.code, states(off.stdout)]).toEqual([0, '1886', 0, '3864']);
  });
});
