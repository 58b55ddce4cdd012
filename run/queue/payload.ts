/**
 * What a job carries, validated with zod before a worker uses any of it: a job is data from the
 * network, so a field of the wrong type, an unknown scenario or policy, or a payload of another
 * queue protocol or rseq-check version is rejected (the job fails at once, unrun).
 */
import { z } from 'zod';
import { MAX_BUDGET } from '../../models/ir/schema.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { reductionNames } from '../../models/system/reductions.js';
import { optionRanges } from '../options.js';
import { reviewPolicies } from '../review.js';
import { MAX_PARTITIONS } from './partition-protocol.js';

/** The shape of payloads and results; a change to either bumps it. */
export const QUEUE_PROTOCOL = 1;

/** The queue every command and worker shares; a run's jobs are told apart by their id prefix. */
export const QUEUE_NAME = 'rseq-check';

/** A run's id: the prefix of its job ids (BullMQ forbids `:` in them). */
const runIdPattern = /^[0-9a-f]{16}$/;

const header = {
  protocol: z.number().int(),
  version: z.string().max(64),
  run: z.string().regex(runIdPattern),
};

/** One review cell: a seed scenario (by id: the worker builds it) under one policy. */
const reviewCellPayload = z
  .object({
    ...header,
    kind: z.literal('review-cell'),
    scenario: z.string().refine((id) => seedScenarios.some((s) => s.id === id), { message: 'is no seed scenario' }),
    policy: z.string().refine((p) => reviewPolicies.includes(p), { message: 'is no review policy' }),
    /** When the review must end (`Date.now()` milliseconds on the coordinator's clock) ... */
    deadline: z.number().int().positive().optional(),
    /** ... by the review's --max-seconds, which a cell stopped by it names. */
    maxSeconds: z.number().nonnegative().max(optionRanges.maxSeconds.max).optional(),
    /** The review's --max-states (each exploration of the cell) and --max-memory (the worker process). */
    maxStates: z.number().int().min(optionRanges.maxStates.min).max(optionRanges.maxStates.max).optional(),
    maxMemoryMB: z.number().int().min(optionRanges.maxMemoryMB.min).max(optionRanges.maxMemoryMB.max).optional(),
  })
  .strict();

/** A model travels as JSON, at most this long; the worker validates it as a model file is (models/ir/validate.ts). */
const MAX_MODEL_CHARS = 1 << 20;

const budget = z.union([z.number().int().min(0).max(MAX_BUDGET), z.literal('unbounded')]);

/** What shapes a safety check's system: the check command's options, as plain data (knobs as `name=value`, validated on the worker). */
const checkSettings = z
  .object({
    policy: z.string().max(100).optional(),
    knobs: z.array(z.string().max(200)).max(200).optional(),
    properties: z.array(z.string().max(200)).max(100).optional(),
    budgets: z.object({ preemptions: budget, migrations: budget, signals: budget, interrupts: budget, traps: budget }).partial().strict().optional(),
    constants: z.record(z.string().max(100), z.number().int()).optional(),
    reduce: z.boolean().optional(),
    disable: z.array(z.enum(reductionNames)).optional(),
    symmetry: z.boolean().optional(),
  })
  .strict();

/** A model as the worker finds it: a built-in by name and parameters, a gallery entry, or a model file's JSON. */
const model = z.union([
  z.object({ builtin: z.string().regex(/^[a-z0-9-]{1,64}$/), params: z.array(z.string().max(100)).max(50) }).strict(),
  z.object({ gallery: z.string().regex(/^[a-z0-9-]{1,100}$/) }).strict(),
  z
    .object({ json: z.unknown(), name: z.string().max(200) })
    .strict()
    .refine((m) => typeof m.json === 'object' && m.json !== null && JSON.stringify(m.json).length <= MAX_MODEL_CHARS, { message: `json must be a model object of at most ${MAX_MODEL_CHARS} characters` }),
]);

/** One search of a swarm: its number picks its successor order; it stops at `maxStates`. */
const swarmSearchPayload = z
  .object({
    ...header,
    kind: z.literal('swarm-search'),
    model,
    settings: checkSettings,
    search: z.number().int().min(0).max(1_000_000),
    maxStates: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    /** --max-memory: the worker process's resident-size bound for this search. */
    maxMemoryMB: z.number().int().min(optionRanges.maxMemoryMB.min).max(optionRanges.maxMemoryMB.max).optional(),
    deadline: z.number().int().positive().optional(),
  })
  .strict();

/** The shortest counterexample, once a swarm search found one: a breadth-first check on one worker. */
const shortestPayload = z
  .object({ ...header, kind: z.literal('shortest'), model, settings: checkSettings, maxStates: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(), maxMemoryMB: z.number().int().min(optionRanges.maxMemoryMB.min).max(optionRanges.maxMemoryMB.max).optional(), deadline: z.number().int().positive().optional() })
  .strict();

