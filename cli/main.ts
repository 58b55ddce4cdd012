#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeFor } from '../checker/result.js';
import { checkModel } from '../run/check.js';
import { formatInputError, InputErrors } from '../models/ir/errors.js';
import type { EventKind } from '../models/ir/types.js';
import { knobDefs, formatKnobs } from '../models/kernel/policy.js';
import { presetDefs } from '../models/kernel/presets.js';
import { builtinModels } from '../models/library/catalog.js';
import { gallery } from '../models/library/gallery/entries.js';
import { loadModel, type LoadedModel } from '../models/ir/load.js';
import { review } from '../run/review.js';
import { reviewToMarkdown } from '../reports/review-markdown.js';
import { formatCheck, formatTemporal } from '../reports/text.js';
import { resultToJson } from '../reports/json.js';
import { runReportCommand, writeCheckReport, writeReviewReport } from './report.js';
import { validateModel } from '../models/ir/validate.js';
import { builtinTemporal, checkTemporal, type Fairness, type TemporalOptions } from '../run/temporal.js';
import { checkTemporalMany } from '../run/task-pool.js';
import { parseArgs, numberOption, type Args } from './args.js';
import { progressBar } from './progress.js';
import { modelStateGraph } from '../run/state-graph.js';
import { GraphTooLargeError, stateGraphToDot } from '../reports/state-graph.js';
import { renderSvg } from '../reports/svg.js';
import type { CheckOptions } from '../run/options.js';
import { runLitmusCommand } from '../litmus/command.js';
import { availableParallelism } from 'node:os';

const usage = `rseq-check: exhaustive model checking of Linux restartable sequences

usage:
  rseq-check check MODEL [--policy P] [--knob k=v]... [--param k=v]... [--property NAME]...
                   [--preemptions N] [--migrations N] [--signals N] [--interrupts N] [--traps N]
                   [--max-states N] [--max-seconds S] [--max-memory MB] [--workers N] [--json] [--quiet]
                   [--no-reduce] [--no-symmetry]   (explore without the partial-order / symmetry reductions)
                   [--report DIR] [--graph FILE.dot|FILE.svg]   (the whole state graph of a small model)
                   [--ltl FORMULA] [--property progress|no-livelock|no-signal-nesting|abort-before-cs-step]
                   [--fairness weak|strong|none] [--finite-events]
  rseq-check review [--out DIR] [--workers N]   every seed scenario under every kernel preset and proposal
  rseq-check report RESULT.json -o report.html   render a saved --json result as a self-contained HTML report
  rseq-check litmus MODEL|--suite [--policy P] [--runs N] [--seconds S]
                                     run the model as real rseq C code on this kernel and compare
  rseq-check models                  the built-in models and their parameters
  rseq-check gallery                 the known-bug gallery (check one: rseq-check check gallery/NAME)
  rseq-check policies                the presets and their knobs

MODEL is a built-in name, gallery/NAME, or a JSON model file.
exit: 0 holds, 1 violated, 2 bad input, 3 incomplete (a limit or Ctrl-C stopped the run)`;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case 'check':
      return runCheck(args);
    case 'review':
      return runReview(args);
    case 'litmus': {
      const runs = numberOption(args, '--runs', false);
      const seconds = numberOption(args, '--seconds', false);
      const positional = args.positional[0];
      const policy = args.options.get('--policy')?.at(-1);
      return runLitmusCommand({
        ...(positional ? { model: positional } : {}),
        suite: args.options.has('--suite'),
        ...(policy ? { policy } : {}),
        ...(typeof runs === 'number' ? { runs } : {}),
        ...(typeof seconds === 'number' ? { seconds } : {}),
      });
    }
    case 'report': {
      const input = args.positional[0];
      const output = args.options.get('-o')?.at(-1) ?? 'report.html';
      if (!input) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['RESULT.json'], message: 'report needs a saved result: rseq-check report RESULT.json -o report.html' }]);
      const code = await runReportCommand(input, output);
      console.log(`wrote ${output}`);
      return code;
    }
    case 'models':
      for (const m of builtinModels()) {
        console.log(`${m.name}: ${m.summary}`);
        for (const p of m.params) console.log(`    --param ${p.name}=N   ${p.doc} (default ${p.default}, ${p.min}..${p.max})`);
      }
      return 0;
    case 'gallery':
      for (const g of gallery) console.log(`gallery/${g.name}: ${g.title}\n    policy ${g.policy}; bug: ${g.bugKnobs.join(' ')}; fix: ${g.fixKnobs.join(' ')}; property ${g.property}`);
      return 0;
    case 'policies':
      for (const p of presetDefs) console.log(`${p.name}${p.base ? ` (= ${p.base} +)` : ''}: ${p.doc}\n    ${formatKnobs(p.diff).join(' ') || '(all defaults)'}`);
      console.log('\nknobs (--knob name=value):');
      for (const k of knobDefs) console.log(`  ${k.name} = ${k.values === 'boolean' ? 'true|false' : k.values === 'set' ? 'syscall,...' : k.values.join('|')} [${k.evidence}]\n      ${k.doc}`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return 0;
    default:
      throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: [args.command], message: `unknown command "${args.command}"\n${usage}` }]);
  }
}

