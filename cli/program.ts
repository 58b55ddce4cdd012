/**
 * The command line: one commander parser per command (cli/commands/*). Every parse problem
 * commander finds is turned into a located `InputErrors` (exit 2) naming the culprit, with a
 * did-you-mean among the command's own options (fastest-levenshtein), and "does not apply" for
 * an option of another command.
 */
import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { checkCommand } from './commands/check.js';
import { galleryCommand } from './commands/gallery.js';
import { litmusCommand } from './commands/litmus.js';
import { modelsCommand } from './commands/models.js';
import { policiesCommand } from './commands/policies.js';
import { reportCommand } from './commands/report.js';
import { reviewCommand } from './commands/review.js';
import { workerCommand } from './commands/worker.js';
import { badOption } from './options.js';
import { version } from './version.js';
import { InputErrors, suggest } from '../models/ir/errors.js';


const longFlags = (cmd: CommandUnknownOpts): string[] => (cmd.options).map((o) => o.long).filter((l): l is string => l !== undefined);

/** Help after an error, and the error itself, are ours to print: commander stays quiet. */
const quiet = { outputError: () => undefined };

export const exitCodes = { holds: 0, violated: 1, badInput: 2, incomplete: 3, internal: 70 } as const;

/** The whole program, every command with its own options. */
export function program(): Command {
  const commands = [checkCommand(), reviewCommand(), litmusCommand(), reportCommand(), modelsCommand(), galleryCommand(), policiesCommand(), workerCommand()] as CommandUnknownOpts[];
  const root = new Command('rseq-check')
    .description('Exhaustive model checking of Linux restartable sequences (rseq).')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .configureOutput(quiet)
    .showSuggestionAfterError(false)
    .addHelpText(
      'after',
      '\nMODEL is a built-in name, gallery/NAME, or a JSON model file. "rseq-check COMMAND --help" tells one command\'s options.\n' +
        'exit: 0 holds, 1 violated, 2 bad input, 3 incomplete (a limit or Ctrl-C stopped the run), 70 internal error',
    );
  root.exitOverride((e) => {
    throw translate(e, root, commands);
  });
  for (const c of commands) {
    c.configureOutput(quiet).showSuggestionAfterError(false).helpOption('-h, --help', 'print this help');
    c.exitOverride((e) => {
      throw translate(e, c, commands);
    });
    root.addCommand(c);
  }
  return root;
}

/** A commander error as ours: help and version pass (exit 0), the rest is bad input naming the culprit. */
function translate(e: CommanderError, cmd: CommandUnknownOpts, commands: readonly CommandUnknownOpts[]): Error {
  if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return e;
  const name = cmd.name();
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'commander.unknownOption': {
      const flag = quoted;
      const own = longFlags(cmd);
      const bare = flag.includes('=') ? flag.slice(0, flag.indexOf('=')) : flag;
      if (flag.includes('=') && own.includes(bare)) return badOption(bare, `${bare} takes no value (got "${flag}")`);
      const elsewhere = commands.filter((c) => c !== cmd && longFlags(c).includes(bare)).map((c) => c.name());
      if (elsewhere.length > 0) return badOption(bare, `${bare} does not apply to ${name === 'rseq-check' ? 'rseq-check without a command' : name} (it is an option of ${elsewhere.join(', ')})`);
      const near = suggest(bare, own);
      return new InputErrors([{ code: 'bad-option', file: '<command line>', path: [bare], message: `unknown option ${bare} for ${name}`, ...(near ? { hint: `did you mean ${near}?` } : {}) }]);
    }
    case 'commander.unknownCommand': {
      const near = suggest(quoted, commands.map((c) => c.name()));
      return new InputErrors([{ code: 'bad-option', file: '<command line>', path: [quoted], message: `unknown command "${quoted}" (commands: ${commands.map((c) => c.name()).join(', ')})`, ...(near ? { hint: `did you mean ${near}?` } : {}) }]);
    }
    case 'commander.excessArguments': {
      const expected = cmd.registeredArguments.length;
      const extra = cmd.args.slice(expected);
      return badOption(extra[0] ?? name, `${name} takes ${expected === 0 ? 'no arguments' : `one ${cmd.registeredArguments[0]!.name()}`}; unexpected ${extra.map((a) => `"${a}"`).join(' ')}`);
    }
    case 'commander.missingArgument':
      return badOption(quoted, name === 'check' ? 'check needs a MODEL (see "rseq-check models")' : `${name} needs a ${quoted}`);
    case 'commander.optionMissingArgument': {
      const flag = /--[a-z-]+|-[a-z]/.exec(quoted)?.[0] ?? quoted;
      return badOption(flag, `${flag} needs a value`);
    }
    case 'commander.help': {
      // `rseq-check help NAME` with a NAME that is no command.
      const names = commands.map((c) => c.name());
      const asked = cmd.args.find((a) => a !== 'help' && !names.includes(a));
      if (asked !== undefined) {
        const near = suggest(asked, names);
        return new InputErrors([{ code: 'bad-option', file: '<command line>', path: [asked], message: `unknown command "${asked}" (commands: ${names.join(', ')})`, ...(near ? { hint: `did you mean ${near}?` } : {}) }]);
      }
      return badOption('COMMAND', `a command is needed: ${commands.map((c) => c.name()).join(', ')} (rseq-check --help tells more)`);
    }
    default:
      return badOption(name, e.message.replace(/^error: /, ''));
  }
}
