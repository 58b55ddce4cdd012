import { Command, Option } from '@commander-js/extra-typings';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { reviewToMarkdown } from '../../reports/review-markdown.js';
import { review, reviewPolicies, reviewSize } from '../../run/review.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import { suggest } from '../../models/ir/errors.js';
import type { ReviewResult } from '../../run/result.js';
import { checkReachable } from '../../run/queue/connection.js';
import { QueueJobFailed } from '../../run/queue/job-failed.js';
import { badOption, collect, jsonOption, maxMemoryOption, maxSecondsOption, maxStatesOption, queueOption, quietOption, workersOption } from '../options.js';
import { checkOutputDirectory } from '../output-paths.js';
import { Output } from '../output.js';
import { partsBar, queueBoard } from '../progress.js';
import { writeReviewReport } from '../report.js';
import { withStopSignals } from '../signals.js';
import { version } from '../version.js';

/**
 * `rseq-check review [--out DIR] [--workers N] [--json]`: every seed scenario under every preset
 * and proposal, as a Markdown matrix (or its JSON document), and with --out review.md,
 * review.json and an HTML report in DIR. Exit 3 if a cell is incomplete: --max-seconds or the
 * first SIGINT/SIGTERM stop the review with the cells done so far, the rest incomplete;
 * --max-states caps each exploration of a cell and --max-memory the process (each worker's, on
 * the queue). With --queue URL, one job per cell goes on the Redis queue that `rseq-check worker`
 * processes serve; a job failing on every attempt ends the run without a verdict (exit 70).
 */
export function reviewCommand(): Command {
  return new Command('review')
    .summary('the design review: every seed scenario under every kernel preset and proposal')
    .description('Checks every seed scenario under every kernel preset and proposal (or those --scenario and --policy name) and prints the verdict matrix (exit 3 if a cell is incomplete).')
    .option('--out <DIR>', 'also write DIR/review.md, DIR/review.json and DIR/report.html')
    .option('--report <DIR>', 'the same as --out')
    .addOption(new Option('--scenario <ID>', 'only this seed scenario (repeatable)').argParser(collect).default([] as string[], 'every scenario'))
    .addOption(new Option('--policy <NAME>', 'only this kernel preset or proposal (repeatable)').argParser(collect).default([] as string[], 'every preset and proposal'))
    .addOption(workersOption())
    .addOption(maxSecondsOption())
    .addOption(maxStatesOption().default(undefined, 'each cell\'s explorations stop at 2 000 000 states'))
    .addOption(maxMemoryOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(queueOption('put one job per cell on this Redis queue, served by "rseq-check worker" processes'))
    .action(async (flags) => {
      const out = new Output(flags.json === true);
      const dir = flags.out ?? flags.report;
      if (flags.out !== undefined && flags.report !== undefined) throw badOption('--report', '--report and --out name the same directory: give one');
      if (dir !== undefined) checkOutputDirectory(flags.out !== undefined ? '--out' : '--report', dir);
      const subset = reviewSubset(flags.scenario, flags.policy);
      const queue = flags.queue;
      if (queue !== undefined && flags.workers !== undefined) throw badOption('--workers', '--workers does not apply with --queue (the queue\'s workers are "rseq-check worker" processes)');
      if (queue !== undefined) await checkReachable(queue);
      process.exitCode = await withStopSignals(async (signal) => {
        const showProgress = flags.quiet !== true && !out.json;
        const limits = {
          signal,
          ...(flags.maxSeconds !== undefined ? { maxSeconds: flags.maxSeconds } : {}),
          ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
          ...(flags.maxMemory !== undefined ? { maxMemoryMB: flags.maxMemory } : {}),
          ...subset,
        };
        let r: ReviewResult;
        if (queue !== undefined) {
          const board = queueBoard(showProgress);
          try {
            // On demand: BullMQ takes 0.3 s to load, which no run without --queue should pay.
            const { reviewOnQueue } = await import('../../run/queue/review-queue.js');
            const q = await reviewOnQueue(queue, { ...limits, version: version(), ...(board ? { onBoard: board.onBoard } : {}) });
            r = q.result;
            if (q.ended?.kind === 'lost') out.note(`review: ${q.ended.why}; the cells not done are incomplete`);
          } catch (e) {
            if (!(e instanceof QueueJobFailed)) throw e;
            board?.stop();
            out.note(`rseq-check: ${e.message}`);
            return 70;
          }
          board?.stop();
        } else {
          const progress = partsBar(showProgress, 'review', reviewSize(subset), 'cells');
          r = await review({ workers: flags.workers ?? availableParallelism(), ...limits, ...(progress ? { onCell: progress.onPart } : {}) });
          progress?.stop();
        }
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

/** `--scenario` and `--policy` checked against the review's rows and columns (exit 2 naming the stranger). */
function reviewSubset(scenarios: readonly string[], policies: readonly string[]): { scenarios?: readonly string[]; policies?: readonly string[] } {
  const known = (option: string, asked: readonly string[], names: readonly string[]): void => {
    for (const a of asked) {
      if (names.includes(a)) continue;
      const near = suggest(a, names);
      throw badOption(option, `${option} "${a}" is not in the review (it has: ${names.join(', ')})${near !== undefined ? ` (did you mean ${near}?)` : ''}`);
    }
  };
  known('--scenario', scenarios, seedScenarios.map((s) => s.id));
  known('--policy', policies, reviewPolicies);
  return { ...(scenarios.length > 0 ? { scenarios } : {}), ...(policies.length > 0 ? { policies } : {}) };
}
