/**
 * Which reductions of the rseq state space are sound for a model, and the static tables they
 * use: thread symmetry, purely local instructions fused with the one before them, ready
 * threads floating over their CPUs, and the event mask collapsed to one bit.
 */
import type { IdField, Instr, ModelIR } from '../ir/types.js';
import type { Policy } from '../kernel/policy.js';

/**
 * Symmetry reduction is sound when every thread runs the same code with the same handler,
 * affinity, registration and flags, no thread is created at run time, no memory is indexed
 * per thread, and no property names a thread.
 */
export function symmetryIsSound(ir: ModelIR): boolean {
  const [first, ...rest] = ir.threads;
  if (!first || rest.length === 0) return false;
  const same = rest.every(
    (t) => t.program === first.program && t.handler === first.handler && t.sigsegvHandler === first.sigsegvHandler && t.registered === first.registered && t.flags === first.flags && !t.dormant && t.allowed.join() === first.allowed.join(),
  );
  // A tracer's stops and IP writes are not part of the comparison: no symmetry with one.
  if (!same || first.dormant || ir.threads.some((t) => t.tracer !== undefined)) return false;
  if (ir.memory.vars.some((v) => v.perthread)) return false;
  if (ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && (i.name === 'fork' || i.name === 'clone_vm')))) return false;
  return !propertiesNameAThread(ir);
}

/**
 * Whether an invariant or final condition mentions a thread (its registers, IP, CPU, ...). A
 * name may end in `'` or `.` (models/ir/schema.ts), where `\b` would need a letter after it: the
 * end is rather "no letter, digit or _ follows".
 */
function propertiesNameAThread(ir: ModelIR): boolean {
  const names = ir.threads.map((t) => t.name);
  const mentions = (e: string): boolean => names.some((n) => new RegExp(`\\b${n.replace(/[.']/g, '\\$&')}(?![A-Za-z0-9_])`).test(e));
  return [...ir.invariants, ...ir.final].some((c) => mentions(c.expr));
}

/**
 * Fused instructions and floating ready threads are sound when no property can see a thread's
 * step count, IP or CPU: no invariant or final condition names a thread (they then speak of
 * memory and the built-in ghosts only), and no temporal property is checked. The named
 * reductions (reductionNames) need no such condition: no expression atom reads what they change.
 */
export function reductionsAreSound(ir: ModelIR): boolean {
  // A single-stepped thread stops after every instruction, so "an event before a local
  // instruction equals the same event after it" no longer holds: no fusion with a tracer.
  return !propertiesNameAThread(ir) && !ir.threads.some((t) => t.tracer !== undefined);
}

/**
 * Whether reduction `quiet-exit` applies: a running thread whose next instruction is its own
 * final `done` (no signal frame) with no rseq_cs in its area is not preempted, migrated,
 * interrupted or trapped there; a signal still is. Such an event only delays the exit: the
 * return to user space it causes finds no descriptor (no abort, no kill), writes IDs nobody
 * reads again (`done` reads nothing), and the others it lets run first also run once the thread
 * has exited (a CPU it leaves idle takes a ready thread; a thread preempted to schedule it can
 * be preempted onto itself instead, with the same kernel effects and budget). A signal kept at
 * the exit runs its handler, before whose first instruction every event is explored again,
 * which covers a signal that would have come after such an event. So every state reachable
 * with the event is matched by one reached without it, for every property that names no thread
 * (reductionsAreSound) and no LTL. Not with shared areas (another thread's area is written on
 * its return), models that read mm_cid (an exit frees a CID others are given) or tracers.
 */
export function quietExitApplies(ir: ModelIR, reduced: boolean, sharedAreas: boolean, tracksMmCid: boolean): boolean {
  return reduced && !sharedAreas && !tracksMmCid && ir.programs.some((p) => p.code.some((i) => i.op === 'done'));
}

