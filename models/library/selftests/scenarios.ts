/**
 * The kernel selftest scenarios `param_test -T s|i|l|b|m|r` (rseq-semantics.md §3.3) as models
 * sized for exhaustive checking: 2 CPUs, 2-3 threads, one operation (or pop/push pair) per
 * thread, a few initial items, and small bounded event budgets (each scenario says which, and
 * what larger ones cost): every check stays under about 250k states and 1.5 s per preset. Each model carries the end-state invariant of §3.3 as a
 * `final` condition (and, where the selftest checks something during the run, an `assert`).
 *
 * Why every kernel preset should keep every scenario (argued once here, per scenario below):
 *
 * - The abort on preemption, migration and signal delivery exists in every preset (§2.2, §2.4,
 *   §2.5, §2.6, table §2.10 "IP moved to abort_ip"). L418-L63 set an event bit at switch-out /
 *   set_task_cpu / signal delivery and the notify-resume (or delivery) handler restarts a c.s.
 *   the IP is in. L619/L71 set `user_irq` on the interrupt that leads to a preemption or a
 *   migration of a thread running in user mode, so the switch-in raises `sched_switch` and the
 *   exit work evaluates the c.s.; a signal sent by another CPU arrives through an interrupt, so
 *   delivery evaluates the c.s. too.
 * - No thread issues a syscall inside a c.s., so the one place where the presets differ for
 *   well-formed code (§2.7: a syscall-exit switch is not evaluated by L619) is never reached.
 *   No descriptor or thread uses NO_RESTART flags (L60/L63 would kill, L619 ignores them).
 * - `-T r` also needs the membarrier RSEQ IPI of §2.9 (`ipi_rseq`: rseq_preempt in L418-L63,
 *   rseq_sched_switch_event in L619, with user_irq set by the IPI itself), which every preset
 *   implements.
 *
 * So every scenario is expected to hold under linux-4.18, 6.0, 6.3, 6.19, 7.1-legacy and
 * 7.1-v2, and to be violated when the abort it relies on is switched off (the negative controls
 * of test/library/selftests.test.ts).
 *
 * ## The caller-computed-operand adapter (`callerCpu`)
 *
 * librseq's primitives take `cpu` as an argument: the asm block starts at the `rseq_cs` store,
 * and an abort returns -1 to the caller's C loop, which reads the CPU again *and recomputes every
 * operand* (offset, slot address, expected head). The fragments of
 * models/library/librseq/primitives.ts instead begin by reading `cpu_id_start` into r0 at
 * `P_retry`, and their abort jumps back to `P_retry`. That is equivalent for callers whose
 * operands are all inside the c.s. (addv, cmpnev_storeoffp_load, offset_deref_addv, the
 * spinlock's cmpeqv_storev), but not for the buffer pops and pushes, whose slot index and
 * expected value are computed from the CPU *before* the block: after an abort (or a migration
 * between the caller's CPU read and the block's) the block would re-read a new CPU and run with
 * operands computed for the old one (a stale `array[old cpu][off-1]` compared and committed as
 * if it were the new CPU's top). `callerCpu(f, p, loop)` turns a fragment into librseq's shape:
 * it drops the block's own CPU read (the caller has put the CPU in r0) and sends the abort to the
 * caller's loop. The descriptor and the range [start, post_commit) are unchanged.
 *
 * ## Descriptor names
 *
 * Descriptors are named per model, not per program: ModelBuilder.program() attaches a fragment's
 * descriptors under their names, so two programs built from the same primitive names silently
 * share the second program's descriptor (the first program's c.s. then never counts as "in
 * range"). `-T m`, whose threads run distinct programs, prefixes its names per thread.
 *
 * ## Memory layout
 *
 * Pointers are flat cell addresses (`&var` is the address of var's first cell); variables are
 * laid out in declaration order from address 0. `Cells` below tracks the bases so that the final
 * conditions can turn an address back into an index (`node[a - base]`; an index outside the
 * variable reads 0, which is what the walks below rely on for NULL).
 */
import { I, ModelBuilder, seq, type Fragment } from '../../ir/builder.js';
import type { InstructionInput, ModelInput } from '../../ir/schema.js';
import { addv, callerCpu, cmpeqvCmpeqvStorev, cmpeqvStorev, cmpeqvTrymemcpyStorev, cmpeqvTrystorevStorev, cmpnevStoreoffpLoad, offsetDerefAddv, percpu } from '../librseq/primitives.js';

export type SelftestId = 's' | 'i' | 'l' | 'b' | 'm' | 'r' | 'r-cpu';
export type SelftestExpectation = 'holds' | 'violated';

export interface SelftestScenario {
  readonly id: SelftestId;
  readonly title: string;
  build(): ModelInput;
  /** Expected verdict of the default properties per kernel preset. */
  readonly expect: Record<string, SelftestExpectation>;
}

