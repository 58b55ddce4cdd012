/**
 * The seed thread's distinguishing scenarios (rseq-semantics.md §5.2) as small models.
 *
 * Each scenario is one function returning a ModelInput: one or two threads, one or two CPUs and
 * small event budgets, so that one check under one preset explores a few hundred states. Each
 * carries a data condition (`final`) where one means something; the built-in properties G1/G2/G3
 * (§5.1) are what separates the seed's policies a/b/c/c'/d.
 *
 * All critical sections have the canonical shape of §3.1 (the shape of
 * models/library/librseq/primitives.ts, with the scenario's instruction placed in the body):
 *
 *   P_retry:  r0 = cpu_id_start
 *             rseq_cs = &P_cs
 *   P_start:  r3 = cpu_id; if r3 != r0 goto P_abort
 *             ... body (the scenario's syscall / vDSO call sits here) ...
 *             <commit>                       (last instruction of the range)
 *   P_post:   goto next
 *   P_abort:  goto P_retry
 *
 * The verdicts are deliberately not written here: test/library/seed.test.ts prints them and
 * asserts the ones reasoned out by hand from §2 and §5.
 */
import { I, ModelBuilder, seq, type Fragment } from '../../ir/builder.js';
import type { InstructionInput, ModelInput } from '../../ir/schema.js';
import { addv, criticalSection, percpu } from '../librseq/primitives.js';

type NoRestart = 'NO_RESTART_ON_PREEMPT' | 'NO_RESTART_ON_SIGNAL' | 'NO_RESTART_ON_MIGRATE';


/** counter[cpu] += 1 as load/add/store with `mid` between the add and the commit store. */
function incrementAround(mid: readonly InstructionInput[]): InstructionInput[] {
  return [I.load('r1', percpu('counter')), I.add('r1', 1), ...mid, I.store(percpu('counter'), 'r1')];
}

/** A thread that increments counter[cpu] once through the canonical rseq_addv. */
function plainIncrement(p: string): Fragment {
  return seq(addv(p, 'counter', 1, { next: `${p}_done` }), I.done({ label: `${p}_done` }));
}

const ALL_NO_RESTART: NoRestart[] = ['NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_MIGRATE'];

// ---- S1 ---------------------------------------------------------------------------------------

/**
 * S1 (§5.2 S1): `write(2)` between start_ip and the commit (ip_e inside the range), and no event
 * at all (every budget 0). Distinguishes the detecting policies (b, c, c': a justified kill,
 * flag `killed-as-promised`) from the non-detecting ones (a, d without write in its set, every
 * production kernel: the c.s. simply commits).
 */
function s1(): ModelInput {
  return new ModelBuilder('seed-S1')
    .describe('S1: write(2) inside the c.s., no event during it')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s1', incrementAround([I.syscall('write')]), 'finish'), I.done({ label: 'finish' })))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 1')
    .build();
}

/**
 * S1' (§5.2 S1'): as S1, but the write blocks (`blocking: true`) and the thread may migrate
 * C0→C1 while it sleeps (migrations 1). A second thread T2, pinned to C0, increments
 * counter[C0] through its own c.s. while T1 sleeps, so a commit that lands on the old CPU's slot
 * loses T2's update (`counter-sum`). Distinguishes the kernels that evaluate the c.s. after a
 * syscall-exit switch (L418–L63: notify-resume with regs aborts it) from the L619 family (the
 * `!user_irq` skip: no c.s. check at syscall exit).
 */