/**
 * Whether reduction `cpu-compare-prefix` applies (see cpuComparePrefixes for the argument): on
 * the 4.18-6.18 kernels with the event mask collapsed to one bit and consumed only by a look
 * inside a c.s. (so an in-range look that does not abort found no bit recorded since the last
 * one; with the mask cleared at every exit, or under the 6.19 rework's user_irq, an abortable
 * event before the arm leaves no trace an unabortable one inside could be told from), where
 * fusion applies, stale descriptors die
 * (staleRseqCsCanDie: no area syscalls, no tracer), every thread is registered from the start,
 * no program writes cpu_id_start or cpu_id (so the kernel's writes keep them equal), and no
 * kernel work can be interrupted (no IPI lands between a look's read and clear of the mask).
 */
export function cpuComparePrefixApplies(ir: ModelIR, policy: Policy, p: { reduced: boolean; collapseEvents: boolean; rework: boolean; kernelWork: boolean }): boolean {
  const writesIds = ir.programs.some((pr) => pr.code.some((i) => i.op === 'write_id' && (i.field === 'cpu_id_start' || i.field === 'cpu_id')));
  return p.reduced && p.collapseEvents && !p.rework && policy.eventMaskClear === 'onlyWhenInCs' && !p.kernelWork && !writesIds && staleRseqCsCanDie(ir, policy) && ir.threads.every((th) => th.registered && !th.dormant);
}

/**
 * Per program, per IP (one past the end included): 1 at the `rseq_arm D` and the
 * `read_id rB, cpu_id` of every critical section that begins as librseq writes it (reduction
 * `cpu-compare-prefix`):
 *
 *   p:    read_id rA, cpu_id_start
 *   p+1:  rseq_arm D                  (D passes full validation, harmlessWhenStale)
 *   p+2:  read_id rB, cpu_id          (D.start)
 *   p+3:  br ne rB, rA -> L           (inside D's range; L outside it, jmps from L lead to p)
 *
 * with rA and rB dead at D's abort_ip (`harmless`: per descriptor, harmlessWhenStale). The three run as one step: no event is explored at p+1 or
 * p+2, and no other thread runs between them. They touch only the thread's registers and its own
 * area, which only its own returns to user space write, cpu_id_start and cpu_id together
 * (cpuComparePrefixApplies), so the others' steps commute with them. Take any path from the
 * thread's read of X at p until it runs p+2 or leaves the prefix:
 *  (a) no event of the thread in between: the fused step does the same;
 *  (b) it leaves by its own compare (rB != X): the same events at p, then p again, reach the
 *      same state. An in-range look at p+2 that did not abort found no bit pending, so no event
 *      of the prefix recorded one, and a look outside the range changes only rseq_cs;
 *  (c) the kernel aborts it at p+2: the events it met at p+1 at p (outside the range both), the
 *      fused step, then those it met at p+2 at p+3 (inside the same range: the same decisions);
 *  (d) it runs p+2 with rB = X: with no event at p+2, the events at p then the fused step (which
 *      reads X, IDs being written at each return); otherwise the fused step first, then every
 *      event at p+3: none recorded a bit (the look at p+2 found none), so each look decides no
 *      abort inside the range as it did at p+1 or p+2, and the registers read are X and X.
 * In each case the states are equal up to dead registers, a dead stale rseq_cs (the bisimulation
 * of dead-rseq-cs) and the G1 and precision ghosts of a frame about to re-arm (rseq_arm resets
 * them). No property names a thread (reductionsAreSound), so no verdict is lost; a path of the
 * reduced system is one of the full system with fewer choices, so traces replay unchanged.
 * Unsound without the compare: a c.s. indexing by a CPU read before its arm, unchecked, commits
 * to the wrong CPU when migrated in between, which the pattern test refuses to hide.
 */
