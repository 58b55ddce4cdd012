/**
 * Limits and signals on real child processes: every run kind (plain check, one and two temporal
 * properties, review) stopped by SIGINT, SIGTERM, --max-seconds, --max-states or --max-memory ends incomplete (exit 3) with
 * its statistics, the reason named, one JSON document with --json and its report written; a
 * second SIGINT or SIGTERM ends the process at once (exit 130 or 143). The runs would take minutes;
 * each is stopped after a second or two of CPU, and the cases run side by side.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateResultValue } from '../../reports/json.js';
import { cliMain, runCli, spawnNode, type CliRun } from './cli-runner.js';

/** A model whose temporal checks run for minutes and its safety check for seconds (896 025 states). */
const big = ['percpu-counter', '--param', 'threads=4', '--param', 'ops=4', '--param', 'signals=1'];

/** The one JSON document on stdout, checked against the published schema. */
function oneDocument(stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  expect(validateResultValue(doc)).toEqual([]);
  return doc;
}

const temp = (): string => mkdtempSync(join(tmpdir(), 'rseq-signals-'));

/**
 * Runs the CLI's withStopSignals (dist/cli/signals.js) over a run that, once aborted, prints
 * nothing and waits a minute; sends `name` once the first has been handled (its notice is on
 * stderr), and returns how the process ended.
 */
function stopTwice(name: 'SIGINT' | 'SIGTERM'): Promise<CliRun> {
  const signals = pathToFileURL(join(dirname(cliMain), 'signals.js')).href;
  // The interval keeps the process alive while the run waits: a listener alone would not.
  const probe = `import { withStopSignals } from ${JSON.stringify(signals)};
setInterval(() => {}, 1_000);
const code = await withStopSignals(async (signal) => {
  process.stderr.write('running\\n');
  await new Promise((stopped) => signal.addEventListener('abort', stopped));
  await new Promise((later) => setTimeout(later, 60_000));
  return 0;
});
process.stdout.write('result ' + code + '\\n');`;
  let sent = 0;
  const onStderr = (stderr: string, child: ChildProcess): void => {
    // The first signal once the run is under way, the second once the first has been handled.
    const due = sent === 0 ? stderr.includes('running\n') : sent === 1 && stderr.includes(`${name}: stopping the run`);
    if (due) {
      child.kill(name);
      sent += 1;
    }
  };
  return spawnNode(['--input-type=module', '-e', probe], { onStderr }).done;
}

