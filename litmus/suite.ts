/**
 * The litmus suite: small models, each run for real against the kernel (rseq-check litmus
 * --suite) and compared with the model's exhaustive set of final outcomes.
 *
 * Every case is a model built with ModelBuilder plus its plan (the events the run injects and
 * the delay loops that make the interesting interleavings likely) and the model-side budgets.
 * The budgets are at least as permissive as a run can be: preemptions, interrupts and traps are
 * unbounded (timer ticks, the competitor threads and page faults are not under our control),
 * signals are bounded by what the helper sends, migrations are unbounded for a thread allowed
 * on more than one CPU (the helper's are the only ones: every thread is pinned to one CPU at a
 * time) and 0 otherwise.
 *
 * Critical sections have the canonical shape (models/library/librseq/primitives.ts): r0 = CPU
 * from cpu_id_start, rseq_cs store, cpu_id compare, body, commit store. Delays sit inside the
 * range, between the load and the commit, where an event decides between commit and abort.
 */
import { I, ModelBuilder, seq, type Fragment } from '../models/ir/builder.js';
import type { InstructionInput, ModelInput } from '../models/ir/schema.js';
import type { EventKind } from '../models/ir/types.js';
import { criticalSection, percpu } from '../models/library/librseq/primitives.js';
import type { Delay, LitmusPlan } from './generate.js';

export interface LitmusCase {
  readonly id: string;
  readonly title: string;
  /** What the kernel is expected to do, in words (the verdict does not depend on it). */
  readonly expect: string;
  readonly model: ModelInput;
  readonly plan: LitmusPlan;
  readonly budgets: Readonly<Partial<Record<EventKind, number | 'unbounded'>>>;
  /**
   * A disagreement found with this case and explained: the outcomes the kernel shows and the
   * model forbids, and why. The verdict is still MODEL TOO STRONG when they are observed.
   */
  readonly knownFinding?: { readonly outcomes: readonly string[]; readonly why: string };
}

type NoRestart = 'NO_RESTART_ON_PREEMPT' | 'NO_RESTART_ON_SIGNAL' | 'NO_RESTART_ON_MIGRATE';
const ALL_NO_RESTART: NoRestart[] = ['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_MIGRATE'];

const PINNED = { preemptions: 'unbounded', interrupts: 'unbounded', traps: 'unbounded', migrations: 0, signals: 0 } as const;

function plan(p: Partial<LitmusPlan> & { delays: readonly Delay[] }): LitmusPlan {
  return { signals: 0, migrations: 0, windowUs: 2000, competitors: true, runTimeoutSeconds: 10, ...p };
}

/**
 * counter[cpu] += 1 through rseq (rseq_addv as weakly ordered architectures write it: load, add,
 * one commit store); `P_commit` labels the commit, `P_abort` retries. `mid` goes between the add
 * and the commit (inside the range).
 */
function rseqIncrement(p: string, next: string, o: { mid?: readonly InstructionInput[]; flags?: NoRestart[] } = {}): Fragment {
  return criticalSection(p, [I.load('r1', percpu('counter')), I.add('r1', 1), ...(o.mid ?? []), I.store(percpu('counter'), 'r1', { label: `${p}_commit` })], { next, ...(o.flags ? { flags: o.flags } : {}) });
}

/** The same increment without rseq: CPU from cpu_id_start, load, add, store. */
function plainIncrement(p: string): InstructionInput[] {
  return [I.readId('r0', 'cpu_id_start', { label: `${p}_cpu` }), I.load('r1', percpu('counter')), I.add('r1', 1), I.store(percpu('counter'), 'r1', { label: `${p}_commit` })];
}

/** n increments through rseq, then done. */
function rseqWorker(n: number, o: { flags?: NoRestart[] } = {}): Fragment {
  return seq(...Array.from({ length: n }, (_, i) => rseqIncrement(`inc${i}`, i + 1 < n ? `inc${i + 1}_retry` : 'finish', o)), I.done({ label: 'finish' }));
}

