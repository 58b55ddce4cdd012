/**
 * The JSON outputs of rseq-check and their published schema
 * (reports/schema/rseq-check-result.schema.json, JSON Schema 2020-12).
 *
 * Every document carries a `kind`, its first field:
 * - `check`: a `CheckResult`, exactly what `rseq-check check --json` prints;
 * - `review`: a `ReviewResult`, what `rseq-check review --out DIR` writes (review.json);
 * - `trace`: `{ kind: 'trace', ...ExplainedTrace }`, one counterexample on its own.
 * (`rseq-check check --ltl --json` prints a `TemporalResult`, kind `temporal`, which the schema
 * does not describe yet.)
 *
 * Reading a document back (`parseResultJson`, `parseOutputJson`) validates it against the
 * schema. ajv is only a development dependency, so validation at run time uses the small
 * validator below, which implements exactly the schema keywords the file uses (and refuses a
 * schema using any other); test/reports/json-schema.test.ts checks that it agrees with ajv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FlagReport, Limit, Path, Stats } from '../checker/result.js';
import type { CellVerdict, CheckResult, Result, ReviewCell, ReviewResult } from '../run/result.js';
import type { CoverageReport } from '../models/system/coverage.js';
import type { Decision, ExplainedStep, ExplainedTrace, StepKind } from '../run/explained-trace.js';
import { InputErrors, type InputError } from '../models/ir/errors.js';
import { locateJsonPath } from '../models/ir/json-locate.js';
import type { BudgetsIR } from '../models/ir/types.js';
import type { Policy } from '../models/kernel/policy.js';

/** One explained counterexample as JSON. */
export type TraceJson = { readonly kind: 'trace' } & ExplainedTrace;
/** Any document the schema describes. */
export type OutputJson = CheckResult | ReviewResult | TraceJson;

/** The schema's file name, and its path relative to the repository (and package) root. */
export const RESULT_SCHEMA_PATH = 'reports/schema/rseq-check-result.schema.json';

// ---- writing ------------------------------------------------------------------------------------

/**
 * A result as the CLI prints it (`check --json`, review.json): its data, one-space indented, in
 * the result's own field order (`kind` first). View methods (`explain`...) are left out.
 */
export function resultToJson(result: Result): string {
  return JSON.stringify(result, null, 1);
}

/** One explained trace as a standalone document: `{ kind: 'trace', ...trace }`. */
export function traceToJson(trace: ExplainedTrace): string {
  return JSON.stringify({ kind: 'trace', ...trace }, null, 1);
}

// ---- reading ------------------------------------------------------------------------------------

/**
 * Parses and validates a saved check or review result. Throws `InputErrors` (code `bad-json`
 * for text that is not JSON, `schema` for JSON that does not match the schema; each error says
 * what is wrong, at which field path, with line and column) — also for a `trace` document,
 * which is not a result.
 */
export function parseResultJson(text: string, file = '<json>'): CheckResult | ReviewResult {
  const doc = parseOutputJson(text, file);
  if (doc.kind === 'trace') {
    throw new InputErrors([{ code: 'schema', file, path: ['kind'], ...at(text, ['kind']), message: 'this is a "trace" document; a check or review result was expected' }]);
  }
  return doc;
}

/** Parses and validates any rseq-check JSON document (check, review or trace); see `parseResultJson`. */
export function parseOutputJson(text: string, file = '<json>'): OutputJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(why);
    const loc = pos ? lineColumn(text, Number(pos[1])) : {};
    throw new InputErrors([{ code: 'bad-json', file, path: [], ...loc, message: `not valid JSON: ${why}` }]);
  }
  const problems = validateResultValue(value);
  if (problems.length > 0) {
    throw new InputErrors(
      problems.map(
        (p, i): InputError => ({ code: 'schema', file, path: p.path, ...at(text, p.path), message: p.message, ...(i === 0 ? { hint: `see ${RESULT_SCHEMA_PATH}` } : {}) }),
      ),
    );
  }
  return value as OutputJson;
}