const KERNEL_PRESETS = ['linux-4.18', 'linux-5.5', 'linux-6.0', 'linux-6.3', 'linux-6.15', 'linux-6.19', 'linux-7.1-legacy', 'linux-7.1-v2'] as const;
const holdsEverywhere = (): Record<string, SelftestExpectation> => Object.fromEntries(KERNEL_PRESETS.map((p) => [p, 'holds' as const]));

const CPUS = 2;

/** Declares memory variables on a builder while tracking their flat base addresses. */
class Cells {
  private next = 0;
  readonly base: Record<string, number> = {};
  constructor(private readonly b: ModelBuilder) {}
  add(name: string, cells: number, spec: { init?: number | number[]; max?: number; percpu?: boolean }): number {
    const base = this.next;
    this.base[name] = base;
    this.next += cells;
    this.b.memory(name, { size: spec.percpu ? 'percpu' : cells, ...(spec.init !== undefined ? { init: spec.init } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) });
    return base;
  }
}


/** Repeats `op(i, next)` `n` times, chaining the labels; the last one continues at `end`. */
function repeat(n: number, first: (i: number) => string, op: (i: number, next: string) => Fragment | InstructionInput[], end: string): Fragment {
  return seq(...Array.from({ length: n }, (_, i) => op(i, i + 1 < n ? first(i + 1) : end)));
}

/** A signal handler that does nothing (param_test -k: raise(SIGUSR1) with an empty handler). */
const NULL_HANDLER: InstructionInput[] = [I.sigreturn()];

// ---- -T s: spinlock ------------------------------------------------------------------------

export interface SpinlockParams {
  readonly threads: number;
  readonly reps: number;
}

/**
 * `-T s` (§3.3): `rseq_this_cpu_lock` retries `cmpeqv_storev(&lock[cpu], 0 -> 1)` until it
 * succeeds (cmpfail and abort both go back to reading the CPU), then `count[cpu]++` as a plain
 * load/add/store under the lock, then `store_release(lock[cpu], 0)` after asserting
 * `lock[cpu] == 1` (the selftest's unlock assertion). End state: `Σ count == threads × reps`.
 *
 * Every preset keeps it: the lock word is taken by a c.s. whose commit is aborted by any
 * preemption, migration or signal between the read of `lock[cpu]` and the store of 1 (§2.10),
 * and the thread issues no syscall inside it; so two threads never both own one CPU's lock.
 * Without the abort on preemption and migration (negative control), a thread preempted after
 * reading `lock[C0] == 0` commits 1 over a lock another thread has taken meanwhile: both enter,
 * one increment is lost or the second unlock finds `lock == 0`.
 *
 * Size: 3 threads (two start on C0, one on C1) x 1 acquisition; preemptions 2, migrations 1,
 * signals 0: about 180k states (one signal with an empty handler multiplies that by 5;
 * unbounded preemptions and migrations give 1.1 million states, 7 s, and also hold under
 * linux-6.3). Signals are covered by `-T i`.
 */
export function spinlock(p: SpinlockParams = { threads: 3, reps: 1 }): ModelInput {
  const total = p.threads * p.reps;
  const b = new ModelBuilder('selftest-s-spinlock').describe(`param_test -T s: ${p.threads} threads x ${p.reps} per-CPU spinlock acquisitions protecting count[cpu]++`).cpus(CPUS);
  const m = new Cells(b);
  m.add('lock', CPUS, { percpu: true, max: 1 });
  m.add('count', CPUS, { percpu: true, max: total });
  const body = repeat(
    p.reps,
    (i) => `lk${i}_retry`,
    (i, next) =>
      seq(
        cmpeqvStorev(`lk${i}`, 'lock', 0, 1, { next: `cs${i}`, cmpfail: `lk${i}_retry` }),
        // Critical section of the lock: r0 is the CPU whose lock was taken.
        I.load('r1', percpu('count'), { label: `cs${i}` }),
        I.add('r1', 1),
        I.store(percpu('count'), 'r1'),
        // rseq_this_cpu_unlock: assert(lock->c[cpu].v == 1); rseq_smp_store_release(.., 0).
        I.load('r1', percpu('lock')),
        I.assert('eq', 'r1', 1, 'unlock: lock[cpu] == 1'),
        I.store(percpu('lock'), 0),
        I.jmp(next),
      ),
    'finish',
  );
  b.program('worker', seq(body, I.done({ label: 'finish' })));
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % CPUS}` });
  return b
    .budgets({ preemptions: 2, migrations: 1, signals: 0 })
    .final('count-sum', `sum(count) == ${total}`)
    .build();
}

// ---- -T i: increment -----------------------------------------------------------------------

export interface IncrementParams {
  readonly threads: number;
  readonly reps: number;
}

/**
 * `-T i` (§3.3): `rseq_addv(&count[cpu], 1)` retried until it succeeds (written as load/add/
 * store, the weakly ordered architectures' form: the window between load and commit is what an
 * abort must cover). End state: `Σ count == threads × reps`.
 *
 * Every preset keeps it: a preemption, migration or signal between the load and the commit
 * aborts the c.s. (§2.10), and there is no syscall inside. Without the abort on preemption and
 * migration the commit stores a stale value (lost update).
 *
 * Size: 3 threads (two on C0, one on C1) x 1 increment; preemptions 2, migrations 1, signals 1
 * (every thread has an empty handler, param_test -k's): about 210k states. Two increments per
 * thread give 1.6 million.
 */
export function increment(p: IncrementParams = { threads: 3, reps: 1 }): ModelInput {
  const total = p.threads * p.reps;
  const b = new ModelBuilder('selftest-i-increment').describe(`param_test -T i: ${p.threads} threads x ${p.reps} rseq_addv increments`).cpus(CPUS);
  const m = new Cells(b);
  m.add('count', CPUS, { percpu: true, max: total });
  const body = repeat(p.reps, (i) => `inc${i}_retry`, (i, next) => addv(`inc${i}`, 'count', 1, { next }), 'finish');
  b.program('worker', seq(body, I.done({ label: 'finish' }))).program('handler', NULL_HANDLER);
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % CPUS}`, handler: 'handler' });
  return b
    .budgets({ preemptions: 2, migrations: 1, signals: 1 })
    .final('count-sum', `sum(count) == ${total}`)
    .build();
}

