import { z } from 'zod';

/**
 * The model format (JSON files and the TypeScript builder produce the same thing). One zod
 * schema checks the shape; models/ir/validate.ts checks meaning (labels, ranges, names).
 */
const name = z.string().min(1).regex(/^[A-Za-z_][A-Za-z0-9_.']*$/, 'must be an identifier');
const reg = z.string().regex(/^r[0-9]+$/, 'must be a register r0, r1, ...');
/** An immediate integer, a register, or `&var` (the flat address of a memory variable). */
const operand = z.union([z.number().int(), reg, z.string().regex(/^&[A-Za-z_][A-Za-z0-9_]*$/, 'must be &variable')]);

/** A memory reference: `var[index] + offset` (index an immediate or register), or `*ptr + offset`. */
export const memRefSchema = z.union([
  z.object({ var: name, index: z.union([z.number().int(), reg]).optional(), offset: z.number().int().optional() }).strict(),
  z.object({ ptr: reg, offset: z.number().int().optional() }).strict(),
]);

const cond = z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const idField = z.enum(['cpu_id_start', 'cpu_id', 'mm_cid', 'node_id']);
const label = name.optional();
/** A jump target: a label, or an instruction index. */
const target = z.union([name, z.number().int()]);

export const syscallNames = [
  'write',
  'read',
  'getpid',
  'poll',
  'nanosleep',
  'sched_yield',
  'membarrier',
  'fork',
  'clone_vm',
  'rseq_register',
  'rseq_unregister',
  'futex_wait',
  'kvm_run',
  'execve',
  'execve_fail',
] as const;
export type SyscallName = (typeof syscallNames)[number];

export const instructionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('nop'), label }).strict(),
  z.object({ op: z.literal('mov'), label, dst: reg, src: operand }).strict(),
  z.object({ op: z.literal('add'), label, dst: reg, src: operand }).strict(),
  z.object({ op: z.literal('sub'), label, dst: reg, src: operand }).strict(),
  z.object({ op: z.literal('load'), label, dst: reg, addr: memRefSchema }).strict(),
  z.object({ op: z.literal('store'), label, addr: memRefSchema, src: operand }).strict(),
  /** Single-instruction read-modify-write add to memory (x86 `addq count,[v]`). */
  z.object({ op: z.literal('addm'), label, addr: memRefSchema, src: operand }).strict(),
  z.object({ op: z.literal('br'), label, cond, a: operand, b: operand, target }).strict(),
  z.object({ op: z.literal('jmp'), label, target }).strict(),
  /** Stores the descriptor's address into `rseq_cs` (RSEQ_ASM_STORE_RSEQ_CS). */
  z.object({ op: z.literal('rseq_arm'), label, desc: name }).strict(),
  /** Stores 0 into `rseq_cs` (librseq rseq_clear_rseq_cs). */
  z.object({ op: z.literal('rseq_clear'), label }).strict(),
  z.object({ op: z.literal('read_id'), label, dst: reg, field: idField }).strict(),
  /** A user store to a read-only field of struct rseq (an ABI violation, U8). */
  z.object({ op: z.literal('write_id'), label, field: idField, src: operand }).strict(),
  z
    .object({
      op: z.literal('syscall'),
      label,
      name: z.enum(syscallNames),
      /** The syscall sleeps (the thread is switched out until it is woken). */
      blocking: z.boolean().optional(),
      /** For membarrier: target only this CPU (MEMBARRIER_CMD_FLAG_CPU). */
      cpu: operand.optional(),
      /** For fork / clone_vm: the model thread that becomes the child. */
      child: name.optional(),
      /** Register receiving 0 on success, 1 on failure. */
      dst: reg.optional(),
    })
    .strict(),
  /** kill(getpid(), SIGUSR1): a syscall that makes a signal pending on the calling thread. */
  z.object({ op: z.literal('raise'), label }).strict(),
  /** rt_sigreturn, the last instruction of a signal handler. */
  z.object({ op: z.literal('sigreturn'), label }).strict(),
  /** A vDSO call (e.g. clock_gettime): user code only, no kernel entry. */
  z.object({ op: z.literal('vdso'), label, name: z.string().optional() }).strict(),
  z.object({ op: z.literal('assert'), label, cond, a: operand, b: operand, message: z.string().optional() }).strict(),
  z.object({ op: z.literal('done'), label }).strict(),
]);

const noRestartFlag = z.enum(['NO_RESTART_ON_PREEMPT', 'NO_RESTART_ON_SIGNAL', 'NO_RESTART_ON_MIGRATE']);

