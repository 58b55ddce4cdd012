/**
 * rseq-check beside SPIN on the same questions (issue #15): the per-CPU counter of
 * bench/spin-peer/percpu_counter.pml against `rseq-check check percpu-counter` under linux-6.3.
 * Both sides are timed as whole processes: SPIN is `spin -a`, gcc and pan together; rseq-check is
 * its command line in a child process (start-up included). Each command runs under
 * bench/spin-peer/measure.c, which reports wall time and the peak resident size of the command and
 * its descendants. A side that exceeds the per-question timeout is killed and reported as a
 * timeout. The ratios printed are rseq-check / SPIN; memory is compared on the search process
 * (pan, rseq-check), the peak over all of SPIN's steps (gcc's included) is printed beside it.
 *   npm run bench -- --spin                      this comparison alone
 *   node dist/bench/spin.js --timeout SECONDS    the same with another timeout (default 300)
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Seconds a side may take on one question before it is killed and reported as a timeout. */
const DEFAULT_TIMEOUT_SECONDS = 300;

const repoFile = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const PEER_MODEL = repoFile('bench/spin-peer/percpu_counter.pml');
const MEASURE_SOURCE = repoFile('bench/spin-peer/measure.c');
const CLI = repoFile('dist/cli/main.js');

/** One measured command, or several in sequence (SPIN's three steps). */
interface Measured {
  /** Wall seconds (summed over the steps). */
  readonly seconds: number;
  /** Peak resident size in MB, largest over the steps. */
  readonly peakMB: number;
  /**
   * Peak of the last step alone: the search (pan, or rseq-check's one process). SPIN's largest
   * step on small questions is gcc compiling pan.c, a constant that says nothing of the search;
   * the memory ratio is taken on this one.
   */
  readonly searchPeakMB: number;
  readonly timedOut: boolean;
  /** Exit status of the last step that ran. */
  readonly exitCode: number;
  readonly stdout: string;
}

/** What one side answered. */
interface Outcome {
  readonly run: Measured;
  readonly states?: number;
  readonly bytesPerState?: number;
  /** true: property violated; false: holds; undefined: no verdict (timeout, error). */
  readonly violated?: boolean;
  /** Length of the counterexample in steps. */
  readonly steps?: number;
  /** A first-then-shortest violation: the first counterexample (seconds from the check's start). */
  readonly first?: { readonly seconds: number; readonly states: number; readonly steps: number };
  /** A first-then-shortest violation: seconds from the check's start to the shortest counterexample. */
  readonly secondsToShortest?: number;
}

/**
 * One of a first-then-shortest run's two answers, timed by the check itself (from the JSON):
 * the first counterexample, or the shortest. Without the timings (no violation, or the run
 * failed) the whole run stands for both.
 */
function answer(o: Outcome, which: 'first' | 'shortest'): Outcome {
  if (which === 'first' && o.first) return { ...o, run: { ...o.run, seconds: o.first.seconds }, states: o.first.states, steps: o.first.steps };
  if (which === 'shortest' && o.secondsToShortest !== undefined) return { ...o, run: { ...o.run, seconds: o.secondsToShortest } };
  return o;
}

/** SPIN compile-time knobs (the model's header lists them). */
interface SpinKnobs {
  readonly NT: number;
  readonly K: number;
  readonly MAXSIG?: number;
  readonly BROKEN?: 1 | 2;
  readonly COMMIT_CHECK?: 1;
}

/** What a row compares, and what its ratios are on. */
type Measure = 'time' | 'states' | 'memory';

interface Row {
  readonly question: string;
  readonly rseq: Outcome;
  readonly spin?: Outcome;
  readonly spinLabel?: string;
  readonly ratios: readonly Measure[];
  readonly target: string;
}

/** Whether `spin` and `gcc` are both on PATH. */
export function spinAvailable(): boolean {
  return ['spin', 'gcc'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0);
}

/**
 * Runs every question on both sides and prints the table; prints that it skipped SPIN when
 * spin or gcc is missing. `timeoutSeconds` bounds each side of each question.
 */
