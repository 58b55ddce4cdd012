/** A job's model, as the worker finds it: validated as the command line validates one (bad input throws InputErrors). */
import { loadModelInput } from '../../models/ir/load.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolveModel } from '../../models/library/resolve.js';
import type { ModelSource } from './payload.js';

export function jobModel(source: ModelSource): ModelIR {
  if ('builtin' in source) return resolveModel(source.builtin, source.params).ir;
  if ('gallery' in source) return resolveModel(`gallery/${source.gallery}`).ir;
  return loadModelInput(source.json, source.name).ir;
}
