/**
 * CPU symmetry (reduction `cpu-symmetry`): when nothing in a model tells one CPU from another,
 * states that differ only by a renaming of the CPUs are merged, one stored per class.
 *
 * The CPU-derived values a renaming permutes: each thread's CPU, cpu_id_start and cpu_id in its
 * struct rseq, the kernel's cached CPU, the registers that hold a CPU number (CPU-typed: loaded
 * from cpu_id or cpu_id_start, or copied from such a register), and the cells of per-CPU
 * arrays. The static test (`cpuSymmetryApplies`) accepts a model only when every use of a
 * CPU-typed register is one a renaming commutes with: an index into a per-CPU array of one
 * cell per CPU, a copy into another CPU-typed register, an eq/ne comparison of two CPU-typed
 * registers; and nothing else names a CPU.
 *
 * Under a temporal property (LTL, with fairness and finitely many events) the test is on the
 * formula's atoms instead of the model's safety properties (`cpuVariantAtom`): a renaming
 * changes no thread's identity, status, IP, frames, G1 ghost or last-transition ghost, so an
 * atom that reads only those (and memory other than per-CPU cells, and per-CPU arrays only
 * through sum) has the same value in every state of a class, and the fairness marks (which
 * thread took an edge, which threads are runnable where it starts) and the kernel-event edges
 * of `--finite-events` (the label's kind) are the same on an edge and on its renamings. The
 * product of the quotient with the automaton then has a (fair) accepting cycle iff the
 * unreduced product has one (Emerson and Sistla, "Symmetry and model checking", 1996, for
 * formulas whose atoms the symmetry keeps): a concrete cycle maps to a closed walk of
 * representatives with the same atoms and marks, and a cycle of representatives lifts to a
 * concrete path that comes back to a renaming of where it began, so repeating it at most
 * |CPUs|! times closes a concrete cycle with the same marks (run/temporal-lasso.ts does that
 * for the lasso it reports). Thread symmetry is not used there: it would permute the marks.
 */
import type { Expr } from '../../properties/expr/ast.js';
import type { ModelIR, Operand } from '../ir/types.js';
import { formatExpr } from '../../properties/expr/parse.js';
import { decodeValue, encodeCachedCpu, encodeValue, NO_CACHED_CPU } from '../kernel/encoding.js';
import { Status, type RseqLayout } from '../kernel/layout.js';
import { registersRead, registersWritten } from '../kernel/liveness.js';
import type { KernelSemantics } from '../kernel/semantics.js';

/** Whether the CPU symmetry applies to a model (with the CPU-typed registers of each program), and if not, the first reason found. */
export type CpuSymmetryVerdict = { readonly applies: true; readonly cpuRegs: readonly number[] } | { readonly applies: false; readonly reason: string };

/** Successor IPs of instruction `ip` of `code`, plus the abort IPs of the ranges containing it. */
function successorIps(ir: ModelIR, pi: number, ip: number): number[] {
  const ins = ir.programs[pi]!.code[ip]!;
  const next = ins.op === 'jmp' ? [ins.target] : ins.op === 'br' ? [ip + 1, ins.target] : ins.op === 'done' || ins.op === 'sigreturn' ? [] : [ip + 1];
  for (const d of ir.descriptors) if (d.program === pi && ip >= d.start && ip < d.postCommit) next.push(d.abort);
  return next;
}

/**
 * The static test. No: fewer than 2 CPUs; a thread dormant, unregistered at the start, or not
 * allowed on every CPU; a read of node_id or mm_cid, any write_id; a system call that names a
 * CPU, registers, unregisters or creates a thread. Per program, the CPU-typed registers are
 * those some read of cpu_id / cpu_id_start (or copy of a CPU-typed register) writes; no: such
 * a register written otherwise, or read where it may still hold its initial value; a CPU-typed
 * value in arithmetic, a store, a comparison with anything but another CPU-typed register or
 * by anything but eq/ne; a memory reference into a per-CPU array other than an index by a
 * CPU-typed register over exactly that array (a fixed index names a CPU); a thread with a
 * tracer. Then the properties: for a safety check (no `temporalAtoms`), no: an invariant or
 * final condition of the model that names a thread or a CPU, or a per-CPU array other than
 * through sum(NAME); for a temporal check, no: an atom of its formula that a renaming can
 * change (`cpuVariantAtom`).
 */
