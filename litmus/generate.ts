/**
 * Litmus mode, step 1: a validated model (models/ir/types.ts) becomes a C program for x86-64
 * Linux that runs the model's threads for real against the running kernel.
 *
 * The translation is instruction by instruction, in one top-level asm block (no compiler in
 * the way): every model program becomes an asm function, every model instruction a short run
 * of x86-64 instructions at its own label `.Lp<prog>_<index>`. The rseq ABI is followed as
 * rseq-x86.h does it (rseq-semantics.md §1, §3.1):
 *
 *   - each descriptor is a 32-byte `struct rseq_cs` in section `__rseq_cs` (32-byte aligned,
 *     version, flags, start_ip, post_commit_offset, abort_ip), listed in `__rseq_cs_ptr_array`;
 *   - `rseq_arm` is `leaq desc(%rip), %r11; movq %r11, %fs:8(%r15)` where %r15 holds glibc's
 *     `__rseq_offset` (the registration glibc made for the thread, found from the thread pointer);
 *   - the signature is emitted right before abort_ip as `.byte 0x0f,0xb9,0x3d; .long SIG`
 *     (ud1, so falling into it traps; a `jmp` over it is emitted when the previous instruction
 *     can fall through);
 *   - the range [start_ip, post_commit_ip) is exactly the code of the model instructions
 *     [start, postCommit).
 *
 * Register map: model r0..r7 = %rbx %r12 %r13 %rbp %r8 %r9 %rsi %rdi. A model with system calls
 * may use r0..r5 only: r6/r7 would be argument registers, and nothing inside a c.s. may save
 * them on the stack (an abort right after the syscall would skip the restore; the c.s. never
 * touches the stack, as in rseq-x86.h). Infrastructure: %r15 =
 * __rseq_offset, %r14 = the shared memory block (model cells are 64-bit words at 8*cell(%r14),
 * so a per-CPU variable `v[r0]` is `8*base(%r14,%rbx,8)`), %r11 and %r10 scratch.
 *
 * Instrumentation: abort_ip counts the kernel's aborts (user jumps to the same instruction land
 * after the counter), branches from inside a range to its abort label count through a stub
 * after the function (both outside the range, unless the model puts abort_ip inside it on
 * purpose), and an optional delay loop (%r10 and the flags only) may sit before an instruction,
 * inside the range when the instruction is (the selftests' RSEQ_INJECT_ASM points). A delay is
 * time only: the model places events at instruction boundaries and has no clock, so a delay
 * before instruction j is just a longer stay at "ip = j".
 *
 * What the kernel sees as the thread's life: `done` is rt_sigprocmask(SIG_BLOCK, SIGUSR1) (no
 * signal can be delivered to a finished model thread), `sigreturn` returns to the C signal
 * handler, whose return runs libc's restorer (rt_sigreturn).
 */
import { readFileSync } from 'node:fs';
import { compare } from '../models/kernel/interpreter.js';
import { formatPath } from '../models/ir/errors.js';
import type { Cond, Instr, MemRef, ModelIR, Operand } from '../models/ir/types.js';

/** The rseq signature glibc registers on x86-64 (RSEQ_SIG in <sys/rseq.h>). */
const GLIBC_RSEQ_SIG = 0x53053053;

/** Syscalls at which models/kernel/ptrace.ts models no tracer stop (their effect reads or replaces the IP or the image). */
const NO_TRACER_STOP: ReadonlySet<string> = new Set(['fork', 'clone_vm', 'execve', 'kvm_run']);

/** A delay loop (microseconds) before one instruction of a program (an inject point). */
export interface Delay {
  readonly program: string;
  /** Instruction index or label. */
  readonly at: number | string;
  readonly us: number;
}

/** How the run injects events and how long it may take. */
export interface LitmusPlan {
  /** Signals the helper thread sends per run (pthread_kill to a model thread with a handler). */
  readonly signals: number;
  /** Most migrations (sched_setaffinity by the helper) per run, over threads allowed on >1 CPU. */
  readonly migrations: number;
  /** Events are spread uniformly over [0, windowUs] after the start. */
  readonly windowUs: number;
  /** A busy-looping competitor pinned to every CPU a model thread may use (preemption). */
  readonly competitors: boolean;
  readonly delays: readonly Delay[];
  /** A run that takes longer is killed (SIGALRM) and reported as a timeout. */
  readonly runTimeoutSeconds: number;
}