export function cpuComparePrefixes(ir: ModelIR, pi: number, harmless: readonly boolean[], live: Int32Array): Uint8Array {
  const code = ir.programs[pi]!.code;
  // Stryker disable next-line ArithmeticOperator: equivalent, the table is ORed into the fusion table, where an entry past its end reads as undefined and x | undefined is x
  const out = new Uint8Array(code.length + 1);
  /** The register instruction i reads `field` into, or -1 (also where there is none: i may be -1). */
  const readsId = (i: number, field: IdField): number => {
    const ins = code[i];
    return ins?.op === 'read_id' && ins.field === field ? ins.dst : -1;
  };
  ir.descriptors.forEach((d, di) => {
    const p = d.start - 2;
    // The compare at p+3 must lie inside the range (p < 0 reads nothing: readsId gives -1).
    if (d.program !== pi || d.postCommit <= d.start + 1 || !harmless[di]) return;
    const [rA, rB, arm, br] = [readsId(p, 'cpu_id_start'), readsId(p + 2, 'cpu_id'), code[p + 1]!, code[p + 3]!];
    if (rA < 0 || rB < 0 || rA === rB) return;
    // Stryker disable next-line ConditionalExpression: equivalent, only rseq_arm carries a desc, so the next test refuses any other instruction
    if (arm.op !== 'rseq_arm') return;
    if (arm.desc !== di) return;
    // Stryker disable next-line ConditionalExpression: equivalent, only br carries a cond, so the next test refuses any other instruction
    if (br.op !== 'br') return;
    if (br.cond !== 'ne') return;
    const regs = [br.a, br.b].map((o) => (o.reg ? o.value : -1));
    if (!regs.includes(rA) || !regs.includes(rB)) return;
    // What the kernel's abort leaves for abort_ip must not depend on when the IDs were read.
    if ((live[d.abort]! & ((1 << rA) | (1 << rB))) !== 0) return;
    // Stryker disable next-line EqualityOperator: equivalent, a target at start_ip is the read of cpu_id, no jmp: the walk below refuses it
    const fromStart = br.target >= d.start;
    if (fromStart && br.target < d.postCommit) return;
    // L leads back to p through jmps only (the abort handler's retry), without a cycle elsewhere.
    let q = br.target;
    for (let hops = 0; q !== p; hops++) {
      const ins = code[q];
      // Stryker disable next-line OptionalChaining: equivalent, branch and jump targets are instructions of the program (models/ir/validate.ts)
      if (ins?.op !== 'jmp' || hops === code.length) return;
      q = ins.target;
    }
    out[p + 1] = 1;
    out[p + 2] = 1;
  });
  return out;
}

/**
 * Per thread: whether it floats over its allowed CPUs while ready and its migration is
 * invisible (see CanonicalForm): the reductions are on, migrations are unbounded (so the
 * states differing in its CPU reach each other) and it has more than one CPU.
 */
export function floatingThreads(ir: ModelIR, reduced: boolean, migrationBudget: number): boolean[] {
  return ir.threads.map((th) => reduced && migrationBudget < 0 && th.allowed.length > 1);
}

/**
 * Whether the event mask can be reduced to one bit: with no NO_RESTART flag on any descriptor
 * or thread, which event is pending never matters, only whether one is.
 */
export function eventMaskCollapses(ir: ModelIR, policy: Policy): boolean {
  return (
    (policy.eventTracking === 'anyEvent' || policy.eventTracking === 'mask3') &&
    policy.csValidation !== 'minimal-in-range' &&
    ir.descriptors.every((d) => d.flags === 0) &&
    ir.threads.every((th) => th.flags === 0)
  );
}

/**
 * Named reductions that can be turned off one by one (`--no-reduce=NAME`); `reduce: false`
 * turns off these and the fused-instruction and floating-thread reductions.
 */
export const reductionNames = ['dead-events', 'abort-pending', 'dead-rseq-cs', 'cpu-symmetry', 'unread-ghosts', 'jump-threading', 'quiet-exit', 'cpu-compare-prefix', 'abort-pending-unsignalled'] as const;
export type ReductionName = (typeof reductionNames)[number];

/**
 * Whether a pending event bit is dead while its thread's TIF_NOTIFY_RESUME is clear
 * (reduction `dead-events`, 4.18-6.18 with the mask collapsed to one bit). The bit is read only
 * by rseq_need_restart, inside a handler run, and a handler runs only from signal delivery
 * (which records EV_SIGNAL first) or from notify-resume at exit to user. Here every raise of
 * notify-resume records an event first: preemption, migration and trap switch-outs abort, and
 * the raises that record nothing (registration, task-work interrupts, fork/clone copying the
 * flag) cannot happen in the model. So before any read the bit is ORed to 1 anyway.
 */