/** One way a value fails the schema: where (a field path) and what is wrong. */
export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Validates a parsed value against the result schema; returns the problems (at most `limit`). */
export function validateResultValue(value: unknown, limit = 20): SchemaProblem[] {
  const schema = loadResultSchema();
  const v = new MiniValidator(schema, limit);
  v.validate(schema, value, []);
  return v.problems;
}

let cachedSchema: SchemaNode | undefined;

/**
 * The published schema, read from reports/schema/ next to this module (from the sources) or
 * two levels up (from the compiled dist/reports/), and checked to use only supported keywords.
 */
export function loadResultSchema(): Readonly<Record<string, unknown>> {
  if (cachedSchema !== undefined) return cachedSchema;
  const candidates = [
    new URL('./schema/rseq-check-result.schema.json', import.meta.url),
    new URL(`../../${RESULT_SCHEMA_PATH}`, import.meta.url),
  ];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (found === undefined) throw new Error(`rseq-check: cannot find the result schema (${RESULT_SCHEMA_PATH}) next to ${fileURLToPath(import.meta.url)}`);
  const schema = JSON.parse(readFileSync(found, 'utf8')) as SchemaNode;
  checkKeywords(schema, '#');
  cachedSchema = schema;
  return schema;
}

function at(text: string, path: readonly (string | number)[]): { line?: number; column?: number } {
  const loc = locateJsonPath(text, path);
  return loc ? { line: loc.line, column: loc.column } : {};
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  return { line: before.split('\n').length, column: pos - before.lastIndexOf('\n') };
}

// ---- the validator ------------------------------------------------------------------------------

type SchemaNode = Readonly<Record<string, unknown>>;

/** Keywords with no effect on validation. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'title', 'description', 'examples', 'default']);
/** Keywords the validator implements. */
const KEYWORDS = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'minimum', 'minLength', 'pattern', 'allOf', 'if', 'then', 'else',
]);

/** Refuses a schema with a keyword the validator does not implement (so it cannot silently accept). */
function checkKeywords(node: unknown, where: string): void {
  if (typeof node === 'boolean') return;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`result schema: ${where} is not a schema`);
  for (const [k, v] of Object.entries(node)) {
    if (k === '$defs' || k === 'properties') {
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) checkKeywords(sub, `${where}/${k}/${name}`);
    } else if (k === 'allOf') (v as unknown[]).forEach((sub, i) => checkKeywords(sub, `${where}/allOf/${i}`));
    else if (k === 'items' || k === 'additionalProperties' || k === 'if' || k === 'then' || k === 'else') checkKeywords(v, `${where}/${k}`);
    else if (!ANNOTATIONS.has(k) && !KEYWORDS.has(k)) throw new Error(`result schema: unsupported keyword "${k}" at ${where}`);
  }
}

class MiniValidator {
  readonly problems: SchemaProblem[] = [];

  constructor(
    private readonly root: SchemaNode,
    private readonly limit: number,
  ) {}

