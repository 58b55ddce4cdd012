/**
 * A breadth-first search's state, saved so that a stopped run can continue (like TLC's
 * recover), and its file format.
 *
 * A snapshot is taken where the exploration is consistent: between batches of the in-process
 * explorer (every buffered successor inserted), or, on workers, at the start of a BFS level.
 * Its states are numbered 0..count-1 in BFS order; states [next, levelEnd) of level `depth` and
 * everything after them are still to be expanded. Loaded into an empty store by inserting the
 * states in id order, it gives every state its old id, so the run continues exactly where it
 * stopped.
 *
 * The file: a magic line, one JSON line (the caller's `meta`, the snapshot's scalars, the
 * sections' names, types and lengths, and the SHA-256 of the body), then the body: the
 * sections' typed arrays, little-endian, one after another.
 */
import { createHash } from 'node:crypto';
import type { Candidate } from './findings.js';

/** Changes whenever the layout below changes; a file of another format is refused. */
export const CHECKPOINT_FORMAT = 1;

const MAGIC = 'rseq-check search checkpoint';

/** A flag's count and its best witness so far. */
export type FlagCandidate = Candidate & { count: number };

/** The state of a breadth-first search at a consistent point (see the file comment). */
export interface SearchSnapshot {
  /** Width of a packed state, in 32-bit words. */
  readonly words: number;
  /** States stored. */
  readonly count: number;
  /** `count * words` words: the packed states in id order. */
  readonly states: Int32Array;
  /** Per state: parent id (-1 for an initial state), successor index within the parent, path cost. */
  readonly parents: Int32Array;
  readonly choices: Uint16Array;
  readonly events: Uint16Array;
  /** Next state to expand, and the end of the level being expanded (equal at a level boundary). */
  readonly next: number;
  readonly levelEnd: number;
  /** Depth of the level being expanded (-1 before the first). */
  readonly depth: number;
  readonly transitions: number;
  /** Seconds of exploration so far (over every run that led here). */
  readonly seconds: number;
  /** The violating states of least depth found so far, and the flags. */
  readonly violations: readonly Candidate[];
  readonly flags: readonly FlagCandidate[];
}

/** What a checkpoint file holds: the caller's metadata, the search (none: start over), extra sections. */
export interface Checkpoint {
  readonly meta: unknown;
  readonly snapshot: SearchSnapshot | undefined;
  readonly extra: Readonly<Record<string, Int32Array>>;
}

/** A file that is not a whole checkpoint of this format: truncated, overwritten, another kind. */
export class CorruptCheckpoint extends Error {}

type Section = { readonly name: string; readonly type: 'i32' | 'u16'; readonly length: number };

/** The snapshot's scalars, as the header stores them. */
type Scalars = Omit<SearchSnapshot, 'states' | 'parents' | 'choices' | 'events'>;

interface Header {
  readonly format: number;
  readonly meta: unknown;
  readonly search: Scalars | null;
  readonly sections: readonly Section[];
  readonly sha256: string;
}

