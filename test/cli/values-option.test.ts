/**
 * `check --values full|changed|none`: how much of a counterexample's values the text shows
 * (percpu-counter without the abort on migration: 6 steps, see test/run/trace-values.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runCliSync } from './cli-runner.js';

const check = (...args: string[]) => runCliSync(['check', 'percpu-counter', '--knob', 'abortOnMigrate=false', '--workers', '1', '--quiet', ...args]);

describe('check --values', () => {
  it('changed (the default): the initial values once, then each step its changes', () => {
    const r = check();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('       values: counter[0]=0, counter[1]=0, handler_commits=0\n');
    expect(r.stdout).toContain('  6. * T1 executes worker:6 `store counter[r0], r1`: commit of inc0_cs\n       changed: counter[0]: 0→1\n');
    expect(r.stdout.match(/ {7}values: /g)).toHaveLength(1);
  });
  it('full: every value under every step; none: no values, the decisive badge kept', () => {
    expect(check('--values', 'full').stdout.match(/ {7}values: /g)).toHaveLength(7);
    const none = check('--values', 'none').stdout;
    expect(none).not.toMatch(/values:|changed:/);
    expect(none).toContain('       ^ decisive step, breaks G1-atomicity: ');
  });
  it('anything else is bad input: exit 2, the choices named, no stack trace', () => {
    const r = check('--values', 'some');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--values must be changed, full or none, got "some"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
