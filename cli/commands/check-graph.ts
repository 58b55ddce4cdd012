import { writeFileSync } from 'node:fs';
import { policySpec } from '../../models/kernel/presets.js';
import { checkPolicy, type ResolvedModel } from '../../models/library/resolve.js';
import { GraphTooLargeError, stateGraphToDot } from '../../reports/state-graph.js';
import { renderSvg } from '../../reports/svg.js';
import { modelStateGraph } from '../../run/state-graph.js';
import { badOption, lastOption, type Args } from '../args.js';

/** `check MODEL --graph FILE`: the whole state graph of a small model, as DOT (or SVG for a .svg file). */
export async function writeStateGraph(args: Args, model: ResolvedModel, file: string): Promise<number> {
  const preset = lastOption(args, '--policy');
  const knobs = args.options.get('--knob');
  // Here --knob replaces a gallery entry's bug knobs (a check adds to them).
  const policy = knobs ? policySpec(preset ?? model.defaults?.policy.preset, knobs) : checkPolicy(model, preset);
  const graph = modelStateGraph(model.ir, { policy: policy.preset, knobs: policy.knobs, constants: model.constants });
  let dot: string;
  try {
    dot = stateGraphToDot(graph);
  } catch (e) {
    if (e instanceof GraphTooLargeError)
      throw badOption('--graph', `the state graph has more than ${e.limit} states (the limit for drawing): draw a smaller model (fewer threads, budgets) or read the counterexample diagram instead`);
    throw e;
  }
  writeFileSync(file, file.endsWith('.svg') ? await renderSvg(dot) : dot);
  console.log(`wrote ${file}: ${graph.nodes.length} states, ${graph.edges.length} transitions`);
  return 0;
}
