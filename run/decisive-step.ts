/**
 * The decisive step of a counterexample: the step that *is* the bug, found per property from the
 * replayed states and the kernel's decisions along the path.
 *
 * - G1-atomicity: the last step that marked the committing frame's c.s. as interrupted (the G1
 *   ghost `dirty` going from 0 to 1): an event inside the c.s. that did not abort it.
 * - G3-detection: the last syscall entered from inside the c.s. (the undetected one).
 * - G2-no-false-kill, killed-as-promised, signal-delivery-terminates: the kill.
 * - a final condition: the last step after which it went from true to false, if any; else the
 *   last step that wrote memory (what the condition reads), said as such.
 * - everything else (assertions, invariants, value domain, deadlock, precision, ownership): the
 *   last step, after which the property first fails.
 * A lasso (temporal property) has no single decisive step.
 */
import type { ReplayedStep } from '../checker/replay.js';
import type { KernelDecision } from '../models/kernel/decisions.js';
import { decodeLabel } from '../models/system/labels.js';
import type { RseqSystem } from '../models/system/rseq-system.js';
import { builtinPropertyNames, Code, killReasonText } from '../properties/codes.js';
import type { DecisiveStep, ExplainedStep } from './explained-trace.js';

const KIND_WORDS: Readonly<Record<string, string>> = {
  preempt: 'preemption',
  migrate: 'migration',
  signal: 'signal',
  interrupt: 'interrupt',
  'task-work': 'interrupt with task_work',
  'kernel-work': 'kernel work',
  trap: 'trap',
  'trap-sleep': 'sleeping page fault',
  schedule: 'switch',
  'membarrier-ipi': 'membarrier IPI',
};

