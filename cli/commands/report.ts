import { badOption, lastOption, type Args } from '../args.js';
import { runReportCommand } from '../report.js';

/** `rseq-check report RESULT.json -o report.html`: the HTML report of a saved result. */
export async function reportCommand(args: Args): Promise<number> {
  const input = args.positional[0];
  const output = lastOption(args, '-o') ?? 'report.html';
  if (!input) throw badOption('RESULT.json', 'report needs a saved result: rseq-check report RESULT.json -o report.html');
  const code = await runReportCommand(input, output);
  console.log(`wrote ${output}`);
  return code;
}
