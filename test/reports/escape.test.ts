import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { instance } from '@viz-js/viz';
import { dotAttrs, dotId, dotString, htmlEscape, stripControl } from '../../reports/escape.js';

const INJECTION = 'a" ]; evil [label="x';

/** What Graphviz's parser keeps of a quoted string: only `\"` is an escape at that level. */
function parsedBody(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\"/g, '"');
}

/** Nodes (name and raw label attribute) of a graph, as Graphviz parsed it. */
async function parseNodes(dot: string): Promise<{ name: string; label: string }[]> {
  const viz = await instance();
  const json = viz.renderJSON(dot) as { objects?: { name: string; label: string }[] };
  return (json.objects ?? []).map((o) => ({ name: o.name, label: o.label }));
}

describe('dotString', () => {
  it.each([
    ['plain', 'hello', '"hello"'],
    ['empty', '', '""'],
    ['double quotes', 'say "hi"', '"say \\"hi\\""'],
    ['single quotes', "it's", `"it's"`],
    ['backslash', 'C:\\dir', '"C:\\\\dir"'],
    ['trailing backslash', 'end\\', '"end\\\\"'],
    ['backslash before quote', '\\"', '"\\\\\\""'],
    ['Graphviz escape stays literal', '\\N \\G \\l', '"\\\\N \\\\G \\\\l"'],
    ['LF becomes \\l', 'a\nb', '"a\\lb"'],
    ['CRLF is one break', 'a\r\nb', '"a\\lb"'],
    ['lone CR is a break', 'a\rb', '"a\\lb"'],
    ['trailing newline', 'a\n', '"a\\l"'],
    ['leading newline gets a space first', '\nx', '" \\lx"'],
    ['leading CRLF gets a space first', '\r\n', '" \\l"'],
    ['leading backslash-l is text, no space', '\\lx', '"\\\\lx"'],
    ['NUL removed', 'a\u0000b', '"ab"'],
    ['C0 controls removed', '\u0001\u0007\u0008\u000B\u000C\u001B[31mred', '"[31mred"'],
    ['DEL and C1 removed', 'x\u007F\u0085\u009Fy', '"xy"'],
    ['tab becomes space', 'a\tb', '"a b"'],
    ['non-characters removed', 'a\uFFFE\uFFFFb', '"ab"'],
    ['lone surrogate replaced', 'a\uD800b\uDC00', '"a\uFFFDb\uFFFD"'],
    ['unicode kept', 'größe → λ 🦀 日本', '"größe → λ 🦀 日本"'],
    ['HTML-like text stays text', '<b>x</b> & y', '"<b>x</b> & y"'],
    ['injection', INJECTION, '"a\\" ]; evil [label=\\"x"'],
    ['injection with newline', 'x"\n}\ndigraph{', '"x\\"\\l}\\ldigraph{"'],
  ])('%s', (_name, input, expected) => {
    expect(dotString(input)).toBe(expected);
  });

  it('keeps an injection attempt inside one label', async () => {
    const dot = `digraph { n [label=${dotString(INJECTION)}]; }`;
    const nodes = await parseNodes(dot);
    expect(nodes).toEqual([{ name: 'n', label: INJECTION }]);
  });

  it('keeps a NUL-laden, multi-line label whole', async () => {
    const nodes = await parseNodes(`digraph { n [label=${dotString('before\u0000after\nline "2"')}]; }`);
    expect(nodes).toEqual([{ name: 'n', label: 'beforeafter\\lline "2"' }]);
  });

  // One long-lived Graphviz instance on purpose: some labels (those starting with a line
  // break) corrupt its memory and only a later render fails.
  it.each([
    ['any string', fc.string({ unit: 'binary', maxLength: 40 }), 400],
    [
      'strings of awkward pieces',
      fc.string({ unit: fc.constantFrom('\n', '\r', '\\', '"', 'l', 'n', ' ', '\u0000', '🦀', '日', 'é', ']', '}'), maxLength: 12 }),
      1500,
    ],
  ] as const)('round-trips %s through the Graphviz parser as one label', async (_name, strings, numRuns) => {
    const viz = await instance();
    fc.assert(
      fc.property(strings, (s) => {
        const quoted = dotString(s);
        const json = viz.renderJSON(`digraph { n [label=${quoted}]; n -> n [label=${quoted}]; }`) as {
          objects?: { name: string; label: string }[];
        };
        expect(json.objects?.map((o) => o.name)).toEqual(['n']);
        expect(json.objects?.[0]?.label).toBe(parsedBody(quoted));
        expect(quoted).not.toMatch(/[\u0000-\u0008\u000A-\u001F\u007F]/);
        expect(quoted.startsWith('"\\l')).toBe(false);
      }),
      { numRuns },
    );
  });
});

describe('dotId', () => {
  it.each([
    ['plain identifier stays bare', 'lane_0', 'lane_0'],
    ['leading digit is quoted', '0lane', '"0lane"'],
    ['keyword is quoted', 'node', '"node"'],
    ['keyword in other case is quoted', 'SubGraph', '"SubGraph"'],
    ['punctuation is quoted', 'cpu-0', '"cpu-0"'],
    ['empty is quoted', '', '""'],
    ['non-ASCII is quoted', 'τ1', '"τ1"'],
    ['injection is quoted', INJECTION, '"a\\" ]; evil [label=\\"x"'],
  ])('%s', (_name, input, expected) => {
    expect(dotId(input)).toBe(expected);
  });

  it('names exactly one node, even for an injection attempt', async () => {
    const nodes = await parseNodes(`digraph { ${dotId(INJECTION)}; ${dotId('edge')}; }`);
    expect(nodes.map((n) => n.name)).toEqual([INJECTION, 'edge']);
  });
});

describe('dotAttrs', () => {
  it('quotes every value, skips undefined, keeps order', () => {
    expect(dotAttrs({ label: 'a"b', penwidth: 3, color: undefined, shape: 'box' })).toBe(
      '[label="a\\"b", penwidth="3", shape="box"]',
    );
  });
});

describe('htmlEscape', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['markup', '<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    ['ampersand first', '&lt;', '&amp;lt;'],
    ['single quote', "it's", 'it&#39;s'],
    ['attribute breakout', `" onload='x'`, '&quot; onload=&#39;x&#39;'],
    ['control characters removed', 'a\u0000b\u001Bc', 'abc'],
    ['newline kept', 'a\nb', 'a\nb'],
    ['unicode kept', 'λ → 🦀', 'λ → 🦀'],
  ])('%s', (_name, input, expected) => {
    expect(htmlEscape(input)).toBe(expected);
  });
});

describe('stripControl', () => {
  it('keeps line breaks for the caller to handle', () => {
    expect(stripControl('a\r\nb\n\u0000')).toBe('a\r\nb\n');
  });
});
