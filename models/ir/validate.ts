import { modelSchema, type InstructionInput, type MemRefInput, type ModelInput, type OperandInput } from './schema.js';
import { suggest, type InputError, type InputErrorCode } from './errors.js';
import { locateJsonPath } from './json-locate.js';
import {
  flagBits,
  type BudgetsIR,
  type DescriptorIR,
  type Instr,
  type MemRef,
  type ModelIR,
  type Operand,
  type ProgramIR,
  type ThreadIR,
  type TracerIR,
} from './types.js';

export type ValidationResult = { readonly ok: true; readonly ir: ModelIR } | { readonly ok: false; readonly errors: readonly InputError[] };

/** Default signature, as the x86 selftests use (RSEQ_SIG). */
const DEFAULT_SIGNATURE = 0x53053053;

/**
 * Checks a model's shape and meaning and resolves every name. Reports every problem found in
 * one pass; `jsonText` (when the model came from a file) lets errors carry line and column.
 */
export function validateModel(input: unknown, file = '<builder>', jsonText?: string): ValidationResult {
  const errors: InputError[] = [];
  const err = (code: InputErrorCode, path: (string | number)[], message: string, hint?: string): void => {
    const loc = jsonText ? locateJsonPath(jsonText, path) : undefined;
    errors.push({ code, file, path, message, ...(hint ? { hint } : {}), ...(loc ?? {}) });
  };

  const parsed = modelSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) err('schema', issue.path, issue.message);
    return { ok: false, errors };
  }
  const m: ModelInput = parsed.data;

  const cpus = typeof m.cpus === 'object' ? m.cpus : Array.from({ length: m.cpus ?? 2 }, (_, i) => `C${i}`);
  const threadNames = m.threads.map((t, i) => t.name ?? `T${i + 1}`);
  checkUnique(cpus, ['cpus'], 'CPU', err);
  checkUnique(threadNames, ['threads'], 'thread', err);
  const registers = m.registers ?? 4;

  // Memory: variables laid out one after another in a flat cell array.
  const vars: { name: string; base: number; size: number; max: number; percpu: boolean; perthread: boolean }[] = [];
  const init: number[] = [];
  const cellMax: number[] = [];
  for (const [name, v] of Object.entries(m.memory ?? {})) {
    const size = v.size === 'percpu' ? cpus.length : v.size === 'perthread' ? threadNames.length : (v.size ?? 1);
    const max = v.max ?? 7;
    const values = Array.isArray(v.init) ? v.init : Array.from({ length: size }, () => (v.init as number | undefined) ?? 0);
    if (values.length !== size) err('bad-memory', ['memory', name, 'init'], `has ${values.length} values for ${size} cells`);
    values.forEach((x, i) => {
      if (x < 0 || x > max) err('bad-memory', ['memory', name, 'init', i], `initial value ${x} is outside 0..${max}`);
    });
    vars.push({ name, base: init.length, size, max, percpu: v.size === 'percpu', perthread: v.size === 'perthread' });
    for (let i = 0; i < size; i++) {
      init.push(values[i] ?? 0);
      cellMax.push(max);
    }
  }
  const varNames = vars.map((v) => v.name);
  const cells = init.length;
  const registerMax = Math.max(7, cells, cpus.length + 1, threadNames.length + 1, ...cellMax);

  const programNames = Object.keys(m.programs);
  const descriptorNames = Object.keys(m.descriptors ?? {});
  // Range masks (models/system/reductions.ts) give each descriptor one bit of an int32, the sign bit excluded.
  if (descriptorNames.length > 31) err('bad-descriptor', ['descriptors'], `declares ${descriptorNames.length} descriptors; a model may have at most 31`);
  const programIndex = (n: string, path: (string | number)[]): number => {
    const i = programNames.indexOf(n);
    if (i < 0) err('unknown-program', path, `names no program "${n}"`, hintFor(n, programNames));
    return i;
  };

  const regIndex = (r: string, path: (string | number)[]): number => {
    const i = Number(r.slice(1));
    if (i >= registers) err('unknown-register', path, `register ${r} does not exist (the model has ${registers}: r0..r${registers - 1})`);
    return i;
  };
  const operandOf = (o: OperandInput, path: (string | number)[]): Operand => {
    if (typeof o === 'number') {
      if (o < -2 || o > registerMax) err('schema', path, `immediate ${o} is outside -2..${registerMax}`);
      return { reg: false, value: o };
    }
    if (o.startsWith('&')) {
      const v = vars.find((x) => x.name === o.slice(1));
      if (!v) err('unknown-variable', path, `names no memory variable "${o.slice(1)}"`, hintFor(o.slice(1), varNames));
      return { reg: false, value: v?.base ?? 0 };
    }
    return { reg: true, value: regIndex(o, path) };
  };
  const memRefOf = (a: MemRefInput, path: (string | number)[]): MemRef => {
    if ('ptr' in a) return { base: a.offset ?? 0, indexReg: regIndex(a.ptr, [...path, 'ptr']), lo: 0, hi: cells };
    const v = vars.find((x) => x.name === a.var);
    if (!v) {
      err('unknown-variable', [...path, 'var'], `names no memory variable "${a.var}"`, hintFor(a.var, varNames));
      return { base: 0, indexReg: -1, lo: 0, hi: 0 };
    }
    const offset = a.offset ?? 0;
    if (typeof a.index === 'string') return { base: v.base + offset, indexReg: regIndex(a.index, [...path, 'index']), lo: v.base, hi: v.base + v.size };
    const cell = (a.index ?? 0) + offset;
    if (cell < 0 || cell >= v.size) err('bad-memory', [...path], `cell ${cell} is outside ${a.var}[0..${v.size - 1}]`);
    return { base: v.base + cell, indexReg: -1, lo: v.base, hi: v.base + v.size };
  };

  const programs: ProgramIR[] = programNames.map((pname) => {
    const src = m.programs[pname]!;
    const labels: (string | undefined)[] = src.map((ins) => ins.label);
    labels.forEach((l, i) => {
      if (l !== undefined && labels.indexOf(l) !== i) err('duplicate-label', ['programs', pname, i, 'label'], `label "${l}" is defined twice`);
    });
    const definedLabels = labels.filter((l): l is string => l !== undefined);
    const targetOf = (t: string | number, path: (string | number)[]): number => {
      if (typeof t === 'number') {
        if (t < 0 || t >= src.length) err('jump-out-of-range', path, `jumps to instruction ${t}, outside 0..${src.length - 1}`);
        return t;
      }
      const i = labels.indexOf(t);
      if (i < 0) err('unknown-label', path, `jumps to "${t}", which is not a label of program ${pname}`, hintFor(t, definedLabels));
      return i;
    };
    const code = src.map((ins, i): Instr => resolveInstruction(ins, ['programs', pname, i]));
    const last = src[src.length - 1]!;
    if (!['done', 'jmp', 'sigreturn'].includes(last.op))
      err('jump-out-of-range', ['programs', pname, src.length - 1], `program ${pname} falls off its end: the last instruction must be done, jmp or sigreturn`);
    return { name: pname, code, labels, text: src.map(instructionText) };

    function resolveInstruction(ins: InstructionInput, path: (string | number)[]): Instr {
      switch (ins.op) {
        case 'nop':
        case 'rseq_clear':
        case 'raise':
        case 'sigreturn':
        case 'done':
          return { op: ins.op };
        case 'vdso':
          return { op: 'vdso' };
        case 'mov':
        case 'add':
        case 'sub':
          return { op: ins.op, dst: regIndex(ins.dst, [...path, 'dst']), src: operandOf(ins.src, [...path, 'src']) };
        case 'load':
          return { op: 'load', dst: regIndex(ins.dst, [...path, 'dst']), addr: memRefOf(ins.addr, [...path, 'addr']) };
        case 'store':
        case 'addm':
          return { op: ins.op, addr: memRefOf(ins.addr, [...path, 'addr']), src: operandOf(ins.src, [...path, 'src']) };
        case 'br':
          return {
            op: 'br',
            cond: ins.cond,
            a: operandOf(ins.a, [...path, 'a']),
            b: operandOf(ins.b, [...path, 'b']),
            target: targetOf(ins.target, [...path, 'target']),
          };
        case 'jmp':
          return { op: 'jmp', target: targetOf(ins.target, [...path, 'target']) };
        case 'rseq_arm': {
          const d = descriptorNames.indexOf(ins.desc);
          if (d < 0) err('unknown-descriptor', [...path, 'desc'], `arms "${ins.desc}", which is not a descriptor`, hintFor(ins.desc, descriptorNames));
          return { op: 'rseq_arm', desc: d };
        }
        case 'read_id':
          return { op: 'read_id', dst: regIndex(ins.dst, [...path, 'dst']), field: ins.field };
        case 'write_id': {
          const src = operandOf(ins.src, [...path, 'src']);
          const [lo, hi] = idFieldRange(ins.field, cpus.length, m.threads.length);
          // The packed state holds only this range: a larger immediate would be truncated silently.
          if (typeof ins.src === 'number' && (ins.src < lo || ins.src > hi))
            err('bad-id-value', [...path, 'src'], `writes ${ins.src} to rseq.${ins.field}, which holds ${lo}..${hi} in this model (${cpus.length} CPUs, ${m.threads.length} threads)`);
          return { op: 'write_id', field: ins.field, src };
        }
        case 'assert':
          return {
            op: 'assert',
            cond: ins.cond,
            a: operandOf(ins.a, [...path, 'a']),
            b: operandOf(ins.b, [...path, 'b']),
            message: ins.message ?? `assert ${ins.a} ${ins.cond} ${ins.b}`,
          };
        case 'syscall': {
          let child = -1;
          if (ins.name === 'fork' || ins.name === 'clone_vm') {
            if (ins.child === undefined) err('unknown-thread', [...path, 'child'], `${ins.name} needs a "child" thread`);
            else {
              child = threadNames.indexOf(ins.child);
              if (child < 0) err('unknown-thread', [...path, 'child'], `names no thread "${ins.child}"`, hintFor(ins.child, threadNames));
              else if (!m.threads[child]!.dormant) err('bad-thread', [...path, 'child'], `child thread ${ins.child} must be declared "dormant": true`);
            }
          }
          // ioctl(KVM_RUN): the thread is in guest mode (in the kernel) until a guest exit wakes it.
          if (ins.name === 'kvm_run' && ins.blocking === false) err('schema', [...path, 'blocking'], 'kvm_run always runs the guest until a guest exit: it cannot be "blocking": false');
          // sched_yield never sleeps: its switch is the scheduler's choice at its exit.
          if (ins.name === 'sched_yield' && ins.blocking === true) err('schema', [...path, 'blocking'], 'sched_yield never sleeps (the switch it may cause is explored at its exit): it cannot be "blocking": true');
          return {
            op: 'syscall',
            name: ins.name,
            blocking: ins.blocking ?? ['poll', 'nanosleep', 'futex_wait', 'kvm_run'].includes(ins.name),
            cpu: ins.cpu === undefined ? null : operandOf(ins.cpu, [...path, 'cpu']),
            child,
            dst: ins.dst === undefined ? -1 : regIndex(ins.dst, [...path, 'dst']),
          };
        }
      }
    }
  });

  const descriptors: DescriptorIR[] = descriptorNames.map((dname) => {
    const d = m.descriptors![dname]!;
    const path = ['descriptors', dname];
    const program = programIndex(d.program, [...path, 'program']);
    const labelAt = (l: string, field: string): number => {
      if (program < 0) return -1;
      const p = programs[program]!;
      const i = p.labels.indexOf(l);
      if (i < 0) err('unknown-label', [...path, field], `"${l}" is not a label of program ${d.program}`, hintFor(l, p.labels.filter((x): x is string => !!x)));
      return i;
    };
    const start = labelAt(d.start, 'start');
    const postCommit = labelAt(d.postCommit, 'postCommit');
    const abort = labelAt(d.abort, 'abort');
    if (start >= 0 && postCommit >= 0 && postCommit <= start)
      err('bad-descriptor', [...path, 'postCommit'], `post-commit label "${d.postCommit}" must come after start "${d.start}" (the range [start, post_commit) is empty)`);
    if (start >= 0 && postCommit > start && abort >= start && abort < postCommit && !d.deliberatelyInvalid)
      err('bad-descriptor', [...path, 'abort'], `abort_ip "${d.abort}" lies inside the critical section [${d.start}, ${d.postCommit}); the kernel kills such a thread (set "deliberatelyInvalid": true to model that on purpose)`);
    return {
      name: dname,
      program,
      start,
      postCommit,
      abort,
      flags: (d.flags ?? []).reduce((a, f) => a | flagBits[f]!, 0),
      signature: d.signature ?? m.signature ?? DEFAULT_SIGNATURE,
      version: d.version ?? 0,
    };
  });

  const tracerOf = (tr: NonNullable<ModelInput['threads'][number]['tracer']>, program: number, path: (string | number)[]): TracerIR => {
    if (!tr.singleStep && tr.setIp === undefined) err('bad-thread', path, 'a tracer single-steps the thread ("singleStep": true) or sets its IP ("setIp": a label)');
    if (tr.stop !== undefined && tr.setIp === undefined) err('bad-thread', [...path, 'stop'], '"stop" says where "setIp" happens: give "setIp" too');
    let setIp = -1;
    if (tr.setIp !== undefined && program >= 0) {
      const labels = programs[program]!.labels;
      setIp = labels.indexOf(tr.setIp);
      const known = labels.filter((l): l is string => l !== undefined);
      if (setIp < 0) err('unknown-label', [...path, 'setIp'], `"${tr.setIp}" is not a label of program ${programNames[program]}, the thread's program`, hintFor(tr.setIp, known));
    }
    return { singleStep: tr.singleStep ?? false, setIp, stop: tr.stop ?? 'syscall-entry' };
  };

  const threads: ThreadIR[] = m.threads.map((t, i) => {
    const path = ['threads', i];
    const cpuOf = (c: string, p: (string | number)[]): number => {
      const k = cpus.indexOf(c);
      if (k < 0) err('unknown-cpu', p, `names no CPU "${c}" (the model has ${cpus.join(', ')})`, hintFor(c, cpus));
      return k;
    };
    const allowed = (t.allowed ?? cpus).map((c, j) => cpuOf(c, [...path, 'allowed', j]));
    const cpu = t.cpu !== undefined ? cpuOf(t.cpu, [...path, 'cpu']) : allowed[i % allowed.length]!;
    if (cpu >= 0 && !allowed.includes(cpu)) err('bad-thread', [...path, 'cpu'], `initial CPU ${t.cpu} is not among the allowed CPUs`);
    const handler = t.handler !== undefined ? programIndex(t.handler, [...path, 'handler']) : -1;
    const stale = t.staleRseqCs === undefined ? -1 : descriptorNames.indexOf(t.staleRseqCs);
    if (t.staleRseqCs !== undefined && stale < 0)
      err('unknown-descriptor', [...path, 'staleRseqCs'], `"${t.staleRseqCs}" is not a descriptor`, hintFor(t.staleRseqCs, descriptorNames));
    if (t.staleRseqCs !== undefined && (t.registered ?? true))
      err('bad-thread', [...path, 'staleRseqCs'], 'a stale rseq_cs is what an earlier user left before this thread registers: set "registered": false and register with rseq_register');
    if (handler >= 0 && !programs[handler]!.code.some((c) => c.op === 'sigreturn'))
      err('bad-handler', [...path, 'handler'], `handler program ${t.handler} has no sigreturn`);
    if (t.sigsegvHandler === true && handler < 0) err('bad-handler', [...path, 'sigsegvHandler'], 'a SIGSEGV handler needs the thread\'s "handler" program');
    const segv = typeof t.sigsegvHandler === 'string' ? programIndex(t.sigsegvHandler, [...path, 'sigsegvHandler']) : t.sigsegvHandler === true ? handler : -1;
    // The C handler returns (rt_sigreturn) or ends the thread (exit): one of the two ends it.
    if (typeof t.sigsegvHandler === 'string' && segv >= 0 && !programs[segv]!.code.some((c) => c.op === 'sigreturn' || c.op === 'done'))
      err('bad-handler', [...path, 'sigsegvHandler'], `SIGSEGV handler program ${t.sigsegvHandler} has neither sigreturn nor done`);
    const program = programIndex(t.program, [...path, 'program']);
    const tracer = t.tracer === undefined ? undefined : tracerOf(t.tracer, program, [...path, 'tracer']);
    return {
      name: threadNames[i]!,
      program,
      cpu,
      allowed,
      handler,
      registered: t.registered ?? true,
      flags: (t.flags ?? []).reduce((a, f) => a | flagBits[f]!, 0),
      dormant: t.dormant ?? false,
      sigsegvHandler: segv,
      staleRseqCs: stale + 1,
      ...(tracer ? { tracer } : {}),
    };
  });

  // Instructions that need context only known once threads are resolved.
  programs.forEach((p, pi) => {
    p.code.forEach((ins, i) => {
      if (ins.op === 'raise') {
        const users = threads.filter((t) => t.program === pi);
        if (users.some((t) => t.handler < 0)) err('bad-handler', ['programs', p.name, i], `raises a signal in a thread with no handler`);
      }
      if (ins.op === 'sigreturn' && threads.some((t) => t.program === pi))
        err('bad-handler', ['programs', p.name, i], `sigreturn in a thread's main program (only handlers return from signals)`);
      // The child of fork/clone_vm continues the parent's frames (main program and, in a handler,
      // the handler's), so it must run the same programs.
      if (ins.op === 'syscall' && ins.child >= 0) {
        const c = threads[ins.child]!;
        for (const t of threads.filter((t) => t.program === pi || t.handler === pi || t.sigsegvHandler === pi))
          if (t !== c && (t.program !== c.program || t.handler !== c.handler || t.sigsegvHandler !== c.sigsegvHandler))
            err('bad-thread', ['programs', p.name, i, 'child'], `${t.name} runs this ${ins.name}, so its child ${c.name} continues ${t.name}'s frames: it must have the same program, handler and sigsegvHandler`);
      }
      // The new image of a successful execve is the rest of a main program (its frame 0).
      if (ins.op === 'syscall' && ins.name === 'execve' && threads.some((t) => t.handler === pi || t.sigsegvHandler === pi))
        err('bad-handler', ['programs', p.name, i], `execve in a signal handler program (the model's new image continues a main program)`);
    });
  });

  const budgets: BudgetsIR = {
    preemptions: budgetOf(m.budgets?.preemptions),
    migrations: budgetOf(m.budgets?.migrations),
    signals: budgetOf(m.budgets?.signals ?? 0),
    interrupts: budgetOf(m.budgets?.interrupts ?? 0),
    traps: budgetOf(m.budgets?.traps ?? 0),
  };

  // A property is reported by its name: two with one name would make a verdict ambiguous.
  const propertyNames = new Map<string, string>();
  for (const which of ['invariants', 'final'] as const)
    (m[which] ?? []).forEach((p, i) => {
      const first = propertyNames.get(p.name);
      if (first !== undefined) err('bad-property', [which, i, 'name'], `property "${p.name}" is already defined at ${first}`);
      else propertyNames.set(p.name, `${which}[${i}]`);
    });

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    ir: {
      name: m.name,
      description: m.description ?? '',
      cpus,
      registers,
      memory: { vars, cells, cellMax, init },
      programs,
      descriptors,
      threads,
      signature: m.signature ?? DEFAULT_SIGNATURE,
      signalNesting: m.signalNesting ?? 1,
      budgets,
      invariants: m.invariants ?? [],
      final: m.final ?? [],
      registerMax,
    },
  };
}