// ---- -T l: linked list -----------------------------------------------------------------------

export interface ListParams {
  readonly threads: number;
  /** pop/push pairs per thread */
  readonly reps: number;
}

/** Number of list nodes: 2 per CPU. Data values are distinct powers of two (1, 2, 4, 8). */
const LIST_NODES = 4;
const NODE_DATA = [1, 2, 4, 8];

/**
 * `-T l` (§3.3): per-CPU singly linked lists. Pop is `cmpnev_storeoffp_load(&head[cpu], NULL,
 * offsetof(next), &load)`: if head != NULL then head = head->next (the popped node stays in r1;
 * the `load` store goes to a per-CPU `sink` cell nobody reads, standing for the caller's stack
 * slot: it is a store before the commit, harmless on abort). Push is the selftest's loop: read
 * the CPU, `expect = READ_ONCE(head[cpu])`, `node->next = expect` (plain store to the thread's
 * own node), `cmpeqv_storev(&head[cpu], expect -> node)`, with librseq's calling convention
 * (`callerCpu`): a compare failure or an abort repeats the whole loop.
 *
 * Memory: `nil` (address 0, so that no node has the NULL address), `head[cpu]`, then `node`: 4
 * nodes of 2 cells `[next, data]` at addresses 3, 5, 7, 9; C0's list is 3 -> 5, C1's 7 -> 9.
 *
 * End-state invariant (the selftest drains every list and checks Σ data == Σ initial data):
 * the final condition walks each list for LIST_NODES + 1 steps, unrolled (`next(a)` is
 * `node[a - base]`, which reads 0 for a = NULL because the index is out of range); it requires
 * each walk to end within LIST_NODES nodes (no cycle), the lengths to add up to LIST_NODES and
 * the data to add up to 15. With distinct powers of two and exactly 4 nodes reached, a sum of 15
 * means every node is reachable exactly once: nothing lost, nothing duplicated (no ABA).
 *
 * Every preset keeps it: both the pop and the push commit with one store of `head[cpu]` after
 * comparing it inside the c.s., so a preemption, migration or signal between the compare and the
 * commit aborts (§2.10). Without those aborts, a thread preempted between reading `head` and
 * committing `head = next` re-installs a node another thread has popped meanwhile (the classic
 * ABA a per-CPU c.s. avoids).
 *
 * Size: 3 threads (two on C0, one on C1) x 1 pop/push pair; preemptions 1, migrations 1,
 * signals 0: about 230k states (preemptions 2 gives 1.1 million). One preemption suffices for
 * the race: the thread switched in runs to completion, and the preempted one is switched back
 * in for free once its CPU is idle. Signals are covered by `-T i`.
 */
