/**
 * Checkpoint files of a check (`checkpoint` / `resume` in CheckOptions, `--checkpoint` /
 * `--resume` on the command line): the breadth-first search's state (checker/checkpoint.ts),
 * the placement coverage so far, the counterexample a depth-first phase found, and the run
 * configuration it belongs to, as a hash and a readable summary. A checkpoint of another
 * configuration (model, policy or knobs, properties, budgets, reductions, search, version) is
 * refused, naming what differs; limits, workers and output options may differ.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { checkpointMeta, CHECKPOINT_FORMAT, CorruptCheckpoint, decodeCheckpoint, encodeCheckpoint, type SearchSnapshot } from '../checker/checkpoint.js';
import { InputErrors } from '../models/ir/errors.js';
import type { BudgetsIR, ModelIR } from '../models/ir/types.js';
import type { Policy } from '../models/kernel/policy.js';
import type { PlacementCoverage } from '../models/system/coverage.js';
import { reductionNames } from '../models/system/reductions.js';
import { writeFileAtomic } from './atomic-file.js';
import type { CheckOptions } from './options.js';
import type { FirstCounterexample } from './result.js';

/** Seconds between periodic checkpoint writes unless told otherwise. */
export const CHECKPOINT_EVERY_SECONDS = 60;

/** What a check's configuration is, readably: each field is compared on resume and named when it differs. */
interface Summary {
  readonly version: string;
  readonly model: string;
  /** A hash of the model's IR (a file edited under the same name differs here). */
  readonly modelContents: string;
  readonly policy: string;
  readonly properties: string;
  readonly budgets: string;
  readonly parameters: string;
  readonly reductions: string;
  readonly search: string;
}

const fieldNames: Record<keyof Summary, string> = {
  version: 'rseq-check',
  model: 'model',
  modelContents: 'model contents',
  policy: 'policy',
  properties: 'properties',
  budgets: 'budgets',
  parameters: 'parameters',
  reductions: 'reductions',
  search: 'search',
};

/** The run configuration a checkpoint belongs to. */
export interface RunConfiguration {
  readonly summary: Summary;
  /** The resolved policy, every knob (to name the knobs that differ). */
  readonly policy: Policy;
  /** SHA-256 of everything that shapes the search, canonically serialised. */
  readonly hash: string;
}

/** What a checkpoint file's metadata holds. */
interface Meta {
  readonly kind: 'rseq-check check';
  readonly configuration: RunConfiguration;
  readonly first?: FirstCounterexample;
}

/** A checkpoint read back and checked against this run's configuration. */
export interface ResumePoint {
  /** The breadth-first search to continue; none: the run stopped before it, so it starts over. */
  readonly snapshot: SearchSnapshot | undefined;
  /** The placement coverage counters when it was saved. */
  readonly coverage: { readonly events: Int32Array; readonly violations: Int32Array } | undefined;
  /** The counterexample the depth-first phase had found. */
  readonly first: FirstCounterexample | undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values always serialise alike. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** rseq-check's version: the package.json above run/ (sources) or dist/run/ (the build). */
function toolVersion(): string {
  const file = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((u) => existsSync(u));
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'unknown';
}

/** The configuration of a check of `ir` under `policy` with `budgets` (resolved) and `options`. */
export function runConfiguration(ir: ModelIR, policy: Policy, budgets: BudgetsIR, options: CheckOptions): RunConfiguration {
  const search = options.search ?? 'first-then-shortest';
  const shape = {
    format: CHECKPOINT_FORMAT,
    version: toolVersion(),
    ir,
    policy,
    budgets,
    properties: options.properties ?? null,
    constants: options.constants ?? {},
    symmetry: options.symmetry ?? true,
    reduce: options.reduce ?? true,
    disable: options.disable ?? [],
    // A build that adds a reduction explores another reduced space: its checkpoints do not mix.
    known: reductionNames,
    search,
    firstSearchStates: search === 'first-then-shortest' ? (options.firstSearchStates ?? null) : null,
  };
  const reductions = [shape.symmetry ? 'symmetry' : 'no symmetry', shape.reduce ? (shape.disable.length > 0 ? `all but ${shape.disable.join(',')}` : 'all reductions') : 'no reductions'];
  const summary: Summary = {
    version: shape.version,
    model: ir.name,
    modelContents: sha256(canonical(ir)).slice(0, 16),
    policy: policy.name,
    properties: shape.properties ? shape.properties.join(',') : "the model's defaults",
    budgets: Object.entries(budgets)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' '),
    parameters: canonical(shape.constants),
    reductions: reductions.join(', '),
    search: shape.firstSearchStates !== null ? `${search} (${shape.firstSearchStates} states first)` : search,
  };
  return { summary, policy, hash: sha256(canonical(shape)) };
}

