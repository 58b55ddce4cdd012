import { describe, expect, it } from 'vitest';
import { ExprSyntaxError, type Expr } from '../../properties/expr/ast.js';
import { formatExpr, formatExprError, parseExpr } from '../../properties/expr/parse.js';

/** Fully parenthesised rendering, to make precedence visible in assertions. */
function tree(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'bool':
      return String(e.value);
    case 'name':
      return e.name;
    case 'index':
      return `${tree(e.base)}[${tree(e.index)}]`;
    case 'call':
      return `${e.fn}(${e.args.map(tree).join(', ')})`;
    case 'unary':
      return `(${e.op}${tree(e.arg)})`;
    case 'binary':
      return `(${tree(e.left)} ${e.op} ${tree(e.right)})`;
  }
}

function syntaxError(source: string): ExprSyntaxError {
  try {
    parseExpr(source);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

describe('parseExpr precedence', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 % 3 * 2', '(((8 / 4) % 3) * 2)'],
    ['-a * b', '((-a) * b)'],
    ['- - a', '(-(-a))'],
    ['a + b == c * d', '((a + b) == (c * d))'],
    ['a < b && c >= d || e != f', '(((a < b) && (c >= d)) || (e != f))'],
    ['!a && b', '((!a) && b)'],
    ['!a == b', '(!(a == b))'],
    ['!!a', '(!(!a))'],
    ['a -> b -> c', '(a -> (b -> c))'],
    ['a || b -> c && d', '((a || b) -> (c && d))'],
    ['a && b && c', '((a && b) && c)'],
    ['(a + b) * c', '((a + b) * c)'],
    ['x[i + 1][j]', 'x[(i + 1)][j]'],
    ['-x[0]', '(-x[0])'],
    ['sum(counter) == 3', '(sum(counter) == 3)'],
    ['on_cpu(T1, C0)', 'on_cpu(T1, C0)'],
    ['f()', 'f()'],
    ["T1.status == done && x' >= 0", "((T1.status == done) && (x' >= 0))"],
    ['handler_commits <= 1', '(handler_commits <= 1)'],
    ['true || false', '(true || false)'],
    ['X && F', '(X && F)'],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(tree(parseExpr(source))).toBe(expected);
  });

  it('records spans, including parentheses', () => {
    const e = parseExpr(' (a + b) * c');
    expect(e.span).toEqual({ start: 1, end: 12 });
    if (e.kind !== 'binary') throw new Error('binary expected');
    expect(e.left.span).toEqual({ start: 1, end: 8 });
    expect(e.right.span).toEqual({ start: 11, end: 12 });
  });

  it('formatExpr prints text that parses back to the same tree', () => {
    for (const source of cases.map((c) => c[0])) {
      const e = parseExpr(source);
      expect(tree(parseExpr(formatExpr(e)))).toBe(tree(e));
    }
    expect(formatExpr(parseExpr('((a)) + ((b * c))'))).toBe('a + b * c');
    expect(formatExpr(parseExpr('(a - b) - (c - d)'))).toBe('a - b - (c - d)');
    expect(formatExpr(parseExpr('(a -> b) -> c'))).toBe('(a -> b) -> c');
    expect(formatExpr(parseExpr('!(a == b)'))).toBe('!(a == b)');
  });
});

describe('single | and & (as LTL tools write them)', () => {
  it('read as || and &&', () => {
    expect(formatExpr(parseExpr('a | b & c'))).toBe(formatExpr(parseExpr('a || b && c')));
  });
});

describe('parseExpr errors', () => {
  const cases: [string, RegExp, number, number][] = [
    ['', /^empty expression$/, 1, 1],
    ['   \n  ', /^empty expression$/, 1, 1],
    ['a @ b', /^unexpected character '@'$/, 1, 3],
    ['a = b', /^unexpected character '=' \(did you mean '=='\?\)$/, 1, 3],
    ['x +\n  * y', /^expected an expression, found '\*'$/, 2, 3],
    ['a +', /^expected an expression, found end of input$/, 1, 4],
    ['(a + b', /^expected '\)' to close '\(' at 1:1, found end of input$/, 1, 7],
    ['x ==\n (a + (b', /^expected '\)' to close '\(' at 2:7/, 2, 9],
    ['f(a, b', /^expected '\)' to close '\(' of the arguments of 'f' at 1:2/, 1, 7],
    ['x[1', /^expected '\]' to close '\[' at 1:2/, 1, 4],
    ['a b', /^unexpected 'b' after the end of the expression$/, 1, 3],
    ['(a) )', /^unexpected '\)' after the end/, 1, 5],
    ['a < b < c', /^comparison operators do not chain/, 1, 7],
    ['a == b != c', /^comparison operators do not chain/, 1, 8],
    ['a == !b', /'!' binds looser/, 1, 6],
    ['12ab', /^invalid number '12ab'$/, 1, 1],
    ['99999999999999999999', /out of range/, 1, 1],
    ['a <> b', /^unexpected '<>' after the end/, 1, 3],
  ];
  it.each(cases)('%j', (source, message, line, column) => {
    const e = syntaxError(source);
    expect(e.message).toMatch(message);
    expect(e.position()).toEqual({ line, column });
  });

  it('formatExprError shows file, position, source line and a caret under the span', () => {
    const e = syntaxError('x == 1 &&\n  y @@ 2');
    expect(formatExprError(e, 'spec.json')).toBe("spec.json:2:5: unexpected character '@'\n  y @@ 2\n    ^");
    const e2 = syntaxError('a b_long c');
    expect(formatExprError(e2)).toBe("1:3: unexpected 'b_long' after the end of the expression\na b_long c\n  ^~~~~~");
  });

  it('formatExprError keeps tabs so the caret lines up', () => {
    const e = syntaxError('\ta ?');
    expect(formatExprError(e)).toBe("1:4: unexpected character '?'\n\ta ?\n\t  ^");
  });

  it('formatExprError marks end of input after the last character', () => {
    const e = syntaxError('a +');
    expect(formatExprError(e, 'f')).toBe('f:1:4: expected an expression, found end of input\na +\n   ^');
  });
});
