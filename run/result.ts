/**
 * The typed result of a check (verdict, statistics, explained counterexample and flags,
 * placement coverage) and its text report.
 */
import type { FlagReport, Limit, Path, Stats } from '../checker/result.js';
import type { BudgetsIR } from '../models/ir/types.js';
import { traceToText } from './explain.js';
import type { ExplainedTrace } from './explained-trace.js';
import type { Policy } from '../models/kernel/policy.js';
import type { CoverageReport } from '../models/system/coverage.js';

/** A flag with its witness explained. */
export interface ExplainedFlag extends FlagReport {
  readonly trace: ExplainedTrace;
}

/** The data of a check result (plain JSON apart from the policy object). */
export type CheckResultData = (
  | { readonly verdict: 'pass' }
  | { readonly verdict: 'violation'; readonly property: string; readonly path: Path; readonly trace: ExplainedTrace }
  | { readonly verdict: 'incomplete'; readonly stoppedBy: Limit }
) & {
  readonly model: string;
  readonly policy: Policy;
  readonly budgets: BudgetsIR;
  readonly stats: Stats;
  readonly flags: readonly ExplainedFlag[];
  /** Which event kinds were explored at which instruction (placement coverage). */
  readonly coverage: CoverageReport;
};

/** The typed result of `check()`. */
export type CheckResult = CheckResultData & {
  /** The verdict, statistics and counterexample in words. */
  explain(): string;
};

/** The text report of a result (what the CLI prints). */
export function formatResult(r: CheckResultData): string {
  const s = r.stats;
  const lines: string[] = [];
  const head = `${r.model} under ${r.policy.name}`;
  if (r.verdict === 'pass') lines.push(`HOLDS: ${head}: every reachable state explored, no property violated`);
  else if (r.verdict === 'violation') lines.push(`VIOLATED: ${head}: ${r.property} (shortest counterexample: ${r.trace.steps.length - 1} steps)`);
  else lines.push(`INCOMPLETE: ${head}: stopped by ${r.stoppedBy.kind === 'interrupted' ? 'an interrupt (Ctrl-C)' : `the ${r.stoppedBy.kind} limit (${r.stoppedBy.bound})`}; no verdict — the states below were covered, the rest were not`);
  const b = r.budgets;
  const bud = (v: number) => (v < 0 ? '∞' : String(v));
  lines.push(
    `  states ${s.states}, transitions ${s.transitions}, depth ${s.depth}, ${s.seconds.toFixed(3)} s, ${Math.round(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state (${s.stateWords} words/state)`,
  );
  lines.push(`  budgets: preemptions ${bud(b.preemptions)}, migrations ${bud(b.migrations)}, signals ${bud(b.signals)}, interrupts ${bud(b.interrupts)}, traps ${bud(b.traps)}`);
  for (const f of r.flags) lines.push(`  flag ${f.name}: ${f.count} states (first witness: ${f.trace.steps.length - 1} steps, --replay ${f.trace.replay})`);
  if (r.verdict === 'violation') {
    lines.push('', 'Counterexample:');
    lines.push(traceToText(r.trace));
  }
  return lines.join('\n');
}