/** A located reason the generator cannot translate a model. */
export interface Untranslatable {
  readonly file: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export class LitmusUntranslatable extends Error {
  constructor(readonly problems: readonly Untranslatable[]) {
    super(problems.map(formatUntranslatable).join('\n'));
  }
}

export function formatUntranslatable(u: Untranslatable): string {
  return `${u.file}: untranslatable: ${u.path.length > 0 ? `${formatPath(u.path)}: ` : ''}${u.message}`;
}

/** An abort site: one abort instruction of a program, shared by the descriptors naming it. */
export interface AbortSite {
  readonly program: number;
  readonly index: number;
  readonly descriptors: readonly number[];
}

/** What the parser of the program's output needs to know about the generated code. */
export interface GeneratedLayout {
  readonly sites: readonly AbortSite[];
  readonly cells: number;
  /** Offsets (in 64-bit words) of the counters in the shared block. */
  readonly kabBase: number;
  readonly babBase: number;
  readonly assertSlot: number;
  readonly sigSlot: number;
  readonly migSlot: number;
  /** The model threads' kernel thread ids of the run (to attribute tracepoint events). */
  readonly tidBase: number;
  /** The interrupted IPs of the first SIGNAL_LOG signals the handler saw (the phase a signal landed in). */
  readonly sigIpBase: number;
  /** Signals the helper sent (pthread_kill succeeded); a signal that killed never reaches the handler. */
  readonly sentSlot: number;
  /** The handshake with the tracer of traced threads: 1 the threads are ready, 2 attached, 3 it could not attach. */
  readonly traceSlot: number;
  readonly sharedWords: number;
  readonly usesMembarrier: boolean;
}

export interface GeneratedProgram {
  readonly source: string;
  readonly layout: GeneratedLayout;
}

const REG64 = ['%rbx', '%r12', '%r13', '%rbp', '%r8', '%r9', '%rsi', '%rdi'] as const;
const REG32 = ['%ebx', '%r12d', '%r13d', '%ebp', '%r8d', '%r9d', '%esi', '%edi'] as const;
/** Model registers that no system call touches (the kernel preserves all but %rax, %rcx, %r11). */
const SYSCALL_SAFE_REGISTERS = 6;
const ID_OFFSET = { cpu_id_start: 0, cpu_id: 4, node_id: 20, mm_cid: 24 } as const;
const JCC: Record<Cond, string> = { eq: 'je', ne: 'jne', lt: 'jl', le: 'jle', gt: 'jg', ge: 'jge' };
const SWAP: Record<Cond, Cond> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

const NR = { read: 0, write: 1, poll: 7, rt_sigprocmask: 14, sched_yield: 24, nanosleep: 35, getpid: 39, futex: 202, tgkill: 234, membarrier: 324 } as const;
const MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ = 1 << 7;
/** How many signals per run have their interrupted IP logged. */
const SIGNAL_LOG = 8;
const MEMBARRIER_CMD_FLAG_CPU = 1;

/** Resolves the delays of a plan to (program index, instruction index) → microseconds. */
function resolveDelays(ir: ModelIR, delays: readonly Delay[], file: string, problems: Untranslatable[]): Map<string, number> {
  const out = new Map<string, number>();
  delays.forEach((d, k) => {
    const p = ir.programs.findIndex((x) => x.name === d.program);
    if (p < 0) {
      problems.push({ file, path: ['plan', 'delays', k, 'program'], message: `names no program "${d.program}"` });
      return;
    }
    const idx = typeof d.at === 'number' ? d.at : ir.programs[p]!.labels.indexOf(d.at);
    if (idx < 0 || idx >= ir.programs[p]!.code.length) {
      problems.push({ file, path: ['plan', 'delays', k, 'at'], message: `"${d.at}" is not an instruction of program ${d.program}` });
      return;
    }
    if (!(d.us >= 0 && d.us <= 1_000_000)) problems.push({ file, path: ['plan', 'delays', k, 'us'], message: `delay ${d.us} µs is outside 0..1000000` });
    out.set(`${p}:${idx}`, (out.get(`${p}:${idx}`) ?? 0) + d.us);
  });
  return out;
}

/** Instructions the generator refuses, with the reason (checked before anything is emitted). */
function checkTranslatable(ir: ModelIR, file: string, problems: Untranslatable[]): void {
  const at = (p: number, i: number): (string | number)[] => ['programs', ir.programs[p]!.name, i];
  if (ir.signature >>> 0 !== GLIBC_RSEQ_SIG)
    problems.push({ file, path: ['signature'], message: `the model registers signature 0x${(ir.signature >>> 0).toString(16)}, but glibc registered every thread with RSEQ_SIG 0x53053053 and the run uses that registration` });
  if (ir.registers > REG64.length) problems.push({ file, path: ['registers'], message: `${ir.registers} registers; the x86-64 map has ${REG64.length}` });
  const syscalls = ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' || i.op === 'raise'));
  if (syscalls && ir.registers > SYSCALL_SAFE_REGISTERS)
    problems.push({ file, path: ['registers'], message: `${ir.registers} registers in a model with system calls; at most ${SYSCALL_SAFE_REGISTERS} (r6/r7 map to syscall argument registers, which a c.s. cannot save on the stack)` });
  const handlers = new Set(ir.threads.map((t) => t.handler).filter((h) => h >= 0));
  const mains = new Set(ir.threads.map((t) => t.program));
  ir.threads.forEach((t, i) => {
    if (t.dormant) problems.push({ file, path: ['threads', i, 'dormant'], message: `thread ${t.name} is created by fork/clone at run time, which litmus mode does not translate` });
    if (!t.registered) problems.push({ file, path: ['threads', i, 'registered'], message: `thread ${t.name} is unregistered, but glibc registers rseq for every thread` });
  });
  ir.programs.forEach((prog, p) => {
    if (handlers.has(p) && mains.has(p)) problems.push({ file, path: ['programs', prog.name], message: `program ${prog.name} is both a thread's program and a signal handler` });
    prog.code.forEach((ins, i) => {
      switch (ins.op) {
        case 'read_id':
        case 'write_id':
          if (ins.field === 'mm_cid')
            problems.push({ file, path: at(p, i), message: `${ins.op} mm_cid: the run adds helper and competitor threads to the mm, so the kernel's mm_cid values are not the model's` });
          break;
        case 'vdso':
          problems.push({ file, path: at(p, i), message: 'vdso: a real vDSO call executes outside the c.s. range (the kernel would see ip outside it), which the model does not represent' });
          break;
        case 'done':
          if (handlers.has(p)) problems.push({ file, path: at(p, i), message: 'done inside a signal handler program' });
          break;
        case 'syscall':
          if (ins.name === 'fork' || ins.name === 'clone_vm' || ins.name === 'rseq_register' || ins.name === 'rseq_unregister')
            problems.push({ file, path: at(p, i), message: `syscall ${ins.name} is not translated (glibc owns the registration; threads are not created at run time)` });
          if (ins.name === 'futex_wait' && ins.dst >= 0)
            problems.push({ file, path: at(p, i), message: 'futex_wait with a result register: nobody wakes the futex in a run, so the real call always fails (EAGAIN or ETIMEDOUT) where the model returns 0' });
          if (ins.blocking && (ins.name === 'write' || ins.name === 'read' || ins.name === 'getpid' || ins.name === 'sched_yield' || ins.name === 'membarrier'))
            problems.push({ file, path: at(p, i), message: `syscall ${ins.name} with blocking: true has no real counterpart that sleeps (use poll, nanosleep or futex_wait)` });
          break;
        default:
          break;
      }
    });
  });
}

/**
 * Generates the C program of `ir` under `plan`. Deterministic: the same inputs give the same
 * text. Throws LitmusUntranslatable (every problem, located) when the model uses something the
 * generator does not translate.
 */
export function generateLitmusC(ir: ModelIR, plan: LitmusPlan, file = ir.name): GeneratedProgram {
  const problems: Untranslatable[] = [];
  checkTranslatable(ir, file, problems);
  const delays = resolveDelays(ir, plan.delays, file, problems);

  // Abort sites: one per (program, abort index).
  const sites: AbortSite[] = [];
  ir.descriptors.forEach((d, di) => {
    const s = sites.find((x) => x.program === d.program && x.index === d.abort);
    if (s) {
      (s.descriptors as number[]).push(di);
      const other = ir.descriptors[s.descriptors[0]!]!;
      if (other.signature !== d.signature)
        problems.push({ file, path: ['descriptors', d.name, 'signature'], message: `shares its abort label with ${other.name} but has a different signature word` });
    } else sites.push({ program: d.program, index: d.abort, descriptors: [di] });
  });
  if (problems.length > 0) throw new LitmusUntranslatable(problems);

  const cells = ir.memory.cells;
  const kabBase = cells;
  const babBase = kabBase + sites.length;
  const assertSlot = babBase + sites.length;
  const sigSlot = assertSlot + 1;
  const migSlot = sigSlot + 1;
  const tidBase = migSlot + 1;
  const sigIpBase = tidBase + ir.threads.length;
  const sentSlot = sigIpBase + SIGNAL_LOG;
  const traceSlot = sentSlot + 1;
  const sharedWords = traceSlot + 1;
  const usesMembarrier = ir.programs.some((p) => p.code.some((i) => i.op === 'syscall' && i.name === 'membarrier'));
  const layout: GeneratedLayout = { sites, cells, kabBase, babBase, assertSlot, sigSlot, migSlot, tidBase, sigIpBase, sentSlot, traceSlot, sharedWords, usesMembarrier };

  const delayList: number[] = [];
  const asm: string[] = [];
  const emit = (s: string): void => {
    asm.push(s);
  };

  // ---- descriptors ---------------------------------------------------------------------------
  emit('.pushsection __rseq_cs, "aw"');
  ir.descriptors.forEach((d, di) => {
    emit('.balign 32');
    emit(`.globl litmus_cs_${di}`);
    emit(`litmus_cs_${di}:    /* struct rseq_cs ${d.name}: version, flags, start_ip, post_commit_offset, abort_ip */`);
    emit(`  .long ${d.version}, ${d.flags}`);
    emit(`  .quad .Lp${d.program}_${d.start}, (.Lb${d.program}_${d.postCommit} - .Lp${d.program}_${d.start}), litmus_abort_${d.program}_${d.abort}`);
  });
  emit('.popsection');
  emit('.pushsection __rseq_cs_ptr_array, "aw"');
  ir.descriptors.forEach((_, di) => emit(`  .quad litmus_cs_${di}`));
  emit('.popsection');
  emit('.pushsection .rodata');
  emit('.balign 8');
  emit('litmus_usr1_mask: .quad 0x200    /* sigset with SIGUSR1 (10) */');
  emit('litmus_ts_1ms: .quad 0, 1000000  /* struct timespec: 1 ms */');
  emit('litmus_ts_0: .quad 0, 0');
  emit('.popsection');
  emit('.pushsection .data');
  emit('.balign 8');
  emit('litmus_byte: .quad 0');
  emit('litmus_futex_word: .quad 0');
  emit('.popsection');
  emit('.text');
  // The calibration loop: the same shape as the delay loops.
  emit('.globl litmus_spin');
  emit('.type litmus_spin, @function');
  emit('.p2align 4');
  emit('litmus_spin:');
  emit('  testq %rdi, %rdi');
  emit('  jz 2f');
  emit('1: subq $1, %rdi');
  emit('  jnz 1b');
  emit('2: ret');
  emit('.size litmus_spin, .-litmus_spin');

  const handlerPrograms = new Set(ir.threads.map((t) => t.handler).filter((h) => h >= 0));
  ir.programs.forEach((prog, p) => {
    const isHandler = handlerPrograms.has(p);
    const fn = `litmus_prog_${p}`;
    const stubs: string[] = [];
    const L = (i: number): string => `.Lp${p}_${i}`;
    const inRangeAbort = (i: number, target: number): AbortSite | undefined => {
      const site = sites.find((s) => s.program === p && s.index === target);
      if (!site) return undefined;
      return site.descriptors.some((di) => {
        const d = ir.descriptors[di]!;
        return i >= d.start && i < d.postCommit;
      })
        ? site
        : undefined;
    };
    const jumpTarget = (i: number, target: number): string => {
      const site = inRangeAbort(i, target);
      if (!site) return L(target);
      const stub = `.Lx${p}_${i}`;
      stubs.push(`${stub}:    /* a branch from inside the c.s. to its abort label: a user abort */`);
      stubs.push(`  lock incq ${8 * (babBase + sites.indexOf(site))}(%r14)`);
      stubs.push(`  jmp ${L(target)}`);
      return stub;
    };
    const op = (o: Operand): string => (o.reg ? REG64[o.value]! : `$${o.value}`);
    const op32 = (o: Operand): string => (o.reg ? REG32[o.value]! : `$${o.value}`);
    const mem = (a: MemRef): string => (a.indexReg >= 0 ? `${8 * a.base}(%r14,${REG64[a.indexReg]},8)` : `${8 * a.base}(%r14)`);
    /** cmp + conditional jump to `label` when `cond(a, b)` holds; a constant compare folds. */
    const condJump = (cond: Cond, a: Operand, b: Operand, label: string): string[] => {
      if (!a.reg && !b.reg) return compare(cond, a.value, b.value) ? [`  jmp ${label}`] : ['  nop    /* constant compare: never taken */'];
      if (a.reg) return [`  cmpq ${op(b)}, ${op(a)}`, `  ${JCC[cond]} ${label}`];
      return [`  cmpq ${op(a)}, ${op(b)}`, `  ${JCC[SWAP[cond]]} ${label}`];
    };

    emit('');
    emit(`/* program ${prog.name}${isHandler ? ' (signal handler)' : ''} */`);
    emit(`.globl ${fn}`);
    emit(`.type ${fn}, @function`);
    emit('.p2align 4');
    emit(`${fn}:    /* (int64_t *shared, long rseq_offset) */`);
    emit('  pushq %rbx');
    emit('  pushq %rbp');
    emit('  pushq %r12');
    emit('  pushq %r13');
    emit('  pushq %r14');
    emit('  pushq %r15');
    emit('  subq $8, %rsp');
    emit('  movq %rdi, %r14');
    emit('  movq %rsi, %r15');
    for (let r = 0; r < ir.registers; r++) emit(`  xorl ${REG32[r]}, ${REG32[r]}`);

    prog.code.forEach((ins, i) => {
      emit(`.Lb${p}_${i}:`);
      const site = sites.find((s) => s.program === p && s.index === i);
      if (site) {
        const d0 = ir.descriptors[site.descriptors[0]!]!;
        const prev = prog.code[i - 1];
        if (prev && prev.op !== 'jmp' && prev.op !== 'done' && prev.op !== 'sigreturn') emit(`  jmp ${L(i)}    /* fall through, over the signature */`);
        emit(`  .byte 0x0f, 0xb9, 0x3d    /* ud1 <sig>(%rip), %edi: the signature word follows */`);
        emit(`  .long 0x${(d0.signature >>> 0).toString(16)}`);
        emit(`litmus_abort_${p}_${i}:    /* abort_ip of ${site.descriptors.map((d) => ir.descriptors[d]!.name).join(', ')} */`);
        emit(`  lock incq ${8 * (kabBase + sites.indexOf(site))}(%r14)`);
      }
      emit(`${L(i)}:    /* [${i}]${prog.labels[i] ? ` ${prog.labels[i]}:` : ''} ${prog.text[i] ?? ins.op} */`);
      const us = delays.get(`${p}:${i}`);
      if (us !== undefined && us > 0) {
        const k = delayList.length;
        delayList.push(us);
        emit(`  movq litmus_delay_iters+${8 * k}(%rip), %r10    /* delay ${us} us */`);
        emit(`  testq %r10, %r10`);
        emit(`  jz .Ldz${p}_${i}`);
        emit(`.Ldl${p}_${i}: subq $1, %r10`);
        emit(`  jnz .Ldl${p}_${i}`);
        emit(`.Ldz${p}_${i}:`);
      }
      for (const line of translate(ins, i)) emit(line);
    });
    emit(`.Lb${p}_${prog.code.length}:`);
    emit(`.Lp${p}_${prog.code.length}:`);
    for (const s of stubs) emit(s);
    emit(`.size ${fn}, .-${fn}`);
    emit('.pushsection .data');
    emit('.balign 8');
    emit(`.globl litmus_pc_${p}`);
    emit(`litmus_pc_${p}:`);
    for (let i = 0; i <= prog.code.length; i++) emit(`  .quad ${L(i)}`);
    emit('.popsection');

    function translate(ins: Instr, i: number): string[] {
      switch (ins.op) {
        case 'nop':
          return ['  nop'];
        case 'mov':
          return [`  movq ${op(ins.src)}, ${REG64[ins.dst]}`];
        case 'add':
          return [`  addq ${op(ins.src)}, ${REG64[ins.dst]}`];
        case 'sub':
          return [`  subq ${op(ins.src)}, ${REG64[ins.dst]}`];
        case 'load':
          return [`  movq ${mem(ins.addr)}, ${REG64[ins.dst]}`];
        case 'store':
          return [`  movq ${op(ins.src)}, ${mem(ins.addr)}`];
        case 'addm':
          return [`  addq ${op(ins.src)}, ${mem(ins.addr)}`];
        case 'br':
          return condJump(ins.cond, ins.a, ins.b, jumpTarget(i, ins.target));
        case 'jmp':
          return [`  jmp ${jumpTarget(i, ins.target)}`];
        case 'rseq_arm':
          return [`  leaq litmus_cs_${ins.desc}(%rip), %r11`, `  movq %r11, %fs:8(%r15)    /* rseq->rseq_cs = &${ir.descriptors[ins.desc]!.name} */`];
        case 'rseq_clear':
          return ['  movq $0, %fs:8(%r15)    /* rseq->rseq_cs = 0 */'];
        case 'read_id':
          return [`  movslq %fs:${ID_OFFSET[ins.field]}(%r15), ${REG64[ins.dst]}    /* rseq->${ins.field} */`];
        case 'write_id':
          return [`  movl ${op32(ins.src)}, %fs:${ID_OFFSET[ins.field]}(%r15)    /* rseq->${ins.field} (read-only for user space) */`];
        case 'assert':
          return [...condJump(ins.cond, ins.a, ins.b, `.La${p}_${i}`), `  lock incq ${8 * assertSlot}(%r14)    /* assertion failed */`, `.La${p}_${i}:`];
        case 'done':
          return [
            `  movl $${NR.rt_sigprocmask}, %eax    /* done: rt_sigprocmask(SIG_BLOCK, {SIGUSR1}): no signal after the end */`,
            '  xorl %edi, %edi',
            '  leaq litmus_usr1_mask(%rip), %rsi',
            '  xorl %edx, %edx',
            '  movl $8, %r10d',
            '  syscall',
            ...epilogueLines(),
          ];
        case 'sigreturn':
          return ['  /* sigreturn: back to the C handler, whose return runs rt_sigreturn */', ...epilogueLines()];
        case 'raise':
          return syscallLines([`  movl $${NR.tgkill}, %eax    /* raise: tgkill(getpid(), gettid(), SIGUSR1) */`, '  movl litmus_tgid(%rip), %edi', '  movl %fs:litmus_tid@tpoff, %esi', '  movl $10, %edx'], -1);
        case 'syscall':
          return syscallLines(syscallArgs(ins), ins.dst);
        case 'vdso':
          return ['  nop'];
      }
    }

    function epilogueLines(): string[] {
      return ['  addq $8, %rsp', '  popq %r15', '  popq %r14', '  popq %r13', '  popq %r12', '  popq %rbp', '  popq %rbx', '  ret'];
    }

    /** The arguments go to %rdi %rsi %rdx %r10, none of which holds a model register (r0..r5). */
    function syscallLines(args: string[], dst: number): string[] {
      const out = [...args, '  syscall'];
      if (dst >= 0) out.push('  cmpq $-4095, %rax    /* 1 on failure, 0 on success */', '  setae %r11b', '  movzbl %r11b, %r11d', `  movq %r11, ${REG64[dst]}`);
      return out;
    }

    function syscallArgs(ins: Extract<Instr, { op: 'syscall' }>): string[] {
      switch (ins.name) {
        case 'write':
          return [`  movl $${NR.write}, %eax    /* write(/dev/null, &byte, 1) */`, '  movl litmus_devnull(%rip), %edi', '  leaq litmus_byte(%rip), %rsi', '  movl $1, %edx'];
        case 'read':
          return [`  movl $${NR.read}, %eax    /* read(/dev/zero, &byte, 1) */`, '  movl litmus_devzero(%rip), %edi', '  leaq litmus_byte(%rip), %rsi', '  movl $1, %edx'];
        case 'getpid':
          return [`  movl $${NR.getpid}, %eax    /* getpid() */`];
        case 'sched_yield':
          return [`  movl $${NR.sched_yield}, %eax    /* sched_yield() */`];
        case 'poll':
          return [`  movl $${NR.poll}, %eax    /* poll(NULL, 0, ${ins.blocking ? '1 ms: sleeps' : '0: does not sleep'}) */`, '  xorl %edi, %edi', '  xorl %esi, %esi', `  movl $${ins.blocking ? 1 : 0}, %edx`];
        case 'nanosleep':
          return [`  movl $${NR.nanosleep}, %eax    /* nanosleep(${ins.blocking ? '1 ms' : '0'}, NULL) */`, `  leaq ${ins.blocking ? 'litmus_ts_1ms' : 'litmus_ts_0'}(%rip), %rdi`, '  xorl %esi, %esi'];
        case 'futex_wait':
          return [
            `  movl $${NR.futex}, %eax    /* futex(&word = 0, FUTEX_WAIT_PRIVATE, ${ins.blocking ? '0, 1 ms: sleeps until the timeout' : '1: EAGAIN at once'}) */`,
            '  leaq litmus_futex_word(%rip), %rdi',
            '  movl $128, %esi',
            `  movl $${ins.blocking ? 0 : 1}, %edx`,
            '  leaq litmus_ts_1ms(%rip), %r10',
          ];
        case 'membarrier': {
          const cpu = ins.cpu === null ? ['  xorl %edx, %edx'] : [`  movl ${op32(ins.cpu)}, %edx`];
          return [
            ...cpu,
            `  movl $${NR.membarrier}, %eax    /* membarrier(PRIVATE_EXPEDITED_RSEQ, ${ins.cpu === null ? '0, 0' : 'FLAG_CPU, cpu'}) */`,
            `  movl $${MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ}, %edi`,
            `  movl $${ins.cpu === null ? 0 : MEMBARRIER_CMD_FLAG_CPU}, %esi`,
          ];
        }
        default:
          // Refused by checkTranslatable.
          throw new Error(`syscall ${ins.name} reached the emitter`);
      }
    }
  });

  const source = cSource(ir, plan, layout, asm, delayList);
  return { source, layout };
}


function cString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}\\n"`;
}

