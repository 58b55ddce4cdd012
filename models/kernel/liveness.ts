import type { Instr, ProgramIR } from '../ir/types.js';

/**
 * Register liveness per instruction. A register that is dead at a thread's IP holds a value
 * that can never be observed, so states that differ only there are merged by clearing it (the
 * classic dead-variable reduction; it cuts percpu-counter's state space several-fold).
 * Conservative: a register read anywhere along some path from the IP is live, and every abort
 * label is treated as reachable from every instruction of its program, before it runs.
 */
export function liveRegisters(p: ProgramIR, registers: number, abortTargets: readonly number[]): Int32Array {
  const n = p.code.length;
  const all = (1 << registers) - 1;
  const live = new Int32Array(n);
  const uses = p.code.map((ins) => registersRead(ins));
  const defs = p.code.map((ins) => registersWritten(ins));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const j of successorsOf(p.code[i]!, i, n)) out |= live[j]!;
      // An abort can strike before instruction i runs (the thread preempted at IP i), so what
      // the abort handlers read is live on entry to i, even a register that i itself writes.
      let atAbort = 0;
      for (const a of abortTargets) atAbort |= live[a]!;
      const inn = (uses[i]! | (out & ~defs[i]!) | atAbort) & all;
      if (inn !== live[i]) {
        live[i] = inn;
        changed = true;
      }
    }
  }
  return live;
}

function reg(o: { reg: boolean; value: number } | null): number {
  return o && o.reg ? 1 << o.value : 0;
}

/** Registers an instruction reads (a bit mask). */
export function registersRead(ins: Instr): number {
  switch (ins.op) {
    case 'mov':
      return reg(ins.src);
    case 'add':
    case 'sub':
      return reg(ins.src) | (1 << ins.dst);
    case 'load':
      return ins.addr.indexReg >= 0 ? 1 << ins.addr.indexReg : 0;
    case 'store':
    case 'addm':
      return reg(ins.src) | (ins.addr.indexReg >= 0 ? 1 << ins.addr.indexReg : 0);
    case 'br':
    case 'assert':
      return reg(ins.a) | reg(ins.b);
    case 'write_id':
      return reg(ins.src);
    case 'syscall':
      return reg(ins.cpu);
    default:
      return 0;
  }
}

/**
 * Registers an instruction writes (a bit mask). add and sub write the register they also read,
 * so for liveness they keep it live (registersRead) whatever this says.
 */
export function registersWritten(ins: Instr): number {
  switch (ins.op) {
    case 'mov':
    case 'add':
    case 'sub':
    case 'load':
    case 'read_id':
      return 1 << ins.dst;
    case 'syscall':
      return ins.dst >= 0 ? 1 << ins.dst : 0;
    default:
      return 0;
  }
}

function successorsOf(ins: Instr, i: number, n: number): number[] {
  switch (ins.op) {
    case 'jmp':
      return [ins.target];
    case 'br':
      return i + 1 < n ? [ins.target, i + 1] : [ins.target];
    case 'done':
    case 'sigreturn':
      return [];
    default:
      return i + 1 < n ? [i + 1] : [];
  }
}