export function eventBitsDieWithoutNotify(ir: ModelIR, policy: Policy, collapseEvents: boolean, interruptBudget: number): boolean {
  const raisesWithoutEvent = ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && (i.name === 'rseq_register' || i.name === 'fork' || i.name === 'clone_vm')));
  return (
    collapseEvents &&
    policy.abortOnPreempt &&
    policy.abortOnMigrate &&
    policy.abortOnTrap &&
    interruptBudget === 0 &&
    !raisesWithoutEvent &&
    ir.threads.every((th) => th.registered && !th.dormant)
  );
}

/**
 * Whether a switched-out thread whose return to user space is certain to abort its c.s. may
 * stand at the start of the range with only the registers live at abort_ip (reduction
 * `abort-pending`, 4.18-6.18 with the mask collapsed to one bit). Such a thread (ready after
 * an interrupt, notify-resume raised, an event bit pending, its armed valid descriptor's range
 * containing its IP) runs no user instruction before the handler: at its switch-in the
 * notify-resume handler (or, signal first, rseq_signal_deliver, which aborts too since signals
 * abort) finds the IP in range and the bit set and moves it to abort_ip; nothing else reads
 * its IP or registers while it waits (no property names a thread). Every IP of the range
 * therefore leads to the same state once the handler has run.
 */
export function abortsArePending(policy: Policy, collapseEvents: boolean, rework: boolean): boolean {
  return collapseEvents && !rework && policy.abortOnSignal;
}

/**
 * Whether abort-pending's certain abort also holds, with signals that do not abort
 * (abortOnSignal=false), for a thread no signal can reach before its switch-in (reduction
 * `abort-pending-unsignalled`; see CanonicalForm.unsignalled). A signal delivered first would
 * push a handler frame over the c.s. without a fixup, and the notify-resume handler would then
 * see the handler's IP, not the range: the abort is certain only without one. A thread's
 * signals come from the signal budget (to a thread with a handler) or from its own `raise`,
 * which it cannot run while switched out; so once the budget is spent, with no signal pending,
 * none can come until it has run again (a forced SIGSEGV is delivered after notify-resume in
 * either order of the exit loop, so after the abort). Only a bounded budget can be spent.
 */
export function abortsArePendingUnsignalled(ir: ModelIR, policy: Policy, collapseEvents: boolean, rework: boolean): boolean {
  // `ir` carries the budgets in force (the model's, with the command line's overrides).
  return collapseEvents && !rework && !policy.abortOnSignal && (ir.budgets.signals >= 0 || ir.threads.some((th) => th.handler < 0));
}

/**
 * Whether a stale rseq_cs can be cleared where it is dead (reduction `dead-rseq-cs`): the model
 * has no way to read a thread's rseq_cs other than the kernel's range test. Excluded: syscall
 * policy b (its entry check kills on any non-zero rseq_cs), areas left non-empty by an earlier
 * user (G2 asks whose descriptor killed), tracers (SETREGS may put the IP anywhere), and the
 * syscalls that copy, reset or re-register an area (fork, clone_vm, rseq_register,
 * rseq_unregister, execve).
 */
export function staleRseqCsCanDie(ir: ModelIR, policy: Policy): boolean {
  const areaSyscalls = ['fork', 'clone_vm', 'rseq_register', 'rseq_unregister', 'execve', 'execve_fail'];
  return (
    policy.syscallPolicy !== 'b' &&
    ir.threads.every((th) => th.staleRseqCs === 0 && th.tracer === undefined) &&
    !ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && areaSyscalls.includes(i.name)))
  );
}

/**
 * Per descriptor: whether the kernel's every look at it, with the IP outside its range, ends in
 * the clear of rseq_cs and nothing else (see staleRseqCsCanDie): it passes full validation
 * (checked before the range test on 4.18-6.18 and with debug-full), and under debug-full also
 * has no flags.
 */