function cComment(s: string): string {
  return s.replace(/\*\//g, '* /');
}

/** The C part: the runner around the asm (fork per run, threads, helper, competitors, the tracer of traced threads). */
function cSource(ir: ModelIR, plan: LitmusPlan, layout: GeneratedLayout, asm: readonly string[], delays: readonly number[]): string {
  const T = ir.threads.length;
  const C = ir.cpus.length;
  const list = (xs: readonly (number | string)[]): string => xs.join(', ');
  const threads = ir.threads;
  const migratable = threads.some((t) => t.allowed.length > 1);
  const withHandler = threads.some((t) => t.handler >= 0);
  const signals = withHandler ? Math.max(0, plan.signals) : 0;
  const migrations = migratable ? Math.max(0, plan.migrations) : 0;
  const usedCpus = [...new Set(threads.flatMap((t) => t.allowed))].sort((a, b) => a - b);
  const lines: string[] = [];
  const L = (s = ''): void => {
    lines.push(s);
  };
  L(`/* Generated by rseq-check litmus from model "${cComment(ir.name)}". Do not edit: regenerate. */`);
  if (ir.description) L(`/* ${cComment(ir.description)} */`);
  L('/* Output (stdout, one record a line): LITMUS, RSEQ, DESC, PC, then RUN per run and DONE; CANNOT <reason> (exit 2) when it cannot run. */');
  L('#define _GNU_SOURCE');
  for (const h of ['errno.h', 'fcntl.h', 'pthread.h', 'sched.h', 'signal.h', 'stdint.h', 'stdio.h', 'stdlib.h', 'string.h', 'time.h', 'unistd.h', 'sys/mman.h', 'sys/prctl.h', 'sys/ptrace.h', 'sys/rseq.h', 'sys/syscall.h', 'sys/user.h', 'sys/wait.h', 'ucontext.h'])
    L(`#include <${h}>`);
  L();
  L(`#define NTHREADS ${T}`);
  L(`#define NCPUS ${C}`);
  L(`#define NCELLS ${layout.cells}`);
  L(`#define NSITES ${layout.sites.length}`);
  L(`#define NDESC ${ir.descriptors.length}`);
  L(`#define NPROGS ${ir.programs.length}`);
  L(`#define NDELAYS ${delays.length}`);
  L(`#define SHARED_WORDS ${layout.sharedWords}`);
  L(`#define KAB_BASE ${layout.kabBase}`);
  L(`#define BAB_BASE ${layout.babBase}`);
  L(`#define ASSERT_SLOT ${layout.assertSlot}`);
  L(`#define SIG_SLOT ${layout.sigSlot}`);
  L(`#define MIG_SLOT ${layout.migSlot}`);
  L(`#define TID_BASE ${layout.tidBase}`);
  L(`#define SIGIP_BASE ${layout.sigIpBase}`);
  L(`#define NSIGLOG ${SIGNAL_LOG}`);
  L(`#define SENT_SLOT ${layout.sentSlot}`);
  L(`#define TRACE_SLOT ${layout.traceSlot}`);
  L(`#define NTRACED ${threads.filter((t) => t.tracer !== undefined).length}`);
  L(`#define NSIGNALS ${signals}`);
  L(`#define NMIGRATIONS ${migrations}`);
  L(`#define WINDOW_US ${Math.max(1, Math.round(plan.windowUs))}`);
  L(`#define COMPETITORS ${plan.competitors ? 1 : 0}`);
  L(`#define USES_MEMBARRIER ${layout.usesMembarrier ? 1 : 0}`);
  L(`#define SIGNAL_NESTING ${ir.signalNesting}`);
  L(`#define RUN_TIMEOUT_S ${Math.max(1, Math.ceil(plan.runTimeoutSeconds))}`);
  L(`#define LITMUS_RSEQ_SIG 0x${GLIBC_RSEQ_SIG.toString(16)}u`);
  L();
  L('/* The model: initial memory, threads (program, CPU, allowed CPUs, handler, rseq flags). */');
  L(`static const int64_t litmus_init[NCELLS + 1] = { ${list([...ir.memory.init, 0])} };`);
  L(`static const char *const litmus_cell_names[NCELLS + 1] = { ${list([...ir.memory.vars.flatMap((v) => Array.from({ length: v.size }, (_, i) => `"${v.name}${v.size > 1 || v.percpu || v.perthread ? `[${i}]` : ''}"`)), '0'])} };`);
  L(`static const int litmus_cpu[NTHREADS] = { ${list(threads.map((t) => t.cpu))} };`);
  L(`static const int litmus_allowed[NTHREADS][NCPUS] = { ${list(threads.map((t) => `{ ${list(Array.from({ length: C }, (_, c) => (t.allowed.includes(c) ? 1 : 0)))} }`))} };`);
  L(`static const uint32_t litmus_tflags[NTHREADS] = { ${list(threads.map((t) => t.flags))} };`);
  L(`static const char *const litmus_tname[NTHREADS] = { ${list(threads.map((t) => `"${t.name}"`))} };`);
  L(`static const int litmus_used_cpu[NCPUS] = { ${list(Array.from({ length: C }, (_, c) => (usedCpus.includes(c) ? 1 : 0)))} };`);
  L(`static const uint64_t litmus_delay_us[NDELAYS + 1] = { ${list([...delays, 0])} };`);
  L(`static const char *const litmus_desc_names[NDESC + 1] = { ${list([...ir.descriptors.map((d) => `"${d.name}"`), '0'])} };`);
  L(`static const int litmus_desc_prog[NDESC + 1] = { ${list([...ir.descriptors.map((d) => d.program), 0])} };`);
  L(`static const int litmus_prog_len[NPROGS] = { ${list(ir.programs.map((p) => p.code.length))} };`);
  L('/* The tracers (models/kernel/ptrace.ts): 0 none, 1 single-steps the thread, 2 / 3 sets its IP once, to instruction litmus_tracer_ip of its program, at a syscall-entry / syscall-exit stop. */');
  L(`static const int litmus_tracer[NTHREADS] = { ${list(threads.map((t) => (t.tracer === undefined ? 0 : t.tracer.singleStep ? 1 : t.tracer.stop === 'syscall-entry' ? 2 : 3)))} };`);
  L(`static const int litmus_tracer_ip[NTHREADS] = { ${list(threads.map((t) => t.tracer?.setIp ?? -1))} };`);
  L(`static const int litmus_tprog[NTHREADS] = { ${list(threads.map((t) => t.program))} };`);
  L('/* Per program instruction: a syscall or raise (tgkill) at whose stops a tracer may set the IP (the model has no stop at fork, clone_vm, execve, kvm_run). */');
  ir.programs.forEach((prog, p) => L(`static const unsigned char litmus_stops_${p}[${prog.code.length + 1}] = { ${list([...prog.code.map((i) => (i.op === 'raise' || (i.op === 'syscall' && !NO_TRACER_STOP.has(i.name)) ? 1 : 0)), 0])} };`));
  L(`static const unsigned char *const litmus_stops[NPROGS] = { ${list(ir.programs.map((_, p) => `litmus_stops_${p}`))} };`);
  L();
  L('typedef void litmus_fn(int64_t *shared, long rseq_offset);');
  ir.programs.forEach((_, p) => L(`extern litmus_fn litmus_prog_${p};`));
  ir.programs.forEach((_, p) => L(`extern const uint64_t litmus_pc_${p}[];`));
  L(`static const uint64_t *const litmus_pc[NPROGS] = { ${list(ir.programs.map((_, p) => `litmus_pc_${p}`))} };`);
  L('struct litmus_rseq_cs { uint32_t version, flags; uint64_t start_ip, post_commit_offset, abort_ip; };');
  ir.descriptors.forEach((_, d) => L(`extern const struct litmus_rseq_cs litmus_cs_${d};`));
  L(`static const struct litmus_rseq_cs *const litmus_cs[NDESC + 1] = { ${list([...ir.descriptors.map((_, d) => `&litmus_cs_${d}`), '0'])} };`);
  L(`static litmus_fn *const litmus_prog[NTHREADS] = { ${list(threads.map((t) => `litmus_prog_${t.program}`))} };`);
  L(`static litmus_fn *const litmus_handler_of[NTHREADS] = { ${list(threads.map((t) => (t.handler >= 0 ? `litmus_prog_${t.handler}` : '0')))} };`);
  L('extern void litmus_spin(uint64_t iterations);');
  L();
  L(cRuntime());
  L();
  L('/* The model programs, instruction by instruction (see the comments for the model text). */');
  L('__asm__(');
  for (const a of asm) L(`  ${cString(a)}`);
  L(');');
  return lines.join('\n') + '\n';
}

let runtimeText: string | undefined;

/**
 * The fixed part of the runner, litmus/runtime.c: model-independent C, parameterised by the
 * macros the generator writes above it. It lies beside this module (the build copies it to
 * dist/litmus/); its final newline is the file's, not part of the text.
 */
function cRuntime(): string {
  runtimeText ??= readFileSync(new URL('./runtime.c', import.meta.url), 'utf8').replace(/\n$/, '');
  return runtimeText;
}
