/**
 * A litmus run honours --max-seconds and the first SIGINT/SIGTERM like every run kind: it ends
 * incomplete (exit 3) with the cases done, names what stopped it and the cases not run, kills the
 * program that was running (none is left behind) and prints one JSON document with --json.
 * Skipped where litmus programs cannot run (no gcc, no rseq, a seccomp filter).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { litmusSuite } from '../../litmus/suite.js';
import { kernelPathCases } from '../../litmus/kernel-paths.js';
import { checkEnvironment } from '../../litmus/run.js';
import { validateResultValue } from '../../reports/json.js';
import { cliMain, spawnNode, type CliRun } from '../cli/cli-runner.js';

const suiteIds = [...litmusSuite().map((c) => c.id), ...kernelPathCases().map((c) => c.id)];
const env = await checkEnvironment();

/**
 * This file's CLI runs build their litmus programs under their own TMPDIR, so that the orphan
 * check below sees only programs they started (other test files, such as the queue's SIGKILL
 * test, may leave one of theirs running for its few seconds meanwhile).
 */
const privateTmp = mkdtempSync(join(tmpdir(), 'rseq-litmus-stop-'));
afterAll(() => rmSync(privateTmp, { recursive: true, force: true }));

/**
 * Litmus programs (binaries called rseq-litmus) of this file's runs left orphaned, as a killed
 * run's would be: those still running have their parent.
 */
function orphanedLitmusPrograms(): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      const program = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0]!;
      if (parent === 1 && program.startsWith(privateTmp) && program.endsWith('/rseq-litmus')) pids.push(Number(d));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * The orphans still there after a short grace. A killed program's run child dies by its
 * PR_SET_PDEATHSIG SIGKILL, which the kernel sends as the program exits but the child acts on
 * when next scheduled: on a loaded machine it can still be seen, reparented to init, just after
 * the CLI exits. A program the CLI failed to kill runs on for seconds (each case here runs its
 * program for longer than the grace).
 */
async function orphansAfterGrace(graceMs = 500): Promise<number[]> {
  const until = Date.now() + graceMs;
  for (;;) {
    const pids = orphanedLitmusPrograms();
    if (pids.length === 0 || Date.now() >= until) return pids;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs the CLI; with `stop`, sends SIGINT `afterMs` after stderr first matches `stop.when`. */
function run(args: readonly string[], stop?: { when: RegExp; afterMs: number }): Promise<CliRun> {
  let sent = false;
  const onStderr = (stderr: string, child: ChildProcess): void => {
    if (stop && !sent && stop.when.test(stderr)) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), stop.afterMs);
    }
  };
  return spawnNode([cliMain, ...args], { env: { TMPDIR: privateTmp }, onStderr }).done;
}

describe.skipIf(!env.ok).concurrent(`litmus stops like every run kind${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  it('SIGINT while a program runs: exit 3, one JSON document naming SIGINT and every case not run, no program left', async () => {
    // Each case runs its program for 3 s: the signal, 1 s after the start, lands inside the first.
    const r = await run(['litmus', '--suite', '--runs', '1000', '--seconds', '3', '--json'], { when: /^compiler: /m, afterMs: 1000 });
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as { verdict: string; stoppedBy: unknown; cases: { id: string }[]; notRun: string[] };
    expect(validateResultValue(doc)).toEqual([]);
    expect(doc).toMatchObject({ kind: 'litmus', verdict: 'incomplete', stoppedBy: { kind: 'interrupted', signal: 'SIGINT' } });
    expect([...doc.cases.map((c) => c.id), ...doc.notRun]).toEqual(suiteIds);
    expect(doc.notRun.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^SIGINT: stopping the run/m);
    expect(await orphansAfterGrace()).toEqual([]);
  });

  it('--max-states cuts the model of a case short: inconclusive, exit 3, the limit named', async () => {
    // membarrier-rseq's model needs more than 50 states, and the kernel shows outcomes the first 50 do not reach.
    const r = await run(['litmus', 'suite/membarrier-rseq', '--runs', '20', '--seconds', '0.3', '--max-states', '50', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as { cases: { verdict: string; modelComplete: boolean; reason: string }[] };
    expect(validateResultValue(doc)).toEqual([]);
    expect(doc.cases[0]).toMatchObject({ verdict: 'inconclusive', modelComplete: false });
    expect(doc.cases[0]!.reason).toMatch(/^the model's exploration stopped \(states limit 50\)/);
  });

  it('--max-seconds: exit 3, the cases done, then the time limit and the cases not run, in text', async () => {
    // Each case runs its program for 2 s at most: the time limit lands inside the first.
    const r = await run(['litmus', '--suite', '--runs', '100000', '--seconds', '2', '--max-seconds', '1']);
    expect(r.code, r.stderr).toBe(3);
    const notRun = /^INCOMPLETE: stopped by --max-seconds 1; not run: (.+)$/m.exec(r.stdout);
    expect(notRun, r.stdout).not.toBeNull();
    const ids = notRun![1]!.split(', ');
    expect(ids).toEqual(suiteIds.slice(suiteIds.length - ids.length));
    expect(await orphansAfterGrace()).toEqual([]);
  });
});