export function cpuSymmetryApplies(ir: ModelIR, temporalAtoms?: readonly Expr[]): CpuSymmetryVerdict {
  const no = (reason: string): CpuSymmetryVerdict => ({ applies: false, reason });
  const n = ir.cpus.length;
  if (n < 2) return no('one CPU');
  for (const th of ir.threads) {
    if (th.dormant) return no(`thread ${th.name} is dormant`);
    if (th.tracer !== undefined) return no(`thread ${th.name} has a tracer`);
    if (!th.registered) return no(`thread ${th.name} is not registered from the start`);
    if (th.allowed.length !== n) return no(`thread ${th.name} is not allowed on every CPU`);
  }
  const perCpu = ir.memory.vars.filter((v) => v.percpu);
  const cpuRegs: number[] = [];
  for (let pi = 0; pi < ir.programs.length; pi++) {
    const p = ir.programs[pi]!;
    const code = p.code;
    const at = (ip: number): string => `program ${p.name} at IP ${ip}`;
    // CPU-typed registers: a fixpoint over copies.
    let typed = 0;
    for (let changed = true; changed; ) {
      changed = false;
      for (const ins of code) {
        const cpuValued = (ins.op === 'read_id' && (ins.field === 'cpu_id' || ins.field === 'cpu_id_start')) || (ins.op === 'mov' && ins.src.reg && (typed & (1 << ins.src.value)) !== 0);
        if (cpuValued && (typed & registersWritten(ins)) === 0) {
          typed |= registersWritten(ins);
          changed = true;
        }
      }
    }
    for (let ip = 0; ip < code.length; ip++) {
      const ins = code[ip]!;
      const isCpu = (o: Operand | null): boolean => o !== null && o.reg && (typed & (1 << o.value)) !== 0;
      if (ins.op === 'read_id' && (ins.field === 'node_id' || ins.field === 'mm_cid')) return no(`${at(ip)} reads ${ins.field}`);
      if (ins.op === 'write_id') return no(`${at(ip)} writes ${ins.field}`);
      if (ins.op === 'syscall') {
        if (ins.cpu !== null) return no(`${at(ip)}: ${ins.name} names a CPU`);
        if (['rseq_register', 'rseq_unregister', 'fork', 'clone_vm', 'execve', 'execve_fail', 'kvm_run'].includes(ins.name)) return no(`${at(ip)} calls ${ins.name}`);
      }
      const cpuWrite = (ins.op === 'read_id' && (ins.field === 'cpu_id' || ins.field === 'cpu_id_start')) || (ins.op === 'mov' && isCpu(ins.src));
      if ((registersWritten(ins) & typed) !== 0 && !cpuWrite) return no(`${at(ip)} writes a CPU-typed register with another value`);
      if ((ins.op === 'add' || ins.op === 'sub') && (isCpu(ins.src) || (typed & (1 << ins.dst)) !== 0)) return no(`${at(ip)} computes with a CPU number`);
      if ((ins.op === 'store' || ins.op === 'addm') && isCpu(ins.src)) return no(`${at(ip)} stores a CPU number`);
      if ((ins.op === 'br' || ins.op === 'assert') && (isCpu(ins.a) || isCpu(ins.b)) && !(isCpu(ins.a) && isCpu(ins.b) && (ins.cond === 'eq' || ins.cond === 'ne')))
        return no(`${at(ip)} compares a CPU number with something other than a CPU number for (in)equality`);
      if (ins.op === 'load' || ins.op === 'store' || ins.op === 'addm') {
        const m = ins.addr;
        const indexCpu = m.indexReg >= 0 && (typed & (1 << m.indexReg)) !== 0;
        const v = perCpu.find((x) => m.lo < x.base + x.size && x.base < m.hi);
        if (indexCpu && !(v && m.base === v.base && m.lo === v.base && m.hi === v.base + n)) return no(`${at(ip)} indexes memory by a CPU number outside a per-CPU array`);
        if (!indexCpu && v) return no(`${at(ip)} reaches per-CPU memory ${v.name} other than by a CPU number as its index`);
      }
    }
    // A CPU-typed register is never read while it may still hold its initial value (0, which would read as CPU 0).
    const initial = new Int32Array(code.length + 1).fill(-1);
    const work = [0];
    initial[0] = typed;
    while (work.length > 0) {
      const ip = work.pop()!;
      if (ip >= code.length) continue;
      const ins = code[ip]!;
      const may = initial[ip]!;
      if ((registersRead(ins) & may) !== 0) return no(`${at(ip)} reads a CPU-typed register before it holds a CPU number`);
      const after = may & ~registersWritten(ins);
      for (const q of successorIps(ir, pi, ip)) {
        const before = initial[q]!;
        const merged = before === -1 ? after : before | after;
        if (merged !== before) {
          initial[q] = merged;
          work.push(q);
        }
      }
    }
    cpuRegs.push(typed);
  }
  if (temporalAtoms !== undefined) {
    for (const atom of temporalAtoms) {
      const why = cpuVariantAtom(ir, atom);
      if (why !== undefined) return no(`the temporal property's atom ${formatExpr(atom)} ${why}`);
    }
    return { applies: true, cpuRegs };
  }
  const names = [...ir.threads.map((t) => t.name), ...ir.cpus];
  const mentions = (e: string, name: string): boolean => new RegExp(`\\b${name.replace(/[.']/g, '\\$&')}\\b`).test(e);
  for (const c of [...ir.invariants, ...ir.final]) {
    if (names.some((name) => mentions(c.expr, name))) return no(`property ${c.name} names a thread or a CPU`);
    for (const v of perCpu) {
      const rest = c.expr.replace(new RegExp(`\\bsum\\(\\s*${v.name}\\s*\\)`, 'g'), '');
      if (mentions(rest, v.name)) return no(`property ${c.name} reads per-CPU memory ${v.name} other than through sum(${v.name})`);
    }
  }
  return { applies: true, cpuRegs };
}

