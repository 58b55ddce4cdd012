/**
 * Lexer, recursive-descent parser and canonical printer for state expressions.
 *
 * Grammar, lowest to highest precedence:
 *   implies    := or ('->' implies)?                      right associative
 *   or         := and ('||' and)*
 *   and        := not ('&&' not)*
 *   not        := '!' not | comparison
 *   comparison := additive (('=='|'!='|'<'|'<='|'>'|'>=') additive)?   non-associative
 *   additive   := multiplicative (('+'|'-') multiplicative)*
 *   multiplicative := unary (('*'|'/'|'%') unary)*
 *   unary      := '-' unary | postfix
 *   postfix    := primary ('[' implies ']')*
 *   primary    := integer | 'true' | 'false' | name | name '(' (implies (',' implies)*)? ')' | '(' implies ')'
 *
 * The LTL parser (properties/ltl/parse.ts) drives `ExprParser` directly: it shares the token
 * stream and asks for a `comparison` wherever an atom may start, with the temporal operator
 * words reserved.
 */
import { ExprSyntaxError, type BinaryOp, type Expr, type Span } from './ast.js';

export type TokenKind = 'num' | 'ident' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token ('' for end of input). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Punctuation, longest first so that the lexer is greedy. `[]` and `<>` exist for LTL. */
const OPERATORS = ['->', '||', '&&', '==', '!=', '<=', '>=', '<>', '[]', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', ','];

/** Single characters that are almost an operator: a hint beats a bare "unexpected character". */
const NEAR_MISSES: Record<string, string> = { '=': '==', '&': '&&', '|': '||' };

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_.']/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Splits `source` into tokens ending with one `eof` token. Throws `ExprSyntaxError` on a bad character or number. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c)) {
      while (i < source.length && isDigit(source[i]!)) i++;
      if (i < source.length && isIdentPart(source[i]!)) {
        while (i < source.length && isIdentPart(source[i]!)) i++;
        throw new ExprSyntaxError(`invalid number '${source.slice(start, i)}'`, { start, end: i }, source);
      }
      tokens.push({ kind: 'num', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < source.length && isIdentPart(source[i]!)) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      tokens.push({ kind: 'op', text: op, start, end: i });
      continue;
    }
    // LTL tools (SPIN, LTL2BA) write single | and & for disjunction and conjunction.
    if (c === '|' || c === '&') {
      i++;
      tokens.push({ kind: 'op', text: c + c, start, end: i });
      continue;
    }
    const hint = NEAR_MISSES[c];
    const shown = JSON.stringify(c).slice(1, -1);
    throw new ExprSyntaxError(
      hint ? `unexpected character '${shown}' (did you mean '${hint}'?)` : `unexpected character '${shown}'`,
      { start, end: start + 1 },
      source,
    );
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}

/** 1-based line and column of `offset` in `source`. */
function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** `line:col` of `offset`, as used inside error messages. */
function describePosition(source: string, offset: number): string {
  const { line, column } = lineColumn(source, offset);
  return `${line}:${column}`;
}

/** How a token is named in "found ..." messages. */
function describeToken(t: Token): string {
  return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);

export interface ExprParserOptions {
  /**
   * Words that may not be used as names (the LTL temporal operators). Meeting one where an
   * operand is expected is an error that says why.
   */
  readonly reserved?: ReadonlySet<string>;
}

/**
 * A cursor over the tokens of one source text. Each `parse*` method consumes exactly the
 * tokens of the construct it names and leaves `pos` at the first token after it; they throw
 * `ExprSyntaxError` and never return partial trees.
 */
export class ExprParser {
  readonly tokens: Token[];
  pos = 0;
  private readonly reserved: ReadonlySet<string>;

