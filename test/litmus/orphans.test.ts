/**
 * A litmus program that is SIGKILLed (litmus's --max-seconds, a signal to the run) takes the
 * child it forked for the current run with it: every forked child asks for SIGKILL when its
 * parent dies (PR_SET_PDEATHSIG) and exits at once if the parent died before it asked. Without
 * that, the child lives on, orphaned, until its run ends.
 *
 * The real run is skipped where litmus programs cannot run (no gcc, no rseq, a seccomp filter).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { I, ModelBuilder } from '../../models/ir/builder.js';
import { validateModel } from '../../models/ir/validate.js';
import { generateLitmusC, type LitmusPlan } from '../../litmus/generate.js';
import { checkEnvironment, compileLitmus } from '../../litmus/run.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = await checkEnvironment();

/** Processes (pid and parent pid) whose executable is `binary`. */
function processesOf(binary: string): { pid: number; parent: number }[] {
  const found: { pid: number; parent: number }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/exe`) !== binary) continue;
      found.push({ pid: Number(d), parent: Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) });
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `test` every 20 ms until it holds or `ms` pass; whether it held. */
async function waitFor(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (test()) return true;
  return test();
}

describe('every fork of the litmus C programs', () => {
  it('is followed, in the child, by the request to die with the parent (runtime.c and kernel-paths.c)', () => {
    for (const file of ['runtime.c', 'kernel-paths.c']) {
      const source = readFileSync(join(here, '..', '..', 'litmus', file), 'utf8');
      // `pid_t c = fork();`, then the child's branch `if (c == 0) { ...`: its first statement.
      const forks = [...source.matchAll(/pid_t (\w+) = fork\(\);[^]*?if \(\1 == 0\) \{?\s*([^;]*)/g)];
      expect(forks.length, file).toBe(2);
      for (const m of forks) expect(m[2], file).toMatch(/^litmus_die_with_parent\(/);
    }
  });
});

describe.skipIf(!env.ok)(`a SIGKILLed litmus program${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  it('leaves no child behind, though the child had seconds of its run left', async () => {
    // One thread whose single run spins 3 s (three 1 s delay loops) before its store: the run's child outlives a kill of its parent by seconds unless it dies with it.
    const v = validateModel(new ModelBuilder('long-run').cpus(1).memory('x', {}).program('main', [I.nop(), I.store({ var: 'x' }, 1), I.done()]).thread({ name: 'T1', program: 'main', cpu: 'C0' }).build(), 'long-run');
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const second = { program: 'main', at: 1, us: 1_000_000 };
    const plan: LitmusPlan = { signals: 0, migrations: 0, windowUs: 1, competitors: false, delays: [second, second, second], runTimeoutSeconds: 30 };
    const compiled = await compileLitmus(generateLitmusC(v.ir, plan, 'long-run').source);
    try {
      const program = spawn(compiled.binary, ['1', '30', '1'], { stdio: 'ignore' });
      const childRuns = await waitFor(() => processesOf(compiled.binary).some((p) => p.parent === program.pid), 10_000);
      expect(childRuns, 'the run child started').toBe(true);
      const exited = new Promise((resolve) => program.on('exit', resolve));
      program.kill('SIGKILL');
      await exited;
      await sleep(300);
      const left = processesOf(compiled.binary);
      for (const p of left) process.kill(p.pid, 'SIGKILL');
      expect(left).toEqual([]);
    } finally {
      compiled.dispose();
    }
  }, 30_000);
});