/** Where the property `property` (a code's name) is decided along the replayed path, or undefined (a lasso, no violation). */
export function findDecisiveStep(
  sys: RseqSystem,
  replayed: readonly ReplayedStep[],
  decided: readonly (readonly KernelDecision[])[],
  steps: readonly ExplainedStep[],
  property: string,
): DecisiveStep | undefined {
  const last = replayed.length - 1;
  if (last < 1) return undefined;
  const k = sys.kernel;
  const L = sys.layout;
  const names = sys.ir.threads.map((t) => t.name);
  const at = (step: number, why: string): DecisiveStep => ({ step, property, why });
  const lastWith = (pred: (d: KernelDecision) => boolean): number => {
    for (let j = last; j >= 1; j--) if (decided[j]!.some(pred)) return j;
    return -1;
  };

  switch (property) {
    case builtinPropertyNames[Code.G1]: {
      const t = decodeLabel(replayed[last]!.label!).thread;
      const f = L.frame(t, k.level(replayed[last - 1]!.state, t));
      const commit = decided[last]!.find((d) => d.kind === 'commit');
      const cs = commit?.kind === 'commit' ? k.desc(commit.desc).name : 'its c.s.';
      for (let j = last - 1; j >= 1; j--) {
        if (k.get(replayed[j]!.state, L.dirty[f]!) === 1 && k.get(replayed[j - 1]!.state, L.dirty[f]!) === 0) {
          const ins = steps[j]!.instruction;
          // A ptrace stop after the instruction (single-step trap, syscall stop) is the event, not the instruction.
          const stop = decided[j]!.find((d) => d.kind === 'ptrace-stop' && d.thread === t);
          const what =
            stop?.kind === 'ptrace-stop' && ins !== undefined
              ? `${names[t]}'s ${stop.why === 'single-step' ? 'single-step trap after' : 'syscall stop at'} \`${ins.text}\` stops it for its tracer (a switch) while it is inside ${cs}, and does not abort it`
              : ins !== undefined
                ? `${steps[j]!.thread ?? ''}'s \`${ins.text}\` is an event for ${names[t]} inside ${cs} that does not abort it`
                : steps[j]!.kind === 'ptrace'
                  ? // The tracer's SETREGS is no event the kernel sees: the IP just lands inside, and the return to user space checks nothing.
                    `the tracer's PTRACE_SETREGS puts ${names[t]}'s IP inside ${cs} while it is stopped, and its return to user space does not abort it`
                  : `the ${KIND_WORDS[steps[j]!.kind] ?? 'kernel event'} happens while ${names[t]} is inside ${cs} and does not abort it`;
          return at(j, `${what}: ${names[t]} commits at step ${last} as if nothing had happened (the missing abort)`);
        }
      }
      return at(last, `${names[t]} commits ${cs} after an event inside it that did not abort it`);
    }
    case builtinPropertyNames[Code.G3]: {
      const j = lastWith((d) => d.kind === 'syscall-entry' && d.inCs);
      const entry = j > 0 ? decided[j]!.find((d) => d.kind === 'syscall-entry' && d.inCs) : undefined;
      if (entry?.kind !== 'syscall-entry') return at(last, 'a syscall issued inside the c.s. returns to user space undetected');
      return at(j, `${names[entry.thread]} issues ${entry.name} inside its c.s.; the policy promised to detect it, yet it returns to user space at step ${last} unpunished`);
    }
    case builtinPropertyNames[Code.G2]:
    case builtinPropertyNames[Code.deliveryTerminates]:
    case 'killed-as-promised': {
      const j = lastWith((d) => d.kind === 'kill');
      const kill = j > 0 ? decided[j]!.find((d) => d.kind === 'kill') : undefined;
      if (kill?.kind !== 'kill') return at(last, 'the kill');
      const reason = killReasonText[kill.reason] ?? '';
      const who = names[kill.thread]!;
      if (property === 'killed-as-promised') return at(j, `the kernel kills ${who} (${reason}), as the policy promises`);
      if (property === builtinPropertyNames[Code.deliveryTerminates]) return at(j, `${who}'s SIGSEGV is redelivered for ever: ${reason}`);
      // As the kernel judged it (killJustified): the area's ghost as the killing step left it.
      const killed = replayed[j]!.state;
      const area = k.area(killed, kill.thread);
      const stale = L.staleCs.length > 0 && area >= 0 && k.get(killed, L.staleCs[area]!) === 1;
      return at(j, `the kernel kills ${who} (${reason}) although ${who} broke no rule of the ABI${stale ? ': the rseq_cs it rejected was left by an earlier user of the struct rseq' : ''}`);
    }
    case builtinPropertyNames[Code.assertion]:
      return at(last, 'the assertion fails here');
    case builtinPropertyNames[Code.domain]:
      return at(last, 'a value outside its declared domain is stored here');
    case builtinPropertyNames[Code.deadlock]:
      return at(last, 'after this step no thread can move, yet not all have finished');
    case builtinPropertyNames[Code.precision]:
      return at(last, 'the abort here follows no event since the c.s. began (a spurious abort)');
    case builtinPropertyNames[Code.areaOwnership]:
      return at(last, "the kernel writes another thread's struct rseq here");
  }
  const invariant = sys.ir.invariants.find((i) => i.name === property);
  if (invariant) return at(last, `the invariant ${invariant.name} (${invariant.expr}) is false after this step`);
  const fi = sys.options.finals.findIndex((f) => f.name === property);
  if (fi >= 0) {
    const holds = sys.options.finals[fi]!.holds;
    const expr = sys.ir.final.find((f) => f.name === property)?.expr ?? '';
    for (let j = last; j >= 1; j--) {
      if (holds(replayed[j - 1]!.state) && !holds(replayed[j]!.state)) return at(j, `the final condition ${property} (${expr}) held before this step and never again`);
    }
    const memory = (s: Int32Array): string => L.mem.map((w) => k.get(s, w)).join(',');
    for (let j = last; j >= 1; j--) {
      if (memory(replayed[j - 1]!.state) !== memory(replayed[j]!.state)) return at(j, `the final condition ${property} (${expr}) is false at the end; this is the last step to change memory`);
    }
    return at(last, `the final condition ${property} (${expr}) is false at the end`);
  }
  return undefined;
}
