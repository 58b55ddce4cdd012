/**
 * One partition of a partitioned breadth-first search (`check --partition K --queue URL`): the
 * states whose hash falls in this partition, in the worker's own packed store (checker's
 * StateStore), with a parent link per state that names the parent's partition too, so that a
 * trace can be rebuilt across partitions. Level by level, as the coordinator commands: expand
 * this partition's states of depth d (successors of its own are stored at once, the others are
 * collected per owner, each distinct state once with its cheapest link, and sent as packed
 * batches), then store what the others sent. The rules for the violation, the flag witnesses
 * and the links are Exploration's (checker/explore.ts), so that the coordinator, picking among
 * the partitions' best states by the same rules, reports what a single-process search reports.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { BATCH, pathCost } from '../../checker/explore.js';
import { Findings, type Candidate } from '../../checker/findings.js';
import { MemoryBound } from '../../checker/memory-bound.js';
import type { Limit } from '../../checker/result.js';
import { hashWords, StateStore } from '../../checker/state-store.js';
import { EXPAND_GROUP, SuccessorBuffer } from '../../checker/successor-buffer.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import type { ModelIR } from '../../models/ir/types.js';
import { resolvePolicy } from '../../models/kernel/presets.js';
import { buildSystem } from '../../models/system/build.js';
import type { CheckOptions } from '../options.js';
import type { QueueTarget } from './connection.js';
import { parseJson, partitionConnection } from './partition-connection.js';
import {
  BATCH_HEADER_WORDS,
  decodeBatch,
  partitionCommand,
  partitionKeys,
  partitionOf,
  recordWords,
  type FoundState,
  type PartitionCommand,
  type PartitionReport,
  type PartitionResult,
} from './partition-protocol.js';

/** Bytes of one batch of states at most (a Redis list element). */
const BATCH_BYTES = 1 << 18;
/** Batches sent per round trip. */
const PIPELINE_BATCHES = 16;

/** The search state of one partition, without any I/O. */
export class PartitionSearch {
  readonly store: StateStore;
  /** Per state, the partition its parent link points into. */
  private parentPartition = new Uint8Array(1024);
  private readonly findings: Findings;
  private readonly words: number;
  private readonly tieCost: ((label: number) => number) | undefined;
  private readonly scratch: Int32Array;
  transitions = 0;
  /** The next state to expand, and the end of the level being expanded. */
  next = 0;
  levelEnd = 0;
  /** Per other partition, the distinct successors of this level it owns (with their cheapest link). */
  private outgoing: (StateStore | undefined)[] = [];
  readonly sent = { states: 0, batches: 0, bytes: 0 };

  constructor(
    readonly system: TransitionSystem,
    readonly me: number,
    readonly partitions: number,
  ) {
    this.words = system.stateWords;
    this.store = new StateStore(this.words);
    this.scratch = new Int32Array(this.words);
    this.tieCost = system.tieCost?.bind(system);
    this.findings = new Findings(
      (a, b) => this.store.compare(a, b),
      (id) => this.store.eventsOf(id),
    );
  }

  /** Stores the initial states this partition owns (each keeps its index among all initial states). */
  init(): void {
    const out = new Int32Array(this.words);
    let choice = 0;
    this.system.initialStates(out, () => {
      const c = choice++;
      const h = hashWords(out, 0, this.words);
      if (partitionOf(h, this.partitions) === this.me) this.insert(out, 0, h, -1, this.me, c, 0, 0);
    });
  }

  /** States of the newest level (stored since the last expansion began). */
  get newest(): number {
    return this.store.count - this.levelEnd;
  }

