/**
 * Seeded generators of LTL formulas and lasso words for randomized tests. The same seed gives
 * the same sequence on every platform (integer arithmetic only).
 */
import type { Expr } from '../expr/ast.js';
import { NO_SPAN, type Ltl, type LtlBinaryKind, type LtlUnaryKind } from './ast.js';
import type { LassoWord } from './lasso.js';

/** Mulberry32: a 32-bit state PRNG returning uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Name atoms `p`, `q`, `r`, ... (at most 26). */
export function namedAtoms(count: number): Expr[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'name', name: String.fromCharCode(112 + (i % 26)), span: NO_SPAN }) as const);
}

const UNARY: readonly LtlUnaryKind[] = ['not', 'X', 'F', 'G'];
const BINARY: readonly LtlBinaryKind[] = ['and', 'or', 'implies', 'U', 'R', 'W'];

/**
 * A random formula of nesting depth at most `depth` over `atoms`, using every connective. Leaves
 * are mostly atoms with the occasional constant, so constant folding gets exercised too.
 */
export function randomLtl(rng: Rng, depth: number, atoms: readonly Expr[]): Ltl {
  if (depth <= 0 || rng.chance(0.2)) {
    if (rng.chance(0.08)) return { kind: rng.chance() ? 'true' : 'false', span: NO_SPAN };
    return { kind: 'atom', expr: rng.pick(atoms), span: NO_SPAN };
  }
  if (rng.chance(0.4)) return { kind: rng.pick(UNARY), arg: randomLtl(rng, depth - 1, atoms), span: NO_SPAN };
  return { kind: rng.pick(BINARY), left: randomLtl(rng, depth - 1, atoms), right: randomLtl(rng, depth - 1, atoms), span: NO_SPAN };
}

/** A random lasso with a prefix of 0..maxPrefix letters and a loop of 1..maxLoop letters over `atomCount` atoms. */
export function randomLasso(rng: Rng, atomCount: number, maxPrefix = 3, maxLoop = 3): LassoWord {
  const letter = (): boolean[] => Array.from({ length: atomCount }, () => rng.chance());
  const prefix = Array.from({ length: rng.int(maxPrefix + 1) }, letter);
  const loop = Array.from({ length: 1 + rng.int(maxLoop) }, letter);
  return { prefix, loop };
}