  constructor(
    readonly source: string,
    options: ExprParserOptions = {},
  ) {
    this.tokens = tokenize(source);
    this.reserved = options.reserved ?? new Set();
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  /** True if the current token is the operator `text`. */
  at(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  error(message: string, span: Span): ExprSyntaxError {
    return new ExprSyntaxError(message, span, this.source);
  }

  /** Consumes the closing `close` of a group opened by `open`, or throws naming where it was opened. */
  expectClosing(close: string, open: Token, what = ''): Token {
    if (this.at(close)) return this.next();
    const t = this.peek();
    const where = describePosition(this.source, open.start);
    throw this.error(`expected '${close}' to close '${open.text}'${what} at ${where}, found ${describeToken(t)}`, t);
  }

  /** Throws unless every token has been consumed. */
  expectEnd(what: string): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(`unexpected ${describeToken(t)} after the end of the ${what}`, t);
  }

  /** Throws the "empty input" error if there are no tokens at all. */
  rejectEmpty(what: string): void {
    if (this.tokens.length === 1) throw this.error(`empty ${what}`, { start: 0, end: this.source.length });
  }

  parseImplies(): Expr {
    const left = this.parseOr();
    if (!this.at('->')) return left;
    this.next();
    const right = this.parseImplies();
    return binary('->', left, right);
  }

  parseOr(): Expr {
    let left = this.parseAnd();
    while (this.at('||')) {
      this.next();
      left = binary('||', left, this.parseAnd());
    }
    return left;
  }

  parseAnd(): Expr {
    let left = this.parseNot();
    while (this.at('&&')) {
      this.next();
      left = binary('&&', left, this.parseNot());
    }
    return left;
  }

  parseNot(): Expr {
    if (!this.at('!')) return this.parseComparison();
    const bang = this.next();
    const arg = this.parseNot();
    return { kind: 'unary', op: '!', arg, span: { start: bang.start, end: arg.span.end } };
  }

  parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.kind !== 'op' || !COMPARISONS.has(t.text)) return left;
    this.next();
    const right = this.parseAdditive();
    const again = this.peek();
    if (again.kind === 'op' && COMPARISONS.has(again.text)) {
      throw this.error(`comparison operators do not chain: add parentheses around '${this.source.slice(left.span.start, right.span.end)}'`, again);
    }
    return binary(t.text as BinaryOp, left, right);
  }

  parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.at('+') || this.at('-')) {
      const op = this.next().text as BinaryOp;
      left = binary(op, left, this.parseMultiplicative());
    }
    return left;
  }

  parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.at('*') || this.at('/') || this.at('%')) {
      const op = this.next().text as BinaryOp;
      left = binary(op, left, this.parseUnary());
    }
    return left;
  }

  parseUnary(): Expr {
    if (!this.at('-')) return this.parsePostfix();
    const minus = this.next();
    const arg = this.parseUnary();
    return { kind: 'unary', op: '-', arg, span: { start: minus.start, end: arg.span.end } };
  }

  parsePostfix(): Expr {
    let base = this.parsePrimary();
    while (this.at('[')) {
      const open = this.next();
      const index = this.parseImplies();
      const close = this.expectClosing(']', open);
      base = { kind: 'index', base, index, span: { start: base.span.start, end: close.end } };
    }
    return base;
  }

  parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.next();
      const value = Number(t.text);
      if (!Number.isSafeInteger(value)) throw this.error(`integer literal '${t.text}' is out of range`, t);
      return { kind: 'num', value, span: span(t) };
    }
    if (t.kind === 'ident') {
      if (this.reserved.has(t.text)) {
        throw this.error(`expected an operand, found temporal operator '${t.text}' (temporal operators cannot appear inside a state expression)`, t);
      }
      this.next();
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span: span(t) };
      if (!this.at('(')) return { kind: 'name', name: t.text, span: span(t) };
      const open = this.next();
      const args: Expr[] = [];
      if (!this.at(')')) {
        for (;;) {
          args.push(this.parseImplies());
          if (!this.at(',')) break;
          this.next();
        }
      }
      const close = this.expectClosing(')', open, ` of the arguments of '${t.text}'`);
      return { kind: 'call', fn: t.text, args, span: { start: t.start, end: close.end } };
    }
    if (t.kind === 'op' && t.text === '(') {
      const open = this.next();
      const inner = this.parseImplies();
      const close = this.expectClosing(')', open);
      return withSpan(inner, { start: open.start, end: close.end });
    }
    if (t.kind === 'op' && t.text === '!') {
      throw this.error(`'!' binds looser than comparisons and arithmetic: write '(!...)' here`, t);
    }
    throw this.error(`expected an expression, found ${describeToken(t)}`, t);
  }
}

