import { Command } from '@commander-js/extra-typings';
import { runReportCommand } from '../report.js';

/** `rseq-check report RESULT.json -o report.html`: the HTML report of a saved result. */
export function reportCommand(): Command<[string]> {
  return new Command('report')
    .summary('render a saved --json result as a self-contained HTML report')
    .argument('<RESULT.json>', 'the output of "check --json", a review.json, or a trace document')
    .option('-o, --output <FILE>', 'the HTML file to write', 'report.html')
    .action(async (input, flags) => {
      process.exitCode = await runReportCommand(input, flags.output);
      process.stderr.write(`wrote ${flags.output}\n`);
    });
}
