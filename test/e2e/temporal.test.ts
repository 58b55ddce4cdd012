import { describe, expect, it } from 'vitest';
import { replay } from '../../checker/replay.js';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import type { ModelInput } from '../../models/ir/schema.js';
import type { ModelIR } from '../../models/ir/types.js';
import { gallery } from '../../models/library/gallery/entries.js';
import { criticalSection } from '../../models/library/librseq/primitives.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { buffer, increment, list, membarrier, memcpyBuffer, spinlock } from '../../models/library/selftests/scenarios.js';
import { resolveModel } from '../../models/library/resolve.js';
import { Status } from '../../models/kernel/layout.js';
import { buildTemporalSystem, builtinTemporal, checkTemporal, type TemporalOptions, type TemporalResult } from '../../run/temporal.js';
import { compile } from '../models/semantics-helpers.js';
import { formatTemporal } from '../../reports/text.js';


/** The lasso replays: the state at loopStart is the state the cycle returns to. */
function assertLassoReplays(model: ModelIR, options: TemporalOptions, r: TemporalResult): void {
  if (r.verdict !== 'violation') throw new Error('expected a violation');
  const steps = replay(buildTemporalSystem(model, options), r.path.choices);
  expect(Array.from(steps[r.path.loopStart]!.state)).toEqual(Array.from(steps.at(-1)!.state));
  expect(r.trace.loopStart).toBe(r.path.loopStart);
}

describe('progress', () => {
  // The c.s. compares cpu_id with node_id (always 0) instead of the CPU it read: on C1 the
  // compare fails every time, the abort path retries, and the increment never commits.
  const frag = criticalSection('inc', [I.readId('r2', 'node_id'), I.br('ne', 'r3', 'r2', 'inc_abort'), I.load('r1', { var: 'counter', index: 'r0' }), I.add('r1', 1), I.store({ var: 'counter', index: 'r0' }, 'r1')], 'out');
  const model = compile(
    new ModelBuilder('wrong-field')
      .cpus(2)
      .memory('counter', { size: 'percpu', max: 1 })
      .program('worker', { code: [...frag.code, I.done({ label: 'out' })], descriptors: frag.descriptors })
      .thread({ program: 'worker', cpu: 'C1', allowed: ['C1'] })
      .budgets({ preemptions: 'unbounded', migrations: 0 })
      .build(),
  );

  it('a c.s. that compares the wrong field never commits: progress is violated, even under weak fairness with finitely many events, and the lasso replays', async () => {
    const options: TemporalOptions = { property: 'progress', fairness: 'weak', finiteEvents: true };
    const r = await checkTemporal(model, options);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    // One turn of the retry loop, entered at its first state the search reached (before the
    // arm: the rseq_cs the failed compare leaves behind is dead there, so the state is the first
    // turn's): arm (1), read cpu_id (2), compare with cpu_id_start (3, equal), read node_id (4),
    // compare (5, differs on C1), jump from abort_ip (10) back to retry (0).
    const cycle = r.trace.steps.slice(r.path.loopStart + 1);
    expect(cycle.map((s) => [s.kind, s.instruction?.index])).toEqual([1, 2, 3, 4, 5, 10, 0].map((i) => ['instruction', i]));
    assertLassoReplays(model, options, r);
    expect(formatTemporal(r)).toMatch(/cycle starts here/);
  });

  // With finitely many kernel events nothing in percpu-counter loops (a retry needs an event),
  // so no cycle can starve a thread and fairness is not what makes progress hold: the verdict
  // and the product are the same under all three. The fairness tests below use models where it is.
  const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
  for (const fairness of ['none', 'weak', 'strong'] as const) {
    it(`percpu-counter satisfies progress with finitely many kernel events, under fairness ${fairness} too`, async () => {
      const r = await checkTemporal(counter.ir, { property: 'progress', fairness, finiteEvents: true, constants: counter.constants });
      expect(r.verdict).toBe('pass');
      expect(r.stats.states).toBe(1_886);
    });
  }
  for (const fairness of ['none', 'weak'] as const) {
    it(`percpu-counter violates progress with fairness ${fairness} and unbounded events: a cycle of kernel events`, async () => {
      const options: TemporalOptions = { property: 'progress', fairness, constants: counter.constants };
      const r = await checkTemporal(counter.ir, options);
      expect(r.verdict).toBe('violation');
      if (r.verdict !== 'violation') return;
      const cycle = r.trace.steps.slice(r.path.loopStart + 1);
      expect(cycle.some((s) => ['preempt', 'migrate'].includes(s.kind))).toBe(true);
      assertLassoReplays(counter.ir, options, r);
    });
  }
});

