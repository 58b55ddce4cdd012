import type { RseqLayout } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';

/**
 * The symmetry reduction's canonical order of thread records (see symmetryIsSound): identical
 * threads are interchangeable, so one state per permutation class is stored.
 */
export class ThreadSorter {
  private readonly L: RseqLayout;
  private readonly order: Int32Array;
  private readonly blockTmp: Int32Array;

  constructor(private readonly kernel: KernelSemantics) {
    this.L = kernel.L;
    this.order = new Int32Array(this.L.threads);
    this.blockTmp = new Int32Array(this.L.threads * this.L.threadWords);
  }

  /**
   * Sorts the thread records of `s`. Each thread's record is a contiguous word range with the
   * same internal layout (models/kernel/layout.ts), and no field names a thread (K.rseq's own
   * area is a bit), so sorting word ranges is a sound renaming.
   */
  sort(s: Int32Array): void {
    const T = this.L.threads;
    const W = this.L.threadWords;
    const start = this.L.threadWordStart;
    const order = this.order;
    // Most successors are in order already (the records lie one after another).
    const first = start[0]!;
    let inOrder = 1;
    // This scan only decides whether to skip the sort below, which gives the same order. Three
    // of its ArithmeticOperator mutants survive and are equivalent: with (inOrder - 1) / W or
    // inOrder / W a fractional index reads undefined, and with inOrder + 1 the scan reaches past
    // the last record (the records end the state), so the comparison is NaN and the sort runs.
    // They are not disabled: the same mutator's subtractions here are killed by
    // test/models/symmetry-mutants.test.ts (words before the records).
    // Stryker disable next-line ConditionalExpression,EqualityOperator,UpdateOperator: equivalent, a scan cut short ends in the sort; one that runs past T or below 0 reads undefined (NaN) and stops, and never reaches T without T-1 in-order pairs
    while (inOrder < T && compareBlocks(s, first + (inOrder - 1) * W, first + inOrder * W, W) <= 0) inOrder++;
    // Stryker disable next-line ConditionalExpression: equivalent, records in order go through the sort unmoved (moved stays false)
    if (inOrder === T) return;
    // Stryker disable next-line EqualityOperator: equivalent, order[T] is past the end of an Int32Array: the write is dropped
    for (let t = 0; t < T; t++) order[t] = t;
    // Stryker disable next-line BooleanLiteral: equivalent, copying records in the identity order leaves them as they are
    let moved = false;
    // Stryker disable next-line EqualityOperator: equivalent, i === T takes cur = order[T] (undefined): its block compares as NaN and its write is dropped
    for (let i = 1; i < T; i++) {
      const cur = order[i]!;
      let j = i - 1;
      // Stryker disable next-line ConditionalExpression: equivalent, j === -1 reads order[-1] (undefined): the comparison is NaN and the loop stops
      while (j >= 0 && compareBlocks(s, start[order[j]!]!, start[cur]!, W) > 0) {
        order[j + 1] = order[j]!;
        j--;
        moved = true;
      }
      order[j + 1] = cur;
    }
    // Stryker disable next-line ConditionalExpression: equivalent, copying records in the identity order leaves them as they are
    if (!moved) return;
    // Word loops rather than subarray copies: a subarray is an allocation, on the hottest path.
    const tmp = this.blockTmp;
    // Stryker disable next-line EqualityOperator: equivalent, p === T reads start[order[T]] (undefined) and writes past the end of tmp: dropped
    for (let p = 0; p < T; p++) {
      const from = start[order[p]!]!;
      // Stryker disable next-line EqualityOperator: equivalent, word W of record p is word 0 of record p + 1, written next; past the last record it is past the end of tmp
      for (let i = 0; i < W; i++) tmp[p * W + i] = s[from + i]!;
    }
    // Stryker disable next-line EqualityOperator: equivalent, p === T writes at start[T] (undefined), a NaN index: dropped
    for (let p = 0; p < T; p++) {
      const to = start[p]!;
      // Stryker disable next-line EqualityOperator: equivalent, word W of record p is word 0 of record p + 1, written next; the records end the state (layout.ts), so past the last one the write is dropped
      for (let i = 0; i < W; i++) s[to + i] = tmp[p * W + i]!;
    }
    const k = this.kernel;
    if (k.killed(s)) {
      const old = k.get(s, this.L.killThread);
      // Stryker disable next-line EqualityOperator: equivalent, order[T] is undefined, never a thread
      for (let p = 0; p < T; p++) if (order[p] === old) k.set(s, this.L.killThread, p);
    }
  }
}

function compareBlocks(s: Int32Array, a: number, b: number, words: number): number {
  for (let i = 0; i < words; i++) {
    const d = s[a + i]! - s[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