export const descriptorSchema = z
  .object({
    program: name,
    start: name,
    postCommit: name,
    abort: name,
    flags: z.array(noRestartFlag).optional(),
    /** The 32-bit word at abort_ip - 4. @defaultValue the model's signature */
    signature: z.number().int().optional(),
    /** @defaultValue 0 */
    version: z.number().int().min(0).optional(),
    /** Accept an abort label inside the range: models user code that violates the ABI on purpose. */
    deliberatelyInvalid: z.boolean().optional(),
  })
  .strict();

/** The largest event budget a model file or a flag may give (a bounded budget is a state field; beyond this the state space is out of reach anyway). */
export const MAX_BUDGET = 64;

const budget = z.union([z.number().int().min(0).max(MAX_BUDGET), z.literal('unbounded')]);

const budgetsSchema = z
  .object({
    preemptions: budget.optional(),
    migrations: budget.optional(),
    signals: budget.optional(),
    interrupts: budget.optional(),
    traps: budget.optional(),
  })
  .strict();

export const threadSchema = z
  .object({
    name: name.optional(),
    program: name,
    cpu: name.optional(),
    allowed: z.array(name).min(1).optional(),
    handler: name.optional(),
    /** Registered with rseq before the model starts. @defaultValue true */
    registered: z.boolean().optional(),
    /** Thread-wide `struct rseq` flags (NO_RESTART_*; deprecated since 6.0). */
    flags: z.array(noRestartFlag).optional(),
    /** Threads created by a fork/clone_vm instruction start dormant. */
    dormant: z.boolean().optional(),
    /**
     * The thread catches SIGSEGV (§1.5): the name of its SIGSEGV handler program, or true for
     * its `handler` program. @defaultValue false
     */
    sigsegvHandler: z.union([z.boolean(), name]).optional(),
    /**
     * A descriptor whose address an earlier user of this struct rseq's memory left in `rseq_cs`
     * (a thread that exited registered, an unloaded library): the area starts holding it. Needs
     * `registered: false` (the thread registers during the model).
     */
    staleRseqCs: name.optional(),
    /**
     * A tracer (ptrace) attached to the thread (rseq-semantics.md §2.7, §5.2 S10): `singleStep`,
     * PTRACE_SINGLESTEP, stops it after every instruction; `setIp`, PTRACE_SYSCALL then
     * PTRACE_SETREGS, stops it at each syscall until the tracer, once, sets its IP to that label
     * of its program, at the syscall-entry stop (the exit path sees the new IP) or the exit stop
     * (rseq_syscall already ran). @defaultValue no tracer
     */
    tracer: z
      .object({ singleStep: z.boolean().optional(), setIp: name.optional(), stop: z.enum(['syscall-entry', 'syscall-exit']).optional() })
      .strict()
      .optional(),
  })
  .strict();

const memorySchema = z
  .object({
    /** Number of cells, or "percpu" (one per CPU). @defaultValue 1 */
    size: z.union([z.number().int().min(1).max(64), z.literal('percpu'), z.literal('perthread')]).optional(),
    init: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    /** Largest value a cell may hold (values range over 0..max). @defaultValue 7 */
    max: z.number().int().min(1).max(255).optional(),
  })
  .strict();

const namedExprSchema = z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.'-]*$/, 'must be a name (letters, digits, _ . - )'), expr: z.string().min(1) }).strict();

export const modelSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Number of CPUs, or their names. @defaultValue 2 */
    cpus: z.union([z.number().int().min(1).max(8), z.array(name).min(1).max(8)]).optional(),
    /** General-purpose registers per thread context. @defaultValue 4 */
    registers: z.number().int().min(1).max(8).optional(),
    memory: z.record(memorySchema).optional(),
    programs: z.record(z.array(instructionSchema).min(1)),
    descriptors: z.record(descriptorSchema).optional(),
    threads: z.array(threadSchema).min(1).max(6),
    /** The signature registered by every thread. @defaultValue 0x53053053 */
    signature: z.number().int().optional(),
    /** Deepest nesting of signal handler frames (SA_NODEFER lets a handler be interrupted). @defaultValue 1 */
    signalNesting: z.number().int().min(1).max(3).optional(),
    /** Default event budgets of this model; the command line overrides them. */
    budgets: budgetsSchema.optional(),
    /** State invariants: must hold in every reachable state. */
    invariants: z.array(namedExprSchema).optional(),
    /** Final-state conditions: must hold when every thread is done. */
    final: z.array(namedExprSchema).optional(),
  })
  .strict();

export type ModelInput = z.infer<typeof modelSchema>;
export type InstructionInput = z.infer<typeof instructionSchema>;
export type MemRefInput = z.infer<typeof memRefSchema>;
export type DescriptorInput = z.infer<typeof descriptorSchema>;
export type ThreadInput = z.infer<typeof threadSchema>;
export type OperandInput = z.infer<typeof operand>;
