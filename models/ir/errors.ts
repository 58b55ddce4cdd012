import { distance } from 'fastest-levenshtein';
/** A located problem in user input (a model, a policy, a property, a command-line option). */
export interface InputError {
  readonly code: InputErrorCode;
  /** The file (or "<builder>", "<command line>") the input came from. */
  readonly file: string;
  /** Path of the offending field, e.g. ['programs', 'inc', 7, 'target']. */
  readonly path: readonly (string | number)[];
  readonly line?: number;
  readonly column?: number;
  /** One sentence, no stack trace. */
  readonly message: string;
  /** e.g. "did you mean 'abort'?" */
  readonly hint?: string;
}

export type InputErrorCode =
  | 'bad-json'
  | 'schema'
  | 'unknown-label'
  | 'duplicate-label'
  | 'jump-out-of-range'
  | 'unknown-program'
  | 'unknown-descriptor'
  | 'unknown-variable'
  | 'unknown-register'
  | 'unknown-cpu'
  | 'unknown-thread'
  | 'bad-descriptor'
  | 'bad-thread'
  | 'bad-memory'
  | 'bad-id-value'
  | 'bad-handler'
  | 'unknown-knob'
  | 'bad-knob-value'
  | 'unknown-policy'
  | 'unknown-model'
  | 'unknown-param'
  | 'bad-param'
  | 'bad-budget'
  | 'bad-property'
  | 'unknown-property'
  | 'bad-option'
  | 'bad-file';

/** Thrown (and caught by the CLI and the library) to carry input errors as values. */
export class InputErrors extends Error {
  constructor(readonly errors: readonly InputError[]) {
    super(errors.map(formatInputError).join('\n'));
  }
}

/** `file:line:col: code: path: message (hint)` — the form editors understand. */
export function formatInputError(e: InputError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column ?? 1}` : e.file;
  const path = e.path.length > 0 ? `${formatPath(e.path)}: ` : '';
  return `${where}: ${e.code}: ${path}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}

export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** The closest candidate by edit distance (ignoring case; the first of equals), if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
