/**
 * `rseq-check litmus MODEL | --suite [--policy P] [--runs N] [--seconds S]`: hold the kernel
 * model against the running kernel.
 *
 * This file reads the command line: it checks the options, names the cases (the suite, the cases
 * `--case` picks, a suite case or a model; an untranslatable model is bad input) and hands them
 * to an in-process run (in-process.ts) or, with `--queue`, to the job queue (queued-run.ts);
 * report.ts prints what came back. For each case the C program's observed outcomes are held
 * against the model's: every observed outcome must be one the model allows (else MODEL TOO
 * STRONG, a finding); outcomes allowed and never observed are listed, they are not a failure.
 *
 * Exit code: 0 the model is not too strong anywhere, 1 a finding, 2 cannot run / bad input,
 * 3 incomplete or inconclusive (stopped, or the model's exploration stopped at a limit and an
 * observation is unexplained).
 */
import { InputErrors, formatInputError, suggest } from '../models/ir/errors.js';
import { resolvePolicy } from '../models/kernel/presets.js';
import { resolveModel } from '../models/library/resolve.js';
import { formatUntranslatable, generateLitmusC, LitmusUntranslatable } from './generate.js';
import { prepareCase, runHere, type LitmusCases, type RunLimits } from './in-process.js';
import { kernelPathCases } from './kernel-paths.js';
import { budgetsForPlan, planForModel } from './plan.js';
import { runQueued, type LitmusQueueRunner } from './queued-run.js';
import { report } from './report.js';
import { litmusSuite } from './suite.js';

/** The command line; `maxSeconds`, `signal` and `onCases` (RunLimits) hold for a queued run too. */
export interface LitmusArgs extends RunLimits {
  readonly model?: string;
  readonly suite: boolean;
  readonly policy?: string;
  readonly runs?: number;
  readonly seconds?: number;
  /** Print the results as JSON (resultsToJson) instead of the table and the details. */
  readonly json?: boolean;
  /** States each case's model exploration may store (default 4 000 000), and the process's size bound in MB. */
  readonly maxStates?: number;
  readonly maxMemoryMB?: number;
  /** `--case`: only these cases of the suite (by id), in the suite's order. */
  readonly cases?: readonly string[];
  /** `--queue`: the cases run as jobs on a Redis queue, each on its worker's machine and kernel. */
  readonly queue?: LitmusQueueRunner;
}

const DEFAULT_RUNS = 400;
const DEFAULT_SECONDS = 5;

const badOption = (option: string, message: string): InputErrors => new InputErrors([{ code: 'bad-option', file: '<command line>', path: [option], message }]);

/** The cases a command line names: the suite (generated and kernel-path cases, or those `--case` picks), a suite case (`suite/ID`), or a model. */
function casesFor(args: LitmusArgs): LitmusCases {
  const picked = args.cases ?? [];
  if (picked.length > 0 && !args.suite) throw badOption('--case', `--case picks cases of --suite: give --suite too, or name one case as MODEL suite/${picked[0]}`);
  if (args.suite) {
    const ids = [...litmusSuite().map((x) => x.id), ...kernelPathCases().map((x) => x.id)];
    for (const name of picked) {
      if (ids.includes(name)) continue;
      const near = suggest(name, ids);
      throw badOption('--case', `--case "${name}" is not in the litmus suite (it has: ${ids.join(', ')})${near !== undefined ? ` (did you mean ${near}?)` : ''}`);
    }
    const wanted = (id: string): boolean => picked.length === 0 || picked.includes(id);
    return { generated: litmusSuite().filter((c) => wanted(c.id)).map(prepareCase), paths: kernelPathCases().filter((c) => wanted(c.id)) };
  }
  const spec = args.model;
  if (!spec) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['MODEL'], message: 'litmus needs a MODEL or --suite' }]);
  if (spec.startsWith('suite/')) {
    const c = litmusSuite().find((x) => `suite/${x.id}` === spec);
    if (c) return { generated: [prepareCase(c)], paths: [] };
    const k = kernelPathCases().find((x) => `suite/${x.id}` === spec);
    if (k) return { generated: [], paths: [k] };
    const all = [...litmusSuite().map((x) => x.id), ...kernelPathCases().map((x) => x.id)];
    throw new InputErrors([{ code: 'unknown-model', file: '<command line>', path: ['MODEL'], message: `no litmus suite case "${spec}" (the cases: ${all.map((id) => `suite/${id}`).join(', ')})` }]);
  }
  const loaded = resolveModel(spec);
  const plan = planForModel(loaded.ir);
  const identity = args.queue ? { identity: { model: args.queue.modelSource(spec, loaded) } } : {};
  return { generated: [{ id: loaded.ir.name, title: loaded.source, ...identity, ir: loaded.ir, plan, budgets: budgetsForPlan(loaded.ir, plan) }], paths: [] };
}

/** Runs the command; prints the table and the details (or, with `json`, one JSON document); returns the exit code. */
export async function runLitmusCommand(args: LitmusArgs, print: (s: string) => void = (s) => console.log(s), note: (s: string) => void = (s) => console.error(s)): Promise<number> {
  // With --json stdout holds only the JSON document: every line for people goes to `note`.
  const say = args.json ? note : print;
  const t0 = performance.now();
  let cases: LitmusCases;
  try {
    if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs >= 1)) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--runs'], message: `--runs must be a positive integer, got ${args.runs}` }]);
    if (args.seconds !== undefined && !(args.seconds > 0)) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--seconds'], message: `--seconds must be positive, got ${args.seconds}` }]);
    if (args.policy) resolvePolicy(args.policy, undefined);
    cases = casesFor(args);
    // Untranslatable models are bad input: say so before anything runs.
    for (const c of cases.generated) generateLitmusC(c.ir, c.plan, c.id);
  } catch (e) {
    // Bad input is exit 2 with nothing on stdout, as for every command.
    if (e instanceof InputErrors) {
      for (const err of e.errors) note(formatInputError(err));
      return 2;
    }
    if (e instanceof LitmusUntranslatable) {
      for (const u of e.problems) note(formatUntranslatable(u));
      return 2;
    }
    throw e;
  }
  const settings = {
    ...(args.policy ? { policy: args.policy } : {}),
    runs: args.runs ?? DEFAULT_RUNS,
    seconds: args.seconds ?? DEFAULT_SECONDS,
    ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
    ...(args.maxMemoryMB !== undefined ? { maxMemoryMB: args.maxMemoryMB } : {}),
  };
  if (args.queue) {
    const queued = await runQueued(args.queue, cases, { ...settings, ...(args.maxSeconds !== undefined ? { maxSeconds: args.maxSeconds } : {}), ...(args.signal ? { signal: args.signal } : {}) }, say);
    return report(queued.results, queued.kernel, queued.stop, args.json === true, t0, print);
  }
  const here = await runHere(cases, settings, args, say);
  if (!here) return 2;
  return report(here.results, here.kernel, here.stop, args.json === true, t0, print);
}
