/**
 * Escaping for the text reports put into DOT (Graphviz) and HTML. Every label, tooltip and
 * identifier written into a DOT file goes through `dotString` or `dotId`, so that names coming
 * from user models (threads, CPUs, labels, instruction text) can never break out of a quoted
 * string and inject statements or attributes.
 */

/**
 * Characters removed from all output:
 * - NUL: Graphviz keeps strings as C strings, so a NUL silently truncates the rest of a label
 *   (and the DOT scanner rejects it in some versions);
 * - the other C0 controls except tab/LF/CR (handled separately), DEL and the C1 controls:
 *   Graphviz copies them verbatim into SVG, where most of them are not legal XML 1.0 characters,
 *   so the SVG would fail to parse; the rest render as nothing useful;
 * - U+FFFE and U+FFFF, which are not characters and are also illegal in XML.
 */
const DROPPED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;

/** A surrogate half without its partner cannot be encoded as UTF-8; Node would write U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Line breaks in any convention (CRLF counts once). */
const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Cleans text for Graphviz/XML output: drops NUL and other control characters (see `DROPPED`),
 * turns tabs into spaces and lone surrogates into U+FFFD. Line breaks are kept.
 */
export function stripControl(s: string): string {
  return s.replace(DROPPED, '').replace(/\t/g, ' ').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Returns `s` as a double-quoted DOT string, safe to use as any attribute value or identifier.
 *
 * - `\` becomes `\\` and `"` becomes `\"`, so Graphviz escape sequences in the input (`\N`, `\G`,
 *   `\l`, ...) show literally instead of being expanded;
 * - every line break (LF, CRLF or CR) becomes `\l`, Graphviz's "end of a left-justified line";
 *   text on a line after the last break is centred, so a caller wanting every line
 *   left-justified ends its text with a newline;
 * - control characters are removed or replaced as described for `stripControl`;
 * - text that starts with a line break gets a space in front (an invisible first line): the
 *   WebAssembly Graphviz of @viz-js/viz 3.31 corrupts its memory on a label that begins with
 *   `\l` or `\n` once it has rendered an earlier graph, and a later call fails with
 *   "table index is out of bounds".
 *
 * The result never contains a raw newline, an unescaped quote or a trailing lone backslash.
 */
export function dotString(s: string): string {
  const body = stripControl(s)
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(LINE_BREAK, '\\l');
  return body.startsWith('\\l') ? `" ${body}"` : `"${body}"`;
}

/** DOT keywords (case-insensitive) cannot be bare identifiers. */
const DOT_KEYWORDS = new Set(['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict']);

/**
 * Returns `s` as a DOT identifier: bare when it is a plain ASCII identifier that is not a
 * keyword (keeps generated DOT readable), otherwise quoted with `dotString`. Distinct inputs
 * give distinct identifiers except where `dotString` drops, replaces or adds characters.
 */
export function dotId(s: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !DOT_KEYWORDS.has(s.toLowerCase())) return s;
  return dotString(s);
}

/**
 * Escapes text for HTML element content and (single- or double-quoted) attribute values:
 * `& < > " '` become character references. Control characters are cleaned as for DOT, since
 * an HTML report may embed SVG and must stay well-formed XML there.
 */
export function htmlEscape(s: string): string {
  return stripControl(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Attribute values for `dotAttrs`; `undefined` leaves the attribute out. */
export type DotAttrs = Readonly<Record<string, string | number | undefined>>;

/**
 * `[k1="v1", k2="v2"]` in the object's insertion order, keys through `dotId` and every value
 * (numbers too) through `dotString`.
 */
export function dotAttrs(a: DotAttrs): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    if (v !== undefined) parts.push(`${dotId(k)}=${dotString(String(v))}`);
  }
  return `[${parts.join(', ')}]`;
}