/** The bytes of a checkpoint file, as chunks to write one after another. */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array[] {
  const arrays: [string, Int32Array | Uint16Array][] = [];
  let search: Scalars | null = null;
  if (cp.snapshot) {
    const { states, parents, choices, events, ...scalars } = cp.snapshot;
    search = scalars;
    arrays.push(['states', states], ['parents', parents], ['choices', choices], ['events', events]);
  }
  for (const [name, a] of Object.entries(cp.extra)) arrays.push([`extra:${name}`, a]);
  const hash = createHash('sha256');
  const body = arrays.map(([, a]) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  for (const b of body) hash.update(b);
  const header: Header = {
    format: CHECKPOINT_FORMAT,
    meta: cp.meta,
    search,
    sections: arrays.map(([name, a]) => ({ name, type: a instanceof Int32Array ? 'i32' : 'u16', length: a.length })),
    sha256: hash.digest('hex'),
  };
  return [Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`), ...body];
}

/** The metadata of a checkpoint file without checking its body (to name a mismatch first). */
export function checkpointMeta(bytes: Uint8Array): { format: number; meta: unknown } {
  const { header } = parseHeader(bytes);
  return { format: header.format, meta: header.meta };
}

/** Reads a checkpoint file's bytes; throws `CorruptCheckpoint` saying what is wrong. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const { header, bodyStart } = parseHeader(bytes);
  if (header.format !== CHECKPOINT_FORMAT) throw new CorruptCheckpoint(`it has checkpoint format ${String(header.format)}, this version reads format ${CHECKPOINT_FORMAT}`);
  const size = (s: Section): number => s.length * (s.type === 'i32' ? 4 : 2);
  const expected = header.sections.reduce((n, s) => n + size(s), 0);
  const body = bytes.length - bodyStart;
  if (body < expected) throw new CorruptCheckpoint(`it is truncated (${body} of ${expected} bytes of search data)`);
  if (body > expected) throw new CorruptCheckpoint(`it has ${body - expected} bytes after its end`);
  const hash = createHash('sha256');
  hash.update(bytes.subarray(bodyStart));
  if (hash.digest('hex') !== header.sha256) throw new CorruptCheckpoint('its search data does not match its checksum (the file was damaged)');
  const arrays = new Map<string, Int32Array | Uint16Array>();
  let at = bodyStart;
  for (const s of header.sections) {
    // A copy: typed arrays need an aligned buffer of their own (a Buffer's slice would share its pool).
    const own = new Uint8Array(bytes.subarray(at, at + size(s))).buffer;
    arrays.set(s.name, s.type === 'i32' ? new Int32Array(own) : new Uint16Array(own));
    at += size(s);
  }
  const extra: Record<string, Int32Array> = {};
  for (const [name, a] of arrays) if (name.startsWith('extra:') && a instanceof Int32Array) extra[name.slice('extra:'.length)] = a;
  if (!header.search) return { meta: header.meta, snapshot: undefined, extra };
  const s = header.search;
  const states = arrays.get('states');
  const parents = arrays.get('parents');
  const choices = arrays.get('choices');
  const events = arrays.get('events');
  const fits =
    states instanceof Int32Array &&
    parents instanceof Int32Array &&
    choices instanceof Uint16Array &&
    events instanceof Uint16Array &&
    states.length === s.count * s.words &&
    parents.length === s.count &&
    choices.length === s.count &&
    events.length === s.count &&
    s.next >= 0 &&
    s.next <= s.levelEnd &&
    s.levelEnd <= s.count;
  if (!fits) throw new CorruptCheckpoint('its search data is inconsistent');
  return { meta: header.meta, snapshot: { ...s, states, parents, choices, events }, extra };
}

function parseHeader(bytes: Uint8Array): { header: Header; bodyStart: number } {
  const magicEnd = bytes.indexOf(0x0a);
  // Stryker disable next-line EqualityOperator: equivalent, at magicEnd 0 the first line is empty, not the magic, and the same error follows
  if (magicEnd < 0 || Buffer.from(bytes.subarray(0, magicEnd)).toString('latin1') !== MAGIC) throw new CorruptCheckpoint('it is not a checkpoint file');
  const headerEnd = bytes.indexOf(0x0a, magicEnd + 1);
  // Stryker disable next-line EqualityOperator: equivalent, a found headerEnd is at least magicEnd + 1 >= 1
  if (headerEnd < 0) throw new CorruptCheckpoint('it is truncated (in its header)');
  let header: Header;
  try {
    // Stryker disable BlockStatement: equivalent, an empty catch leaves the header undefined, which the check below refuses with the same message
    header = JSON.parse(Buffer.from(bytes.subarray(magicEnd + 1, headerEnd)).toString('utf8')) as Header;
  } catch {
    throw new CorruptCheckpoint('its header is damaged');
  }
  // Stryker restore BlockStatement
  // Stryker disable next-line ConditionalExpression: equivalent, a header that is not an object has no sections array either, and the same error follows
  if (typeof header !== 'object' || header === null || !Array.isArray(header.sections) || typeof header.sha256 !== 'string') throw new CorruptCheckpoint('its header is damaged');
  return { header, bodyStart: headerEnd + 1 };
}

/** What a snapshot reads of a visited store (StateStore and SharedStore both have it). */
export interface SnapshotSource {
  readonly count: number;
  load(id: number, out: Int32Array): void;
  parentOf(id: number): number;
  choiceOf(id: number): number;
  eventsOf(id: number): number;
}

/** What the search was doing besides its states (see `SearchSnapshot`). */
export type SearchPosition = Omit<SearchSnapshot, 'words' | 'count' | 'states' | 'parents' | 'choices' | 'events'>;

/**
 * A snapshot of the states of `store` in `ranges` ((first id, count) pairs), renumbered
 * consecutively in range order (all ids when `ranges` is omitted). Parent links and the
 * position's state ids are renumbered alike; every id they name must lie in the ranges.
 */
export function takeSnapshot(store: SnapshotSource, words: number, position: SearchPosition, ranges: readonly number[] = [0, store.count]): SearchSnapshot {
  let count = 0;
  let idEnd = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    count += ranges[i + 1]!;
    idEnd = Math.max(idEnd, ranges[i]! + ranges[i + 1]!);
  }
  // Stryker disable next-line ConditionalExpression: equivalent, renumbering the one range [0, count) gives every id itself (identity is a shortcut)
  const identity = ranges.length === 2 && ranges[0] === 0;
  // Stryker disable next-line UnaryOperator: equivalent, only ids in the ranges are renumbered and looked up (the contract above)
  const renumber = identity ? undefined : new Int32Array(idEnd).fill(-1);
  if (renumber) {
    let n = 0;
    // Stryker disable next-line EqualityOperator: equivalent, one pair past the end reads undefined bounds, and `id < NaN` ends that loop at once
    for (let i = 0; i < ranges.length; i += 2) for (let id = ranges[i]!; id < ranges[i]! + ranges[i + 1]!; id++) renumber[id] = n++;
  }
  const newId = (id: number): number => (renumber ? renumber[id]! : id);
  const states = new Int32Array(count * words);
  const parents = new Int32Array(count);
  const choices = new Uint16Array(count);
  const events = new Uint16Array(count);
  const row = new Int32Array(words);
  let n = 0;
  // Stryker disable next-line EqualityOperator: equivalent, one pair past the end reads undefined bounds, and `id < NaN` ends the inner loop at once
  for (let i = 0; i < ranges.length; i += 2) {
    for (let id = ranges[i]!; id < ranges[i]! + ranges[i + 1]!; id++, n++) {
      store.load(id, row);
      states.set(row, n * words);
      const parent = store.parentOf(id);
      parents[n] = parent < 0 ? parent : newId(parent);
      choices[n] = store.choiceOf(id);
      events[n] = store.eventsOf(id);
    }
  }
  return {
    words,
    count,
    states,
    parents,
    choices,
    events,
    ...position,
    violations: position.violations.map((v) => ({ ...v, id: newId(v.id) })),
    flags: position.flags.map((f) => ({ ...f, id: newId(f.id) })),
  };
}
