/**
 * `check --swarm N --queue URL` on a real redis-server with two workers: the swarm finds the
 * no-abort-on-migration bug (percpu-counter 3 × 2 + 1 under linux-6.3 with abortOnMigrate=false,
 * the broken kernel of the SPIN comparison) and shortens it to the breadth-first check's own
 * result, 6 steps; on the fixed kernel with a small state budget it ends incomplete, never holds.
 */
import { expect, it } from 'vitest';
import { runCliSync } from '../cli/cli-runner.js';
import { BROKEN_COUNTER, COUNTER, describeQueue, runCli, withoutKeys } from './redis-fixture.js';

/** A check's JSON without what differs from run to run (timings). */
const steady = (json: string): string => withoutKeys(json, ['seconds', 'statesPerSecond', 'provenance']);

describeQueue('swarm on the queue', (redis) => {
  it('finds the no-abort-on-migration bug and shortens it to the breadth-first result (6 steps)', async () => {
    const r = await runCli([...BROKEN_COUNTER, '--swarm', '4', '--queue', redis.url, '--json']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^first counterexample: search [0-3] of 4 found G1-atomicity violated in \d+ steps after [\d.]+ s \(\d+ states\); shortening it on one worker\n$/);
    const doc = JSON.parse(r.stdout) as { verdict: string; property: string; trace: { steps: unknown[] } };
    expect(doc.verdict).toBe('violation');
    expect(doc.property).toBe('G1-atomicity');
    expect(doc.trace.steps).toHaveLength(7);
    const bfs = runCliSync([...BROKEN_COUNTER, '--search', 'bfs', '--workers', '1', '--json']);
    expect(bfs.status).toBe(1);
    expect(steady(r.stdout)).toBe(steady(bfs.stdout));
  });

  it('without a counterexample within its budgets, a swarm is incomplete with the union of its coverage, never a pass', async () => {
    const r = await runCli([...COUNTER, '--swarm', '2', '--max-states', '2000', '--queue', redis.url, '--json']).done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { verdict: string; stoppedBy: unknown; stats: { states: number }; coverage: { programs: { instructions: { events: Record<string, number> }[] }[] } };
    expect(doc.verdict).toBe('incomplete');
    expect(doc.stoppedBy).toEqual({ kind: 'states', bound: 2000 });
    // Two searches of at least 2000 states each (the depth-first search looks at its budget between batches).
    expect(doc.stats.states).toBeGreaterThanOrEqual(4000);
    expect(doc.coverage.programs[0]!.instructions.some((i) => (i.events['migrate'] ?? 0) > 0)).toBe(true);
  });

  it('--max-memory bounds each worker\'s search: below a worker\'s own size every search stops at once, incomplete naming it', async () => {
    // A worker process alone is larger than 40 MB: each search stops at its first look at memory.
    const r = await runCli([...COUNTER, '--swarm', '2', '--max-memory', '40', '--queue', redis.url, '--json']).done;
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { verdict: string; stoppedBy: unknown; stats: { states: number } };
    expect(doc.verdict).toBe('incomplete');
    expect(doc.stoppedBy).toEqual({ kind: 'memory', bound: 40 });
    // Far fewer than the 2 000 000 states each search may otherwise store.
    expect(doc.stats.states).toBeLessThan(200_000);
  });

  it('--swarm needs --queue, and --queue alone does not apply to check', async () => {
    const [a, b] = await Promise.all([runCli([...COUNTER, '--swarm', '2']).done, runCli([...COUNTER, '--queue', redis.url]).done]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('<command line>: bad-option: --swarm: --swarm needs --queue URL (its searches run on "rseq-check worker" processes)\n');
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('<command line>: bad-option: --queue: --queue applies to check with --swarm N or --partition K\n');
  });
}, { workers: 2 });