/**
 * Why a renaming of the CPUs can change the value of state expression `e` (an LTL atom), or
 * undefined when it cannot, in a model that passed the static test above. Decided per atom of
 * the expression language (models/system/expr-env.ts):
 *  - invariant: numbers, booleans, model constants (threads, cpus, parameters), `killed`,
 *    memory variables that are not per-CPU (no CPU number is ever stored), `sum` of any array
 *    (a renaming permutes a per-CPU array's cells), done(T), running(T) (the status),
 *    in_cs(T) (the armed descriptor and the IP of its top frame), level(T), must_abort(T)
 *    (G1's ghost bit), mm_cid(T) and mm_cid_unique (constant: no program reads or writes an
 *    mm_cid, so it is not tracked), and the last transition's committed, aborted, syscall,
 *    cs_instr (bits the kernel reports per thread) and preempt, migrate, signal (the label's
 *    kind and thread, never its argument, the target CPU of a migration);
 *  - not: cpu(T) (a CPU number), on_cpu(T, C) (names a CPU), a CPU's name, a cell of a per-CPU
 *    array or the array read otherwise than by sum, and any function not listed.
 * Operators combine values, so an expression of invariant atoms is invariant.
 */
function cpuVariantAtom(ir: ModelIR, e: Expr): string | undefined {
  const perCpu = (name: string): boolean => ir.memory.vars.some((v) => v.percpu && v.name === name);
  switch (e.kind) {
    case 'num':
    case 'bool':
      return undefined;
    case 'name':
      if (ir.cpus.includes(e.name)) return `names CPU ${e.name}`;
      return perCpu(e.name) ? `reads per-CPU memory ${e.name} other than through sum(${e.name})` : undefined;
    case 'index':
      if (e.base.kind === 'name' && perCpu(e.base.name)) return `reads a cell of per-CPU memory ${e.base.name}`;
      return cpuVariantAtom(ir, e.base) ?? cpuVariantAtom(ir, e.index);
    case 'call':
      if (e.fn === 'sum' && e.args.length === 1 && e.args[0]!.kind === 'name') return undefined;
      if (!cpuInvariantFunctions.has(e.fn)) return e.fn === 'cpu' ? 'reads a CPU number' : e.fn === 'on_cpu' ? 'names a CPU' : `calls ${e.fn}, not known to be invariant under CPU renaming`;
      for (const a of e.args) {
        // A thread's name is its identity, which a CPU renaming keeps.
        if (a.kind === 'name' && ir.threads.some((t) => t.name === a.name)) continue;
        const why = cpuVariantAtom(ir, a);
        if (why !== undefined) return why;
      }
      return undefined;
    case 'unary':
      return cpuVariantAtom(ir, e.arg);
    case 'binary':
      return cpuVariantAtom(ir, e.left) ?? cpuVariantAtom(ir, e.right);
  }
}