export function list(p: ListParams = { threads: 3, reps: 1 }): ModelInput {
  const b = new ModelBuilder('selftest-l-list').describe(`param_test -T l: ${p.threads} threads x ${p.reps} pop/push pairs on per-CPU linked lists of 2 nodes`).cpus(CPUS);
  const m = new Cells(b);
  m.add('nil', 1, { max: 1 });
  // Node i lives at nodeBase + 2i: [next, data].
  const nodeBase = 1 + CPUS;
  const addr = (i: number): number => nodeBase + 2 * i;
  const maxAddr = addr(LIST_NODES - 1);
  m.add('head', CPUS, { percpu: true, init: [addr(0), addr(2)], max: maxAddr });
  const nodeInit = [addr(1), NODE_DATA[0]!, 0, NODE_DATA[1]!, addr(3), NODE_DATA[2]!, 0, NODE_DATA[3]!];
  if (m.add('node', 2 * LIST_NODES, { init: nodeInit, max: Math.max(maxAddr, ...NODE_DATA) }) !== nodeBase) throw new Error('list layout');
  m.add('sink', CPUS, { percpu: true, max: maxAddr });

  const body = repeat(
    p.reps,
    (i) => `pop${i}_retry`,
    (i, next) =>
      seq(
        // this_cpu_list_pop: NULL -> the list is empty, nothing to push back.
        cmpnevStoreoffpLoad(`pop${i}`, 'head', 0, 0, percpu('sink'), { next: `got${i}`, cmpfail: next }),
        I.mov('r4', 'r1', { label: `got${i}` }),
        // this_cpu_list_push(node = r4)
        I.readId('r0', 'cpu_id_start', { label: `push${i}_loop` }),
        I.load('r2', percpu('head')),
        I.store({ ptr: 'r4', offset: 0 }, 'r2'),
        callerCpu(cmpeqvStorev(`push${i}`, 'head', 'r2', 'r4', { next, cmpfail: `push${i}_loop` }), `push${i}`, `push${i}_loop`),
      ),
    'finish',
  );
  b.program('worker', seq(body, I.done({ label: 'finish' }))).registers(5);
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: `C${t % CPUS}` });

  // The unrolled walk of head[c]: a_1 = head[c], a_{k+1} = next(a_k).
  const next = (a: string): string => `node[${a} - ${nodeBase}]`;
  const data = (a: string): string => `node[${a} - ${nodeBase - 1}]`;
  const walk = (c: number): string[] => {
    const as = [`head[${c}]`];
    for (let k = 1; k <= LIST_NODES; k++) as.push(next(as[k - 1]!));
    return as; // LIST_NODES + 1 addresses: the last must be NULL
  };
  const walks = Array.from({ length: CPUS }, (_, c) => walk(c));
  const ends = walks.map((w) => `${w[LIST_NODES]} == 0`).join(' && ');
  const length = walks.flatMap((w) => w.slice(0, LIST_NODES).map((a) => `(${a} != 0)`)).join(' + ');
  // data(NULL) reads node[-2], which is out of range and reads 0.
  const sum = walks.flatMap((w) => w.slice(0, LIST_NODES).map(data)).join(' + ');
  const total = NODE_DATA.reduce((x, y) => x + y, 0);
  return b
    .budgets({ preemptions: 1, migrations: 1, signals: 0 })
    .final('lists-terminate', ends)
    .final('node-count', `${length} == ${LIST_NODES}`)
    .final('data-sum', `${sum} == ${total}`)
    .build();
}

// ---- -T b: array buffer ----------------------------------------------------------------------

export interface BufferParams {
  readonly threads: number;
  readonly reps: number;
  /** Items initially in each CPU's buffer. Every buffer can hold all the items. */
  readonly items: readonly number[];
  /** Initial CPU of each thread. @defaultValue thread t on C(t mod 2) */
  readonly placement?: readonly number[];
  /**
   * Use the fragments exactly as primitives.ts emits them (the block re-reads the CPU at
   * `P_retry` and an abort jumps there, keeping the caller's stale operands) instead of
   * `callerCpu`. Not the selftest: kept to show why the adapter is needed (a false violation).
   * @defaultValue false
   */
  readonly rawPrimitives?: boolean;
}

const placeOf = (p: { placement?: readonly number[] }, t: number): string => `C${p.placement?.[t] ?? t % CPUS}`;

/** Data of the i-th item: distinct powers of two, so that a sum identifies a set. */
const itemData = (i: number): number => 1 << i;

/**
 * Slot k of the buffers is slot i of CPU c with k = i * CPUS + c (interleaved, so that the
 * index is computed with additions only). r5 := r4 * CPUS + r0 (+ delta).
 */
function slotIndex(delta = 0): InstructionInput[] {
  if (CPUS !== 2) throw new Error('slotIndex assumes 2 CPUs');
  return [I.mov('r5', 'r4'), ...(delta !== 0 ? [I.add('r5', delta)] : []), I.add('r5', 'r5'), I.add('r5', 'r0')];
}

/** The buffers' layout: capacity, initial items per slot, and the slots for final conditions. */
function bufferLayout(items: readonly number[]) {
  if (items.length !== CPUS) throw new Error(`items: one count per CPU (${CPUS})`);
  const total = items.reduce((x, y) => x + y, 0);
  const cap = total;
  const slots = Array.from({ length: CPUS * cap }, (_, k) => ({ c: k % CPUS, i: Math.floor(k / CPUS), k }));
  // Item numbers: CPU 0's items first, then CPU 1's.
  const itemAt = (c: number, i: number): number => (i < items[c]! ? items.slice(0, c).reduce((x, y) => x + y, 0) + i : -1);
  const dataSum = Array.from({ length: total }, (_, j) => itemData(j)).reduce((x, y) => x + y, 0);
  return { total, cap, slots, itemAt, dataSum };
}

