import { replay, type ReplayedStep } from '../checker/replay.js';
import type { TransitionSystem } from '../checker/transition-system.js';
import type { Decision, ExplainedStep, ExplainedTrace, StepKind } from './explained-trace.js';
import { bothSinks, DecisionLog, type KernelDecision } from '../models/kernel/decisions.js';
import { Status } from '../models/kernel/layout.js';
import { PtraceStop } from '../models/kernel/ptrace.js';
import { decodeValue, RSEQ_CPU_ID_UNINITIALIZED } from '../models/kernel/encoding.js';
import {
  abortWords,
  commitWords,
  eventWords,
  execveWords,
  exitWords,
  framePushedWords,
  guestEntryWords,
  idsWords,
  kernelWorkFinishedWords,
  kernelWorkPausedWords,
  killWords,
  lazyClearWords,
  mmCidSharedWords,
  notAbortedWords,
  preemptedAtExitWords,
  ptraceSetIpWords,
  ptraceStopWords,
  sharedAbortWords,
  sigreturnKillWords,
  sigreturnWords,
  sigsegvHandlerWords,
  tracerResumesWords,
} from './decision-words.js';
import { registersWritten } from '../models/kernel/liveness.js';
import { decodeLabel, LabelKind } from '../models/system/labels.js';
import type { RseqSystem } from '../models/system/rseq-system.js';
import { findDecisiveStep } from './decisive-step.js';
import { TraceValues } from './trace-values.js';

const kindOf: Record<number, StepKind> = {
  [LabelKind.instruction]: 'instruction',
  [LabelKind.instructionPreemptedAtExit]: 'instruction',
  [LabelKind.preempt]: 'preempt',
  [LabelKind.migrate]: 'migrate',
  [LabelKind.signal]: 'signal',
  [LabelKind.interrupt]: 'interrupt',
  [LabelKind.taskWork]: 'task-work',
  [LabelKind.trap]: 'trap',
  [LabelKind.trapSleep]: 'trap-sleep',
  [LabelKind.schedule]: 'schedule',
  [LabelKind.wake]: 'wake',
  [LabelKind.signalPending]: 'signal-pending',
  [LabelKind.wakeBySignal]: 'signal-pending',
  [LabelKind.kernelWork]: 'kernel-work',
};

/**
 * Replays a choice path and explains every step in rseq terms. What the kernel did and why
 * (abort, lazy clear, IDs written, event recorded, frame pushed, SIGSEGV) is what the semantics
 * reported while the step was replayed (models/kernel/decisions.ts); the states only supply the
 * values shown (IPs before the step, ID values, which threads can see them), and the values
 * each step changed (run/trace-values.ts). The decisive step is run/decisive-step.ts's.
 */
