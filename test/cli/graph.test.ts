import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...args], { cwd: root, encoding: 'utf8' });

describe('check --graph: the whole state graph of a small model', () => {
  it('draws a small model as DOT', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rseq-graph-')), 'g.dot');
    const r = cli('check', 'percpu-counter', '--param', 'threads=1', '--param', 'ops=1', '--param', 'signals=0', '--preemptions', '1', '--migrations', '1', '--graph', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*: \d+ states, \d+ transitions/);
    expect(readFileSync(out, 'utf8')).toMatch(/^digraph/);
  });
  it('refuses a large one with a clear message (exit 2)', () => {
    const r = cli('check', 'percpu-counter', '--graph', join(tmpdir(), 'never.dot'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the state graph has more than 500 states \(the limit for drawing\)/);
  });
});
