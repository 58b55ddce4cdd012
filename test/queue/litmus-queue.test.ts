/**
 * `litmus --queue` on a real redis-server with `rseq-check worker` processes: each case runs on
 * its worker's kernel (here, this machine's) and is judged as in process: the same verdicts,
 * allowed sets, runs and outcome sets, each case naming the host and kernel it ran on; also when
 * a worker is SIGKILLed while its litmus program runs (the case is retried elsewhere). Hostile
 * litmus payloads are refused unrun. Skipped where redis-server is missing or litmus programs
 * cannot run here (no gcc, no rseq).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { checkEnvironment } from '../../litmus/run.js';
import { litmusSuite } from '../../litmus/suite.js';
import { validateResultValue } from '../../reports/json.js';
import { runCliSync } from '../cli/cli-runner.js';
import { describeQueue, expectRefusedUnrun, PASSWORD, runCli, startWorker, startWorkers, waitUntil, withProducer } from './redis-fixture.js';

const env = await checkEnvironment();
const cannotRun = env.ok ? undefined : `litmus programs cannot run here (${env.reason}): the queued litmus tests skip`;

/**
 * Three small cases: an rseq counter (always counter=[4]), a syscall in a c.s. (its outcome set
 * varies with the scheduler) and a failing execve (always exec_failed=1 ids_rewritten=1 aborted=1
 * on 6.18). Few runs, each long enough to finish them all, so that `runs` is the same every time.
 */
const CASES = ['--case', 'percpu-rseq', '--case', 'syscall-in-cs', '--case', 'exec-failure'] as const;
const FEW = ['--runs', '10', '--seconds', '5'] as const;

interface LitmusDoc {
  kind: string;
  kernel: { release: string; preset: string | null } | null;
  cases: { id: string; observed: Record<string, number>; ranOn?: { host: string; kernel: { release: string; preset: string | null }; compiler: string } }[];
}

/** What does not depend on the scheduler: per case its verdict, policy, allowed set, runs, what was not allowed, and the outcomes of the cases whose outcome is fixed. */
function judged(doc: LitmusDoc): unknown {
  const fixed = new Set(['percpu-rseq', 'exec-failure']);
  return {
    kind: doc.kind,
    kernel: doc.kernel,
    cases: doc.cases.map((c) => {
      const { id, title, verdict, policy, modelAllows, allowedFrom, modelComplete, runs, notAllowed, pathSource, knownFinding } = c as unknown as Record<string, unknown>;
      return { id, title, verdict, policy, modelAllows, allowedFrom, modelComplete, runs, notAllowed, pathSource, knownFinding, ...(fixed.has(c.id) ? { outcomes: Object.keys(c.observed) } : {}) };
    }),
  };
}

