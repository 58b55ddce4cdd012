/**
 * `check --partition K --queue URL` on a real redis-server with two workers: the partitioned
 * breadth-first search reports what the single-process one reports. On percpu-counter 3 × 4 + 1
 * under linux-6.3 it holds with 127 233 states, 921 212 transitions and depth 61 (check
 * --search bfs's own figures), its states spread over the K partitions; on the SPIN peer
 * question's broken kernel (3 × 2 + 1, abortOnMigrate=false) the document equals check --search
 * bfs's apart from timings and the per-partition counts: the same 6-step trace, whose replay token replays to the
 * violation. K=1 and K=3 with two workers (so one worker serves two partitions).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percpuCounter } from '../../models/library/percpu-counter.js';
import type { Redis } from 'ioredis';
import { beforeAll, expect, it } from 'vitest';
import { parseOutputJson } from '../../reports/json.js';
import { runCliSync } from '../cli/cli-runner.js';
import { BROKEN_COUNTER, LARGE_COUNTER, describeQueue, runCli, waitUntil, withoutKeys } from './redis-fixture.js';

/**
 * A check's JSON without what differs from run to run (timings) or between a partitioned and a
 * single search (partition counts, store bytes) and, with `links`, without the counterexample's
 * path and trace: among shortest paths of least cost the first link stored stays, and with more
 * than one partition the order of storing differs (as with worker threads, checker/explore.ts).
 */
const steady = (json: string, links = false): string => withoutKeys(json, ['seconds', 'statesPerSecond', 'provenance', 'statesPerPartition', 'bytesPerState', ...(links ? ['path', 'trace'] : [])]);

/** Waits until the partitions report their first level: from then on the search runs (and SIGINT is the run's). */
const firstLevelReported = async (client: Redis): Promise<void> => waitUntil('the first level of the partitions', async () => (await client.keys('rseq-check:partition:*:alive:1')).length > 0, 60_000, 100);

interface FlagsDoc {
  flags: { name: string; count: number; trace: { steps: unknown[]; replay: string } }[];
}

interface CheckDoc {
  verdict: string;
  property?: string;
  stats: { states: number; transitions: number; depth: number; statesPerPartition?: number[] };
  trace?: { steps: unknown[] };
}

