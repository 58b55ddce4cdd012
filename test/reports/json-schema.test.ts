import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../run/check.js';
import { InputErrors } from '../../models/ir/errors.js';
import { knobDefs } from '../../models/kernel/policy.js';
import type { ReviewResult } from '../../run/review.js';
import { parseOutputJson, parseResultJson, RESULT_SCHEMA_PATH, resultToJson, schemaSync, traceToJson, validateResultValue } from '../../reports/json.js';
import { lassoTrace } from './fixtures/lasso-trace.js';
import { safetyTrace } from './fixtures/safety-trace.js';
import { incompleteCheck, mixedReview, passingCheck, smallReview, violatingCheck } from './results.js';

type Json = Record<string, unknown>;
type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

const SCHEMA_FILE = fileURLToPath(new URL(`../../${RESULT_SCHEMA_PATH}`, import.meta.url));
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Json;
const defs = schema['$defs'] as Record<string, Json>;

// ajv is CommonJS: the default import is the class itself or a namespace holding it.
const Ajv2020 = ((Ajv2020Import as unknown as { default?: unknown }).default ?? Ajv2020Import) as new (o: object) => { compile(s: object): Validate };

let validate: Validate;
let pass: CheckResult;
let violation: CheckResult;
let incomplete: CheckResult;
let review: ReviewResult;
let mixed: ReviewResult;

beforeAll(async () => {
  validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  [pass, violation, incomplete, review, mixed] = await Promise.all([passingCheck(), violatingCheck(), incompleteCheck(), smallReview(), mixedReview()]);
});

/** The documents as the CLI has always written them: the data with `kind` put first. */
function kindFirstJson(r: CheckResult | ReviewResult): string {
  const { kind, ...data } = r;
  return JSON.stringify({ kind, ...data }, null, 1);
}

function ajvErrors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('the published schema', () => {
  it('compiles with ajv in strict mode (draft 2020-12)', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof validate).toBe('function');
  });

  it('names exactly the verdicts, step kinds, decision kinds and limit kinds of the TypeScript types', () => {
    const checkVerdicts = ((defs['checkOutput']!['properties'] as Json)['verdict'] as Json)['enum'];
    expect(checkVerdicts).toEqual(Object.keys(schemaSync.verdicts));
    expect(((defs['reviewCell']!['properties'] as Json)['verdict'] as Json)['enum']).toEqual(Object.keys(schemaSync.cellVerdicts));
    expect(((defs['step']!['properties'] as Json)['kind'] as Json)['enum']).toEqual(Object.keys(schemaSync.stepKinds));
    expect(((defs['decision']!['properties'] as Json)['kind'] as Json)['enum']).toEqual(Object.keys(schemaSync.decisionKinds));
    expect(((defs['limit']!['properties'] as Json)['kind'] as Json)['enum']).toEqual(Object.keys(schemaSync.limitKinds));
  });

  it('lists exactly the fields of each TypeScript type', () => {
    const props = (def: Json): string[] => Object.keys(def['properties'] as Json).sort();
    const f = schemaSync.fields;
    const union = (...names: string[]) => [...new Set(names.flatMap((n) => props(defs[n]!)))].sort();
    expect(union('checkPass', 'checkViolation', 'checkIncomplete')).toEqual(Object.keys(f.checkOutput).sort());
    const pairs: [string, object][] = [
      ['policy', f.policy], ['budgets', f.budgets], ['stats', f.stats], ['limit', f.limit], ['path', f.path], ['flag', f.flag], ['coverage', f.coverage],
      ['coverageInstruction', f.coverageInstruction], ['reviewOutput', f.reviewOutput], ['reviewCell', f.reviewCell], ['trace', f.trace], ['step', f.step], ['decision', f.decision],
      ['firstCounterexample', f.firstCounterexample], ['provenance', f.provenance], ['valueChange', f.valueChange], ['decisive', f.decisive],
    ];
    for (const [def, fields] of pairs) expect(props(defs[def]!), def).toEqual(Object.keys(fields).sort());
    expect(Object.keys(((defs['step']!['properties'] as Json)['instruction'] as Json)['properties'] as Json).sort()).toEqual(Object.keys(f.instruction).sort());
    // A standalone trace document is a trace plus its kind.
    expect(props(defs['traceOutput']!)).toEqual([...Object.keys(f.trace), 'kind', 'provenance'].sort());
    // Every document kind may carry the provenance, which states the schema's version.
    for (const def of ['checkPass', 'checkViolation', 'checkIncomplete', 'reviewOutput', 'traceOutput', 'temporalOutput', 'checksOutput', 'graphOutput', 'modelsOutput', 'galleryOutput', 'policiesOutput', 'litmusOutput'])
      expect(props(defs[def]!), def).toContain('provenance');
    expect(((defs['provenance']!['properties'] as Json)['schemaVersion'] as Json)['const']).toBe(schemaSync.schemaVersion);
    expect(schema['$id']).toBe(`urn:rseq-check:schema:result:${schemaSync.schemaVersion}`);
  });

  it('gives every knob of the policy its allowed values (models/kernel/policy.ts knobDefs)', () => {
    const policy = defs['policy']!;
    const props = policy['properties'] as Record<string, Json>;
    expect(Object.keys(props).sort()).toEqual(['name', ...knobDefs.map((k) => k.name)].sort());
    expect([...(policy['required'] as string[])].sort()).toEqual(Object.keys(props).sort());
    for (const k of knobDefs) {
      const p = props[k.name]!;
      if (k.values === 'boolean') expect(p, k.name).toEqual({ type: 'boolean' });
      else if (k.values === 'set') expect(p['type'], k.name).toBe('array');
      else expect(p['enum'], k.name).toEqual(k.values);
    }
  });
});

