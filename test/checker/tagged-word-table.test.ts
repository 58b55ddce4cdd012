import { describe, expect, it } from 'vitest';
import { hashTagged } from '../../checker/state-store.js';
import { TaggedWordTable } from '../../checker/tagged-word-table.js';

describe('TaggedWordTable', () => {
  it('gives dense ids in first-seen order and the same id for the same (tag, words)', () => {
    const table = new TaggedWordTable(3, 2);
    const src = Int32Array.from([9, 1, 2, 3, 9]);
    expect(table.intern(0, src, 1)).toBe(0);
    expect(table.intern(1, src, 1)).toBe(1); // same words, other tag: another key
    expect(table.intern(0, Int32Array.from([1, 2, 4]), 0)).toBe(2);
    expect(table.intern(0, Int32Array.from([1, 2, 3]), 0)).toBe(0);
    expect(table.size).toBe(3);
    const out = new Int32Array(5);
    table.copyOut(2, out, 2);
    expect([...out]).toEqual([0, 0, 1, 2, 4]);
  });

  it('keeps every id through growth (checked against a Map on over 10 000 keys)', () => {
    const table = new TaggedWordTable(2, 1);
    const expected = new Map<string, number>();
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % 200;
    const key = new Int32Array(2);
    for (let i = 0; i < 60_000; i++) {
      const tag = rand() % 3;
      key[0] = rand();
      key[1] = rand() - 100; // negative words too
      const name = `${tag}:${key[0]}:${key[1]}`;
      const id = table.intern(tag, key, 0);
      if (!expected.has(name)) expected.set(name, expected.size);
      expect(id).toBe(expected.get(name));
    }
    expect(table.size).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(10_000);
  });

  it('copies out exactly `width` words, leaving the rest of the buffer alone', () => {
    const table = new TaggedWordTable(3, 2);
    table.intern(0, Int32Array.of(1, 2, 4), 0);
    const out = new Int32Array(6).fill(7);
    table.copyOut(0, out, 1);
    expect([...out]).toEqual([7, 1, 2, 4, 7, 7]);
  });

  it('growth re-enters exactly the interned keys: the all-zero key after them is still new', () => {
    const table = new TaggedWordTable(2, 2);
    expect(table.intern(0, Int32Array.of(1, 1), 0)).toBe(0);
    expect(table.intern(0, Int32Array.of(2, 2), 0)).toBe(1); // half full: grows
    expect(table.intern(0, Int32Array.of(0, 0), 0)).toBe(2);
    expect(table.intern(0, Int32Array.of(3, 3), 0)).toBe(3);
    expect(table.size).toBe(4);
  });

  it('forgets everything on clear', () => {
    const table = new TaggedWordTable(1);
    table.intern(0, Int32Array.of(5), 0);
    table.intern(0, Int32Array.of(6), 0);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.intern(0, Int32Array.of(6), 0)).toBe(0);
  });
  // A probe that meets an entry whose hash bits above the slot index equal the key's must still
  // compare the tag and the words. Such keys are rare, so these are constructed: the expectations
  // on the hashes below hold the construction to what the test needs.
  it('tells apart two tags of the same words whose hashes differ only in the slot bits', () => {
    const zero = Int32Array.of(0, 0);
    // imul(tag + 1, 0x9e3779b1) is the tag's share of the hash and a bijection on 32 bits, so
    // tag 1220013205 is the one whose share differs from tag 0's by xor 7.
    const other = 1220013205;
    const filler = Int32Array.of(3, 0);
    const h0 = hashTagged(0, zero, 0, 2);
    const hOther = hashTagged(other, zero, 0, 2);
    const hFiller = hashTagged(0, filler, 0, 2);
    expect(h0 ^ hOther).toBe(7); // same bits above the 8-slot mask
    expect([h0 & 7, hOther & 7, hFiller & 7]).toEqual([0, 7, 7]);
    expect(hFiller & ~7).not.toBe(h0 & ~7);
    const table = new TaggedWordTable(2, 3);
    expect(table.intern(0, zero, 0)).toBe(0); // slot 0
    expect(table.intern(0, filler, 0)).toBe(1); // slot 7
    // Home slot 7 is taken, so the probe wraps to slot 0 and meets tag 0's entry.
    expect(table.intern(other, zero, 0)).toBe(2);
    expect(table.intern(other, zero, 0)).toBe(2);
    expect(table.intern(0, zero, 0)).toBe(0);
  });

  it('tells apart two keys of one tag whose 32-bit hashes are equal', () => {
    // Found by a birthday search over (i, i * 7919) pairs.
    const a = Int32Array.of(53558, 424125802);
    const b = Int32Array.of(120701, 955831219);
    expect(hashTagged(0, a, 0, 2)).toBe(hashTagged(0, b, 0, 2));
    const table = new TaggedWordTable(2, 3);
    expect(table.intern(0, a, 0)).toBe(0);
    expect(table.intern(0, b, 0)).toBe(1);
    expect(table.intern(0, b, 0)).toBe(1);
    expect(table.intern(0, a, 0)).toBe(0);
  });
});
