/**
 * The known-bug gallery: kernel-side rseq bugs (historical ones, and the what-if removal of a
 * kernel safeguard), each as a small model plus the policy and knob settings that show the bug
 * and the ones that fix it. The contract every entry keeps (pinned by
 * test/library/gallery.test.ts): `property` is violated under `policy` + `bugKnobs` and holds
 * under `policy` + `fixKnobs`; each `also` entry states its own expectation.
 *
 * Sources are rseq-semantics.md sections and the fixing commits named there.
 */
import { I, ModelBuilder, seq, type Fragment } from '../../ir/builder.js';
import type { ModelInput } from '../../ir/schema.js';
import { addv, criticalSection, percpu } from '../librseq/primitives.js';
import { kernelPathEntries } from './kernel-paths.js';
import { membarrierIpiLostAbort, mmCidRacyHandover, staleRseqCsRegistration, unregisterCpuIdStart, unregisterIpiFalseKill } from './kernel-races.js';
import type { GalleryMechanism } from './mechanism.js';

/** A further property an entry's bug violates, with what the fix does to it. */
export interface GalleryAlso {
  /** Property name as `checkModel`'s `properties` option accepts it. */
  readonly property: string;
  /** Whether `fixKnobs` make it hold as well. */
  readonly fixHolds: boolean;
  /** Why (in particular, why not when `fixHolds` is false). */
  readonly why: string;
}

/** One gallery entry: a model that shows a bug under `bugKnobs` and not under `fixKnobs`. */
export interface GalleryEntry {
  readonly name: string;
  readonly title: string;
  /** The fixing commit, or the rseq-semantics.md section that documents the behaviour. */
  readonly source: string;
  readonly model: ModelInput;
  /** Property name as `checkModel`'s `properties` option accepts it (built-in or the model's). */
  readonly property: string;
  /** A preset name (models/kernel/presets.ts). */
  readonly policy: string;
  /** Knob overrides (`name=value`) under which `property` is violated. */
  readonly bugKnobs: string[];
  /** Knob overrides (`name=value`) under which `property` holds. */
  readonly fixKnobs: string[];
  /** Further properties the bug violates. */
  readonly also?: readonly GalleryAlso[];
  /** The mechanisms the title names, each shown by the counterexample of `property` under `bugKnobs`. */
  readonly shows: readonly GalleryMechanism[];
}


/** A program that increments counter[cpu] once through rseq_addv and finishes. */
function oneIncrement(p: string): Fragment {
  return seq(addv(p, 'counter', 1, { next: `${p}_done` }), I.done({ label: `${p}_done` }));
}

// ---- syscall-migrated-619 ---------------------------------------------------------------------

/**
 * A blocking write(2) inside a c.s., migrated C0→C1 while it sleeps. L619 updates the IDs after
 * the migration but skips the c.s. at syscall exit (no user_irq), so the thread goes on and
 * commits to counter[C0] from C1. The c.s. re-reads cpu_id just before its commit and asserts
 * it is still the CPU it started on (librseq's RSEQ_COMPARE_TWICE, §3.2), which pins exactly
 * "the commit lands on the old CPU's slot".
 *
 * The property is that assertion: only a migration breaks it, so the counterexample shows the
 * migration the title names. G1 (an `also`) is broken already by the sleep alone, switched back
 * in on C0, which is its shortest counterexample. With the fix knob the exit path evaluates the
 * c.s. of a thread switched out during a syscall (as L418-L63 do through notify-resume), so it
 * aborts and retries on the new CPU.
 */