describe('every output kind validates against the schema', () => {
  const docs = (): [string, string][] => [
    ['check: pass', resultToJson(pass)],
    ['check: violation', resultToJson(violation)],
    ['check: incomplete (maxStates 100)', resultToJson(incomplete)],
    ['review: 1 scenario × 2 policies', resultToJson(review)],
    ['review: with holds, G1, kill, false kill and incomplete cells', resultToJson(mixed)],
    ['trace: lasso fixture', traceToJson(lassoTrace)],
    ['trace: safety fixture', traceToJson(safetyTrace)],
    ['trace: a real counterexample', traceToJson(violation.verdict === 'violation' ? violation.trace : lassoTrace)],
  ];

  it('the real results have the verdicts the tests are about', () => {
    expect([pass.verdict, violation.verdict, incomplete.verdict]).toEqual(['pass', 'violation', 'incomplete']);
    expect(incomplete.verdict === 'incomplete' && incomplete.stoppedBy).toEqual({ kind: 'states', bound: 100 });
    expect(review.cells.map((c) => [c.policy, c.verdict])).toEqual([['linux-6.3', 'holds'], ['linux-6.19', 'atomicity broken (G1)']]);
    expect(new Set(mixed.cells.map((c) => c.verdict))).toEqual(new Set(['holds', 'atomicity broken (G1)', 'killed as promised', 'false kill (G2)', 'incomplete']));
  });

  it('ajv (on the schema file) and validateResultValue accept each, and it reads back unchanged', () => {
    for (const [name, text] of docs()) {
      const doc = JSON.parse(text) as unknown;
      expect(ajvErrors(doc), name).toEqual([]);
      expect(validateResultValue(doc), name).toEqual([]);
      expect(parseOutputJson(text, name), name).toEqual(doc);
    }
  });

  it('a check result carries its whole policy object and its kind first', () => {
    const doc = JSON.parse(resultToJson(violation)) as Json;
    expect(Object.keys(doc)[0]).toBe('kind');
    expect(doc['policy']).toEqual({ ...violation.policy });
    expect((doc['policy'] as Json)['abortOnMigrate']).toBe(false);
    expect('explain' in doc).toBe(false);
  });

  it('writes each result with its kind first, as check --json and review.json always have, and its provenance last', () => {
    for (const r of [pass, violation, incomplete, review, mixed]) {
      const json = resultToJson(r);
      const { provenance } = JSON.parse(json) as { provenance: unknown };
      expect(json).toBe(kindFirstJson({ ...r, provenance } as typeof r));
    }
  });

  it('parseResultJson returns the check and review kinds', () => {
    expect(parseResultJson(resultToJson(violation)).kind).toBe('check');
    expect(parseResultJson(resultToJson(review)).kind).toBe('review');
  });
});

