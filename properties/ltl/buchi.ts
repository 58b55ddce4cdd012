/**
 * LTL to Büchi automata: the tableau of Gerth, Peled, Vardi and Wolper ("Simple on-the-fly
 * automatic verification of linear temporal logic", 1995) builds a generalized Büchi automaton
 * from the negation normal form; a counter construction degeneralizes it; then useless states
 * are pruned and bisimilar states merged.
 *
 * Conventions of the result (`Buchi`):
 * - Guards are on edges and read the letter being consumed. A run on the word w0 w1 w2 ... (the
 *   system states s0 s1 s2 ..., starting with the initial state) is q0 q1 q2 ... with q0 initial
 *   and an edge qi -> q(i+1) whose guard holds in wi. So the initial automaton state has read
 *   nothing yet, and in a product the automaton state paired with a system state has already
 *   read that state.
 * - A run is accepting iff it visits accepting states infinitely often.
 * - A guard is a conjunction of literals over atom numbers (indices into `atoms`); atoms are
 *   identified structurally (see `AtomTable`). The empty guard is `true`.
 * - An automaton with the empty language is one initial, rejecting state without edges.
 */
import type { Expr } from '../expr/ast.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import { stronglyConnectedComponents } from '../../checker/graph/scc.js';
import type { Ltl } from './ast.js';
import { AtomTable } from './ast.js';
import { NnfBuilder, type Nnf } from './nnf.js';

export interface Guard {
  /** Atoms that must hold. */
  readonly pos: readonly number[];
  /** Atoms that must not hold. */
  readonly neg: readonly number[];
}

export interface BuchiEdge {
  readonly from: number;
  readonly to: number;
  readonly guard: Guard;
}

export interface Buchi {
  readonly states: number;
  readonly initial: readonly number[];
  readonly accepting: readonly boolean[];
  readonly edges: readonly BuchiEdge[];
  readonly atoms: readonly Expr[];
}

export interface TranslateOptions {
  /** Translate `!f` instead of `f` (the usual case: the automaton of the violations of a property). */
  readonly negate?: boolean;
  /** Number atoms in this table (shared with the caller's evaluator); a fresh table by default. */
  readonly atoms?: AtomTable;
  /** Prune and merge states. @defaultValue true */
  readonly simplify?: boolean;
}

/** A Büchi automaton accepting exactly the words satisfying `f` (or `!f` with `negate`). */
export function ltlToBuchi(f: Ltl, options: TranslateOptions = {}): Buchi {
  const builder = new NnfBuilder(options.atoms ?? new AtomTable());
  const root = builder.fromLtl(f, options.negate ?? false);
  return nnfToBuchi(root, builder, options.simplify ?? true);
}

/** The automaton of an NNF formula made by `builder`. */
function nnfToBuchi(root: Nnf, builder: NnfBuilder, simplify = true): Buchi {
  const g = degeneralize(tableau(root, builder));
  const atoms = builder.atoms.exprs.slice();
  if (!simplify) return { ...g, atoms };
  return { ...simplifyBuchi(g), atoms };
}

/** A generalized Büchi automaton: a run is accepting iff it visits every set in `acceptance` infinitely often. */
export interface GeneralizedBuchi {
  readonly states: number;
  readonly initial: readonly number[];
  readonly edges: readonly BuchiEdge[];
  /** acceptance[k][q]: state q belongs to the k-th acceptance set. */
  readonly acceptance: readonly (readonly boolean[])[];
}

/** A completed tableau node: the formulas it promises now (`old`) and from the next letter on (`next`). */
interface Cover {
  readonly old: Set<number>;
  readonly next: Set<number>;
}

interface Pending extends Cover {
  readonly fresh: Set<number>;
}

/**
 * The GPVW node-splitting procedure for one obligation set: every way to satisfy all formulas
 * of `obligations` now, as (old, next) pairs. Besides the paper's rules it never splits on a
 * formula that `old` already satisfies syntactically (`a || b` with a or b in old, `a U b` with
 * b in old, `a R b` with a and b in old): the omitted branch only adds obligations, so it
 * accepts no word the kept one does not (Daniele, Giunchiglia and Vardi 1999).
 */
