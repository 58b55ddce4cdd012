/**
 * Lines and columns in JSON text (models/ir/json-locate.ts, on jsonc-parser): each expected
 * position counted by hand in the text below (1-based, as editors count).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputErrors } from '../../models/ir/errors.js';
import { locateInJsonString, locateJsonPath, locateJsonSyntaxError } from '../../models/ir/json-locate.js';
import { loadModelFile } from '../../models/ir/load.js';

const MODEL = ['{', ' "name": "m",', ' "threads": [', '  { "program": "main", "cpu": "C9" }', ' ]', '}'].join('\n');

/** What JSON.parse says about `text`. */
function parseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the text parsed');
}

describe('locating a field path in JSON text', () => {
  it('finds the value a path names', () => {
    expect(locateJsonPath(MODEL, [])).toEqual({ line: 1, column: 1 });
    expect(locateJsonPath(MODEL, ['name'])).toEqual({ line: 2, column: 10 });
    expect(locateJsonPath(MODEL, ['threads', 0])).toEqual({ line: 4, column: 3 });
    expect(locateJsonPath(MODEL, ['threads', 0, 'cpu'])).toEqual({ line: 4, column: 31 });
  });

  it('puts a missing field or index at the closing brace or bracket where it would go', () => {
    expect(locateJsonPath(MODEL, ['threads', 0, 'budgets'])).toEqual({ line: 4, column: 36 });
    expect(locateJsonPath(MODEL, ['threads', 3])).toEqual({ line: 5, column: 2 });
    expect(locateJsonPath(MODEL, ['budgets', 'signals'])).toEqual({ line: 6, column: 1 });
  });

  it('stops at a value that is not the object or array the path expects', () => {
    expect(locateJsonPath(MODEL, ['name', 'first'])).toEqual({ line: 2, column: 10 });
    expect(locateJsonPath(MODEL, ['threads', 'main'])).toEqual({ line: 3, column: 13 });
  });

  it("places a column inside a string value after the string's opening quote", () => {
    expect(locateInJsonString(MODEL, ['threads', 0, 'cpu'], 1, 2)).toEqual({ line: 4, column: 33 });
  });
});

describe('locating where JSON.parse failed', () => {
  it("uses V8's position where its message has one", () => {
    const text = '{\n "kind": "check",\n}';
    expect(parseError(text)).toMatch(/position 20/);
    expect(locateJsonSyntaxError(text, parseError(text))).toEqual({ line: 3, column: 1 });
  });

  it("finds the place itself where V8's message has none (an unexpected token: was 1:1)", () => {
    const text = '{\n "a": [1, 2,]\n}';
    expect(locateJsonSyntaxError(text, 'Unexpected token')).toEqual({ line: 2, column: 13 });
    expect(locateJsonSyntaxError(text, parseError(text))).toEqual({ line: 2, column: 13 });
  });

  it('a model file with a stray comma is rejected at its line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-json-locate-'));
    try {
      const file = join(dir, 'm.json');
      writeFileSync(file, '{\n "name": "m",\n "cpus": 2,,\n "threads": []\n}\n');
      let caught: unknown;
      try {
        loadModelFile(file);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InputErrors);
      const [error] = (caught as InputErrors).errors;
      expect([error!.code, error!.line, error!.column]).toEqual(['bad-json', 3, 12]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