  /**
   * Expands this partition's states of depth `depth`; `stop` is asked between batches (after
   * a yield to the event loop) and ends the expansion early with its limit.
   */
  async expand(depth: number, stop: () => Limit | undefined): Promise<Limit | undefined> {
    this.levelEnd = this.store.count;
    this.outgoing = Array.from({ length: this.partitions }, (_, p) => (p === this.me ? undefined : new StateStore(this.words, 8)));
    const buf = new SuccessorBuffer(this.system);
    while (this.next < this.levelEnd) {
      const batchEnd = Math.min(this.levelEnd, this.next + BATCH);
      while (this.next < batchEnd) {
        const groupEnd = Math.min(batchEnd, this.next + EXPAND_GROUP);
        buf.length = 0;
        for (; this.next < groupEnd; this.next++) if (buf.expand(this.store, this.next) === 0) this.findings.note(this.next, this.system.terminal(buf.state), depth);
        buf.prepareLookups(this.store);
        for (let i = 0; i < buf.length; i++) this.add(buf, i, depth);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      const limit = stop();
      if (limit) return limit;
    }
    return undefined;
  }

  /** Successor i of `buf` (of a state of depth `depth`): stored here, or kept for its owner. */
  private add(buf: SuccessorBuffer, i: number, depth: number): void {
    this.transitions++;
    if (buf.selfLoops[i] === 1) return;
    const parent = buf.parents[i]!;
    const choice = buf.choices[i]!;
    const events = this.tieCost === undefined ? 0 : pathCost(this.store.eventsOf(parent), this.tieCost(buf.labels[i]!));
    const h = buf.hashes[i]!;
    const owner = partitionOf(h, this.partitions);
    if (owner === this.me) {
      this.insert(buf.words, i * this.words, h, parent, this.me, choice, events, depth + 1);
      return;
    }
    const o = this.outgoing[owner]!;
    const id = o.insertHashed(buf.words, h, parent, choice, i * this.words, events);
    if (id < 0) o.offerParent(-1 - id, parent, choice, events);
  }

  /** Stores the state at `s[at, at + words)` of depth `depth`, or offers the equal state of the newest level a cheaper link. */
  private insert(s: Int32Array, at: number, h: number, parent: number, parentPartition: number, choice: number, events: number, depth: number): void {
    const id = this.store.insertHashed(s, h, parent, choice, at, events);
    if (id >= 0) {
      this.setParentPartition(id, parentPartition);
      for (let k = 0; k < this.words; k++) this.scratch[k] = s[at + k]!;
      this.findings.note(id, this.system.inspect(this.scratch), depth);
      return;
    }
    const old = -1 - id;
    if (this.tieCost !== undefined && old >= this.levelEnd && events < this.store.eventsOf(old)) {
      this.store.offerParent(old, parent, choice, events);
      this.setParentPartition(old, parentPartition);
    }
  }

  private setParentPartition(id: number, p: number): void {
    if (id >= this.parentPartition.length) {
      const grown = new Uint8Array(this.parentPartition.length * 2);
      grown.set(this.parentPartition);
      this.parentPartition = grown;
    }
    this.parentPartition[id] = p;
  }

  /** The batches of this level's successors for partition `dest`, emptied as they are made. */
  *batchesFor(dest: number): Generator<Int32Array> {
    const o = this.outgoing[dest];
    if (!o) return;
    const rw = recordWords(this.words);
    const per = Math.max(1, Math.floor((BATCH_BYTES / 4 - BATCH_HEADER_WORDS) / rw));
    for (let first = 0; first < o.count; first += per) {
      const n = Math.min(per, o.count - first);
      const batch = new Int32Array(BATCH_HEADER_WORDS + n * rw);
      batch[0] = this.me;
      batch[1] = n;
      for (let r = 0; r < n; r++) {
        const id = first + r;
        const at = BATCH_HEADER_WORDS + r * rw;
        o.load(id, this.scratch);
        batch.set(this.scratch, at);
        batch[at + this.words] = o.parentOf(id);
        batch[at + this.words + 1] = o.choiceOf(id);
        batch[at + this.words + 2] = o.eventsOf(id);
      }
      this.sent.states += n;
      this.sent.batches++;
      this.sent.bytes += batch.byteLength;
      yield batch;
    }
    this.outgoing[dest] = undefined;
  }

  /** Stores the states of a batch (decodeBatch's words) sent for depth `depth + 1`; false when a record is not this partition's or out of range. */
  receive(batch: Int32Array, depth: number): boolean {
    const sender = batch[0]!;
    const n = batch[1]!;
    const rw = recordWords(this.words);
    for (let r = 0; r < n; r++) {
      const at = BATCH_HEADER_WORDS + r * rw;
      const h = hashWords(batch, at, this.words);
      const parent = batch[at + this.words]!;
      const choice = batch[at + this.words + 1]!;
      const events = batch[at + this.words + 2]!;
      if (partitionOf(h, this.partitions) !== this.me || parent < 0 || choice < 0 || choice > 0xffff || events < 0 || events > 0x7fff) return false;
      this.insert(batch, at, h, parent, sender, choice, events, depth + 1);
    }
    return true;
  }

  /** The choices from the first state stored here on the way back from `id`, and where the link leaves this partition. */
  linkFrom(id: number): NonNullable<PartitionReport['link']> {
    const rev: number[] = [];
    for (let cur = id; ; ) {
      rev.push(this.store.choiceOf(cur));
      const parent = this.store.parentOf(cur);
      if (parent < 0) return { choices: rev.reverse() };
      const p = this.parentPartition[cur]!;
      if (p !== this.me) return { choices: rev.reverse(), parent: { partition: p, id: parent } };
      cur = parent;
    }
  }

  private found(c: Candidate): FoundState {
    this.store.load(c.id, this.scratch);
    return { code: c.code, id: c.id, depth: c.depth, cost: this.store.eventsOf(c.id), words: Array.from(this.scratch) };
  }

  /** Its best violating state, if any. */
  violation(): FoundState | undefined {
    const v = this.findings.violation;
    return v ? this.found(v) : undefined;
  }

  /** Per flag code, its count and best witness. */
  flags(): PartitionReport['flags'] {
    return [...this.findings.flags.values()].map((f) => ({ ...this.found(f), count: f.count }));
  }
}

/** A partition job that started before on a worker since lost: its states are gone, it cannot be resumed. */
export class PartitionRestarted extends Error {}

export interface PartitionJob {
  readonly run: string;
  readonly partition: number;
  readonly partitions: number;
  /** How long this partition or the coordinator may stay silent before the other presumes it dead. */
  readonly stallMs: number;
  readonly deadline?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryMB?: number;
}

/** Serves partition `job.partition` of a run until the coordinator says finish, or the run's stop key aborts `signal`. */
export async function servePartition(ir: ModelIR, options: CheckOptions, job: PartitionJob, target: QueueTarget, signal: AbortSignal, onLevel?: (level: number) => void): Promise<PartitionResult> {
  const keys = partitionKeys(job.run);
  const me = job.partition;
  const client = partitionConnection(target);
  const blocking = partitionConnection(target);
  const beat = (): void => void client.set(keys.alive(me), '1', 'PX', job.stallMs).catch(() => undefined);
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    if ((await client.set(keys.started(me), '1', 'EX', 86_400, 'NX')) !== 'OK')
      throw new PartitionRestarted(`partition ${me} of run ${job.run} started before on a worker that was lost: its states lived in that worker's memory, so it cannot be resumed`);
    beat();
    heartbeat = setInterval(beat, Math.max(100, job.stallMs / 4));
    const sys = buildSystem(ir, resolvePolicy(options.policy, options.knobs), options);
    const search = new PartitionSearch(sys, me, job.partitions);
    search.init();
    const memory = job.maxMemoryMB !== undefined ? new MemoryBound(job.maxMemoryMB) : undefined;
    const report = async (phase: PartitionReport['phase'], level: number, extra: Partial<PartitionReport> = {}): Promise<void> => {
      const violation = search.violation();
      const r: PartitionReport = {
        partition: me,
        phase,
        level,
        states: search.store.count,
        transitions: search.transitions,
        newest: search.newest,
        bytesPerState: search.store.bytesPerState(),
        sent: { ...search.sent },
        ...(violation ? { violation } : {}),
        flags: search.flags(),
        ...extra,
      };
      await client.rpush(keys.reports, JSON.stringify(r));
    };
    await report('init', -1);
    for (;;) {
      const command = await nextCommand(blocking, client, keys, me, signal, job.run);
      if (command === undefined || command.cmd === 'finish') return { partition: me, coverageEvents: Array.from(sys.coverage.events), coverageViolations: Array.from(sys.coverage.violations) };
      switch (command.cmd) {
        case 'expand': {
          onLevel?.(command.level);
          const halt = watchKey(client, keys.halt);
          const stoppedBy = await search.expand(command.level, () => {
            if (signal.aborted || halt.set) return { kind: 'interrupted' };
            if (job.deadline !== undefined && Date.now() > job.deadline) return { kind: 'time', bound: job.maxSeconds ?? 0 };
            if (search.store.count >= command.budget && search.next < search.levelEnd) return { kind: 'states', bound: command.budget };
            if (memory?.exceededAhead(search.store.count, (n) => search.store.growthBytes(n))) return { kind: 'memory', bound: memory.boundMB };
            return undefined;
          }).finally(halt.stop);
          if (!stoppedBy) await send(client, search, keys.inbox);
          await report('sent', command.level, stoppedBy ? { stoppedBy } : {});
          break;
        }
        case 'receive':
          await receive(client, search, keys.inbox(me), command.level);
          await report('received', command.level);
          break;
        case 'link':
          if (command.id >= search.store.count) throw new Error(`the coordinator asked for the link of state ${command.id}, but partition ${me} stores ${search.store.count}`);
          await report('link', -1, { link: search.linkFrom(command.id) });
          break;
      }
    }
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    client.disconnect();
    blocking.disconnect();
  }
}

