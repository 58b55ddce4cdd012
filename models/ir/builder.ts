import type { DescriptorInput, InstructionInput, MemRefInput, ModelInput, OperandInput } from './schema.js';

/**
 * The TypeScript builder: small constructors for instructions and a fluent model builder that
 * produces exactly the JSON model format (validated by models/ir/validate.ts).
 */
type Reg = `r${number}`;
type Label = { label?: string };

export const I = {
  nop: (o: Label = {}): InstructionInput => ({ op: 'nop', ...o }),
  mov: (dst: Reg, src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'mov', dst, src, ...o }),
  add: (dst: Reg, src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'add', dst, src, ...o }),
  sub: (dst: Reg, src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'sub', dst, src, ...o }),
  load: (dst: Reg, addr: MemRefInput, o: Label = {}): InstructionInput => ({ op: 'load', dst, addr, ...o }),
  store: (addr: MemRefInput, src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'store', addr, src, ...o }),
  addm: (addr: MemRefInput, src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'addm', addr, src, ...o }),
  br: (cond: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: OperandInput, b: OperandInput, target: string, o: Label = {}): InstructionInput => ({ op: 'br', cond, a, b, target, ...o }),
  jmp: (target: string, o: Label = {}): InstructionInput => ({ op: 'jmp', target, ...o }),
  arm: (desc: string, o: Label = {}): InstructionInput => ({ op: 'rseq_arm', desc, ...o }),
  clear: (o: Label = {}): InstructionInput => ({ op: 'rseq_clear', ...o }),
  readId: (dst: Reg, field: 'cpu_id_start' | 'cpu_id' | 'mm_cid' | 'node_id', o: Label = {}): InstructionInput => ({ op: 'read_id', dst, field, ...o }),
  writeId: (field: 'cpu_id_start' | 'cpu_id' | 'mm_cid' | 'node_id', src: OperandInput, o: Label = {}): InstructionInput => ({ op: 'write_id', field, src, ...o }),
  syscall: (name: Extract<InstructionInput, { op: 'syscall' }>['name'], extra: Omit<Extract<InstructionInput, { op: 'syscall' }>, 'op' | 'name'> = {}): InstructionInput => ({ op: 'syscall', name, ...extra }),
  raise: (o: Label = {}): InstructionInput => ({ op: 'raise', ...o }),
  sigreturn: (o: Label = {}): InstructionInput => ({ op: 'sigreturn', ...o }),
  vdso: (name = 'clock_gettime', o: Label = {}): InstructionInput => ({ op: 'vdso', name, ...o }),
  assert: (cond: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: OperandInput, b: OperandInput, message?: string, o: Label = {}): InstructionInput => ({ op: 'assert', cond, a, b, ...(message ? { message } : {}), ...o }),
  done: (o: Label = {}): InstructionInput => ({ op: 'done', ...o }),
};

/** A piece of code with the descriptors it defines (what a library primitive returns). */
export interface Fragment {
  readonly code: readonly InstructionInput[];
  readonly descriptors: Readonly<Record<string, Omit<DescriptorInput, 'program'>>>;
}

/** Concatenates fragments. */
export function seq(...parts: readonly (Fragment | readonly InstructionInput[] | InstructionInput)[]): Fragment {
  const code: InstructionInput[] = [];
  const descriptors: Record<string, Omit<DescriptorInput, 'program'>> = {};
  for (const p of parts) {
    if ('op' in p) code.push(p);
    else if (Array.isArray(p)) code.push(...(p as InstructionInput[]));
    else {
      const f = p as Fragment;
      code.push(...f.code);
      Object.assign(descriptors, f.descriptors);
    }
  }
  return { code, descriptors };
}

/** Fluent builder of a model in the JSON format. */
export class ModelBuilder {
  private readonly m: { -readonly [K in keyof ModelInput]: ModelInput[K] };

  constructor(name: string) {
    this.m = { name, programs: {}, threads: [] };
  }
  describe(text: string): this {
    this.m.description = text;
    return this;
  }
  cpus(n: number | string[]): this {
    this.m.cpus = n;
    return this;
  }
  registers(n: number): this {
    this.m.registers = n;
    return this;
  }
  memory(name: string, v: NonNullable<ModelInput['memory']>[string]): this {
    this.m.memory = { ...(this.m.memory ?? {}), [name]: v };
    return this;
  }
  /** Adds a program; the fragment's descriptors are attached to it. */
  program(name: string, f: Fragment | readonly InstructionInput[]): this {
    const frag = Array.isArray(f) ? { code: f as InstructionInput[], descriptors: {} } : (f as Fragment);
    this.m.programs[name] = [...frag.code];
    for (const [d, desc] of Object.entries(frag.descriptors)) {
      // Descriptor names are per model: a second program reusing a name would silently take it.
      if (this.m.descriptors?.[d]) throw new Error(`descriptor ${d} of program ${name} is already defined by program ${this.m.descriptors[d].program}`);
      this.m.descriptors = { ...(this.m.descriptors ?? {}), [d]: { ...desc, program: name } };
    }
    return this;
  }
  thread(t: ModelInput['threads'][number]): this {
    this.m.threads.push(t);
    return this;
  }
  budgets(b: NonNullable<ModelInput['budgets']>): this {
    this.m.budgets = { ...(this.m.budgets ?? {}), ...b };
    return this;
  }
  signalNesting(n: number): this {
    this.m.signalNesting = n;
    return this;
  }
  invariant(name: string, expr: string): this {
    this.m.invariants = [...(this.m.invariants ?? []), { name, expr }];
    return this;
  }
  final(name: string, expr: string): this {
    this.m.final = [...(this.m.final ?? []), { name, expr }];
    return this;
  }
  build(): ModelInput {
    return structuredClone<ModelInput>(this.m);
  }
}