export async function spinComparison(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Promise<void> {
  if (!spinAvailable()) {
    console.log('\nSPIN comparison skipped: spin and gcc must both be on PATH (Debian: apt-get install -y spin gcc).');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'rseq-spin-'));
  try {
    const measure = join(work, 'measure');
    const built = spawnSync('gcc', ['-O2', '-o', measure, MEASURE_SOURCE], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`cannot compile ${MEASURE_SOURCE}: ${built.stderr}`);
    const runner = new Runner(work, measure, timeoutSeconds);
    const workers = availableParallelism();
    console.log(`\nrseq-check beside SPIN ${spinVersion()} (whole process for both; rseq-check with ${workers} workers; timeout ${timeoutSeconds} s a side)`);
    // Other work on the machine slows both sides, not necessarily alike: the load is printed.
    console.log(`load average at start: ${loadText()}`);
    const rows: Row[] = [];
    const show = (row: Row): void => {
      rows.push(row);
      printRow(row);
    };
    printHeader();

    const holds = (k: number): string[] => ['--param', 'threads=3', '--param', `ops=${k}`, '--param', 'signals=1', '--param', 'cpus=2', '--policy', 'linux-6.3'];
    show({
      question: 'NT=3 K=2 MAXSIG=1, holds',
      rseq: await runner.rseq([...holds(2), '--workers', String(workers)]),
      spin: await runner.spin({ NT: 3, K: 2, MAXSIG: 1 }, 'dfs'),
      spinLabel: 'DFS',
      ratios: ['time', 'states', 'memory'],
      target: 'time, states <= 1.0',
    });
    show({
      question: 'NT=3 K=3 MAXSIG=1, holds',
      rseq: await runner.rseq([...holds(3), '--workers', String(workers)]),
      spin: await runner.spin({ NT: 3, K: 3, MAXSIG: 1 }, 'dfs'),
      spinLabel: 'DFS',
      ratios: ['time', 'memory'],
      target: 'time <= 1.0',
    });
    // BROKEN=1 skips the fixup on migration, BROKEN=2 on signal delivery: the knobs abortOnMigrate
    // and abortOnSignal. rseq-check searches depth-first, then breadth-first: one run, its time
    // to the first counterexample set against SPIN's DFS (first trail), its time to the shortest
    // against SPIN's BFS (both timed by the check, from its JSON).
    const brokenKnob = { 1: 'abortOnMigrate=false', 2: 'abortOnSignal=false' } as const;
    for (const broken of [1, 2] as const) {
      const knobs: SpinKnobs = { NT: 3, K: 2, MAXSIG: 1, BROKEN: broken };
      const rseq = await runner.rseq([...holds(2), '--knob', brokenKnob[broken], '--property', 'counter-sum', '--workers', String(workers)]);
      show({ question: `BROKEN=${broken} end sum, first cex`, rseq: answer(rseq, 'first'), spin: await runner.spin(knobs, 'dfs'), spinLabel: 'DFS', ratios: ['time'], target: 'time <= 1.0' });
      show({ question: `BROKEN=${broken} end sum, shortest cex`, rseq: answer(rseq, 'shortest'), spin: await runner.spin(knobs, 'bfs'), spinLabel: 'BFS', ratios: ['time'], target: 'time <= 0.5' });
    }
    // COMMIT_CHECK asserts at each commit that the counter was not written since the load; G1
    // flags the first commit after an event that should have aborted the critical section.
    for (const broken of [1, 2] as const) {
      show({
        question: `BROKEN=${broken} COMMIT_CHECK vs G1`,
        rseq: await runner.rseq([...holds(2), '--knob', brokenKnob[broken], '--property', 'G1', '--workers', String(workers)]),
        spin: await runner.spin({ NT: 3, K: 2, MAXSIG: 1, BROKEN: broken, COMMIT_CHECK: 1 }, 'bfs'),
        spinLabel: 'BFS',
        ratios: ['time'],
        target: 'time <= 0.5',
      });
    }
    // The README's two LTL examples: no SPIN counterpart, absolute targets.
    const ltlExamples: [string, string[]][] = [
      ['LTL in_cs -> F committed|aborted', ['--ltl', 'G (in_cs(T1) -> F (committed(T1) | aborted(T1)))']],
      ['LTL --property progress', ['--property', 'progress']],
    ];
    for (const [question, args] of ltlExamples) {
      show({ question, rseq: await runner.rseq([...args, '--fairness', 'weak', '--finite-events', '--workers', String(workers)]), ratios: [], target: '<= 5 s, <= 500 MB' });
    }
    printSummary(rows);
    console.log(`load average at end: ${loadText()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs measured commands in a scratch directory, each side within the timeout. */
class Runner {
  private runs = 0;
  constructor(
    private readonly work: string,
    private readonly measure: string,
    private readonly timeoutSeconds: number,
  ) {}

  /** `rseq-check check percpu-counter ARGS --json` in a child process. */
  async rseq(args: readonly string[]): Promise<Outcome> {
    const run = await this.sequence([[process.execPath, CLI, 'check', 'percpu-counter', ...args, '--json']], this.work);
    if (run.timedOut) return { run };
    const parsed = parseJson(run.stdout);
    // A temporal check prints one result per property: the bench asks one at a time.
    const json = Array.isArray(parsed) ? (parsed[0] as Record<string, unknown> | undefined) : parsed;
    if (!json) return { run };
    const stats = json.stats as { states?: number; bytesPerState?: number } | undefined;
    const verdict = typeof json.verdict === 'string' ? json.verdict : undefined;
    const trace = json.trace as { steps?: unknown[] } | undefined;
    const first = json.first as { seconds: number; states: number; steps: number } | undefined;
    return {
      ...(first ? { first: { seconds: first.seconds, states: first.states, steps: first.steps } } : {}),
      ...(typeof json.secondsToShortest === 'number' ? { secondsToShortest: json.secondsToShortest } : {}),
      run,
      states: stats?.states,
      bytesPerState: stats?.bytesPerState,
      violated: verdict === 'violation' ? true : verdict === 'pass' ? false : undefined,
      steps: trace?.steps ? trace.steps.length - 1 : undefined, // the first step is the initial state
    };
  }

  /** SPIN's three steps on the peer model, depth-first or breadth-first. */
  async spin(knobs: SpinKnobs, search: 'dfs' | 'bfs'): Promise<Outcome> {
    const dir = join(this.work, `spin-${++this.runs}`);
    mkdirSync(dir);
    copyFileSync(PEER_MODEL, join(dir, 'percpu_counter.pml'));
    const defines = Object.entries(knobs).map(([name, value]) => `-D${name}=${value}`);
    const run = await this.sequence(
      [
        ['spin', ...defines, '-a', 'percpu_counter.pml'],
        ['gcc', '-O2', '-DSAFETY', ...(search === 'bfs' ? ['-DBFS'] : []), '-o', 'pan', 'pan.c'],
        ['./pan', '-m100000', '-w24'],
      ],
      dir,
    );
    if (run.timedOut || run.exitCode !== 0) return { run };
    return { run, ...parsePan(run.stdout) };
  }

  /** Runs the commands one after the other, stopping at the first failure or at the timeout. */
  private async sequence(commands: readonly (readonly string[])[], cwd: string): Promise<Measured> {
    let seconds = 0;
    let peakMB = 0;
    let searchPeakMB = 0;
    let stdout = '';
    let exitCode = 0;
    for (const command of commands) {
      const left = this.timeoutSeconds - seconds;
      const step = await this.measured(command, cwd, left);
      seconds += step.seconds;
      peakMB = Math.max(peakMB, step.peakMB);
      stdout = step.stdout;
      exitCode = step.exitCode;
      if (step.timedOut) return { seconds: this.timeoutSeconds, peakMB, searchPeakMB: step.peakMB, timedOut: true, exitCode, stdout };
      if (exitCode !== 0 && !isVerdictExit(command, exitCode)) break;
      searchPeakMB = step.peakMB;
    }
    return { seconds, peakMB, searchPeakMB, timedOut: false, exitCode, stdout };
  }

  /** One command under `measure`, in its own process group so that a timeout kills all of it. */
  private measured(command: readonly string[], cwd: string, timeoutSeconds: number): Promise<Measured> {
    const resultFile = join(this.work, 'measure.out');
    rmSync(resultFile, { force: true });
    return new Promise((resolve, reject) => {
      const child = spawn(this.measure, [resultFile, ...command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, Math.max(0, timeoutSeconds) * 1000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        if (timedOut) return resolve({ seconds: timeoutSeconds, peakMB: 0, searchPeakMB: 0, timedOut, exitCode: -1, stdout });
        let fields: number[];
        try {
          fields = readFileSync(resultFile, 'utf8').trim().split(/\s+/).map(Number);
        } catch {
          return reject(new Error(`${command.join(' ')} was not measured: ${stderr}`));
        }
        const [seconds = 0, peakKB = 0, exitCode = -1] = fields;
        if (exitCode !== 0 && !isVerdictExit(command, exitCode)) console.error(`  ${command.join(' ')} exited with ${exitCode}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
        resolve({ seconds, peakMB: peakKB / 1024, searchPeakMB: peakKB / 1024, timedOut, exitCode, stdout });
      });
    });
  }
}

