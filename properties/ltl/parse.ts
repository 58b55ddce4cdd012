/**
 * Parser for LTL formulas over state expressions.
 *
 * Grammar, lowest to highest precedence:
 *   implies  := or ('->' implies)?                       right associative
 *   or       := and ('||' and)*
 *   and      := until ('&&' until)*
 *   until    := unary (('U' | 'R' | 'W') until)?        right associative
 *   unary    := ('!' | 'X' | 'F' | 'G' | '[]' | '<>') unary | primary
 *   primary  := '(' implies ')' | atom
 *   atom     := a state-expression `comparison` (see properties/expr/parse.ts); `true` and
 *               `false` on their own are the LTL constants
 *
 * `X F G U R W` are reserved only as whole words (`X1`, `T1.F` are names). A parenthesised
 * group followed by an arithmetic, comparison or index operator, as in `(a + b) == c`, is
 * re-read as the start of a state expression.
 */
import { ExprParser, type Token } from '../expr/parse.js';
import type { Ltl, LtlBinaryKind } from './ast.js';

const TEMPORAL_WORDS: ReadonlySet<string> = new Set(['X', 'F', 'G', 'U', 'R', 'W']);
const BINARY_TEMPORAL: ReadonlySet<string> = new Set(['U', 'R', 'W']);
/** Operators that can only continue a state expression, never an LTL formula. */
const EXPR_CONTINUATIONS: ReadonlySet<string> = new Set(['[', '+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=']);

class LtlParser {
  readonly p: ExprParser;

  constructor(source: string) {
    this.p = new ExprParser(source, { reserved: TEMPORAL_WORDS });
  }

  parseImplies(): Ltl {
    const left = this.parseOr();
    if (!this.p.at('->')) return left;
    this.p.next();
    return binary('implies', left, this.parseImplies());
  }

  parseOr(): Ltl {
    let left = this.parseAnd();
    while (this.p.at('||')) {
      this.p.next();
      left = binary('or', left, this.parseAnd());
    }
    return left;
  }

  parseAnd(): Ltl {
    let left = this.parseUntil();
    while (this.p.at('&&')) {
      this.p.next();
      left = binary('and', left, this.parseUntil());
    }
    return left;
  }

  parseUntil(): Ltl {
    const left = this.parseUnary();
    const t = this.p.peek();
    if (t.kind !== 'ident' || !BINARY_TEMPORAL.has(t.text)) return left;
    this.p.next();
    return binary(t.text as LtlBinaryKind, left, this.parseUntil());
  }

  parseUnary(): Ltl {
    const t = this.p.peek();
    const kind = unaryKind(t);
    if (kind === undefined) return this.parsePrimary();
    this.p.next();
    if (t.kind === 'ident' && !canStartFormula(this.p.peek())) {
      // In `F -> x` the writer meant a name; say why that is not allowed.
      throw this.p.error(`'${t.text}' is a temporal operator and needs an operand; it cannot be used as a name`, t);
    }
    const arg = this.parseUnary();
    return { kind, arg, span: { start: t.start, end: arg.span.end } };
  }

  parsePrimary(): Ltl {
    const t = this.p.peek();
    if (t.kind === 'ident' && BINARY_TEMPORAL.has(t.text)) {
      throw this.p.error(`expected a formula, found binary temporal operator '${t.text}'`, t);
    }
    if (t.kind === 'op' && t.text === '(') {
      const start = this.p.pos;
      const open = this.p.next();
      const inner = this.parseImplies();
      const close = this.p.expectClosing(')', open);
      const after = this.p.peek();
      if (!(after.kind === 'op' && EXPR_CONTINUATIONS.has(after.text))) {
        return { ...inner, span: { start: open.start, end: close.end } };
      }
      this.p.pos = start;
    }
    if (t.kind === 'eof' || (t.kind === 'op' && t.text !== '(' && t.text !== '-')) {
      throw this.p.error(`expected a formula, found ${t.kind === 'eof' ? 'end of input' : `'${t.text}'`}`, t);
    }
    const expr = this.p.parseComparison();
    if (expr.kind === 'bool') return { kind: expr.value ? 'true' : 'false', span: expr.span };
    return { kind: 'atom', expr, span: expr.span };
  }
}

function canStartFormula(t: Token): boolean {
  if (t.kind === 'num' || t.kind === 'ident') return true;
  return t.kind === 'op' && ['(', '-', '!', '[]', '<>'].includes(t.text);
}

function unaryKind(t: Token): 'not' | 'X' | 'F' | 'G' | undefined {
  if (t.kind === 'op') {
    if (t.text === '!') return 'not';
    if (t.text === '[]') return 'G';
    if (t.text === '<>') return 'F';
    return undefined;
  }
  if (t.kind === 'ident' && (t.text === 'X' || t.text === 'F' || t.text === 'G')) return t.text;
  return undefined;
}

function binary(kind: LtlBinaryKind, left: Ltl, right: Ltl): Ltl {
  return { kind, left, right, span: { start: left.span.start, end: right.span.end } };
}

/** Parses one LTL formula (the whole of `source`). Throws `ExprSyntaxError` with the offending span. */
export function parseLtl(source: string): Ltl {
  const parser = new LtlParser(source);
  parser.p.rejectEmpty('formula');
  const f = parser.parseImplies();
  parser.p.expectEnd('formula');
  return f;
}
