/**
 * The thread symmetry's canonical order (models/system/symmetry.ts ThreadSorter) on hand-made
 * states of three identical threads that differ only in register r1: the records come out in
 * ascending order of r1, every word outside the records stays as it was, and the thread a
 * killing fault names (killThread) follows its record. Written against mutants of the sorter
 * (`npm run mutation`); the differential tests show the symmetry keeps every verdict.
 */
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import { decodeValue, encodeValue } from '../../models/kernel/encoding.js';
import { ThreadSorter } from '../../models/system/symmetry.js';
import { buildSystem } from '../../run/check.js';
import { compile, policy } from './semantics-helpers.js';

/** n identical threads; `cells` memory cells (before the thread records in a state). */
function threads(n: number, cells = 1): ReturnType<typeof buildSystem> {
  const b = new ModelBuilder('alike').cpus(2).memory('x', { max: 3, size: Math.min(cells, 64) });
  if (cells > 64) b.memory('y', { max: 3, size: cells - 64 });
  b.program('main', [I.mov('r1', 1), I.done()]);
  for (let t = 0; t < n; t++) b.thread({ program: 'main', cpu: 'C0' });
  return buildSystem(compile(b.build()), policy('linux-6.15'), {});
}

const sys3 = threads(3);
const L = sys3.layout;
const k = sys3.kernel;
const R = L.registers;
const r1Of = (s: Int32Array, t: number): number => decodeValue(k.get(s, L.regs[L.frame(t, 0) * R + 1]!));

/** A state whose thread records are all 0 but r1 = values[t]; every word outside them holds `outside`. */
function stateWith(values: readonly number[], outside = 0): Int32Array {
  const s = new Int32Array(sys3.stateWords).fill(outside);
  for (let t = 0; t < L.threads; t++) s.fill(0, L.threadWordStart[t], L.threadWordStart[t]! + L.threadWords);
  k.set(s, L.killed, 0);
  values.forEach((v, t) => k.set(s, L.regs[L.frame(t, 0) * R + 1]!, encodeValue(v)));
  return s;
}

/** Sorted with a fresh sorter: the r1 of each position. */
function sortedR1(s: Int32Array): number[] {
  new ThreadSorter(k).sort(s);
  return Array.from({ length: L.threads }, (_, t) => r1Of(s, t));
}

