/**
 * The abstract syntax of state expressions (safety invariants, final-state conditions and the
 * atoms of LTL formulas). Positions are 0-based offsets into the source text.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '->';

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  /** A bare name: a memory variable, a thread or CPU name, a parameter. */
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  /** `base[index]`. */
  | { readonly kind: 'index'; readonly base: Expr; readonly index: Expr; readonly span: Span }
  /** `fn(arg, ...)`, e.g. `sum(counter)`, `in_cs(T1)`, `on_cpu(T1, C0)`. */
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly arg: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span };

/** A located parse error: message plus the offending span of the source text. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly source: string,
  ) {
    super(message);
  }

  /** 1-based line and column of the error start. */
  position(): { line: number; column: number } {
    const before = this.source.slice(0, this.span.start);
    const line = before.split('\n').length;
    const column = this.span.start - before.lastIndexOf('\n');
    return { line, column };
  }
}