export function explainPath(
  sys: RseqSystem,
  choices: readonly number[],
  meta: { model: string; policy: string; property: string; loopStart?: number },
): ExplainedTrace {
  const { steps, decided } = replayDeciding(sys, choices);
  const k = sys.kernel;
  const L = sys.layout;
  const ir = sys.ir;
  const names = ir.threads.map((t) => t.name);
  const descName = (d: number): string => (d === 0 ? '(none)' : k.desc(d).name);

  const ipOf = (s: Int32Array, t: number) => {
    const l = k.level(s, t);
    const f = L.frame(t, l);
    return { l, f, prog: k.programOf(s, t, l), ip: k.get(s, L.ip[f]!) };
  };
  const inCsOf = (s: Int32Array, t: number): boolean => {
    const { f, prog, ip } = ipOf(s, t);
    return k.inRange(k.get(s, L.armed[f]!), prog, ip);
  };
  const where = (prog: number, ip: number): string => {
    const p = ir.programs[prog]!;
    return `${p.name}:${ip}${p.labels[ip] ? ` (${p.labels[ip]})` : ''}`;
  };
  // A blocked thread stopped for its tracer (single-stepped, or at a syscall stop): its wake is the tracer's resume.
  const stoppedForTracer = (s: Int32Array, t: number): boolean => {
    const tr = ir.threads[t]!.tracer;
    return tr !== undefined && (tr.singleStep || (L.ptraceStop.length > 0 && k.get(s, L.ptraceStop[t]!) === PtraceStop.atSyscall));
  };
  const csAt = (s: Int32Array, t: number): string => {
    const { f, prog, ip } = ipOf(s, t);
    const d = k.get(s, L.armed[f]!);
    return k.inRange(d, prog, ip) ? ` inside ${descName(d)}` : '';
  };

  // The IDs of each thread's struct rseq as the kernel (or the thread) last wrote them.
  const seen = ir.threads.map((th) => {
    const registered = th.registered && !th.dormant;
    return { cpuIdStart: registered ? th.cpu : 0, cpuId: registered ? th.cpu : RSEQ_CPU_ID_UNINITIALIZED };
  });
  const values = new TraceValues(sys, steps[0]!.state);
  const out: ExplainedStep[] = [];
  const commitCells: { step: number; cell: number }[] = [];
  steps.forEach((step, i) => {
    const s = step.state;
    const rseqCs: Record<string, string | null> = {};
    const inCs: Record<string, boolean> = {};
    names.forEach((n, t) => {
      const d = k.get(s, L.rseqCs[t]!);
      rseqCs[n] = d === 0 ? null : descName(d);
      inCs[n] = inCsOf(s, t);
    });
    if (step.label === undefined) {
      out.push({ index: 0, kind: 'init', thread: null, cpu: null, decisions: [], rseqCs, inCs, text: `initial state (${ir.threads.map((t) => `${t.name} on ${ir.cpus[t.cpu]}`).join(', ')})`, witness: false, values: values.initialValues() });
      return;
    }
    const p = steps[i - 1]!.state;
    const taken = decided[i]!;
    const { kind, thread: t, arg } = decodeLabel(step.label);
    const tn = names[t]!;
    const decisions: Decision[] = [];
    let instruction: ExplainedStep['instruction'];
    let what: string;
    // An instruction step's effects before canonical form, and the registers it writes.
    let raw: Int32Array | undefined;
    let written = 0;
    const before = ipOf(p, t);
    const cpuBefore = ir.cpus[k.get(p, L.cpu[t]!)]!;

    switch (kind) {
      case LabelKind.instruction:
      case LabelKind.instructionPreemptedAtExit: {
        const prog = ir.programs[before.prog]!;
        const run = sys.instructionChain(p, t, kind === LabelKind.instructionPreemptedAtExit);
        raw = run.after;
        for (const x of run.chain) written |= registersWritten(ir.programs[x.prog]!.code[x.ip]!);
        // Purely local instructions that ran fused with this one (models/system.ts).
        const fused = run.chain.slice(1).map((x) => ir.programs[x.prog]!.text[x.ip]!);
        instruction = { program: prog.name, index: before.ip, text: prog.text[before.ip]!, ...(prog.labels[before.ip] ? { label: prog.labels[before.ip]! } : {}), ...(fused.length > 0 ? { fused } : {}) };
        what = `${tn} executes ${where(before.prog, before.ip)} \`${prog.text[before.ip]}\`${fused.map((f) => `, then \`${f}\``).join('')}`;
        const commit = first(taken, 'commit');
        if (commit) {
          decisions.push({ kind: 'commit', text: commitWords(descName(commit.desc)) });
          for (let c = 0; c < ir.memory.cells; c++) if (k.get(p, L.mem[c]!) !== k.get(s, L.mem[c]!)) commitCells.push({ step: i, cell: c });
        }
        if (kind === LabelKind.instructionPreemptedAtExit) decisions.push({ kind: 'other', text: preemptedAtExitWords(prog.code[before.ip]!) });
        const stop = first(taken, 'ptrace-stop');
        if (stop) decisions.push({ kind: 'other', text: ptraceStopWords(tn, stop.why) });
        const exec = first(taken, 'execve', t);
        if (exec) decisions.push({ kind: 'other', text: execveWords(tn, exec.failed, exec.notify, k.area(p, t) >= 0, first(taken, 'mm-cid-taken', t)?.cid) });
        break;
      }
      case LabelKind.preempt:
        what = `preemption of ${tn} on ${cpuBefore} at ${where(before.prog, before.ip)}${csAt(p, t)}; ${names[arg]} scheduled in`;
        if (arg !== t && k.get(p, L.anyCpu[arg]!) === 1) decisions.push({ kind: 'other', text: `${names[arg]} waited on no particular CPU (its migrations change nothing else): placed on ${cpuBefore}` });
        break;
      case LabelKind.migrate:
        what = `migration of ${tn} ${cpuBefore}→${ir.cpus[arg]} at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        break;
      case LabelKind.signal:
        what = `signal sent to ${tn} on ${cpuBefore} at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        break;
      case LabelKind.interrupt:
        what = `interrupt on ${cpuBefore} while ${tn} is at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        break;
      case LabelKind.taskWork:
        what = `interrupt with unrelated task_work (TIF_NOTIFY_RESUME) for ${tn} at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        break;
      case LabelKind.trap:
        what = `non-sleeping trap of ${tn} at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        break;
      case LabelKind.trapSleep:
        what = `sleeping page fault of ${tn} at ${where(before.prog, before.ip)}${csAt(p, t)}: switched out`;
        break;
      case LabelKind.schedule:
        what = `${tn} scheduled in on ${ir.cpus[arg]}, returns to user at ${where(before.prog, before.ip)}${csAt(p, t)}`;
        if (k.get(p, L.anyCpu[t]!) === 1) decisions.push({ kind: 'other', text: `${tn} waited on no particular CPU (its migrations change nothing else): placed on ${ir.cpus[arg]}` });
        break;
      case LabelKind.wake: {
        const set = first(taken, 'ptrace-set-ip');
        if (set) what = ptraceSetIpWords(tn, where(before.prog, set.fromIp), where(before.prog, set.toIp), cpuBefore);
        else what = stoppedForTracer(p, t) ? tracerResumesWords(tn, cpuBefore) : `${tn} wakes up (ready on ${cpuBefore})`;
        break;
      }
      case LabelKind.wakeBySignal:
        what = `signal interrupts ${tn}'s sleep (-ERESTARTSYS)`;
        break;
      case LabelKind.kernelWork: {
        const done = first(taken, 'kernel-work', t);
        what = done ? kernelWorkFinishedWords(tn, done.work, done.mask, done.lost, sys.collapseEvents) : `${tn}'s kernel work continues`;
        break;
      }
      default:
        what = `signal made pending for ${tn}`;
    }

    // A switch-in of a thread inside ioctl(KVM_RUN): it went back to the guest first.
    const guest = first(taken, 'guest-entry');
    if (guest) decisions.push({ kind: 'other', text: guestEntryWords(names[guest.thread]!, guest.path) });
    // Kernel work that stopped where a membarrier IPI can land (it finishes in a kernelWork step).
    for (const w of taken) if (w.kind === 'kernel-work' && w.phase === 'paused') decisions.push({ kind: 'other', text: kernelWorkPausedWords(names[w.thread]!, w.work, w.mask, sys.collapseEvents, kind === LabelKind.kernelWork) });
    // A switch-in that handed out an mm_cid a thread running elsewhere still holds.
    const shared = taken.find((d): d is DecisionOf<'mm-cid-taken'> => d.kind === 'mm-cid-taken' && d.heldBy >= 0);
    if (shared) decisions.push({ kind: 'other', text: mmCidSharedWords(names[shared.thread]!, shared.cid, names[shared.heldBy]!, ir.cpus[k.get(s, L.cpu[shared.heldBy]!)]!) });

    // Two user instructions whose effects are shown like the kernel's: writing its own IDs, and
    // finishing (the system forgets a finished thread's struct rseq, rseq_cs included).
    const op = kind <= LabelKind.instructionPreemptedAtExit ? ir.programs[before.prog]!.code[before.ip]!.op : undefined;
    // The kernel's decisions, per thread, in the order explanations have always listed them.
    const idsSeen = new Set<number>();
    names.forEach((n, u) => {
      const pushed = first(taken, 'signal-delivered', u);
      if (pushed) decisions.push({ kind: 'frame-pushed', text: framePushedWords(n, where(k.programOf(s, u, pushed.level - 1), pushed.savedIp)) });
      const popped = first(taken, 'sigreturn', u);
      if (popped) decisions.push({ kind: 'sigreturn', text: sigreturnWords(n, where(k.programOf(s, u, popped.level), k.get(s, L.ip[L.frame(u, popped.level)]!))) });
      const area = k.area(p, u);
      if (area >= 0) {
        // Every clear of this thread's struct rseq, worded from the decision that made it.
        const clears = taken.filter((d): d is DecisionOf<'abort' | 'lazy-clear'> => (d.kind === 'abort' || d.kind === 'lazy-clear') && d.area === area);
        for (const c of clears) {
          if (c.kind === 'abort' && c.thread === u) {
            const prog = k.programOf(s, u, c.level);
            decisions.push({ kind: 'abort', text: abortWords(n, where(prog, c.fromIp), where(prog, c.abortIp), descName(c.desc)) });
          } else if (c.kind === 'abort') decisions.push({ kind: 'other', text: sharedAbortWords(n, descName(c.desc), names[c.thread]!) });
          else decisions.push({ kind: 'lazy-clear', text: lazyClearWords(n, descName(c.desc)) });
        }
        const left = k.get(p, L.rseqCs[area]!);
        if (clears.length === 0 && op === 'done' && u === t && left !== 0 && k.get(s, L.rseqCs[area]!) === 0) decisions.push({ kind: 'other', text: exitWords(n, descName(left)) });
        else if (clears.length === 0 && kind >= LabelKind.preempt && u === t) {
          const resumed = first(taken, 'not-aborted', u);
          if (resumed) decisions.push({ kind: 'no-abort', text: notAbortedWords(n, descName(resumed.desc), first(taken, 'kill') !== undefined) });
        }
      }
      // The IDs user space sees change only by a write the kernel made (or the thread's own
      // write_id); their values before it are the ones last written, not the state's: the
      // reductions erase the IDs of switched-out threads that the kernel will rewrite (or, under
      // onChangeOnly, would leave as they are), and a trace must show only the real writes.
      const writes = taken.some((d) => d.kind === 'ids-written' && d.area === u) || (op === 'write_id' && u === t);
      // Only a running thread's IDs are observable (switched-out ones are canonicalised): report
      // them for a thread that ran before and after, or that this step switched in (scheduled,
      // or chosen by a preemption).
      const switchedIn = (kind === LabelKind.schedule && u === t) || (kind === LabelKind.preempt && u === arg);
      const observable = k.get(s, L.status[u]!) === Status.Running && (k.get(p, L.status[u]!) === Status.Running || switchedIn);
      if (writes && observable) idsSeen.add(u);
      const ids = seen[u]!;
      for (const [field, label, key] of [
        [L.cpuId, 'cpu_id', 'cpuId'],
        [L.cpuIdStart, 'cpu_id_start', 'cpuIdStart'],
      ] as const) {
        const v1 = decodeValue(k.get(s, field[u]!));
        if (!writes || v1 === ids[key]) continue;
        ids[key] = v1;
        if (observable) decisions.push({ kind: 'ids-updated', text: idsWords(n, label, v1) });
      }
      // Bits recorded and still pending after the step (canonical masks: collapsed to one bit where only presence matters).
      const ev0 = k.get(p, L.evMask[u]!);
      const ev1 = k.get(s, L.evMask[u]!);
      if (first(taken, 'event-recorded', u) && ev1 & ~ev0) decisions.push({ kind: 'event-recorded', text: eventWords(n, sys.collapseEvents ? null : ev1) });
    });
    const kill = first(taken, 'kill');
    const caught = first(taken, 'sigsegv-handler');
    if (caught) decisions.push({ kind: 'sigsegv', text: sigsegvHandlerWords(names[caught.thread]!, caught.reason, caught.fatal) });
    if (kill) decisions.push({ kind: 'sigsegv', text: (kill.atSigreturn ? sigreturnKillWords : killWords)(names[kill.thread]!, kill.reason) });
    const cpuAfter = k.get(s, L.status[t]!) === Status.Running ? ir.cpus[k.get(s, L.cpu[t]!)]! : null;
    const text = decisions.length > 0 ? `${what}: ${decisions.map((d) => d.text).join('; ')}` : what;
    const changed = values.step({ before: p, after: s, ...(raw ? { raw } : {}), thread: t, written, decisions: taken, idsSeen });
    // A wake with arg 1: the tracer set the IP before it resumed the thread.
    const stepKind = kind === LabelKind.wake && arg === 1 ? 'ptrace' : (kindOf[kind] ?? 'instruction');
    out.push({ index: i, kind: stepKind, thread: tn, cpu: cpuAfter ?? (kind === LabelKind.migrate ? ir.cpus[arg]! : cpuBefore), ...(instruction ? { instruction } : {}), decisions, rseqCs, inCs, text, witness: false, values: changed });
  });

  // Witnesses: the last step, and for lost updates the last two commits to one cell.
  const witness = new Set<number>([out.length - 1]);
  for (let j = commitCells.length - 1; j >= 0; j--) {
    const other = commitCells.slice(0, j).reverse().find((c) => c.cell === commitCells[j]!.cell);
    if (other) {
      witness.add(commitCells[j]!.step);
      witness.add(other.step);
      break;
    }
  }
  const final = out.map((st) => (witness.has(st.index) && st.index > 0 ? { ...st, witness: true } : st));
  const decisive = meta.loopStart === undefined ? findDecisiveStep(sys, steps, decided, final, meta.property) : undefined;
  return {
    model: meta.model,
    policy: meta.policy,
    property: meta.property,
    threads: names,
    cpus: [...ir.cpus],
    steps: final,
    ...(meta.loopStart !== undefined ? { loopStart: meta.loopStart } : {}),
    replay: choices.join(':'),
    ...(decisive ? { decisive } : {}),
  };
}

