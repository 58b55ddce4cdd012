/**
 * A small XML well-formedness check for SVG output, so the tests need no XML library: every
 * start tag is closed in order, attributes are quoted, entities are known or numeric, and no
 * character outside XML 1.0's range appears. Returns the problems found (empty when fine).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) problems.push('illegal character');
  const stack: string[] = [];
  let roots = 0;
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<!\[CDATA\[[\s\S]*?\]\]>|<\/?([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  for (const m of xml.matchAll(token)) {
    const text = m[0];
    if (text === '<') problems.push(`stray '<' at ${m.index}`);
    else if (text.startsWith('&')) problems.push(`bad entity at ${m.index}`);
    else if (m[1] !== undefined) {
      if (text.startsWith('</')) {
        const open = stack.pop();
        if (open !== m[1]) problems.push(`</${m[1]}> closes <${open ?? 'nothing'}>`);
      } else if (m[3] === '/') {
        if (stack.length === 0) roots++;
      } else {
        if (stack.length === 0) roots++;
        stack.push(m[1]);
      }
    }
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
