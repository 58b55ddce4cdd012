import { describe, expect, it } from 'vitest';
import { instance } from '@viz-js/viz';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import { resolveModel } from '../../models/library/resolve.js';
import { validateModel } from '../../models/ir/validate.js';
import { modelStateGraph, type StateGraph } from '../../run/state-graph.js';
import { GraphTooLargeError, stateGraphToDot } from '../../reports/state-graph.js';
import { renderSvg } from '../../reports/svg.js';
import { xmlProblems } from './xml-check.js';

const small: StateGraph = {
  nodes: [
    { id: 0, label: 'init\nT1@start' },
    { id: 1, label: 'T1 in cs_inc' },
    { id: 2, label: 'lost update', violation: true },
  ],
  edges: [
    { from: 0, to: 1, label: 'T1: arm' },
    { from: 1, to: 2, label: 'migrate T1' },
    { from: 1, to: 0, label: 'abort' },
  ],
};

function chainGraph(n: number): StateGraph {
  return {
    nodes: Array.from({ length: n }, (_, id) => ({ id, label: `s${id}` })),
    edges: Array.from({ length: Math.max(0, n - 1) }, (_, id) => ({ from: id, to: id + 1, label: 'step' })),
  };
}

describe('stateGraphToDot', () => {
  it('emits nodes and edges in the given order, violations in red', () => {
    expect(stateGraphToDot(small)).toBe(
      [
        'digraph states {',
        '  graph [rankdir="TB", fontname="Helvetica"];',
        '  node [shape="box", style="rounded", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
        '  s0 [label="init\\lT1@start"];',
        '  s1 [label="T1 in cs_inc"];',
        '  s2 [label="lost update", style="rounded,filled,bold", color="red", penwidth="2", fillcolor="#ffd6d6"];',
        '  s0 -> s1 [label="T1: arm"];',
        '  s1 -> s2 [label="migrate T1"];',
        '  s1 -> s0 [label="abort"];',
        '}',
        '',
      ].join('\n'),
    );
  });

  // stateGraphToDot is a pure function of its input, and the test above pins its output; what
  // could vary is the graph the checker explores. Two separate explorations (two loads of the
  // model, two systems, two state stores) must number states and list edges identically.
  it('draws byte-identical DOT from two separate explorations of the same model', () => {
    const draw = (): string => {
      const m = resolveModel('percpu-counter', ['threads=1', 'ops=1', 'signals=0']);
      return stateGraphToDot(modelStateGraph(m.ir, { constants: m.constants, budgets: { preemptions: 1, migrations: 1 } }));
    };
    const first = draw();
    expect(first.match(/^ {2}s\d+ \[label=/gm)).toHaveLength(28); // as explored today (44 before cpu-compare-prefix, 50 before quiet-exit, 53 before jump-threading, 59 before dead-rseq-cs)
    expect(draw()).toBe(first);
  });

  it('draws the explored graph of a one-thread model exactly', () => {
    // One thread, `nop; done`, no kernel events: three states in a line.
    const v = validateModel(new ModelBuilder('line').cpus(1).program('main', [I.nop(), I.done()]).thread({ program: 'main' }).budgets({ preemptions: 0, migrations: 0, signals: 0, interrupts: 0, traps: 0 }).build());
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    expect(stateGraphToDot(modelStateGraph(v.ir))).toBe(
      [
        'digraph states {',
        '  graph [rankdir="TB", fontname="Helvetica"];',
        '  node [shape="box", style="rounded", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
        '  s0 [label="T1 running C0 main:0"];',
        '  s1 [label="T1 running C0 main:1"];',
        '  s2 [label="T1 done"];',
        '  s0 -> s1 [label="instruction T1"];',
        '  s1 -> s2 [label="instruction T1"];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('stops at a signal, a time or a memory limit, keeping the states seen and naming the limit', () => {
    const m = resolveModel('percpu-counter');
    const options = { constants: m.constants, budgets: { preemptions: 1, migrations: 1 } };
    const whole = modelStateGraph(m.ir, options);
    const aborted = new AbortController();
    aborted.abort('SIGTERM');
    // Each limit is looked at before the first state expands: only the initial state is seen.
    const cases = [
      [{ signal: aborted.signal }, { kind: 'interrupted', signal: 'SIGTERM' }],
      [{ maxSeconds: 0 }, { kind: 'time', bound: 0 }],
      [{ maxMemoryMB: 1 }, { kind: 'memory', bound: 1 }],
    ] as const;
    for (const [limit, stoppedBy] of cases) {
      const cut = modelStateGraph(m.ir, { ...options, ...limit });
      expect(cut.stoppedBy).toEqual(stoppedBy);
      expect(cut.nodes).toEqual(whole.nodes.slice(0, 1));
      expect(cut.edges).toEqual([]);
    }
    expect(whole.stoppedBy).toBeUndefined();
    expect(modelStateGraph(m.ir, { ...options, maxSeconds: 600, maxMemoryMB: 1 << 20 })).toEqual(whole);
  });

  it('draws up to the limit and refuses above it with a clear message', () => {
    expect(() => stateGraphToDot(chainGraph(500))).not.toThrow();
    expect(() => stateGraphToDot(chainGraph(501))).toThrow(
      new GraphTooLargeError(501, 500),
    );
    expect(() => stateGraphToDot(chainGraph(501))).toThrow('state graph has 501 states; the limit for drawing is 500');
    try {
      stateGraphToDot(chainGraph(11), 10);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GraphTooLargeError);
      expect(e).toBeInstanceOf(Error);
      const err = e as GraphTooLargeError;
      expect([err.name, err.states, err.limit, err.message]).toEqual([
        'GraphTooLargeError', 11, 10, 'state graph has 11 states; the limit for drawing is 10',
      ]);
    }
  });

  it('rejects edges to unknown states and duplicate ids', () => {
    expect(() => stateGraphToDot({ nodes: [{ id: 0, label: 'a' }], edges: [{ from: 0, to: 9, label: 'x' }] })).toThrow(
      /unknown state 9/,
    );
    expect(() => stateGraphToDot({ nodes: [{ id: 0, label: 'a' }, { id: 0, label: 'b' }], edges: [] })).toThrow(
      /duplicate state id 0/,
    );
  });

  it('escapes hostile labels and odd ids', async () => {
    const dot = stateGraphToDot({
      nodes: [{ id: -1, label: 'a" ]; evil [label="x' }, { id: 2, label: 'nul\u0000 ok' }],
      edges: [{ from: -1, to: 2, label: '"}\ndigraph {' }],
    });
    const viz = await instance();
    const json = viz.renderJSON(dot) as { objects: { name: string; label: string }[]; edges: { label: string }[] };
    expect(json.objects.map((o) => [o.name, o.label])).toEqual([
      ['s-1', 'a" ]; evil [label="x'],
      ['s2', 'nul ok'],
    ]);
    expect(json.edges.map((e) => e.label)).toEqual(['"}\\ldigraph {']);
  });

  it('renders to well-formed SVG', async () => {
    const svg = await renderSvg(stateGraphToDot(small));
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('lost update');
    expect(xmlProblems(svg)).toEqual([]);
  });
});
