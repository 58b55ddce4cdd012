import { describe, expect, it } from 'vitest';
import { runCliSync } from './cli-runner.js';

const cli = (...args: string[]) => runCliSync(args);

describe('MODEL names: one resolver for check and litmus', () => {
  it('names an unknown gallery entry the same way in both', () => {
    const check = cli('check', 'gallery/no-such-bug');
    const litmus = cli('litmus', 'gallery/no-such-bug');
    expect(check.status).toBe(2);
    expect(litmus.status).toBe(2);
    const message = /unknown-model: MODEL: no gallery entry "gallery\/no-such-bug"/;
    expect(check.stderr).toMatch(message);
    expect(litmus.stderr).toMatch(message);
    expect(litmus.stdout).toBe('');
  });
});

describe('a policy has one name: the preset, then each knob once, in the order first given', () => {
  it('a gallery entry under its fix knob: the fix replaces the bug knob', () => {
    const r = cli('check', 'gallery/arm64-user-irq', '--knob', 'archSetsUserIrq=true', '--workers', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^HOLDS: gallery-arm64-user-irq under linux-6\.19\+archSetsUserIrq=true:/);
  });
  it('a knob given twice: the last value, in the first place', () => {
    const r = cli('check', 'gallery/arm64-user-irq', '--knob', 'abortOnPreempt=false', '--knob', 'archSetsUserIrq=true', '--knob', 'archSetsUserIrq=false', '--json', '--workers', '1');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { policy: { name: string } }).policy.name).toBe('linux-6.19+archSetsUserIrq=false+abortOnPreempt=false');
  });
});