function s1Blocking(): ModelInput {
  return new ModelBuilder("seed-S1'")
    .describe("S1': blocking write(2) inside the c.s.; the thread may migrate while blocked; T2 updates the old CPU's slot meanwhile")
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s1b', incrementAround([I.syscall('write', { blocking: true })]), 'finish'), I.done({ label: 'finish' })))
    .program('other', plainIncrement('t2'))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'] })
    .thread({ name: 'T2', program: 'other', cpu: 'C0', allowed: ['C0'] })
    .budgets({ preemptions: 0, migrations: 1, signals: 0 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- S2 ---------------------------------------------------------------------------------------

/**
 * S2 (§5.2 S2): a syscall *after* a completed c.s.; `rseq_cs` still points at the descriptor
 * because the kernel clears it lazily (one preemption may or may not have cleared it first).
 * The thread did not violate the ABI, so a kill is a false kill (G2). Distinguishes the
 * pointer-based policy b from the IP-based c and c'.
 */
function s2(): ModelInput {
  return new ModelBuilder('seed-S2')
    .describe('S2: write(2) after a completed c.s. while rseq_cs is still set (lazy clearing)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s2', incrementAround([]), 'after'), I.syscall('write', { label: 'after' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 1, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 1')
    .build();
}

// ---- S3, S3-ret, S4 ---------------------------------------------------------------------------

function signalScenario(name: string, description: string, flags: NoRestart[] | undefined, handler: readonly InstructionInput[], final = 'sum(counter) == 1'): ModelInput {
  return new ModelBuilder(name)
    .describe(description)
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('handled', { max: 1 })
    .program('main', seq(criticalSection('s3', incrementAround([]), 'finish'), I.done({ label: 'finish' })))
    .program('handler', [...handler])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler', ...(flags ? { flags } : {}) })
    .budgets({ preemptions: 1, migrations: 0, signals: 1 })
    .final('counter-sum', final)
    .build();
}

/**
 * S3 (§5.2 S3): a signal delivered inside a c.s. of a thread whose `struct rseq` flags are
 * NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE (honoured only by L418/L5x), so the c.s. is not
 * restarted and `rseq_cs` stays set while the handler runs; the handler calls write(2). The
 * handler's IP is outside the c.s. ("the instruction pointer comparison would detect that we're
 * not actually running in the rseq critical section", seed thread), so c does not kill, while b
 * (rseq_cs set) kills a thread that did nothing wrong (G2). So that the row is about the write
 * alone, the handler does not return: the thread ends in it (as after _exit), and rt_sigreturn,
 * whose exit IP is back in the c.s., is S3-ret's question. The interrupted c.s. then never
 * commits, so the data condition is that nothing was counted twice. L60/L63 kill on the
 * deprecated flags.
 */
function s3(): ModelInput {
  return signalScenario(
    'seed-S3',
    'S3: signal inside a c.s. with NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE; the handler calls write(2) and does not return',
    ALL_NO_RESTART,
    // The validator wants a handler that can return; this one never reaches its rt_sigreturn.
    [I.syscall('write'), I.done(), I.sigreturn()],
    'sum(counter) <= 1',
  );
}

/**
 * S3-ret (§5.2 S3-ret): as S3, but the handler makes no syscall of its own except its final
 * rt_sigreturn (a syscall in the model). Its entry IP is in the handler, its exit IP is the
 * interrupted IP, back inside the c.s.: an exit-IP check (c', DEBUG_RSEQ's rseq_syscall) kills
 * a thread that issued no syscall from inside its c.s. (G2), an entry-IP check (c) does not.
 */
function s3Ret(): ModelInput {
  return signalScenario(
    'seed-S3-ret',
    "S3-ret: signal inside a c.s. with NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE; only the handler's rt_sigreturn is a syscall",
    ALL_NO_RESTART,
    [I.addm({ var: 'handled' }, 1), I.sigreturn()],
  );
}

/**
 * S4 (§5.2 S4): as S3 without NO_RESTART flags (the default, the only behaviour since 6.0): the
 * delivery aborts the c.s. and clears `rseq_cs`, so neither the handler's write(2) nor its
 * rt_sigreturn sees a c.s. Control case: every policy should hold.
 */
function s4(): ModelInput {
  return signalScenario('seed-S4', 'S4: signal inside a c.s. without NO_RESTART flags; the handler calls write(2)', undefined, [I.syscall('write'), I.sigreturn()]);
}

// ---- S5 ---------------------------------------------------------------------------------------

/**
 * S5 (§5.2 S5): the syscall is the last instruction of the range, so ip_e (the address after the
 * syscall instruction) equals post_commit_ip and the kernel's test `ip - start < offset` says
 * "outside". The thread violated the ABI (the syscall is in the c.s.) but an IP check at entry
 * (c) or exit (c') cannot see it: a false negative (G3); b still sees `rseq_cs` set. The store
 * sits before the syscall, so no event is allowed (budgets 0) to keep the data condition about
 * the syscall alone.
 */
function s5(): ModelInput {
  return new ModelBuilder('seed-S5')
    .describe('S5: write(2) as the last instruction of the c.s. (ip_e == post_commit_ip)')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s5', [I.load('r1', percpu('counter')), I.add('r1', 1), I.store(percpu('counter'), 'r1'), I.syscall('write')], 'finish'), I.done({ label: 'finish' })))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 1')
    .build();
}

// ---- S6 ---------------------------------------------------------------------------------------

/**
 * S6 (§5.2 S6, §2.8): fork() inside a c.s. whose data is shared (model memory is MAP_SHARED:
 * parent and child see one counter). The child (T2, dormant until the fork) runs the same
 * program and returns from fork at the same IP, inside the c.s., so without a kill it completes
 * the parent's increment a second time; the commit is x86's single `addq` (addm) so the double
 * commit shows. `once-per-op`: the one logical operation (the parent's) incremented the counter
 * exactly once. Distinguishes the policies that kill at the fork (b, c, c', and d whose set
 * holds fork) from a and the production kernels.
 */
function s6(): ModelInput {
  return new ModelBuilder('seed-S6')
    .describe('S6: fork() inside a c.s. over MAP_SHARED data; the child continues the c.s.')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s6', [I.syscall('fork', { child: 'T2', dst: 'r2' }), I.addm(percpu('counter'), 1)], 'finish'), I.done({ label: 'finish' })))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .thread({ name: 'T2', program: 'main', cpu: 'C0', dormant: true })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('once-per-op', 'sum(counter) == 1')
    .build();
}

// ---- S7 ---------------------------------------------------------------------------------------

function membarrierScenario(name: string, description: string, flagCpu: boolean): ModelInput {
  const mb = I.syscall('membarrier', flagCpu ? { cpu: 'r0' } : {});
  return new ModelBuilder(name)
    .describe(description)
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s7', incrementAround([mb]), 'finish'), I.done({ label: 'finish' })))
    .program('other', plainIncrement('t2'))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', allowed: ['C0'] })
    .thread({ name: 'T2', program: 'other', cpu: 'C1', allowed: ['C1'] })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

/**
 * S7 (§5.2 S7, §2.9): membarrier(PRIVATE_EXPEDITED_RSEQ, FLAG_CPU) issued from inside the
 * caller's own c.s., targeting the caller's own CPU (`cpu` = r0, the CPU read from
 * cpu_id_start): smp_call_function_single runs ipi_rseq on the calling CPU, so the caller gets
 * an event of its own while it is in the kernel. A second thread T2 on C1 keeps mm_users > 1
 * (otherwise membarrier returns at once). L418–L63 abort the caller's c.s. at syscall exit (and
 * it retries: the loop ends once T2 is done); L619 V2 raises nothing (no user_irq, same IDs).
 */
function s7(): ModelInput {
  return membarrierScenario('seed-S7', "S7: membarrier(RSEQ, FLAG_CPU = own CPU) from inside the caller's own c.s.", true);
}

/**
 * S7 without FLAG_CPU: smp_call_function_many excludes the calling CPU ("don't rseq_preempt()
 * the caller"), so only T2 on C1 is targeted; the caller's c.s. gets no event and commits.
 */
function s7NoFlag(): ModelInput {
  return membarrierScenario('seed-S7-noflag', "S7 variant: membarrier(RSEQ) without FLAG_CPU from inside the caller's own c.s. (the caller's CPU is excluded)", false);
}

// ---- S8 ---------------------------------------------------------------------------------------

/**
 * S8 (§5.2 S8): a vDSO call (clock_gettime) inside a c.s. It never enters the kernel, so no
 * syscall policy can see it, and it is not an ABI violation (G3 does not apply). Control case:
 * every policy should hold, including under one preemption.
 */
function s8(): ModelInput {
  return new ModelBuilder('seed-S8')
    .describe('S8: vDSO clock_gettime inside a c.s.')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s8', incrementAround([I.vdso('clock_gettime')]), 'finish'), I.done({ label: 'finish' })))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 1, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 1')
    .build();
}

// ---- S9 ---------------------------------------------------------------------------------------

/**
 * S9 (§5.2 S9): a syscall outside any c.s. (a blocking futex_wait between two c.s. iterations, while
 * rseq_cs still points at the first one) interrupted by a signal: the environment wakes the
 * sleeper with -ERESTARTSYS, the IP is rewound onto the futex_wait before the rseq fixup, the handler
 * runs, and futex_wait is restarted after rt_sigreturn (SA_RESTART). The thread never violates the
 * ABI, so every kill is false (G2); b kills at the futex_wait itself. The rewound IP is outside both
 * ranges, so IP-based checks hold.
 */
function s9(): ModelInput {
  return new ModelBuilder('seed-S9')
    .describe('S9: blocking futex_wait between two c.s. (rseq_cs still set), interrupted by a signal and restarted')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('handled', { max: 1 })
    .program('main', seq(criticalSection('s9a', incrementAround([]), 'sleep'), I.syscall('futex_wait', { label: 'sleep', blocking: true }), criticalSection('s9b', incrementAround([]), 'finish'), I.done({ label: 'finish' })))
    .program('handler', [I.addm({ var: 'handled' }, 1), I.sigreturn()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler' })
    .budgets({ preemptions: 0, migrations: 0, signals: 1 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- S10 --------------------------------------------------------------------------------------

/**
 * S10 (§5.2 S10, §2.7) with PTRACE_SETREGS: after a completed c.s. (rseq_cs still set: lazy
 * clearing), the thread's write(2) stops for its tracer (PTRACE_SYSCALL), which sets its IP back
 * to the start of the c.s. (models/kernel/ptrace.ts). The stop is a switch: 4.18-6.18 raise
 * PREEMPT and notify-resume, and the fixup finds the new IP in the range of rseq_cs: abort. The
 * 6.19 rework sees a switch out of a syscall (no user_irq) and evaluates nothing: the thread
 * re-runs the c.s. from start_ip and commits after being switched out inside it (G1). At the
 * syscall-entry stop the exit IP is the tracer's (ip_x != ip_e, §5.1): an exit-IP check (c')
 * kills a thread that broke no rule (G2); at the syscall-exit stop (S10-exit) rseq_syscall has
 * already run with the old IP. No data condition: the re-run increment is the tracer's doing.
 */
function s10SetIp(name: string, description: string, stop: 'syscall-entry' | 'syscall-exit'): ModelInput {
  return new ModelBuilder(name)
    .describe(description)
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(criticalSection('s10', incrementAround([]), 'after'), I.syscall('write', { label: 'after' }), I.done()))
    .thread({ name: 'T1', program: 'main', cpu: 'C0', tracer: { setIp: 's10_start', stop } })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .build();
}

/**
 * S10 (§5.2 S10, §2.7) with PTRACE_SINGLESTEP: every instruction is followed by a ptrace stop,
 * a switch with user_irq set (the debug trap enters from user mode), so every kernel aborts the
 * c.s. at its first stepped instruction inside the range ("debuggers cannot single-step a c.s.").
 * The abort handler counts its attempts and gives up after two, so the run ends: the data
 * condition (the increment happened once) fails under every policy while G1 holds.
 */
function s10Step(): ModelInput {
  return new ModelBuilder('seed-S10-step')
    .describe('S10 variant: a tracer single-steps a c.s. that gives up after two aborts')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('attempts', { max: 2 })
    .program(
      'main',
      seq(
        I.readId('r0', 'cpu_id_start', { label: 'st_retry' }),
        I.arm('st_cs'),
        I.readId('r3', 'cpu_id', { label: 'st_start' }),
        I.br('ne', 'r3', 'r0', 'st_abort'),
        ...incrementAround([]),
        I.jmp('finish', { label: 'st_post' }),
        I.addm({ var: 'attempts' }, 1, { label: 'st_abort' }),
        I.load('r2', { var: 'attempts' }),
        I.br('lt', 'r2', 2, 'st_retry'),
        I.clear({ label: 'finish' }),
        I.done(),
        { code: [], descriptors: { st_cs: { start: 'st_start', postCommit: 'st_post', abort: 'st_abort' } } },
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0', tracer: { singleStep: true } })
    .budgets({ preemptions: 0, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 1')
    .build();
}

// ---- the list ---------------------------------------------------------------------------------

/** One seed scenario: its id (as in §5.2), a one-line title, and a builder. */
export interface SeedScenario {
  readonly id: string;
  readonly title: string;
  build(): ModelInput;
}

/** Every seed scenario of §5.2, in table order. */
export const seedScenarios: SeedScenario[] = [
  { id: 'S1', title: 'write(2) inside the c.s., no event', build: s1 },
  { id: "S1'", title: 'blocking write(2) inside the c.s., migration while blocked', build: s1Blocking },
  { id: 'S2', title: 'syscall after a completed c.s. (rseq_cs still set)', build: s2 },
  { id: 'S3', title: 'signal in c.s. with NO_RESTART_ON_SIGNAL|PREEMPT|MIGRATE; handler calls write(2), does not return', build: s3 },
  { id: 'S3-ret', title: "same; the handler's rt_sigreturn returns into the c.s.", build: s3Ret },
  { id: 'S4', title: 'signal in c.s. without NO_RESTART flags; handler calls write(2)', build: s4 },
  { id: 'S5', title: 'syscall as the last instruction of the c.s. (ip_e == post_commit_ip)', build: s5 },
  { id: 'S6', title: 'fork() inside a c.s. over shared data', build: s6 },
  { id: 'S7', title: 'membarrier(RSEQ, FLAG_CPU = own CPU) inside the own c.s.', build: s7 },
  { id: 'S7-noflag', title: 'membarrier(RSEQ) without FLAG_CPU inside the own c.s.', build: s7NoFlag },
  { id: 'S8', title: 'vDSO call inside a c.s.', build: s8 },
  { id: 'S9', title: 'blocking futex_wait outside any c.s. (rseq_cs set), restarted after a signal', build: s9 },
  {
    id: 'S10',
    title: 'a tracer sets the IP into the c.s. at the syscall-entry stop of a later write(2) (rseq_cs still set)',
    build: () => s10SetIp('seed-S10', 'S10: at the syscall-entry stop of a write(2) after the c.s., the tracer sets the IP back to start_ip (PTRACE_SETREGS)', 'syscall-entry'),
  },
  {
    id: 'S10-exit',
    title: 'same, at the syscall-exit stop (rseq_syscall already ran)',
    build: () => s10SetIp('seed-S10-exit', 'S10 variant: the tracer sets the IP back to start_ip at the syscall-exit stop of the write(2)', 'syscall-exit'),
  },
  { id: 'S10-step', title: 'a tracer single-steps the c.s. (every step a ptrace stop); it gives up after two aborts', build: s10Step },
];