/** rseq-check exits 1 on a violation: an answer, not a failure. */
function isVerdictExit(command: readonly string[], exitCode: number): boolean {
  return command[1] === CLI && exitCode === 1;
}

function parseJson(text: string): Record<string, unknown> | unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown> | unknown[]) : undefined;
  } catch {
    return undefined;
  }
}

/** States stored, verdict, trail length and bytes per state from pan's report. */
function parsePan(out: string): Omit<Outcome, 'run'> {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  const states = num(/^\s*(\d+) states, stored/m);
  const errors = num(/errors: (\d+)/);
  const equivalentMB = num(/^\s*([\d.]+)\s+equivalent memory usage for states/m);
  return {
    states,
    violated: errors === undefined ? undefined : errors > 0,
    steps: num(/\(at depth (\d+)\)/),
    bytesPerState: equivalentMB !== undefined && states ? (equivalentMB * 1024 * 1024) / states : undefined,
  };
}

const loadText = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

function spinVersion(): string {
  const out = spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout ?? '';
  return /Spin Version ([\d.]+)/.exec(out)?.[1] ?? '';
}

const COLUMNS = ['question', 'rseq-check', 'SPIN', 'ratio', 'target'] as const;

function printHeader(): void {
  console.log(`${COLUMNS[0].padEnd(36)} ${COLUMNS[1].padEnd(62)} ${COLUMNS[2].padEnd(74)} ${COLUMNS[3].padEnd(34)} ${COLUMNS[4]}`);
}

