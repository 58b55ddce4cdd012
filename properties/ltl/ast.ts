/**
 * LTL formulas over state expressions. Atoms are whole state expressions (comparisons, calls,
 * names); the boolean connectives between atoms are LTL connectives, so `a && b` is an `and` of
 * two atoms, never one atom.
 */
import type { Expr, Span } from '../expr/ast.js';
import { EXPR_COMPARISON_PRECEDENCE, exprPrecedence, formatExpr } from '../expr/parse.js';

export type LtlBinaryKind = 'and' | 'or' | 'implies' | 'U' | 'R' | 'W';
export type LtlUnaryKind = 'not' | 'X' | 'F' | 'G';

export type Ltl =
  | { readonly kind: 'atom'; readonly expr: Expr; readonly span: Span }
  | { readonly kind: 'true'; readonly span: Span }
  | { readonly kind: 'false'; readonly span: Span }
  | { readonly kind: LtlUnaryKind; readonly arg: Ltl; readonly span: Span }
  | { readonly kind: LtlBinaryKind; readonly left: Ltl; readonly right: Ltl; readonly span: Span };

/** The span of formulas built by code rather than parsed. */
export const NO_SPAN: Span = { start: 0, end: 0 };

/** Structural identity of an atom: equal keys mean the same proposition, whatever the spacing or spans. */
function atomKey(e: Expr): string {
  return formatExpr(e);
}

/**
 * Interns atoms by structure and numbers them from 0 in order of first appearance. A guard or a
 * valuation refers to atoms by these numbers.
 */
export class AtomTable {
  readonly exprs: Expr[] = [];
  private readonly byKey = new Map<string, number>();

  /** The number of `e`, allocating one if it is new. */
  intern(e: Expr): number {
    const key = atomKey(e);
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.exprs.length;
      this.exprs.push(e);
      this.byKey.set(key, i);
    }
    return i;
  }

  /** The number of `e`, or -1 if it was never interned. */
  indexOf(e: Expr): number {
    return this.byKey.get(atomKey(e)) ?? -1;
  }

  get size(): number {
    return this.exprs.length;
  }
}

/** Every distinct atom of `f`, in order of first appearance (left to right). */
export function ltlAtoms(f: Ltl, table: AtomTable = new AtomTable()): AtomTable {
  switch (f.kind) {
    case 'atom':
      table.intern(f.expr);
      break;
    case 'true':
    case 'false':
      break;
    case 'not':
    case 'X':
    case 'F':
    case 'G':
      ltlAtoms(f.arg, table);
      break;
    default:
      ltlAtoms(f.left, table);
      ltlAtoms(f.right, table);
  }
  return table;
}

const PRECEDENCE: Record<Ltl['kind'], number> = {
  implies: 1,
  or: 2,
  and: 3,
  U: 4,
  R: 4,
  W: 4,
  not: 5,
  X: 5,
  F: 5,
  G: 5,
  atom: 6,
  true: 6,
  false: 6,
};
const SYMBOL: Record<LtlBinaryKind, string> = { implies: '->', or: '||', and: '&&', U: 'U', R: 'R', W: 'W' };

/** Text that `parseLtl` reads back as the same formula (spans aside), with minimal parentheses. */
export function formatLtl(f: Ltl): string {
  const wrap = (sub: Ltl, min: number): string => {
    const s = formatLtl(sub);
    return PRECEDENCE[sub.kind] >= min ? s : `(${s})`;
  };
  switch (f.kind) {
    case 'atom': {
      const s = formatExpr(f.expr);
      // An atom with boolean operators at its top would be read back as LTL connectives.
      return exprPrecedence(f.expr) >= EXPR_COMPARISON_PRECEDENCE ? s : `(${s})`;
    }
    case 'true':
    case 'false':
      return f.kind;
    case 'not':
      return `!${wrap(f.arg, PRECEDENCE.not)}`;
    case 'X':
    case 'F':
    case 'G':
      return `${f.kind} ${wrap(f.arg, PRECEDENCE.not)}`;
    default: {
      const p = PRECEDENCE[f.kind];
      const rightAssoc = f.kind !== 'and' && f.kind !== 'or';
      const l = wrap(f.left, rightAssoc ? p + 1 : p);
      const r = wrap(f.right, rightAssoc ? p : p + 1);
      return `${l} ${SYMBOL[f.kind]} ${r}`;
    }
  }
}