/** The thread functions whose value a CPU renaming keeps (see cpuVariantAtom). */
const cpuInvariantFunctions = new Set(['done', 'running', 'in_cs', 'level', 'must_abort', 'mm_cid', 'committed', 'aborted', 'syscall', 'cs_instr', 'preempt', 'migrate', 'signal']);

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
  /** Memory fields of each per-CPU array, cell c of the array at index c. */
  private readonly perCpuCells: readonly Int32Array[];
  private readonly cells: Int32Array;
  private readonly perms: Int32Array[];
  private readonly best: Int32Array;
  private readonly tmp: Int32Array;

  /**
   * `cpuRegs`: per program, the CPU-typed registers (cpuSymmetryApplies); `live`: per program,
   * per IP, the live registers; `order` puts a renamed state in canonical form (records, then
   * the thread symmetry's order).
   */
  constructor(
    private readonly kernel: KernelSemantics,
    ir: ModelIR,
    private readonly cpuRegs: readonly number[],
    private readonly live: readonly Int32Array[],
    private readonly order: (s: Int32Array) => void,
  ) {
    const cpus = ir.cpus.length;
    this.L = kernel.L;
    this.perCpuCells = ir.memory.vars.filter((v) => v.percpu).map((v) => Int32Array.from({ length: cpus }, (_, c) => kernel.L.mem[v.base + c]!));
    this.cells = new Int32Array(cpus);
    this.perms = nonIdentityPermutations(cpus);
    this.best = new Int32Array(kernel.L.bits.words);
    this.tmp = new Int32Array(kernel.L.bits.words);
  }

  /**
   * Replaces `s` by the least state of its class: `order` of every renaming, the identity
   * included (`order` may normalize records the step that made `s` did not touch).
   */
  canonicalize(s: Int32Array): void {
    const best = this.best;
    const tmp = this.tmp;
    best.set(s);
    this.order(best);
    for (const perm of this.perms) {
      tmp.set(s);
      this.rename(tmp, perm);
      this.order(tmp);
      if (lessThan(tmp, best)) best.set(tmp);
    }
    s.set(best);
  }

  /**
   * Renames every CPU c of `s` to perm[c]: each live thread's CPU (unless it floats), IDs,
   * cached CPU and live CPU-typed registers, and the cells of per-CPU arrays. ID fields
   * holding no CPU (CanonicalForm's 0 for "cannot be observed", an uninitialized cpu_id) are
   * left alone.
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
      this.renameValue(s, L.cpuIdStart[t]!, perm);
      this.renameValue(s, L.cpuId[t]!, perm);
      const cached = k.get(s, L.kIdCpu[t]!);
      if (cached !== NO_CACHED_CPU) k.set(s, L.kIdCpu[t]!, encodeCachedCpu(perm[cached - encodeCachedCpu(0)]!));
      // CPU-typed registers live in the thread's active frames (dead ones are cleared by CanonicalForm).
      const top = k.level(s, t);
      for (let l = 0; l <= top; l++) {
        const f = L.frame(t, l);
        const prog = k.programOf(s, t, l);
        const regs = this.cpuRegs[prog]! & (this.live[prog]![k.get(s, L.ip[f]!)] ?? 0);
        for (let r = 0; regs >>> r !== 0; r++) if ((regs & (1 << r)) !== 0) this.renameValue(s, L.regs[f * L.registers + r]!, perm);
      }
    }
    // Cell c of a per-CPU array moves to cell perm[c].
    const cells = this.cells;
    for (const fields of this.perCpuCells) {
      for (let c = 0; c < n; c++) cells[c] = k.get(s, fields[c]!);
      for (let c = 0; c < n; c++) k.set(s, fields[perm[c]!]!, cells[c]!);
    }
  }

  /** Renames the CPU number a value field holds (a field holding no CPU number is left alone). */
  private renameValue(s: Int32Array, field: number, perm: Int32Array): void {
    const k = this.kernel;
    const v = decodeValue(k.get(s, field));
    if (v >= 0 && v < perm.length) k.set(s, field, encodeValue(perm[v]!));
  }
}

function lessThan(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
