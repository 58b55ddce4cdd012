/**
 * Signals during a run, the same for every command: the first SIGINT (Ctrl-C) or SIGTERM aborts
 * the run through its AbortSignal, so it ends incomplete (exit 3) with its statistics, coverage
 * and any report; a second one ends the process at once (SIGINT: exit 130, SIGTERM: 143).
 */

/** Exit codes of a second signal: 128 + the signal's number, as a shell reports a killed process. */
const atOnce = { SIGINT: 130, SIGTERM: 143 } as const;

type StopSignal = keyof typeof atOnce;

/** Runs `run` with SIGINT and SIGTERM turned into an abort of the signal it is given. */
export async function withStopSignals<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: StopSignal): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${name} again: stopping at once, without a result\n`);
      process.exit(atOnce[name]);
    }
    process.stderr.write(`\n${name}: stopping the run; the statistics so far follow (${name === 'SIGINT' ? 'Ctrl-C' : name} again stops at once)\n`);
    controller.abort(name);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
