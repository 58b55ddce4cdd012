import { Command } from '@commander-js/extra-typings';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { reviewToMarkdown } from '../../reports/review-markdown.js';
import { review, reviewSize } from '../../run/review.js';
import { badOption, jsonOption, maxMemoryOption, maxSecondsOption, maxStatesOption, quietOption, workersOption } from '../options.js';
import { checkOutputDirectory } from '../output-paths.js';
import { Output } from '../output.js';
import { partsBar } from '../progress.js';
import { writeReviewReport } from '../report.js';
import { withStopSignals } from '../signals.js';

/**
 * `rseq-check review [--out DIR] [--workers N] [--json]`: every seed scenario under every preset
 * and proposal, as a Markdown matrix (or its JSON document), and with --out review.md,
 * review.json and an HTML report in DIR. Exit 3 if a cell is incomplete: --max-seconds or the
 * first SIGINT/SIGTERM stop the review with the cells done so far, the rest incomplete;
 * --max-states caps each exploration of a cell and --max-memory the process.
 */
export function reviewCommand(): Command {
  return new Command('review')
    .summary('the design review: every seed scenario under every kernel preset and proposal')
    .description('Checks every seed scenario under every kernel preset and proposal and prints the verdict matrix (exit 3 if a cell is incomplete).')
    .option('--out <DIR>', 'also write DIR/review.md, DIR/review.json and DIR/report.html')
    .option('--report <DIR>', 'the same as --out')
    .addOption(workersOption())
    .addOption(maxSecondsOption())
    .addOption(maxStatesOption().default(undefined, 'each cell\'s explorations stop at 2 000 000 states'))
    .addOption(maxMemoryOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .action(async (flags) => {
      const out = new Output(flags.json === true);
      const dir = flags.out ?? flags.report;
      if (flags.out !== undefined && flags.report !== undefined) throw badOption('--report', '--report and --out name the same directory: give one');
      if (dir !== undefined) checkOutputDirectory(flags.out !== undefined ? '--out' : '--report', dir);
      process.exitCode = await withStopSignals(async (signal) => {
        const progress = partsBar(flags.quiet !== true && !out.json, 'review', reviewSize(), 'cells');
        const r = await review({
          workers: flags.workers ?? availableParallelism(),
          signal,
          ...(flags.maxSeconds !== undefined ? { maxSeconds: flags.maxSeconds } : {}),
          ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
          ...(flags.maxMemory !== undefined ? { maxMemoryMB: flags.maxMemory } : {}),
          ...(progress ? { onCell: progress.onPart } : {}),
        });
        progress?.stop();
        const md = reviewToMarkdown(r);
        out.result(r, () => md);
        if (dir !== undefined) {
          const html = await writeReviewReport(r, md, dir);
          out.note(`wrote ${dir}/review.md, review.json and report.html (${r.cells.length} cells, ${r.seconds.toFixed(1)} s; the page weighs ${statSync(html).size.toLocaleString('en-US')} bytes)`);
          out.note(`report: ${html}`);
        }
        return r.cells.some((c) => c.verdict === 'incomplete') ? 3 : 0;
      });
    });
}
