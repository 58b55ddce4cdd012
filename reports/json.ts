/**
 * The JSON outputs of rseq-check and their published schema
 * (reports/schema/rseq-check-result.schema.json, JSON Schema 2020-12).
 *
 * Every document carries a `kind`, its first field:
 * - `check`: a `CheckResult`, exactly what `rseq-check check --json` prints;
 * - `review`: a `ReviewResult`, what `rseq-check review --out DIR` writes (review.json);
 * - `trace`: `{ kind: 'trace', ...ExplainedTrace }`, one counterexample on its own (also what
 *   `check --replay TOKEN --json` prints);
 * - `temporal`: a `TemporalResult`, what `rseq-check check --ltl F --json` prints;
 * - `checks`: several results of one command line (`ChecksJson`);
 * - `graph`: what `check --graph FILE --json` drew (`GraphJson`);
 * - `models`, `gallery`, `policies`: the listings of those commands with `--json`.
 *
 * Reading a document back (`parseResultJson`, `parseOutputJson`) validates it against the
 * schema with ajv, and words each problem with its field path, line and column.
 *
 * The schema is written by hand, not generated from zod: these documents are TypeScript
 * interfaces, and the project's only zod schemas describe model files (models/ir/schema.ts) and
 * queue jobs. What keeps schema and types together is test/reports/json-schema.test.ts: every
 * kind of document the CLI writes must validate, and 55 `additionalProperties: false` reject a
 * field the schema does not name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { FlagReport, Limit, Path, Stats } from '../checker/result.js';
import type { CellVerdict, CheckResult, FirstCounterexample, Result, ReviewCell, ReviewResult, TemporalResult } from '../run/result.js';
import type { CoverageReport } from '../models/system/coverage.js';
import type { Decision, DecisiveStep, ExplainedStep, ExplainedTrace, StepKind, ValueChange } from '../run/explained-trace.js';
import { InputErrors, type InputError } from '../models/ir/errors.js';
import { locateJsonPath, locateJsonSyntaxError } from '../models/ir/json-locate.js';
import type { BudgetsIR } from '../models/ir/types.js';
import type { Policy } from '../models/kernel/policy.js';
import { buildProvenance, SCHEMA_VERSION, type Provenance } from '../run/provenance.js';

/** One explained counterexample as JSON. */
export type TraceJson = { readonly kind: 'trace' } & ExplainedTrace & { readonly provenance?: Provenance };
/** Several results of one command line, in the order they ran; `verdict` is the worst. */
export interface ChecksJson {
  readonly kind: 'checks';
  readonly provenance?: Provenance;
  readonly verdict: CheckResult['verdict'];
  readonly results: readonly (CheckResult | TemporalResult)[];
}
/** What `check --graph FILE` drew, and the verdict the drawn states show. */
export interface GraphJson {
  readonly kind: 'graph';
  readonly provenance?: Provenance;
  readonly verdict: CheckResult['verdict'];
  readonly model: string;
  readonly file: string;
  readonly format: 'dot' | 'svg';
  readonly states: number;
  readonly transitions: number;
  readonly stoppedBy?: Limit;
}
/** `models --json`. */
export interface ModelsJson {
  readonly kind: 'models';
  readonly provenance?: Provenance;
  readonly models: readonly { readonly name: string; readonly summary: string; readonly params: readonly { name: string; doc: string; default: number; min: number; max: number }[] }[];
}
/** `gallery --json`. */
export interface GalleryJson {
  readonly kind: 'gallery';
  readonly provenance?: Provenance;
  readonly entries: readonly { name: string; title: string; policy: string; bugKnobs: readonly string[]; fixKnobs: readonly string[]; property: string }[];
}
/** `policies --json`: presets as their knob diff (`name=value`), knobs with the values they take. */
export interface PoliciesJson {
  readonly kind: 'policies';
  readonly provenance?: Provenance;
  readonly presets: readonly { name: string; base: string | null; kind: 'kernel' | 'proposal'; doc: string; knobs: readonly string[] }[];
  readonly knobs: readonly { name: string; values: readonly string[]; evidence: string; doc: string }[];
}
/** Any document the schema describes. */
export type OutputJson = CheckResult | ReviewResult | TraceJson | TemporalResult | ChecksJson | GraphJson | ModelsJson | GalleryJson | PoliciesJson;

/** The schema's file name, and its path relative to the repository (and package) root. */
export const RESULT_SCHEMA_PATH = 'reports/schema/rseq-check-result.schema.json';

// ---- writing ------------------------------------------------------------------------------------

/**
 * A result as the CLI prints it (`check --json`, review.json): its data, one-space indented, in
 * the result's own field order (`kind` first). View methods (`explain`...) are left out.
 */
export function resultToJson(result: Result): string {
  return JSON.stringify(withProvenance(result), null, 1);
}

/** Any document, as the CLI prints it (one-space indented, its own field order, `provenance` last). */
export function documentToJson(doc: OutputJson): string {
  return JSON.stringify(withProvenance(doc), null, 1);
}

