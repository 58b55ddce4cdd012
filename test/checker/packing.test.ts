/** Bit-packed state layouts (checker/packing.ts): where fields land, and get/set/max on them, worked by hand. */
import { describe, expect, it } from 'vitest';
import { BitLayoutBuilder, bitsFor, type BitLayout } from '../../checker/packing.js';

/** Each field's [word, shift, max], in id order. */
const placement = (l: BitLayout): number[][] => l.names.map((_, f) => [l.word[f]!, l.shift[f]!, l.max(f)]);

describe('bitsFor: the bits of a field for 0..maxValue', () => {
  it('is 1 for 0 and 1, and grows by one at each power of two', () => {
    expect([0, 1, 2, 3, 4, 255, 256].map(bitsFor)).toEqual([1, 1, 2, 2, 3, 8, 9]);
  });
});

describe('BitLayoutBuilder.add: a field of 1..31 bits', () => {
  it('accepts 1 and 31 bits, and returns consecutive ids', () => {
    const b = new BitLayoutBuilder();
    expect([b.add('a', 1), b.add('b', 31), b.addRange('c', 5)]).toEqual([0, 1, 2]);
    // Without a group name, every field is in the group ''.
    expect([...b.build().groups.keys()]).toEqual(['']);
  });

  it('refuses 0, 32 and fractional widths, naming the field and the width', () => {
    const b = new BitLayoutBuilder();
    expect(() => b.add('zero', 0)).toThrow(new RangeError('field zero: 0 bits'));
    expect(() => b.add('wide', 32)).toThrow(new RangeError('field wide: 32 bits'));
    expect(() => b.add('half', 1.5)).toThrow(new RangeError('field half: 1.5 bits'));
  });
});

describe('BitLayoutBuilder.build: first-fit packing, largest fields first, groups in words of their own', () => {
  it('an empty layout still has one word', () => {
    const l = new BitLayoutBuilder().build();
    expect(l.words).toBe(1);
    expect([...l.groups]).toEqual([]);
  });

  it('places the largest field first; equal widths keep their order; a field that exactly fills a word goes in it', () => {
    const b = new BitLayoutBuilder();
    b.add('small1', 1);
    b.add('big', 31);
    b.add('small2', 1);
    b.add('mid', 16);
    b.add('mid2', 16);
    // Order: big (31), mid (16), mid2 (16), small1, small2. big -> word 0 at 0; mid -> word 1 at 0;
    // mid2 -> word 1 at 16 (16 + 16 = 32 fits); small1 -> word 0 at 31 (31 + 1 = 32 fits);
    // small2 -> no room left: a new word 2.
    const l = b.build();
    expect(l.names).toEqual(['small1', 'big', 'small2', 'mid', 'mid2']);
    expect(placement(l)).toEqual([
      [0, 31, 1],
      [0, 0, 0x7fffffff],
      [2, 0, 1],
      [1, 0, 0xffff],
      [1, 16, 0xffff],
    ]);
    expect(l.words).toBe(3);
    expect(l.groups.get('')).toEqual({ start: 0, count: 3 });
  });

  it('a later field fills a gap left in an earlier word (first fit, not next fit)', () => {
    const b = new BitLayoutBuilder();
    b.add('a', 20);
    b.add('b', 20);
    b.add('c', 10);
    // a -> word 0, b -> word 1 (20 + 20 > 32), c -> back in word 0 at 20.
    expect(placement(b.build())).toEqual([
      [0, 0, 0xfffff],
      [1, 0, 0xfffff],
      [0, 20, 0x3ff],
    ]);
  });

  it('gives each group its own contiguous words, in order of first use, with the same inner layout', () => {
    const b = new BitLayoutBuilder();
    b.add('g', 3);
    b.addRange('t0.x', 7, 't0');
    b.add('t1.x', 3, 't1');
    b.add('t0.y', 30, 't0');
    b.add('t1.y', 30, 't1');
    const l = b.build();
    expect(placement(l)).toEqual([
      [0, 0, 7],
      [2, 0, 7],
      [4, 0, 7],
      [1, 0, 0x3fffffff],
      [3, 0, 0x3fffffff],
    ]);
    expect([...l.groups]).toEqual([
      ['', { start: 0, count: 1 }],
      ['t0', { start: 1, count: 2 }],
      ['t1', { start: 3, count: 2 }],
    ]);
    expect(l.words).toBe(5);
  });
});

describe('BitLayout get/set: one field changes, its neighbours keep their bits', () => {
  const b = new BitLayoutBuilder();
  const lo = b.add('lo', 3);
  const full = b.add('full', 31);
  const hi = b.add('hi', 1);
  const l = b.build();

  it('writes and reads back each field, the 31-bit one at its maximum', () => {
    const s = new Int32Array(l.words);
    l.set(s, full, 0x7fffffff);
    l.set(s, hi, 1);
    l.set(s, lo, 5);
    expect([l.get(s, lo), l.get(s, full), l.get(s, hi)]).toEqual([5, 0x7fffffff, 1]);
    l.set(s, full, 0x12345678);
    l.set(s, hi, 0);
    expect([l.get(s, lo), l.get(s, full), l.get(s, hi)]).toEqual([5, 0x12345678, 0]);
  });

  it('a value wider than its field is cut to the field (set masks it), not spilled into a neighbour', () => {
    // full is word 0 at 0, hi is word 0 at 31, lo is word 1 at 0.
    expect(placement(l)).toEqual([
      [1, 0, 7],
      [0, 0, 0x7fffffff],
      [0, 31, 1],
    ]);
    const s = new Int32Array(l.words);
    l.set(s, lo, 0b11_101);
    l.set(s, full, -1);
    expect([...s]).toEqual([0x7fffffff, 0b101]);
    expect([l.get(s, lo), l.get(s, full), l.get(s, hi)]).toEqual([5, 0x7fffffff, 0]);
  });
});