describe('invalid documents', () => {
  const mutations = (): [string, (d: Json) => void, RegExp][] => {
    const trace = (d: Json) => d['trace'] as Json;
    const steps = (d: Json) => trace(d)['steps'] as Json[];
    return [
      ['no kind', (d) => delete d['kind'], /missing required field "kind"/],
      ['unknown kind', (d) => (d['kind'] = 'verdict'), /kind: must be one of "check", "review", "trace"/],
      ['unknown verdict', (d) => (d['verdict'] = 'ok'), /verdict: must be one of "pass", "violation", "incomplete"/],
      ['a violation without its trace', (d) => delete d['trace'], /missing required field "trace"/],
      ['a step kind that does not exist', (d) => (steps(d)[3]!['kind'] = 'teleport'), /trace\.steps\[3\]\.kind: must be one of "init"/],
      ['a step without its text', (d) => delete steps(d)[2]!['text'], /trace\.steps\[2\]: missing required field "text"/],
      ['a decision kind that does not exist', (d) => ((steps(d).find((s) => (s['decisions'] as unknown[]).length > 0)!['decisions'] as Json[])[0]!['kind'] = 'magic'), /decisions\[0\]\.kind: must be one of/],
      ['a budget below -1', (d) => ((d['budgets'] as Json)['migrations'] = -2), /budgets\.migrations: must be at least -1/],
      ['a fractional state count', (d) => ((d['stats'] as Json)['states'] = 1.5), /stats\.states: must be an integer/],
      ['a knob missing from the policy', (d) => delete (d['policy'] as Json)['abortOnSignal'], /policy: missing required field "abortOnSignal"/],
      ['a knob value that does not exist', (d) => ((d['policy'] as Json)['eventTracking'] = 'sometimes'), /policy\.eventTracking: must be one of "mask3"/],
      ['an unknown field', (d) => (d['colour'] = 'red'), /colour: unexpected field "colour"/],
      ['a bad replay token', (d) => (trace(d)['replay'] = 'zero'), /trace\.replay: must match/],
      ['an empty trace', (d) => (trace(d)['steps'] = []), /trace\.steps: must have at least 1 item/],
      ['coverage counts as strings', (d) => (((((d['coverage'] as Json)['programs'] as Json[])[0]!['instructions'] as Json[])[0]!['events'] as Json)['preempt'] = '3'), /coverage\.programs\[0\]\.instructions\[0\]\.events\.preempt: must be an integer/],
      ['a thread that is a number', (d) => (steps(d)[1]!['thread'] = 1), /trace\.steps\[1\]\.thread: must be a string or null/],
      ['an empty model name (minLength)', (d) => (d['model'] = ''), /model: must not be empty/],
      ['an empty thread name in the trace (minLength)', (d) => ((trace(d)['threads'] as string[])[0] = ''), /trace\.threads\[0\]: must not be empty/],
    ];
  };

  it('are rejected, and the error says what and where', () => {
    for (const [name, mutate, message] of mutations()) {
      const doc = JSON.parse(resultToJson(violation)) as Json;
      mutate(doc);
      expect(ajvErrors(doc).length, `ajv: ${name}`).toBeGreaterThan(0);
      const text = JSON.stringify(doc, null, 1);
      let error: unknown;
      try {
        parseResultJson(text, 'result.json');
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(InputErrors);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).toMatch(/^result\.json:\d+:\d+: schema: /);
    }
  });

  it('an incomplete run needs stoppedBy, and a states limit needs its bound', () => {
    const doc = JSON.parse(resultToJson(incomplete)) as Json;
    delete (doc['stoppedBy'] as Json)['bound'];
    expect(ajvErrors(doc).length).toBeGreaterThan(0);
    expect(validateResultValue(doc).map((p) => p.message)).toEqual(['missing required field "bound"']);
    (doc['stoppedBy'] as Json)['kind'] = 'interrupted';
    expect(ajvErrors(doc)).toEqual([]);
    expect(validateResultValue(doc)).toEqual([]);
    delete doc['stoppedBy'];
    expect(validateResultValue(doc).map((p) => p.message)).toEqual(['missing required field "stoppedBy"']);
  });

  // The schema's names ($defs/name) have minLength 1. Written against what parseResultJson
  // reports, not the validator's internals, so it holds for any validator behind it: the
  // message may say "must not be empty" or "must NOT have fewer than 1 characters".
  it('an empty model or property name is rejected, located at its field, saying it is too short', () => {
    for (const field of ['model', 'property']) {
      const doc = JSON.parse(resultToJson(violation)) as Json;
      expect(doc[field], field).not.toBe('');
      doc[field] = '';
      expect(ajvErrors(doc), `ajv: ${field}`).toContain(`/${field} must NOT have fewer than 1 characters`);
      const text = JSON.stringify(doc, null, 1);
      const line = text.split('\n').findIndex((l) => l.startsWith(` "${field}": ""`)) + 1;
      let error: unknown;
      try {
        parseResultJson(text, 'result.json');
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(InputErrors);
      const errors = (error as InputErrors).errors;
      expect(errors.map((e) => [e.code, e.path, e.line]), field).toEqual([['schema', [field], line]]);
      expect(errors[0]!.message, field).toMatch(/must not be empty|must NOT have fewer than 1 characters?/);
    }
  });

  it('a review cell with an unknown verdict is located by line and column', () => {
    const doc = JSON.parse(resultToJson(review)) as Json;
    (doc['cells'] as Json[])[1]!['verdict'] = 'broken';
    const text = JSON.stringify(doc, null, 1);
    const line = text.split('\n').findIndex((l) => l.includes('"broken"')) + 1;
    expect(() => parseResultJson(text, 'review.json')).toThrow(new RegExp(`^review\\.json:${line}:\\d+: schema: cells\\[1\\]\\.verdict: must be one of .*\\(got "broken"\\)`));
  });

  it('text that is not JSON is a located bad-json error', () => {
    expect(() => parseResultJson('{\n "kind": "check",\n}', 'r.json')).toThrow(/^r\.json:3:1: bad-json: not valid JSON/);
  });

  it('a trace document is not a result', () => {
    expect(() => parseResultJson(traceToJson(lassoTrace), 't.json')).toThrow(/t\.json:\d+:\d+: schema: kind: this is a "trace" document/);
    expect(parseOutputJson(traceToJson(lassoTrace)).kind).toBe('trace');
  });
});
