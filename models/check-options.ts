/**
 * The options of a check and their resolution: a policy name plus knob overrides into a
 * Policy, budget overrides into the model's budgets. Bad values throw InputErrors.
 */
import type { Progress } from '../checker/options.js';
import { InputErrors, suggest, type InputError } from './ir/errors.js';
import type { BudgetsIR, EventKind, ModelIR } from './ir/types.js';
import { parseKnobOverrides, type KnobValues, type Policy } from './kernel/policy.js';
import { presetDefs, resolvePreset } from './kernel/presets.js';

/** Options of one check; every field has a default. */
export interface CheckOptions {
  /** A preset name. @defaultValue 'linux-6.3' (what this machine's 6.18 kernel implements) */
  readonly policy?: string;
  /** Knob overrides, as `name=value` strings or typed values. */
  readonly knobs?: readonly string[] | Partial<KnobValues>;
  /** Event budgets overriding the model's (a number, or 'unbounded'). */
  readonly budgets?: Partial<Record<EventKind, number | 'unbounded'>>;
  /** Property names (`G1`, `G2-no-false-kill`, an invariant's name, `all`). @defaultValue the defaults */
  readonly properties?: readonly string[];
  /** Constants available to expressions (a built-in model's parameters). */
  readonly constants?: Readonly<Record<string, number>>;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryMB?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Reduce by thread symmetry where sound. @defaultValue true */
  readonly symmetry?: boolean;
  /**
   * Partial-order reductions where sound: purely local instructions run fused with the one
   * before them, ready threads with invisible migrations float over CPUs. @defaultValue true
   */
  readonly reduce?: boolean;
  /**
   * Remember the kernel's handling of events per thread record (a pure function of it); only a
   * cross-check turns this off, the states explored are identical. @defaultValue true
   */
  readonly memoize?: boolean;
  /**
   * Worker threads for the exploration; 1 runs in-process. Results are identical at any count.
   * @defaultValue 1 (the command line defaults to the number of cores)
   */
  readonly workers?: number;
  /** States explored in-process before workers start (small runs never pay for a pool). @defaultValue 1000000 */
  readonly parallelThreshold?: number;
  /** Test hook: the worker expanding this batch dies (the run must fail loudly). */
  readonly crashWorkerAtBatch?: number;
}

/** Resolves a policy name plus overrides, or reports what is wrong. */
export function resolvePolicy(name: string, knobs: CheckOptions['knobs']): Policy {
  const base = resolvePreset(name);
  if (!base) {
    const s = suggest(name, presetDefs.map((p) => p.name));
    throw new InputErrors([{ code: 'unknown-policy', file: '<command line>', path: ['--policy'], message: `unknown policy "${name}"`, hint: s ? `did you mean "${s}"?` : 'see "rseq-check policies"' }]);
  }
  if (!knobs) return base;
  if (Array.isArray(knobs)) {
    const { values, errors } = parseKnobOverrides(knobs as readonly string[]);
    if (errors.length > 0) throw new InputErrors(errors);
    return Object.keys(values).length > 0 ? { ...base, ...values, name: `${name}+${(knobs as readonly string[]).join('+')}` } : base;
  }
  const typed = knobs as Partial<KnobValues>;
  const { errors } = parseKnobOverrides(Object.entries(typed).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`));
  if (errors.length > 0) throw new InputErrors(errors);
  const desc = Object.entries(typed).map(([k, v]) => `${k}=${String(v)}`).join('+');
  return Object.keys(typed).length > 0 ? { ...base, ...typed, name: `${name}+${desc}` } : base;
}

/** Merges budget overrides into the model's budgets, rejecting negative or non-integer ones. */
export function resolveBudgets(ir: ModelIR, over: CheckOptions['budgets']): BudgetsIR {
  const errors: InputError[] = [];
  const out: Record<string, number> = { ...ir.budgets };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (!(k in out)) {
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `unknown event kind "${k}"` });
      continue;
    }
    if (v === 'unbounded') out[k] = -1;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 64)
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `budget must be an integer 0..64 or "unbounded", got ${String(v)}` });
    else out[k] = v;
  }
  if (errors.length > 0) throw new InputErrors(errors);
  return out as unknown as BudgetsIR;
}
