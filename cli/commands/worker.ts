import { Command, Option } from '@commander-js/extra-typings';
import { hostname } from 'node:os';
import { checkReachable } from '../../run/queue/connection.js';
import { badOption, queueOption } from '../options.js';
import { version } from '../version.js';
import { withStopSignals } from '../signals.js';

/** The test hooks' environment variable (run/queue/worker.ts): `fail-every-job`, `die-on-first-job` or `die-mid-partition`. */
const FAULT_ENV = 'RSEQ_CHECK_QUEUE_TEST_FAULT';
const faults = ['fail-every-job', 'die-on-first-job', 'die-mid-partition'] as const;

const positiveInteger = (name: string, max: number) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badOption(name, `${name} must be an integer 1..${max}, got "${raw}"`);
  return n;
};

const seconds = (name: string) => (raw: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 1 || n > 3600) throw badOption(name, `${name} must be a number of seconds 1..3600, got "${raw}"`);
  return n;
};

/**
 * `rseq-check worker --queue URL`: serves the job queue (review cells, litmus cases on this
 * machine's kernel, swarm searches, partitions) until the first SIGINT or SIGTERM, which lets the
 * jobs in hand finish (a second one stops at once: the job is retried elsewhere once its lock
 * expires). One line on stderr per job refused or failed;
 * the URL's credentials never appear.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .summary('serve a Redis job queue: run the review cells, litmus cases and searches other machines put on it')
    .description('Takes jobs off the queue at URL and runs them until SIGINT or SIGTERM.')
    .addOption(queueOption('the queue to serve').makeOptionMandatory())
    .addOption(new Option('--concurrency <N>', 'jobs run at once (1..64; default 1: a job uses one core)').argParser(positiveInteger('--concurrency', 64)))
    .addOption(new Option('--stall-seconds <S>', 'a worker silent this long is presumed dead and its job retried elsewhere (default 30)').argParser(seconds('--stall-seconds')))
    .option('--name <NAME>', 'how coordinators name this worker in their progress (default HOST:PID)')
    .action(async (flags) => {
      const target = flags.queue;
      await checkReachable(target);
      const name = flags.name ?? `${hostname()}:${process.pid}`;
      const log = (line: string): void => void process.stderr.write(`worker ${name}: ${line}\n`);
      log(`serving ${target.redacted} (rseq-check ${version()})`);
      const fault = faults.find((f) => f === process.env[FAULT_ENV]);
      // On demand: BullMQ takes 0.3 s to load, which the other commands' help and runs should not pay.
      const [{ serveQueue }, { runLitmusJob }] = await Promise.all([import('../../run/queue/worker.js'), import('./worker-litmus.js')]);
      await withStopSignals((signal) =>
        serveQueue(target, { version: version(), handlers: { litmusCase: runLitmusJob }, name, concurrency: flags.concurrency ?? 1, stallSeconds: flags.stallSeconds ?? 30, log, ...(fault ? { fault } : {}) }, signal),
      );
      log('stopped');
    });
}
