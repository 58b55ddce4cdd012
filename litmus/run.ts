/**
 * Litmus mode: compile the generated C program with the system gcc in a temporary directory,
 * run it, and parse what it printed (see the C runtime in generate.ts for the record format).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ModelIR } from '../models/ir/types.js';
import type { GeneratedLayout } from './generate.js';
import { formatMemory, KILLED } from './outcomes.js';

const run = promisify(execFile);

/** Why litmus mode cannot run here (exit 2), as one sentence. */
export class LitmusCannotRun extends Error {}

/** The run was stopped (a signal, or the litmus run's --max-seconds) while a program ran: it was killed, and its runs are not counted. */
export class LitmusStopped extends Error {}

/** The conditions that do not depend on the model: Linux, x86-64, gcc, no seccomp filter. */
export async function checkEnvironment(): Promise<{ ok: true; gcc: string } | { ok: false; reason: string }> {
  if (platform() !== 'linux') return { ok: false, reason: `litmus mode needs Linux (this is ${platform()})` };
  if (arch() !== 'x64') return { ok: false, reason: `litmus mode generates x86-64 code (this machine is ${arch()})` };
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /^Seccomp:\s*(\d+)/m.exec(status);
    if (m && m[1] !== '0') return { ok: false, reason: `a seccomp filter is in force (Seccomp: ${m[1]} in /proc/self/status): rseq, membarrier or ptrace may be refused` };
  } catch {
    // No /proc: the program's own checks decide.
  }
  try {
    const { stdout } = await run('gcc', ['--version']);
    return { ok: true, gcc: stdout.split('\n')[0] ?? 'gcc' };
  } catch {
    return { ok: false, reason: 'no gcc on PATH: the generated C program cannot be compiled' };
  }
}

export interface Compiled {
  readonly dir: string;
  readonly binary: string;
  readonly seconds: number;
  /** Removes the temporary directory. */
  dispose(): void;
}

/**
 * Compiles `source` into a fresh temporary directory. The binary is not position independent
 * (-no-pie): descriptor and code addresses are link-time constants, the same in every run, so
 * tracepoint addresses can be matched against them.
 */
export async function compileLitmus(source: string, name = 'rseq-litmus'): Promise<Compiled> {
  const dir = mkdtempSync(join(tmpdir(), 'rseq-litmus-'));
  const c = join(dir, `${name}.c`);
  // The process name (comm, 15 characters) is the binary's name.
  const binary = join(dir, name.slice(0, 15));
  writeFileSync(c, source);
  const t0 = performance.now();
  try {
    await run('gcc', ['-O2', '-pthread', '-no-pie', '-Wall', '-Wno-unused-function', '-Wno-unused-variable', '-o', binary, c], { maxBuffer: 1 << 24 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new LitmusCannotRun(`gcc failed on the generated program: ${(err.stderr ?? err.message).trim().split('\n').slice(0, 12).join('\n')}`);
  }
  return { dir, binary, seconds: (performance.now() - t0) / 1000, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The header the program prints before its runs. */
export interface LitmusHeader {
  readonly rseqSize: number;
  readonly rseqOffset: number;
  /** rseq_len and signature the kernel holds (PTRACE_GET_RSEQ_CONFIGURATION), -1 if unknown. */
  readonly registrationLength: number;
  readonly registeredSignature: number;
  readonly descriptors: readonly { readonly index: number; readonly name: string; readonly program: number; readonly start: bigint; readonly post: bigint; readonly abort: bigint; readonly sigword: number }[];
  /** pcs[program][i]: the address of instruction i (i = length: the end of the program). */
  readonly pcs: readonly (readonly bigint[])[];
  readonly itersPerUs: number;
}

/** One run: its outcome as the model names outcomes, and the counters. */
export interface RunRecord {
  readonly index: number;
  readonly us: number;
  /** `killed` (SIGSEGV), a memory valuation, or `killed by signal N` / `timeout` / `exit N`. */
  readonly outcome: string;
  readonly signal?: number;
  readonly exit?: number;
  readonly memory: readonly number[];
  /** Kernel aborts per abort site (counted at abort_ip). */
  readonly kernelAborts: readonly number[];
  /** Branches from inside a c.s. to its abort label (user aborts). */
  readonly branchAborts: readonly number[];
  readonly asserts: number;
  readonly signals: number;
  readonly migrations: number;
  /** Kernel thread ids of the model threads in this run. */
  readonly tids: readonly number[];
  /** Signals the helper sent; `signals` counts those whose handler ran. */
  readonly signalsSent: number;
  /** Where the first signals interrupted the thread (the IP saved in the signal frame, after the kernel's fixup). */
  readonly signalIps: readonly bigint[];
}

export interface LitmusRun {
  readonly header: LitmusHeader;
  readonly runs: readonly RunRecord[];
  readonly seconds: number;
  readonly stderr: string;
}

const SIGNAMES: Readonly<Record<number, string>> = { 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 9: 'SIGKILL', 11: 'SIGSEGV', 14: 'SIGALRM', 31: 'SIGSYS' };
const signalName = (n: number): string => SIGNAMES[n] ?? `signal ${n}`;

/** Runs the binary: `runs` runs at most, for about `seconds` at most; `probe` prints the header only. */
export async function runLitmusBinary(binary: string, ir: ModelIR, layout: GeneratedLayout, options: { runs: number; seconds: number; seed?: number; probe?: boolean; mode?: string; timeoutSeconds?: number; signal?: AbortSignal }): Promise<LitmusRun> {
  if (options.signal?.aborted) throw new LitmusStopped('stopped before the program ran');
  const args = [String(options.runs), String(options.seconds), String(options.seed ?? 1), ...(options.probe ? ['probe'] : options.mode ? [options.mode] : [])];
  const t0 = performance.now();
  const { stdout, stderr, code, signal } = await new Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d.length + err.length < 1 << 16 ? d : ''));
    const limit = (options.timeoutSeconds ?? options.seconds + 30) * 1000;
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    const stop = (): void => void child.kill('SIGKILL');
    options.signal?.addEventListener('abort', stop);
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (c, s) => {
      done();
      resolve({ stdout: out, stderr: err, code: c, signal: s });
    });
  });
  if (options.signal?.aborted) throw new LitmusStopped('stopped while the program ran');
  const seconds = (performance.now() - t0) / 1000;
  const lines = stdout.split('\n');
  const cannot = lines.find((l) => l.startsWith('CANNOT '));
  if (cannot) throw new LitmusCannotRun(cannot.slice('CANNOT '.length));
  if (signal === 'SIGSYS' || code === 159) throw new LitmusCannotRun('the program was killed by SIGSYS: a seccomp filter refuses one of its system calls');
  if (!lines.includes('LITMUS 1')) throw new LitmusCannotRun(`the generated program did not start (exit ${code ?? signal}): ${stderr.trim().slice(0, 400)}`);
  if (!lines.some((l) => l.startsWith('DONE '))) throw new LitmusCannotRun(`the generated program stopped early (exit ${code ?? signal}): ${stderr.trim().slice(0, 400)}`);
  const header = parseHeader(lines, ir);
  const runs: RunRecord[] = [];
  for (const l of lines) if (l.startsWith('RUN ')) runs.push(parseRun(l, ir, layout));
  const errorRuns = runs.filter((r) => r.exit !== undefined && r.exit !== 0);
  if (errorRuns.length > 0 && errorRuns.length === runs.length)
    throw new LitmusCannotRun(`every run failed to set up (exit ${errorRuns[0]!.exit}${errorRuns[0]!.exit === 3 ? ': membarrier registration refused' : errorRuns[0]!.exit === 4 ? ': sched_setaffinity refused' : errorRuns[0]!.exit === 9 ? ': the tracer could not attach (PTRACE_SEIZE refused)' : ''}): ${stderr.trim().split('\n')[0] ?? ''}`);
  return { header, runs, seconds, stderr };
}

