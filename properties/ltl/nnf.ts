/**
 * Negation normal form: negation only on atoms, and only the connectives `and or X U R`.
 *
 *   F a   = true U a            G a   = false R a
 *   a W b = b R (a || b)        (equivalent to (a U b) || G a, with one temporal operator fewer)
 *   a -> b = !a || b            !X a = X !a (infinite words)
 *   !(a U b) = !a R !b          !(a R b) = !a U !b
 *
 * Nodes are hash-consed, so structurally equal subformulas are the same object and carry the
 * same `id`; the tableau uses ids as set elements. The smart constructors fold constants and a
 * few idempotences, each of which is an LTL equivalence (checked by the random cross-test).
 */
import type { Ltl } from './ast.js';
import { AtomTable, NO_SPAN } from './ast.js';

export type Nnf =
  | { readonly kind: 'true' | 'false'; readonly id: number }
  /** Atom number `atom` of the builder's table, negated if `neg`. */
  | { readonly kind: 'lit'; readonly atom: number; readonly neg: boolean; readonly id: number }
  | { readonly kind: 'and' | 'or' | 'U' | 'R'; readonly left: Nnf; readonly right: Nnf; readonly id: number }
  | { readonly kind: 'X'; readonly arg: Nnf; readonly id: number };

type Shape =
  | { readonly kind: 'true' | 'false' }
  | { readonly kind: 'lit'; readonly atom: number; readonly neg: boolean }
  | { readonly kind: 'and' | 'or' | 'U' | 'R'; readonly left: Nnf; readonly right: Nnf }
  | { readonly kind: 'X'; readonly arg: Nnf };

/** Builds NNF nodes over one atom table; nodes from different builders must not be mixed. */
export class NnfBuilder {
  /** Every node made so far, indexed by id. */
  readonly nodes: Nnf[] = [];
  private readonly byKey = new Map<string, Nnf>();
  readonly tt: Nnf;
  readonly ff: Nnf;

  constructor(readonly atoms: AtomTable = new AtomTable()) {
    this.tt = this.make({ kind: 'true' });
    this.ff = this.make({ kind: 'false' });
  }

  private make(shape: Shape): Nnf {
    let key: string;
    switch (shape.kind) {
      case 'true':
      case 'false':
        key = shape.kind;
        break;
      case 'lit':
        key = `${shape.neg ? '!' : ''}${shape.atom}`;
        break;
      case 'X':
        key = `X${shape.arg.id}`;
        break;
      default:
        key = `${shape.kind}${shape.left.id},${shape.right.id}`;
    }
    let node = this.byKey.get(key);
    if (!node) {
      node = { ...shape, id: this.nodes.length };
      this.nodes.push(node);
      this.byKey.set(key, node);
    }
    return node;
  }

  lit(atom: number, neg: boolean): Nnf {
    return this.make({ kind: 'lit', atom, neg });
  }

  /** The NNF of the negation of `n`. */
  not(n: Nnf): Nnf {
    switch (n.kind) {
      case 'true':
        return this.ff;
      case 'false':
        return this.tt;
      case 'lit':
        return this.lit(n.atom, !n.neg);
      case 'and':
        return this.or(this.not(n.left), this.not(n.right));
      case 'or':
        return this.and(this.not(n.left), this.not(n.right));
      case 'X':
        return this.next(this.not(n.arg));
      case 'U':
        return this.release(this.not(n.left), this.not(n.right));
      case 'R':
        return this.until(this.not(n.left), this.not(n.right));
    }
  }

  and(a: Nnf, b: Nnf): Nnf {
    if (a === this.ff || b === this.ff) return this.ff;
    if (a === this.tt) return b;
    if (b === this.tt || a === b) return a;
    if (complementary(a, b)) return this.ff;
    // Commutative: order operands so that `a && b` and `b && a` are one node.
    return a.id < b.id ? this.make({ kind: 'and', left: a, right: b }) : this.make({ kind: 'and', left: b, right: a });
  }

  or(a: Nnf, b: Nnf): Nnf {
    if (a === this.tt || b === this.tt) return this.tt;
    if (a === this.ff) return b;
    if (b === this.ff || a === b) return a;
    if (complementary(a, b)) return this.tt;
    return a.id < b.id ? this.make({ kind: 'or', left: a, right: b }) : this.make({ kind: 'or', left: b, right: a });
  }