function commitDelays(program: string, n: number, us: number): Delay[] {
  return Array.from({ length: n }, (_, i) => ({ program, at: `inc${i}_commit`, us }));
}

// ---- the cases ----------------------------------------------------------------------------

/** 1. Per-CPU counter with rseq: two threads on one CPU, two increments each. */
function percpuRseq(): LitmusCase {
  const model = new ModelBuilder('litmus-percpu-rseq')
    .describe('two threads on CPU 0 (plus a busy competitor), two rseq_addv increments each; a preemption between load and commit aborts the c.s.')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 4 })
    .program('worker', rseqWorker(2))
    .thread({ name: 'T1', program: 'worker', cpu: 'C0' })
    .thread({ name: 'T2', program: 'worker', cpu: 'C0' })
    .build();
  return {
    id: 'percpu-rseq',
    title: 'per-CPU counter with rseq',
    expect: 'no lost update: counter=[4] only; aborts where a preemption hit the c.s.',
    model,
    plan: plan({ delays: commitDelays('worker', 2, 1500), windowUs: 6000 }),
    budgets: PINNED,
  };
}

/** 2. The same counter without rseq: lost updates. */
function percpuPlain(): LitmusCase {
  const model = new ModelBuilder('litmus-percpu-plain')
    .describe('two threads on CPU 0, two unprotected load/add/store increments each: a preemption between load and store loses an update')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 4 })
    .program('worker', [...plainIncrement('inc0'), ...plainIncrement('inc1'), I.done()])
    .thread({ name: 'T1', program: 'worker', cpu: 'C0' })
    .thread({ name: 'T2', program: 'worker', cpu: 'C0' })
    .build();
  return {
    id: 'percpu-plain',
    title: 'per-CPU counter without rseq',
    expect: 'lost updates allowed (counter below 4) and seen when a preemption falls between load and store',
    model,
    plan: plan({ delays: commitDelays('worker', 2, 1500), windowUs: 6000 }),
    budgets: PINNED,
  };
}

/** 3. A signal delivered inside the c.s.: the handler increments the same slot. */
function signalInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-signal-in-cs')
    .describe('one thread, one rseq increment with a long delay before its commit; one SIGUSR1 whose handler does its own rseq increment and counts it in `handled`')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('handled', { max: 1 })
    .program('main', rseqWorker(1))
    .program('handler', seq(rseqIncrement('h', 'h_count'), I.addm({ var: 'handled' }, 1, { label: 'h_count' }), I.sigreturn()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id: 'signal-in-cs',
    title: 'signal delivered inside the c.s.',
    expect: 'counter = 1 + handled; a signal between load and commit aborts the c.s. (never counter=[1] handled=1)',
    model,
    plan: plan({ signals: 1, windowUs: 3000, competitors: false, delays: commitDelays('main', 1, 3000) }),
    budgets: { ...PINNED, signals: 1 },
  };
}

/** The abort path of the syscall cases: count attempts (saturating at 2) in r2, then retry. */
function countingIncrement(p: string, syscall: InstructionInput, firstTryOnly: boolean): Fragment {
  const f = criticalSection(
    p,
    [
      I.load('r1', percpu('counter')),
      I.add('r1', 1),
      // The syscall runs on the first attempt only (firstTryOnly), so a syscall that always aborts still ends.
      ...(firstTryOnly ? [I.br('ne', 'r2', 0, `${p}_commit`)] : []),
      syscall,
      I.store(percpu('counter'), 'r1', { label: `${p}_commit` }),
    ],
    { next: 'record' },
  );
  // criticalSection's abort is `jmp P_retry`: put the count in front of it.
  const code = f.code.flatMap((ins): InstructionInput[] =>
    ins.label === `${p}_abort` ? [I.br('ge', 'r2', 2, `${p}_retry`, { label: `${p}_abort` }), I.add('r2', 1), I.jmp(`${p}_retry`)] : [ins],
  );
  return { code, descriptors: f.descriptors };
}

