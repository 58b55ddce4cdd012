/**
 * `npm run bench`: explores built-in models and prints states, states/s and bytes/state, then
 * compares 1 thread with N (wall clock, CPU seconds of all threads, parallel overhead, load
 * balance), for the safety search and for an LTL check without fairness. A benchmark, not a
 * test: nothing here asserts a speed.
 *   npm run bench              the standard set (about six minutes on 2 cores, SPIN included)
 *   npm run bench -- --large   adds the parallel comparison on a model of over 10 M states
 *   npm run bench -- --spin    only the side-by-side run with SPIN (bench/spin.ts)
 *   npm run bench -- --queue   only the Redis job queue against one process (bench/queue.ts)
 * It ends with the machine's own contention: one sequential run alone against one copy per core,
 * then the comparison with SPIN when spin and gcc are installed (it says so when it skips it).
 */
import { availableParallelism } from 'node:os';
import { buildSystem, checkModel, resolvePolicy, type CheckResult } from '../run/check.js';
import { checkTemporal } from '../run/temporal.js';
import { explorerCeiling } from './ceiling.js';
import { resolveModel } from '../models/library/resolve.js';
import type { ReductionName } from '../models/system/reductions.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spinComparison } from './spin.js';
import { queueComparison } from './queue.js';

if (process.argv.includes('--queue')) {
  await queueComparison();
  process.exit(0);
}
if (process.argv.includes('--spin')) {
  await spinComparison();
  process.exit(0);
}

const large = process.argv.includes('--large');
/** Runs of a row that takes under 3 s (its fastest is printed). */
const SHORT_RUNS = 5;
const workers = availableParallelism();

/** What a bench row may set of a check besides its model and policy. */
interface RunOptions {
  readonly workers?: number;
  readonly symmetry?: boolean;
  readonly reduce?: boolean;
  readonly knobs?: readonly string[];
  readonly properties?: readonly string[];
  readonly search?: 'bfs';
  readonly disable?: readonly ReductionName[];
}

