/**
 * The options several commands share, and the parsers that range-check every numeric value
 * (run/options.ts holds the ranges, so a flag and a model file meet the same caps). A bad value
 * throws `InputErrors` (exit 2) naming the option; commander passes such errors through.
 */
import { Option } from '@commander-js/extra-typings';
import { InputErrors, type InputErrorCode } from '../models/ir/errors.js';
import { optionRanges, type Range } from '../run/options.js';
import { parseQueueUrl, type QueueTarget } from '../run/queue/connection.js';

/** A bad command line (exit 2): `path` names the option or argument at fault. */
export function badOption(path: string, message: string, code: InputErrorCode = 'bad-option'): InputErrors {
  return new InputErrors([{ code, file: '<command line>', path: [path], message }]);
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

const describeRange = (r: Range): string => (r.max === Number.MAX_SAFE_INTEGER ? `at least ${r.min}` : `${r.min}..${r.max}`);

/** An integer option within `range`; `unbounded` only words the message (budgets also take "unbounded"). */
function integerIn(name: string, range: Range, code: InputErrorCode, unbounded = false): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < range.min || n > range.max) {
      const what = range.min === 0 ? `a non-negative integer up to ${range.max}` : `an integer ${describeRange(range)}`;
      throw badOption(name, `${name} must be ${what}${unbounded ? ' or "unbounded"' : ''}${range.why ? ` (${range.why})` : ''}, got "${raw}"`, code);
    }
    return n;
  };
}

/** A number of seconds within `range` (fractions allowed). */
function secondsIn(name: string, range: Range): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < range.min || n > range.max)
      throw badOption(name, `${name} must be a number of seconds ${range.min}..${range.max}, got "${raw}"`);
    return n;
  };
}

/** One of `choices`, or a bad option naming them. */
export function oneOf<T extends string>(name: string, choices: readonly T[]): (raw: string) => T {
  return (raw) => {
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    throw badOption(name, `${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)!}, got "${raw}"`);
  };
}

/** The event budgets, each 0..MAX_BUDGET or "unbounded". */
export const budgetKinds = ['preemptions', 'migrations', 'signals', 'interrupts', 'traps'] as const;

export function budgetOption(kind: (typeof budgetKinds)[number]): Option<`--${typeof kind} <N>`, undefined, undefined, number | 'unbounded'> {
  const integer = integerIn(`--${kind}`, optionRanges.budget, 'bad-budget', true);
  return new Option(`--${kind} <N>`, `at most N ${kind} (0..${optionRanges.budget.max} or "unbounded"; default: the model's)`).argParser(
    (raw): number | 'unbounded' => (raw === 'unbounded' ? 'unbounded' : integer(raw)),
  );
}

export const maxStatesOption = (): Option<'--max-states <N>', undefined, undefined, number> =>
  new Option('--max-states <N>', 'stop (incomplete, exit 3) after N states').argParser(integerIn('--max-states', optionRanges.maxStates, 'bad-option'));

export const maxSecondsOption = (): Option<'--max-seconds <S>', undefined, undefined, number> =>
  new Option('--max-seconds <S>', 'stop (incomplete, exit 3) after S seconds').argParser(secondsIn('--max-seconds', optionRanges.maxSeconds));

export const maxMemoryOption = (): Option<'--max-memory <MB>', undefined, undefined, number> =>
  new Option('--max-memory <MB>', 'stop (incomplete, exit 3) before the process grows past MB megabytes').argParser(
    integerIn('--max-memory', optionRanges.maxMemoryMB, 'bad-option'),
  );

export const workersOption = (): Option<'--workers <N>', undefined, undefined, number> =>
  new Option('--workers <N>', `worker threads (1..${optionRanges.workers.max}; default: one per core)`).argParser(integerIn('--workers', optionRanges.workers, 'bad-option'));

/** `check --checkpoint-every S`. */
export const checkpointEveryOption = (): Option<'--checkpoint-every <S>', undefined, undefined, number> =>
  new Option('--checkpoint-every <S>', 'with --checkpoint: write it every S seconds (default 60)').argParser(secondsIn('--checkpoint-every', optionRanges.checkpointEvery));

export const jsonOption = (): Option<'--json'> => new Option('--json', 'print exactly one JSON document on stdout (human text goes to stderr)');

/** `--queue URL`: the Redis job queue the run's work goes on (checked for its form here, for an answer before any work). */
export const queueOption = (what: string): Option<'--queue <URL>', undefined, undefined, QueueTarget> =>
  new Option('--queue <URL>', `${what} (redis://[user:password@]host:port or rediss:// for TLS)`).argParser((raw) => parseQueueUrl(raw));

export const quietOption = (): Option<'--quiet'> => new Option('--quiet', 'no progress line on stderr');

/** `litmus --runs N`. */
export const runsOption = (): Option<'--runs <N>', undefined, undefined, number> =>
  new Option('--runs <N>', 'runs of each litmus program').argParser(integerIn('--runs', optionRanges.litmusRuns, 'bad-option'));

/** `litmus --seconds S`. */
export const litmusSecondsOption = (): Option<'--seconds <S>', undefined, undefined, number> =>
  new Option('--seconds <S>', 'seconds each litmus program may run').argParser(secondsIn('--seconds', optionRanges.litmusSeconds));
