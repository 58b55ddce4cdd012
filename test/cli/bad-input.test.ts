import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliSync } from './cli-runner.js';

const good = join('test', 'cli', 'good-tiny.json');

/** Runs the built CLI (npm test builds dist/ first). */
function cli(...args: string[]) {
  const r = runCliSync(args);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The bad-input cases live in corpus.test.ts (issue #17's corpus).

describe('exit codes', () => {
  it('0 when the property holds', () => {
    const r = cli('check', good, '--preemptions', '2', '--migrations', '1');
    expect(r.out).toMatch(/^HOLDS/);
    expect(r.code).toBe(0);
  });
  it('1 with a counterexample in words when it is violated', () => {
    const r = cli('check', good, '--knob', 'abortOnPreempt=false', '--knob', 'abortOnMigrate=false');
    expect(r.code).toBe(1);
    // The first counterexample is announced before the result (first-then-shortest).
    expect(r.out).toMatch(/^first counterexample after .*\nVIOLATED/);
    expect(r.out).toMatch(/replay: --replay [0-9:]+/);
  });
  it('3, never a pass, when a limit stops the run', () => {
    const r = cli('check', 'percpu-counter', '--max-states', '1000');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^INCOMPLETE: .*stopped by the states limit \(1000\)/);
  });
});
