import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../reports/svg.js';
import { xmlProblems } from './xml-check.js';

describe('renderSvg', () => {
  it('renders DOT to an SVG document', async () => {
    const svg = await renderSvg('digraph { a -> b; a [label="hello"]; }');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg');
    expect(svg).toContain('>hello</text>');
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('rejects invalid DOT with Graphviz\'s message, and keeps working afterwards', async () => {
    await expect(renderSvg('digraph { a -> ; }')).rejects.toThrow(/Graphviz could not render the graph: .*syntax error/);
    await expect(renderSvg('digraph { ok; }')).resolves.toContain('>ok</text>');
  });

  it('reuses one Graphviz instance across calls', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => renderSvg(`digraph { n${i}; }`)));
    results.forEach((svg, i) => expect(svg).toContain(`>n${i}</text>`));
  });
});

describe('renderSvg resilience', () => {
  it('recovers when the WebAssembly Graphviz traps after an earlier graph', async () => {
    // Raw DOT on purpose (dotString avoids this): with @viz-js/viz 3.31 a graph label starting
    // with \l, rendered after a graph with a non-Latin label, traps with "table index is out of
    // bounds". renderSvg must answer anyway, from a fresh instance.
    await renderSvg('digraph { a [label="日"]; }');
    const svg = await renderSvg('digraph { label="\\lafter"; a; }');
    expect(svg).toContain('>after</text>');
    await expect(renderSvg('digraph { b; }')).resolves.toContain('>b</text>');
  });
});