/**
 * `-T b` (§3.3): per-CPU array buffers of node pointers with an `offset` (number of items).
 * Pop (the selftest's loop, librseq calling convention via `callerCpu`): read the CPU,
 * `off = READ_ONCE(offset[cpu])` (0: empty, nothing to push), `head = array[cpu][off-1]`, then
 * `cmpeqv_cmpeqv_storev(offset[cpu] == off && array[cpu][off-1] == head -> offset[cpu] =
 * off-1)`. Push: read the CPU, `off = offset[cpu]` (full: the selftest aborts, "Should increase
 * buffer size": an assert here, unreachable because each buffer can hold every item), then
 * `cmpeqv_trystorev_storev(offset[cpu] == off; array[cpu][off] = node (try store); offset[cpu] =
 * off+1 (commit))`. Popped slots keep their stale pointer, as in the selftest.
 *
 * Memory: `offset[cpu]`, `array` (the buffers, interleaved: slot i of CPU c is cell
 * i * CPUS + c), `ndata` (the nodes' data 1, 2, 4, ...; a node pointer is the address of its
 * data cell).
 *
 * End-state invariant (the selftest: Σ node.data over the drained buffers == expected_sum): the
 * published slots (index < offset[c]) hold as many pointers as there are items and their data
 * add up to the initial sum. With distinct powers of two and that count, this means each node
 * exactly once (nothing lost, nothing duplicated).
 *
 * Every preset keeps it: both commits are single stores of `offset[cpu]` after compares inside
 * the c.s.; the push's try store writes a slot beyond the published offset (U3), harmless when
 * the c.s. aborts; preemption, migration and signal abort in every preset (§2.10). Without the
 * aborts, a push preempted after its compare publishes a slot another push has just filled (one
 * node lost, another twice), or a pop commits a stale offset over a concurrent pop or push.
 *
 * Size: 2 threads, both starting on C0 (so that a preemption alone makes them race on one
 * buffer; a migration brings one to C1's), x 1 pop/push pair, 3 items (2 on C0, 1 on C1);
 * preemptions 2, migrations 1, signals 0 (about 120k states). Three threads, or a second
 * migration, go past a million states.
 */
export function buffer(p: BufferParams = { threads: 2, reps: 1, items: [2, 1], placement: [0, 0] }): ModelInput {
  const L = bufferLayout(p.items);
  const adapt = (f: Fragment, name: string, loop: string): Fragment => (p.rawPrimitives ? f : callerCpu(f, name, loop));
  const b = new ModelBuilder('selftest-b-buffer').describe(`param_test -T b: ${p.threads} threads x ${p.reps} pop/push pairs on per-CPU pointer buffers (${p.items.join('+')} items)`).cpus(CPUS);
  const m = new Cells(b);
  const dataBase = CPUS + CPUS * L.cap;
  m.add('offset', CPUS, { percpu: true, init: [...p.items], max: L.cap });
  const arrayInit = L.slots.map((s) => (L.itemAt(s.c, s.i) >= 0 ? dataBase + L.itemAt(s.c, s.i) : 0));
  m.add('array', CPUS * L.cap, { init: arrayInit, max: dataBase + L.total - 1 });
  const data = Array.from({ length: L.total }, (_, j) => itemData(j));
  if (m.add('ndata', L.total, { init: data, max: Math.max(...data) }) !== dataBase) throw new Error('buffer layout');

  const body = repeat(
    p.reps,
    (i) => `pop${i}_loop`,
    (i, next) =>
      seq(
        // this_cpu_buffer_pop
        I.readId('r0', 'cpu_id_start', { label: `pop${i}_loop` }),
        I.load('r4', percpu('offset')),
        I.br('eq', 'r4', 0, next),
        slotIndex(-1),
        I.load('r6', { var: 'array', index: 'r5' }),
        I.mov('r7', 'r4'),
        I.sub('r7', 1),
        adapt(cmpeqvCmpeqvStorev(`pop${i}`, 'offset', 'r4', { var: 'array', index: 'r5' }, 'r6', 'r7', { next: `push${i}_loop`, cmpfail: `pop${i}_loop` }), `pop${i}`, `pop${i}_loop`),
        // this_cpu_buffer_push(node = r6)
        I.readId('r0', 'cpu_id_start', { label: `push${i}_loop` }),
        I.load('r4', percpu('offset')),
        I.br('eq', 'r4', L.cap, `full${i}`),
        slotIndex(),
        I.mov('r7', 'r4'),
        I.add('r7', 1),
        adapt(cmpeqvTrystorevStorev(`push${i}`, 'offset', 'r4', { var: 'array', index: 'r5' }, 'r6', 'r7', { next, cmpfail: `push${i}_loop` }), `push${i}`, `push${i}_loop`),
        I.assert('eq', 0, 1, 'Should increase buffer size', { label: `full${i}` }),
        I.jmp(next),
      ),
    'finish',
  );
  b.program('worker', seq(body, I.done({ label: 'finish' }))).registers(8);
  for (let t = 0; t < p.threads; t++) b.thread({ program: 'worker', cpu: placeOf(p, t) });

  const published = (s: { c: number; i: number }): string => `(${s.i} < offset[${s.c}])`;
  const sum = L.slots.map((s) => `${published(s)} * ndata[array[${s.k}] - ${dataBase}]`).join(' + ');
  return b
    .budgets({ preemptions: 2, migrations: 1, signals: 0 })
    .final('item-count', `sum(offset) == ${L.total}`)
    .final('data-sum', `${sum} == ${L.dataSum}`)
    .build();
}

