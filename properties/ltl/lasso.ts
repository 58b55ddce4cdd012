/**
 * LTL on ultimately periodic words prefix · loop^ω, the reference semantics against which the
 * automaton translation is tested. A letter is the valuation of the atoms, indexed by atom number.
 */
import type { Expr } from '../expr/ast.js';
import type { Ltl } from './ast.js';
import { stronglyConnectedComponents } from '../../checker/graph/scc.js';
import { guardHolds, type Buchi } from './buchi.js';

export interface LassoWord {
  readonly prefix: readonly (readonly boolean[])[];
  /** Must not be empty. */
  readonly loop: readonly (readonly boolean[])[];
}

/**
 * Positions 0 .. n-1 of the lasso (prefix then loop once) and the successor of each: the last
 * loop position wraps to the first. Every suffix of the infinite word is the suffix at one of
 * these positions.
 */
function positions(word: LassoWord): { letters: (readonly boolean[])[]; succ: Int32Array } {
  if (word.loop.length === 0) throw new Error('lasso loop must not be empty');
  const letters = [...word.prefix, ...word.loop];
  const n = letters.length;
  const succ = new Int32Array(n);
  for (let i = 0; i < n; i++) succ[i] = i + 1 < n ? i + 1 : word.prefix.length;
  return { letters, succ };
}

/**
 * Whether `f` holds at the start of prefix · loop^ω. `atomIndex` maps an atom's expression to
 * its index in the letters. Each subformula is computed at every lasso position; U, F are least
 * and R, G, W greatest fixpoints of their one-step unfoldings, iterated to stability.
 */
export function evalOnLasso(f: Ltl, word: LassoWord, atomIndex: (atom: Expr) => number): boolean {
  const { letters, succ } = positions(word);
  const n = letters.length;

  const fixpoint = (init: boolean, step: (i: number, nextValue: boolean) => boolean): boolean[] => {
    const v = new Array<boolean>(n).fill(init);
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = n - 1; i >= 0; i--) {
        const x = step(i, v[succ[i]!]!);
        if (x !== v[i]) {
          v[i] = x;
          changed = true;
        }
      }
    }
    return v;
  };

  const ev = (g: Ltl): boolean[] => {
    switch (g.kind) {
      case 'atom': {
        const a = atomIndex(g.expr);
        if (!(a >= 0 && a < letters[0]!.length)) throw new Error(`atom index ${a} is outside the letters`);
        return letters.map((l) => l[a]!);
      }
      case 'true':
      case 'false':
        return new Array<boolean>(n).fill(g.kind === 'true');
      case 'not':
        return ev(g.arg).map((x) => !x);
      case 'X': {
        const a = ev(g.arg);
        return Array.from({ length: n }, (_, i) => a[succ[i]!]!);
      }
      case 'F': {
        const a = ev(g.arg);
        return fixpoint(false, (i, nx) => a[i]! || nx);
      }
      case 'G': {
        const a = ev(g.arg);
        return fixpoint(true, (i, nx) => a[i]! && nx);
      }
      default: {
        const l = ev(g.left);
        const r = ev(g.right);
        switch (g.kind) {
          case 'and':
            return l.map((x, i) => x && r[i]!);
          case 'or':
            return l.map((x, i) => x || r[i]!);
          case 'implies':
            return l.map((x, i) => !x || r[i]!);
          case 'U':
            return fixpoint(false, (i, nx) => r[i]! || (l[i]! && nx));
          case 'W':
            return fixpoint(true, (i, nx) => r[i]! || (l[i]! && nx));
          case 'R':
            return fixpoint(true, (i, nx) => r[i]! && (l[i]! || nx));
        }
      }
    }
  };
  return ev(f)[0]!;
}

/**
 * Whether `b` has an accepting run on prefix · loop^ω: in the product of automaton states with
 * lasso positions ((q, i): q has read the letters before position i), some accepting product
 * state reachable from an initial one lies on a cycle.
 */
export function buchiAcceptsLasso(b: Buchi, word: LassoWord): boolean {
  const { letters, succ } = positions(word);
  const n = letters.length;
  const out: { to: number; guard: Buchi['edges'][number]['guard'] }[][] = Array.from({ length: b.states }, () => []);
  for (const e of b.edges) out[e.from]!.push(e);

  const id = (q: number, i: number): number => q * n + i;
  const total = b.states * n;
  const reached = new Array<boolean>(total).fill(false);
  const adj: number[][] = Array.from({ length: total }, () => []);
  const stack: number[] = [];
  for (const q of b.initial) {
    if (!reached[id(q, 0)]) {
      reached[id(q, 0)] = true;
      stack.push(id(q, 0));
    }
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    const q = Math.floor(v / n);
    const i = v % n;
    const letter = letters[i]!;
    for (const e of out[q]!) {
      if (!guardHolds(e.guard, (a) => letter[a]!)) continue;
      const w = id(e.to, succ[i]!);
      adj[v]!.push(w);
      if (!reached[w]) {
        reached[w] = true;
        stack.push(w);
      }
    }
  }
  const comp = stronglyConnectedComponents(total, (v, visit) => adj[v]!.forEach(visit)).componentOf;
  const size = new Map<number, number>();
  for (let v = 0; v < total; v++) if (reached[v]) size.set(comp[v]!, (size.get(comp[v]!) ?? 0) + 1);
  for (let v = 0; v < total; v++) {
    if (!reached[v] || !b.accepting[Math.floor(v / n)]) continue;
    if (size.get(comp[v]!)! > 1 || adj[v]!.includes(v)) return true;
  }
  return false;
}