  next(a: Nnf): Nnf {
    if (a === this.tt || a === this.ff) return a;
    return this.make({ kind: 'X', arg: a });
  }

  until(a: Nnf, b: Nnf): Nnf {
    if (b === this.tt || b === this.ff) return b;
    if (a === this.ff || a === b) return b;
    // a U (a U c) = a U c; in particular F F c = F c.
    if (b.kind === 'U' && b.left === a) return b;
    return this.make({ kind: 'U', left: a, right: b });
  }

  release(a: Nnf, b: Nnf): Nnf {
    if (b === this.tt || b === this.ff) return b;
    if (a === this.tt || a === b) return b;
    // a R (a R c) = a R c; in particular G G c = G c.
    if (b.kind === 'R' && b.left === a) return b;
    return this.make({ kind: 'R', left: a, right: b });
  }

  eventually(a: Nnf): Nnf {
    return this.until(this.tt, a);
  }

  always(a: Nnf): Nnf {
    return this.release(this.ff, a);
  }

  /** The NNF of `f`, or of `!f` when `negate`; atoms are interned in `this.atoms`. */
  fromLtl(f: Ltl, negate = false): Nnf {
    switch (f.kind) {
      case 'atom':
        return this.lit(this.atoms.intern(f.expr), negate);
      case 'true':
        return negate ? this.ff : this.tt;
      case 'false':
        return negate ? this.tt : this.ff;
      case 'not':
        return this.fromLtl(f.arg, !negate);
      case 'and': {
        const l = this.fromLtl(f.left, negate);
        const r = this.fromLtl(f.right, negate);
        return negate ? this.or(l, r) : this.and(l, r);
      }
      case 'or': {
        const l = this.fromLtl(f.left, negate);
        const r = this.fromLtl(f.right, negate);
        return negate ? this.and(l, r) : this.or(l, r);
      }
      case 'implies': {
        const l = this.fromLtl(f.left, !negate);
        const r = this.fromLtl(f.right, negate);
        return negate ? this.and(l, r) : this.or(l, r);
      }
      case 'X':
        return this.next(this.fromLtl(f.arg, negate));
      case 'F': {
        const a = this.fromLtl(f.arg, negate);
        return negate ? this.always(a) : this.eventually(a);
      }
      case 'G': {
        const a = this.fromLtl(f.arg, negate);
        return negate ? this.eventually(a) : this.always(a);
      }
      case 'U': {
        const l = this.fromLtl(f.left, negate);
        const r = this.fromLtl(f.right, negate);
        return negate ? this.release(l, r) : this.until(l, r);
      }
      case 'R': {
        const l = this.fromLtl(f.left, negate);
        const r = this.fromLtl(f.right, negate);
        return negate ? this.until(l, r) : this.release(l, r);
      }
      case 'W': {
        const a = this.fromLtl(f.left, negate);
        const b = this.fromLtl(f.right, negate);
        // a W b = b R (a || b);  !(a W b) = !b U (!a && !b).
        return negate ? this.until(b, this.and(a, b)) : this.release(b, this.or(a, b));
      }
    }
  }
}

function complementary(a: Nnf, b: Nnf): boolean {
  return a.kind === 'lit' && b.kind === 'lit' && a.atom === b.atom && a.neg !== b.neg;
}

/** Negation normal form of `f` (of `!f` when `negate`), with its builder (which holds the atom table). */
export function toNnf(f: Ltl, negate = false, atoms: AtomTable = new AtomTable()): { root: Nnf; builder: NnfBuilder } {
  const builder = new NnfBuilder(atoms);
  return { root: builder.fromLtl(f, negate), builder };
}

/** Back to the surface syntax (atoms from `atoms`), for printing and for checking NNF against the lasso evaluator. */
export function nnfToLtl(n: Nnf, atoms: AtomTable): Ltl {
  switch (n.kind) {
    case 'true':
    case 'false':
      return { kind: n.kind, span: NO_SPAN };
    case 'lit': {
      const atom: Ltl = { kind: 'atom', expr: atoms.exprs[n.atom]!, span: NO_SPAN };
      return n.neg ? { kind: 'not', arg: atom, span: NO_SPAN } : atom;
    }
    case 'X':
      return { kind: 'X', arg: nnfToLtl(n.arg, atoms), span: NO_SPAN };
    default:
      return { kind: n.kind, left: nnfToLtl(n.left, atoms), right: nnfToLtl(n.right, atoms), span: NO_SPAN };
  }
}