export function harmlessWhenStale(ir: ModelIR, policy: Policy): boolean[] {
  return passesFullValidation(ir).map((valid, d) => valid && (policy.csValidation !== 'debug-full' || ir.descriptors[d]!.flags === 0));
}

/** Per descriptor: whether it passes the kernel's full validation (version 0, abort_ip outside the range, the model's signature). */
export function passesFullValidation(ir: ModelIR): boolean[] {
  return ir.descriptors.map((d) => d.version === 0 && !(d.abort >= d.start && d.abort < d.postCommit) && d.signature === ir.signature);
}

/**
 * Per program, per IP (one past the end included): bit d-1 set when descriptor d is dead there,
 * that is when every path from the IP overwrites rseq_cs (rseq_arm, rseq_clear), ends the frame
 * (sigreturn) or the thread (done) before it reaches an IP inside d's range. A syscall's restart
 * rewinds the IP onto the syscall, so an IP just after one needs d dead at the syscall too.
 *
 * Why a dead stale rseq_cs may read as 0 (reduction `dead-rseq-cs`): with the IP outside d's
 * range the kernel, wherever it looks (notify-resume, signal delivery, the rework's exit work,
 * the syscall checks of policies c, c', d and debug-full), validates d, which passes (it is
 * harmlessWhenStale), and clears rseq_cs, or does nothing; with rseq_cs = 0 it does nothing.
 * Neither reads the event mask, and no user instruction or property atom reads rseq_cs (in_cs
 * reads the armed ghost). An abort needs the IP inside the range of rseq_cs, which the thread
 * cannot reach before rseq_cs is overwritten. So both states have the same successors up to
 * the same difference, until it vanishes: they are bisimilar, every verdict (LTL included) is
 * kept, and the trace replays with the real lazy clears.
 */
export function deadStaleDescriptors(ir: ModelIR, rangeMask: readonly Int32Array[]): Int32Array[] {
  const all = (1 << ir.descriptors.length) - 1;
  return ir.programs.map((p, pi) => {
    const code = p.code;
    const n = code.length;
    const range = rangeMask[pi]!;
    const dead = Int32Array.from({ length: n + 1 }, (_, ip) => all & ~range[ip]!);
    const ends = (i: number): boolean => ['rseq_arm', 'rseq_clear', 'sigreturn', 'done'].includes(code[i]!.op);
    const next = (i: number): number[] => {
      const ins = code[i]!;
      return ins.op === 'jmp' ? [ins.target] : ins.op === 'br' ? [i + 1, ins.target] : [i + 1];
    };
    // Greatest fixed point: a loop that never enters the range keeps d dead.
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = n - 1; i >= 0; i--) {
        if (ends(i)) continue;
        const d = next(i).reduce((m, q) => m & (q <= n ? dead[q]! : 0), dead[i]!);
        if (d !== dead[i]) {
          dead[i] = d;
          changed = true;
        }
      }
    }
    return Int32Array.from(dead, (d, ip) => (ip > 0 && code[ip - 1]!.op === 'syscall' ? d & dead[ip - 1]! : d));
  });
}

/** Per program, per IP (one past the end included): bit d set when descriptor d's range contains the IP. */
export function descriptorRangeMasks(ir: ModelIR): Int32Array[] {
  return ir.programs.map((p, pi) =>
    Int32Array.from({ length: p.code.length + 1 }, (_, ip) => ir.descriptors.reduce((m, d, di) => (d.program === pi && ip >= d.start && ip < d.postCommit ? m | (1 << di) : m), 0)),
  );
}

/**
 * The instructions of program `pi` that run fused with the instruction before them: purely
 * local ones (nop, mov, add, sub, br, jmp: registers and the IP only) whose every successor is
 * inside exactly the same descriptor ranges, and whose written register is dead at the abort
 * handler of each range they are in. For such an instruction L at IP p, any kernel event at p
 * leads to the state the same event reaches at L's successor once L has run: the kernel reads
 * the IP only through range tests (equal at both), never reads registers, and moves the IP to
 * the same abort_ip with the same live registers; while the thread is switched out nothing
 * else can touch its registers. No property reads them (reductionsAreSound), so exploring only
 * L at p loses no verdict. Instructions on a cycle of fusible ones are excluded, so a thread
 * never runs fused forever.
 */