function expandObligations(obligations: ReadonlySet<number>, builder: NnfBuilder): Cover[] {
  const covers = new Map<string, Cover>();
  const work: Pending[] = [{ fresh: new Set(obligations), old: new Set(), next: new Set() }];
  const split = (n: Pending): Pending => ({ fresh: new Set(n.fresh), old: new Set(n.old), next: new Set(n.next) });
  const require = (n: Pending, f: Nnf): void => {
    if (!n.old.has(f.id)) n.fresh.add(f.id);
  };
  while (work.length > 0) {
    const n = work.pop()!;
    if (n.fresh.size === 0) {
      covers.set(`${sortedKey(n.old)}|${sortedKey(n.next)}`, n);
      continue;
    }
    const etaId = n.fresh.values().next().value as number;
    n.fresh.delete(etaId);
    if (n.old.has(etaId)) {
      work.push(n);
      continue;
    }
    const eta = builder.nodes[etaId]!;
    switch (eta.kind) {
      case 'false':
        break; // contradiction: drop the node
      case 'true':
        n.old.add(etaId);
        work.push(n);
        break;
      case 'lit':
        if (n.old.has(builder.lit(eta.atom, !eta.neg).id)) break;
        n.old.add(etaId);
        work.push(n);
        break;
      case 'and':
        n.old.add(etaId);
        require(n, eta.left);
        require(n, eta.right);
        work.push(n);
        break;
      case 'X':
        n.old.add(etaId);
        n.next.add(eta.arg.id);
        work.push(n);
        break;
      case 'or':
      case 'U':
      case 'R': {
        n.old.add(etaId);
        const l = eta.left.id;
        const r = eta.right.id;
        const satisfied = eta.kind === 'or' ? n.old.has(l) || n.old.has(r) : eta.kind === 'U' ? n.old.has(r) : n.old.has(l) && n.old.has(r);
        if (satisfied) {
          work.push(n);
          break;
        }
        const n2 = split(n);
        if (eta.kind === 'or') {
          require(n, eta.left);
          require(n2, eta.right);
        } else if (eta.kind === 'U') {
          // μ U ψ = ψ || (μ && X(μ U ψ))
          require(n, eta.left);
          n.next.add(etaId);
          require(n2, eta.right);
        } else {
          // μ R ψ = (ψ && X(μ R ψ)) || (μ && ψ)
          require(n, eta.right);
          n.next.add(etaId);
          require(n2, eta.left);
          require(n2, eta.right);
        }
        work.push(n2, n);
        break;
      }
    }
  }
  return [...covers.values()];
}

