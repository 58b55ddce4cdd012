import { Command } from '@commander-js/extra-typings';
import { runLitmusCommand } from '../../litmus/command.js';
import { badOption, jsonOption, litmusSecondsOption, maxMemoryOption, maxSecondsOption, maxStatesOption, quietOption, runsOption } from '../options.js';
import { partsBar } from '../progress.js';
import { withStopSignals } from '../signals.js';

/**
 * `rseq-check litmus MODEL|--suite [--policy P] [--runs N] [--seconds S] [--max-seconds S] [--json]`:
 * litmus/command.ts runs it. --max-seconds and the first SIGINT/SIGTERM end it incomplete (exit 3)
 * with the cases done.
 */
export function litmusCommand(): Command<[string | undefined]> {
  return new Command('litmus')
    .summary('run a model as real rseq C code on this kernel and compare')
    .description('Compiles MODEL (or every case of the suite) to C, runs it on this kernel with the rseq tracepoint on, and checks every outcome seen is one the model allows.')
    .argument('[MODEL]', 'a built-in model, gallery/NAME, or a JSON model file')
    .option('--suite', 'run the whole litmus suite')
    .option('--policy <P>', 'the preset to hold the kernel against (default: the running kernel\'s)')
    .addOption(runsOption())
    .addOption(litmusSecondsOption())
    .addOption(maxSecondsOption())
    .addOption(maxStatesOption().default(undefined, 'each case\'s model exploration stops at 4 000 000 states'))
    .addOption(maxMemoryOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .action(async (model, flags) => {
      if (model !== undefined && flags.suite) throw badOption('MODEL', `litmus takes a MODEL or --suite, not both (got "${model}" and --suite)`);
      if (model === undefined && !flags.suite) throw badOption('MODEL', 'litmus needs a MODEL or --suite');
      process.exitCode = await withStopSignals((signal) =>
        runLitmusCommand({
          ...(model !== undefined ? { model } : {}),
          suite: flags.suite === true,
          ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
          ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
          ...(flags.seconds !== undefined ? { seconds: flags.seconds } : {}),
          ...(flags.maxSeconds !== undefined ? { maxSeconds: flags.maxSeconds } : {}),
          ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
          ...(flags.maxMemory !== undefined ? { maxMemoryMB: flags.maxMemory } : {}),
          json: flags.json === true,
          signal,
          onCases: (total) => {
            const bar = partsBar(flags.quiet !== true && flags.json !== true, 'litmus', total, 'cases');
            return bar ? { onCase: bar.onPart, stop: bar.stop } : undefined;
          },
        }),
      );
    });
}