function resolveModel(args: Args): { loaded: LoadedModel; options: Partial<CheckOptions> } {
  const spec = args.positional[0];
  if (!spec) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['MODEL'], message: 'check needs a MODEL (see "rseq-check models")' }]);
  if (spec.startsWith('gallery/')) {
    const g = gallery.find((x) => `gallery/${x.name}` === spec);
    if (!g) throw new InputErrors([{ code: 'unknown-model', file: '<command line>', path: ['MODEL'], message: `no gallery entry "${spec}" (see "rseq-check gallery")` }]);
    const v = validateModel(g.model, spec);
    if (!v.ok) throw new InputErrors(v.errors);
    return { loaded: { ir: v.ir, constants: {}, source: spec }, options: { policy: g.policy, knobs: g.bugKnobs, properties: [g.property] } };
  }
  return { loaded: loadModel(spec, args.options.get('--param') ?? []), options: {} };
}

async function runCheck(args: Args): Promise<number> {
  const { loaded, options: defaults } = resolveModel(args);
  const graphFile = args.options.get('--graph')?.at(-1);
  if (graphFile) return writeStateGraph(args, loaded, defaults, graphFile);
  const budgets: Partial<Record<EventKind, number | 'unbounded'>> = {};
  for (const k of ['preemptions', 'migrations', 'signals', 'interrupts', 'traps'] as const) {
    const v = numberOption(args, `--${k}`, true);
    if (v !== undefined) budgets[k] = v;
  }
  const maxStates = numberOption(args, '--max-states', false);
  const maxSeconds = numberOption(args, '--max-seconds', false);
  const maxMemory = numberOption(args, '--max-memory', false);
  const workers = workersOption(args);
  const progress = progressBar(!args.options.has('--quiet') && !args.options.has('--json'));
  const controller = new AbortController();
  const onInt = (): void => controller.abort();
  process.once('SIGINT', onInt);
  const allProps = args.options.get('--property') ?? [];
  const temporalProps = allProps.filter((p) => p in builtinTemporal);
  const props = allProps.length > 0 && temporalProps.length < allProps.length ? allProps.filter((p) => !(p in builtinTemporal)) : undefined;
  const knobs = args.options.get('--knob');
  const ltl = args.options.get('--ltl') ?? [];
  const fairnessArg = args.options.get('--fairness')?.at(-1) ?? 'none';
  if (!['none', 'weak', 'strong'].includes(fairnessArg))
    throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--fairness'], message: `--fairness must be weak, strong or none, got "${fairnessArg}"` }]);
  let worst = 0;
  if (ltl.length > 0 || temporalProps.length > 0) {
    const temporal: TemporalOptions[] = [...temporalProps.map((p) => ({ property: p })), ...ltl.map((f) => ({ ltl: f }))].map((t) => ({
      ...t,
      ...(args.options.get('--policy') ? { policy: args.options.get('--policy')!.at(-1)! } : defaults.policy ? { policy: defaults.policy } : {}),
      ...(knobs ? { knobs } : {}),
      budgets,
      constants: loaded.constants,
      fairness: fairnessArg as Fairness,
      finiteEvents: args.options.has('--finite-events'),
      ...(typeof maxStates === 'number' ? { maxStates } : {}),
    }));
    // Several properties: one per pool worker, side by side; one property: its product is
    // generated by the parallel explorer.
    const results =
      temporal.length > 1 && workers > 1
        ? await checkTemporalMany(loaded.ir, temporal, workers)
        : await Promise.all(temporal.map((t) => checkTemporal(loaded.ir, { ...t, workers, signal: controller.signal })));
    for (const r of results) {
      if (args.options.has('--json')) console.log(resultToJson(r));
      else console.log(formatTemporal(r));
      worst = combineExit(worst, exitCodeFor(r.verdict));
    }
    if (!props) return worst;
  }
  const result = await checkModel(loaded.ir, {
    ...defaults,
    ...(args.options.get('--policy') ? { policy: args.options.get('--policy')!.at(-1)! } : {}),
    ...(knobs ? { knobs: [...((defaults.knobs as string[] | undefined) ?? []), ...knobs] } : {}),
    ...(props ? { properties: props } : {}),
    budgets,
    constants: loaded.constants,
    ...(typeof maxStates === 'number' ? { maxStates } : {}),
    ...(typeof maxSeconds === 'number' ? { maxSeconds } : {}),
    ...(typeof maxMemory === 'number' ? { maxMemoryMB: maxMemory } : {}),
    signal: controller.signal,
    workers,
    ...(args.options.has('--no-reduce') ? { reduce: false } : {}),
    ...(args.options.has('--no-symmetry') ? { symmetry: false } : {}),
    ...(progress ? { onProgress: progress.onProgress } : {}),
  });
  progress?.stop();
  process.off('SIGINT', onInt);
  if (args.options.has('--json')) console.log(resultToJson(result));
  else console.log(formatCheck(result));
  const reportDir = args.options.get('--report')?.at(-1);
  if (reportDir) console.log(`report: ${await writeCheckReport(result, reportDir)}`);
  return combineExit(worst, exitCodeFor(result.verdict));
}