/** Litmus programs (binaries called rseq-litmus) whose parent is `pid`. */
function litmusChildren(pid: number): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (parent === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0]!.endsWith('/rseq-litmus')) found.push(Number(d));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describeQueue('litmus on the queue', (redis) => {
  let inProcess: LitmusDoc;
  beforeAll(() => {
    const r = runCliSync(['litmus', '--suite', ...CASES, ...FEW, '--json']);
    expect(r.status, r.stderr).toBe(0);
    inProcess = JSON.parse(r.stdout) as LitmusDoc;
  }, 60_000);

  it('two workers: the in-process verdicts and outcome sets, each case naming this host and kernel', async () => {
    const workers = startWorkers(redis.url, 2);
    const r = await runCli(['litmus', '--suite', ...CASES, ...FEW, '--json', '--queue', redis.url]).done;
    const stopped = await workers.stop();
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as LitmusDoc;
    expect(validateResultValue(doc)).toEqual([]);
    expect(doc.cases.map((c) => c.id)).toEqual(['percpu-rseq', 'syscall-in-cs', 'exec-failure']);
    expect(judged(doc)).toEqual(judged(inProcess));
    expect(doc.cases[0]!.observed).toEqual({ 'counter=[4]': 10 });
    for (const c of doc.cases) expect(c.ranOn).toEqual({ host: hostname(), kernel: { ...inProcess.kernel, release: release() }, compiler: env.ok ? env.gcc : '' });
    // The kernel and compiler lines, as in process, then where the cases ran.
    expect(r.stderr).toMatch(new RegExp(`^kernel ${release().replace(/[.]/g, '\\.')} \\(x64\\): preset ${inProcess.kernel!.preset}.*\ncompiler: gcc .*\nran on: ${hostname()} \\((percpu-rseq|syscall-in-cs|exec-failure)(, (percpu-rseq|syscall-in-cs|exec-failure)){2}\\)\n$`));
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    for (const w of stopped) expect(w.code).toBe(0);
    expect(await redis.client().llen('bull:rseq-check:wait')).toBe(0);
  }, 60_000);

  it('a worker SIGKILLed while its litmus program runs: the case is retried on the other, and the result is the undisturbed one', async () => {
    const doomed = startWorker(redis.url, 'doomed');
    const run = runCli(['litmus', '--suite', ...CASES, ...FEW, '--json', '--queue', redis.url]);
    await waitUntil('the doomed worker to run a litmus program', () => litmusChildren(doomed.child.pid!).length > 0, 30_000, 20);
    doomed.child.kill('SIGKILL');
    expect((await doomed.done).signal).toBe('SIGKILL');
    const survivor = startWorkers(redis.url, 1);
    const r = await run.done;
    await survivor.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(judged(JSON.parse(r.stdout) as LitmusDoc)).toEqual(judged(inProcess));
  }, 60_000);

  it('a MODEL file on the queue: the worker gets its JSON (not its path), the text report names where the case ran', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-litmus-model-'));
    const file = join(dir, 'counter.json');
    writeFileSync(file, JSON.stringify(litmusSuite().find((c) => c.id === 'percpu-rseq')!.model));
    const workers = startWorkers(redis.url, 1);
    const r = await runCli(['litmus', file, ...FEW, '--queue', redis.url]).done;
    await workers.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^litmus-percpu-rseq \| counter=\[4\] +\| counter=\[4\] ×10 /m);
    // The model's state count depends on the preset this kernel maps to: any count is the model's.
    expect(r.stdout).toContain(`\nlitmus-percpu-rseq: ${file}\n  ran on: ${hostname()}, kernel ${release()} (preset ${inProcess.kernel!.preset})\n  model: 1 outcome(s) under ${inProcess.kernel!.preset}; `);
    expect(r.stdout).toMatch(/\n {2}model: 1 outcome\(s\) under \S+; \d+ states in [\d.]+ s\n/);
    expect(r.stdout).toMatch(/\n1 case\(s\) in [\d.]+ s: the model is not too strong on any case\n$/);
  }, 30_000);

  it('a case failing on every attempt fails the run (exit 70) with its cause; --max-seconds or SIGINT with no worker ends it incomplete (exit 3), every case not run, none left waiting', async () => {
    const failing = startWorkers(redis.url, 1, { RSEQ_CHECK_QUEUE_TEST_FAULT: 'fail-every-job' });
    const failed = await runCli(['litmus', '--suite', '--case', 'percpu-rseq', ...FEW, '--json', '--queue', redis.url]).done;
    // Idle now: killed rather than stopped, which would wait out its blocking read of the queue.
    failing.runs[0]!.child.kill('SIGKILL');
    await failing.runs[0]!.done;
    expect(failed.code).toBe(70);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^rseq-check: job [0-9a-f]{16}-0 \(litmus-case\) failed: test fault: job [0-9a-f]{16}-0 fails on purpose; the run has no verdict\n$/);

    const timed = await runCli(['litmus', '--suite', ...CASES, ...FEW, '--json', '--max-seconds', '1', '--queue', redis.url]).done;
    expect(timed.code).toBe(3);
    expect(JSON.parse(timed.stdout)).toMatchObject({ kind: 'litmus', kernel: null, verdict: 'incomplete', stoppedBy: { kind: 'time', bound: 1 }, notRun: ['percpu-rseq', 'syscall-in-cs', 'exec-failure'], cases: [] });
    expect(validateResultValue(JSON.parse(timed.stdout))).toEqual([]);
    const c = redis.client();
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);

    const interrupted = runCli(['litmus', '--suite', ...CASES, ...FEW, '--json', '--queue', redis.url]);
    await waitUntil('3 waiting jobs', async () => (await c.llen('bull:rseq-check:wait')) >= 3, 10_000);
    interrupted.child.kill('SIGINT');
    const stopped = await interrupted.done;
    expect(stopped.code).toBe(3);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted', signal: 'SIGINT' }, notRun: ['percpu-rseq', 'syscall-in-cs', 'exec-failure'], cases: [] });
    expect(await c.llen('bull:rseq-check:wait')).toBe(0);
  }, 30_000);

  it('refuses hostile litmus payloads unrun: C source, a path for a case, an unknown case, an unknown policy', async () => {
    const workers = startWorkers(redis.url, 1);
    const run = '00112233445566bb';
    const good = { protocol: 1, version: '0.1.0', run, kind: 'litmus-case', case: { suite: 'percpu-rseq' }, runs: 1, seconds: 1 };
    const cases: [string, unknown, string][] = [
      ['C source to compile', { ...good, case: { source: 'int main(void) { return system("id"); }' } }, 'bad payload: case: Invalid input'],
      ['a path for a case', { ...good, case: { suite: '../../etc/passwd' } }, 'bad payload: case.suite: Invalid'],
      ['a smuggled compiler flag', { ...good, cflags: ['-fplugin=/tmp/evil.so'] }, "bad payload: (root): Unrecognized key(s) in object: 'cflags'"],
      ['no runs', { ...good, runs: 0 }, 'bad payload: runs: Number must be greater than or equal to 1'],
      ['a case not in the suite', { ...good, case: { suite: 'rm-rf' } }, 'bad input: <command line>: bad-option: case: no litmus suite case "rm-rf" in this worker\'s suite'],
      ['an unknown policy', { ...good, policy: 'linux-0.1' }, 'bad input: '],
      ['another version', { ...good, version: '9.9.9' }, 'the job speaks queue protocol 1 of rseq-check "9.9.9"'],
    ];
    await withProducer(redis, async (producer) => expectRefusedUnrun(producer, run, cases));
    const [w] = await workers.stop();
    expect(w!.stderr.match(/refused job/g)).toHaveLength(cases.length);
    // No litmus program was compiled for any of them: the worker says nothing but its refusals.
    expect(w!.stderr).not.toMatch(/job [0-9a-f]{16}-\d+ failed/);
  }, 30_000);
}, { skip: cannotRun });
