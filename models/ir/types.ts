import type { SyscallName } from './schema.js';

/** A validated model with every name resolved to an index. Plain data (crosses into workers). */
export interface ModelIR {
  readonly name: string;
  readonly description: string;
  readonly cpus: readonly string[];
  readonly registers: number;
  readonly memory: MemoryIR;
  readonly programs: readonly ProgramIR[];
  readonly descriptors: readonly DescriptorIR[];
  readonly threads: readonly ThreadIR[];
  readonly signature: number;
  readonly signalNesting: number;
  readonly budgets: BudgetsIR;
  readonly invariants: readonly NamedExpr[];
  readonly final: readonly NamedExpr[];
  /** Largest value any register may need to hold (memory values, addresses, CPU numbers). */
  readonly registerMax: number;
}

export interface NamedExpr {
  readonly name: string;
  readonly expr: string;
}

/** Remaining events per kind; -1 means unbounded. */
export interface BudgetsIR {
  readonly preemptions: number;
  readonly migrations: number;
  readonly signals: number;
  readonly interrupts: number;
  readonly traps: number;
}
export type EventKind = keyof BudgetsIR;
/** Flat memory: each variable is a run of cells starting at `base`. */
export interface MemoryIR {
  readonly vars: readonly { readonly name: string; readonly base: number; readonly size: number; readonly max: number; readonly percpu: boolean; readonly perthread: boolean }[];
  readonly cells: number;
  readonly cellMax: readonly number[];
  readonly init: readonly number[];
}

export interface ProgramIR {
  readonly name: string;
  readonly code: readonly Instr[];
  /** Label of each instruction index, if any. */
  readonly labels: readonly (string | undefined)[];
  /** The instruction as written, for explanations. */
  readonly text: readonly string[];
}

export interface DescriptorIR {
  readonly name: string;
  readonly program: number;
  readonly start: number;
  /** First instruction after the range: the range is [start, postCommit). */
  readonly postCommit: number;
  readonly abort: number;
  /** NO_RESTART bits: 1 = PREEMPT, 2 = SIGNAL, 4 = MIGRATE. */
  readonly flags: number;
  readonly signature: number;
  readonly version: number;
}

export interface ThreadIR {
  readonly name: string;
  readonly program: number;
  readonly cpu: number;
  readonly allowed: readonly number[];
  /** Signal handler program, or -1. */
  readonly handler: number;
  readonly registered: boolean;
  readonly flags: number;
  readonly dormant: boolean;
  /** The program that catches SIGSEGV (`handler` when the model said true), or -1. */
  readonly sigsegvHandler: number;
  /** Descriptor index + 1 that the area's rseq_cs holds at the start (left by an earlier user), or 0. */
  readonly staleRseqCs: number;
  /** The thread's tracer (ptrace), or undefined (models/kernel/ptrace.ts). */
  readonly tracer?: TracerIR;
}

/** A tracer attached to a thread: single-steps it, or sets its IP once at a syscall stop. */
export interface TracerIR {
  readonly singleStep: boolean;
  /** The IP (of the thread's main program) the tracer sets with PTRACE_SETREGS, or -1. */
  readonly setIp: number;
  /** Whether the IP is set at the syscall-entry stop (the exit path sees it) or the syscall-exit stop. */
  readonly stop: 'syscall-entry' | 'syscall-exit';
}

export const NO_RESTART_PREEMPT = 1;
export const NO_RESTART_SIGNAL = 2;
export const NO_RESTART_MIGRATE = 4;
export const flagBits: Readonly<Record<string, number>> = {
  NO_RESTART_ON_PREEMPT: NO_RESTART_PREEMPT,
  NO_RESTART_ON_SIGNAL: NO_RESTART_SIGNAL,
  NO_RESTART_ON_MIGRATE: NO_RESTART_MIGRATE,
};

/** An operand: an immediate (addresses already resolved) or a register index. */
export type Operand = { readonly reg: false; readonly value: number } | { readonly reg: true; readonly value: number };

/** A memory reference: cell = base + (indexReg >= 0 ? regs[indexReg] : 0); must lie in [lo, hi). */
export interface MemRef {
  readonly base: number;
  readonly indexReg: number;
  readonly lo: number;
  readonly hi: number;
}

export type Cond = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type IdField = 'cpu_id_start' | 'cpu_id' | 'mm_cid' | 'node_id';

export type Instr =
  | { readonly op: 'nop' }
  | { readonly op: 'mov' | 'add' | 'sub'; readonly dst: number; readonly src: Operand }
  | { readonly op: 'load'; readonly dst: number; readonly addr: MemRef }
  | { readonly op: 'store' | 'addm'; readonly addr: MemRef; readonly src: Operand }
  | { readonly op: 'br'; readonly cond: Cond; readonly a: Operand; readonly b: Operand; readonly target: number }
  | { readonly op: 'jmp'; readonly target: number }
  | { readonly op: 'rseq_arm'; readonly desc: number }
  | { readonly op: 'rseq_clear' }
  | { readonly op: 'read_id'; readonly dst: number; readonly field: IdField }
  | { readonly op: 'write_id'; readonly field: IdField; readonly src: Operand }
  | {
      readonly op: 'syscall';
      readonly name: SyscallName;
      readonly blocking: boolean;
      readonly cpu: Operand | null;
      readonly child: number;
      readonly dst: number;
    }
  | { readonly op: 'raise' }
  | { readonly op: 'sigreturn' }
  | { readonly op: 'vdso' }
  | { readonly op: 'assert'; readonly cond: Cond; readonly a: Operand; readonly b: Operand; readonly message: string }
  | { readonly op: 'done' };
