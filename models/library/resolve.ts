/**
 * The one resolver of model names, for the command line, litmus and the library: a built-in
 * (`percpu-counter`, with `name=value` parameters), a gallery entry (`gallery/NAME`, with the
 * policy that shows its bug and the property it violates), or a JSON model file.
 */
import { existsSync } from 'node:fs';
import { InputErrors } from '../ir/errors.js';
import { loadModelFile, loadModelInput, type LoadedModel } from '../ir/load.js';
import type { KnobValues } from '../kernel/policy.js';
import { overridePolicy, policySpec, type PolicySpec } from '../kernel/presets.js';
import { buildBuiltin } from './catalog.js';
import { gallery } from './gallery/entries.js';

/** What a check of a model uses unless told otherwise: a gallery entry's bug policy and property. */
export interface ModelDefaults {
  readonly policy: PolicySpec;
  readonly properties: readonly string[];
}

export interface ResolvedModel extends LoadedModel {
  /** Set for a gallery entry. */
  readonly defaults?: ModelDefaults;
}

const GALLERY_PREFIX = 'gallery/';

/**
 * Resolves a model name. `params` apply to built-ins; a JSON file refuses them, a gallery entry
 * ignores them (as the command line always has). Throws InputErrors.
 */
export function resolveModel(spec: string, params: readonly string[] = []): ResolvedModel {
  if (spec.startsWith(GALLERY_PREFIX)) return galleryModel(spec);
  if (spec.endsWith('.json') || existsSync(spec)) {
    if (params.length > 0)
      throw new InputErrors([{ code: 'bad-param', file: '<command line>', path: ['--param'], message: '--param applies to built-in models only; a JSON model states its values' }]);
    return loadModelFile(spec);
  }
  const { model, params: values } = buildBuiltin(spec, params);
  return loadModelInput(model, spec, values);
}

/**
 * The policy a check of `model` runs under: the caller's preset and knobs, over a gallery
 * entry's bug policy if it is one (the preset replaced, the knobs added to its own).
 */
export function checkPolicy(model: ResolvedModel, preset?: string, knobs?: readonly string[] | Partial<KnobValues>): PolicySpec {
  return model.defaults ? overridePolicy(model.defaults.policy, preset, knobs) : policySpec(preset, knobs);
}

function galleryModel(spec: string): ResolvedModel {
  const entry = gallery.find((g) => GALLERY_PREFIX + g.name === spec);
  if (!entry) throw new InputErrors([{ code: 'unknown-model', file: '<command line>', path: ['MODEL'], message: `no gallery entry "${spec}" (see "rseq-check gallery")` }]);
  return { ...loadModelInput(entry.model, spec), defaults: { policy: policySpec(entry.policy, entry.bugKnobs), properties: [entry.property] } };
}