async function run(model: string, params: string[], policy: string, opts: RunOptions = {}): Promise<{ r: CheckResult; wall: number; cpu: number }> {
  const loaded = resolveModel(model, params);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await checkModel(loaded.ir, { policy, constants: loaded.constants, parallelThreshold: 20_000, ...opts });
  const cpu = process.cpuUsage(cpu0);
  return { r, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const line = (name: string, policy: string, x: { r: CheckResult; wall: number }): string => {
  const s = x.r.stats;
  return `${name.padEnd(64)} ${policy.padEnd(12)}${String(s.states).padStart(10)} ${String(s.transitions).padStart(11)} ${x.wall.toFixed(2).padStart(8)} ${Math.round(s.states / x.wall).toString().padStart(9)} ${s.bytesPerState.toFixed(1).padStart(8)}  ${x.r.verdict}`;
};

console.log(`${'model'.padEnd(64)} policy          states transitions  seconds  states/s  bytes/st  verdict`);
const standard: [string, string[], string, RunOptions][] = [
  ['percpu-counter', ['threads=2', 'ops=2', 'signals=1'], 'linux-6.3', {}],
  ['percpu-counter', ['threads=2', 'ops=2', 'signals=1'], 'linux-6.3', { reduce: false }],
  ['percpu-counter', ['threads=2', 'ops=2', 'signals=1'], 'linux-6.3', { reduce: false, symmetry: false }],
  ['percpu-counter', ['threads=3', 'ops=1', 'signals=1'], 'linux-4.18', {}],
  // The engine issue's configuration: 3 threads x 2 increments x 1 signal.
  ['percpu-counter', ['threads=3', 'ops=2', 'signals=1'], 'linux-6.19', {}],
];
// One unprinted run first, so that the first row is not the one that pays for the JIT's warm-up.
await run(standard[0]![0], [...standard[0]![1]], standard[0]![2], { workers: 1 });
for (const [model, params, policy, opts] of standard) {
  // A run of a few seconds or less varies by a third between runs on a shared VM: such a row is
  // the fastest of SHORT_RUNS runs (the others are listed after it).
  const runs = [await run(model, [...params], policy, { ...opts, workers: 1 })];
  while (runs[0]!.wall < 3 && runs.length < SHORT_RUNS) runs.push(await run(model, [...params], policy, { ...opts, workers: 1 }));
  const best = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  const notes = [opts.symmetry === false ? 'no symmetry' : '', opts.reduce === false ? 'no POR' : ''].filter(Boolean).join(', ');
  const others = runs.length > 1 ? `  (best of ${runs.length}: ${runs.map((x) => x.wall.toFixed(2)).join(' ')} s)` : '';
  console.log(line(`${model} ${params.join(' ')}${notes ? ` (${notes})` : ''}`, policy, best) + others);
}

// The engine alone on the first model: what a successor function costing nothing would reach.
{
  const [model, params, policy] = standard[0]!;
  const loaded = resolveModel(model, [...params]);
  const c = await explorerCeiling(buildSystem(loaded.ir, resolvePolicy(policy, []), { constants: loaded.constants }), SHORT_RUNS);
  console.log(
    `\nexplorer alone on ${model} ${params.join(' ')} (${policy}), successors replayed from memory: ${c.states} states in ${c.seconds.toFixed(2)} s, ${Math.round(c.states / c.seconds)} states/s (best of ${SHORT_RUNS})`,
  );
}

// The parallel comparison: one thread (in-process) against one thread per core, same model,
// breadth-first (a depth-first pass runs in one thread whatever the workers), the workers
// joining after 20 000 states (run's parallelThreshold) instead of the default 1 M. The pairs
// are interleaved and the median speed-up is the row's figure: on these machines a run may
// land on a slower core or a noisy minute, so one pair alone says little.
const PAIRS = 3;
const parallelRuns: [string, string[], string, RunOptions][] = [
  // A space well under the default threshold: whether 2 threads still pay there.
  ['percpu-counter', ['threads=3', 'ops=2', 'signals=1', 'cpus=2'], 'linux-6.3', { search: 'bfs', disable: ['cpu-compare-prefix'] }], // 126 928 states
  ['percpu-counter', ['threads=3', 'ops=2', 'signals=1'], 'linux-6.19', { search: 'bfs' }], // 803 790 states
  // The largest row beside SPIN (bench/spin.ts): BROKEN=1's shortest counterexample.
  ['percpu-counter', ['threads=3', 'ops=2', 'signals=1', 'cpus=2'], 'linux-6.3', { search: 'bfs', knobs: ['abortOnMigrate=false'], properties: ['counter-sum'] }], // 874 820 states
];
if (large) parallelRuns.push(['percpu-counter', ['threads=3', 'ops=3', 'signals=1'], 'linux-6.19', { search: 'bfs' }]);
console.log(`\nparallel: 1 thread vs ${workers} (same states, transitions and verdict required; ${PAIRS} interleaved pairs, median speed-up)`);
for (const [model, params, policy, opts] of parallelRuns) {
  const name = `${model} ${params.join(' ')}${opts.knobs ? ` +${opts.knobs.join(' ')}` : ''}${opts.disable ? ` no ${opts.disable.join(' ')}` : ''}`;
  const speedUps: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const one = await run(model, params, policy, { ...opts, workers: 1 });
    const many = await run(model, params, policy, { ...opts, workers });
    if (one.r.stats.states !== many.r.stats.states || one.r.stats.transitions !== many.r.stats.transitions || one.r.verdict !== many.r.verdict)
      throw new Error('parallel result differs from the sequential one');
    const per = many.r.stats.statesPerWorker ?? [];
    const mean = per.reduce((a, b) => a + b, 0) / Math.max(1, per.length);
    speedUps.push(one.wall / many.wall);
    console.log(line(`${name} x1`, policy, one));
    console.log(line(`${name} x${workers}`, policy, many));
    console.log(
      `  speed-up ${(one.wall / many.wall).toFixed(2)}x; CPU ${one.cpu.toFixed(1)} s vs ${many.cpu.toFixed(1)} s (overhead ${(((many.cpu - one.cpu) / one.cpu) * 100).toFixed(0)} %); balance (largest thread / mean) ${per.length > 0 ? (Math.max(...per) / mean).toFixed(2) : 'n/a'}`,
    );
  }
  console.log(`  ${name} (${policy}): ${medianSpeedUp(speedUps)}`);
}

// The cycle search without fairness on worker threads (the concurrent nested DFS) against
// one thread, at the default in-process threshold (250 000 product states, then the workers
// start over): interleaved pairs, the median speed-up, the same verdict and counts required.
const temporalRuns: [string, string[], string, string][] = [
  ['percpu-counter', ['threads=3', 'ops=1', 'signals=1'], 'linux-6.3', 'G (must_abort(T1) -> X !committed(T1))'],
];
console.log(`\ntemporal, no fairness: 1 thread vs ${workers} workers (same verdict and counts required; ${PAIRS} interleaved pairs, median speed-up)`);
for (const [model, params, policy, ltl] of temporalRuns) {
  const loaded = resolveModel(model, params);
  const timed = async (n: number): Promise<{ verdict: string; states: number; transitions: number; wall: number; cpu: number }> => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await checkTemporal(loaded.ir, { ltl, policy, constants: loaded.constants, workers: n });
    const cpu = process.cpuUsage(cpu0);
    return { verdict: r.verdict, states: r.stats.states, transitions: r.stats.transitions, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
  };
  const speedUps: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const one = await timed(1);
    const many = await timed(workers);
    if (one.verdict !== many.verdict || one.states !== many.states || one.transitions !== many.transitions) throw new Error('parallel temporal result differs from the sequential one');
    speedUps.push(one.wall / many.wall);
    console.log(
      `  ${model} ${params.join(' ')} ${policy} --ltl '${ltl}': ${one.verdict}, ${one.states} product states, ${one.transitions} transitions; ${one.wall.toFixed(2)} s vs ${many.wall.toFixed(2)} s (speed-up ${(one.wall / many.wall).toFixed(2)}x; CPU ${one.cpu.toFixed(1)} s vs ${many.cpu.toFixed(1)} s)`,
    );
  }
  console.log(`  ${medianSpeedUp(speedUps)}`);
}

