import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliMain } from './cli-runner.js';

describe('a reader that stops early (rseq-check ... | head -1)', () => {
  it('ends the run with its own exit code and no stack trace', async () => {
    // The review's JSON document is larger than a pipe holds: the reader closes the pipe after its
    // first chunk, while the rest is still being written.
    const child = spawn(process.execPath, [cliMain, 'review', '--workers', '1', '--json', '--scenario', 'S1', '--scenario', 'S2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});