function span(t: Token): Span {
  return { start: t.start, end: t.end };
}

function binary(op: BinaryOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
}

/** A copy of `e` whose span covers the surrounding parentheses too, so errors can point at them. */
function withSpan(e: Expr, s: Span): Expr {
  return { ...e, span: s };
}

/** Parses one state expression (the whole of `source`). Throws `ExprSyntaxError`. */
export function parseExpr(source: string): Expr {
  const p = new ExprParser(source);
  p.rejectEmpty('expression');
  const e = p.parseImplies();
  p.expectEnd('expression');
  return e;
}

/**
 * `file:line:col: message`, then the offending source line and a caret line underlining the
 * span (clipped to that line). Without `file` the prefix is `line:col: `.
 */
export function formatExprError(e: ExprSyntaxError, file?: string): string {
  const { line, column } = e.position();
  const lines = e.source.split('\n');
  const text = lines[line - 1] ?? '';
  const lineStart = e.span.start - (column - 1);
  const width = Math.max(1, Math.min(e.span.end, lineStart + text.length) - e.span.start);
  // Keep tabs from the source so the caret lines up however the terminal expands them.
  const pad = text.slice(0, column - 1).replace(/[^\t]/g, ' ');
  const caret = pad + '^' + '~'.repeat(width - 1);
  const where = file === undefined ? `${line}:${column}` : `${file}:${line}:${column}`;
  return `${where}: ${e.message}\n${text}\n${caret}`;
}

const BINARY_PRECEDENCE: Record<BinaryOp, number> = {
  '->': 1,
  '||': 2,
  '&&': 3,
  '==': 5,
  '!=': 5,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
const NOT_PRECEDENCE = 4;
const COMPARISON_PRECEDENCE = 5;
const NEG_PRECEDENCE = 8;
const POSTFIX_PRECEDENCE = 9;

/** The precedence level an expression prints at (see the grammar above). */
export function exprPrecedence(e: Expr): number {
  switch (e.kind) {
    case 'binary':
      return BINARY_PRECEDENCE[e.op];
    case 'unary':
      return e.op === '!' ? NOT_PRECEDENCE : NEG_PRECEDENCE;
    case 'num':
      return e.value < 0 ? NEG_PRECEDENCE : POSTFIX_PRECEDENCE;
    default:
      return POSTFIX_PRECEDENCE;
  }
}

/** Precedence of comparisons: an LTL atom printed at this level or tighter needs no parentheses. */
export const EXPR_COMPARISON_PRECEDENCE = COMPARISON_PRECEDENCE;

/**
 * Canonical text of `e` with the fewest parentheses that make `parseExpr` rebuild the same tree
 * (spans aside). Also the structural identity of LTL atoms.
 */
export function formatExpr(e: Expr): string {
  const wrap = (sub: Expr, min: number): string => {
    const s = formatExpr(sub);
    return exprPrecedence(sub) >= min ? s : `(${s})`;
  };
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'bool':
      return String(e.value);
    case 'name':
      return e.name;
    case 'index':
      return `${wrap(e.base, POSTFIX_PRECEDENCE)}[${formatExpr(e.index)}]`;
    case 'call':
      return `${e.fn}(${e.args.map(formatExpr).join(', ')})`;
    case 'unary':
      if (e.op === '-') return `-${wrap(e.arg, NEG_PRECEDENCE)}`;
      // `!a == b` would parse back the same, but readers take it for `(!a) == b`.
      return `!${e.arg.kind === 'binary' ? `(${formatExpr(e.arg)})` : wrap(e.arg, NOT_PRECEDENCE)}`;
    case 'binary': {
      const p = BINARY_PRECEDENCE[e.op];
      if (e.op === '->') return `${wrap(e.left, p + 1)} -> ${wrap(e.right, p)}`;
      if (p === COMPARISON_PRECEDENCE) return `${wrap(e.left, p + 1)} ${e.op} ${wrap(e.right, p + 1)}`;
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
  }
}
