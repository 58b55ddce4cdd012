import { ExprSyntaxError, type Expr } from './ast.js';

/** A compiled state expression: reads a packed state, returns an integer (booleans are 0/1). */
export type StateFn = (s: Int32Array) => number;

/**
 * What a domain offers to state expressions. Each method returns undefined when it does not
 * know the name, so that errors can name what is available.
 */
export interface ExprEnvironment {
  /** A bare name: a scalar variable, a constant, a proposition without arguments. */
  name(name: string): StateFn | undefined;
  /** `name[i]`: an array variable of `size` cells. */
  array(name: string): { readonly size: number; readonly read: (s: Int32Array, i: number) => number } | undefined;
  /** `fn(args)`: a function or parameterised proposition; args are given as syntax. */
  call(fn: string, args: readonly Expr[], compile: (e: Expr) => StateFn): StateFn | undefined;
  /** Names offered in error messages. */
  known(): readonly string[];
  /**
   * Why `call` refused a call of a function it knows (an unknown thread, CPU or variable as an
   * argument), and which argument is at fault; undefined for a function it does not know.
   */
  explainCall?(fn: string, args: readonly Expr[]): { readonly message: string; readonly at?: Expr } | undefined;
}

/**
 * Compiles an expression to a closure over packed states. Unknown names and functions are
 * errors located at their span (thrown as ExprSyntaxError, which callers turn into exit 2).
 */
export function compileExpr(expr: Expr, env: ExprEnvironment, source: string): StateFn {
  const c = (e: Expr): StateFn => {
    switch (e.kind) {
      case 'num': {
        const v = e.value;
        return () => v;
      }
      case 'bool': {
        const v = e.value ? 1 : 0;
        return () => v;
      }
      case 'name': {
        const f = env.name(e.name);
        const signature = env.known().find((k) => k.startsWith(`${e.name}(`));
        if (!f && signature) throw new ExprSyntaxError(`"${e.name}" is a function: write ${signature}`, e.span, source);
        if (!f) throw new ExprSyntaxError(`unknown name "${e.name}" (known: ${env.known().join(', ')})`, e.span, source);
        return f;
      }
      case 'index': {
        if (e.base.kind !== 'name') throw new ExprSyntaxError('only a variable can be indexed', e.base.span, source);
        const arr = env.array(e.base.name);
        if (!arr) throw new ExprSyntaxError(`"${e.base.name}" is not an array variable`, e.base.span, source);
        const idx = c(e.index);
        const { size, read } = arr;
        const span = e.index.span;
        if (e.index.kind === 'num' && (e.index.value < 0 || e.index.value >= size))
          throw new ExprSyntaxError(`index ${e.index.value} is outside ${e.base.name}[0..${size - 1}]`, span, source);
        return (s) => {
          const i = idx(s);
          return i >= 0 && i < size ? read(s, i) : 0;
        };
      }
      case 'call': {
        const f = env.call(e.fn, e.args, c);
        if (!f) {
          const why = env.explainCall?.(e.fn, e.args);
          const functions = env.known().filter((k) => k.includes('('));
          throw new ExprSyntaxError(why?.message ?? `unknown function "${e.fn}" (known: ${functions.join(', ')})`, why?.at?.span ?? e.span, source);
        }
        return f;
      }
      case 'unary': {
        const a = c(e.arg);
        return e.op === '!' ? (s) => (a(s) ? 0 : 1) : (s) => -a(s);
      }
      case 'binary': {
        const l = c(e.left);
        const r = c(e.right);
        switch (e.op) {
          case '+':
            return (s) => l(s) + r(s);
          case '-':
            return (s) => l(s) - r(s);
          case '*':
            return (s) => l(s) * r(s);
          case '/':
            return (s) => {
              const d = r(s);
              return d === 0 ? 0 : Math.trunc(l(s) / d);
            };
          case '%':
            return (s) => {
              const d = r(s);
              return d === 0 ? 0 : l(s) % d;
            };
          case '==':
            return (s) => (l(s) === r(s) ? 1 : 0);
          case '!=':
            return (s) => (l(s) !== r(s) ? 1 : 0);
          case '<':
            return (s) => (l(s) < r(s) ? 1 : 0);
          case '<=':
            return (s) => (l(s) <= r(s) ? 1 : 0);
          case '>':
            return (s) => (l(s) > r(s) ? 1 : 0);
          case '>=':
            return (s) => (l(s) >= r(s) ? 1 : 0);
          case '&&':
            return (s) => (l(s) && r(s) ? 1 : 0);
          case '||':
            return (s) => (l(s) || r(s) ? 1 : 0);
          case '->':
            return (s) => (!l(s) || r(s) ? 1 : 0);
        }
      }
    }
  };
  return c(expr);
}
