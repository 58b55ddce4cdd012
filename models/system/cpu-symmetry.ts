/**
 * CPU symmetry (reduction `cpu-symmetry`): when nothing in a model tells one CPU from another,
 * states that differ only by a renaming of the CPUs are merged, one stored per class.
 *
 * This is the conservative subset: the CPU-derived values are only the kernel's per-thread
 * fields (the thread's CPU, cpu_id_start and cpu_id in its struct rseq, the kernel's cached
 * CPU), which a renaming permutes consistently. A model applies only when no program reads a
 * CPU-derived ID into a register (so registers and memory never hold a CPU number) and
 * nothing else can name a CPU (see `cpuSymmetryApplies`). Typing registers loaded from
 * cpu_id as CPUs, allowed only as indexes into per-CPU arrays of exactly one cell per CPU (the
 * percpu-counter pattern), is the part not done yet.
 */
import type { ModelIR } from '../ir/types.js';
import { decodeValue, encodeCachedCpu, encodeValue, NO_CACHED_CPU } from '../kernel/encoding.js';
import { Status, type RseqLayout } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';

/** Whether the CPU symmetry applies to a model, and if not, the first reason found. */
export type CpuSymmetryVerdict = { readonly applies: true } | { readonly applies: false; readonly reason: string };

/**
 * The static test: at least 2 CPUs; every thread registered from the start, never dormant,
 * allowed on every CPU; no instruction reads or writes an ID field (cpu_id, cpu_id_start,
 * node_id, mm_cid: a register could then hold a CPU number, or a CPU field a user value); no
 * system call names a CPU, registers, unregisters or creates a thread; no per-CPU memory
 * (with no CPU-valued register, a per-CPU cell is reached only by a fixed index, which names
 * a CPU); no invariant or final condition names a thread or a CPU.
 */
export function cpuSymmetryApplies(ir: ModelIR): CpuSymmetryVerdict {
  const no = (reason: string): CpuSymmetryVerdict => ({ applies: false, reason });
  const n = ir.cpus.length;
  if (n < 2) return no('one CPU');
  for (const th of ir.threads) {
    if (th.dormant) return no(`thread ${th.name} is dormant`);
    if (!th.registered) return no(`thread ${th.name} is not registered from the start`);
    if (th.allowed.length !== n) return no(`thread ${th.name} is not allowed on every CPU`);
  }
  for (const p of ir.programs) {
    for (let ip = 0; ip < p.code.length; ip++) {
      const ins = p.code[ip]!;
      const at = `program ${p.name} at IP ${ip}`;
      if (ins.op === 'read_id') return no(`${at} reads ${ins.field} into a register (CPU-valued registers are not analysed yet)`);
      if (ins.op === 'write_id') return no(`${at} writes ${ins.field}`);
      if (ins.op === 'syscall') {
        if (ins.cpu !== null) return no(`${at}: ${ins.name} names a CPU`);
        if (['rseq_register', 'rseq_unregister', 'fork', 'clone_vm'].includes(ins.name)) return no(`${at} calls ${ins.name}`);
      }
    }
  }
  const perCpu = ir.memory.vars.find((v) => v.percpu);
  if (perCpu) return no(`memory ${perCpu.name} is per-CPU (CPU-indexed cells are not analysed yet)`);
  const names = [...ir.threads.map((t) => t.name), ...ir.cpus];
  const named = [...ir.invariants, ...ir.final].find((c) => names.some((name) => new RegExp(`\\b${name.replace(/[.']/g, '\\$&')}\\b`).test(c.expr)));
  if (named) return no(`property ${named.name} names a thread or a CPU`);
  return { applies: true };
}

/** Every permutation of 0..n-1 but the identity (n! - 1 of them; n is at most 4). */
function nonIdentityPermutations(n: number): Int32Array[] {
  const out: Int32Array[] = [];
  const walk = (prefix: number[]): void => {
    if (prefix.length === n) {
      if (prefix.some((c, i) => c !== i)) out.push(Int32Array.from(prefix));
      return;
    }
    for (let c = 0; c < n; c++) if (!prefix.includes(c)) walk([...prefix, c]);
  };
  walk([]);
  return out;
}

/**
 * The canonical representative of a state's class under CPU renamings (composed with the
 * thread order when thread symmetry is on): the least packed state over every renaming.
 */
export class CpuRenamer {
  private readonly L: RseqLayout;
  private readonly perms: Int32Array[];
  private readonly best: Int32Array;
  private readonly tmp: Int32Array;

  /** `order` puts a state in the thread symmetry's order (the identity without it). */
  constructor(
    private readonly kernel: KernelSemantics,
    cpus: number,
    private readonly order: (s: Int32Array) => void,
  ) {
    this.L = kernel.L;
    this.perms = nonIdentityPermutations(cpus);
    this.best = new Int32Array(kernel.L.bits.words);
    this.tmp = new Int32Array(kernel.L.bits.words);
  }

  /** Replaces `s` (already in thread order) by the least state of its class. */
  canonicalize(s: Int32Array): void {
    const best = this.best;
    const tmp = this.tmp;
    best.set(s);
    for (const perm of this.perms) {
      tmp.set(s);
      this.rename(tmp, perm);
      this.order(tmp);
      if (lessThan(tmp, best)) best.set(tmp);
    }
    s.set(best);
  }

  /**
   * Renames every CPU c of `s` to perm[c]: each live thread's CPU (unless it floats), IDs and
   * cached CPU. ID fields holding no CPU (CanonicalForm's 0 for "cannot be observed", an
   * uninitialized cpu_id) are left alone.
   */
  rename(s: Int32Array, perm: Int32Array): void {
    const k = this.kernel;
    const L = this.L;
    const n = perm.length;
    for (let t = 0; t < L.threads; t++) {
      // A finished thread's fields are placeholders (CanonicalForm resets them to 0), not CPUs.
      if (k.get(s, L.status[t]!) === Status.Done) continue;
      // A floating ready thread's CPU field is a placeholder (CanonicalForm), not a CPU.
      if (k.get(s, L.anyCpu[t]!) === 0) k.set(s, L.cpu[t]!, perm[k.get(s, L.cpu[t]!)]!);
      for (const f of [L.cpuIdStart[t]!, L.cpuId[t]!]) {
        const v = decodeValue(k.get(s, f));
        if (v >= 0 && v < n) k.set(s, f, encodeValue(perm[v]!));
      }
      const cached = k.get(s, L.kIdCpu[t]!);
      if (cached !== NO_CACHED_CPU) k.set(s, L.kIdCpu[t]!, encodeCachedCpu(perm[cached - encodeCachedCpu(0)]!));
    }
  }
}

function lessThan(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
