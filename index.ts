/**
 * rseq-check's library entry point: `import { check } from 'rseq-check'`. Every export is named.
 */
import { checkModel, type CheckOptions, type CheckResult } from './models/check.js';
import type { ModelInput } from './models/ir/schema.js';
import { InputErrors } from './models/ir/errors.js';
import type { ModelIR } from './models/ir/types.js';
import { validateModel } from './models/ir/validate.js';
import { loadModel } from './models/load.js';

/**
 * Checks a model (a built-in name or JSON path, a model object from the builder, or a validated
 * IR) under a policy. Bad input rejects with `InputErrors` (each error located).
 */
export async function check(model: string | ModelInput | ModelIR, options: CheckOptions & { params?: readonly string[] } = {}): Promise<CheckResult> {
  if (typeof model === 'string') {
    const loaded = loadModel(model, options.params ?? []);
    return checkModel(loaded.ir, { constants: loaded.constants, ...options });
  }
  if ('registerMax' in model) return checkModel(model, options);
  const v = validateModel(model);
  if (!v.ok) throw new InputErrors(v.errors);
  return checkModel(v.ir, options);
}

export { checkModel, formatResult, type CheckOptions, type CheckResult, type CheckResultData } from './models/check.js';
export { validateModel } from './models/ir/validate.js';
export { InputErrors, formatInputError, type InputError } from './models/ir/errors.js';
export { ModelBuilder, I, seq, type Fragment } from './models/builder.js';
export { resolvePreset, presetDefs } from './models/kernel/presets.js';
export { knobDefs, type Policy, type KnobValues } from './models/kernel/policy.js';
export { review, reviewToMarkdown, type ReviewResult, type ReviewCell } from './models/review.js';
export type { ExplainedTrace, ExplainedStep } from './models/explained-trace.js';
export type { ModelInput, ModelIR };
