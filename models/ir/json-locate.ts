/**
 * Finds lines and columns in JSON text, so that errors in a model file or a saved result point
 * where an editor can jump. jsonc-parser (VS Code's JSON scanner) finds the offsets; this turns
 * them into lines and columns (1-based, as editors and `file:line:col` links count).
 */
import { findNodeAtLocation, parse, parseTree, type Node, type ParseError } from 'jsonc-parser';

type Location = { line: number; column: number };

/** jsonc-parser must be as strict as JSON.parse: no comments, no trailing commas. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** The last text's tree: a model with many errors asks for many paths in one text. */
let cached: { text: string; root: Node | undefined } | undefined;

/**
 * Where the value at a field path lies in JSON text that JSON.parse accepted. Where the path
 * leaves the text (a missing field or index), the answer is the closing brace or bracket of the
 * last object or array it reached (where the field would go), or the value that is not an
 * object or array.
 */
export function locateJsonPath(text: string, path: readonly (string | number)[]): Location | undefined {
  if (cached?.text !== text) cached = { text, root: parseTree(text, [], STRICT) };
  let node = cached.root;
  if (node === undefined) return undefined;
  for (const key of path) {
    const next = findNodeAtLocation(node, [key]);
    if (next === undefined) {
      const container = (node.type === 'object' && typeof key === 'string') || (node.type === 'array' && typeof key === 'number');
      return lineColumn(text, container ? node.offset + node.length - 1 : node.offset);
    }
    node = next;
  }
  return lineColumn(text, node.offset);
}

/**
 * Where JSON.parse failed on `text`, given its error message: V8's own position when the
 * message has one (exact, e.g. the control character inside a string), else the first error
 * jsonc-parser finds. Node 20's V8 gives none for an unexpected token or the end of the text,
 * which were reported at 1:1 before jsonc-parser (`[1, 2,]` on line 40 is now 40:10).
 */
export function locateJsonSyntaxError(text: string, message: string): Location {
  const v8 = /position (\d+)/.exec(message);
  if (v8) return lineColumn(text, Number(v8[1]));
  const errors: ParseError[] = [];
  parse(text, errors, STRICT);
  return lineColumn(text, errors[0]?.offset ?? 0);
}

/**
 * Where line `line`, column `column` of a string value (an expression written in a model file)
 * lies in the file: the string's own position plus the offset inside it. Expressions are one
 * line; an escape before the column would shift it, which this does not undo.
 */
export function locateInJsonString(text: string, path: readonly (string | number)[], line: number, column: number): Location | undefined {
  const at = locateJsonPath(text, path);
  if (at === undefined || line !== 1) return at;
  // `at` points at the opening quote; the expression's first character is one further.
  return { line: at.line, column: at.column + column };
}

function lineColumn(text: string, offset: number): Location {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