/** Status of `thread` in each state of the lasso's cycle (from loopStart to the end). */
function cycleStatuses(model: ModelIR, options: TemporalOptions, r: TemporalResult, thread: number): number[] {
  if (r.verdict !== 'violation') throw new Error('expected a violation');
  const sys = buildTemporalSystem(model, options);
  return replay(sys, r.path.choices)
    .slice(r.path.loopStart)
    .map((st) => sys.kernel.get(st.state, sys.layout.status[thread]!));
}
const runnable = (status: number): boolean => status === Status.Running || status === Status.Ready;

describe('fairness decides progress', () => {
  // T1 spins until T2 sets the flag; each on its own CPU, no kernel events at all. Unfairly,
  // T1 spins forever while T2, running on C1 all along, never executes its store.
  const spinWait = compile(
    new ModelBuilder('spin-wait')
      .cpus(2)
      .memory('flag', { max: 1 })
      .program('waiter', [I.load('r1', { var: 'flag' }, { label: 'spin' }), I.br('ne', 'r1', 1, 'spin'), I.done()])
      .program('setter', [I.store({ var: 'flag' }, 1), I.done()])
      .thread({ name: 'T1', program: 'waiter', cpu: 'C0', allowed: ['C0'] })
      .thread({ name: 'T2', program: 'setter', cpu: 'C1', allowed: ['C1'] })
      .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
      .build(),
  );
  it('without fairness, progress is violated by a lasso in which T1 spins and T2, running throughout, is starved', async () => {
    const options: TemporalOptions = { property: 'progress', fairness: 'none', finiteEvents: true };
    const r = await checkTemporal(spinWait, options);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    const cycle = r.trace.steps.slice(r.path.loopStart + 1);
    expect(cycle.map((s) => [s.kind, s.thread])).toEqual([
      ['instruction', 'T1'],
      ['instruction', 'T1'],
    ]);
    expect(cycleStatuses(spinWait, options, r, 1).every((st) => st === Status.Running)).toBe(true);
    assertLassoReplays(spinWait, options, r);
  });
  for (const fairness of ['weak', 'strong'] as const) {
    it(`with ${fairness} fairness T2 must run, sets the flag, and progress holds`, async () => {
      const r = await checkTemporal(spinWait, { property: 'progress', fairness, finiteEvents: true });
      expect(r.verdict).toBe('pass');
    });
  }

  // Weak and strong fairness differ on a thread that is runnable infinitely often but not
  // continuously. The model language has no instruction of one thread that blocks another, but a
  // sleeping page fault (trap-sleep) blocks a thread and a wake-up makes it ready again, both
  // kernel events of no thread. T1 (nop; done) with unbounded traps: the cycle "sleeping fault,
  // wake, schedule" never lets T1 execute, and T1 is blocked in one of its states.
  const trapSleep = compile(
    new ModelBuilder('trap-sleep')
      .cpus(1)
      .program('main', [I.nop(), I.done()])
      .thread({ name: 'T1', program: 'main', cpu: 'C0' })
      .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 'unbounded' })
      .build(),
  );
  const expected = { none: 'violation', weak: 'violation', strong: 'pass' } as const;
  for (const fairness of ['none', 'weak', 'strong'] as const) {
    it(`a thread put to sleep by page faults forever: progress under ${fairness} fairness is a ${expected[fairness]}`, async () => {
      const options: TemporalOptions = { property: 'progress', fairness };
      const r = await checkTemporal(trapSleep, options);
      expect(r.verdict).toBe(expected[fairness]);
      if (r.verdict !== 'violation') return;
      const cycle = r.trace.steps.slice(r.path.loopStart + 1);
      expect(cycle.length).toBeGreaterThan(0);
      expect(cycle.some((s) => s.kind === 'instruction')).toBe(false);
      assertLassoReplays(trapSleep, options, r);
    });
  }
  // The lasso itself must be weakly fair, not only its component: T1 never executes on the
  // cycle, so the cycle must pass through a state where T1 is blocked (a cycle where T1 stays
  // running without executing, such as a non-sleeping trap's self-loop, is a run weak fairness
  // excludes).
  it('under weak fairness the lasso itself is weakly fair: T1 is not runnable in some state of the cycle', async () => {
    const options: TemporalOptions = { property: 'progress', fairness: 'weak' };
    const r = await checkTemporal(trapSleep, options);
    expect(cycleStatuses(trapSleep, options, r, 0).every(runnable)).toBe(false);
  });
});

describe('LTL from the command-line syntax', () => {
  const counter = resolveModel('percpu-counter', ['threads=2', 'ops=1', 'signals=0']);
  it('G (in_cs(T1) -> F (committed(T1) | aborted(T1))) holds under weak fairness with finite events', async () => {
    const r = await checkTemporal(counter.ir, { ltl: 'G (in_cs(T1) -> F (committed(T1) | aborted(T1)))', fairness: 'weak', finiteEvents: true });
    expect(r.verdict).toBe('pass');
  });
  it('G !migrate(T1) is violated and the lasso ends in a cycle', async () => {
    const options: TemporalOptions = { ltl: 'G !migrate(T1)' };
    const r = await checkTemporal(counter.ir, options);
    expect(r.verdict).toBe('violation');
    assertLassoReplays(counter.ir, options, r);
  });
});