// ---- -T m: memcpy buffer ---------------------------------------------------------------------

/** Items are 2 cells {data1, data2 = data1 + 1}. */
const ITEM_CELLS = 2;

/**
 * `-T m` (§3.3): like `-T b`, but the buffers hold 2-cell items by value, copied with
 * `cmpeqv_trymemcpy_storev`. Pop: `off = offset[cpu]` (0: empty), copy `array[cpu][off-1]` into
 * the thread's own item buffer (try stores to thread-private memory), commit `offset[cpu] =
 * off-1`. Push: `off = offset[cpu]` (full: assert), copy the item into `array[cpu][off]` (try
 * stores beyond the published offset), commit `offset[cpu] = off+1`. librseq calling convention
 * (`callerCpu`): the slot address is computed before the block, so an abort repeats the loop.
 *
 * Memory: `offset[cpu]`, `array` (2-cell items, interleaved as in `-T b`), `local` (one 2-cell
 * item buffer per thread; each thread's program uses its own, so the threads are not symmetric
 * and the checker's symmetry reduction does not apply). Items {1,2}, {2,3}, {4,5}, ...
 *
 * End-state invariant: the selftest's Σ (data1 + data2) == Σ (2·data1 + 1), plus: as many items
 * published as there are, and every published item intact (data2 == data1 + 1: no torn copy).
 * With data1 distinct powers of two, intact items with that count and sum are exactly the
 * initial items.
 *
 * Every preset keeps it, for the reasons of `-T b` (the copies are try stores to slots beyond
 * the published offset or to private memory; the commit is the one offset store).
 *
 * Size: 2 threads, both starting on C0, x 1 pop/push pair, 2 items (one per CPU); preemptions
 * 1, migrations 1, signals 0 (about 110k states; preemptions 2 gives about 350k, three threads
 * go past two million: the per-thread programs defeat the symmetry reduction).
 */
