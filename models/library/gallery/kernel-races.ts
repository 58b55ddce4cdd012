/**
 * Gallery entries for kernel paths where a membarrier RSEQ IPI lands inside kernel work, and
 * for the version facts of unregistration (issue #16; models/kernel/kernel-work.ts,
 * models/kernel/ipi-races.ts); entries.ts lists them with their policies.
 */
import { I, ModelBuilder, seq, type Fragment } from '../../ir/builder.js';
import type { ModelInput } from '../../ir/schema.js';
import { addv, offsetDerefAddv } from '../librseq/primitives.js';

// ---- membarrier-ipi-lost-abort ------------------------------------------------------------------

/**
 * param_test -T r in miniature: worker W on C1 increments `list[cpu]` of the list `list_ptr`
 * points to (rseq_offset_deref_addv); manager M on C0 flips `list_ptr` to list_b, calls
 * membarrier(PRIVATE_EXPEDITED_RSEQ) and then checks that list_a[C1] no longer changes.
 *
 * The lost abort (before 6eb350a22331): an interrupt with unrelated task_work takes W into its
 * notify-resume handler with its IP inside the c.s. and an empty event mask. rseq_need_restart
 * reads the mask (0); the manager's IPI lands now and sets PREEMPT and TIF_NOTIFY_RESUME; the
 * handler clears the mask, losing the bit, and does not restart; the exit loop runs the handler
 * again, which finds no event. W resumes with the old pointer and commits into list_a after
 * membarrier returned: the manager's re-read differs ("Membarrier test failed").
 */
export function membarrierIpiLostAbort(): ModelInput {
  return new ModelBuilder('gallery-membarrier-ipi-lost-abort')
    .describe('param_test -T r in miniature: one worker, one pointer flip and membarrier; an interrupt with task_work in the worker c.s.')
    .cpus(2)
    .memory('list_ptr', { size: 1, init: 1, max: 5 })
    .memory('list_a', { size: 'percpu', max: 1 })
    .memory('list_b', { size: 'percpu', max: 1 })
    .program('worker', seq(offsetDerefAddv('inc', 'list_ptr', 1, { next: 'finish' }), I.done({ label: 'finish' })))
    .program('manager', [
      I.store({ var: 'list_ptr' }, '&list_b'),
      I.syscall('membarrier'),
      I.load('r1', { var: 'list_a', index: 1 }),
      I.load('r3', { var: 'list_a', index: 1 }),
      I.assert('eq', 'r3', 'r1', 'Membarrier test failed'),
      I.done(),
    ])
    .thread({ name: 'M', program: 'manager', cpu: 'C0', allowed: ['C0'] })
    .thread({ name: 'W1', program: 'worker', cpu: 'C1', allowed: ['C1'] })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 1, traps: 0 })
    .build();
}

// ---- unregister-ipi-false-kill ------------------------------------------------------------------

/**
 * A thread leaving (rseq(UNREGISTER), as glibc does at thread exit) while another thread of the
 * process calls membarrier(PRIVATE_EXPEDITED_RSEQ). In 6.19/7.0 rseq_reset() clears the task's
 * rseq state with a memset and no IRQ guard: an IPI after the area pointer and the event bits
 * are cleared but before has_rseq is sees the thread registered and raises TIF_RSEQ (legacy
 * tracking: sched_switch and ids_changed); the exit work then writes the IDs through the NULL
 * area pointer and the slow path sends SIGSEGV. The thread broke no rule: a false kill (G2).
 */
export function unregisterIpiFalseKill(): ModelInput {
  return new ModelBuilder('gallery-unregister-ipi-false-kill')
    .describe('T1 unregisters its struct rseq while T2 calls membarrier(PRIVATE_EXPEDITED_RSEQ) on the other CPU')
    .cpus(2)
    .program('leaving', [I.syscall('rseq_unregister'), I.done()])
    .program('barrier', [I.syscall('membarrier'), I.done()])
    .thread({ name: 'T1', program: 'leaving', cpu: 'C0', allowed: ['C0'] })
    .thread({ name: 'T2', program: 'barrier', cpu: 'C1', allowed: ['C1'] })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
    .build();
}

// ---- unregister-cpu-id-start ----------------------------------------------------------------------

/**
 * After rseq(UNREGISTER) the ABI promises cpu_id_start is "always a possible CPU number, even
 * when rseq is not registered" (include/uapi/linux/rseq.h): code that indexes per-CPU data with
 * it unconditionally (TCMalloc's fast path) stays in bounds. 6.19/7.0 write -1 there.
 */
