#!/usr/bin/env node
import { formatInputError, InputErrors } from '../models/ir/errors.js';
import { badOption, parseArgs, type Args } from './args.js';
import { checkCommand } from './commands/check.js';
import { galleryCommand } from './commands/gallery.js';
import { litmusCommand } from './commands/litmus.js';
import { modelsCommand } from './commands/models.js';
import { policiesCommand } from './commands/policies.js';
import { reportCommand } from './commands/report.js';
import { reviewCommand } from './commands/review.js';
import { usage } from './usage.js';

/** A command: its parsed command line in, its exit code out. */
type Command = (args: Args) => number | Promise<number>;

const help: Command = () => {
  console.log(usage);
  return 0;
};

const commands = new Map<string, Command>([
  ['check', checkCommand],
  ['review', reviewCommand],
  ['litmus', litmusCommand],
  ['report', reportCommand],
  ['models', modelsCommand],
  ['gallery', galleryCommand],
  ['policies', policiesCommand],
  ['help', help],
  ['--help', help],
  ['-h', help],
]);

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const command = commands.get(args.command);
  if (!command) throw badOption(args.command, `unknown command "${args.command}"\n${usage}`);
  return command(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputErrors) {
      for (const err of e.errors) console.error(formatInputError(err));
      process.exitCode = 2;
      return;
    }
    console.error(`rseq-check: internal error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 70;
  },
);
