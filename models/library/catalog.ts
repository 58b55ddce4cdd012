import { InputErrors, suggest, type InputError } from '../ir/errors.js';
import type { ModelInput } from '../ir/schema.js';
import { percpuCounter, plainCounter } from './percpu-counter.js';
import { tracedCounter } from './traced-counter.js';

/** A parameter of a built-in model. */
export interface ParamDef {
  readonly name: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

/** A named, parameterised built-in model. */
export interface BuiltinModel {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamDef[];
  build(params: Readonly<Record<string, number>>): ModelInput;
}

const builtins: readonly BuiltinModel[] = [
  {
    name: 'percpu-counter',
    summary: 'per-CPU counter incremented through rseq_addv (load/add/store), plus a signal handler that increments too',
    params: [
      { name: 'threads', default: 2, min: 1, max: 4, doc: 'worker threads (3 threads x 2 ops x 1 signal: 12 k states under 4.18-6.18, 0.8 M under 6.19+)' },
      { name: 'ops', default: 2, min: 1, max: 4, doc: 'increments per thread' },
      { name: 'signals', default: 1, min: 0, max: 3, doc: 'signals the environment may deliver' },
      { name: 'cpus', default: 2, min: 1, max: 4, doc: 'CPUs' },
    ],
    build: (p) => percpuCounter({ threads: p.threads!, ops: p.ops!, signals: p.signals!, cpus: p.cpus! }),
  },
  {
    name: 'plain-counter',
    summary: 'the same per-CPU counter without rseq: load, add, store on the CPU read from cpu_id_start (a lost update under every policy)',
    params: [
      { name: 'threads', default: 2, min: 1, max: 4, doc: 'worker threads' },
      { name: 'ops', default: 1, min: 1, max: 4, doc: 'increments per thread' },
      { name: 'cpus', default: 2, min: 1, max: 4, doc: 'CPUs' },
    ],
    build: (p) => plainCounter({ threads: p.threads!, ops: p.ops!, cpus: p.cpus! }),
  },
  {
    name: 'traced-counter',
    summary: 'the per-CPU counter with a ptrace tracer on T1: single-stepped, or its IP set back to its commit at a later syscall stop (S10)',
    params: [
      { name: 'tracer', default: 2, min: 1, max: 3, doc: '1 single-step; 2 SETREGS at the syscall-entry stop; 3 at the syscall-exit stop' },
      { name: 'threads', default: 2, min: 1, max: 3, doc: 'worker threads (T1 traced)' },
      { name: 'cpus', default: 2, min: 1, max: 3, doc: 'CPUs' },
    ],
    build: (p) => tracedCounter({ tracer: p.tracer!, threads: p.threads!, cpus: p.cpus! }),
  },
];

export function builtinModels(): readonly BuiltinModel[] {
  return builtins;
}

/**
 * Builds a built-in model from `name=value` parameters, checking names and ranges. Returns the
 * model and the parameter values (which state expressions may use as constants).
 */
export function buildBuiltin(name: string, specs: readonly string[]): { model: ModelInput; params: Record<string, number> } {
  const m = builtins.find((x) => x.name === name);
  if (!m) {
    const s = suggest(name, builtins.map((x) => x.name));
    throw new InputErrors([{ code: 'unknown-model', file: '<command line>', path: ['MODEL'], message: `no built-in model or file "${name}"`, hint: s ? `did you mean "${s}"?` : 'see "rseq-check models"' }]);
  }
  const params: Record<string, number> = Object.fromEntries(m.params.map((p) => [p.name, p.default]));
  const errors: InputError[] = [];
  for (const spec of specs) {
    const [k, v] = spec.split('=', 2);
    const def = m.params.find((p) => p.name === k);
    if (!def) {
      const s = suggest(k ?? '', m.params.map((p) => p.name));
      errors.push({ code: 'unknown-param', file: '<command line>', path: ['--param', k ?? ''], message: `model ${name} has no parameter "${k}" (it has: ${m.params.map((p) => p.name).join(', ') || 'none'})`, ...(s ? { hint: `did you mean "${s}"?` } : {}) });
      continue;
    }
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < def.min || n > def.max) {
      errors.push({ code: 'bad-param', file: '<command line>', path: ['--param', def.name], message: `${def.name} must be an integer in ${def.min}..${def.max}, got "${v ?? ''}"` });
      continue;
    }
    params[def.name] = n;
  }
  if (errors.length > 0) throw new InputErrors(errors);
  return { model: m.build(params), params };
}