/**
 * Replays the path with a decision log on the kernel (beside the system's own sink, if any):
 * per step, the decisions of the transition taken (none for the initial state).
 */
function replayDeciding(sys: RseqSystem, choices: readonly number[]): { steps: ReplayedStep[]; decided: KernelDecision[][] } {
  const k = sys.kernel;
  const log = new DecisionLog();
  const decided: KernelDecision[][] = [[]];
  // Each successor is computed and then emitted: what was reported before the chosen one's emit is its own.
  const listening: TransitionSystem = {
    stateWords: sys.stateWords,
    initialStates: (out, emit) => sys.initialStates(out, emit),
    successors: (state, out, emit) => {
      log.take();
      sys.successors(state, out, (label) => {
        const chosen = emit(label) === true;
        const mine = log.take();
        if (chosen) decided.push(mine);
        return chosen;
      });
    },
    inspect: (state) => sys.inspect(state),
    terminal: (state) => sys.terminal(state),
    codeName: (code) => sys.codeName(code),
  };
  const previous = k.sink;
  k.sink = previous === undefined ? log : bothSinks(previous, log);
  try {
    return { steps: replay(listening, choices), decided };
  } finally {
    k.sink = previous;
  }
}

type DecisionOf<K extends KernelDecision['kind']> = Extract<KernelDecision, { kind: K }>;

/** The first decision of that kind (about that thread, if given). */
function first<K extends KernelDecision['kind']>(taken: readonly KernelDecision[], kind: K, thread?: number): DecisionOf<K> | undefined {
  return taken.find((d): d is DecisionOf<K> => d.kind === kind && (thread === undefined || d.thread === thread));
}
