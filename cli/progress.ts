import cliProgress from 'cli-progress';
import type { Progress } from '../checker/options.js';
import type { WorkerTally } from '../run/queue/coordinator.js';

/**
 * A progress line on stderr for a run of `total` parts (review cells, litmus cases, temporal
 * properties on workers): `what | bar | done/total units | seconds`. Off as `progressBar` is.
 */
export function partsBar(enabled: boolean, what: string, total: number, units: string): { onPart: () => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${what} | {bar} | {value}/{total} ${units} | {duration} s`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { onPart: () => bar.increment(), stop: () => bar.stop() };
}

/**
 * A progress line on stderr (states, states/s, frontier, depth, memory, elapsed) while a check
 * runs. Off when stderr is not a terminal or with --quiet: returns undefined then.
 */
export function progressBar(enabled: boolean): { onProgress: (p: Progress) => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'exploring | {states} states | {rate} states/s | frontier {frontier} | depth {depth} | {memory} MB | {elapsed} s',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(p) {
      const payload = {
        states: p.states,
        rate: Math.round(p.statesPerSecond),
        frontier: p.frontier,
        depth: p.depth,
        memory: (p.memoryBytes / 1048576).toFixed(0),
        elapsed: p.seconds.toFixed(1),
      };
      if (!started) {
        bar.start(1, 0, payload);
        started = true;
      } else bar.update(0, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** How often the queue's board is redrawn at most. */
const BOARD_EVERY_MS = 200;

/** A line on stderr for a run on the queue: per worker, its jobs done / running / failed. Off as `progressBar` is. */
export function queueBoard(enabled: boolean): { onBoard: (board: ReadonlyMap<string, WorkerTally>) => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  let last = 0;
  let drawn = false;
  return {
    onBoard(board) {
      const now = Date.now();
      if (now - last < BOARD_EVERY_MS) return;
      last = now;
      const parts = [...board].map(([w, t]) => `${w}: ${t.done} done, ${t.running} running, ${t.failed} failed`);
      process.stderr.write(`\r\x1b[Kqueue | ${parts.join(' | ')}`.slice(0, (process.stderr.columns || 200) + 4));
      drawn = true;
    },
    stop() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}
