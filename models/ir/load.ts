import { readFileSync } from 'node:fs';
import { InputErrors } from './errors.js';
import { locateJsonSyntaxError } from './json-locate.js';
import type { ModelIR } from './types.js';
import { validateModel } from './validate.js';

/** A model ready to check, with the constants its expressions may use. */
export interface LoadedModel {
  readonly ir: ModelIR;
  readonly constants: Readonly<Record<string, number>>;
  /** Where it came from: a built-in name, `gallery/NAME` or a file path. */
  readonly source: string;
}

/**
 * Validates a model (a builder's ModelInput or parsed JSON) named `source`; errors are located
 * in `jsonText` when given. Throws InputErrors.
 */
export function loadModelInput(input: unknown, source: string, constants: Readonly<Record<string, number>> = {}, jsonText?: string): LoadedModel {
  const v = validateModel(input, source, jsonText);
  if (!v.ok) throw new InputErrors(v.errors);
  return { ir: v.ir, constants, source };
}

/** Reads, parses and validates a JSON model file. Throws InputErrors, located in the file. */
export function loadModelFile(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputErrors([{ code: 'bad-file', file: path, path: [], message: `cannot read the model file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new InputErrors([{ code: 'bad-json', file: path, path: [], ...locateJsonSyntaxError(text, msg), message: `not valid JSON: ${msg}` }]);
  }
  return loadModelInput(json, path, {}, text);
}
