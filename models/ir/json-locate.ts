/**
 * Finds the line and column of a value in JSON text by its field path, so that errors in a
 * model file point where an editor can jump. A small scanner, not a second JSON parser: it
 * assumes the text already parsed with JSON.parse.
 */
export function locateJsonPath(text: string, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const skipString = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const skipValue = (): void => {
    ws();
    const c = text[pos];
    if (c === '"') skipString();
    else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      pos++;
      ws();
      if (text[pos] === close) {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          skipString();
          ws();
          pos++; // ':'
        }
        skipValue();
        ws();
        if (text[pos] === ',') pos++;
        else {
          pos++;
          return;
        }
      }
    } else while (pos < text.length && !/[\s,}\]]/.test(text[pos]!)) pos++;
  };
  const descend = (key: string | number): boolean => {
    ws();
    const c = text[pos];
    if (c === '{' && typeof key === 'string') {
      pos++;
      for (;;) {
        ws();
        if (text[pos] === '}') return false;
        const k = skipString();
        ws();
        pos++;
        ws();
        if (k === key) return true;
        skipValue();
        ws();
        if (text[pos] === ',') pos++;
      }
    }
    if (c === '[' && typeof key === 'number') {
      pos++;
      for (let i = 0; ; i++) {
        ws();
        if (text[pos] === ']') return false;
        if (i === key) return true;
        skipValue();
        ws();
        if (text[pos] === ',') pos++;
      }
    }
    return false;
  };
  try {
    for (const key of path) if (!descend(key)) break;
    ws();
  } catch {
    return undefined;
  }
  const before = text.slice(0, pos);
  return { line: before.split('\n').length, column: pos - before.lastIndexOf('\n') };
}

/**
 * Where line `line`, column `column` of a string value (an expression written in a model file)
 * lies in the file: the string's own position plus the offset inside it. Expressions are one
 * line; an escape before the column would shift it, which this does not undo.
 */
export function locateInJsonString(text: string, path: readonly (string | number)[], line: number, column: number): { line: number; column: number } | undefined {
  const at = locateJsonPath(text, path);
  if (at === undefined || line !== 1) return at;
  // `at` points at the opening quote; the expression's first character is one further.
  return { line: at.line, column: at.column + column };
}