function budgetOf(b: number | 'unbounded' | undefined): number {
  return b === undefined || b === 'unbounded' ? -1 : b;
}

function hintFor(word: string, candidates: readonly string[]): string | undefined {
  const s = suggest(word, candidates);
  return s !== undefined ? `did you mean "${s}"?` : undefined;
}

function checkUnique(
  names: readonly string[],
  path: (string | number)[],
  what: string,
  err: (code: InputErrorCode, path: (string | number)[], message: string) => void,
): void {
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) err('schema', [...path, i], `${what} name "${n}" is used twice`);
  });
}

/** The instruction in a compact assembly-like form, for explanations and reports. */
function instructionText(ins: InstructionInput): string {
  const op = (o: OperandInput | undefined): string => (o === undefined ? '?' : String(o));
  const mem = (a: MemRefInput): string =>
    'ptr' in a
      ? `[${a.ptr}${a.offset ? `+${a.offset}` : ''}]`
      : `${a.var}[${a.index ?? 0}${a.offset ? `+${a.offset}` : ''}]`;
  switch (ins.op) {
    case 'mov':
    case 'add':
    case 'sub':
      return `${ins.op} ${ins.dst}, ${op(ins.src)}`;
    case 'load':
      return `load ${ins.dst}, ${mem(ins.addr)}`;
    case 'store':
    case 'addm':
      return `${ins.op} ${mem(ins.addr)}, ${op(ins.src)}`;
    case 'br':
      return `b${ins.cond} ${op(ins.a)}, ${op(ins.b)} -> ${ins.target}`;
    case 'jmp':
      return `jmp ${ins.target}`;
    case 'rseq_arm':
      return `rseq_cs = &${ins.desc}`;
    case 'rseq_clear':
      return 'rseq_cs = 0';
    case 'read_id':
      return `load ${ins.dst}, rseq.${ins.field}`;
    case 'write_id':
      return `store rseq.${ins.field}, ${op(ins.src)}`;
    case 'syscall':
      return `syscall ${ins.name}${ins.blocking ? ' (blocking)' : ''}${ins.cpu !== undefined ? ` cpu=${ins.cpu}` : ''}${ins.child ? ` child=${ins.child}` : ''}`;
    case 'assert':
      return `assert ${op(ins.a)} ${ins.cond} ${op(ins.b)}`;
    case 'vdso':
      return `vdso ${ins.name ?? 'call'}`;
    default:
      return ins.op;
  }
}

/**
 * The values an ID field of struct rseq can hold in the packed state (models/kernel/layout.ts):
 * cpu_id_start and cpu_id hold a CPU or the two negative IDs, stored with a bias of 2 in the
 * bits of the highest CPU; mm_cid holds what the bits of the thread count hold; node_id is
 * always 0 (the model has one NUMA node).
 */
function idFieldRange(field: 'cpu_id_start' | 'cpu_id' | 'mm_cid' | 'node_id', cpus: number, threads: number): readonly [number, number] {
  // The field widths layout.ts gives them (bitsFor of checker/packing.ts, which models/ir may not import).
  const largest = (max: number): number => 2 ** Math.max(1, Math.ceil(Math.log2(max + 1))) - 1;
  if (field === 'node_id') return [0, 0];
  if (field === 'mm_cid') return [0, largest(threads)];
  return [-2, largest(cpus + 1) - 2];
}
