/**
 * Runs the built CLI (dist/cli/main.js; npm test builds dist/ first) as a child process from the
 * repository's root, to its end or, on request, stopping it with a signal once it is under way:
 * the tests that run the command line share it, and `spawnNode` under it.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI's entry point. */
export const cliMain = join(root, 'dist', 'cli', 'main.js');

export interface CliRun {
  readonly code: number | null;
  /** The signal that killed it, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** When and how to stop the child. */
export interface CliStop {
  /** CPU seconds the child must have used first: start-up takes well under that, so the search is under way however loaded the machine is. */
  readonly cpu: number;
  /** The signal sent then. */
  readonly signal: NodeJS.Signals;
  /** A further condition to wait for (e.g. a checkpoint file written). */
  readonly until?: () => boolean;
}

/** CPU seconds (user + system, every thread) process `pid` has used; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** A started node process; `done` resolves when it has exited and its output is read. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/**
 * Starts node with `argv` from the repository's root, with `env` over this process's environment
 * and stdin closed, collecting its output; `onStderr` sees all of stderr so far after each chunk
 * (to signal the child at a point it reports).
 */
export function spawnNode(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; onStderr?: (stderr: string, child: ChildProcess) => void } = {}): Spawned {
  const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    options.onStderr?.(stderr, child);
  });
  return { child, done: new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

/** Runs the CLI with `args` to its end; with `stop`, signals it as `stop` says. */
export async function runCli(args: readonly string[], stop?: CliStop): Promise<CliRun> {
  const { child, done } = spawnNode([cliMain, ...args]);
  let running = true;
  void done.then(() => (running = false));
  if (stop) {
    while (running && (cpuSeconds(child.pid!) < stop.cpu || !(stop.until?.() ?? true))) await new Promise((r) => setTimeout(r, 25));
    if (running) child.kill(stop.signal);
  }
  return done;
}

/** Runs the CLI with `args` to its end, synchronously, its output as text. */
export function runCliSync(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliMain, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
}
