import { availableParallelism } from 'node:os';
import { InputErrors } from '../models/ir/errors.js';

/** Parsed command line: the command, positional arguments, and repeated/single options. */
export interface Args {
  readonly command: string;
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, readonly string[]>;
}

const flags = new Set(['--json', '--quiet', '--help', '-h', '--finite-events', '--suite', '--no-reduce', '--no-symmetry']);
const known = new Set([
  '--policy',
  '--knob',
  '--param',
  '--property',
  '--preemptions',
  '--migrations',
  '--signals',
  '--interrupts',
  '--traps',
  '--max-states',
  '--max-seconds',
  '--max-memory',
  '--replay',
  '--ltl',
  '--workers',
  '--search',
  '--graph',
  '--fairness',
  '--finite-events',
  '--no-reduce',
  '--no-symmetry',
  '-o',
  '--runs',
  '--seconds',
  '--suite',
  '--out',
  '--report',
  '--json',
  '--quiet',
  '--help',
  '-h',
]);

/** Splits argv into a command, positionals and options; unknown options are input errors. */
export function parseArgs(argv: readonly string[]): Args {
  const [command = 'help', ...rest] = argv;
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!known.has(name)) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: [name], message: `unknown option ${name}` }]);
    if (flags.has(name)) {
      // A flag may name what it applies to (`--no-reduce=dead-events`).
      options.set(name, [...(options.get(name) ?? []), inline ?? 'true']);
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: [name], message: `${name} needs a value` }]);
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { command, positional, options };
}

/** The value of a single-valued option: the last one given. */
export function lastOption(args: Args, name: string): string | undefined {
  return args.options.get(name)?.at(-1);
}

/** A bad command line (exit 2): `path` names the option or argument at fault. */
export function badOption(path: string, message: string): InputErrors {
  return new InputErrors([{ code: 'bad-option', file: '<command line>', path: [path], message }]);
}

/** `--workers N` (at least 1), by default one per available core. */
export function workersOption(args: Args): number {
  const n = numberOption(args, '--workers', false);
  if (n === 0) throw badOption('--workers', '--workers must be at least 1');
  return typeof n === 'number' ? n : availableParallelism();
}

/** A single numeric option: a non-negative integer (or "unbounded" where allowed). */
export function numberOption(args: Args, name: string, allowUnbounded: boolean): number | 'unbounded' | undefined {
  const v = args.options.get(name);
  if (!v) return undefined;
  const raw = v[v.length - 1]!;
  if (allowUnbounded && raw === 'unbounded') return 'unbounded';
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (!Number.isInteger(n) && name !== '--max-seconds'))
    throw new InputErrors([{ code: name.startsWith('--max') ? 'bad-option' : 'bad-budget', file: '<command line>', path: [name], message: `${name} must be a non-negative integer${allowUnbounded ? ' or "unbounded"' : ''}, got "${raw}"` }]);
  return n;
}