// What the machine itself costs: the same sequential run, alone and as `workers` independent
// copies at once (separate processes). The slowdown of the copies is the ceiling any parallel
// explorer meets here (shared caches and memory bandwidth, hypervisor), before its own
// overhead; the fastest and slowest copy are printed, as the cores need not be alike.
const contention: [string, string[], string] = ['percpu-counter', ['threads=2', 'ops=2', 'signals=1'], 'linux-6.3'];
const [alone] = await timeChildren(...contention, 1);
const together = await timeChildren(...contention, workers);
const slower = (t: number): string => `${(((t - alone!) / alone!) * 100).toFixed(0)} %`;
console.log(
  `\nmachine: one sequential run alone ${alone!.toFixed(2)} s; ${workers} independent copies at once ${Math.min(...together).toFixed(2)}-${Math.max(...together).toFixed(2)} s each (${slower(Math.min(...together))} to ${slower(Math.max(...together))} slower when all cores are busy)`,
);

await spinComparison();

/** The median of a row's interleaved pairs, and each pair's speed-up. */
function medianSpeedUp(speedUps: readonly number[]): string {
  const sorted = [...speedUps].sort((a, b) => a - b);
  return `median speed-up ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}x (pairs: ${speedUps.map((x) => x.toFixed(2)).join(', ')})`;
}

/** Wall seconds of each of `copies` simultaneous child processes, each running one sequential check. */
async function timeChildren(model: string, params: readonly string[], policy: string, copies: number): Promise<number[]> {
  const script = fileURLToPath(new URL('./one-run.js', import.meta.url));
  const runs = Array.from(
    { length: copies },
    () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [script, model, policy, ...params], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`bench child exited with ${code}`))));
      }),
  );
  return Promise.all(runs);
}
