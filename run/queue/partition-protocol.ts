/**
 * What the coordinator of a partitioned search and its partitions say to each other through
 * Redis, besides the BullMQ jobs that start the partitions: the keys of one run, the commands
 * (coordinator to partition, one list per partition), the reports (partitions to coordinator,
 * one list), and the batches of states that cross partitions (one list per partition, packed
 * as bytes). Commands and reports are small JSON validated with zod on arrival; batches are
 * checked for their length.
 */
import { z } from 'zod';

/** The BullMQ queue partition jobs go on: its workers take up to MAX_PARTITIONS jobs at once (a partition mostly waits for its peers). */
export const PARTITION_QUEUE = 'rseq-check-partition';

/** Partitions of one search, at most. */
export const MAX_PARTITIONS = 64;

/** The Redis keys of run `run`. */
export const partitionKeys = (run: string) => {
  const base = `rseq-check:partition:${run}`;
  return {
    /** Commands to partition `p`. */
    commands: (p: number): string => `${base}:commands:${p}`,
    /** Reports of every partition. */
    reports: `${base}:reports`,
    /** The states of the level being expanded that belong to partition `p`. */
    inbox: (p: number): string => `${base}:inbox:${p}`,
    /** Set by partition `p` while it lives (expires after the stall time). */
    alive: (p: number): string => `${base}:alive:${p}`,
    /** Set by the coordinator while it lives. */
    coordinatorAlive: `${base}:alive:coordinator`,
    /** Set once when partition `p` starts: a second start (a retried job) is refused. */
    started: (p: number): string => `${base}:started:${p}`,
    /** Set by the coordinator when a signal stops the run: a partition ends the level it expands, then answers link walks (the witnesses of what was found) until told to finish. */
    halt: `${base}:halt`,
  };
};

/** The keys to delete when a run ends. */
export const allPartitionKeys = (run: string, partitions: number): string[] => {
  const k = partitionKeys(run);
  const per = (f: (p: number) => string): string[] => Array.from({ length: partitions }, (_, p) => f(p));
  return [k.reports, k.coordinatorAlive, k.halt, ...per(k.commands), ...per(k.inbox), ...per(k.alive), ...per(k.started)];
};

/** A command to one partition. */
export const partitionCommand = z.discriminatedUnion('cmd', [
  /** Expand the states of depth `level`, keeping at most `budget` states stored; send the successors that belong elsewhere. */
  z.object({ cmd: z.literal('expand'), level: z.number().int().nonnegative(), budget: z.number().int().positive() }).strict(),
  /** Store the states the other partitions sent for depth `level + 1`. */
  z.object({ cmd: z.literal('receive'), level: z.number().int().nonnegative() }).strict(),
  /** Walk the parent links from state `id` back to the first one stored elsewhere (or to an initial state). */
  z.object({ cmd: z.literal('link'), id: z.number().int().nonnegative() }).strict(),
  /** The search is over: return the job's result. */
  z.object({ cmd: z.literal('finish') }).strict(),
]);
export type PartitionCommand = z.infer<typeof partitionCommand>;

const limit = z.union([
  z.object({ kind: z.enum(['states', 'memory', 'time', 'depth']), bound: z.number() }).strict(),
  z.object({ kind: z.literal('interrupted') }).strict(),
]);

/** A state a partition found, with what decides between partitions: depth, path cost, packed words. */
const found = z.object({ code: z.number().int(), id: z.number().int().nonnegative(), depth: z.number().int().nonnegative(), cost: z.number().int().nonnegative(), words: z.array(z.number().int()) }).strict();
export type FoundState = z.infer<typeof found>;

/** A partition's report: after its initial states, after each phase of a level, and for a link walk. */
export const partitionReport = z
  .object({
    partition: z.number().int().min(0).max(MAX_PARTITIONS - 1),
    phase: z.enum(['init', 'sent', 'received', 'link']),
    level: z.number().int().min(-1),
    /** States stored, transitions generated, and the states of its newest level. */
    states: z.number().int().nonnegative(),
    transitions: z.number().int().nonnegative(),
    newest: z.number().int().nonnegative(),
    bytesPerState: z.number().nonnegative(),
    /** What it sent so far: distinct states, batches, bytes. */
    sent: z.object({ states: z.number().int().nonnegative(), batches: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }).strict(),
    stoppedBy: limit.optional(),
    /** Its best violating state (least depth, then cost, then words), if it has one. */
    violation: found.optional(),
    /** Per flag code, its count and best witness. */
    flags: z.array(found.extend({ count: z.number().int().positive() })),
    /** A link walk: the choices from the first state stored here, and where its parent lives (none: an initial state). */
    link: z.object({ choices: z.array(z.number().int().nonnegative()), parent: z.object({ partition: z.number().int().nonnegative(), id: z.number().int().nonnegative() }).strict().optional() }).strict().optional(),
  })
  .strict();
export type PartitionReport = z.infer<typeof partitionReport>;

/** What a partition job returns: its placement coverage counters (summed by the coordinator). */
export const partitionResult = z.object({ partition: z.number().int(), coverageEvents: z.array(z.number().int()), coverageViolations: z.array(z.number().int()) }).strict();
export type PartitionResult = z.infer<typeof partitionResult>;

/** The partition a state of hash `h` (StateStore's hashWords) belongs to: high bits of a second mix, so each store's table still sees every low bit. */
export function partitionOf(h: number, partitions: number): number {
  return Math.floor(((Math.imul(h, 0x9e3779b1) >>> 0) * partitions) / 0x1_0000_0000);
}

/**
 * A batch of states for one partition: Int32 words (little-endian, as every supported host):
 * the sender, the record count, then per record the state's words, its parent's id in the
 * sender, its successor index there, and the tie cost of its path.
 */
export const BATCH_HEADER_WORDS = 2;
export const recordWords = (stateWords: number): number => stateWords + 3;

/** The words of a batch received from Redis, checked for its length; undefined when malformed. */
export function decodeBatch(bytes: Buffer, stateWords: number, partitions: number): Int32Array | undefined {
  if (bytes.byteLength % 4 !== 0 || bytes.byteLength < BATCH_HEADER_WORDS * 4) return undefined;
  const words = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(words.buffer).set(bytes);
  const sender = words[0]!;
  const n = words[1]!;
  if (sender < 0 || sender >= partitions || n < 0 || words.length !== BATCH_HEADER_WORDS + n * recordWords(stateWords)) return undefined;
  return words;
}
