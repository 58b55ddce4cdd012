import { extname } from 'node:path';
import type { ResolvedModel } from '../../models/library/resolve.js';
import type { GraphJson } from '../../reports/json.js';
import { GraphTooLargeError, stateGraphToDot } from '../../reports/state-graph.js';
import { renderSvg } from '../../reports/svg.js';
import type { CheckOptions } from '../../run/options.js';
import { graphLimits, modelStateGraph } from '../../run/state-graph.js';
import type { Limit } from '../../checker/result.js';
import { badOption } from '../options.js';
import type { Output } from '../output.js';
import { writeFileAtomic } from '../../run/atomic-file.js';

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
 * and properties, cut at `--max-states`, `--max-seconds`, `--max-memory` or the first
 * SIGINT/SIGTERM (the states seen until then are drawn). Exit: 1 when a drawn state violates a
 * property, 3 when a limit cut the graph, else 0.
 */
export async function writeStateGraph(out: Output, model: ResolvedModel, options: CheckOptions, file: string): Promise<number> {
  const format = graphFormat(file);
  const cut = options.maxStates !== undefined && options.maxStates < DRAWING_LIMIT ? options.maxStates : undefined;
  const whole = modelStateGraph(model.ir, options, cut ?? DRAWING_LIMIT);
  const truncated = cut !== undefined && whole.nodes.length > cut;
  const graph = truncated ? { nodes: whole.nodes.slice(0, cut), edges: whole.edges.filter((e) => e.from < cut && e.to < cut) } : whole;
  const statesCut = truncated ? { kind: 'states' as const, bound: cut } : undefined;
  let dot: string;
  try {
    dot = stateGraphToDot(graph, DRAWING_LIMIT);
  } catch (e) {
    if (e instanceof GraphTooLargeError)
      throw badOption('--graph', `the state graph has more than ${e.limit} states (the limit for drawing): draw a smaller model (fewer threads, budgets), cut it with --max-states, or read the counterexample diagram instead`);
    throw e;
  }
  const drawing = format === 'svg' ? await renderSvg(dot) : dot;
  // A signal during the layout still leaves the drawing: it is written, and the run says it was stopped.
  const stoppedBy = graph.stoppedBy ?? statesCut ?? (options.signal?.aborted ? graphLimits({ signal: options.signal })() : undefined);
  writeFileAtomic(file, drawing);
  const verdict = graph.nodes.some((n) => n.violation) ? 'violation' : stoppedBy ? 'incomplete' : 'pass';
  const doc: GraphJson = {
    kind: 'graph',
    verdict,
    model: model.ir.name,
    file,
    format,
    states: graph.nodes.length,
    transitions: graph.edges.length,
    ...(stoppedBy ? { stoppedBy } : {}),
  };
  const words = verdict === 'violation' ? ' (a drawn state violates a property, in red)' : stoppedBy ? ` (${cutBy(stoppedBy)})` : '';
  out.result(doc, () => `wrote ${file}: ${doc.states} states, ${doc.transitions} transitions${words}`);
  return verdict === 'violation' ? 1 : stoppedBy ? 3 : 0;
}

/** What cut the graph, in the words of its option. */
function cutBy(l: Limit): string {
  if (l.kind === 'interrupted') return `cut by ${l.signal ?? 'an interrupt'}`;
  return `cut at --max-${l.kind === 'time' ? 'seconds' : l.kind} ${l.bound}`;
}
