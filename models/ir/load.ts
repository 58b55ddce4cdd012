import { readFileSync, existsSync } from 'node:fs';
import { InputErrors } from './errors.js';
import type { ModelIR } from './types.js';
import { validateModel } from './validate.js';
import { buildBuiltin } from '../library/catalog.js';

/** A model ready to check, with the constants its expressions may use. */
export interface LoadedModel {
  readonly ir: ModelIR;
  readonly constants: Readonly<Record<string, number>>;
  /** Where it came from: a built-in name or a file path. */
  readonly source: string;
}

/**
 * Loads a model named on the command line: a built-in (`percpu-counter`), a gallery entry
 * (`gallery/NAME`, resolved by the caller's registry), or a JSON file. Throws InputErrors.
 */
export function loadModel(spec: string, params: readonly string[] = []): LoadedModel {
  if (spec.endsWith('.json') || existsSync(spec)) {
    if (params.length > 0)
      throw new InputErrors([{ code: 'bad-param', file: '<command line>', path: ['--param'], message: '--param applies to built-in models only; a JSON model states its values' }]);
    let text: string;
    try {
      text = readFileSync(spec, 'utf8');
    } catch (e) {
      throw new InputErrors([{ code: 'bad-file', file: spec, path: [], message: `cannot read the model file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      const pos = m ? Number(m[1]) : 0;
      const before = text.slice(0, pos);
      throw new InputErrors([{ code: 'bad-json', file: spec, path: [], line: before.split('\n').length, column: pos - before.lastIndexOf('\n'), message: `not valid JSON: ${msg}` }]);
    }
    const v = validateModel(json, spec, text);
    if (!v.ok) throw new InputErrors(v.errors);
    return { ir: v.ir, constants: {}, source: spec };
  }
  const { model, params: values } = buildBuiltin(spec, params);
  const v = validateModel(model, spec);
  if (!v.ok) throw new InputErrors(v.errors);
  return { ir: v.ir, constants: values, source: spec };
}