  /** Records problems of `value` against `schema`; returns whether it is valid. */
  validate(schema: unknown, value: unknown, path: (string | number)[], record = true): boolean {
    if (schema === true) return true;
    if (schema === false) return this.fail(record, path, 'no value is allowed here');
    const s = schema as SchemaNode;
    let ok = true;
    if (typeof s.$ref === 'string' && !this.validate(this.resolve(s.$ref), value, path, record)) ok = false;
    if (s.type !== undefined && !typeMatches(s.type as string | string[], value)) {
      return this.fail(record, path, `must be ${describeType(s.type as string | string[])} (got ${describeValue(value)})`);
    }
    if (s.const !== undefined && !sameJson(s.const, value)) return this.fail(record, path, `must be ${JSON.stringify(s.const)} (got ${describeValue(value)})`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => sameJson(e, value))) {
      return this.fail(record, path, `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${describeValue(value)})`);
    }
    if (typeof value === 'number') {
      if (typeof s.minimum === 'number' && value < s.minimum) ok = this.fail(record, path, `must be at least ${s.minimum} (got ${value})`);
    }
    if (typeof value === 'string') {
      if (typeof s.minLength === 'number' && [...value].length < s.minLength) ok = this.fail(record, path, s.minLength === 1 ? 'must not be empty' : `must have at least ${s.minLength} characters`);
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) ok = this.fail(record, path, `must match ${s.pattern} (got ${describeValue(value)})`);
    }
    if (Array.isArray(value)) {
      if (typeof s.minItems === 'number' && value.length < s.minItems) ok = this.fail(record, path, `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
      if (s.items !== undefined) value.forEach((item, i) => (ok = this.validate(s.items, item, [...path, i], record) && ok));
    }
    if (isObject(value)) {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const missing = ((s.required ?? []) as string[]).filter((name) => !Object.hasOwn(value, name));
      if (missing.length > 0) ok = this.fail(record, path, `missing required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`);
      for (const [name, v] of Object.entries(value)) {
        if (Object.hasOwn(props, name)) ok = this.validate(props[name], v, [...path, name], record) && ok;
        else if (s.additionalProperties === false) ok = this.fail(record, [...path, name], `unexpected field "${name}"`);
        else if (s.additionalProperties !== undefined) ok = this.validate(s.additionalProperties, v, [...path, name], record) && ok;
      }
    }
    if (Array.isArray(s.allOf)) for (const sub of s.allOf) ok = this.validate(sub, value, path, record) && ok;
    if (s.if !== undefined) {
      const branch = this.validate(s.if, value, path, false) ? s.then : s.else;
      if (branch !== undefined) ok = this.validate(branch, value, path, record) && ok;
    }
    return ok;
  }

  private fail(record: boolean, path: readonly (string | number)[], message: string): false {
    if (record && this.problems.length < this.limit && !this.problems.some((p) => p.message === message && samePath(p.path, path))) {
      this.problems.push({ path: [...path], message });
    }
    return false;
  }

  private resolve(ref: string): unknown {
    if (!ref.startsWith('#')) throw new Error(`result schema: only local $ref is supported, got "${ref}"`);
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter((p) => p !== '')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : undefined;
      if (node === undefined) throw new Error(`result schema: $ref "${ref}" does not resolve`);
    }
    return node;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeMatches(type: string | readonly string[], v: unknown): boolean {
  const one = (t: string): boolean => {
    switch (t) {
      case 'null':
        return v === null;
      case 'boolean':
        return typeof v === 'boolean';
      case 'string':
        return typeof v === 'string';
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v);
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      case 'array':
        return Array.isArray(v);
      case 'object':
        return isObject(v);
      default:
        throw new Error(`result schema: unknown type "${t}"`);
    }
  };
  return typeof type === 'string' ? one(type) : type.some(one);
}

function describeType(type: string | readonly string[]): string {
  const words: Record<string, string> = { null: 'null', boolean: 'a boolean', string: 'a string', integer: 'an integer', number: 'a number', array: 'an array', object: 'an object' };
  return (typeof type === 'string' ? [type] : type).map((t) => words[t] ?? t).join(' or ');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- keeping the schema in sync with the types ---------------------------------------------------
//
// Each list below must name exactly the members of its TypeScript type (the compiler checks it:
// a missing or extra name is a type error), and test/reports/json-schema.test.ts checks that the
// schema names exactly the same ones. Changing a type without the schema fails the build or the test.

type Exactly<T extends string> = { readonly [K in T]: true };
type KeysOf<T> = T extends unknown ? keyof T & string : never;

/** The enumerations and field lists the schema must match. */
export const schemaSync = {
  verdicts: { pass: true, violation: true, incomplete: true } satisfies Exactly<CheckResult['verdict']>,
  cellVerdicts: {
    'atomicity broken (G1)': true,
    'false kill (G2)': true,
    'undetected violation (G3)': true,
    'killed as promised': true,
    holds: true,
    incomplete: true,
  } satisfies Exactly<CellVerdict>,
  stepKinds: {
    init: true,
    instruction: true,
    schedule: true,
    preempt: true,
    migrate: true,
    signal: true,
    'signal-pending': true,
    interrupt: true,
    'task-work': true,
    trap: true,
    'trap-sleep': true,
    wake: true,
    'syscall-exit': true,
    'membarrier-ipi': true,
  } satisfies Exactly<StepKind>,
  decisionKinds: {
    abort: true,
    'lazy-clear': true,
    'ids-updated': true,
    'event-recorded': true,
    sigsegv: true,
    'frame-pushed': true,
    sigreturn: true,
    commit: true,
    'no-abort': true,
    other: true,
  } satisfies Exactly<Decision['kind']>,
  limitKinds: { states: true, memory: true, time: true, depth: true, interrupted: true } satisfies Exactly<Limit['kind']>,
  fields: {
    checkOutput: {
      kind: true, verdict: true, model: true, policy: true, budgets: true, stats: true, flags: true, coverage: true, property: true, path: true, trace: true, stoppedBy: true,
    } satisfies Exactly<KeysOf<CheckResult>>,
    policy: {
      name: true, eventTracking: true, eventMaskClear: true, abortOnPreempt: true, abortOnMigrate: true, abortOnSignal: true, abortOnMembarrier: true,
      abortOnTrap: true, idUpdate: true, readOnlyEnforcement: true, csValidation: true, noRestartFlags: true, noRestartSignalRequiresBoth: true,
      signalVsNotifyOrder: true, restartRewindOrder: true, syscallPolicy: true, syscallSet: true, syscallSetCheck: true, csCheckAfterSyscallSwitch: true,
      forkUnregister: true, registrationClearsRseqCs: true, membarrierExcludesCaller: true, genericIrqEntry: true, archSetsUserIrq: true,
    } satisfies Exactly<keyof Policy>,
    budgets: { preemptions: true, migrations: true, signals: true, interrupts: true, traps: true } satisfies Exactly<keyof BudgetsIR>,
    stats: { states: true, transitions: true, depth: true, seconds: true, statesPerSecond: true, bytesPerState: true, stateWords: true, statesPerWorker: true } satisfies Exactly<keyof Stats>,
    limit: { kind: true, bound: true } satisfies Exactly<KeysOf<Limit>>,
    path: { choices: true, loopStart: true } satisfies Exactly<keyof Path>,
    flag: { code: true, name: true, count: true, witness: true, trace: true } satisfies Exactly<keyof FlagReport | 'trace'>,
    coverage: { eventKinds: true, programs: true } satisfies Exactly<keyof CoverageReport>,
    coverageInstruction: { index: true, label: true, text: true, inCs: true, events: true, violations: true, fused: true } satisfies Exactly<
      keyof CoverageReport['programs'][number]['instructions'][number]
    >,
    reviewOutput: { kind: true, scenarios: true, policies: true, cells: true, seconds: true } satisfies Exactly<keyof ReviewResult>,
    reviewCell: { scenario: true, policy: true, verdict: true, trace: true, states: true, coverage: true } satisfies Exactly<keyof ReviewCell>,
    trace: { model: true, policy: true, property: true, threads: true, cpus: true, steps: true, loopStart: true, replay: true } satisfies Exactly<keyof ExplainedTrace>,
    step: {
      index: true, kind: true, thread: true, cpu: true, instruction: true, decisions: true, rseqCs: true, inCs: true, text: true, witness: true,
    } satisfies Exactly<keyof ExplainedStep>,
    instruction: { program: true, index: true, label: true, text: true, fused: true } satisfies Exactly<keyof NonNullable<ExplainedStep['instruction']>>,
    decision: { kind: true, text: true } satisfies Exactly<keyof Decision>,
  },
} as const;
