import { describe, expect, it } from 'vitest';
import { AtomTable, formatLtl, type Ltl } from '../../properties/ltl/ast.js';
import { ltlToBuchi, type Buchi } from '../../properties/ltl/buchi.js';
import { buchiAcceptsLasso, evalOnLasso, type LassoWord } from '../../properties/ltl/lasso.js';
import { nnfToLtl, toNnf } from '../../properties/ltl/nnf.js';
import { parseLtl } from '../../properties/ltl/parse.js';
import { namedAtoms, randomLasso, randomLtl, Rng } from '../../properties/ltl/random.js';

const NAMES = ['p', 'q', 'r'];

/** A table where p, q, r are atoms 0, 1, 2, so letters can be written by name. */
function table(): AtomTable {
  const t = new AtomTable();
  for (const e of namedAtoms(NAMES.length)) t.intern(e);
  return t;
}

/** A letter from the names of the atoms that hold, e.g. 'pq' or '' (none). */
const letter = (s: string): boolean[] => NAMES.map((n) => s.includes(n));
const lasso = (prefix: string[], loop: string[]): LassoWord => ({ prefix: prefix.map(letter), loop: loop.map(letter) });

function automaton(source: string, negate = false): Buchi {
  return ltlToBuchi(parseLtl(source), { negate, atoms: table() });
}

function holds(source: string, w: LassoWord): boolean {
  const t = table();
  return evalOnLasso(parseLtl(source), w, (e) => t.indexOf(e));
}

describe('known automata', () => {
  // [formula, prefix, loop, holds]
  const cases: [string, string[], string[], boolean][] = [
    ['G p', [], ['p'], true],
    ['G p', ['p', 'p', ''], ['p'], false],
    ['G p', [], ['p', ''], false],
    ['F p', ['', ''], ['', 'p'], true],
    ['F p', ['p'], [''], true],
    ['F p', [''], [''], false],
    ['F G p', ['', ''], ['p'], true],
    ['F G p', [], ['p', ''], false],
    ['F G p', ['p'], [''], false],
    ['G F p', [], ['', 'p'], true],
    ['G F p', ['p', 'p'], [''], false],
    ['G F p', [''], ['p'], true],
    ['p U q', ['p', 'p'], ['q'], true],
    ['p U q', [], ['q'], true],
    ['p U q', ['p'], ['', 'q'], false],
    ['p U q', [], ['p'], false],
    ['p R q', [], ['q'], true],
    ['p R q', ['q', 'q', 'pq'], [''], true],
    ['p R q', ['q', 'p'], ['q'], false],
    ['p W q', [], ['p'], true],
    ['p W q', ['p'], ['q'], true],
    ['p W q', ['p', ''], ['q'], false],
    ['X p', [''], ['p'], true],
    ['X p', ['p'], [''], false],
    ['X p', [], ['p'], true],
    ['X X p', ['', ''], ['p'], true],
    ['X X p', ['p', 'p'], [''], false],
    ['G (p -> F q)', [], ['p', '', 'q'], true],
    ['G (p -> F q)', ['p', 'q'], ['p'], false],
    ['G (p -> X q)', [], ['p', ''], false],
    ['G (p -> X q)', [], ['pq', 'q'], true],
    ['true', [], [''], true],
    ['false', [], ['pqr'], false],
  ];

  it.each(cases)('%s on %j . (%j)^w is %s', (source, prefix, loop, expected) => {
    const w = lasso(prefix, loop);
    expect(holds(source, w)).toBe(expected);
    expect(buchiAcceptsLasso(automaton(source), w)).toBe(expected);
    expect(buchiAcceptsLasso(automaton(source, true), w)).toBe(!expected);
    expect(buchiAcceptsLasso(ltlToBuchi(parseLtl(source), { negate: true, atoms: table(), simplify: false }), w)).toBe(!expected);
  });

  it('!G p is small and accepts exactly the words with some !p', () => {
    const b = automaton('G p', true);
    expect(b.states).toBeLessThanOrEqual(3);
    // Every accepting cycle is reached through an edge that requires !p.
    expect(b.edges.some((e) => e.guard.neg.includes(0))).toBe(true);
    expect(b.edges.every((e) => e.guard.pos.length === 0)).toBe(true);
  });

  it('reads guards on edges, starting with the first letter', () => {
    // X p: the first letter is unconstrained, the second must satisfy p.
    const b = automaton('X p');
    expect(buchiAcceptsLasso(b, lasso([''], ['p']))).toBe(true);
    expect(buchiAcceptsLasso(b, lasso(['p', ''], ['p']))).toBe(false);
    // p: a guard on the very first edge.
    const a = automaton('p');
    expect(buchiAcceptsLasso(a, lasso(['p'], ['']))).toBe(true);
    expect(buchiAcceptsLasso(a, lasso([''], ['p']))).toBe(false);
  });

  it('gives the empty language as one rejecting state without edges', () => {
    for (const source of ['false', 'p && !p', 'G p && F !p', 'F G p && G F !p']) {
      const b = automaton(source);
      expect(b).toMatchObject({ states: 1, initial: [0], accepting: [false], edges: [] });
    }
  });

  it('identifies atoms structurally', () => {
    const b = ltlToBuchi(parseLtl('G (x == 1 -> F (x)==1)'), { negate: true });
    expect(b.atoms).toHaveLength(1);
  });

  it('merges states: G F p and F G p translate to small automata', () => {
    expect(automaton('G F p').states).toBeLessThanOrEqual(3);
    expect(automaton('F G p', true).states).toBeLessThanOrEqual(3);
    expect(automaton('G p && G q').states).toBeLessThanOrEqual(1);
  });
});

describe('random cross-check of the translation against the lasso semantics', () => {
  it('agrees on 2000 formulas x 12 lassos (and on their negations)', () => {
    const rng = new Rng(20240601);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const atomCount = 2 + rng.int(2);
      const atoms = namedAtoms(atomCount);
      const f: Ltl = randomLtl(rng, 1 + rng.int(4), atoms);
      const t = new AtomTable();
      for (const a of atoms) t.intern(a);
      const index = (e: Parameters<AtomTable['indexOf']>[0]): number => t.indexOf(e);
      const pos = ltlToBuchi(f, { atoms: t });
      const neg = ltlToBuchi(f, { atoms: t, negate: true });
      const raw = i < 300 ? ltlToBuchi(f, { atoms: t, negate: true, simplify: false }) : undefined;
      const nnf = toNnf(f, false, t);
      const nnfLtl = nnfToLtl(nnf.root, nnf.builder.atoms);
      for (let k = 0; k < 12; k++) {
        const w = randomLasso(rng, atomCount, 3, 4);
        const expected = evalOnLasso(f, w, index);
        const context = `${formatLtl(f)} on ${JSON.stringify(w)}`;
        expect(evalOnLasso(nnfLtl, w, index), `NNF ${context}`).toBe(expected);
        expect(buchiAcceptsLasso(pos, w), context).toBe(expected);
        expect(buchiAcceptsLasso(neg, w), `negated ${context}`).toBe(!expected);
        if (raw) expect(buchiAcceptsLasso(raw, w), `unsimplified negated ${context}`).toBe(!expected);
        checked++;
      }
    }
    expect(checked).toBe(24000);
  });
});