describeQueue('partitioned search on the queue', (redis) => {
  let bfs: string;
  beforeAll(() => {
    const r = runCliSync([...BROKEN_COUNTER, '--search', 'bfs', '--workers', '1', '--json']);
    expect(r.status).toBe(1);
    bfs = r.stdout;
  }, 60_000);

  it.each([1, 3])('K=%i on the broken kernel: the document of check --search bfs (K=1: the same trace, K=3: one as short), its replay token replays to the violation', async (k) => {
    const r = await runCli([...BROKEN_COUNTER, '--partition', String(k), '--queue', redis.url, '--json']).done;
    expect(r.stderr).toMatch(new RegExp(`^check: ${k} partitions? \\(states [\\d /]+\\); through Redis: \\d+ states in \\d+ batches, \\d+ bytes`));
    expect(r.code).toBe(1);
    expect(steady(r.stdout, k > 1)).toBe(steady(bfs, k > 1));
    const doc = parseOutputJson(r.stdout, 'partitioned') as unknown as CheckDoc;
    expect(doc.property).toBe('G1-atomicity');
    expect(doc.trace!.steps).toHaveLength(7);
    expect(doc.stats).toMatchObject({ states: 1078, transitions: 4690, depth: 5 });
    expect(doc.stats.statesPerPartition).toHaveLength(k);
    expect(doc.stats.statesPerPartition!.reduce((a, b) => a + b, 0)).toBe(1078);
    // The text trace names its replay token; replayed in the unreduced system it ends in the violation.
    const text = await runCli([...BROKEN_COUNTER, '--partition', String(k), '--queue', redis.url, '--quiet']).done;
    const token = /replay: --replay (\S+)/.exec(text.stdout)?.[1];
    expect(token).toBeDefined();
    const replay = runCliSync([...BROKEN_COUNTER, '--replay', token!]);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/^REPLAYED: VIOLATED G1-atomicity after 6 steps\n/);
  }, 120_000);

  it('K=3 with two workers on 3 × 4 + 1 under linux-6.3: holds with the single search\'s 127 233 states, 921 212 transitions, depth 61', async () => {
    const r = await runCli([...LARGE_COUNTER, '--partition', '3', '--queue', redis.url, '--json']).done;
    expect(r.stderr).toMatch(/^check: 3 partitions \(states \d+ \/ \d+ \/ \d+\); through Redis: /);
    expect(r.code).toBe(0);
    const doc = parseOutputJson(r.stdout, 'partitioned') as unknown as CheckDoc;
    expect(doc.verdict).toBe('pass');
    expect(doc.stats).toMatchObject({ states: 127233, transitions: 921212, depth: 61 });
    const per = doc.stats.statesPerPartition!;
    expect(per).toHaveLength(3);
    expect(per.reduce((a, b) => a + b, 0)).toBe(127233);
    // The hash spreads the states: each partition holds a third, give or take 5 %.
    for (const n of per) expect(Math.abs(n - 127233 / 3)).toBeLessThan(127233 / 3 / 20);
  }, 180_000);

  it('--max-states ends it incomplete (exit 3) with the states covered, never a pass', async () => {
    const r = await runCli([...LARGE_COUNTER, '--partition', '2', '--max-states', '5000', '--queue', redis.url, '--json']).done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc & { stoppedBy: unknown };
    expect(doc.verdict).toBe('incomplete');
    expect(doc.stoppedBy).toEqual({ kind: 'states', bound: 5000 });
    expect(doc.stats.states).toBeGreaterThanOrEqual(5000);
    expect(doc.stats.states).toBeLessThan(127233);
  }, 60_000);

  it('SIGINT ends it incomplete (exit 3), naming the signal', async () => {
    // Without cpu-compare-prefix the space is 1 698 794 states (check --search bfs, about 15 s in
    // one process): the 127 233 of LARGE_COUNTER alone could end within the second below on an
    // idle machine, before the signal (a fresh-clone CI saw exit 0).
    const run = runCli([...LARGE_COUNTER, '--no-reduce=cpu-compare-prefix', '--partition', '2', '--queue', redis.url, '--json']);
    const client = redis.client();
    await firstLevelReported(client);
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc & { stoppedBy: unknown };
    expect(doc.stoppedBy).toEqual({ kind: 'interrupted', signal: 'SIGINT' });
    expect(doc.stats.states).toBeLessThan(1_698_794);
  }, 60_000);

  it('SIGINT keeps what the run found: the flags, each with a witness as short as the single search\'s', async () => {
    // percpu-counter 3 × 2 + 1 with NO_RESTART_ON_SIGNAL alone on every c.s.: under linux-4.18 a
    // signal inside one kills the process, as the ABI promises (flag killed-as-promised, first
    // after 4 steps), long before the search ends.
    const input = percpuCounter({ threads: 3, ops: 2, signals: 1, cpus: 2 });
    const flagged = { ...input, name: 'flagged-counter', final: undefined, descriptors: Object.fromEntries(Object.entries(input.descriptors ?? {}).map(([n, d]) => [n, { ...d, flags: ['NO_RESTART_ON_SIGNAL'] }])) };
    const file = join(mkdtempSync(join(tmpdir(), 'rseq-partition-')), 'flagged.json');
    writeFileSync(file, JSON.stringify(flagged));
    const single = runCliSync(['check', file, '--policy', 'linux-4.18', '--search', 'bfs', '--max-states', '3000', '--json']);
    const reference = (JSON.parse(single.stdout) as FlagsDoc).flags;
    expect(reference.map((f) => [f.name, f.trace.steps.length])).toEqual([['killed-as-promised', 4]]);

    const run = runCli(['check', file, '--policy', 'linux-4.18', '--partition', '2', '--queue', redis.url, '--json']);
    const client = redis.client();
    await firstLevelReported(client);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as FlagsDoc & { verdict: string; stoppedBy: unknown };
    expect([doc.verdict, doc.stoppedBy]).toEqual(['incomplete', { kind: 'interrupted', signal: 'SIGINT' }]);
    expect(doc.flags.map((f) => [f.name, f.trace.steps.length])).toEqual([['killed-as-promised', 4]]);
    expect(doc.flags[0]!.count).toBeGreaterThan(0);
    // Its witness replays, in the unreduced system, to the kill.
    const replay = runCliSync(['check', file, '--policy', 'linux-4.18', '--replay', doc.flags[0]!.trace.replay]);
    expect(replay.stdout).toMatch(/^REPLAYED: 3 steps, no property violated at the end\n[^]*SIGSEGV: T\d killed \(NO_RESTART_ON_SIGNAL without both PREEMPT and MIGRATE\); the process dies/);
  }, 60_000);

  it.each([
    [['--partition', '0', '--queue', 'URL'], '--partition', '--partition must be an integer 1..64, got "0"'],
    [['--partition', '65', '--queue', 'URL'], '--partition', '--partition must be an integer 1..64, got "65"'],
    [['--partition', '2'], '--partition', '--partition needs --queue URL (its partitions run on "rseq-check worker" processes)'],
    [['--partition', '2', '--queue', 'URL', '--search', 'dfs'], '--search', '--search dfs does not apply to --partition (a partitioned search is breadth-first)'],
    [['--partition', '2', '--queue', 'URL', '--property', 'progress'], '--property', 'the temporal property "progress" does not apply to --partition'],
    [['--partition', '2', '--queue', 'URL', '--ltl', 'G true'], '--ltl', '--ltl does not apply to --partition (a breadth-first search on the queue)'],
    [['--partition', '2', '--queue', 'URL', '--swarm', '2'], '--partition', '--partition does not apply to --swarm (give one: an exhaustive partitioned search or a swarm)'],
    [['--stall-seconds', '5'], '--stall-seconds', '--stall-seconds applies to check with --partition K'],
  ])('bad input %j is refused before any work, exit 2, naming %s', async (args, option, message) => {
    const r = await runCli([...LARGE_COUNTER, ...args.map((a) => (a === 'URL' ? redis.url : a))]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`<command line>: bad-option: ${option}: ${message}\n`);
    expect(r.stdout).toBe('');
  });
}, { workers: 2 });
