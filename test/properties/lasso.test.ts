import { describe, expect, it } from 'vitest';
import { AtomTable } from '../../properties/ltl/ast.js';
import type { Buchi } from '../../properties/ltl/buchi.js';
import { buchiAcceptsLasso, evalOnLasso, type LassoWord } from '../../properties/ltl/lasso.js';
import { parseLtl } from '../../properties/ltl/parse.js';
import { mulberry32, namedAtoms, randomLasso, randomLtl, Rng } from '../../properties/ltl/random.js';

const t = new AtomTable();
for (const e of namedAtoms(2)) t.intern(e);
const letter = (s: string): boolean[] => ['p', 'q'].map((n) => s.includes(n));
const lasso = (prefix: string[], loop: string[]): LassoWord => ({ prefix: prefix.map(letter), loop: loop.map(letter) });
const holds = (source: string, w: LassoWord): boolean => evalOnLasso(parseLtl(source), w, (e) => t.indexOf(e));

describe('evalOnLasso', () => {
  it('evaluates at the first position and wraps the loop', () => {
    const w = lasso(['p'], ['q', '']);
    expect(holds('p', w)).toBe(true);
    expect(holds('X q', w)).toBe(true);
    expect(holds('X X X q', w)).toBe(true); // position 3 is loop position 0 again
    expect(holds('X X X X q', w)).toBe(false);
    expect(holds('G F q', w)).toBe(true);
    expect(holds('F G !q', w)).toBe(false);
    expect(holds('F G !p', w)).toBe(true);
  });

  it('distinguishes the fixpoints of U/F (least) and R/G/W (greatest) on the loop', () => {
    const onlyP = lasso([], ['p']);
    expect(holds('p U q', onlyP)).toBe(false);
    expect(holds('p W q', onlyP)).toBe(true);
    expect(holds('q R p', onlyP)).toBe(true);
    expect(holds('F q', onlyP)).toBe(false);
    expect(holds('G p', onlyP)).toBe(true);
  });

  it('connectives', () => {
    const w = lasso([''], ['pq']);
    expect(holds('p -> q', w)).toBe(true);
    expect(holds('X p -> q', w)).toBe(false);
    expect(holds('!p && !q', w)).toBe(true);
    expect(holds('p || X (p && q)', w)).toBe(true);
    expect(holds('true', w)).toBe(true);
    expect(holds('false', w)).toBe(false);
  });

  it('rejects an empty loop and an unknown atom', () => {
    expect(() => evalOnLasso(parseLtl('p'), { prefix: [letter('p')], loop: [] }, () => 0)).toThrow(/loop/);
    expect(() => evalOnLasso(parseLtl('z'), lasso([], ['p']), (e) => t.indexOf(e))).toThrow(/atom index -1/);
  });
});

describe('buchiAcceptsLasso', () => {
  // Hand-made automaton for "infinitely often p" over atom 0 (p).
  const infinitelyOftenP: Buchi = {
    states: 2,
    initial: [0],
    accepting: [false, true],
    edges: [
      { from: 0, to: 0, guard: { pos: [], neg: [0] } },
      { from: 0, to: 1, guard: { pos: [0], neg: [] } },
      { from: 1, to: 0, guard: { pos: [], neg: [0] } },
      { from: 1, to: 1, guard: { pos: [0], neg: [] } },
    ],
    atoms: namedAtoms(1),
  };

  it('needs an accepting state on a cycle of the product, not just reachable', () => {
    expect(buchiAcceptsLasso(infinitelyOftenP, lasso(['', ''], ['', 'p']))).toBe(true);
    expect(buchiAcceptsLasso(infinitelyOftenP, lasso(['p', 'p'], ['']))).toBe(false);
    expect(buchiAcceptsLasso(infinitelyOftenP, lasso([], ['p']))).toBe(true);
  });

  it('rejects when runs die (no enabled edge)', () => {
    const onlyP: Buchi = { states: 1, initial: [0], accepting: [true], edges: [{ from: 0, to: 0, guard: { pos: [0], neg: [] } }], atoms: namedAtoms(1) };
    expect(buchiAcceptsLasso(onlyP, lasso([], ['p']))).toBe(true);
    expect(buchiAcceptsLasso(onlyP, lasso(['p', 'p', ''], ['p']))).toBe(false);
  });

  it('handles several initial states and no initial state', () => {
    const b: Buchi = { ...infinitelyOftenP, initial: [1, 0] };
    expect(buchiAcceptsLasso(b, lasso([], ['', 'p']))).toBe(true);
    expect(buchiAcceptsLasso({ ...infinitelyOftenP, initial: [] }, lasso([], ['p']))).toBe(false);
  });
});

describe('random generators', () => {
  it('are deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r1 = new Rng(3);
    const r2 = new Rng(3);
    expect(JSON.stringify(randomLtl(r1, 4, namedAtoms(3)))).toBe(JSON.stringify(randomLtl(r2, 4, namedAtoms(3))));
    expect(randomLasso(r1, 3)).toEqual(randomLasso(r2, 3));
  });

  it('produce lassos within bounds', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 100; i++) {
      const w = randomLasso(rng, 2, 3, 4);
      expect(w.prefix.length).toBeLessThanOrEqual(3);
      expect(w.loop.length).toBeGreaterThanOrEqual(1);
      expect(w.loop.length).toBeLessThanOrEqual(4);
    }
  });
});
