#!/usr/bin/env node
import { CommanderError } from '@commander-js/extra-typings';
import { formatInputError, InputErrors } from '../models/ir/errors.js';
import { exitCodes, program } from './program.js';
import { recordCommandLine } from '../run/provenance.js';

/**
 * rseq-check's entry: parses the command line (program.ts) and runs the command, which sets the
 * exit code. Bad input exits 2 with one located line per problem; anything else is an internal
 * error, exit 70, reported in one line with a hint to report it (the stack only with RSEQ_CHECK_DEBUG=1).
 */
recordCommandLine(process.argv.slice(2));
// A reader that stops early (`rseq-check check ... | head`) closes the pipe: the rest of the
// output has nowhere to go, which is no error of the run. Its reports and exit code still follow.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const cli = program();
// No command at all: the overview, as `rseq-check --help` prints it.
const argv = process.argv.length > 2 ? process.argv : [...process.argv, '--help'];
cli
  .parseAsync(argv)
  .then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof CommanderError && e.exitCode === 0) {
        process.exitCode = 0;
        return;
      }
      if (e instanceof InputErrors) {
        for (const err of e.errors) console.error(formatInputError(err));
        process.exitCode = exitCodes.badInput;
        return;
      }
      console.error(`rseq-check: internal error: ${e instanceof Error ? e.message.split('\n')[0]! : String(e)}`);
      console.error('  this is a bug in rseq-check: please report it with the command line that caused it');
      if (process.env['RSEQ_CHECK_DEBUG'] === '1' && e instanceof Error && e.stack) console.error(e.stack);
      process.exitCode = exitCodes.internal;
    },
  );