describe('ThreadSorter', () => {
  it('the system sorts: three threads alike, records one after another', () => {
    expect(sys3.symmetric).toBe(true);
    expect(L.threads).toBe(3);
    expect(Array.from(L.threadWordStart)).toEqual([0, 1, 2].map((t) => L.threadWordStart[0]! + t * L.threadWords));
    // The records end the state: nothing after the last one for a sort to overwrite.
    expect(L.threadWordStart[2]! + L.threadWords).toBe(sys3.stateWords);
  });

  it('compares every word of two records, the later ones when the first are equal', () => {
    // Word 2 of a record holds 1-bit fields only (rseq_cs and flags here): two of them give each record a value.
    const w2 = (t: number): number => L.threadWordStart[t]! + 2;
    expect([L.rseqCs[0]!, L.anyCpu[0]!].map((f) => L.bits.word[f])).toEqual([w2(0), w2(0)]);
    const s = stateWith([0, 0, 0]);
    const set = (t: number, rseqCs: number, anyCpu: number): void => {
      k.set(s, L.rseqCs[t]!, rseqCs);
      k.set(s, L.anyCpu[t]!, anyCpu);
    };
    set(0, 1, 1);
    set(1, 0, 0);
    set(2, 1, 0);
    const words = [0, 1, 2].map((t) => s[w2(t)]!);
    new ThreadSorter(k).sort(s);
    expect([0, 1, 2].map((t) => s[w2(t)]!)).toEqual([...words].sort((x, y) => x - y));
    expect(new Set(words).size).toBe(3);
  });

  it('sorts when words before the records would pass for records (a scan must not read them)', () => {
    // 128 memory cells put more than two records' worth of words before the records; all 0 or all 0x5555 there.
    const big = threads(3, 128);
    const BL = big.layout;
    const bk = big.kernel;
    expect(BL.threadWordStart[0]!).toBeGreaterThan(2 * BL.threadWords);
    const reg1 = (t: number): number => BL.regs[BL.frame(t, 0) * BL.registers + 1]!;
    for (const outside of [0, 0x5555])
      for (const p of [
        [0, 2, 1],
        [2, 1, 0],
        [1, 0, 2],
      ]) {
        const s = new Int32Array(big.stateWords).fill(outside);
        for (let t = 0; t < 3; t++) s.fill(0, BL.threadWordStart[t], BL.threadWordStart[t]! + BL.threadWords);
        bk.set(s, BL.killed, 0);
        p.forEach((v, t) => bk.set(s, reg1(t), encodeValue(v)));
        new ThreadSorter(bk).sort(s);
        expect([0, 1, 2].map((t) => decodeValue(bk.get(s, reg1(t)))), `${outside} ${p.join()}`).toEqual([0, 1, 2]);
      }
  });

  it('puts every order of three distinct records in ascending order', () => {
    for (const p of [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ])
      expect(sortedR1(stateWith(p))).toEqual([0, 1, 2]);
  });

  it('orders by the first word that differs, not by a later one', () => {
    // r1 lies in a record's first word, its status in the second: T1 and T2 share r1 = 1, and
    // T1's status (2) puts it after T2; T0's larger r1 puts it last whatever its status.
    const word = (f: number): number => L.bits.word[f]! - L.threadWordStart[1]!;
    expect([word(L.regs[L.frame(1, 0) * R + 1]!), word(L.status[1]!)]).toEqual([0, 1]);
    const s = stateWith([2, 1, 1]);
    k.set(s, L.status[1]!, 2);
    new ThreadSorter(k).sort(s);
    expect([0, 1, 2].map((t) => [r1Of(s, t), k.get(s, L.status[t]!)])).toEqual([
      [1, 0],
      [1, 2],
      [2, 0],
    ]);
  });

  it('sorts with equal records among distinct ones', () => {
    expect(sortedR1(stateWith([2, 2, 1]))).toEqual([1, 2, 2]);
    expect(sortedR1(stateWith([1, 2, 1]))).toEqual([1, 1, 2]);
    expect(sortedR1(stateWith([2, 1, 1]))).toEqual([1, 1, 2]);
  });

  it('leaves every word outside the thread records alone', () => {
    const s = stateWith([2, 0, 1], 0x5555);
    const before = s.slice();
    sortedR1(s);
    const end = L.threadWordStart[2]! + L.threadWords;
    const outside = (a: Int32Array): number[] => Array.from(a).filter((_, i) => i < L.threadWordStart[0]! || i >= end);
    expect(outside(s)).toEqual(outside(before));
    expect(outside(s).length).toBeGreaterThan(0);
  });

  it('leaves a state in order as it is (same words)', () => {
    const s = stateWith([0, 1, 2], 0x1234);
    const before = s.slice();
    new ThreadSorter(k).sort(s);
    expect(Array.from(s)).toEqual(Array.from(before));
  });

  it('moves killThread with the killed thread’s record, only when the process was killed', () => {
    // Records [x, x, y] with y < x: the new order is [2, 0, 1] (insertion sort is stable).
    for (const [old, now] of [
      [0, 1],
      [1, 2],
      [2, 0],
    ] as const) {
      const s = stateWith([2, 2, 1]);
      k.set(s, L.killed, 1);
      k.set(s, L.killThread, old);
      new ThreadSorter(k).sort(s);
      expect(k.get(s, L.killThread)).toBe(now);
    }
    // Not killed: killThread (0 here) is not a thread's name and stays.
    const s = stateWith([2, 0, 1]);
    new ThreadSorter(k).sort(s);
    expect([k.killed(s), k.get(s, L.killThread)]).toEqual([false, 0]);
  });

  it('two threads: swaps an out-of-order pair, keeps an in-order one', () => {
    const sys2 = threads(2);
    const L2 = sys2.layout;
    const at = (s: Int32Array, t: number): number => decodeValue(sys2.kernel.get(s, L2.regs[L2.frame(t, 0) * L2.registers + 1]!));
    for (const [a, b] of [
      [1, 0],
      [0, 1],
    ]) {
      const s = new Int32Array(sys2.stateWords);
      sys2.kernel.set(s, L2.regs[L2.frame(0, 0) * L2.registers + 1]!, encodeValue(a!));
      sys2.kernel.set(s, L2.regs[L2.frame(1, 0) * L2.registers + 1]!, encodeValue(b!));
      new ThreadSorter(sys2.kernel).sort(s);
      expect([at(s, 0), at(s, 1)]).toEqual([0, 1]);
    }
  });
});