/** 4. A syscall inside the c.s. that does not sleep. */
function syscallInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-syscall-in-cs')
    .describe('getpid() between the load and the commit of an rseq increment (an ABI violation, U5); `attempts` counts the aborts (saturating at 2)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('attempts', { max: 2 })
    .program('main', seq(countingIncrement('s', I.syscall('getpid', { label: 's_sys' }), false), I.store({ var: 'attempts' }, 'r2', { label: 'record' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'syscall-in-cs',
    title: 'non-blocking syscall (getpid) inside the c.s.',
    expect: 'production kernels tolerate it: the c.s. commits, aborting only when a preemption hits it (attempts 0, sometimes more)',
    model,
    plan: plan({ windowUs: 3000, delays: [{ program: 'main', at: 's_sys', us: 400 }, { program: 'main', at: 's_commit', us: 400 }] }),
    budgets: PINNED,
  };
}

/** 5. A syscall inside the c.s. that sleeps: always aborted on 4.18–6.18. */
function blockingSyscallInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-blocking-syscall-in-cs')
    .describe('poll(NULL, 0, 1 ms), which sleeps, between the load and the commit (first attempt only); `attempts` counts the aborts (saturating at 2)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('attempts', { max: 2 })
    .program('main', seq(countingIncrement('s', I.syscall('poll', { blocking: true, label: 's_sys' }), true), I.store({ var: 'attempts' }, 'r2', { label: 'record' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'blocking-syscall-in-cs',
    title: 'blocking syscall (poll, sleeps) inside the c.s.',
    expect: 'the sleep is a context switch: notify-resume at syscall exit finds ip in the c.s. and aborts it, every time (attempts >= 1)',
    model,
    plan: plan({ windowUs: 3000, delays: [{ program: 'main', at: 's_commit', us: 500 }] }),
    budgets: PINNED,
  };
}

/** One rseq increment under an ABI violation that gets the process killed when evaluated. */
function killCase(id: string, title: string, expect: string, description: string, build: (b: ModelBuilder) => ModelBuilder): LitmusCase {
  const model = build(new ModelBuilder(`litmus-${id}`).describe(description).cpus(1).memory('counter', { size: 'percpu', max: 1 })).build();
  return { id, title, expect, model, plan: plan({ windowUs: 10000, delays: [{ program: 'main', at: 'inc0_commit', us: 10000 }] }), budgets: PINNED };
}

/** 6. A descriptor whose abort_ip is not preceded by the registered signature. */
function badSignature(): LitmusCase {
  return killCase(
    'bad-signature',
    'wrong signature before abort_ip',
    'SIGSEGV whenever the kernel evaluates rseq_cs (after a preemption) while it points at the descriptor; counter=[1] if nothing happened meanwhile',
    'one rseq increment whose descriptor has 0x12345678 before abort_ip instead of RSEQ_SIG',
    (b) => {
      const f = rseqWorker(1);
      return b.program('main', { code: f.code, descriptors: { inc0_cs: { ...f.descriptors['inc0_cs']!, signature: 0x12345678 } } }).thread({ name: 'T1', program: 'main', cpu: 'C0' });
    },
  );
}

/** 7. NO_RESTART flags in the descriptor (deprecated since 6.0: kill). */
function noRestartCsFlags(): LitmusCase {
  return killCase(
    'no-restart-cs-flags',
    'NO_RESTART flags in the descriptor',
    'since 6.0 the flags kill: SIGSEGV when an event finds ip in the c.s.; counter=[1] otherwise',
    'one rseq increment whose descriptor sets NO_RESTART_ON_{PREEMPT,SIGNAL,MIGRATE}',
    (b) => b.program('main', rseqWorker(1, { flags: ALL_NO_RESTART })).thread({ name: 'T1', program: 'main', cpu: 'C0' }),
  );
}

/** 8. NO_RESTART flags in the thread's struct rseq (deprecated since 6.0: kill). */
function noRestartThreadFlags(): LitmusCase {
  return killCase(
    'no-restart-thread-flags',
    'NO_RESTART flags in the thread flags',
    'since 6.0 the flags kill: SIGSEGV when an event finds ip in the c.s.; counter=[1] otherwise',
    'one rseq increment by a thread whose struct rseq flags set NO_RESTART_ON_{PREEMPT,SIGNAL,MIGRATE}',
    (b) => b.program('main', rseqWorker(1)).thread({ name: 'T1', program: 'main', cpu: 'C0', flags: ALL_NO_RESTART }),
  );
}

/** 9. abort_ip inside the critical section. */
function abortInCs(): LitmusCase {
  const code: InstructionInput[] = [
    I.readId('r0', 'cpu_id_start', { label: 'inc0_retry' }),
    I.arm('inc0_cs'),
    I.readId('r3', 'cpu_id', { label: 'inc0_start' }),
    I.br('ne', 'r3', 'r0', 'inc0_retry'),
    I.load('r1', percpu('counter'), { label: 'inc0_inside' }),
    I.add('r1', 1),
    I.store(percpu('counter'), 'r1', { label: 'inc0_commit' }),
    I.jmp('finish', { label: 'inc0_post' }),
    I.done({ label: 'finish' }),
  ];
  return killCase(
    'abort-in-cs',
    'abort_ip inside the c.s.',
    'the descriptor fails validation: SIGSEGV whenever the kernel evaluates it (after a preemption); counter=[1] otherwise',
    'one rseq increment whose descriptor names the load inside the range as abort_ip (deliberatelyInvalid)',
    (b) =>
      b
        .program('main', { code, descriptors: { inc0_cs: { start: 'inc0_start', postCommit: 'inc0_post', abort: 'inc0_inside', deliberatelyInvalid: true } } })
        .thread({ name: 'T1', program: 'main', cpu: 'C0' }),
  );
}

/** 10. A valid descriptor left armed after the c.s. while other code runs. */
function staleDescriptor(): LitmusCase {
  const model = new ModelBuilder('litmus-stale-descriptor')
    .describe('an rseq increment, then (rseq_cs still set: never cleared by user space) two plain increments of `after` with delays; preemptions outside the range must neither abort nor kill')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('after', { max: 2 })
    .program('main', staleProgram())
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'stale-descriptor',
    title: 'stale descriptor left armed after the c.s.',
    expect: 'the lazy clear: preemptions with ip outside the range only clear rseq_cs; counter=[1] after=2 always',
    model,
    plan: plan({ windowUs: 8000, delays: [{ program: 'main', at: 'inc0_commit', us: 500 }, { program: 'main', at: 'tail_add', us: 4000 }, { program: 'main', at: 'tail_add2', us: 4000 }] }),
    budgets: PINNED,
  };
}

/**
 * 11/12. membarrier(PRIVATE_EXPEDITED_RSEQ), param_test -T r in small: T1 (CPU 0) increments
 * `(*ptr)[cpu]` with the pointer loaded inside the c.s.; T2 (CPU 1) switches ptr from list_a to
 * list_b, issues the membarrier (or not), snapshots list_a[0], waits for T1 to finish and
 * records in `changed` whether list_a[0] moved after the snapshot.
 */
function membarrierCase(withBarrier: boolean, targetCpu?: number): LitmusCase {
  const n = 3;
  const id = !withBarrier ? 'membarrier-missing' : targetCpu === undefined ? 'membarrier-rseq' : 'membarrier-rseq-cpu';
  const b = new ModelBuilder(`litmus-${id}`)
    .describe(
      withBarrier
        ? 'T2 publishes list_b and issues membarrier(PRIVATE_EXPEDITED_RSEQ); afterwards list_a must not change (T1 loads the list pointer inside its c.s.)'
        : 'the same without the membarrier: T1 may commit to list_a after T2 looked',
    )
    .cpus(2)
    .memory('ptr', { init: 1, max: 4 })
    .memory('list_a', { size: 'percpu', max: n })
    .memory('list_b', { size: 'percpu', max: n })
    .memory('t1_done', { max: 1 })
    .memory('changed', { max: 1 });
  // The membarrier's result (1 = failed) is part of the outcome: a refused call cannot pass silently.
  if (withBarrier) b.memory('mb_failed', { max: 1 });
  const incs = Array.from({ length: n }, (_, i) =>
    criticalSection(`d${i}`, [I.load('r1', { var: 'ptr' }), I.add('r1', 'r0'), I.addm({ ptr: 'r1' }, 1, { label: `d${i}_commit` })], { next: i + 1 < n ? `d${i + 1}_retry` : 'finish' }),
  );
  b.program('worker', seq(...incs, I.store({ var: 't1_done' }, 1, { label: 'finish' }), I.done()));
  b.program(
    'manager',
    seq(
      I.store({ var: 'ptr' }, '&list_b', { label: 'publish' }),
      ...(withBarrier ? [I.syscall('membarrier', { dst: 'r2', ...(targetCpu !== undefined ? { cpu: targetCpu } : {}) }), I.store({ var: 'mb_failed' }, 'r2')] : []),
      I.load('r1', { var: 'list_a', index: 0 }),
      I.load('r2', { var: 't1_done' }, { label: 'wait' }),
      I.br('eq', 'r2', 0, 'wait'),
      I.load('r3', { var: 'list_a', index: 0 }),
      I.br('eq', 'r1', 'r3', 'same'),
      I.store({ var: 'changed' }, 1),
      I.done({ label: 'same' }),
    ),
  );
  b.thread({ name: 'T1', program: 'worker', cpu: 'C0', allowed: ['C0'] }).thread({ name: 'T2', program: 'manager', cpu: 'C1', allowed: ['C1'] });
  return {
    id,
    title: !withBarrier ? 'the same without membarrier (control)' : targetCpu === undefined ? 'membarrier PRIVATE_EXPEDITED_RSEQ' : `membarrier PRIVATE_EXPEDITED_RSEQ with FLAG_CPU (CPU ${targetCpu})`,
    expect: withBarrier ? 'changed=0 always: the IPI aborts a c.s. that loaded the old pointer' : 'changed=1 allowed: a c.s. that loaded list_a before the switch commits after the snapshot',
    model: b.build(),
    plan: plan({
      windowUs: 4000,
      delays: [...Array.from({ length: n }, (_, i) => ({ program: 'worker', at: `d${i}_commit`, us: 700 })), { program: 'manager', at: 'publish', us: 1000 }],
    }),
    budgets: PINNED,
  };
}

/** 13. Migration by an affinity change in the middle of the c.s. */
function migration(): LitmusCase {
  const model = new ModelBuilder('litmus-migration')
    .describe('T1 (allowed on CPUs 0 and 1, moved by sched_setaffinity from the helper) and T2 (CPU 1) do two rseq increments of counter[cpu] each')
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 4 })
    .program('worker', rseqWorker(2))
    .thread({ name: 'T1', program: 'worker', cpu: 'C0', allowed: ['C0', 'C1'] })
    .thread({ name: 'T2', program: 'worker', cpu: 'C1', allowed: ['C1'] })
    .build();
  return {
    id: 'migration',
    title: 'migration by an affinity change',
    expect: 'no lost update: the counters always sum to 4 (a migration inside the c.s. aborts it); how the 4 split depends on where T1 was',
    model,
    plan: plan({ migrations: 4, windowUs: 5000, competitors: false, delays: commitDelays('worker', 2, 1500) }),
    budgets: { ...PINNED, migrations: 'unbounded' },
  };
}

/**
 * 14. sched_yield() inside the c.s. with nothing else runnable on the CPU: __schedule() picks
 * the same task, so no context switch, no rseq event and no abort; the c.s. commits on its
 * first attempt. (This case found the model treating every yield as a switch.)
 */
function yieldInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-yield-in-cs')
    .describe('sched_yield() between the load and the commit (first attempt only), nothing else on the CPU; `attempts` counts the aborts (saturating at 2)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('attempts', { max: 2 })
    .program('main', seq(countingIncrement('s', I.syscall('sched_yield', { label: 's_sys' }), true), I.store({ var: 'attempts' }, 'r2', { label: 'record' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'yield-in-cs',
    title: 'sched_yield() inside the c.s., CPU otherwise idle',
    expect: 'the kernel aborts only if the yield really switched to another task',
    model,
    plan: plan({ windowUs: 1000, competitors: false, delays: [] }),
    budgets: PINNED,
  };
}

/**
 * 15. A signal handler interrupts a sleeping poll(): Linux fails poll (and nanosleep) with
 * EINTR after a handler, whatever SA_RESTART says (signal(7)). (This case found the model
 * restarting every interrupted sleep.)
 */
function signalDuringPoll(): LitmusCase {
  const model = new ModelBuilder('litmus-signal-during-poll')
    .describe('poll(NULL, 0, 1 ms) with its result in `res` (1 = failed); one SIGUSR1 (SA_RESTART) whose handler counts itself in `handled`')
    .cpus(1)
    .memory('res', { max: 1 })
    .memory('handled', { max: 1 })
    .program('main', [I.syscall('poll', { blocking: true, dst: 'r1' }), I.store({ var: 'res' }, 'r1'), I.done()])
    .program('handler', [I.addm({ var: 'handled' }, 1), I.sigreturn()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id: 'signal-during-poll',
    title: 'signal handler interrupts a sleeping poll()',
    expect: 'poll fails with EINTR (res=1) when the handler runs during the sleep',
    model,
    plan: plan({ signals: 1, windowUs: 800, competitors: false, delays: [] }),
    budgets: { ...PINNED, signals: 1 },
  };
}

// ---- kills and aborts reached by signals and by migrations (not only by preemption) --------

/** A handler that only counts itself. */
const countingHandler = [I.addm({ var: 'handled' }, 1), I.sigreturn()];

/**
 * One rseq increment under an ABI violation, then a stretch of code after the c.s. (rseq_cs
 * still armed), with a delay inside the c.s. and one after it; the violation is `descriptor`
 * ('signature': a wrong signature word; 'flags': NO_RESTART flags in the descriptor).
 */
function violatingIncrement(violation: 'signature' | 'flags'): Fragment {
  const f = rseqWorker(1, violation === 'flags' ? { flags: ALL_NO_RESTART } : {});
  const code = f.code.map((ins) => (ins.label === 'finish' ? I.nop({ label: 'finish' }) : ins));
  const descriptors = violation === 'signature' ? { inc0_cs: { ...f.descriptors['inc0_cs']!, signature: 0x12345678 } } : f.descriptors;
  return { code: [...code, I.nop({ label: 'tail' }), I.done()], descriptors };
}

const VIOLATION_DELAYS = [
  { program: 'main', at: 'inc0_commit', us: 4000 },
  { program: 'main', at: 'tail', us: 4000 },
];

/** 16/17. The kill reached by a signal: the handler is never entered when the fixup fails on delivery. */
function killBySignal(violation: 'signature' | 'flags'): LitmusCase {
  const id = violation === 'signature' ? 'bad-signature-signal' : 'no-restart-cs-flags-signal';
  const model = new ModelBuilder(`litmus-${id}`)
    .describe(`one rseq increment whose descriptor ${violation === 'signature' ? 'has a wrong signature' : 'sets the NO_RESTART flags'}, then a stretch after the c.s. with rseq_cs still armed; one SIGUSR1 whose handler counts itself`)
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('handled', { max: 1 })
    .program('main', violatingIncrement(violation))
    .program('handler', countingHandler)
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id,
    title: violation === 'signature' ? 'wrong signature, kill reached by a signal' : 'NO_RESTART descriptor flags, kill reached by a signal',
    expect:
      violation === 'signature'
        ? 'a signal while rseq_cs points at the descriptor kills, inside the c.s. or after it (full validation); handled=1 only for a signal before the arm'
        : 'a signal inside the c.s. kills; after it the flags are not looked at (handled=1)',
    model,
    plan: plan({ signals: 1, windowUs: 8000, competitors: false, delays: VIOLATION_DELAYS }),
    budgets: { ...PINNED, signals: 1 },
  };
}

/** 18/19. The kill reached by a migration (sched_setaffinity by the helper). */
function killByMigration(violation: 'signature' | 'flags'): LitmusCase {
  const id = violation === 'signature' ? 'bad-signature-migration' : 'no-restart-cs-flags-migration';
  const model = new ModelBuilder(`litmus-${id}`)
    .describe(`one rseq increment whose descriptor ${violation === 'signature' ? 'has a wrong signature' : 'sets the NO_RESTART flags'}, by a thread the helper moves between CPUs 0 and 1`)
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 1 })
    .program('main', violatingIncrement(violation))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'] })
    .build();
  return {
    id,
    title: violation === 'signature' ? 'wrong signature, kill reached by a migration' : 'NO_RESTART descriptor flags, kill reached by a migration',
    expect: violation === 'signature' ? 'a migration while rseq_cs points at the descriptor kills, inside the c.s. or after it' : 'a migration inside the c.s. kills; after it nothing happens',
    model,
    plan: plan({ migrations: 2, windowUs: 8000, competitors: false, delays: VIOLATION_DELAYS }),
    budgets: { ...PINNED, migrations: 'unbounded' },
  };
}

/** The stale-descriptor program: an rseq increment, then two plain increments of `after` with rseq_cs still armed. */
function staleProgram(): Fragment {
  return seq(
    rseqIncrement('inc0', 'tail'),
    I.load('r1', { var: 'after' }, { label: 'tail' }),
    I.add('r1', 1, { label: 'tail_add' }),
    I.store({ var: 'after' }, 'r1'),
    I.load('r1', { var: 'after' }),
    I.add('r1', 1, { label: 'tail_add2' }),
    I.store({ var: 'after' }, 'r1'),
    I.done(),
  );
}

const STALE_DELAYS = [
  { program: 'main', at: 'inc0_commit', us: 500 },
  { program: 'main', at: 'tail_add', us: 3000 },
  { program: 'main', at: 'tail_add2', us: 3000 },
];

/** 20. The lazy clear on the signal-delivery path: a signal after the c.s. neither aborts nor kills. */
function staleDescriptorSignal(): LitmusCase {
  const model = new ModelBuilder('litmus-stale-descriptor-signal')
    .describe('stale-descriptor with one SIGUSR1 whose handler counts itself: delivered outside the range, it only clears rseq_cs')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('after', { max: 2 })
    .memory('handled', { max: 1 })
    .program('main', staleProgram())
    .program('handler', countingHandler)
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id: 'stale-descriptor-signal',
    title: 'stale descriptor, signal after the c.s.',
    expect: 'counter=[1] after=2, handled 0 or 1: the delivery path clears rseq_cs without an abort',
    model,
    plan: plan({ signals: 1, windowUs: 7000, competitors: false, delays: STALE_DELAYS }),
    budgets: { ...PINNED, signals: 1 },
  };
}

/** 21. The lazy clear after a migration. */
function staleDescriptorMigration(): LitmusCase {
  const model = new ModelBuilder('litmus-stale-descriptor-migration')
    .describe('stale-descriptor by a thread the helper moves between CPUs 0 and 1')
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('after', { max: 2 })
    .program('main', staleProgram())
    .thread({ name: 'T1', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'] })
    .build();
  return {
    id: 'stale-descriptor-migration',
    title: 'stale descriptor, migration after the c.s.',
    expect: 'after=2 always and one increment on whichever CPU T1 was on',
    model,
    plan: plan({ migrations: 2, windowUs: 7000, competitors: false, delays: STALE_DELAYS }),
    budgets: { ...PINNED, migrations: 'unbounded' },
  };
}

/** An rseq increment that counts its aborts in `attempts` (saturating at 2). */
function attemptCountingIncrement(p: string): Fragment {
  const f = rseqIncrement(p, 'record');
  const code = f.code.flatMap((ins): InstructionInput[] =>
    ins.label === `${p}_abort` ? [I.br('ge', 'r2', 2, `${p}_retry`, { label: `${p}_abort` }), I.add('r2', 1), I.jmp(`${p}_retry`)] : [ins],
  );
  return { code, descriptors: f.descriptors };
}

/** 22. A signal right at the commit boundary (ip = post_commit_ip) or inside: only inside aborts. */
function signalAtCommit(): LitmusCase {
  const model = new ModelBuilder('litmus-signal-at-commit')
    .describe('one rseq increment that counts its aborts in `attempts`, with a delay before the commit and one right after it (ip = post_commit_ip); one SIGUSR1 whose handler counts itself')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('attempts', { max: 2 })
    .memory('handled', { max: 1 })
    .program('main', seq(attemptCountingIncrement('inc0'), I.store({ var: 'attempts' }, 'r2', { label: 'record' }), I.done()))
    .program('handler', countingHandler)
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id: 'signal-at-commit',
    title: 'signal inside the c.s. or at its commit boundary',
    expect: 'attempts=1 for a signal inside, attempts=0 for one at post_commit_ip (outside the half-open range)',
    model,
    plan: plan({ signals: 1, windowUs: 3000, competitors: false, delays: [{ program: 'main', at: 'inc0_commit', us: 1200 }, { program: 'main', at: 'inc0_post', us: 1500 }] }),
    budgets: { ...PINNED, signals: 1 },
  };
}

/** 23. Two signals, each handler doing its own rseq increment. */
function twoSignalsInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-two-signals-in-cs')
    .describe('signal-in-cs with two SIGUSR1: each handler increments the same per-CPU slot through rseq and counts itself')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('handled', { max: 2 })
    .program('main', rseqWorker(1))
    .program('handler', seq(rseqIncrement('h', 'h_count'), I.addm({ var: 'handled' }, 1, { label: 'h_count' }), I.sigreturn()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .build();
  return {
    id: 'two-signals-in-cs',
    title: 'two signals delivered inside the c.s.',
    expect: 'counter = 1 + handled, never a lost update',
    model,
    plan: plan({ signals: 2, windowUs: 3000, competitors: false, delays: commitDelays('main', 1, 3000) }),
    budgets: { ...PINNED, signals: 2 },
  };
}

/** 24. nanosleep(1 ms) inside the c.s.: the blocked path. */
function nanosleepInCs(): LitmusCase {
  const model = new ModelBuilder('litmus-nanosleep-in-cs')
    .describe('nanosleep(1 ms), which sleeps, between the load and the commit (first attempt only); `attempts` counts the aborts (saturating at 2)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .memory('attempts', { max: 2 })
    .program('main', seq(countingIncrement('s', I.syscall('nanosleep', { blocking: true, label: 's_sys' }), true), I.store({ var: 'attempts' }, 'r2', { label: 'record' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .build();
  return {
    id: 'nanosleep-in-cs',
    title: 'blocking syscall (nanosleep) inside the c.s.',
    expect: 'the sleep switches out: the notify-resume at syscall exit aborts the c.s. (attempts >= 1), by the blocked path',
    model,
    plan: plan({ windowUs: 3000, delays: [{ program: 'main', at: 's_commit', us: 500 }] }),
    budgets: PINNED,
  };
}

/** The suite, in the order of the table. */
export function litmusSuite(): readonly LitmusCase[] {
  return [
    percpuRseq(),
    percpuPlain(),
    signalInCs(),
    syscallInCs(),
    blockingSyscallInCs(),
    badSignature(),
    noRestartCsFlags(),
    noRestartThreadFlags(),
    abortInCs(),
    staleDescriptor(),
    membarrierCase(true),
    membarrierCase(false),
    migration(),
    yieldInCs(),
    signalDuringPoll(),
    killBySignal('signature'),
    killBySignal('flags'),
    killByMigration('signature'),
    killByMigration('flags'),
    staleDescriptorSignal(),
    staleDescriptorMigration(),
    signalAtCommit(),
    twoSignalsInCs(),
    nanosleepInCs(),
    membarrierCase(true, 0),
  ];
}
