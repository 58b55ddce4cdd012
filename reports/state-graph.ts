/**
 * The explored state graph (or a slice of it) as DOT. Only small graphs are drawable: Graphviz
 * layout time grows quickly and a picture of thousands of states helps nobody. Written by hand,
 * not with ts-graphviz: see reports/dot.ts (8.7× slower on a 2 000-state graph of this shape).
 */
import type { StateGraph } from '../run/state-graph.js';
import { dotAttrs, dotId } from './escape.js';

/** Thrown by `stateGraphToDot` when the graph has more states than the drawing limit. */
export class GraphTooLargeError extends Error {
  override readonly name = 'GraphTooLargeError';
  constructor(
    readonly states: number,
    readonly limit: number,
  ) {
    super(`state graph has ${states} states; the limit for drawing is ${limit}`);
  }
}

/**
 * Renders `graph` as a DOT digraph, nodes and edges in the given order (so equal input gives
 * byte-identical output). Throws `GraphTooLargeError` when there are more than `limit` nodes,
 * and `RangeError` for a duplicate node id or an edge whose end is not a node (Graphviz would
 * otherwise invent an unlabelled node and hide the bug).
 */
export function stateGraphToDot(graph: StateGraph, limit = 500): string {
  if (graph.nodes.length > limit) throw new GraphTooLargeError(graph.nodes.length, limit);
  const ids = new Set<number>();
  for (const n of graph.nodes) {
    if (ids.has(n.id)) throw new RangeError(`state graph: duplicate state id ${n.id}`);
    ids.add(n.id);
  }
  for (const e of graph.edges) {
    for (const end of [e.from, e.to]) {
      if (!ids.has(end)) throw new RangeError(`state graph: edge ${e.from} -> ${e.to} names unknown state ${end}`);
    }
  }

  const font = 'Helvetica';
  const out = [
    `digraph ${dotId('states')} {`,
    `  graph ${dotAttrs({ rankdir: 'TB', fontname: font })};`,
    `  node ${dotAttrs({ shape: 'box', style: 'rounded', fontname: font, fontsize: 10 })};`,
    `  edge ${dotAttrs({ fontname: font, fontsize: 9 })};`,
  ];
  for (const n of graph.nodes) {
    const look = n.violation === true
      ? { style: 'rounded,filled,bold', color: 'red', penwidth: 2, fillcolor: '#ffd6d6' }
      : {};
    out.push(`  ${stateId(n.id)} ${dotAttrs({ label: n.label, ...look })};`);
  }
  for (const e of graph.edges) {
    out.push(`  ${stateId(e.from)} -> ${stateId(e.to)} ${dotAttrs({ label: e.label })};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function stateId(id: number): string {
  return dotId(`s${id}`);
}