/** How often an expanding partition looks at its run's halt key. */
const HALT_POLL_MS = 250;

/** Watches `key` until stopped: `set` once it exists. */
function watchKey(client: Redis, key: string): { readonly set: boolean; stop: () => void } {
  const watch = { set: false, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    client.exists(key).then(
      (n) => void (n > 0 && (watch.set = true)),
      () => undefined,
    );
  }, HALT_POLL_MS);
  return watch;
}

/** The next command for partition `me`, or undefined once `signal` aborts; throws when the coordinator is gone. */
async function nextCommand(blocking: Redis, client: Redis, keys: ReturnType<typeof partitionKeys>, me: number, signal: AbortSignal, run: string): Promise<PartitionCommand | undefined> {
  while (!signal.aborted) {
    const popped = await blocking.blpop(keys.commands(me), 1);
    if (popped) {
      const parsed = partitionCommand.safeParse(parseJson(popped[1]));
      if (!parsed.success) throw new Error(`partition ${me} got a malformed command: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return parsed.data;
    }
    if ((await client.exists(keys.coordinatorAlive)) === 0) throw new Error(`the coordinator of run ${run} stopped answering`);
  }
  return undefined;
}

/** Sends this level's successors that belong elsewhere, a few batches per round trip. */
async function send(client: Redis, search: PartitionSearch, inbox: (p: number) => string): Promise<void> {
  for (let dest = 0; dest < search.partitions; dest++) {
    let pipeline = client.pipeline();
    let queued = 0;
    for (const batch of search.batchesFor(dest)) {
      pipeline.rpush(inbox(dest), Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength));
      if (++queued === PIPELINE_BATCHES) {
        await execOrThrow(pipeline);
        pipeline = client.pipeline();
        queued = 0;
      }
    }
    if (queued > 0) await execOrThrow(pipeline);
  }
}

/** Runs a pipeline; the first command that failed throws (a lost batch would lose states). */
async function execOrThrow(pipeline: ChainableCommander): Promise<void> {
  const failed = (await pipeline.exec())?.find(([e]) => e !== null)?.[0];
  if (failed) throw failed;
}

/** Stores every batch waiting in this partition's inbox (all partitions have sent: the coordinator's barrier). */
async function receive(client: Redis, search: PartitionSearch, inbox: string, level: number): Promise<void> {
  for (;;) {
    const batches = await client.lpopBuffer(inbox, PIPELINE_BATCHES);
    if (!batches || batches.length === 0) return;
    for (const bytes of batches) {
      const words = decodeBatch(bytes, search.system.stateWords, search.partitions);
      if (!words || !search.receive(words, level)) throw new Error(`partition ${search.me} got a malformed batch of states`);
    }
  }
}