const refused = (file: string, message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--resume'], message: `checkpoint ${file} ${message}` }]);

/** What differs between the configuration a checkpoint was made for and this run's, in words; undefined when none does. */
function difference(theirs: RunConfiguration, ours: RunConfiguration): string | undefined {
  for (const key of Object.keys(fieldNames) as (keyof Summary)[]) {
    if (theirs.summary[key] !== ours.summary[key]) return `was made for ${fieldNames[key]} ${theirs.summary[key]}, this run uses ${ours.summary[key]}`;
  }
  const knobs = Object.keys(ours.policy).filter((k) => canonical(theirs.policy[k as keyof Policy]) !== canonical(ours.policy[k as keyof Policy]));
  if (knobs.length > 0) {
    const show = (p: Policy): string => knobs.map((k) => `${k}=${String(p[k as keyof Policy])}`).join(' ');
    return `was made for knobs ${show(theirs.policy)}, this run uses ${show(ours.policy)}`;
  }
  return theirs.hash === ours.hash ? undefined : 'was made for another run configuration (its hash differs)';
}

/** Reads checkpoint `file` for a run of configuration `config`; refuses (InputErrors, naming the file) a missing, corrupt or mismatched one. */
export function readCheckpoint(file: string, config: RunConfiguration): ResumePoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw refused(file, code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(e)})`);
  }
  try {
    const { format, meta } = checkpointMeta(bytes);
    if (format !== CHECKPOINT_FORMAT) throw new CorruptCheckpoint(`has checkpoint format ${String(format)}, this version of rseq-check reads format ${CHECKPOINT_FORMAT}`);
    const m = meta as Partial<Meta> | null;
    if (m?.kind !== 'rseq-check check' || !m.configuration?.summary) throw new CorruptCheckpoint('is not the checkpoint of a check');
    const differs = difference(m.configuration, config);
    if (differs !== undefined) throw refused(file, differs);
    const cp = decodeCheckpoint(bytes);
    const events = cp.extra['coverage-events'];
    const violations = cp.extra['coverage-violations'];
    return { snapshot: cp.snapshot, coverage: events && violations ? { events, violations } : undefined, first: m.first };
  } catch (e) {
    if (e instanceof CorruptCheckpoint) throw refused(file, e.message.startsWith('has ') || e.message.startsWith('is ') ? e.message : `cannot be used: ${e.message}`);
    throw e;
  }
}

/** Puts a checkpoint's coverage counters back (checked against the system's own: same configuration, same sizes). */
export function restoreCoverage(file: string, coverage: PlacementCoverage, saved: ResumePoint['coverage']): void {
  if (!saved) return;
  if (saved.events.length !== coverage.events.length || saved.violations.length !== coverage.violations.length) throw refused(file, 'cannot be used: its coverage counters do not fit this model');
  coverage.events.set(saved.events);
  coverage.violations.set(saved.violations);
}

/**
 * Writes a checkpoint to `file` atomically, so that a kill during the write leaves the previous
 * checkpoint whole.
 */
export function writeCheckpoint(file: string, config: RunConfiguration, snapshot: SearchSnapshot | undefined, coverage: PlacementCoverage, first: FirstCounterexample | undefined): void {
  const meta: Meta = { kind: 'rseq-check check', configuration: config, ...(first ? { first } : {}) };
  const chunks = encodeCheckpoint({ meta, snapshot, extra: { 'coverage-events': coverage.events, 'coverage-violations': coverage.violations } });
  writeFileAtomic(file, chunks);
}
