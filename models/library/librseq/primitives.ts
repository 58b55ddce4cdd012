/**
 * The librseq / selftest critical-section primitives of rseq-semantics.md §3.2 as reusable
 * fragments. Every primitive has the canonical shape of §3.1:
 *
 *   P_retry:  r0 = cpu_id_start            (C code, before the asm block)
 *             rseq_cs = &P_cs              (RSEQ_ASM_STORE_RSEQ_CS, immediately before start_ip)
 *   P_start:  r3 = cpu_id; if r3 != r0 goto P_abort   (RSEQ_ASM_CMP_CPU_ID)
 *             ... loads, compares, try stores ...
 *             <single commit store>        (last instruction of the range)
 *   P_post:   goto next                    (post_commit_ip)
 *   P_abort:  goto P_retry                 (abort_ip: the signature word precedes it)
 *
 * Register convention: r0 holds the CPU, r1-r3 are scratch. A compare failure leaves through
 * `cmpfail` (outside the range); success continues at `next`.
 */
import type { InstructionInput, MemRefInput, OperandInput } from '../../ir/schema.js';
import { I, seq, type Fragment } from '../../ir/builder.js';

export interface Exits {
  /** Label to continue at after the commit. */
  readonly next: string;
  /** Label to go to when a compare fails (return value 1 in librseq). */
  readonly cmpfail?: string;
  /** Descriptor flags (NO_RESTART_*), for what-if models. */
  readonly flags?: readonly ('NO_RESTART_ON_PREEMPT' | 'NO_RESTART_ON_SIGNAL' | 'NO_RESTART_ON_MIGRATE')[];
}

/** Per-CPU element `v[cpu]` of a per-CPU variable. */
export const percpu = (v: string): MemRefInput => ({ var: v, index: 'r0' });

/**
 * The canonical c.s. frame around `body` (see the header): cpu_id_start read, rseq_cs store,
 * cpu_id compare, body (whose last instruction is the commit), post-commit jump, abort retry.
 */
export function criticalSection(p: string, body: Fragment | readonly InstructionInput[], exits: Exits | string): Fragment {
  if (typeof exits === 'string') exits = { next: exits };
  return seq(
    I.readId('r0', 'cpu_id_start', { label: `${p}_retry` }),
    I.arm(`${p}_cs`),
    I.readId('r3', 'cpu_id', { label: `${p}_start` }),
    I.br('ne', 'r3', 'r0', `${p}_abort`),
    body,
    I.jmp(exits.next, { label: `${p}_post` }),
    I.jmp(`${p}_retry`, { label: `${p}_abort` }),
    {
      code: [],
      descriptors: { [`${p}_cs`]: { start: `${p}_start`, postCommit: `${p}_post`, abort: `${p}_abort`, ...(exits.flags ? { flags: [...exits.flags] } : {}) } },
    },
  );
}

/** rseq_addv(v, count): v[cpu] += count, as load/add/store (weakly ordered architectures). */
export function addv(p: string, v: string, count: OperandInput, exits: Exits): Fragment {
  return criticalSection(p, seq(I.load('r1', percpu(v)), I.add('r1', count), I.store(percpu(v), 'r1')), exits);
}

/** rseq_addv as x86 writes it: one read-modify-write instruction (`addq count,[v]`). */
export function addvRmw(p: string, v: string, count: OperandInput, exits: Exits): Fragment {
  return criticalSection(p, seq(I.addm(percpu(v), count)), exits);
}

/** rseq_cmpeqv_storev(v, expect, newv): if v[cpu] == expect then v[cpu] = newv else cmpfail. */
export function cmpeqvStorev(p: string, v: string, expect: OperandInput, newv: OperandInput, exits: Exits): Fragment {
  return criticalSection(p, seq(I.load('r1', percpu(v)), I.br('ne', 'r1', expect, exits.cmpfail ?? `${p}_abort`), I.store(percpu(v), newv)), exits);
}

/**
 * rseq_cmpnev_storeoffp_load(v, expectnot, voffp, load): if v[cpu] == expectnot then cmpfail;
 * else *load = v[cpu] (caller-private store before the commit) and v[cpu] = *(v[cpu] + voffp).
 */
