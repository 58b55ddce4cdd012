/** Final memories compared up to CPU renamings (the CPU symmetry keeps one memory per class). */
import type { ModelIR } from '../../models/ir/types.js';

/** Every permutation of 0..n-1. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** A memory vector under every renaming of the CPUs (the cells of per-CPU arrays permuted). */
export function renamings(ir: ModelIR, mem: readonly number[]): number[][] {
  const n = ir.cpus.length;
  return permutations(n).map((perm) => {
    const out = [...mem];
    for (const v of ir.memory.vars) if (v.percpu) for (let c = 0; c < n; c++) out[v.base + perm[c]!] = mem[v.base + c]!;
    return out;
  });
}
