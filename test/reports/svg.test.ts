import { describe, expect, it, vi } from 'vitest';
import * as vizModule from '@viz-js/viz';
import { renderSvg } from '../../reports/svg.js';
import { xmlProblems } from './xml-check.js';

// Counts the Graphviz instances renderSvg creates, still creating real ones.
vi.mock('@viz-js/viz', async (importOriginal) => {
  const real = await importOriginal<typeof import('@viz-js/viz')>();
  return { ...real, instance: vi.fn(real.instance) };
});
const instances = (): number => vi.mocked(vizModule.instance).mock.calls.length;

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

  it('reuses one Graphviz instance across calls, also across calls made before it is ready', async () => {
    // A fresh copy of the module: its first five calls start together, before any instance exists.
    vi.resetModules();
    const fresh = await import('../../reports/svg.js');
    const before = instances();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => fresh.renderSvg(`digraph { n${i}; }`)));
    results.forEach((svg, i) => expect(svg).toContain(`>n${i}</text>`));
    await fresh.renderSvg('digraph { later; }');
    expect(instances() - before).toBe(1);
  });
});

describe('renderSvg resilience', () => {
  it('recovers when the WebAssembly Graphviz traps after an earlier graph, on one fresh instance', async () => {
    // Raw DOT on purpose (dotString avoids this): with @viz-js/viz 3.31 a graph label starting
    // with \l, rendered after a graph with a non-Latin label, traps ("null function or function
    // signature mismatch"), but only on an instance with no other history (after the graphs of
    // the tests above it renders fine): hence a fresh module. renderSvg must answer anyway, from
    // a second instance, and keep using that one.
    vi.resetModules();
    const fresh = await import('../../reports/svg.js');
    const before = instances();
    await fresh.renderSvg('digraph { a [label="日"]; }');
    expect(instances() - before).toBe(1);
    const svg = await fresh.renderSvg('digraph { label="\\lafter"; a; }');
    expect(svg).toContain('>after</text>');
    await expect(fresh.renderSvg('digraph { b; }')).resolves.toContain('>b</text>');
    expect(instances() - before).toBe(2);
  });
});
