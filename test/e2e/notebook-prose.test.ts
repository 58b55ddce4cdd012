/**
 * The example notebook's prose against its outputs: its code cells run (against the checkout's
 * build, npm test builds first), and each claim its Markdown makes about a counterexample is
 * checked in what the cells print. A claim edited in the notebook, or a counterexample that no
 * longer shows what the text says, fails here.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notebookProse, runNotebookCells, type CellRun } from './notebook-cells.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOTEBOOK = join(ROOT, 'examples', 'seed-s1-prime.ipynb');

/** Each claim: a sentence of the notebook (whitespace-insensitive) and what the named cell's output must show for it. */
const claims: { readonly says: string; readonly cell: string; readonly shows: readonly RegExp[]; readonly never?: readonly RegExp[] }[] = [
  {
    says: '**G1 (atomicity) is broken**',
    cell: 's1-prime-03',
    shows: [/^verdict: violation$/m, /^violated: G1-atomicity, shortest counterexample: 9 steps$/m],
  },
  {
    says: 'The shortest counterexample needs no migration: T1 blocks in `write` on C0, wakes up, is scheduled in on C0 again and commits without an abort.',
    cell: 's1-prime-07',
    shows: [/^ +6\. T1 executes main:6 `syscall write \(blocking\)`/m, /^ +7\. T1 wakes up \(ready on C0\)/m, /^ +8\. T1 scheduled in on C0, [^\n]*T1 resumes inside s1b_cs without an abort/m, /^ +9\. \* T1 executes main:7 `store counter\[r0\], r1`[^\n]*: commit of s1b_cs/m],
    never: [/migration of/],
  },
  {
    says: 'The last section checks the gallery entry `syscall-migrated-619`, where the thread does migrate, from C0 to C1.',
    cell: 's1-prime-11',
    shows: [/^syscall-migrated-619: /m, /^ +\d+\. migration of T1 C0→C1 /m],
  },
  {
    says: 'T1 blocks in `write` on C0, migrates from C0 to C1 while it sleeps, is scheduled in on C1 without an abort, and the re-check of `cpu_id` fails.',
    cell: 's1-prime-11',
    shows: [/`syscall write \(blocking\)`/, /^ +\d+\. migration of T1 C0→C1 /m, /^ +\d+\. T1 scheduled in on C1, [^\n]*T1 resumes inside inc_cs without an abort/m, /^VIOLATED: gallery-syscall-migrated-619 [^\n]*: assertions /m, /^ +\d+\. \* T1 executes main:8 `assert r2 eq r0`/m],
  },
];

const squash = (s: string): string => s.replace(/\s+/g, ' ');

let dir: string;
let cells: CellRun[];

beforeAll(() => {
  // node_modules/rseq-check -> the checkout: the notebook's own imports resolve through its exports.
  dir = mkdtempSync(join(tmpdir(), 'rseq-notebook-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'rseq-check'), 'dir');
  cells = runNotebookCells(NOTEBOOK, dir);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the example notebook says what its outputs show', () => {
  it('runs every code cell', () => {
    expect(cells.map((c) => c.id)).toEqual(['s1-prime-01', 's1-prime-03', 's1-prime-05', 's1-prime-07', 's1-prime-09', 's1-prime-11']);
    // Each drawing cell displays one SVG diagram.
    for (const id of ['s1-prime-05', 's1-prime-09', 's1-prime-11']) {
      const html = cells.find((c) => c.id === id)!.html;
      expect(html.length, id).toBe(1);
      expect(html[0], id).toMatch(/<svg[\s>]/);
    }
  });

  it.each(claims.map((c) => [c.says.slice(0, 60), c] as const))('%s…', (_s, claim) => {
    expect(squash(notebookProse(NOTEBOOK))).toContain(squash(claim.says));
    const output = cells.find((c) => c.id === claim.cell)!.output;
    for (const re of claim.shows) expect(output, `${claim.cell} should match ${re}`).toMatch(re);
    for (const re of claim.never ?? []) expect(output, `${claim.cell} should not match ${re}`).not.toMatch(re);
  });
});
