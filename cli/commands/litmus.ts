import { Command, Option } from '@commander-js/extra-typings';
import { runLitmusCommand } from '../../litmus/command.js';
import type { LitmusQueueRunner } from '../../litmus/queued-run.js';
import { QueueJobFailed } from '../../run/queue/job-failed.js';
import { badOption, collect, jsonOption, litmusSecondsOption, maxMemoryOption, maxSecondsOption, maxStatesOption, queueOption, quietOption, runsOption } from '../options.js';
import { partsBar, queueBoard } from '../progress.js';
import { withStopSignals } from '../signals.js';
import { version } from '../version.js';
import { modelSource } from './check-on-queue.js';

/**
 * `rseq-check litmus MODEL|--suite [--case ID]... [--policy P] [--runs N] [--seconds S] [--max-seconds S] [--json] [--queue URL]`:
 * litmus/command.ts runs it. --max-seconds and the first SIGINT/SIGTERM end it incomplete (exit 3)
 * with the cases done. With --queue URL, one job per case goes on the Redis queue that
 * `rseq-check worker` processes serve, each running its case on its own machine's kernel; a job
 * failing on every attempt ends the run without a verdict (exit 70).
 */
export function litmusCommand(): Command<[string | undefined]> {
  return new Command('litmus')
    .summary('run a model as real rseq C code on this kernel and compare')
    .description('Compiles MODEL (or every case of the suite) to C, runs it on this kernel with the rseq tracepoint on, and checks every outcome seen is one the model allows.')
    .argument('[MODEL]', 'a built-in model, gallery/NAME, or a JSON model file')
    .option('--suite', 'run the whole litmus suite')
    .addOption(new Option('--case <ID>', 'with --suite: only this case (repeatable)').argParser(collect).default([] as string[], 'every case'))
    .option('--policy <P>', 'the preset to hold the kernel against (default: the running kernel\'s; on the queue, each worker\'s kernel\'s)')
    .addOption(runsOption())
    .addOption(litmusSecondsOption())
    .addOption(maxSecondsOption())
    .addOption(maxStatesOption().default(undefined, 'each case\'s model exploration stops at 4 000 000 states'))
    .addOption(maxMemoryOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(queueOption('put one job per case on this Redis queue, run by "rseq-check worker" processes on their own kernels'))
    .action(async (model, flags) => {
      if (model !== undefined && flags.suite) throw badOption('MODEL', `litmus takes a MODEL or --suite, not both (got "${model}" and --suite)`);
      if (model === undefined && !flags.suite) throw badOption('MODEL', 'litmus needs a MODEL or --suite');
      const showProgress = flags.quiet !== true && flags.json !== true;
      const board = flags.queue !== undefined ? queueBoard(showProgress) : undefined;
      let queue: LitmusQueueRunner | undefined;
      if (flags.queue !== undefined) {
        // On demand: BullMQ takes 0.3 s to load, which no run without --queue should pay.
        const { litmusQueue } = await import('../../litmus/queue.js');
        queue = litmusQueue(flags.queue, version(), (spec, resolved) => modelSource(spec, [], resolved), board?.onBoard);
      }
      process.exitCode = await withStopSignals(async (signal) => {
        try {
          return await runLitmusCommand({
            ...(model !== undefined ? { model } : {}),
            suite: flags.suite === true,
            cases: flags.case,
            ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
            ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
            ...(flags.seconds !== undefined ? { seconds: flags.seconds } : {}),
            ...(flags.maxSeconds !== undefined ? { maxSeconds: flags.maxSeconds } : {}),
            ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
            ...(flags.maxMemory !== undefined ? { maxMemoryMB: flags.maxMemory } : {}),
            json: flags.json === true,
            signal,
            ...(queue ? { queue } : {}),
            onCases: (total) => {
              const bar = partsBar(showProgress, 'litmus', total, 'cases');
              return bar ? { onCase: bar.onPart, stop: bar.stop } : undefined;
            },
          });
        } catch (e) {
          if (!(e instanceof QueueJobFailed)) throw e;
          board?.stop();
          process.stderr.write(`rseq-check: ${e.message}\n`);
          return 70;
        } finally {
          board?.stop();
        }
      });
    });
}
