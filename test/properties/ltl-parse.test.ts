import { describe, expect, it } from 'vitest';
import { ExprSyntaxError, type Expr } from '../../properties/expr/ast.js';
import { formatExpr, formatExprError } from '../../properties/expr/parse.js';
import { AtomTable, formatLtl, ltlAtoms, type Ltl } from '../../properties/ltl/ast.js';
import { parseLtl } from '../../properties/ltl/parse.js';
import { namedAtoms, randomLtl, Rng } from '../../properties/ltl/random.js';

/** Fully parenthesised rendering with atoms in braces, to make the structure visible. */
function tree(f: Ltl): string {
  switch (f.kind) {
    case 'atom':
      return `{${formatExpr(f.expr)}}`;
    case 'true':
    case 'false':
      return f.kind;
    case 'not':
      return `(!${tree(f.arg)})`;
    case 'X':
    case 'F':
    case 'G':
      return `(${f.kind} ${tree(f.arg)})`;
    default: {
      const op = { and: '&&', or: '||', implies: '->', U: 'U', R: 'R', W: 'W' }[f.kind];
      return `(${tree(f.left)} ${op} ${tree(f.right)})`;
    }
  }
}

function atomOf(source: string): Expr {
  const f = parseLtl(source);
  if (f.kind !== 'atom') throw new Error(`${source} is not an atom`);
  return f.expr;
}

function syntaxError(source: string): ExprSyntaxError {
  try {
    parseLtl(source);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

describe('parseLtl structure and precedence', () => {
  const cases: [string, string][] = [
    ['p', '{p}'],
    ['true', 'true'],
    ['G p', '(G {p})'],
    ['[] p', '(G {p})'],
    ['<> p', '(F {p})'],
    ['[]<>p', '(G (F {p}))'],
    ['F G p', '(F (G {p}))'],
    ['X X p', '(X (X {p}))'],
    ['!X p', '(!(X {p}))'],
    ['p U q', '({p} U {q})'],
    ['p U q U r', '({p} U ({q} U {r}))'],
    ['p R q W r', '({p} R ({q} W {r}))'],
    ['p U q && r', '(({p} U {q}) && {r})'],
    ['p && q U r', '({p} && ({q} U {r}))'],
    ['!p U q', '((!{p}) U {q})'],
    ['F p U q', '((F {p}) U {q})'],
    ['p || q && r', '({p} || ({q} && {r}))'],
    ['p -> q -> r', '({p} -> ({q} -> {r}))'],
    ['p || q -> r', '(({p} || {q}) -> {r})'],
    ['G (p -> F q)', '(G ({p} -> (F {q})))'],
    ['(p U q) U r', '(({p} U {q}) U {r})'],
    ['x == 1', '{x == 1}'],
    ['x + 1 >= y * 2 U z < 3', '({x + 1 >= y * 2} U {z < 3})'],
    ['G (in_cs(T1) -> !in_cs(T2))', '(G ({in_cs(T1)} -> (!{in_cs(T2)})))'],
    ['G on_cpu(T1, C0)', '(G {on_cpu(T1, C0)})'],
    ['G F T1.status == done', '(G (F {T1.status == done}))'],
    ['X1 U F2', '({X1} U {F2})'],
    ['T1.F U G_x', '({T1.F} U {G_x})'],
    ['G !(x == 1 && y == 2)', '(G (!({x == 1} && {y == 2})))'],
    ['(x + 1) * 2 == 4', '{(x + 1) * 2 == 4}'],
    ['((x)) == 4', '{x == 4}'],
    ['(a && b) == c', '{(a && b) == c}'],
    ['(x)[1] < 2', '{x[1] < 2}'],
    ['-x < 3 && X -x > 3', '({-x < 3} && (X {-x > 3}))'],
    ['a[i] U b', '({a[i]} U {b})'],
    ["x' > x", "{x' > x}"],
    ['!true || false', '((!true) || false)'],
    ['true == b', '{true == b}'],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(tree(parseLtl(source))).toBe(expected);
  });

  it('records spans', () => {
    const f = parseLtl('G (p -> F q)');
    expect(f.span).toEqual({ start: 0, end: 12 });
    if (f.kind !== 'G') throw new Error('G expected');
    expect(f.arg.span).toEqual({ start: 2, end: 12 });
    const g = parseLtl('  x == 1 U y');
    if (g.kind !== 'U') throw new Error('U expected');
    expect(g.left.span).toEqual({ start: 2, end: 8 });
  });

  it('identifies atoms structurally', () => {
    const atoms = ltlAtoms(parseLtl('G (x==1 -> F x == 1) && (x) == (1) U y'));
    expect(atoms.exprs.map(formatExpr)).toEqual(['x == 1', 'y']);
    const table = new AtomTable();
    expect(table.intern(atomOf('a+1'))).toBe(0);
    expect(table.intern(atomOf('b'))).toBe(1);
    expect(table.indexOf(atomOf(' ((a)) + 1 '))).toBe(0);
    expect(table.indexOf(atomOf('a + 2'))).toBe(-1);
  });

  it('formatLtl round-trips random formulas', () => {
    const rng = new Rng(7);
    const atoms = [...namedAtoms(2), atomOf('x + 1 == 2'), atomOf('f(a, b)')];
    for (let i = 0; i < 500; i++) {
      const f = randomLtl(rng, 4, atoms);
      const text = formatLtl(f);
      expect(tree(parseLtl(text)), text).toBe(tree(f));
    }
  });
});

describe('parseLtl errors', () => {
  const cases: [string, RegExp, number, number][] = [
    ['', /^empty formula$/, 1, 1],
    ['G (p U q', /^expected '\)' to close '\(' at 1:3, found end of input$/, 1, 9],
    ['G\n  (p U (q', /^expected '\)' to close '\(' at 2:8/, 2, 10],
    ['p U', /^expected a formula, found end of input$/, 1, 4],
    ['U p', /^expected a formula, found binary temporal operator 'U'$/, 1, 1],
    ['p && U', /binary temporal operator 'U'/, 1, 6],
    ['G', /^'G' is a temporal operator and needs an operand/, 1, 1],
    ['F -> x', /^'F' is a temporal operator and needs an operand/, 1, 1],
    ['x == G', /^expected an operand, found temporal operator 'G'/, 1, 6],
    ['in_cs(X)', /temporal operator 'X'/, 1, 7],
    ['p q', /^unexpected 'q' after the end of the formula$/, 1, 3],
    ['G p )', /^unexpected '\)' after the end of the formula$/, 1, 5],
    ['p #', /^unexpected character '#'$/, 1, 3],
    ['G (', /^expected a formula, found end of input$/, 1, 4],
    ['p && )', /^expected a formula, found '\)'$/, 1, 6],
    ['x < y < z', /comparison operators do not chain/, 1, 7],
    ['(F p) + 1', /temporal operator 'F'/, 1, 2],
    ['on_cpu(T1, C0', /to close '\(' of the arguments of 'on_cpu' at 1:7/, 1, 14],
  ];
  it.each(cases)('%j', (source, message, line, column) => {
    const e = syntaxError(source);
    expect(e.message).toMatch(message);
    expect(e.position()).toEqual({ line, column });
  });

  it('formats errors with a caret', () => {
    expect(formatExprError(syntaxError('G (p U q'), 'props.ltl')).toBe(
      "props.ltl:1:9: expected ')' to close '(' at 1:3, found end of input\nG (p U q\n        ^",
    );
  });
});
