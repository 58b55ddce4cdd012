/**
 * Litmus mode, the model side: the exhaustive set of final outcomes of a model under a kernel
 * preset. An outcome is what a real run can show: the final memory valuation, or `killed`
 * (the kernel killed the process with SIGSEGV).
 *
 * The transition system of models/system.ts is explored by checker/explore.ts through a thin
 * wrapper: no property is checked (nothing stops the search), a killed state is an end state,
 * and every end state's outcome is recorded by the `terminal` hook.
 */
import { explore } from '../checker/explore.js';
import type { TransitionSystem } from '../checker/transition-system.js';
import { Code } from '../properties/codes.js';
import { buildSystem } from '../models/system/build.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import type { CheckOptions } from '../run/options.js';
import type { EventKind, ModelIR } from '../models/ir/types.js';
import { Status } from '../models/kernel/layout.js';
import type { Policy } from '../models/kernel/policy.js';

export const KILLED = 'killed';

/** The outcome text of a memory valuation: `counter=[2,0] handled=1`. */
export function formatMemory(ir: ModelIR, cells: readonly number[]): string {
  return ir.memory.vars
    .map((v) => {
      const vals = cells.slice(v.base, v.base + v.size);
      return v.size > 1 || v.percpu || v.perthread ? `${v.name}=[${vals.join(',')}]` : `${v.name}=${vals[0]}`;
    })
    .join(' ');
}

/** An outcome with what makes it special (the model side only). */
export interface ModelOutcome {
  readonly outcome: string;
  /** How many distinct end states have this outcome. */
  readonly states: number;
}

export interface ModelOutcomes {
  readonly policy: Policy;
  readonly budgets: Readonly<Record<EventKind, number>>;
  /** Every outcome of an end state, sorted. */
  readonly outcomes: readonly ModelOutcome[];
  /** True when the exploration covered every reachable state. */
  readonly complete: boolean;
  readonly stoppedBy?: string;
  readonly states: number;
  readonly seconds: number;
  /** Outcomes that say the model itself is out of its depth (a value outside its declared range). */
  readonly domainViolations: number;
}

export interface OutcomeOptions {
  readonly policy: string | Policy;
  /** Budgets overriding the model's; -1 or 'unbounded' for no bound. */
  readonly budgets: Partial<Record<EventKind, number | 'unbounded'>>;
  readonly knobs?: CheckOptions['knobs'];
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Bound on the process's resident size (the litmus run's --max-memory). */
  readonly maxMemoryMB?: number;
  /** Aborted by the litmus run's stop (a signal or its --max-seconds): the exploration ends incomplete. */
  readonly signal?: AbortSignal;
}

/**
 * Explores every reachable state of `ir` under the policy and budgets and returns the outcomes
 * of the end states (no successor): `killed`, or the memory valuation, with ` assert-failed`
 * when an assertion failed on the way and ` stuck` when a thread could not finish.
 */
export async function modelOutcomes(ir: ModelIR, options: OutcomeOptions): Promise<ModelOutcomes> {
  const policy = typeof options.policy === 'string' ? resolvePolicy(options.policy, options.knobs) : options.policy;
  const budgets = Object.fromEntries(Object.entries(options.budgets).map(([k, v]) => [k, v === -1 ? 'unbounded' : v])) as Partial<Record<EventKind, number | 'unbounded'>>;
  // Only the value domain is "checked" (selectProperties always adds it); no ghosts, so states are small.
  // No CPU symmetry: it renames CPUs in per-CPU memory, so counter=[0,1] would stand for [1,0] too
  // and an outcome the kernel shows would be missing from the set.
  const sys = buildSystem(ir, policy, { budgets, properties: ['domain'], disable: ['cpu-symmetry'] });
  const k = sys.kernel;
  const L = sys.layout;
  const T = ir.threads.length;
  const found = new Map<string, number>();
  let domainViolations = 0;
  const cells = new Array<number>(ir.memory.cells).fill(0);
  const ended = (s: Int32Array): boolean => k.killed(s) || k.get(s, L.violation) === Code.domain;
  const record = (s: Int32Array): void => {
    let outcome: string;
    if (k.killed(s)) outcome = KILLED;
    else if (k.get(s, L.violation) === Code.domain) {
      outcome = 'domain-violation';
      domainViolations++;
    } else {
      for (let c = 0; c < cells.length; c++) cells[c] = k.get(s, L.mem[c]!);
      outcome = formatMemory(ir, cells);
      if (k.get(s, L.violation) === Code.assertion) outcome += ' assert-failed';
      for (let t = 0; t < T; t++) {
        const st = k.get(s, L.status[t]!);
        if (st !== Status.Done && st !== Status.Dormant) {
          outcome += ' stuck';
          break;
        }
      }
    }
    found.set(outcome, (found.get(outcome) ?? 0) + 1);
  };
  const wrapped: TransitionSystem = {
    stateWords: sys.stateWords,
    initialStates: (out, emit) => sys.initialStates(out, emit),
    successors: (state, out, emit) => {
      if (ended(state)) return;
      sys.successors(state, out, emit);
    },
    inspect: () => 0,
    terminal: (s) => {
      record(s);
      return 0;
    },
    codeName: (c) => sys.codeName(c),
  };
  const raw = await explore(wrapped, {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const outcomes = [...found.entries()].map(([outcome, states]) => ({ outcome, states })).sort((a, b) => compareOutcomes(a.outcome, b.outcome));
  return {
    policy,
    budgets: sys.options.budgets,
    outcomes,
    complete: raw.verdict !== 'incomplete',
    ...(raw.verdict === 'incomplete' ? { stoppedBy: raw.stoppedBy.kind === 'interrupted' ? 'interrupted' : `${raw.stoppedBy.kind} limit ${raw.stoppedBy.bound}` } : {}),
    states: raw.stats.states,
    seconds: raw.stats.seconds,
    domainViolations,
  };
}

/** `killed` last, memory outcomes in natural order. */
export function compareOutcomes(a: string, b: string): number {
  if (a === b) return 0;
  if (a === KILLED) return 1;
  if (b === KILLED) return -1;
  return a.localeCompare(b, 'en', { numeric: true });
}
