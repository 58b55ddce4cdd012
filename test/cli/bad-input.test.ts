import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bad = (f: string) => join('test', 'cli', 'bad-models', f);
const good = join('test', 'cli', 'good-tiny.json');

/** Runs the built CLI (npm test builds dist/ first). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bad input: exit 2, one located message, never a stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown label', ['check', bad('unknown-label.json')], /unknown-label.json:\d+:\d+: unknown-label: programs\.worker\[3\]\.target: jumps to "abrot".*did you mean "abort"/],
    ['a jump out of range', ['check', bad('jump-out-of-range.json')], /jump-out-of-range: programs\.worker\[8\]\.target: jumps to instruction 42/],
    ['abort_ip inside the c.s.', ['check', bad('abort-inside-cs.json')], /bad-descriptor: descriptors\.cs\.abort: abort_ip "start" lies inside the critical section/],
    ['a descriptor naming no program', ['check', bad('descriptor-no-program.json')], /unknown-program: descriptors\.cs\.program: names no program "wroker".*did you mean "worker"/],
    ['an unparsable property', ['check', bad('bad-property.json')], /bad-property: final\[0\]\.expr:/],
    ['invalid JSON', ['check', bad('not-json.json')], /not-json.json:\d+:\d+: bad-json/],
    ['an unknown knob', ['check', good, '--knob', 'eventTraking=mask3'], /unknown-knob: --knob\.eventTraking: unknown knob "eventTraking" \(did you mean "eventTracking"\?\)/],
    ['a bad knob value', ['check', good, '--knob', 'eventTracking=sometimes'], /bad-knob-value: .*"sometimes" is not a value of eventTracking/],
    ['an unknown preset', ['check', good, '--policy', 'linux-9.9'], /unknown-policy: --policy: unknown policy "linux-9.9"/],
    ['a negative budget', ['check', good, '--preemptions', '-1'], /bad-budget: --preemptions: --preemptions must be a non-negative integer/],
    ['a non-integer budget', ['check', good, '--signals', '1.5'], /bad-budget: --signals: --signals must be a non-negative integer/],
    ['an unknown property', ['check', good, '--property', 'G4'], /unknown-property: --property: unknown property "G4"/],
    ['an unparsable --param', ['check', 'percpu-counter', '--param', 'threads=lots'], /bad-param: --param\.threads: threads must be an integer/],
    ['an unknown model', ['check', 'percpu-countr'], /unknown-model: MODEL: no built-in model or file "percpu-countr" \(did you mean "percpu-counter"\?\)/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});

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
