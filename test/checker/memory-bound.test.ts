/**
 * `maxMemoryMB` bounds the process's resident size (checker/memory-bound.ts): the unit rule on a
 * driven resident size, the stores' announced growth, and the whole command line, whose peak
 * resident size (getrusage's maxRSS, read in the child itself) stays under the bound.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryBound } from '../../checker/memory-bound.js';
import { StateStore } from '../../checker/state-store.js';
import { SharedStore } from '../../checker/parallel/shared-store.js';

const MB = 1024 * 1024;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('MemoryBound', () => {
  it('exceeds when the resident size plus what is ahead passes the bound', () => {
    const bound = new MemoryBound(100, () => 90 * MB);
    expect(bound.boundBytes).toBe(100 * MB);
    expect(bound.wouldExceed(10 * MB)).toBe(false);
    expect(bound.wouldExceed(10 * MB + 1)).toBe(true);
  });

  it('looks two intervals ahead, each as large as the last, at least 1024 states', () => {
    const bound = new MemoryBound(100, () => 90 * MB);
    const asked: number[] = [];
    const perState = (n: number): number => (asked.push(n), n * 1024);
    // First check: no interval yet, 2 x 1024 states of 1 KiB = 2 MiB ahead, fits.
    expect(bound.exceededAhead(500, perState)).toBe(false);
    // 5 620 more states since: 2 x 5 620 KiB = about 11 MiB ahead, past 100 MiB.
    expect(bound.exceededAhead(6_120, perState)).toBe(true);
    expect(asked).toEqual([2048, 11_240]);
  });
});

describe('growthBytes of the stores', () => {
  it('StateStore: rows and links per state, plus the doubled table when a growth falls due', () => {
    // 2 words: 8 bytes a row, 8 of links (parent, choice, path cost). The table starts with 2^12 slots and doubles past half full.
    const store = new StateStore(2);
    expect(store.growthBytes(100)).toBe(100 * 16);
    // 2048 states would fill half the table: the 8192-slot table (32 KiB) is allocated too.
    expect(store.growthBytes(2049)).toBe(2049 * 16 + 2 * 4096 * 4 + 1024 * 2 * 8);
  });

  it('SharedStore: rows and links, plus the next table once 45 % of this one would be used', () => {
    const store = SharedStore.create(2, 1 << 16, 16, 1);
    expect(store.growthBytes(100)).toBe(100 * 16);
    const due = Math.ceil((1 << 16) * 0.45) + 1;
    expect(store.growthBytes(due)).toBe(due * 16 + (1 << 17) * 4);
  });
});

/** Runs the CLI in a child that prints its own peak resident size (KiB) on stderr at exit. */
function runMeasured(args: readonly string[]): { status: number | null; stdout: string; peakMB: number } {
  const script = `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));
process.argv = [process.argv[0], ${JSON.stringify(CLI)}, ...${JSON.stringify(args)}];
await import(${JSON.stringify(CLI)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  const kib = Number(/maxrss (\d+)/.exec(r.stderr)?.[1]);
  return { status: r.status, stdout: r.stdout, peakMB: kib / 1024 };
}

describe('--max-memory on the command line', () => {
  // 4 threads x 4 increments (896 025 states, about 175 MB resident on 1 worker) cannot fit in 120 MB.
  const big = ['check', 'percpu-counter', '--param', 'threads=4', '--param', 'ops=4', '--param', 'signals=1', '--quiet'];

  it.each([1, 2])('stops incomplete under the bound with %i worker(s), the peak within 15 percent of it', (workers) => {
    const r = runMeasured([...big, '--max-memory', '120', '--workers', String(workers)]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^INCOMPLETE: .*stopped by the memory limit \(120\)/m);
    expect(r.stdout).toMatch(/states \d+/);
    expect(r.peakMB).toBeLessThanOrEqual(120 * 1.15);
  });
});
