/**
 * rseq-check's library entry point: `import { check } from 'rseq-check'`. Every export is named.
 */
import { checkModel, type CheckOptions } from './run/check.js';
import type { CheckResult, TemporalResult } from './run/result.js';
import { review as runReview } from './run/review.js';
import { withReviewViews, withTemporalViews, withViews, type CheckViews, type TemporalViews, type WithViews } from './reports/notebook.js';
import type { ModelInput } from './models/ir/schema.js';
import type { ModelIR } from './models/ir/types.js';
import { loadModelInput } from './models/ir/load.js';
import { checkPolicy, resolveModel, type ModelDefaults } from './models/library/resolve.js';
import { checkTemporal, type TemporalOptions } from './run/temporal.js';
import { replayToken, type ReplayResult } from './run/replay.js';
import { withProvenance } from './reports/json.js';

/**
 * Checks a model (a built-in name or JSON path, a model object from the builder, or a validated
 * IR) under a policy. Bad input rejects with `InputErrors` (each error located).
 */
export async function check(model: string | ModelInput | ModelIR, options?: CheckOptions & { params?: readonly string[] }): Promise<WithViews<CheckResult, CheckViews>>;
/** With `ltl` (a formula) or `property` (a built-in temporal property), a temporal check: see `checkLtl`. */
export async function check(
  model: string | ModelInput | ModelIR,
  options: TemporalOptions & { params?: readonly string[] } & ({ ltl: string } | { property: string }),
): Promise<WithViews<TemporalResult, TemporalViews>>;
export async function check(
  model: string | ModelInput | ModelIR,
  options: (CheckOptions & { params?: readonly string[] }) | (TemporalOptions & { params?: readonly string[] }) = {},
): Promise<WithViews<CheckResult, CheckViews> | WithViews<TemporalResult, TemporalViews>> {
  if ('ltl' in options || 'property' in options) return checkLtl(model, options);
  const { ir, options: resolved, defaults } = resolve(model, options as CheckOptions & { params?: readonly string[] });
  return withViews(withProvenance(await checkModel(ir, { ...(defaults ? { properties: defaults.properties } : {}), ...resolved })));
}

/** Runs the design review (every seed scenario under every policy), with notebook views. */
export async function review(options: Parameters<typeof runReview>[0] = {}) {
  return withReviewViews(withProvenance(await runReview(options)));
}

/**
 * Checks a temporal property: an LTL formula (`ltl`) or a built-in (`property`: progress,
 * no-livelock, no-signal-nesting, abort-before-cs-step), under `fairness` and `finiteEvents`.
 */
export async function checkLtl(model: string | ModelInput | ModelIR, options: TemporalOptions & { params?: readonly string[] }): Promise<WithViews<TemporalResult, TemporalViews>> {
  const { ir, options: resolved } = resolve(model, options);
  return withTemporalViews(withProvenance(await checkTemporal(ir, resolved)));
}

/**
 * Replays a counterexample's token (`trace.replay`, the `--replay` of the command line) under
 * the options of the check that found it, and explains it: `verdict: 'violation'` with the
 * property when it ends in one. A token that does not apply rejects with `InputErrors` naming
 * the step.
 */
export function replay(model: string | ModelInput | ModelIR, token: string, options: Omit<CheckOptions, 'symmetry'> & { params?: readonly string[] } = {}): ReplayResult {
  const { ir, options: resolved, defaults } = resolve(model, options);
  return replayToken(ir, token, { ...(defaults ? { properties: defaults.properties } : {}), ...resolved });
}

/**
 * The IR to check and the options to check it with. A string names a model for `resolveModel`
 * (a built-in with `params`, `gallery/NAME`, or a JSON file); a gallery entry's bug policy is
 * applied under the caller's `policy` and `knobs`, and its defaults returned.
 */
function resolve<O extends Pick<CheckOptions, 'policy' | 'knobs' | 'constants'> & { params?: readonly string[] }>(
  model: string | ModelInput | ModelIR,
  options: O,
): { ir: ModelIR; options: O; defaults?: ModelDefaults } {
  if (typeof model !== 'string') return { ir: 'registerMax' in model ? model : loadModelInput(model, '<builder>').ir, options: { constants: {}, ...options } };
  const resolved = resolveModel(model, options.params);
  const policy = checkPolicy(resolved, options.policy, options.knobs);
  return { ir: resolved.ir, options: { constants: resolved.constants, ...options, policy: policy.preset, knobs: policy.knobs }, ...(resolved.defaults ? { defaults: resolved.defaults } : {}) };
}

export { checkModel, type CheckOptions } from './run/check.js';
export type { Result, CheckResult, TemporalResult, ReviewResult, ReviewCell, CellVerdict, Incomplete, Holds, ExplainedFlag, Fairness } from './run/result.js';
export { formatResult } from './reports/text.js';
export { reviewToMarkdown } from './reports/review-markdown.js';
export { validateModel } from './models/ir/validate.js';
export { InputErrors, formatInputError, type InputError } from './models/ir/errors.js';
export { ModelBuilder, I, seq, type Fragment } from './models/ir/builder.js';
export { resolvePreset, presetDefs } from './models/kernel/presets.js';
export { knobDefs, type Policy, type KnobValues } from './models/kernel/policy.js';
export { reviewPolicies } from './run/review.js';
export { withViews, withReviewViews, withTemporalViews, plotLevels, plotCoverage, plotReviewCells, type CheckViews, type ReviewViews, type TemporalViews } from './reports/notebook.js';
export { renderCheckHtml } from './reports/html.js';
export { renderReviewHtml } from './reports/review-html.js';
export { traceToDot } from './reports/dot.js';
export { renderSvg } from './reports/svg.js';
export type { ExplainedTrace, ExplainedStep } from './run/explained-trace.js';
export { builtinTemporal, type TemporalOptions } from './run/temporal.js';
export type { ReplayResult } from './run/replay.js';
export type { Provenance } from './run/provenance.js';
export type { ModelInput, ModelIR };
