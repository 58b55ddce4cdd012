/**
 * Hand-worked examples for the small engine modules the mutation run measures:
 * checker/memory-bound.ts (the resident-size bound behind `maxMemoryMB`) and
 * checker/compiled-module.ts (where worker threads find the compiled code). checker/options.ts
 * and checker/parallel/protocol.ts hold only types: they have no code to test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledModule } from '../../checker/compiled-module.js';
import { MemoryBound } from '../../checker/memory-bound.js';

const MB = 1024 * 1024;

describe('MemoryBound: the bound in bytes and the look ahead', () => {
  it('a bound of 3 MB is 3 x 2^20 bytes, reached only when the resident size plus what is ahead passes it', () => {
    const bound = new MemoryBound(3, () => 2 * MB);
    expect(bound.boundMB).toBe(3);
    expect(bound.boundBytes).toBe(3 * MB);
    // Exactly at the bound is still within it.
    expect(bound.wouldExceed(MB)).toBe(false);
    expect(bound.wouldExceed(MB + 1)).toBe(true);
    expect(new MemoryBound(3, () => 3 * MB + 1).wouldExceed(0)).toBe(true);
  });

  /** The look-ahead (states) a fresh bound asks the store about at each of these counts. */
  const askedAt = (counts: readonly number[]): number[] => {
    const bound = new MemoryBound(1000, () => 0);
    const asked: number[] = [];
    for (const count of counts) bound.exceededAhead(count, (n) => (asked.push(n), n));
    return asked;
  };

  it('asks the store for twice the growth of the last interval, and remembers the count of each check', () => {
    // 3000 states since the start (count 0): 6000 ahead; 2000 more: 4000; 5000 more: 10 000.
    expect(askedAt([3000, 5000, 10_000])).toEqual([6000, 4000, 10_000]);
  });

  it('looks at least 2 x 1024 states ahead, also when the count did not grow or fell', () => {
    expect(askedAt([100, 100, 50])).toEqual([2048, 2048, 2048]);
  });

  it('exceeds ahead when the growth asked for no longer fits', () => {
    // 1 MB resident, bound 2 MB: 1 MB more fits, 1 byte beyond does not.
    const bound = new MemoryBound(2, () => MB);
    expect(bound.exceededAhead(0, () => MB)).toBe(false);
    expect(bound.exceededAhead(0, () => MB + 1)).toBe(true);
  });
});

describe('compiledModule: the sibling file, else its build under dist/', () => {
  const root = mkdtempSync(join(tmpdir(), 'compiled-module-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  /** Creates `path` (relative to the root) as an empty file. */
  const touch = (path: string): string => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
    return file;
  };
  /** The caller's import.meta.url: a module in `dir` under the root. */
  const caller = (dir: string): string => pathToFileURL(join(root, dir, 'caller.js')).href;

  it('running from dist/: the sibling of the caller, even when a deeper build exists too', () => {
    const sibling = touch('dist/a/b/w.js');
    touch('dist/dist/a/b/w.js');
    expect(compiledModule(caller('dist/a/b'), 'a/b', 'w.js')).toBe(sibling);
  });

  it('running from the sources: the build under dist/ at the project root, as many folders up as fromDir is deep', () => {
    const built = touch('dist/c/d/w.js');
    expect(compiledModule(caller('c/d'), 'c/d', 'w.js')).toBe(built);
  });

  it('empty parts of fromDir (a leading or trailing slash) are no folder', () => {
    const built = touch('dist/e/f/w.js');
    expect(compiledModule(caller('e/f'), '/e/f/', 'w.js')).toBe(built);
  });

  it('neither there: an error that names the build and says to build first', () => {
    const missing = join(root, 'dist', 'g', 'h', 'w.js');
    expect(() => compiledModule(caller('g/h'), 'g/h', 'w.js')).toThrow(new Error(`worker threads need the compiled ${missing}: run "npm run build" first`));
  });
});
