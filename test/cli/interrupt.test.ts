import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliMain } from './cli-runner.js';

describe('Ctrl-C', () => {
  it('stops the run and reports it incomplete (exit 3), never as holding', async () => {
    // 896 025 states: several seconds of search, so the interrupt lands inside it.
    const child = spawn(process.execPath, [cliMain, 'check', 'percpu-counter', '--param', 'threads=4', '--param', 'ops=4', '--workers', '1']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const early = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 2500))]);
    expect(early, 'the run ended before the interrupt').toBe(false);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(3);
    expect(out).toMatch(/^INCOMPLETE: .*stopped by an interrupt \(Ctrl-C\); no verdict/);
    expect(out).toMatch(/states \d+, transitions \d+/);
  });
});