export function fusibleInstructions(ir: ModelIR, pi: number, rangeMask: Int32Array, live: Int32Array): Uint8Array {
  const code = ir.programs[pi]!.code;
  const n = code.length;
  const out = new Uint8Array(n + 1);
  const succ = (ins: Instr, i: number): number[] => (ins.op === 'jmp' ? [ins.target] : ins.op === 'br' ? [i + 1, ins.target] : [i + 1]);
  for (let i = 0; i < n; i++) {
    const ins = code[i]!;
    if (!['nop', 'mov', 'add', 'sub', 'br', 'jmp'].includes(ins.op)) continue;
    if (!succ(ins, i).every((q) => q <= n && rangeMask[q] === rangeMask[i])) continue;
    const writes = ins.op === 'mov' || ins.op === 'add' || ins.op === 'sub' ? 1 << ins.dst : 0;
    const abortsLive = ir.descriptors.reduce((m, d, di) => (rangeMask[i]! & (1 << di) ? m | live[d.abort]! : m), 0);
    if (writes & abortsLive) continue;
    out[i] = 1;
  }
  // Break cycles of fusible instructions (repeatedly drop one on a cycle).
  for (;;) {
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, out[n] (one past the last instruction) and anything beyond are never 1, so out[q] === 1 alone decides; both mutators also rewrite out[q] === 1, whose mutants hang findCycle (it drops nothing) and would time out
    const onCycle = findCycle(out, (i) => succ(code[i]!, i).filter((q) => q < n && out[q] === 1));
    if (onCycle < 0) break;
    out[onCycle] = 0;
  }
  return out;
}

/**
 * Per program, per IP: where a thread resting at the IP stands for (reduction `jump-threading`),
 * or -1. A thread rests at a fused `jmp` only where the kernel or a signal put it (an abort to
 * abort_ip, a handler's entry, a frame sigreturn restores): falling through, the jmp would have
 * run in the step before. Its only step from there is the jmp (no events are explored before a
 * fused instruction), which writes no register, reads nothing and lands inside the same ranges,
 * so the state with the IP at the jmp's final target (chains of fused jmps followed; they have
 * no cycles) has the same successors one step later: the two are stuttering-equivalent, and no
 * property sees the IP (reductionsAreSound). An IP just after a syscall is left alone: a
 * restart rewinds the IP onto the syscall, which must stay the one before it. Traces are told
 * in a system without it (concretize.ts puts the jmp back in).
 */
export function jumpThreads(ir: ModelIR, pi: number, fusible: Uint8Array): Int32Array {
  const code = ir.programs[pi]!.code;
  /** The target of the fused jmp at i, or -1. */
  const fusedJmpTarget = (i: number): number => {
    const ins = code[i];
    return ins?.op === 'jmp' && fusible[i] === 1 ? ins.target : -1;
  };
  return Int32Array.from({ length: code.length + 1 }, (_, ip) => {
    if (fusedJmpTarget(ip) < 0 || (ip > 0 && code[ip - 1]!.op === 'syscall')) return -1;
    let q = ip;
    for (let next = fusedJmpTarget(q); next >= 0; next = fusedJmpTarget(q)) q = next;
    return q;
  });
}

/** A node on a cycle of the graph restricted to `member` nodes, or -1 (iterative DFS). */
function findCycle(member: Uint8Array, next: (i: number) => number[]): number {
  const color = new Uint8Array(member.length);
  // Stryker disable next-line EqualityOperator: equivalent, root === member.length reads member[root] as undefined and skips it
  for (let root = 0; root < member.length; root++) {
    if (!member[root] || color[root]) continue;
    const stack: [number, number[]][] = [[root, next(root)]];
    color[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const v = top[1].pop();
      if (v === undefined) {
        color[top[0]] = 2;
        stack.pop();
        continue;
      }
      if (color[v] === 1) return v;
      if (color[v] === 0) {
        color[v] = 1;
        stack.push([v, next(v)]);
      }
    }
  }
  return -1;
}