/** One explained trace as a standalone document: `{ kind: 'trace', ...trace, provenance }`. */
export function traceToJson(trace: ExplainedTrace): string {
  return JSON.stringify(withProvenance({ kind: 'trace', ...trace }), null, 1);
}

/**
 * The document with its provenance: its own if it has one (a result of the library's `check`),
 * else one made now, under the document's policy when it has exactly one.
 */
export function withProvenance<D extends OutputJson>(doc: D): D & { readonly provenance: Provenance } {
  if ('provenance' in doc && doc.provenance !== undefined) return doc as D & { readonly provenance: Provenance };
  const policy = 'policy' in doc && typeof doc.policy === 'object' ? doc.policy : undefined;
  return { ...doc, provenance: buildProvenance(policy ? { policy } : {}) };
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
  if (doc.kind !== 'check' && doc.kind !== 'review') {
    throw new InputErrors([{ code: 'schema', file, path: ['kind'], ...at(text, ['kind']), message: `this is a "${doc.kind}" document; a check or review result was expected` }]);
  }
  return doc;
}

/** Parses and validates any rseq-check JSON document (every kind the schema describes); see `parseResultJson`. */
export function parseOutputJson(text: string, file = '<json>'): OutputJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputErrors([{ code: 'bad-json', file, path: [], ...locateJsonSyntaxError(text, why), message: `not valid JSON: ${why}` }]);
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

let compiled: ValidateFunction | undefined;

/**
 * ajv, loaded at the first validation (synchronously: it is CommonJS). Loading it with the
 * module took 0.3 s of each CLI start's 0.5 s, though only --json output and `report` use it.
 */
function loadAjv(): typeof Ajv2020 {
  const ajv = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
  return ajv.Ajv2020;
}

/** Validates a parsed value against the result schema; returns the problems (at most `limit`). */
export function validateResultValue(value: unknown, limit = 20): SchemaProblem[] {
  compiled ??= new (loadAjv())({ allErrors: true, strict: true }).compile(loadResultSchema());
  if (compiled(value)) return [];
  // An if/then failure only repeats what the `then` branch's own errors say.
  const errors = (compiled.errors ?? []).filter((e) => e.keyword !== 'if');
  const problems: SchemaProblem[] = [];
  const reported = new Set<string>();
  for (const error of errors) {
    if (problems.length === limit) break;
    const { path, found } = locate(error.instancePath, value);
    let problem: SchemaProblem;
    if (error.keyword === 'required') {
      // Every field missing from one object, in one problem.
      const names = errors.filter((e) => e.keyword === 'required' && e.instancePath === error.instancePath).map((e) => `"${String(e.params['missingProperty'])}"`);
      problem = { path, message: `missing required field${names.length > 1 ? 's' : ''} ${names.join(', ')}` };
    } else problem = describeError(error, path, found);
    const key = `${JSON.stringify(problem.path)} ${problem.message}`;
    if (reported.has(key)) continue;
    reported.add(key);
    problems.push(problem);
  }
  return problems;
}

let cachedSchema: Readonly<Record<string, unknown>> | undefined;

/** The published schema, read from reports/schema/ next to this module (from the sources) or two levels up (from the compiled dist/reports/). */
function loadResultSchema(): Readonly<Record<string, unknown>> {
  if (cachedSchema !== undefined) return cachedSchema;
  const candidates = [
    new URL('./schema/rseq-check-result.schema.json', import.meta.url),
    new URL(`../../${RESULT_SCHEMA_PATH}`, import.meta.url),
  ];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (found === undefined) throw new Error(`rseq-check: cannot find the result schema (${RESULT_SCHEMA_PATH}) next to ${fileURLToPath(import.meta.url)}`);
  cachedSchema = JSON.parse(readFileSync(found, 'utf8')) as Readonly<Record<string, unknown>>;
  return cachedSchema;
}

function at(text: string, path: readonly (string | number)[]): { line?: number; column?: number } {
  const loc = locateJsonPath(text, path);
  return loc ? { line: loc.line, column: loc.column } : {};
}

/** The field path of an ajv instance path (a JSON pointer; array indices as numbers) and the value there. */
function locate(pointer: string, root: unknown): { path: (string | number)[]; found: unknown } {
  const path: (string | number)[] = [];
  let found = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(found)) {
      path.push(Number(key));
      found = found[Number(key)];
    } else {
      path.push(key);
      found = isObject(found) ? found[key] : undefined;
    }
  }
  return { path, found };
}

