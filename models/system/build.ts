/**
 * Compiles a model under a policy into the transition system the engine explores: the
 * selected properties (built-in codes, invariants and final conditions compiled against the
 * state layout) and the reductions.
 */
import { ExprSyntaxError } from '../../properties/expr/ast.js';
import { compileExpr } from '../../properties/expr/compile.js';
import { formatExprError, parseExpr } from '../../properties/expr/parse.js';
import { Code } from '../../properties/codes.js';
import { InputErrors, type InputError } from '../ir/errors.js';
import type { BudgetsIR, EventKind, ModelIR } from '../ir/types.js';
import { MAX_BUDGET } from '../ir/schema.js';
import { rseqExprEnvironment } from './expr-env.js';
import type { Policy } from '../kernel/policy.js';
import { selectProperties } from './properties.js';
import type { ReductionName } from './reductions.js';
import { RseqSystem } from './rseq-system.js';

/** What shapes the transition system of a check besides the model and the policy. */
export interface BuildOptions {
  /** Event budgets overriding the model's (a number, or 'unbounded'). */
  readonly budgets?: Partial<Record<EventKind, number | 'unbounded'>>;
  /** Property names (`G1`, `G2-no-false-kill`, an invariant's name, `all`). @defaultValue the defaults */
  readonly properties?: readonly string[];
  /** Constants available to expressions (a built-in model's parameters). */
  readonly constants?: Readonly<Record<string, number>>;
  /** Reduce by thread symmetry where sound. @defaultValue true */
  readonly symmetry?: boolean;
  /**
   * Partial-order reductions where sound: purely local instructions run fused with the one
   * before them, ready threads with invisible migrations float over CPUs. @defaultValue true
   */
  readonly reduce?: boolean;
  /** Named reductions to turn off (`dead-events`, `abort-pending`: README "State-space size"). @defaultValue none */
  readonly disable?: readonly ReductionName[];
  /**
   * Remember the kernel's handling of events per thread record (a pure function of it); only a
   * cross-check turns this off, the states explored are identical. @defaultValue true
   */
  readonly memoize?: boolean;
}

/** Compiles a model under a policy into the transition system the engine explores. */
export function buildSystem(ir: ModelIR, policy: Policy, options: BuildOptions = {}): RseqSystem {
  const budgets = resolveBudgets(ir, options.budgets);
  const { selection, errors } = selectProperties(ir, options.properties);
  if (errors.length > 0) throw new InputErrors(errors);
  const b = selection.builtins;
  const ghosts = { g1: b.has(Code.G1), g2: b.has(Code.G2), g3: b.has(Code.G3), precision: b.has(Code.precision), areaOwnership: b.has(Code.areaOwnership) };
  // A first system to resolve expressions against (its layout is what the real one uses).
  const draft = new RseqSystem(ir, policy, { budgets, ghosts, checked: b, invariants: [], finals: [] });
  const env = rseqExprEnvironment(ir, draft.kernel, options.constants ?? {});
  const compile = (list: readonly { name: string; expr: string }[], which: 'invariants' | 'final', pick: readonly string[]) =>
    list
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => pick.includes(c.name))
      .map(({ c, i }) => {
        try {
          const fn = compileExpr(parseExpr(c.expr), env, c.expr);
          return { name: c.name, holds: (s: Int32Array) => fn(s) !== 0 };
        } catch (e) {
          if (e instanceof ExprSyntaxError) {
            const { line, column } = e.position();
            throw new InputErrors([{ code: 'bad-property', file: ir.name, path: [which, i, 'expr'], line, column, message: formatExprError(e).split('\n')[0]!.replace(/^\d+:\d+: /, '') }]);
          }
          throw e;
        }
      });
  const invariants = compile(ir.invariants, 'invariants', selection.invariants);
  const finals = compile(ir.final, 'final', selection.finals);
  return new RseqSystem(ir, policy, { budgets, ghosts, checked: b, invariants, finals, symmetry: options.symmetry ?? true, reduce: options.reduce ?? true, disable: options.disable ?? [], memoize: options.memoize ?? true });
}

/** Merges budget overrides into the model's budgets, rejecting negative or non-integer ones. */
export function resolveBudgets(ir: ModelIR, over: BuildOptions['budgets']): BudgetsIR {
  const errors: InputError[] = [];
  const out: Record<string, number> = { ...ir.budgets };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (!(k in out)) {
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `unknown event kind "${k}"` });
      continue;
    }
    if (v === 'unbounded') out[k] = -1;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BUDGET)
      errors.push({ code: 'bad-budget', file: '<command line>', path: [`--${k}`], message: `budget must be an integer 0..${MAX_BUDGET} or "unbounded", got ${String(v)}` });
    else out[k] = v;
  }
  if (errors.length > 0) throw new InputErrors(errors);
  return out as unknown as BudgetsIR;
}
