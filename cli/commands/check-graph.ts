import { extname } from 'node:path';
import type { ResolvedModel } from '../../models/library/resolve.js';
import type { GraphJson } from '../../reports/json.js';
import { GraphTooLargeError, stateGraphToDot } from '../../reports/state-graph.js';
import { renderSvg } from '../../reports/svg.js';
import type { CheckOptions } from '../../run/options.js';
import { modelStateGraph } from '../../run/state-graph.js';
import { badOption } from '../options.js';
import type { Output } from '../output.js';
import { writeFileAtomic } from '../output-paths.js';

/** States a drawing may hold: Graphviz layout time grows quickly, and nobody reads more. */
const DRAWING_LIMIT = 500;

/** The format `--graph FILE` writes, by its extension; an unknown one is bad input. */
export function graphFormat(file: string): GraphJson['format'] {
  const ext = extname(file).toLowerCase();
  if (ext === '.dot' || ext === '.gv') return 'dot';
  if (ext === '.svg') return 'svg';
  if (ext === '.png')
    throw badOption('--graph', `--graph ${file}: PNG is not available (Graphviz runs here as WebAssembly, without a PNG renderer); write FILE.svg, or FILE.dot and run "dot -Tpng"`);
  throw badOption('--graph', `--graph ${file}: unknown extension "${ext}" (--graph writes FILE.dot, FILE.gv or FILE.svg)`);
}

/**
 * `check MODEL --graph FILE`: the whole state graph of a small model, under the check's budgets
 * and properties, cut at `--max-states`. Exit: 1 when a drawn state violates a property, 3 when
 * --max-states cut the graph, else 0.
 */
export async function writeStateGraph(out: Output, model: ResolvedModel, options: CheckOptions, file: string): Promise<number> {
  const format = graphFormat(file);
  const cut = options.maxStates !== undefined && options.maxStates < DRAWING_LIMIT ? options.maxStates : undefined;
  const whole = modelStateGraph(model.ir, options, cut ?? DRAWING_LIMIT);
  const truncated = cut !== undefined && whole.nodes.length > cut;
  const graph = truncated ? { nodes: whole.nodes.slice(0, cut), edges: whole.edges.filter((e) => e.from < cut && e.to < cut) } : whole;
  let dot: string;
  try {
    dot = stateGraphToDot(graph, DRAWING_LIMIT);
  } catch (e) {
    if (e instanceof GraphTooLargeError)
      throw badOption('--graph', `the state graph has more than ${e.limit} states (the limit for drawing): draw a smaller model (fewer threads, budgets), cut it with --max-states, or read the counterexample diagram instead`);
    throw e;
  }
  writeFileAtomic(file, format === 'svg' ? await renderSvg(dot) : dot);
  const verdict = graph.nodes.some((n) => n.violation) ? 'violation' : truncated ? 'incomplete' : 'pass';
  const doc: GraphJson = {
    kind: 'graph',
    verdict,
    model: model.ir.name,
    file,
    format,
    states: graph.nodes.length,
    transitions: graph.edges.length,
    ...(truncated ? { stoppedBy: { kind: 'states' as const, bound: cut } } : {}),
  };
  const words = verdict === 'violation' ? ' (a drawn state violates a property, in red)' : truncated ? ` (cut at --max-states ${cut})` : '';
  out.result(doc, () => `wrote ${file}: ${doc.states} states, ${doc.transitions} transitions${words}`);
  return verdict === 'violation' ? 1 : truncated ? 3 : 0;
}