/** `--graph FILE`: the whole state graph of a small model, as DOT (or SVG for a .svg file). */
async function writeStateGraph(args: Args, loaded: LoadedModel, defaults: Partial<CheckOptions>, file: string): Promise<number> {
  const policy = args.options.get('--policy')?.at(-1) ?? defaults.policy;
  const knobs = args.options.get('--knob') ?? (defaults.knobs as string[] | undefined);
  const graph = modelStateGraph(loaded.ir, { ...(policy ? { policy } : {}), ...(knobs ? { knobs } : {}), constants: loaded.constants });
  let dot: string;
  try {
    dot = stateGraphToDot(graph);
  } catch (e) {
    if (e instanceof GraphTooLargeError)
      throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--graph'], message: `the state graph has more than ${e.limit} states (the limit for drawing): draw a smaller model (fewer threads, budgets) or read the counterexample diagram instead` }]);
    throw e;
  }
  writeFileSync(file, file.endsWith('.svg') ? await renderSvg(dot) : dot);
  console.log(`wrote ${file}: ${graph.nodes.length} states, ${graph.edges.length} transitions`);
  return 0;
}

/** `--workers N` (at least 1), by default one per available core. */
function workersOption(args: Args): number {
  const n = numberOption(args, '--workers', false);
  if (n === 0) throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['--workers'], message: '--workers must be at least 1' }]);
  return typeof n === 'number' ? n : availableParallelism();
}

/** Several checks in one run: a violation (1) wins over incomplete (3), which wins over holds (0). */
function combineExit(a: number, b: number): number {
  if (a === 1 || b === 1) return 1;
  return Math.max(a, b);
}

async function runReview(args: Args): Promise<number> {
  const r = await review({ workers: workersOption(args) });
  const md = reviewToMarkdown(r);
  console.log(md);
  const out = args.options.get('--out')?.at(-1) ?? args.options.get('--report')?.at(-1);
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'review.md'), md + '\n');
    const html = await writeReviewReport(r, out);
    console.log(`\nwrote ${join(out, 'review.md')}, ${join(out, 'review.json')} (${r.cells.length} cells, ${r.seconds.toFixed(1)} s)`);
    console.log(`report: ${html}`);
  }
  return r.cells.some((c) => c.verdict === 'incomplete') ? 3 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputErrors) {
      for (const err of e.errors) console.error(formatInputError(err));
      process.exitCode = 2;
      return;
    }
    console.error(`rseq-check: internal error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 70;
  },
);