export function unregisterCpuIdStart(): ModelInput {
  return new ModelBuilder('gallery-unregister-cpu-id-start')
    .describe('a thread increments counter[cpu] through rseq, unregisters, then reads cpu_id_start as an index')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .program(
      'main',
      seq(
        addv('inc', 'counter', 1, { next: 'leave' }),
        I.syscall('rseq_unregister', { label: 'leave' }),
        I.readId('r0', 'cpu_id_start'),
        I.assert('ge', 'r0', 0, 'cpu_id_start is a possible CPU after unregistration'),
        I.done(),
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0' })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
    .build();
}

// ---- stale-rseq-cs-registration -------------------------------------------------------------------

/**
 * A thread registers a struct rseq whose memory still holds `rseq_cs` from an earlier user: a
 * library that used another signature (the descriptor `old_cs`, signature 0x0bad0bad). Without
 * the clear at registration (before fd881d0a085f) the first notify-resume validates that
 * descriptor and kills the process for the signature mismatch, although the thread has not
 * armed anything yet: a false kill (G2). With the clear the thread runs its own c.s. and
 * finishes.
 */
export function staleRseqCsRegistration(): ModelInput {
  return new ModelBuilder('gallery-stale-rseq-cs-registration')
    .describe('a thread registers a struct rseq whose rseq_cs still points at an earlier library\'s descriptor, then increments counter[cpu]')
    .cpus(1)
    .memory('counter', { size: 'percpu', max: 1 })
    .program(
      'main',
      seq(
        I.syscall('rseq_register'),
        addv('inc', 'counter', 1, { next: 'old_start' }),
        // What the earlier user's c.s. looked like (never executed here): its descriptor survives.
        I.nop({ label: 'old_start' }),
        I.nop({ label: 'old_post' }),
        I.done({ label: 'old_abort' }),
        { code: [], descriptors: { old_cs: { start: 'old_start', postCommit: 'old_post', abort: 'old_abort', signature: 0x0bad0bad } } },
      ),
    )
    .thread({ name: 'T1', program: 'main', cpu: 'C0', registered: false, staleRseqCs: 'old_cs' })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
    .build();
}

// ---- mm-cid-racy-handover -----------------------------------------------------------------------

/**
 * An mm_cid-indexed counter, as param_test_mm_cid does it (U7: index by mm_cid and compare
 * mm_cid inside the c.s.): A runs on C0 with mm_cid 0; T2 on C1 (mm_cid 1) sleeps in poll, wakes
 * and is switched in again. The contract gives T2 mm_cid 1 while A runs (0 once A is done), so
 * each slot has one writer at a time and the sum is 2. A switch-in that misses A's claim
 * (mmCidUniqueness=racy-without-barrier) gives T2 mm_cid 0 too: both pass their mm_cid compare,
 * both load slot[0], and one increment is lost. No preemption is needed.
 */
export function mmCidRacyHandover(): ModelInput {
  const inc = (p: string, next: string): Fragment =>
    seq(
      I.readId('r0', 'mm_cid', { label: `${p}_retry` }),
      I.arm(`${p}_cs`),
      I.readId('r3', 'mm_cid', { label: `${p}_start` }),
      I.br('ne', 'r3', 'r0', `${p}_abort`),
      I.load('r1', { var: 'slot', index: 'r0' }),
      I.add('r1', 1),
      I.store({ var: 'slot', index: 'r0' }, 'r1'),
      I.jmp(next, { label: `${p}_post` }),
      I.jmp(`${p}_retry`, { label: `${p}_abort` }),
      { code: [], descriptors: { [`${p}_cs`]: { start: `${p}_start`, postCommit: `${p}_post`, abort: `${p}_abort` } } },
    );
  return new ModelBuilder('gallery-mm-cid-racy-handover')
    .describe('two threads increment slot[mm_cid] (mm_cid compared inside the c.s.) on two CPUs; the second sleeps in poll first, so it is switched in again while the first runs')
    .cpus(2)
    .memory('slot', { size: 2, max: 2 })
    .program('counter', seq(inc('a_inc', 'a_finish'), I.done({ label: 'a_finish' })))
    .program('sleeper', seq([I.syscall('poll')], inc('b_inc', 'b_finish'), I.done({ label: 'b_finish' })))
    .thread({ name: 'A', program: 'counter', cpu: 'C0', allowed: ['C0'] })
    .thread({ name: 'T2', program: 'sleeper', cpu: 'C1', allowed: ['C1'] })
    .budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 })
    .invariant('mm-cid-unique', 'mm_cid_unique')
    .final('slot-sum', 'sum(slot) == 2')
    .build();
}