export function memcpyBuffer(p: BufferParams = { threads: 2, reps: 1, items: [1, 1], placement: [0, 0] }): ModelInput {
  const L = bufferLayout(p.items);
  const adapt = (f: Fragment, name: string, loop: string): Fragment => (p.rawPrimitives ? f : callerCpu(f, name, loop));
  const b = new ModelBuilder('selftest-m-memcpy')
    .describe(`param_test -T m: ${p.threads} threads x ${p.reps} pop/push pairs on per-CPU buffers of 2-cell items copied by rseq memcpy (${p.items.join('+')} items)`)
    .cpus(CPUS);
  const m = new Cells(b);
  m.add('offset', CPUS, { percpu: true, init: [...p.items], max: L.cap });
  const arrayInit = L.slots.flatMap((s) => {
    const j = L.itemAt(s.c, s.i);
    return j >= 0 ? [itemData(j), itemData(j) + 1] : [0, 0];
  });
  const maxData = itemData(L.total - 1) + 1;
  m.add('array', CPUS * L.cap * ITEM_CELLS, { init: arrayInit, max: maxData });
  m.add('local', p.threads * ITEM_CELLS, { max: maxData });

  /** r5 := &array + (r4 * CPUS + r0 + delta') * ITEM_CELLS, delta' = delta * CPUS */
  const slotAddr = (delta: number): InstructionInput[] => [...slotIndex(delta), I.add('r5', 'r5'), I.add('r5', '&array')];
  for (let t = 0; t < p.threads; t++) {
    /** r6 := &local[t] */
    const localAddr = [I.mov('r6', '&local'), ...(t > 0 ? [I.add('r6', t * ITEM_CELLS)] : [])];
    // Descriptor names are global to a model: each thread's program needs its own.
    const q = (s: string, i: number): string => `t${t}${s}${i}`;
    const body = repeat(
      p.reps,
      (i) => `${q('pop', i)}_loop`,
      (i, next) =>
        seq(
          I.readId('r0', 'cpu_id_start', { label: `${q('pop', i)}_loop` }),
          I.load('r4', percpu('offset')),
          I.br('eq', 'r4', 0, next),
          slotAddr(-1),
          localAddr,
          I.mov('r7', 'r4'),
          I.sub('r7', 1),
          adapt(cmpeqvTrymemcpyStorev(q('pop', i), 'offset', 'r4', 'r6', 'r5', ITEM_CELLS, 'r7', { next: `${q('push', i)}_loop`, cmpfail: `${q('pop', i)}_loop` }), q('pop', i), `${q('pop', i)}_loop`),
          I.readId('r0', 'cpu_id_start', { label: `${q('push', i)}_loop` }),
          I.load('r4', percpu('offset')),
          I.br('eq', 'r4', L.cap, q('full', i)),
          slotAddr(0),
          localAddr,
          I.mov('r7', 'r4'),
          I.add('r7', 1),
          adapt(cmpeqvTrymemcpyStorev(q('push', i), 'offset', 'r4', 'r5', 'r6', ITEM_CELLS, 'r7', { next, cmpfail: `${q('push', i)}_loop` }), q('push', i), `${q('push', i)}_loop`),
          I.assert('eq', 0, 1, 'Should increase buffer size', { label: q('full', i) }),
          I.jmp(next),
        ),
      'finish',
    );
    b.program(`worker${t}`, seq(body, I.done({ label: 'finish' })));
    b.thread({ name: `T${t + 1}`, program: `worker${t}`, cpu: placeOf(p, t) });
  }
  b.registers(8);

  const published = (s: { c: number; i: number }): string => `(${s.i} < offset[${s.c}])`;
  const d1 = (k: number): string => `array[${k * ITEM_CELLS}]`;
  const d2 = (k: number): string => `array[${k * ITEM_CELLS + 1}]`;
  const sum = L.slots.map((s) => `${published(s)} * (${d1(s.k)} + ${d2(s.k)})`).join(' + ');
  const intact = L.slots.map((s) => `(!${published(s)} || ${d2(s.k)} == ${d1(s.k)} + 1)`).join(' && ');
  return b
    .budgets({ preemptions: 1, migrations: 1, signals: 0 })
    .final('item-count', `sum(offset) == ${L.total}`)
    .final('items-intact', intact)
    .final('data-sum', `${sum} == ${2 * L.dataSum + L.total}`)
    .build();
}

// ---- -T r: membarrier ------------------------------------------------------------------------

export interface MembarrierParams {
  /**
   * The manager's membarrier calls after each pointer flip: `'all'` is one call without
   * MEMBARRIER_CMD_FLAG_CPU; a list of CPU numbers is one FLAG_CPU call per entry, in order.
   */
  readonly targets: 'all' | readonly number[];
  /** CPUs whose counter of the now-inactive list the manager checks. @defaultValue every CPU */
  readonly check?: readonly number[];
  /** Flip the pointer twice (list_a -> list_b -> list_a) instead of once. @defaultValue false */
  readonly twoRounds?: boolean;
  readonly workers?: number;
  readonly reps?: number;
}

/**
 * `-T r` (§3.3, §2.9): workers run `rseq_offset_deref_addv(&percpu_list_ptr, cpu, 1)`: inside
 * the c.s. they load `list_ptr` (the address of `list_a` or `list_b`, two per-CPU counter
 * arrays), add the CPU and increment the cell it points to. The manager flips `list_ptr` to the
 * other list (a plain store: the model is sequentially consistent, so store-release adds
 * nothing), calls membarrier(PRIVATE_EXPEDITED_RSEQ), snapshots the now-inactive list's
 * counters and re-loads them, asserting they did not change ("Membarrier test failed").
 *
 * Why it holds (§2.9): when membarrier returns, every worker that was running user code on an
 * IPI'd CPU has an event pending, and every worker that was not running was switched out and
 * carries its own preemption / sched_switch event; either way a c.s. that loaded the old pointer
 * cannot commit without first aborting, and the retry loads the new pointer. Without FLAG_CPU
 * the caller's own CPU is skipped, which is harmless: while the manager runs there, no worker
 * does. With FLAG_CPU only the targeted CPU is covered (a worker running on another CPU with
 * the old pointer gets no IPI): the selftest accordingly checks only `list_a.c[cpu_a]` for its
 * random `cpu_a` (`membarrier({ targets: [0], check: [0] })` is that check, and holds);
 * `r-cpu` targets every CPU in turn (two calls) and then checks the whole list.
 * `membarrier({ targets: [0], check: [0, 1] })` is the overreaching check, expected to fail.
 *
 * With `twoRounds` the manager flips back (list_b -> list_a), calls membarrier again and checks
 * list_b: the selftest's manager alternates forever.
 *
 * Every preset keeps it: ipi_rseq raises the event in every preset (rseq_preempt in L418-L63;
 * rseq_sched_switch_event with user_irq from the IPI in L619), and the workers make no syscall.
 * Without the abort on membarrier (`abortOnMembarrier=false`) a worker running on the other CPU
 * with the old pointer commits into the inactive list after the snapshot.
 *
 * End state (besides the assertion): `sum(list_a) + sum(list_b) == workers × reps`.
 *
 * Size: the manager on C0, 2 workers (one on C1, one waiting on C0) x 1 increment, two pointer
 * flips in the catalogue entries; preemptions 2, migrations 1, signals 0 (about 190k / 215k
 * states; two increments per worker give 575k with one flip).
 */