function parseHeader(lines: readonly string[], ir: ModelIR): LitmusHeader {
  const rseq = lines.find((l) => l.startsWith('RSEQ '));
  const kv = (l: string | undefined, k: string): string | undefined => (l ? new RegExp(`\\b${k}=(\\S+)`).exec(l)?.[1] : undefined);
  const descriptors = lines
    .filter((l) => l.startsWith('DESC '))
    .map((l) => {
      const parts = l.split(' ');
      return {
        index: Number(parts[1]),
        name: parts[2]!,
        program: Number(kv(l, 'prog')),
        start: BigInt(kv(l, 'start')!),
        post: BigInt(kv(l, 'post')!),
        abort: BigInt(kv(l, 'abort')!),
        sigword: Number(kv(l, 'sigword')),
      };
    });
  const pcs: bigint[][] = ir.programs.map((p) => new Array<bigint>(p.code.length + 1).fill(0n));
  for (const l of lines) {
    if (!l.startsWith('PC ')) continue;
    const [, p, i, a] = l.split(' ');
    pcs[Number(p)]![Number(i)] = BigInt(a!);
  }
  const cal = lines.find((l) => l.startsWith('CALIBRATE '));
  return {
    rseqSize: Number(kv(rseq, 'size') ?? -1),
    rseqOffset: Number(kv(rseq, 'offset') ?? 0),
    registrationLength: Number(kv(rseq, 'reglen') ?? -1),
    registeredSignature: Number(kv(rseq, 'regsig') ?? -1),
    descriptors,
    pcs,
    itersPerUs: Number(kv(cal, 'iterations_per_us') ?? 0),
  };
}

function parseRun(l: string, ir: ModelIR, layout: GeneratedLayout): RunRecord {
  const kv = (k: string): string | undefined => new RegExp(`\\b${k}=(\\S*)`).exec(l)?.[1];
  const nums = (k: string): number[] => (kv(k) ?? '').split(',').filter((x) => x !== '').map(Number);
  const memory = nums('mem');
  const signal = kv('signal') !== undefined ? Number(kv('signal')) : undefined;
  const exit = kv('exit') !== undefined ? Number(kv('exit')) : undefined;
  let outcome: string;
  if (signal !== undefined) outcome = signal === 11 ? KILLED : signal === 14 ? 'timeout' : `killed by ${signalName(signal)}`;
  else if (exit !== 0) outcome = `exit ${exit}`;
  else {
    outcome = formatMemory(ir, memory);
    if (Number(kv('asserts') ?? 0) > 0) outcome += ' assert-failed';
  }
  return {
    index: Number(l.split(' ')[1]),
    us: Number(kv('us') ?? 0),
    outcome,
    ...(signal !== undefined ? { signal } : {}),
    ...(exit !== undefined ? { exit } : {}),
    memory,
    kernelAborts: padTo(nums('kab'), layout.sites.length),
    branchAborts: padTo(nums('bab'), layout.sites.length),
    asserts: Number(kv('asserts') ?? 0),
    signals: Number(kv('sigs') ?? 0),
    migrations: Number(kv('migs') ?? 0),
    tids: nums('tids').filter((t) => t > 0),
    signalsSent: Number(kv('sent') ?? 0),
    signalIps: (kv('sigip') ?? '').split(',').filter((x) => x !== '').map((x) => BigInt(x)),
  };
}

function padTo(xs: number[], n: number): number[] {
  while (xs.length < n) xs.push(0);
  return xs.slice(0, n);
}
