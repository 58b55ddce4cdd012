/**
 * `--replay TOKEN`: re-executes a counterexample's replay token (ExplainedTrace.replay: the
 * initial state's index, then one successor index per step, colon-separated) in the system a
 * check of the same model, policy and options explores (without symmetry reduction, where traces
 * are given), and explains it. A token that does not fit is bad input naming the step at fault.
 */
import { InputErrors } from '../models/ir/errors.js';
import type { ModelIR } from '../models/ir/types.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { buildSystem } from '../models/system/build.js';
import { traceSystemOptions } from '../models/system/concretize.js';
import { explainPath } from './explain.js';
import type { ExplainedTrace } from './explained-trace.js';
import type { CheckOptions } from './options.js';

/** What a replayed token reached: the violation it ends in, or a state violating nothing (a flag's witness, a prefix). */
export type ReplayResult =
  | { readonly verdict: 'violation'; readonly property: string; readonly trace: ExplainedTrace }
  | { readonly verdict: 'no violation'; readonly trace: ExplainedTrace };

const badToken = (message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--replay'], message }]);

/** The choices of a token such as `0:3:1`; anything else is bad input. */
export function parseReplayToken(token: string): number[] {
  if (!/^\d+(:\d+)*$/.test(token)) throw badToken(`"${token}" is not a replay token (colon-separated step indices, as "replay: --replay 0:2:1" in a counterexample)`);
  return token.split(':').map(Number);
}

/** Replays `token` under the options of the check that printed it. Bad input (a token that does not apply) throws InputErrors. */
export function replayToken(ir: ModelIR, token: string, options: Omit<CheckOptions, 'symmetry'> = {}): ReplayResult {
  const choices = parseReplayToken(token);
  const policy = resolvePolicy(options.policy, options.knobs);
  const sys = buildSystem(ir, policy, traceSystemOptions(options));
  let state: Int32Array = new Int32Array(sys.stateWords);
  const out = new Int32Array(sys.stateWords);
  let initial = 0;
  sys.initialStates(out, () => {
    if (initial++ === choices[0]) state = out.slice();
  });
  if (choices[0]! >= initial) throw badToken(`step 0 does not apply: the model has ${initial} initial state${initial === 1 ? '' : 's'}, the token starts from state ${choices[0]!}`);
  for (let step = 1; step < choices.length; step++) {
    const before = sys.inspect(state);
    if (before > 0) throw badToken(`step ${step} does not apply: step ${step - 1} already violates ${sys.codeName(before)}, where a counterexample ends`);
    const want = choices[step]!;
    let count = 0;
    let next: Int32Array | undefined = undefined as Int32Array | undefined;
    sys.successors(state, out, () => {
      if (count++ === want) next = out.slice();
    });
    if (next === undefined) throw badToken(`step ${step} does not apply: the state after step ${step - 1} has ${count} successor${count === 1 ? '' : 's'}, the token asks for successor ${want}`);
    state = next;
  }
  let code = sys.inspect(state);
  if (code <= 0) {
    let successors = 0;
    sys.successors(state, out, () => {
      successors++;
      return true;
    });
    if (successors === 0) code = sys.terminal(state);
  }
  const meta = { model: ir.name, policy: policy.name };
  if (code > 0) {
    const property = sys.codeName(code);
    return { verdict: 'violation', property, trace: explainPath(sys, choices, { ...meta, property }) };
  }
  return { verdict: 'no violation', trace: explainPath(sys, choices, { ...meta, property: code < 0 ? sys.codeName(code) : 'none' }) };
}
