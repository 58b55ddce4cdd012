import type { Expr } from '../../properties/expr/ast.js';
import type { ExprEnvironment, StateFn } from '../../properties/expr/compile.js';
import type { ModelIR } from '../ir/types.js';
import { mmCidsUnique } from '../kernel/exec.js';
import { Status } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import { LabelKind } from './labels.js';

/** The functions taking a thread as their first argument. */
const threadFunctions = new Set(['done', 'running', 'cpu', 'on_cpu', 'in_cs', 'level', 'must_abort', 'committed', 'aborted', 'syscall', 'cs_instr', 'preempt', 'migrate', 'signal']);

/**
 * The names state expressions may use over rseq states: memory variables (`counter`,
 * `counter[1]`, `sum(counter)`), model constants (`threads`, `cpus`, and the model's
 * parameters), and thread propositions (`done(T1)`, `running(T1)`, `on_cpu(T1, C0)`,
 * `cpu(T1)`, `mm_cid(T1)`, `in_cs(T1)`, `killed`, `mm_cid_unique`).
 */
export function rseqExprEnvironment(ir: ModelIR, k: KernelSemantics, constants: Readonly<Record<string, number>>): ExprEnvironment {
  const L = k.L;
  const consts: Record<string, number> = { threads: ir.threads.filter((t) => !t.dormant).length, cpus: ir.cpus.length, ...constants };
  const threadArg = (e: Expr | undefined): number => {
    if (e && e.kind === 'name') {
      const t = ir.threads.findIndex((th) => th.name === e.name);
      if (t >= 0) return t;
    }
    return -1;
  };
  const status = (t: number) => (s: Int32Array) => k.get(s, L.status[t]!);
  /** Propositions about the last transition (LTL only: they need the trackLast ghosts). */
  const transitionAtom = (fn: string, t: number): StateFn | undefined => {
    if (L.lastKind < 0) return undefined;
    const bit = (field: number) => (s: Int32Array) => (k.get(s, field) >>> t) & 1;
    const kinds = (ks: readonly number[]) => (s: Int32Array) => (k.get(s, L.lastThread) === t && ks.includes(k.get(s, L.lastKind)) ? 1 : 0);
    switch (fn) {
      case 'committed':
        return bit(L.lastCommit);
      case 'aborted':
        return bit(L.lastAbort);
      case 'syscall':
        return bit(L.lastSyscall);
      case 'cs_instr':
        return bit(L.lastCsInstr);
      case 'preempt':
        return kinds([LabelKind.preempt, LabelKind.instructionPreemptedAtExit]);
      case 'migrate':
        return kinds([LabelKind.migrate]);
      case 'signal':
        return kinds([LabelKind.signal, LabelKind.signalPending, LabelKind.wakeBySignal]);
      default:
        return undefined;
    }
  };
  return {
    name(name) {
      const v = ir.memory.vars.find((x) => x.name === name);
      if (v && v.size === 1) {
        const f = L.mem[v.base]!;
        return (s) => k.get(s, f);
      }
      if (name in consts) {
        const c = consts[name]!;
        return () => c;
      }
      if (name === 'killed') return (s) => k.get(s, L.killed);
      // No two running threads read the same mm_cid from their struct rseq (vacuous when no program reads mm_cid: nothing observes it).
      if (name === 'mm_cid_unique') return k.trackMmCid ? (s) => (mmCidsUnique(k, s) ? 1 : 0) : () => 1;
      return undefined;
    },
    array(name) {
      const v = ir.memory.vars.find((x) => x.name === name);
      if (!v) return undefined;
      const fields = L.mem.slice(v.base, v.base + v.size);
      return { size: v.size, read: (s, i) => k.get(s, fields[i]!) };
    },
    call(fn, args, compile): StateFn | undefined {
      if (fn === 'sum' && args.length === 1 && args[0]!.kind === 'name') {
        const v = ir.memory.vars.find((x) => x.name === (args[0] as { name: string }).name);
        if (!v) return undefined;
        const fields = L.mem.slice(v.base, v.base + v.size);
        return (s) => {
          let total = 0;
          for (let i = 0; i < fields.length; i++) total += k.get(s, fields[i]!);
          return total;
        };
      }
      const t = threadArg(args[0]);
      if (t < 0) return undefined;
      const st = status(t);
      switch (fn) {
        case 'done':
          return (s) => (st(s) === Status.Done ? 1 : 0);
        case 'running':
          return (s) => (st(s) === Status.Running ? 1 : 0);
        case 'cpu':
          return (s) => k.get(s, L.cpu[t]!);
        case 'mm_cid':
          // The mm_cid the thread's struct rseq shows (what read_id mm_cid returns).
          return (s) => k.get(s, L.areaMmCid[t]!);
        case 'on_cpu': {
          const c = args[1]?.kind === 'name' ? ir.cpus.indexOf(args[1].name) : -1;
          if (c < 0) return undefined;
          return (s) => (st(s) === Status.Running && k.get(s, L.cpu[t]!) === c ? 1 : 0);
        }
        case 'in_cs':
          return (s) => {
            const l = k.level(s, t);
            const f = L.frame(t, l);
            return k.inRange(k.get(s, L.armed[f]!), k.programOf(s, t, l), k.get(s, L.ip[f]!)) ? 1 : 0;
          };
        case 'level':
          return (s) => k.level(s, t);
        case 'must_abort':
          // An event that must abort the c.s. happened and the thread is still inside it (G1's ghost).
          return (s) => k.get(s, L.dirty[k.topFrame(s, t)]!);
        default:
          void compile;
          return transitionAtom(fn, t);
      }
    },
    explainCall(fn, args) {
      const first = args[0];
      const quoted = (e: Expr): string => (e.kind === 'name' ? `"${e.name}"` : 'an expression');
      if (fn === 'sum') {
        if (first === undefined || args.length !== 1 || first.kind !== 'name') return { message: 'sum takes one variable: sum(VAR)' };
        return { message: `unknown variable ${quoted(first)} (variables: ${ir.memory.vars.map((v) => v.name).join(', ')})`, at: first };
      }
      if (!threadFunctions.has(fn)) return undefined;
      if (first === undefined || threadArg(first) < 0)
        return { message: `${fn}(T): unknown thread ${first ? quoted(first) : '(none given)'} (threads: ${ir.threads.map((t) => t.name).join(', ')})`, ...(first ? { at: first } : {}) };
      if (fn === 'on_cpu') {
        const second = args[1];
        return { message: `on_cpu(T, C): unknown CPU ${second ? quoted(second) : '(none given)'} (CPUs: ${ir.cpus.join(', ')})`, at: second ?? first };
      }
      return { message: `${fn}(T) speaks of the last transition: it is available in LTL formulas only`, at: first };
    },
    known() {
      const base = [...ir.memory.vars.map((v) => v.name), ...Object.keys(consts), 'killed', 'mm_cid_unique', 'sum(var)', 'done(T)', 'running(T)', 'cpu(T)', 'mm_cid(T)', 'on_cpu(T, C)', 'in_cs(T)', 'level(T)', 'must_abort(T)'];
      return L.lastKind < 0 ? base : [...base, 'committed(T)', 'aborted(T)', 'syscall(T)', 'cs_instr(T)', 'preempt(T)', 'migrate(T)', 'signal(T)'];
    },
  };
}