export function cmpnevStoreoffpLoad(p: string, v: string, expectnot: OperandInput, voffp: number, load: MemRefInput, exits: Exits): Fragment {
  return criticalSection(
    p,
    seq(
      I.load('r1', percpu(v)),
      I.br('eq', 'r1', expectnot, exits.cmpfail ?? `${p}_abort`),
      I.store(load, 'r1'),
      I.mov('r2', 'r1'),
      I.load('r2', { ptr: 'r2', offset: voffp }),
      I.store(percpu(v), 'r2'),
    ),
    exits,
  );
}

/**
 * rseq_offset_deref_addv(ptr, off = cpu, inc): *(*ptr + cpu) += inc. The pointer is loaded inside
 * the c.s., which is what membarrier(PRIVATE_EXPEDITED_RSEQ) relies on.
 */
export function offsetDerefAddv(p: string, ptrVar: string, inc: OperandInput, exits: Exits): Fragment {
  return criticalSection(p, seq(I.load('r1', { var: ptrVar }), I.add('r1', 'r0'), I.addm({ ptr: 'r1' }, inc)), exits);
}

/** rseq_cmpeqv_cmpeqv_storev(v, expect, v2, expect2, newv). */
export function cmpeqvCmpeqvStorev(p: string, v: string, expect: OperandInput, v2: MemRefInput, expect2: OperandInput, newv: OperandInput, exits: Exits): Fragment {
  const fail = exits.cmpfail ?? `${p}_abort`;
  return criticalSection(p, seq(I.load('r1', percpu(v)), I.br('ne', 'r1', expect, fail), I.load('r2', v2), I.br('ne', 'r2', expect2, fail), I.store(percpu(v), newv)), exits);
}

/** rseq_cmpeqv_trystorev_storev(v, expect, v2, newv2, newv): try store to v2, commit to v. */
export function cmpeqvTrystorevStorev(p: string, v: string, expect: OperandInput, v2: MemRefInput, newv2: OperandInput, newv: OperandInput, exits: Exits): Fragment {
  return criticalSection(p, seq(I.load('r1', percpu(v)), I.br('ne', 'r1', expect, exits.cmpfail ?? `${p}_abort`), I.store(v2, newv2), I.store(percpu(v), newv)), exits);
}

/**
 * rseq_cmpeqv_trymemcpy_storev(v, expect, dst, src, len, newv): copy `len` cells (unrolled: the
 * lengths are small) from src to dst as try stores, then commit v[cpu] = newv.
 */
export function cmpeqvTrymemcpyStorev(p: string, v: string, expect: OperandInput, dst: `r${number}`, src: `r${number}`, len: number, newv: OperandInput, exits: Exits): Fragment {
  const copy = Array.from({ length: len }, (_, i) => [I.load('r1', { ptr: src, offset: i }), I.store({ ptr: dst, offset: i }, 'r1')]).flat();
  return criticalSection(p, seq(I.load('r1', percpu(v)), I.br('ne', 'r1', expect, exits.cmpfail ?? `${p}_abort`), copy, I.store(percpu(v), newv)), exits);
}

/**
 * librseq's calling convention for a primitive fragment named `p` (see the header): the caller
 * has loaded the CPU into r0 and computed the operands; the block starts at its `rseq_cs` store
 * (which takes over the `P_retry` label) and an abort goes back to the caller's `loop`.
 */
export function callerCpu(f: Fragment, p: string, loop: string): Fragment {
  const code = f.code.flatMap((ins, i, all): InstructionInput[] => {
    if (ins.label === `${p}_retry` && ins.op === 'read_id') return [];
    if (i > 0 && all[i - 1]!.label === `${p}_retry` && all[i - 1]!.op === 'read_id' && ins.op === 'rseq_arm') return [{ ...ins, label: `${p}_retry` }];
    if (ins.label === `${p}_abort` && ins.op === 'jmp') return [{ ...ins, target: loop }];
    return [ins];
  });
  return { code, descriptors: f.descriptors };
}
