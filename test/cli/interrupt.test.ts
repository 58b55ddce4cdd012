import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliMain } from './cli-runner.js';

describe('Ctrl-C', () => {
  it('stops the run and reports it incomplete (exit 3), never as holding', async () => {
    const child = spawn(process.execPath, [cliMain, 'check', 'percpu-counter', '--param', 'threads=3', '--workers', '1']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(3);
    expect(out).toMatch(/^INCOMPLETE: .*stopped by an interrupt \(Ctrl-C\); no verdict/);
    expect(out).toMatch(/states \d+, transitions \d+/);
  });
});
