import { describe, expect, it } from 'vitest';
import { StateStore } from '../../checker/state-store.js';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import { Status } from '../../models/kernel/layout.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import { compile, initial, LabelKind, policy, stepTo, successors } from './semantics-helpers.js';
import { buildSystem } from '../../run/check.js';
import { validateModel } from '../../models/ir/validate.js';
import { decodeValue, encodeValue } from '../../models/kernel/encoding.js';

/**
 * T1 yields inside its c.s. on C0; T2 (when present) waits in C0's run queue. No event budget:
 * every context switch below is the yield's own.
 *
 *   0 retry  rseq_cs = &cs
 *   1 start  sched_yield
 *   2        committed = 1      <- commit
 *   3 post   done
 *   4 abort  aborted = 1
 *   5        jmp retry
 */
function yieldModel(competitor: boolean) {
  const b = new ModelBuilder('yield')
    .cpus(1)
    .memory('committed', { max: 1 })
    .memory('aborted', { max: 1 })
    .program('main', {
      code: [
        I.arm('cs', { label: 'retry' }),
        I.syscall('sched_yield', { label: 'start' }),
        I.store({ var: 'committed' }, 1),
        I.done({ label: 'post' }),
        I.store({ var: 'aborted' }, 1, { label: 'abort' }),
        I.jmp('retry'),
      ],
      descriptors: { cs: { start: 'start', postCommit: 'post', abort: 'abort' } },
    })
    .program('other', [I.nop(), I.done()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0' });
  if (competitor) b.thread({ name: 'T2', program: 'other', cpu: 'C0' });
  return b.budgets({ preemptions: 0, migrations: 0, signals: 0 }).build();
}

const sysOf = (competitor: boolean, preset: string): RseqSystem => buildSystem(compile(yieldModel(competitor)), policy(preset), { symmetry: false, reduce: false });

/** The memory (committed, aborted) of every state where all threads finished. */
function finals(sys: RseqSystem): string[] {
  const store = new StateStore(sys.stateWords);
  const s = new Int32Array(sys.stateWords);
  const out = new Int32Array(sys.stateWords);
  sys.initialStates(out, () => void store.insertIfAbsent(out, -1, 0));
  const k = sys.kernel;
  const L = sys.layout;
  const seen = new Set<string>();
  for (let id = 0; id < store.size; id++) {
    store.load(id, s);
    sys.successors(s, out, () => void store.insertIfAbsent(out, id, 0));
    if (L.status.every((f) => k.get(s, f) === Status.Done)) seen.add(Array.from(L.mem, (f) => k.get(s, f)).join(','));
  }
  return [...seen].sort();
}

describe('sched_yield with a competitor ready on the CPU: the scheduler may switch or not', () => {
  it('at the yield, with no budget left, two successors: no switch (T1 runs on at the commit) and a switch (T1 ready)', () => {
    const sys = sysOf(true, 'linux-6.15');
    const atYield = stepTo(sys, initial(sys), { kind: LabelKind.instruction, thread: 0 });
    const next = successors(sys, atYield);
    expect(next.map((x) => x.label)).toEqual([
      { kind: LabelKind.instruction, thread: 0, arg: 0 },
      { kind: LabelKind.instructionPreemptedAtExit, thread: 0, arg: 0 },
    ]);
    const [stay, sw] = next.map((x) => x.state) as [Int32Array, Int32Array];
    expect(sys.kernel.get(stay, sys.layout.status[0]!)).toBe(Status.Running);
    expect(sys.kernel.get(stay, sys.layout.ip[sys.layout.frame(0, 0)]!)).toBe(2);
    expect(sys.kernel.get(sw, sys.layout.status[0]!)).toBe(Status.Ready);
  });

  it('linux-6.15: the switch aborts the c.s. (PREEMPT), staying commits at once: both outcomes are reachable', () => {
    // Before: the yield always switched, so aborted = 1 in every execution.
    expect(finals(sysOf(true, 'linux-6.15'))).toEqual(['1,0', '1,1']);
  });

  it('linux-6.19: a switch from a syscall sets no user_irq, so neither outcome aborts', () => {
    expect(finals(sysOf(true, 'linux-6.19'))).toEqual(['1,0']);
  });

  it('alone on the CPU the scheduler keeps the task: one successor, no abort', () => {
    const sys = sysOf(false, 'linux-6.15');
    const atYield = stepTo(sys, initial(sys), { kind: LabelKind.instruction, thread: 0 });
    expect(successors(sys, atYield).map((x) => x.label.kind)).toEqual([LabelKind.instruction]);
    expect(finals(sys)).toEqual(['1,0']);
  });
});

describe('sched_yield returns 0 and never sleeps', () => {
  // sched_yield(2): "On success, sched_yield() returns 0"; it cannot fail on Linux. Register
  // liveness counts dst as written, so a 1 left in r1 by hand (dead before the call, cleared
  // in any explored state) must read 0 after it.
  it('its result register reads 0 after the call', () => {
    const m = new ModelBuilder('yield-result')
      .cpus(1)
      .memory('x', { max: 1 })
      .program('main', [I.syscall('sched_yield', { dst: 'r1' }), I.store({ var: 'x' }, 'r1'), I.done()])
      .thread({ name: 'T1', program: 'main', cpu: 'C0' })
      .build();
    const sys = buildSystem(compile(m), policy('linux-6.15'), { symmetry: false, reduce: false });
    const s = initial(sys);
    const r1 = sys.layout.regs[sys.layout.frame(0, 0) * sys.layout.registers + 1]!;
    sys.kernel.set(s, r1, encodeValue(1));
    expect(decodeValue(sys.kernel.get(stepTo(sys, s, { kind: LabelKind.instruction, thread: 0 }), r1))).toBe(0);
  });

  it('cannot be declared blocking (located error)', () => {
    const m = new ModelBuilder('yield-blocking').cpus(1).program('main', [I.syscall('sched_yield', { blocking: true }), I.done()]).thread({ name: 'T1', program: 'main', cpu: 'C0' }).build();
    const v = validateModel(m);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => [e.path.join('.'), e.message])).toEqual([['programs.main.0.blocking', 'sched_yield never sleeps (the switch it may cause is explored at its exit): it cannot be "blocking": true']]);
  });
});