describe.concurrent('limits and signals end a run as incomplete', () => {
  it('check: SIGTERM stops it (exit 3) with the statistics, one JSON document naming SIGTERM, and the report written', async () => {
    const dir = temp();
    const r = await runCli(['check', ...big, '--workers', '1', '--json', '--report', dir], { cpu: 1.5, signal: 'SIGTERM' });
    expect(r.code).toBe(3);
    const doc = oneDocument(r.stdout);
    expect(doc).toMatchObject({ kind: 'check', verdict: 'incomplete', stoppedBy: { kind: 'interrupted', signal: 'SIGTERM' } });
    expect((doc['stats'] as { states: number }).states).toBeGreaterThan(0);
    expect(doc['coverage']).toBeDefined();
    expect(r.stderr).toMatch(/^SIGTERM: stopping the run/m);
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted', signal: 'SIGTERM' } });
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('check: SIGTERM in text names it, never an interrupt or a limit', async () => {
    const r = await runCli(['check', ...big, '--workers', '1'], { cpu: 1.5, signal: 'SIGTERM' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^INCOMPLETE: percpu-counter under linux-6\.15: stopped by SIGTERM; no verdict/);
    expect(r.stdout).toMatch(/states \d+, transitions \d+/);
  });

  it('one temporal property: Ctrl-C stops it as an interrupt (not "the states limit")', async () => {
    const r = await runCli(['check', ...big, '--property', 'no-livelock', '--workers', '1'], { cpu: 1.5, signal: 'SIGINT' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^INCOMPLETE: percpu-counter under linux-6\.15: no-livelock = /);
    expect(r.stdout).toMatch(/fairness none; product states \d+, transitions \d+/);
    expect(r.stdout).toMatch(/stopped by an interrupt \(Ctrl-C\): no verdict/);
  });

  it('one temporal property: --max-seconds stops the nested DFS as the time limit', async () => {
    const r = await runCli(['check', ...big, '--property', 'no-livelock', '--workers', '1', '--max-seconds', '1', '--json']);
    expect(r.code).toBe(3);
    expect(oneDocument(r.stdout)).toMatchObject({ kind: 'temporal', verdict: 'incomplete', stoppedBy: { kind: 'time', bound: 1 } });
  });

  it('two temporal properties on workers: the first Ctrl-C stops both, in one JSON document', async () => {
    const r = await runCli(['check', ...big, '--property', 'no-livelock', '--property', 'abort-before-cs-step', '--workers', '2', '--json'], { cpu: 2.5, signal: 'SIGINT' });
    expect(r.code).toBe(3);
    const doc = oneDocument(r.stdout);
    expect(doc).toMatchObject({ kind: 'checks', verdict: 'incomplete' });
    const results = doc['results'] as Record<string, unknown>[];
    expect(results.map((x) => [x['property'], x['verdict'], x['stoppedBy']])).toEqual([
      ['no-livelock', 'incomplete', { kind: 'interrupted', signal: 'SIGINT' }],
      ['abort-before-cs-step', 'incomplete', { kind: 'interrupted', signal: 'SIGINT' }],
    ]);
  });

  it('review: SIGINT reports the cells done and the rest incomplete, in JSON and in its report', async () => {
    const dir = temp();
    // The whole review takes about 4.4 CPU seconds; stopped at 1.5, 36 to 59 of its cells were done
    // (3 runs), so the signal lands well before the end even if it is sent late.
    const r = await runCli(['review', '--workers', '2', '--json', '--out', dir], { cpu: 1.5, signal: 'SIGINT' });
    expect(r.code).toBe(3);
    const doc = oneDocument(r.stdout);
    expect(doc).toMatchObject({ kind: 'review', stoppedBy: { kind: 'interrupted', signal: 'SIGINT' } });
    const cells = doc['cells'] as { verdict: string }[];
    const done = cells.filter((c) => c.verdict !== 'incomplete').length;
    expect(cells.length).toBe(270);
    expect(done).toBeLessThan(270);
    expect(readFileSync(join(dir, 'review.md'), 'utf8')).toContain(`INCOMPLETE: stopped by SIGINT: ${done} of 270 cells done; the others are incomplete.`);
    expect(JSON.parse(readFileSync(join(dir, 'review.json'), 'utf8'))).toMatchObject({ stoppedBy: { kind: 'interrupted', signal: 'SIGINT' } });
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('the review was stopped by an interrupt (Ctrl-C) before this cell was done');
  });

  it('review: --max-seconds stops it as the time limit, in text', async () => {
    const r = await runCli(['review', '--workers', '1', '--max-seconds', '1']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^\| scenario \| /);
    expect(r.stdout).toMatch(/INCOMPLETE: stopped by the time limit \(1\): \d+ of 270 cells done; the others are incomplete\.$/m);
  });

  it('review: --max-states caps each cell, whose stop it names, in JSON', async () => {
    const r = await runCli(['review', '--workers', '1', '--max-states', '20', '--json']);
    expect(r.code).toBe(3);
    const doc = oneDocument(r.stdout);
    expect(doc).toMatchObject({ kind: 'review', stoppedBy: { kind: 'states', bound: 20 } });
    const cells = doc['cells'] as { verdict: string; states: number; stoppedBy?: unknown }[];
    const stopped = cells.filter((c) => c.verdict === 'incomplete');
    // 119 of the 270 cells need at most 20 states for each of G1, G2 and G3 (counted today; 99
    // before jump-threading; 83 before dead-rseq-cs: 64 of the 216 before the S10 rows, 19 of
    // the 54 S10 cells).
    expect(cells.length - stopped.length).toBe(119);
    for (const c of stopped) expect(c.stoppedBy).toEqual({ kind: 'states', bound: 20 });
  });

  it('review: --max-memory stops the cells that would pass it, as the memory limit', async () => {
    // The process alone is larger than 40 MB: every cell after the first check of the bound stops.
    const r = await runCli(['review', '--workers', '1', '--max-memory', '40']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/INCOMPLETE: stopped by the memory limit \(40\): \d+ of 270 cells done; the others are incomplete\.$/m);
  });

  // A real command winds down in about 0.1 s after the first signal (measured on a review with
  // 2 workers), so a second signal sent from here could arrive after it ended: the fresh-clone CI
  // of 0644fab saw that. The probe below uses the commands' own signal handling over a run that
  // never finishes winding down, so the second signal always finds it stopping.
  for (const [name, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`a second ${name} ends the run at once (exit ${code}), without a result`, async () => {
      const r = await stopTwice(name);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^${name}: stopping the run`, 'm'));
      expect(r.stderr).toMatch(new RegExp(`^${name} again: stopping at once, without a result$`, 'm'));
    });
  }
});
