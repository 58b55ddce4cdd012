/**
 * What a job carries, validated with zod before a worker uses any of it: a job is data from the
 * network, so a field of the wrong type, an unknown scenario or policy, or a payload of another
 * queue protocol or rseq-check version is rejected (the job fails at once, unrun).
 */
import { z } from 'zod';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { reviewPolicies } from '../review.js';

/** The shape of payloads and results; a change to either bumps it. */
export const QUEUE_PROTOCOL = 1;

/** The queue every command and worker shares; a run's jobs are told apart by their id prefix. */
export const QUEUE_NAME = 'rseq-check';

/** A run's id: the prefix of its job ids (BullMQ forbids `:` in them). */
export const runIdPattern = /^[0-9a-f]{16}$/;

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
    /** When the review must end (`Date.now()` milliseconds on the coordinator's clock). */
    deadline: z.number().int().positive().optional(),
  })
  .strict();

const jobPayload = z.discriminatedUnion('kind', [reviewCellPayload]);

export type JobPayload = z.infer<typeof jobPayload>;
export type ReviewCellPayload = z.infer<typeof reviewCellPayload>;

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
