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
    while (inOrder < T && compareBlocks(s, first + (inOrder - 1) * W, first + inOrder * W, W) <= 0) inOrder++;
    if (inOrder === T) return;
    for (let t = 0; t < T; t++) order[t] = t;
    let moved = false;
    for (let i = 1; i < T; i++) {
      const cur = order[i]!;
      let j = i - 1;
      while (j >= 0 && compareBlocks(s, start[order[j]!]!, start[cur]!, W) > 0) {
        order[j + 1] = order[j]!;
        j--;
        moved = true;
      }
      order[j + 1] = cur;
    }
    if (!moved) return;
    // Word loops rather than subarray copies: a subarray is an allocation, on the hottest path.
    const tmp = this.blockTmp;
    for (let p = 0; p < T; p++) {
      const from = start[order[p]!]!;
      for (let i = 0; i < W; i++) tmp[p * W + i] = s[from + i]!;
    }
    for (let p = 0; p < T; p++) {
      const to = start[p]!;
      for (let i = 0; i < W; i++) s[to + i] = tmp[p * W + i]!;
    }
    const k = this.kernel;
    if (k.killed(s)) {
      const old = k.get(s, this.L.killThread);
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