function syscallMigrated619(): ModelInput {
  return new ModelBuilder('gallery-syscall-migrated-619')
    .describe('blocking write(2) inside a c.s., migrated while blocked; cpu_id re-checked before the commit (RSEQ_COMPARE_TWICE)')
    .cpus(2)
    .memory('counter', { size: 'percpu', max: 3 })
    .program(
      'main',
      seq(
        criticalSection(
          'inc',
          [
            I.load('r1', percpu('counter')),
            I.add('r1', 1),
            I.syscall('write', { blocking: true }),
            I.readId('r2', 'cpu_id'),
            I.assert('eq', 'r2', 'r0', 'the commit runs on the CPU whose slot it updates (RSEQ_COMPARE_TWICE)'),
            I.store(percpu('counter'), 'r1'),
          ],
          'finish',
        ),
        I.done({ label: 'finish' }),
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0', allowed: ['C0', 'C1'] })
    .budgets({ preemptions: 0, migrations: 1, signals: 0 })
    .build();
}

// ---- clone-vm-registration --------------------------------------------------------------------

/**
 * clone(CLONE_VM) without CLONE_THREAD: before 463f550fb47b the child was unregistered only
 * under CLONE_THREAD, so this child keeps K.rseq = the parent's struct rseq. Its own
 * registration (what glibc does for a new thread) fails with -EBUSY, and the first
 * notify-resume after a preemption writes cpu_id_start/cpu_id (and may clear rseq_cs) in the
 * parent's TLS. With the fix the child starts unregistered and registers its own area.
 */
function cloneVmRegistration(): ModelInput {
  return new ModelBuilder('gallery-clone-vm-registration')
    .describe('clone(CLONE_VM) child registers its own rseq area and runs a c.s.; under the CLONE_THREAD rule it inherits the parent registration')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program(
      'main',
      seq(
        I.syscall('clone_vm', { child: 'T2', dst: 'r2' }),
        I.br('eq', 'r2', 0, 'child'),
        addv('parent', 'counter', 1, { next: 'parent_done' }),
        I.done({ label: 'parent_done' }),
        I.syscall('rseq_register', { label: 'child', dst: 'r1' }),
        addv('kid', 'counter', 1, { next: 'kid_done' }),
        I.done({ label: 'kid_done' }),
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .thread({ name: 'T2', program: 'main', cpu: 'C0', dormant: true })
    .budgets({ preemptions: 1, migrations: 0, signals: 0 })
    .build();
}

// ---- no-restart-signal-preempted-handler ------------------------------------------------------

/**
 * A thread with NO_RESTART_ON_SIGNAL alone in its struct rseq flags. The signal delivered inside
 * its c.s. does not restart it (SIGNAL is exempt) and leaves rseq_cs set; the handler is then
 * preempted (PREEMPT is not exempt, but the IP is in the handler, outside the range), so the
 * notify-resume lazily clears rseq_cs. After rt_sigreturn the c.s. resumes unaborted after a
 * preemption, and from then on runs with rseq_cs == 0: a later preemption inside it is not seen
 * either. T2 shares the CPU and increments the same slot, so the lost update is visible.
 * L418's rseq_need_restart refuses SIGNAL without both PREEMPT and MIGRATE ("Otherwise, a
 * preempted signal handler could fail to restart the prior execution context on sigreturn"):
 * the task is killed, a justified kill.
 */
function noRestartSignalPreemptedHandler(order: 'signal-first' | 'notify-first'): ModelInput {
  return new ModelBuilder(`gallery-no-restart-signal-preempted-handler-${order}`)
    .describe(`NO_RESTART_ON_SIGNAL alone; signal inside the c.s., handler preempted, T2 updates the slot meanwhile (${order})`)
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .memory('handled', { max: 1 })
    .program('main', oneIncrement('t1'))
    .program('other', oneIncrement('t2'))
    .program('handler', [I.addm({ var: 'handled' }, 1), I.sigreturn()])
    .thread({ name: 'T1', program: 'main', cpu: 'C0', handler: 'handler', flags: ['NO_RESTART_ON_SIGNAL'] })
    .thread({ name: 'T2', program: 'other', cpu: 'C0' })
    .budgets({ preemptions: 2, migrations: 0, signals: 1 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- stale-event-spurious-abort ---------------------------------------------------------------

/**
 * Two c.s. iterations. A preemption outside any c.s. sets PREEMPT in the event mask; the
 * notify-resume finds the IP outside (lazy clear) and returns before it reads the mask
 * (kernel/rseq.c v4.18, rseq_ip_fixup), so the bit stays. In the next c.s. an interrupt whose
 * exit runs unrelated task_work (TIF_NOTIFY_RESUME) evaluates the c.s., reads the stale bit and
 * aborts a c.s. nothing happened to. Safe (an abort always is) but imprecise. L619 clears the
 * events on every exit to user space.
 */
function staleEventSpuriousAbort(): ModelInput {
  return new ModelBuilder('gallery-stale-event-spurious-abort')
    .describe('two c.s. iterations; a preemption between them leaves a stale event bit; unrelated task_work inside the second c.s.')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('main', seq(addv('first', 'counter', 1, { next: 'second_retry' }), addv('second', 'counter', 1, { next: 'finish' }), I.done({ label: 'finish' })))
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 1, migrations: 0, signals: 0, interrupts: 1 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- arm64-user-irq ---------------------------------------------------------------------------

/**
 * Two threads on one CPU incrementing the same slot. With GENERIC_IRQ_ENTRY but no
 * rseq_note_user_irq_entry() in the arch's entry code (arm64 in 6.19), an interrupt-driven
 * preemption leaves user_irq clear, so L619 V2 raises no sched_switch event at switch-in (same
 * CPU, same IDs): the preempted c.s. resumes and commits a stale value.
 */
function arm64UserIrq(): ModelInput {
  return new ModelBuilder('gallery-arm64-user-irq')
    .describe('two threads on one CPU, each incrementing counter[cpu] once; same-CPU preemption inside the c.s.')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 3 })
    .program('worker', oneIncrement('inc'))
    .thread({ name: 'T1', program: 'worker', cpu: 'C0' })
    .thread({ name: 'T2', program: 'worker', cpu: 'C0' })
    .budgets({ preemptions: 1, migrations: 0, signals: 0 })
    .final('counter-sum', 'sum(counter) == 2')
    .build();
}

// ---- the gallery ------------------------------------------------------------------------------

const noRestartSignal = (order: 'signal-first' | 'notify-first'): GalleryEntry => ({
  name: order === 'signal-first' ? 'no-restart-signal-preempted-handler' : 'no-restart-signal-preempted-handler-notify-first',
  title: `NO_RESTART_ON_SIGNAL alone: a preempted signal handler lets the interrupted c.s. resume unprotected (exit loop ${order})`,
  source: 'kernel/rseq.c v4.18 rseq_need_restart (NO_RESTART_ON_SIGNAL requires PREEMPT and MIGRATE), rseq-semantics.md §2.4; bug knob = the check removed',
  model: noRestartSignalPreemptedHandler(order),
  property: 'G1-atomicity',
  policy: 'linux-4.18',
  bugKnobs: ['noRestartSignalRequiresBoth=false', `signalVsNotifyOrder=${order}`],
  fixKnobs: ['noRestartSignalRequiresBoth=true', `signalVsNotifyOrder=${order}`],
  also: [{ property: 'counter-sum', fixHolds: true, why: "T2's increment is lost; with the fix the process is killed before any commit" }],
  shows: ['signal', 'preempt', 'decision:lazy-clear', 'decision:sigreturn', 'decision:commit'],
});

/** Every gallery entry. */
export const gallery: GalleryEntry[] = [
  {
    name: 'syscall-migrated-619',
    title: "L619: a syscall inside a c.s. that blocks and migrates commits on the old CPU's slot (no c.s. check at syscall exit)",
    source: 'rseq-semantics.md §2.6/§2.7: rseq_exit_to_user_mode_restart skips the c.s. when !user_irq ("rseq: Optimize exit to user space", 6.19); fix knob = the skip removed',
    model: syscallMigrated619(),
    property: 'assertions',
    policy: 'linux-6.19',
    bugKnobs: ['csCheckAfterSyscallSwitch=false'],
    fixKnobs: ['csCheckAfterSyscallSwitch=true'],
    also: [{ property: 'G1-atomicity', fixHolds: true, why: 'the sleep (and the migration, if any) are switches inside the c.s. that do not abort it' }],
    shows: ['syscall:write', 'migrate', 'decision:no-abort'],
  },
  {
    name: 'clone-vm-registration',
    title: "clone(CLONE_VM) child keeps the parent's registration: its ID updates write the parent's struct rseq",
    source: '463f550fb47b (rseq: unregister on CLONE_VM, not CLONE_THREAD), rseq-semantics.md §2.2, §2.8',
    model: cloneVmRegistration(),
    property: 'rseq-area-ownership',
    policy: 'linux-4.18',
    bugKnobs: ['forkUnregister=CLONE_THREAD'],
    fixKnobs: ['forkUnregister=CLONE_VM'],
    shows: ['syscall:clone_vm', 'preempt', 'decision:lazy-clear'],
  },
  noRestartSignal('signal-first'),
  noRestartSignal('notify-first'),
  {
    name: 'stale-event-spurious-abort',
    title: 'L418-L63: a stale event bit from outside any c.s. aborts a later c.s. on unrelated task_work',
    source: 'kernel/rseq.c v4.18 rseq_ip_fixup (lazy clear returns before reading the event mask), rseq-semantics.md §2.4 "Stale events"; fixed by L619 clearing events on every exit',
    model: staleEventSpuriousAbort(),
    property: 'no-spurious-abort',
    policy: 'linux-4.18',
    bugKnobs: ['eventMaskClear=onlyWhenInCs'],
    fixKnobs: ['eventMaskClear=everyExit'],
    shows: ['preempt', 'task-work', 'decision:abort'],
  },
  {
    name: 'arm64-user-irq',
    title: 'arm64 in 6.19: entry code never sets user_irq, so a same-CPU preemption inside a c.s. does not abort it',
    source: 'rseq-semantics.md §2.6 (arm64 selected GENERIC_IRQ_ENTRY without calling rseq_note_user_irq_entry(); fixed with the 7.1 series, §0 L71)',
    model: arm64UserIrq(),
    property: 'G1-atomicity',
    policy: 'linux-6.19',
    bugKnobs: ['archSetsUserIrq=false'],
    fixKnobs: ['archSetsUserIrq=true'],
    also: [{ property: 'counter-sum', fixHolds: true, why: "the preempted thread's stale commit overwrites the other thread's increment" }],
    shows: ['preempt', 'decision:no-abort'],
  },
  ...kernelPathEntries,
  {
    name: 'membarrier-ipi-lost-abort',
    title: 'before 6eb350a22331: a membarrier IPI between reading and clearing the event mask is lost, and the c.s. commits after membarrier returned',
    source: '6eb350a22331 "rseq: Protect event mask against membarrier IPI" (Fixes: 2a36ab717e8f), rseq-semantics.md §2.4, §2.5, §2.9',
    model: membarrierIpiLostAbort(),
    property: 'assertions',
    policy: 'linux-6.3',
    bugKnobs: ['eventRMWAtomicVsIPI=false'],
    fixKnobs: ['eventRMWAtomicVsIPI=true'],
    also: [{ property: 'G1-atomicity', fixHolds: true, why: 'the IPI is an event inside the c.s. and the c.s. commits without an abort' }],
    shows: ['syscall:membarrier', 'kernel-work', 'task-work', 'decision:commit'],
  },
  {
    name: 'unregister-ipi-false-kill',
    title: '6.19/7.0: a membarrier IPI inside rseq(UNREGISTER) makes the exit work write through the cleared area pointer: SIGSEGV',
    source: 'rseq_reset() without guard(irqsave), reported by D. Vyukov; fix posted <878qa7zexc.ffs@tglx> (2026-04-28)',
    model: unregisterIpiFalseKill(),
    property: 'G2-no-false-kill',
    policy: 'linux-7.1-legacy',
    bugKnobs: ['unregisterAtomicVsIpi=false'],
    fixKnobs: ['unregisterAtomicVsIpi=true'],
    shows: ['syscall:rseq_unregister', 'syscall:membarrier', 'kernel-work', 'decision:sigsegv'],
  },
  {
    name: 'unregister-cpu-id-start',
    title: '6.19/7.0: rseq(UNREGISTER) writes -1 to cpu_id_start, which the ABI promises is always a possible CPU',
    source: 'rseq_reset_ids via rseq_set_ids (v7.0.1 include/linux/rseq_entry.h) vs rseq_reset_rseq_cpu_node_id (v6.7); <878qa7zexc.ffs@tglx>',
    model: unregisterCpuIdStart(),
    property: 'assertions',
    policy: 'linux-6.19',
    bugKnobs: ['unregisterResetsCpuIdStart=-1'],
    fixKnobs: ['unregisterResetsCpuIdStart=0'],
    shows: ['syscall:rseq_unregister', 'decision:ids-updated'],
  },
  {
    name: 'stale-rseq-cs-registration',
    title: 'before fd881d0a085f: registration keeps a stale rseq_cs, and its validation kills a thread that armed nothing',
    source: 'fd881d0a085f (rseq: clear rseq_cs on registration; 6.15, stable 6.12.39, 6.6.99, 5.15.189, 5.10.240), rseq-semantics.md §1.4 step 5',
    model: staleRseqCsRegistration(),
    property: 'G2-no-false-kill',
    policy: 'linux-4.18',
    bugKnobs: ['registrationClearsRseqCs=false'],
    fixKnobs: ['registrationClearsRseqCs=true'],
    shows: ['syscall:rseq_register', 'decision:sigsegv'],
  },
  {
    name: 'mm-cid-racy-handover',
    title: 'a switch-in not ordered against another CPU\'s claim hands out an mm_cid a running thread holds: an mm_cid-indexed counter that compares mm_cid loses an increment (no released kernel is known to do it)',
    source: 'the mm_cid contract (rseq-semantics.md §1 mm_cid, §6); 223baf9d17f2 (6.4: the migrate-from Dekker barriers, added in its RFC v4 as "missing barriers at the beginning of switch_mm_cid()"); 47ee94efccf6 (a missing ordering in the 6.19 rework, Fixes: fbd0e71dc370, whose effect was CID exhaustion)',
    model: mmCidRacyHandover(),
    property: 'slot-sum',
    policy: 'linux-6.3',
    bugKnobs: ['mmCidUniqueness=racy-without-barrier'],
    fixKnobs: ['mmCidUniqueness=strict'],
    also: [{ property: 'mm-cid-unique', fixHolds: true, why: 'T2 reads the mm_cid A holds from its own struct rseq while both run' }],
    shows: ['syscall:poll', 'wake'],
  },
];