/** One ajv error in words, at its field path. */
function describeError(error: ErrorObject, path: (string | number)[], value: unknown): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  const got = describeValue(value);
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      return { path: [...path, name], message: `unexpected field "${name}"` };
    }
    case 'type':
      return { path, message: `must be ${describeType(params['type'] as string | string[])} (got ${got})` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])} (got ${got})` };
    case 'enum':
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).map((e) => JSON.stringify(e)).join(', ')} (got ${got})` };
    case 'minimum':
      return { path, message: `must be at least ${String(params['limit'])} (got ${got})` };
    case 'minLength':
      return { path, message: params['limit'] === 1 ? 'must not be empty' : `must have at least ${String(params['limit'])} characters` };
    case 'pattern':
      return { path, message: `must match ${String(params['pattern'])} (got ${got})` };
    case 'minItems': {
      const n = Number(params['limit']);
      return { path, message: `must have at least ${n} item${n === 1 ? '' : 's'}` };
    }
    case 'false schema':
      return { path, message: 'no value is allowed here' };
    default:
      return { path, message: error.message ?? `fails the schema's "${error.keyword}"` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describeType(type: string | readonly string[]): string {
  const words: Record<string, string> = { null: 'null', boolean: 'a boolean', string: 'a string', integer: 'an integer', number: 'a number', array: 'an array', object: 'an object' };
  return (typeof type === 'string' ? type.split(',') : type).map((t) => words[t] ?? t).join(' or ');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
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
    'kernel-work': true,
    trap: true,
    'trap-sleep': true,
    wake: true,
    ptrace: true,
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
      kind: true, verdict: true, model: true, policy: true, budgets: true, stats: true, flags: true, coverage: true, property: true, path: true, trace: true, stoppedBy: true, first: true, secondsToShortest: true,
      provenance: true,
    } satisfies Exactly<KeysOf<CheckResult>>,
    firstCounterexample: { property: true, steps: true, seconds: true, states: true, path: true, trace: true } satisfies Exactly<keyof FirstCounterexample>,
    policy: {
      name: true, eventTracking: true, eventMaskClear: true, abortOnPreempt: true, abortOnMigrate: true, abortOnSignal: true, abortOnMembarrier: true,
      abortOnTrap: true, idUpdate: true, readOnlyEnforcement: true, csValidation: true, noRestartFlags: true, noRestartSignalRequiresBoth: true,
      signalVsNotifyOrder: true, restartRewindOrder: true, syscallPolicy: true, syscallSet: true, syscallSetCheck: true, csCheckAfterSyscallSwitch: true,
      forkUnregister: true, registrationClearsRseqCs: true, membarrierExcludesCaller: true, genericIrqEntry: true, archSetsUserIrq: true,
      kvmPath: true, notifyOnExecFailure: true, segvOnDelivery: true,
      eventRMWAtomicVsIPI: true, unregisterAtomicVsIpi: true, unregisterResetsCpuIdStart: true, mmCidUniqueness: true,
    } satisfies Exactly<keyof Policy>,
    budgets: { preemptions: true, migrations: true, signals: true, interrupts: true, traps: true } satisfies Exactly<keyof BudgetsIR>,
    stats: { states: true, transitions: true, depth: true, seconds: true, statesPerSecond: true, bytesPerState: true, stateWords: true, searchOrder: true, statesPerWorker: true, statesPerPartition: true, statesPerLevel: true, statesPerWorkerLevel: true } satisfies Exactly<keyof Stats>,
    limit: { kind: true, bound: true, signal: true } satisfies Exactly<KeysOf<Limit>>,
    path: { choices: true, loopStart: true } satisfies Exactly<keyof Path>,
    flag: { code: true, name: true, count: true, witness: true, trace: true } satisfies Exactly<keyof FlagReport | 'trace'>,
    coverage: { eventKinds: true, programs: true } satisfies Exactly<keyof CoverageReport>,
    coverageInstruction: { index: true, label: true, text: true, inCs: true, events: true, violations: true, fused: true } satisfies Exactly<
      keyof CoverageReport['programs'][number]['instructions'][number]
    >,
    reviewOutput: { kind: true, scenarios: true, policies: true, cells: true, seconds: true, stoppedBy: true, provenance: true } satisfies Exactly<keyof ReviewResult>,
    reviewCell: { scenario: true, policy: true, verdict: true, trace: true, states: true, coverage: true, stoppedBy: true, seconds: true } satisfies Exactly<keyof ReviewCell>,
    trace: { model: true, policy: true, property: true, threads: true, cpus: true, steps: true, loopStart: true, replay: true, decisive: true } satisfies Exactly<keyof ExplainedTrace>,
    step: {
      index: true, kind: true, thread: true, cpu: true, instruction: true, decisions: true, rseqCs: true, inCs: true, text: true, witness: true, values: true,
    } satisfies Exactly<keyof ExplainedStep>,
    valueChange: { name: true, scope: true, before: true, after: true } satisfies Exactly<keyof ValueChange>,
    decisive: { step: true, property: true, why: true } satisfies Exactly<keyof DecisiveStep>,
    instruction: { program: true, index: true, label: true, text: true, fused: true } satisfies Exactly<keyof NonNullable<ExplainedStep['instruction']>>,
    decision: { kind: true, text: true } satisfies Exactly<keyof Decision>,
    provenance: { schemaVersion: true, tool: true, date: true, command: true, policy: true, node: true, platform: true, kernel: true } satisfies Exactly<keyof Provenance>,
  },
  /** The `schemaVersion` every document's provenance states (the schema's `$defs.provenance`). */
  schemaVersion: SCHEMA_VERSION,
} as const;