/** "12.3 s 456 MB 6 026 964 st 44.1 B/st holds" or "timeout (300 s)". */
function describe(o: Outcome): string {
  if (o.run.timedOut) return `timeout (${o.run.seconds.toFixed(0)} s)`;
  const verdict = o.violated === undefined ? `error (exit ${o.run.exitCode})` : o.violated ? `violated${o.steps !== undefined ? ` in ${o.steps} steps` : ''}` : 'holds';
  const whole = o.run.peakMB > o.run.searchPeakMB ? ` (all steps ${o.run.peakMB.toFixed(0)})` : '';
  const parts = [`${o.run.seconds.toFixed(2)} s`, `${o.run.searchPeakMB.toFixed(0)} MB${whole}`];
  if (o.states !== undefined) parts.push(`${o.states} st`);
  if (o.bytesPerState !== undefined) parts.push(`${o.bytesPerState.toFixed(0)} B/st`);
  return `${parts.join(' ')} ${verdict}`;
}

/** rseq-check / SPIN on one measure; undefined when either side has no figure. */
function ratio(row: Row, measure: Measure): number | undefined {
  const { rseq, spin } = row;
  if (!spin || rseq.run.timedOut || spin.run.timedOut) return undefined;
  const pick = (o: Outcome): number | undefined => (measure === 'time' ? o.run.seconds : measure === 'memory' ? o.run.searchPeakMB : o.states);
  const a = pick(rseq);
  const b = pick(spin);
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function ratioText(row: Row): string {
  const { rseq, spin } = row;
  if (!spin) return 'n/a (no SPIN counterpart)';
  // rseq-check stopped at the timeout while SPIN answered: the time ratio is at least this.
  const timeBound = rseq.run.timedOut && !spin.run.timedOut && spin.run.seconds > 0 ? `>${(rseq.run.seconds / spin.run.seconds).toFixed(1)}` : 'timeout';
  const timedOut = rseq.run.timedOut || spin.run.timedOut;
  return row.ratios.map((m) => `${m} ${timedOut ? (m === 'time' ? timeBound : 'timeout') : (ratio(row, m)?.toFixed(2) ?? '?')}`).join(', ');
}

function printRow(row: Row): void {
  const spin = row.spin ? `${row.spinLabel} ${describe(row.spin)}` : '-';
  console.log(`${row.question.padEnd(36)} ${describe(row.rseq).padEnd(62)} ${spin.padEnd(74)} ${ratioText(row).padEnd(34)} ${row.target}`);
}

/** The verdicts must agree: a ratio between a pass and a violation means nothing. */
function printSummary(rows: readonly Row[]): void {
  const disagreements = rows.filter((r) => r.spin && r.rseq.violated !== undefined && r.spin.violated !== undefined && r.rseq.violated !== r.spin.violated);
  for (const r of disagreements) console.log(`  verdicts differ on "${r.question}": rseq-check ${r.rseq.violated ? 'violated' : 'holds'}, SPIN ${r.spin!.violated ? 'violated' : 'holds'}`);
  if (disagreements.length === 0) console.log('  verdicts agree on every question answered by both sides');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--timeout');
  await spinComparison(i > 0 ? Number(process.argv[i + 1]) : DEFAULT_TIMEOUT_SECONDS);
}