export function membarrier(p: MembarrierParams): ModelInput {
  const workers = p.workers ?? 2;
  const reps = p.reps ?? 1;
  const total = workers * reps;
  const check = p.check ?? Array.from({ length: CPUS }, (_, c) => c);
  const flag = p.targets !== 'all';
  const b = new ModelBuilder(flag ? 'selftest-r-membarrier-cpu' : 'selftest-r-membarrier').describe(
    `param_test -T r: a manager flips percpu_list_ptr and calls membarrier(RSEQ${flag ? `, FLAG_CPU ${p.targets.join(',')}` : ''}); ${workers} workers x ${reps} offset_deref_addv`,
  );
  b.cpus(CPUS);
  const m = new Cells(b);
  m.add('list_ptr', 1, { init: 1, max: 1 + CPUS });
  m.add('list_a', CPUS, { percpu: true, max: total });
  m.add('list_b', CPUS, { percpu: true, max: total });

  const body = repeat(reps, (i) => `inc${i}_retry`, (i, next) => offsetDerefAddv(`inc${i}`, 'list_ptr', 1, { next }), 'finish');
  b.program('worker', seq(body, I.done({ label: 'finish' })));

  const calls = (): InstructionInput[] => (p.targets === 'all' ? [I.syscall('membarrier')] : p.targets.map((c) => I.syscall('membarrier', { cpu: c })));
  const round = (to: 'list_a' | 'list_b', inactive: 'list_a' | 'list_b'): InstructionInput[] => [
    I.store({ var: 'list_ptr' }, `&${to}`),
    ...calls(),
    // Snapshot the inactive list's counters (r1, r2), then re-load and compare.
    ...check.map((c, j) => I.load(`r${1 + j}`, { var: inactive, index: c })),
    ...check.flatMap((c, j) => [I.load('r3', { var: inactive, index: c }), I.assert('eq', 'r3', `r${1 + j}`, 'Membarrier test failed')]),
  ];
  b.program('manager', [...round('list_b', 'list_a'), ...(p.twoRounds ? round('list_a', 'list_b') : []), I.done()]);
  b.thread({ name: 'M', program: 'manager', cpu: 'C0' });
  for (let w = 0; w < workers; w++) b.thread({ name: `W${w + 1}`, program: 'worker', cpu: `C${(w + 1) % CPUS}` });
  return b
    .budgets({ preemptions: 2, migrations: 1, signals: 0 })
    .final('increments', `sum(list_a) + sum(list_b) == ${total}`)
    .build();
}

// ---- the catalogue ---------------------------------------------------------------------------

export const selftestScenarios: SelftestScenario[] = [
  { id: 's', title: 'param_test -T s: per-CPU spinlock (cmpeqv_storev lock, plain count++ under it)', build: () => spinlock(), expect: holdsEverywhere() },
  { id: 'i', title: 'param_test -T i: per-CPU counter (rseq_addv)', build: () => increment(), expect: holdsEverywhere() },
  { id: 'l', title: 'param_test -T l: per-CPU linked list (cmpnev_storeoffp_load pop, cmpeqv_storev push)', build: () => list(), expect: holdsEverywhere() },
  { id: 'b', title: 'param_test -T b: per-CPU pointer buffer (cmpeqv_cmpeqv_storev pop, cmpeqv_trystorev_storev push)', build: () => buffer(), expect: holdsEverywhere() },
  { id: 'm', title: 'param_test -T m: per-CPU item buffer (cmpeqv_trymemcpy_storev pop and push)', build: () => memcpyBuffer(), expect: holdsEverywhere() },
  { id: 'r', title: 'param_test -T r: membarrier(PRIVATE_EXPEDITED_RSEQ) without FLAG_CPU, two pointer flips', build: () => membarrier({ targets: 'all', twoRounds: true }), expect: holdsEverywhere() },
  { id: 'r-cpu', title: 'param_test -T r: membarrier(PRIVATE_EXPEDITED_RSEQ, FLAG_CPU) on each CPU in turn, two pointer flips', build: () => membarrier({ targets: [0, 1], twoRounds: true }), expect: holdsEverywhere() },
];