/** Every until-subformula of `root`, in a fixed order (one acceptance set each). */
function untilSubformulas(root: Nnf): Extract<Nnf, { left: Nnf }>[] {
  const seen = new Set<number>();
  const out: Extract<Nnf, { left: Nnf }>[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    if (f.kind === 'X') stack.push(f.arg);
    else if (f.kind === 'and' || f.kind === 'or' || f.kind === 'U' || f.kind === 'R') {
      if (f.kind === 'U') out.push(f);
      stack.push(f.left, f.right);
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * The GPVW tableau as a generalized Büchi automaton. State 0 is the paper's `init` node, whose
 * successors satisfy the root formula now. Every other state is a tableau node; its literals
 * guard every edge into it and its successors are the expansions of its `next` set.
 *
 * Two deviations from the paper keep it fast, neither changes the language: the expansion of an
 * obligation set is computed once and shared by all nodes with that `next` set, and nodes are
 * identified by (literals, `next`, acceptance-set membership) rather than by (`old`, `next`) —
 * nodes equal in those three have the same label, successors and acceptance, so they are
 * bisimilar.
 */
function tableau(root: Nnf, builder: NnfBuilder): GeneralizedBuchi {
  const untils = untilSubformulas(root);
  const acceptance: boolean[][] = untils.map(() => [true]);
  const guards: Guard[] = [{ pos: [], neg: [] }];
  const nextOf: Set<number>[] = [new Set([root.id])];
  const ids = new Map<string, number>();
  const expansions = new Map<string, { id: number; guard: Guard }[]>();
  const edges: BuchiEdge[] = [];

  for (let from = 0; from < nextOf.length; from++) {
    const obligations = nextOf[from]!;
    const key = sortedKey(obligations);
    let targets = expansions.get(key);
    if (!targets) {
      targets = expandObligations(obligations, builder).map((cover) => {
        const pos: number[] = [];
        const neg: number[] = [];
        for (const f of cover.old) {
          const lit = builder.nodes[f]!;
          if (lit.kind === 'lit') (lit.neg ? neg : pos).push(lit.atom);
        }
        const guard: Guard = { pos: pos.sort((a, b) => a - b), neg: neg.sort((a, b) => a - b) };
        // In the set of μ U ψ: does not promise it, or fulfils ψ now.
        const member = untils.map((u) => !cover.old.has(u.id) || cover.old.has(u.right.id));
        const nodeKey = `${guardKey(guard)}|${sortedKey(cover.next)}|${member.map(Number).join('')}`;
        let id = ids.get(nodeKey);
        if (id === undefined) {
          id = nextOf.length;
          ids.set(nodeKey, id);
          nextOf.push(cover.next);
          guards.push(guard);
          member.forEach((m, k) => acceptance[k]!.push(m));
        }
        return { id, guard };
      });
      expansions.set(key, targets);
    }
    for (const t of targets) edges.push({ from, to: t.id, guard: t.guard });
  }
  return { states: nextOf.length, initial: [0], edges, acceptance };
}

function sortedKey(s: Set<number>): string {
  return [...s].sort((a, b) => a - b).join(',');
}

/**
 * Counter construction: state (q, i) waits for acceptance set i; leaving q it skips every set
 * i, i+1, ... that q belongs to, wrapping to 0 after the last. The accepting states are (q, 0)
 * with q in set 0: the counter only returns to 0 after every set has been visited. Only states
 * reachable from the initial ones are built.
 */
function degeneralize(g: GeneralizedBuchi): Omit<Buchi, 'atoms'> {
  const k = g.acceptance.length;
  const out = adjacency(g.states, g.edges);
  const ids = new Map<number, number>();
  const accepting: boolean[] = [];
  const edges: BuchiEdge[] = [];
  const queue: number[] = [];
  const layers = Math.max(k, 1);
  const idOf = (q: number, i: number): number => {
    const key = q * layers + i;
    let id = ids.get(key);
    if (id === undefined) {
      id = accepting.length;
      ids.set(key, id);
      accepting.push(k === 0 || (i === 0 && g.acceptance[0]![q]!));
      queue.push(key);
    }
    return id;
  };
  const initial = g.initial.map((q) => idOf(q, 0));
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head]!;
    const q = Math.floor(key / layers);
    const i = key % layers;
    const from = ids.get(key)!;
    let j = i;
    while (j < k && g.acceptance[j]![q]!) j++;
    if (j === k) j = 0;
    for (const e of out[q]!) edges.push({ from, to: idOf(e.to, j), guard: e.guard });
  }
  return { states: accepting.length, initial, accepting, edges };
}

function adjacency(states: number, edges: readonly BuchiEdge[]): BuchiEdge[][] {
  const out: BuchiEdge[][] = Array.from({ length: states }, () => []);
  for (const e of edges) out[e.from]!.push(e);
  return out;
}

const guardKey = (g: Guard): string => `${g.pos.join(',')}|${g.neg.join(',')}`;

/** True if every literal of `a` is in `b`, i.e. `b` implies `a`. */
function guardWeaker(a: Guard, b: Guard): boolean {
  return a.pos.every((x) => b.pos.includes(x)) && a.neg.every((x) => b.neg.includes(x));
}

/**
 * Language-preserving clean-up: keep only states reachable from an initial state that can
 * reach an accepting cycle, drop edges implied by a weaker parallel edge, and merge bisimilar
 * states (same acceptance, same guarded moves into the same classes).
 */
function simplifyBuchi(b: Omit<Buchi, 'atoms'>): Omit<Buchi, 'atoms'> {
  let a = pruneUseless(b);
  a = dropSubsumedEdges(a);
  a = quotientByBisimulation(a);
  return dropSubsumedEdges(a);
}

const EMPTY: Omit<Buchi, 'atoms'> = { states: 1, initial: [0], accepting: [false], edges: [] };

function pruneUseless(b: Omit<Buchi, 'atoms'>): Omit<Buchi, 'atoms'> {
  const succ: number[][] = Array.from({ length: b.states }, () => []);
  const pred: number[][] = Array.from({ length: b.states }, () => []);
  for (const e of b.edges) {
    succ[e.from]!.push(e.to);
    pred[e.to]!.push(e.from);
  }
  const comp = stronglyConnectedComponents(b.states, (q, visit) => succ[q]!.forEach(visit)).componentOf;
  const size = new Map<number, number>();
  for (const c of comp) size.set(c, (size.get(c) ?? 0) + 1);
  const selfLoop = new Array<boolean>(b.states).fill(false);
  for (const e of b.edges) if (e.from === e.to) selfLoop[e.from] = true;
  // Seeds: accepting states on a cycle. Useful states reach a seed.
  const useful = new Array<boolean>(b.states).fill(false);
  const stack: number[] = [];
  for (let q = 0; q < b.states; q++) {
    if (b.accepting[q] && (selfLoop[q] || size.get(comp[q]!)! > 1)) {
      useful[q] = true;
      stack.push(q);
    }
  }
  while (stack.length > 0) {
    for (const p of pred[stack.pop()!]!) {
      if (!useful[p]) {
        useful[p] = true;
        stack.push(p);
      }
    }
  }
  const reachable = new Array<boolean>(b.states).fill(false);
  for (const q of b.initial) {
    if (useful[q] && !reachable[q]) {
      reachable[q] = true;
      stack.push(q);
    }
  }
  while (stack.length > 0) {
    for (const t of succ[stack.pop()!]!) {
      if (useful[t] && !reachable[t]) {
        reachable[t] = true;
        stack.push(t);
      }
    }
  }
  const renum = new Array<number>(b.states).fill(-1);
  let n = 0;
  for (let q = 0; q < b.states; q++) if (reachable[q]) renum[q] = n++;
  if (n === 0) return EMPTY;
  return {
    states: n,
    initial: b.initial.filter((q) => reachable[q]).map((q) => renum[q]!),
    accepting: b.accepting.filter((_, q) => reachable[q]),
    edges: b.edges.filter((e) => reachable[e.from] && reachable[e.to]).map((e) => ({ from: renum[e.from]!, to: renum[e.to]!, guard: e.guard })),
  };
}

function dropSubsumedEdges(b: Omit<Buchi, 'atoms'>): Omit<Buchi, 'atoms'> {
  const groups = new Map<string, BuchiEdge[]>();
  for (const e of b.edges) {
    const key = `${e.from}>${e.to}`;
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  const edges: BuchiEdge[] = [];
  for (const list of groups.values()) {
    list.forEach((e, i) => {
      const redundant = list.some((o, j) => j !== i && guardWeaker(o.guard, e.guard) && (!guardWeaker(e.guard, o.guard) || j < i));
      if (!redundant) edges.push(e);
    });
  }
  return { ...b, edges };
}

function quotientByBisimulation(b: Omit<Buchi, 'atoms'>): Omit<Buchi, 'atoms'> {
  const out = adjacency(b.states, b.edges);
  let cls: number[] = b.accepting.map((acc) => (acc ? 1 : 0));
  let count = new Set(cls).size;
  for (;;) {
    const ids = new Map<string, number>();
    const next = cls.map((c, q) => {
      const moves = [...new Set(out[q]!.map((e) => `${guardKey(e.guard)}>${cls[e.to]}`))].sort();
      const sig = `${c};${moves.join(';')}`;
      let id = ids.get(sig);
      if (id === undefined) {
        id = ids.size;
        ids.set(sig, id);
      }
      return id;
    });
    cls = next;
    if (ids.size === count) break;
    count = ids.size;
  }
  const accepting = new Array<boolean>(count).fill(false);
  cls.forEach((c, q) => {
    accepting[c] = b.accepting[q]!;
  });
  const seen = new Set<string>();
  const edges: BuchiEdge[] = [];
  for (const e of b.edges) {
    const key = `${cls[e.from]}>${cls[e.to]}:${guardKey(e.guard)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from: cls[e.from]!, to: cls[e.to]!, guard: e.guard });
  }
  return { states: count, initial: [...new Set(b.initial.map((q) => cls[q]!))], accepting, edges };
}

/** True if `valuation` (indexed by atom number) satisfies `guard`. */
export function guardHolds(guard: Guard, valuation: (atom: number) => boolean): boolean {
  for (const a of guard.pos) if (!valuation(a)) return false;
  for (const a of guard.neg) if (valuation(a)) return false;
  return true;
}

/**
 * The `ProductSpec` of `b` for checker/cycles.ts. `holds(atom, s)` evaluates atom number `atom`
 * of `b.atoms` in system state `s`; each atom is evaluated at most once per step.
 */
export function buchiProductSpec(b: Buchi, holds: (atom: number, s: Int32Array) => boolean): ProductSpec {
  const out = adjacency(b.states, b.edges);
  const cache = new Int8Array(b.atoms.length);
  const emitted = new Int32Array(b.states).fill(-1);
  let stamp = 0;
  return {
    buchiStates: b.states,
    initial: b.initial,
    accepting: b.accepting,
    step(q, s, emit) {
      cache.fill(-1);
      stamp++;
      const value = (a: number): boolean => {
        if (cache[a] === -1) cache[a] = holds(a, s) ? 1 : 0;
        return cache[a] === 1;
      };
      for (const e of out[q]!) {
        if (emitted[e.to] === stamp || !guardHolds(e.guard, value)) continue;
        emitted[e.to] = stamp;
        emit(e.to);
      }
    },
  };
}
