/**
 * The checkpoint file format and snapshots of a store (checker/checkpoint.ts), worked by hand:
 * what a file holds, every way a file is refused (with its message), and how `takeSnapshot`
 * renumbers id ranges. The stop-and-resume runs themselves are in checkpoint.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  checkpointMeta,
  CorruptCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  takeSnapshot,
  type Checkpoint,
  type SearchPosition,
  type SearchSnapshot,
  type SnapshotSource,
} from '../../checker/checkpoint.js';

/** A consistent snapshot of 3 two-word states: level 1 ([1, 3)) half expanded. */
const snapshot = (): SearchSnapshot => ({
  words: 2,
  count: 3,
  states: Int32Array.of(1, 2, 3, 4, -5, 6),
  parents: Int32Array.of(-1, 0, 0),
  choices: Uint16Array.of(0, 0, 65535),
  events: Uint16Array.of(0, 1, 2),
  next: 2,
  levelEnd: 3,
  depth: 1,
  transitions: 2,
  seconds: 1.5,
  violations: [{ id: 2, code: 4, depth: 1 }],
  flags: [{ id: 1, code: -2, depth: 1, count: 3 }],
});

const bytesOf = (cp: Checkpoint): Buffer => Buffer.concat(encodeCheckpoint(cp));

/** A file whose header is `header` (JSON text) and whose body is `body`. */
const rawFile = (header: string, body = ''): Buffer => Buffer.from(`rseq-check search checkpoint\n${header}\n${body}`);

/** The header of a file as JSON, to rewrite a field of it. */
const headerOf = (f: Buffer): Record<string, unknown> => JSON.parse(f.toString('utf8').split('\n')[1]!) as Record<string, unknown>;

/** `f` with its header replaced by `header` (the body and its checksum kept). */
function withHeader(f: Buffer, header: Record<string, unknown>): Buffer {
  const lines = f.indexOf(0x0a, f.indexOf(0x0a) + 1);
  return Buffer.concat([rawFile(JSON.stringify(header)), f.subarray(lines + 1)]);
}