/**
 * Each built-in temporal property on each library model of the design review, under linux-6.3
 * with weak fairness and finitely many kernel events (so that only the model's own behaviour,
 * not an endless stream of preemptions, can break progress).
 */
describe('built-in temporal properties on the library models (linux-6.3, weak fairness, finite events)', () => {
  const P = 'pass';
  const V = 'violation';
  // Columns: progress, no-livelock, no-signal-nesting, abort-before-cs-step.
  const expected: Record<string, [string, string, string, string]> = {
    S1: [P, P, P, P],
    // A blocking write inside the c.s.: every sleep is a context switch, L63 aborts the c.s. at
    // syscall exit, the retry sleeps again: a livelock the kernel makes out of an ABI violation.
    "S1'": [V, V, P, P],
    S2: [P, P, P, P],
    S3: [P, P, P, P],
    'S3-ret': [P, P, P, P],
    S4: [P, P, P, P],
    S5: [P, P, P, P],
    // The forked child starts inside the c.s. (an event it should abort for) and executes the
    // commit without passing abort_ip.
    S6: [P, P, P, V],
    S7: [P, P, P, P],
    'S7-noflag': [P, P, P, P],
    S8: [P, P, P, P],
    S9: [P, P, P, P],
    // The traced thread still finishes: S10-step's abort handler gives up after two aborts, uncommitted.
    S10: [P, P, P, P],
    'S10-exit': [P, P, P, P],
    'S10-step': [P, P, P, P],
    // Same livelock as S1': the blocking write inside the c.s. aborts it on every retry.
    'syscall-migrated-619': [V, V, P, P],
    'clone-vm-registration': [P, P, P, P],
    'no-restart-signal-preempted-handler': [P, P, P, P],
    'no-restart-signal-preempted-handler-notify-first': [P, P, P, P],
    'stale-event-spurious-abort': [P, P, P, P],
    'arm64-user-irq': [P, P, P, P],
    // Every thread finishes (or the process is killed: a bad descriptor under force_sigsegv).
    'kvm-stale-cpu-id': [P, P, P, P],
    'exec-failure-stale-mm-cid': [P, P, P, P],
    'sigsegv-handler-recursion': [P, P, P, P],
    // Issue #16's kernel paths; linux-6.3 keeps every race closed and clears rseq_cs at registration.
    'membarrier-ipi-lost-abort': [P, P, P, P],
    'unregister-ipi-false-kill': [P, P, P, P],
    'unregister-cpu-id-start': [P, P, P, P],
    'stale-rseq-cs-registration': [P, P, P, P],
    'mm-cid-racy-handover': [P, P, P, P],
  };
  const models: [string, ModelInput][] = [...seedScenarios.map((s) => [s.id, s.build()] as [string, ModelInput]), ...gallery.map((g) => [g.name, g.model] as [string, ModelInput])];
  it('covers every library model', () => {
    expect(models.map(([id]) => id).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const [id, m] of models) {
    it(id, async () => {
      const got: string[] = [];
      for (const p of Object.keys(builtinTemporal)) got.push((await checkTemporal(compile(m), { property: p, fairness: 'weak', finiteEvents: true })).verdict);
      expect(got).toEqual(expected[id]);
    });
  }
});

/**
 * The selftest scenarios of §3.3, at two threads (the product of the three-thread versions is
 * millions of states per property): under weak fairness with finitely many kernel events every
 * operation completes, no abort/retry loop livelocks, handlers return, and every event that must
 * abort a c.s. aborts it before the c.s. goes on, in every one of them under linux-6.3.
 */
describe('built-in temporal properties on the selftest scenarios (two threads, linux-6.3, weak fairness, finite events)', () => {
  const models: [string, ModelInput][] = [
    ['s', spinlock({ threads: 2, reps: 1 })],
    ['i', increment({ threads: 2, reps: 1 })],
    ['l', list({ threads: 2, reps: 1 })],
    ['b', buffer({ threads: 2, reps: 1, items: [1, 1], placement: [0, 0] })],
    ['m', memcpyBuffer({ threads: 2, reps: 1, items: [1, 0], placement: [0, 0] })],
    ['r', membarrier({ targets: 'all', workers: 1 })],
    ['r-cpu', membarrier({ targets: [0, 1], workers: 1 })],
  ];
  for (const [id, m] of models) {
    it(`-T ${id}`, async () => {
      const got: string[] = [];
      for (const p of Object.keys(builtinTemporal)) got.push((await checkTemporal(compile(m), { property: p, fairness: 'weak', finiteEvents: true })).verdict);
      expect(got).toEqual(['pass', 'pass', 'pass', 'pass']);
    });
  }
});
