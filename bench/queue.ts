/**
 * `npm run bench -- --queue`: the Redis job queue against one process, on this machine. Starts
 * its own redis-server (loopback, a password, no persistence, a temporary directory) and two
 * `rseq-check worker` processes, then times whole CLI processes:
 *   - the design review in-process (1 and 2 worker threads) and through the queue (2 workers);
 *   - on the broken kernels of the SPIN comparison (percpu-counter 3 × 2 + 1 under linux-6.3
 *     with abortOnMigrate=false or abortOnSignal=false): the swarm's time to its first
 *     counterexample and to the shortest one, against an exhaustive breadth-first check;
 *   - the partitioned search (check --partition 2, two workers) against one process's
 *     breadth-first check on the SPIN peer question (percpu-counter 3 × 2 + 1 under linux-6.3,
 *     386 580 states; the larger bench rows put gigabytes through a loopback Redis): the counts
 *     must be equal; it prints the time ratio and what crossed partitions through Redis.
 * A benchmark, not a test: it prints what it measured (and the load average: the machine may be shared).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisServer, startLocalRedis } from './local-redis.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const PASSWORD = 'bench-only-password';

/** Runs the CLI to its end: wall seconds, exit code, and what it wrote. */
function timed(args: readonly string[]): Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ seconds: (performance.now() - t0) / 1000, code, stdout, stderr })));
}

interface CheckCounts {
  verdict: string;
  stats: { states: number; transitions: number; depth: number; seconds: number };
}

/** The partitioned search (K=2, the two workers) against one process's breadth-first search, on the peer question. */
async function partitionRow(counter: readonly string[], url: string): Promise<void> {
  const single = await timed([...counter, '--search', 'bfs', '--workers', '1', '--json']);
  const parted = await timed([...counter, '--partition', '2', '--queue', url, '--json']);
  const a = JSON.parse(single.stdout) as CheckCounts;
  const b = JSON.parse(parted.stdout) as CheckCounts;
  const equal = a.verdict === b.verdict && a.stats.states === b.stats.states && a.stats.transitions === b.stats.transitions && a.stats.depth === b.stats.depth;
  const traffic = /through Redis: (\d+) states in (\d+) batches, (\d+) bytes/.exec(parted.stderr);
  const [crossed, batches, bytes] = traffic ? [Number(traffic[1]), Number(traffic[2]), Number(traffic[3])] : [NaN, NaN, NaN];
  console.log(
    `partition K=2, 2 workers, 3 × 2 + 1 linux-6.3: ${b.verdict}, ${b.stats.states} states, ${b.stats.transitions} transitions, depth ${b.stats.depth} (${equal ? 'equal to' : 'DIFFERENT FROM'} one process) | ` +
      `one process ${single.seconds.toFixed(2)} s (search ${a.stats.seconds.toFixed(2)} s) | partitioned ${parted.seconds.toFixed(2)} s (search ${b.stats.seconds.toFixed(2)} s): ${(parted.seconds / single.seconds).toFixed(2)} × | ` +
      `through Redis: ${crossed} states (${((100 * crossed) / b.stats.states).toFixed(0)} % of the states stored) in ${batches} batches, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / crossed).toFixed(1)} bytes per state sent | load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
}

export async function queueComparison(): Promise<void> {
  if (redisServer === undefined) {
    console.log('queue bench skipped: redis-server is not installed (apt-get install redis-server)');
    return;
  }
  const redis = await startLocalRedis(PASSWORD);
  const url = redis.url;
  const workers: ChildProcess[] = [1, 2].map((i) => spawn(process.execPath, [cli, 'worker', '--queue', url, '--name', `bench-${i}`], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 2000));
    console.log('\nqueue: whole CLI processes, wall seconds (2 local workers serving a loopback Redis)');
    const inProcess1 = await timed(['review', '--json', '--workers', '1']);
    const inProcess2 = await timed(['review', '--json', '--workers', '2']);
    const queued = await timed(['review', '--json', '--queue', url]);
    const cells = (JSON.parse(inProcess1.stdout) as { cells: unknown[] }).cells.length;
    console.log(`review (${cells} cells)   in-process 1 thread ${inProcess1.seconds.toFixed(2)} s | 2 threads ${inProcess2.seconds.toFixed(2)} s | queue, 2 workers ${queued.seconds.toFixed(2)} s (exit ${queued.code})`);
    const counter = ['check', 'percpu-counter', '--param', 'threads=3', '--param', 'ops=2', '--param', 'signals=1', '--policy', 'linux-6.3', '--quiet'];
    for (const knob of ['abortOnMigrate=false', 'abortOnSignal=false']) {
      const bfs = await timed([...counter, '--knob', knob, '--search', 'bfs', '--workers', '1']);
      const swarm = await timed([...counter, '--knob', knob, '--swarm', '4', '--queue', url]);
      const first = /after ([\d.]+) s \((\d+) states\)/.exec(swarm.stdout);
      const steps = (r: string): string => /shortest counterexample: (\d+) steps/.exec(r)?.[1] ?? '?';
      console.log(
        `${knob.padEnd(22)} breadth-first ${bfs.seconds.toFixed(2)} s (${steps(bfs.stdout)} steps) | swarm of 4: first counterexample after ${first?.[1] ?? '?'} s (${first?.[2] ?? '?'} states), shortest (${steps(swarm.stdout)} steps) at ${swarm.seconds.toFixed(2)} s`,
      );
    }
    await partitionRow(counter, url);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await redis.kill();
    rmSync(redis.dir, { recursive: true, force: true });
  }
}