/** One partition of a partitioned breadth-first search (`check --partition K`), on the partition queue. */
const partitionPayload = z
  .object({
    ...header,
    kind: z.literal('partition'),
    model,
    settings: checkSettings,
    partition: z.number().int().min(0).max(MAX_PARTITIONS - 1),
    partitions: z.number().int().min(1).max(MAX_PARTITIONS),
    /** Partitions of this run one worker takes at most (the partitions over the workers the coordinator saw), so that they spread. */
    share: z.number().int().min(1).max(MAX_PARTITIONS),
    /** How long a partition or the coordinator may stay silent before the other presumes it dead. */
    stallMs: z.number().int().min(100).max(3_600_000),
    deadline: z.number().int().positive().optional(),
    maxSeconds: z.number().nonnegative().max(optionRanges.maxSeconds.max).optional(),
    maxMemoryMB: z.number().int().min(optionRanges.maxMemoryMB.min).max(optionRanges.maxMemoryMB.max).optional(),
  })
  .strict();

/**
 * One litmus case, run on the worker's own machine against its own kernel. The job names the
 * case (a suite case by its id, or a model as a check job carries one) and never carries C
 * source: the worker generates the program from the validated model itself, so a job cannot make
 * a worker compile and run code of its sender's choosing. A worker whose suite lacks the id
 * refuses the job (and one of another version refuses it anyway: the header).
 */
const litmusCasePayload = z
  .object({
    ...header,
    kind: z.literal('litmus-case'),
    case: z.union([z.object({ suite: z.string().regex(/^[a-z0-9-]{1,64}$/) }).strict(), z.object({ model }).strict()]),
    /** --policy: the preset every case is held against; without it, the one the worker's kernel release resolves to. */
    policy: z.string().max(100).optional(),
    runs: z.number().int().min(optionRanges.litmusRuns.min).max(optionRanges.litmusRuns.max),
    seconds: z.number().positive().max(optionRanges.litmusSeconds.max),
    maxStates: z.number().int().min(optionRanges.maxStates.min).max(optionRanges.maxStates.max).optional(),
    maxMemoryMB: z.number().int().min(optionRanges.maxMemoryMB.min).max(optionRanges.maxMemoryMB.max).optional(),
    /** When the run must end (`Date.now()` milliseconds on the coordinator's clock): the case is stopped then. */
    deadline: z.number().int().positive().optional(),
  })
  .strict();

const jobPayload = z.discriminatedUnion('kind', [reviewCellPayload, swarmSearchPayload, shortestPayload, partitionPayload, litmusCasePayload]);

export type JobPayload = z.infer<typeof jobPayload>;
export type ReviewCellPayload = z.infer<typeof reviewCellPayload>;
export type SwarmSearchPayload = z.infer<typeof swarmSearchPayload>;
export type PartitionPayload = z.infer<typeof partitionPayload>;
export type LitmusCasePayload = z.infer<typeof litmusCasePayload>;
export type CheckSettings = z.infer<typeof checkSettings>;
export type ModelSource = z.infer<typeof model>;

/** Why a payload is refused, or the payload; `version` is this worker's rseq-check version. */
export function parsePayload(data: unknown, version: string): { ok: true; payload: JobPayload } | { ok: false; why: string } {
  const head = z.object({ protocol: z.number(), version: z.string() }).safeParse(data);
  if (head.success && (head.data.protocol !== QUEUE_PROTOCOL || head.data.version !== version))
    return {
      ok: false,
      why: `the job speaks queue protocol ${head.data.protocol} of rseq-check ${JSON.stringify(head.data.version).slice(0, 70)}; this worker speaks protocol ${QUEUE_PROTOCOL} of rseq-check ${version} (run workers of the coordinator's version)`,
    };
  const parsed = jobPayload.safeParse(data);
  if (!parsed.success) return { ok: false, why: `bad payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, payload: parsed.data };
}

const cellVerdicts = ['holds', 'atomicity broken (G1)', 'false kill (G2)', 'undetected violation (G3)', 'killed as promised', 'incomplete'] as const;

/** A review cell's result as a worker returns it: checked for its identity and verdict (its trace and coverage travel as they are). */
export const reviewCellResult = z
  .object({ scenario: z.string(), policy: z.string(), verdict: z.enum(cellVerdicts), states: z.number().int().nonnegative() })
  .passthrough();

/** A swarm search's result as a worker returns it (its coverage travels as it is). */
export const swarmSearchResult = z
  .object({
    search: z.number().int(),
    found: z.object({ property: z.string(), steps: z.number().int().nonnegative() }).optional(),
    exhausted: z.boolean(),
    /** The search stopped at --max-memory (not at its state budget). */
    outOfMemory: z.boolean().optional(),
    states: z.number().int().nonnegative(),
    transitions: z.number().int().nonnegative(),
    depth: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    coverage: z.object({ eventKinds: z.array(z.string()), programs: z.array(z.unknown()) }).passthrough(),
  })
  .strict();

/** The shortening check's result: a check result (rendered as `check` renders one). */
export const shortestResult = z.object({ kind: z.literal('check'), verdict: z.enum(['pass', 'violation', 'incomplete']), model: z.string() }).passthrough();
