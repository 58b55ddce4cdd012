import { runLitmusCommand } from '../../litmus/command.js';
import { lastOption, numberOption, type Args } from '../args.js';

/** `rseq-check litmus MODEL|--suite [--policy P] [--runs N] [--seconds S]`: litmus/command.ts runs it. */
export function litmusCommand(args: Args): Promise<number> {
  const runs = numberOption(args, '--runs', false);
  const seconds = numberOption(args, '--seconds', false);
  const model = args.positional[0];
  const policy = lastOption(args, '--policy');
  return runLitmusCommand({
    ...(model ? { model } : {}),
    suite: args.options.has('--suite'),
    ...(policy ? { policy } : {}),
    ...(typeof runs === 'number' ? { runs } : {}),
    ...(typeof seconds === 'number' ? { seconds } : {}),
  });
}
