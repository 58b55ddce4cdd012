/**
 * Compiles a model under a policy into the transition system the engine explores: the
 * selected properties (built-in codes, invariants and final conditions compiled against the
 * state layout) and the reductions.
 */
import { ExprSyntaxError } from '../properties/expr/ast.js';
import { compileExpr } from '../properties/expr/compile.js';
import { formatExprError, parseExpr } from '../properties/expr/parse.js';
import { Code } from '../properties/codes.js';
import { InputErrors } from './ir/errors.js';
import type { ModelIR } from './ir/types.js';
import { rseqExprEnvironment } from './expr-env.js';
import type { Policy } from './kernel/policy.js';
import { selectProperties } from './properties.js';
import { RseqSystem } from './system.js';
import { resolveBudgets, type CheckOptions } from './check-options.js';

/** Compiles a model under a policy into the transition system the engine explores. */
export function buildSystem(ir: ModelIR, policy: Policy, options: CheckOptions = {}): RseqSystem {
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
  return new RseqSystem(ir, policy, { budgets, ghosts, checked: b, invariants, finals, symmetry: options.symmetry ?? true, reduce: options.reduce ?? true, memoize: options.memoize ?? true });
}
