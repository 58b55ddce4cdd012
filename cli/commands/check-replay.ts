import type { ResolvedModel } from '../../models/library/resolve.js';
import type { CheckOptions } from '../../run/options.js';
import { replayToken } from '../../run/replay.js';
import { traceToText, type TraceTextOptions } from '../../reports/text.js';
import type { Output } from '../output.js';

/**
 * `check MODEL --replay TOKEN`: the token replayed under the check's options and explained.
 * Exit 1 when it ends in a violation (the counterexample it came from), 0 when it ends in a
 * state violating nothing (a flag's witness); a token that does not apply is bad input (exit 2).
 */
export function replayCommand(out: Output, model: ResolvedModel, options: CheckOptions, token: string, text: TraceTextOptions): number {
  const r = replayToken(model.ir, token, options);
  const steps = r.trace.steps.length - 1;
  const head = r.verdict === 'violation' ? `REPLAYED: VIOLATED ${r.property} after ${steps} steps` : `REPLAYED: ${steps} steps, no property violated at the end`;
  out.result({ kind: 'trace', ...r.trace }, () => `${head}\n${traceToText(r.trace, text)}`);
  return r.verdict === 'violation' ? 1 : 0;
}
