/**
 * Litmus mode runs a model thread's tracer (models/kernel/ptrace.ts) for real: the program's
 * parent attaches to the traced thread (PTRACE_SEIZE) before the threads start, and single-steps
 * it, or sets its IP once (PTRACE_SETREGS) at the syscall-entry or syscall-exit stop of one of
 * its model syscalls. The runs of the library model traced-counter are held against its model
 * under this kernel's preset; the real runs are skipped where litmus programs cannot run.
 *
 * traced-counter with one thread on one CPU, worked by hand (program worker: [0] load
 * cpu_id_start, [1] arm inc_cs, [2..5] check the CPU, load, add, [6] inc_commit: the store,
 * [7] jmp call, [8] inc_abort: jmp inc_retry, [9] call: getpid, [10] done):
 * - tracer=2 / 3: T1 commits counter=[1], then stops at getpid's entry / exit; the tracer moves
 *   its IP to [6] with rseq_cs still armed (lazy clearing). Through 6.18 the stop is a switch
 *   and the IP is in the range: the resume aborts it to [8], it retries and commits counter=[2]
 *   (the 6.19 rework skips the c.s. after a syscall: the store runs again, counter=[1]). A
 *   preemption between the commit and getpid clears rseq_cs first: counter=[1] there too. The
 *   model allows exactly counter=[1] and counter=[2] under linux-6.15 and linux-6.19.
 * - tracer=1: every stepped instruction in the c.s. aborts it: T1 never commits, the model has
 *   no final state, and every run ends at its timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateModel } from '../../models/ir/validate.js';
import type { ModelIR } from '../../models/ir/types.js';
import { tracedCounter } from '../../models/library/traced-counter.js';
import { runLitmusCommand } from '../../litmus/command.js';
import { generateLitmusC, type LitmusPlan } from '../../litmus/generate.js';
import { runLitmusCase } from '../../litmus/in-process.js';
import { detectKernel } from '../../litmus/kernel.js';
import { budgetsForPlan, planForModel } from '../../litmus/plan.js';
import { checkEnvironment } from '../../litmus/run.js';

const env = await checkEnvironment();
const kernel = detectKernel();

function traced(tracer: number, threads: number, handler = false): ModelIR {
  const v = validateModel(tracedCounter({ tracer, threads, cpus: 1, handler }), 'traced-counter');
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.ir;
}

/** The generated program's tracer tables, one line each. */
const tracerTables = (ir: ModelIR): string[] =>
  generateLitmusC(ir, planForModel(ir))
    .source.split('\n')
    .filter((l) => /^(#define NTRACED|static const (int|unsigned char) .*litmus_(tracer|tracer_ip|tprog|stops_0)\[)/.test(l));

describe('the generated program of a model with a tracer', () => {
  it('names the tracer of each thread, the IP it sets and the syscalls it may set it at', () => {
    const stops = 'static const unsigned char litmus_stops_0[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };';
    expect(tracerTables(traced(1, 2))).toEqual([
      '#define NTRACED 1',
      'static const int litmus_tracer[NTHREADS] = { 1, 0 };',
      'static const int litmus_tracer_ip[NTHREADS] = { -1, -1 };',
      'static const int litmus_tprog[NTHREADS] = { 0, 0 };',
      stops,
    ]);
    expect(tracerTables(traced(2, 2))).toEqual([
      '#define NTRACED 1',
      'static const int litmus_tracer[NTHREADS] = { 2, 0 };',
      'static const int litmus_tracer_ip[NTHREADS] = { 6, -1 };',
      'static const int litmus_tprog[NTHREADS] = { 0, 0 };',
      stops,
    ]);
    expect(tracerTables(traced(3, 1))).toEqual([
      '#define NTRACED 1',
      'static const int litmus_tracer[NTHREADS] = { 3 };',
      'static const int litmus_tracer_ip[NTHREADS] = { 6 };',
      'static const int litmus_tprog[NTHREADS] = { 0 };',
      stops,
    ]);
  });
});

describe('the tracer stops of a model with raise', () => {
  // kill(2) is a syscall: PTRACE_SYSCALL stops at raise's tgkill as models/kernel/ptrace.ts has it.
  it('raise is a stop where the tracer may set the IP, as a syscall is; nop is not', () => {
    const v = validateModel({
      name: 'raise-stop',
      cpus: 1,
      memory: {},
      programs: { main: [{ op: 'raise' }, { op: 'syscall', name: 'write', label: 'w' }, { op: 'nop' }, { op: 'done' }], h: [{ op: 'sigreturn' }] },
      threads: [{ name: 'T1', program: 'main', cpu: 'C0', handler: 'h', tracer: { setIp: 'w' } }],
    });
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    expect(tracerTables(v.ir).at(-1)).toBe('static const unsigned char litmus_stops_0[5] = { 1, 1, 0, 0, 0 };');
  });
});

describe.skipIf(!env.ok)(`traced-counter on this kernel${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  // No competitor and no delay: the tracer's stop is (almost always) the only switch between T1's commit and getpid.
  const quiet: LitmusPlan = { signals: 0, migrations: 0, windowUs: 1, competitors: false, delays: [], runTimeoutSeconds: 10 };
  const run = (ir: ModelIR, plan: LitmusPlan, runs: number, seconds: number): ReturnType<typeof runLitmusCase> =>
    runLitmusCase({ id: 'traced-counter', title: 'traced-counter', ir, plan, budgets: budgetsForPlan(ir, plan) }, { kernel, runs, seconds });
  const before619 = kernel.preset !== null && kernel.preset !== 'linux-6.19' && !kernel.preset.startsWith('linux-7');

  for (const tracer of [2, 3])
    it(`tracer=${tracer}: the IP set at the syscall-${tracer === 2 ? 'entry' : 'exit'} stop; the kernel stays within the model${before619 ? ', and aborts the re-entered c.s.' : ''}`, async () => {
      const r = await run(traced(tracer, 1), quiet, 40, 2);
      expect(r.verdict, r.reason).toBe('ok');
      // The model's outcomes under this kernel's preset (a debug-knob kernel's exit-IP check would add a kill).
      if (kernel.knobs.length === 0) expect(r.allowed).toEqual(['counter=[1]', 'counter=[2]']);
      expect(r.runs).toBeGreaterThan(0);
      expect([...r.observed.keys()].every((o) => r.allowed.includes(o))).toBe(true);
      // Without the tracer every run would commit once, counter=[1], with no abort: through 6.18 the moved IP is aborted and T1 commits again.
      if (before619) {
        expect(r.observed.get('counter=[2]') ?? 0).toBeGreaterThan(0);
        expect(r.kernelAborts).toBeGreaterThanOrEqual(r.observed.get('counter=[2]')!);
      }
    }, 60_000);

  it('tracer=2 on a thread with a signal handler: signals reach it through the tracer, and the kernel stays within the model', async () => {
    const r = await run(traced(2, 1, true), { ...quiet, signals: 1 }, 40, 2);
    expect(r.verdict, r.reason).toBe('ok');
    // The tracer re-injects the signal at its signal-delivery stop: the handler runs.
    expect(r.signalsSent).toBeGreaterThan(0);
    expect(r.signalsDelivered).toBeGreaterThan(0);
    expect(r.runs).toBeGreaterThan(0);
    expect([...r.observed.keys()].every((o) => r.allowed.includes(o))).toBe(true);
    // The handler's own increment shows: some run ends above what T1 alone commits.
    expect([...r.observed.keys()].some((o) => o === 'counter=[2]' || o === 'counter=[3]')).toBe(true);
  }, 60_000);

  it('tracer=1: T1 never commits while single-stepped; the run ends at its timeout, as the model (no final state) has it', async () => {
    const r = await run(traced(1, 1), { ...quiet, runTimeoutSeconds: 1 }, 1, 0.5);
    expect(r.verdict, r.reason).toBe('ok');
    expect(r.allowed).toEqual([]);
    expect([...r.observed.entries()]).toEqual([['timeout', 1]]);
    expect(r.reason).toBe('runs without an outcome: timeout ×1');
    if (before619) expect(r.kernelAborts).toBeGreaterThan(0);
  }, 60_000);
});

describe.skipIf(!env.ok)(`rseq-check litmus on a user model with a tracer${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs it (no refusal) and holds it against the model: one JSON document, verdict ok, exit 0', async () => {
    const file = join(dir, 'traced.json');
    writeFileSync(file, JSON.stringify({ ...tracedCounter({ tracer: 2, threads: 1, cpus: 1 }), name: 'my-traced' }));
    const out: string[] = [];
    const other: string[] = [];
    expect(await runLitmusCommand({ model: file, suite: false, runs: 20, seconds: 1, json: true }, (s) => out.push(s), (s) => other.push(s)), other.join('\n')).toBe(0);
    expect(out).toHaveLength(1);
    const doc = JSON.parse(out[0]!) as { cases: { id: string; verdict: string; modelAllows: string[]; observed: Record<string, number> }[] };
    expect(doc.cases).toHaveLength(1);
    expect(doc.cases[0]).toMatchObject({ id: 'my-traced', verdict: 'ok', modelAllows: ['counter=[1]', 'counter=[2]'] });
    expect(Object.keys(doc.cases[0]!.observed).every((o) => doc.cases[0]!.modelAllows.includes(o))).toBe(true);
  }, 60_000);
});