describe('encode then decode: everything comes back, section by section', () => {
  it('the snapshot, its typed arrays, its scalars and the extra sections', () => {
    const cp = decodeCheckpoint(bytesOf({ meta: { policy: 'ü' }, snapshot: snapshot(), extra: { a: Int32Array.of(-7), b: Int32Array.of(8, 9) } }));
    expect(cp.meta).toEqual({ policy: 'ü' });
    expect(cp.snapshot).toEqual(snapshot());
    expect(cp.snapshot!.choices).toBeInstanceOf(Uint16Array);
    expect(cp.snapshot!.states).toBeInstanceOf(Int32Array);
    // Only the extra sections, under their own names (not the snapshot's arrays).
    expect(cp.extra).toEqual({ a: Int32Array.of(-7), b: Int32Array.of(8, 9) });
  });

  it('a checkpoint without a search (start over) keeps its meta and extra sections', () => {
    const cp = decodeCheckpoint(bytesOf({ meta: [1], snapshot: undefined, extra: { x: Int32Array.of(3) } }));
    expect(cp).toEqual({ meta: [1], snapshot: undefined, extra: { x: Int32Array.of(3) } });
  });

  it('the file: magic line, header line with format, meta, scalars, sections and checksum, then the body', () => {
    const f = bytesOf({ meta: 'm', snapshot: undefined, extra: { x: Int32Array.of(0x01020304) } });
    expect(f.toString('latin1').split('\n')[0]).toBe('rseq-check search checkpoint');
    const h = headerOf(f);
    expect(h).toMatchObject({ format: CHECKPOINT_FORMAT, meta: 'm', search: null, sections: [{ name: 'extra:x', type: 'i32', length: 1 }] });
    expect(h['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect([...f.subarray(f.length - 4)]).toEqual([4, 3, 2, 1]);
    expect(headerOf(bytesOf({ meta: 0, snapshot: snapshot(), extra: {} }))['sections']).toEqual([
      { name: 'states', type: 'i32', length: 6 },
      { name: 'parents', type: 'i32', length: 3 },
      { name: 'choices', type: 'u16', length: 3 },
      { name: 'events', type: 'u16', length: 3 },
    ]);
  });

  it('checkpointMeta reads the format and meta without the body', () => {
    const f = bytesOf({ meta: { k: 2 }, snapshot: snapshot(), extra: {} });
    expect(checkpointMeta(f.subarray(0, f.indexOf(0x0a, f.indexOf(0x0a) + 1) + 1))).toEqual({ format: CHECKPOINT_FORMAT, meta: { k: 2 } });
  });
});

describe('decodeCheckpoint refuses a file that is not whole, saying why', () => {
  const f = bytesOf({ meta: null, snapshot: snapshot(), extra: {} });
  // Body: 6 + 3 i32 words (36 bytes) and 3 + 3 u16 (12 bytes).
  const refuses = (bytes: Uint8Array, message: string): void => {
    expect(() => decodeCheckpoint(bytes)).toThrow(new CorruptCheckpoint(message));
  };

  it('a truncated body, one byte more, a damaged byte', () => {
    refuses(f.subarray(0, f.length - 1), 'it is truncated (47 of 48 bytes of search data)');
    refuses(Buffer.concat([f, Buffer.of(1, 2)]), 'it has 2 bytes after its end');
    const damaged = Buffer.from(f);
    damaged[damaged.length - 10]! ^= 0x80;
    refuses(damaged, 'its search data does not match its checksum (the file was damaged)');
  });

  it('another format, named in the message', () => {
    refuses(withHeader(f, { ...headerOf(f), format: 2 }), 'it has checkpoint format 2, this version reads format 1');
  });

  it('no magic line, another magic, a header without its end', () => {
    refuses(Buffer.from('no newline at all'), 'it is not a checkpoint file');
    refuses(Buffer.from('rseq-check search checkpoinT\n{}\n'), 'it is not a checkpoint file');
    // The magic and one more byte, but no line end.
    refuses(Buffer.from('rseq-check search checkpoint!'), 'it is not a checkpoint file');
    refuses(Buffer.from('rseq-check search checkpoint\n{"format":1}'), 'it is truncated (in its header)');
  });

  it('a header that is not JSON, not an object, null, or lacks its sections or checksum', () => {
    const sha256 = '0'.repeat(64);
    refuses(rawFile('{"format":1,'), 'its header is damaged');
    refuses(rawFile('5'), 'its header is damaged');
    refuses(rawFile('null'), 'its header is damaged');
    refuses(rawFile(JSON.stringify({ format: 1, sections: {}, sha256 })), 'its header is damaged');
    refuses(rawFile(JSON.stringify({ format: 1, sections: [] })), 'its header is damaged');
  });
});

describe('decodeCheckpoint refuses search data that does not fit its scalars', () => {
  /** The snapshot with `change` applied, written (the writer does not check) and read back. */
  const decoded = (change: Partial<SearchSnapshot>): (() => Checkpoint) => {
    const bytes = bytesOf({ meta: 0, snapshot: { ...snapshot(), ...change }, extra: {} });
    return () => decodeCheckpoint(bytes);
  };
  const inconsistent = new CorruptCheckpoint('its search data is inconsistent');

  it('a section of the wrong type', () => {
    expect(decoded({ states: Uint16Array.of(1, 2, 3, 4, 5, 6) as unknown as Int32Array })).toThrow(inconsistent);
    expect(decoded({ parents: Uint16Array.of(0, 0, 0) as unknown as Int32Array })).toThrow(inconsistent);
    expect(decoded({ choices: Int32Array.of(0, 0, 0) as unknown as Uint16Array })).toThrow(inconsistent);
    expect(decoded({ events: Int32Array.of(0, 0, 0) as unknown as Uint16Array })).toThrow(inconsistent);
  });

  it('a section of the wrong length', () => {
    expect(decoded({ states: Int32Array.of(1, 2, 3, 4, 5) })).toThrow(inconsistent);
    expect(decoded({ parents: Int32Array.of(-1, 0) })).toThrow(inconsistent);
    expect(decoded({ choices: Uint16Array.of(0, 0, 0, 0) })).toThrow(inconsistent);
    expect(decoded({ events: Uint16Array.of(0, 0) })).toThrow(inconsistent);
  });

  it('a position outside 0 <= next <= levelEnd <= count; its bounds themselves are fine', () => {
    expect(decoded({ next: -1 })).toThrow(inconsistent);
    expect(decoded({ next: 3, levelEnd: 2 })).toThrow(inconsistent);
    expect(decoded({ levelEnd: 4 })).toThrow(inconsistent);
    expect(decoded({ next: 0, levelEnd: 0 })()).toMatchObject({ snapshot: { next: 0, levelEnd: 0 } });
    expect(decoded({ next: 3, levelEnd: 3 })()).toMatchObject({ snapshot: { next: 3, levelEnd: 3 } });
  });
});

describe('takeSnapshot: the states of id ranges, renumbered in range order', () => {
  /** A store of one-word states: id i holds 10 + i (and -i in a second word, if any), its parent is `parents[i]`, choice 20 + i, events 30 + i. */
  const store = (parents: readonly number[]): SnapshotSource => ({
    count: parents.length,
    load: (id, out) => {
      out[0] = 10 + id;
      if (out.length > 1) out[1] = -id;
    },
    parentOf: (id) => parents[id]!,
    choiceOf: (id) => 20 + id,
    eventsOf: (id) => 30 + id,
  });
  const position = (ids: readonly number[]): SearchPosition => ({
    next: 1,
    levelEnd: 2,
    depth: 3,
    transitions: 4,
    seconds: 5,
    violations: ids.map((id) => ({ id, code: 1, depth: 2 })),
    flags: ids.map((id) => ({ id, code: -1, depth: 2, count: 6 })),
  });
  const rows = (s: SearchSnapshot): number[][] => [...s.parents].map((p, n) => [s.states[n]!, p, s.choices[n]!, s.events[n]!]);

  it('without ranges: every state, ids unchanged', () => {
    const s = takeSnapshot(store([-1, 0, 0]), 1, position([2]));
    expect(s).toMatchObject({ words: 1, count: 3, next: 1, levelEnd: 2, depth: 3, transitions: 4, seconds: 5 });
    expect(rows(s)).toEqual([
      [10, -1, 20, 30],
      [11, 0, 21, 31],
      [12, 0, 22, 32],
    ]);
    expect(s.violations).toEqual([{ id: 2, code: 1, depth: 2 }]);
    expect(s.flags).toEqual([{ id: 2, code: -1, depth: 2, count: 6 }]);
  });

  it('two-word states, ranges from 0 with a gap (a parallel store with an unused block tail)', () => {
    // Ids 0, 1, 4, 5 become 0, 1, 2, 3.
    const s = takeSnapshot(store([-1, 0, 0, 0, 1, 4]), 2, position([5]), [0, 2, 4, 2]);
    expect([...s.states]).toEqual([10, 0, 11, -1, 14, -4, 15, -5]);
    expect([...s.parents]).toEqual([-1, 0, 1, 2]);
    expect(s.flags[0]!.id).toBe(3);
  });

  it('one range not starting at 0 is renumbered from 0', () => {
    // Ids 2, 3 (3's parent is 2) become 0, 1.
    const s = takeSnapshot(store([-1, 0, -1, 2]), 1, position([3]), [2, 2]);
    expect(rows(s)).toEqual([
      [12, -1, 22, 32],
      [13, 0, 23, 33],
    ]);
    expect([s.violations[0]!.id, s.flags[0]!.id]).toEqual([1, 1]);
  });

  it('ranges out of id order: ids follow the ranges, parents and witnesses alike (id 0 too)', () => {
    // Ranges (3, 2) then (0, 2): ids 3, 4, 0, 1 become 0, 1, 2, 3; id 2 is left out.
    const s = takeSnapshot(store([-1, 0, 0, 1, 0]), 1, position([0, 4]), [3, 2, 0, 2]);
    expect(s.count).toBe(4);
    expect(rows(s)).toEqual([
      [13, 3, 23, 33],
      [14, 2, 24, 34],
      [10, -1, 20, 30],
      [11, 2, 21, 31],
    ]);
    expect(s.violations.map((v) => v.id)).toEqual([2, 1]);
    expect(s.flags.map((f) => f.id)).toEqual([2, 1]);
  });
});
