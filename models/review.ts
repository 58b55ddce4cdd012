import { InputErrors } from './ir/errors.js';
import type { ModelInput } from './ir/schema.js';
import { validateModel } from './ir/validate.js';
import { checkModel, type CheckResult } from './check.js';
import type { ExplainedTrace } from './explained-trace.js';
import type { CoverageReport } from './coverage.js';
import { kernelPresetNames, proposalPresetNames } from './kernel/presets.js';
import { seedScenarios } from './library/seed/scenarios.js';
import { reviewCellsInPool } from './task-pool.js';

/** What a cell of the verdict matrix says, most severe first. */
export type CellVerdict = 'atomicity broken (G1)' | 'false kill (G2)' | 'undetected violation (G3)' | 'killed as promised' | 'holds' | 'incomplete';

export interface ReviewCell {
  readonly scenario: string;
  readonly policy: string;
  readonly verdict: CellVerdict;
  /** The shortest counterexample (or, for "killed as promised", the first kill's witness). */
  readonly trace?: ExplainedTrace;
  readonly states: number;
  /** Placement coverage of the cell's G1 exploration. */
  readonly coverage?: CoverageReport;
}

export interface ReviewResult {
  readonly scenarios: readonly { readonly id: string; readonly title: string }[];
  readonly policies: readonly string[];
  readonly cells: readonly ReviewCell[];
  readonly seconds: number;
}

/** The review's columns: every kernel preset, then every proposal. */
export const reviewPolicies: readonly string[] = [...kernelPresetNames, ...proposalPresetNames];

/**
 * Checks one scenario under one policy against G1, G2 and G3 (one exploration per property,
 * so each verdict comes with its own shortest counterexample) and names the cell by the most
 * severe outcome: G1, then G2, then G3, then a justified kill, else holds.
 */
export async function reviewCell(model: ModelInput, scenario: string, policy: string): Promise<ReviewCell> {
  const v = validateModel(model, scenario);
  if (!v.ok) throw new InputErrors(v.errors);
  let states = 0;
  let killed: CheckResult | undefined;
  let coverage: CoverageReport | undefined;
  const order: [string, CellVerdict][] = [
    ['G1-atomicity', 'atomicity broken (G1)'],
    ['G2-no-false-kill', 'false kill (G2)'],
    ['G3-detection', 'undetected violation (G3)'],
  ];
  for (const [prop, verdict] of order) {
    const r = await checkModel(v.ir, { policy, properties: [prop], maxStates: 2_000_000 });
    states = Math.max(states, r.stats.states);
    coverage ??= r.coverage;
    if (r.verdict === 'violation') return { scenario, policy, verdict, trace: r.trace, states, coverage };
    if (r.verdict === 'incomplete') return { scenario, policy, verdict: 'incomplete', states, coverage };
    if (r.flags.some((f) => f.name === 'killed-as-promised')) killed = r;
  }
  const kill = killed?.flags.find((f) => f.name === 'killed-as-promised');
  if (kill) return { scenario, policy, verdict: 'killed as promised', trace: kill.trace, states, ...(coverage ? { coverage } : {}) };
  return { scenario, policy, verdict: 'holds', states, ...(coverage ? { coverage } : {}) };
}

/** Options of `review`. */
export interface ReviewOptions {
  readonly policies?: readonly string[];
  readonly scenarios?: readonly string[];
  /** Cells checked at once on a pool of worker threads; 1 checks them in-process. @defaultValue 1 */
  readonly workers?: number;
}

/** Runs every seed scenario under every policy. */
export async function review(options: ReviewOptions = {}): Promise<ReviewResult> {
  const start = performance.now();
  const policies = options.policies ?? reviewPolicies;
  const scen = seedScenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.id));
  const todo = scen.flatMap((s) => {
    const model = s.build();
    return policies.map((policy) => ({ model, scenario: s.id, policy }));
  });
  let cells: ReviewCell[];
  if ((options.workers ?? 1) > 1) {
    cells = await reviewCellsInPool(todo, options.workers!);
  } else {
    cells = [];
    for (const c of todo) cells.push(await reviewCell(c.model, c.scenario, c.policy));
  }
  return { scenarios: scen.map((s) => ({ id: s.id, title: s.title })), policies, cells, seconds: (performance.now() - start) / 1000 };
}

const short: Record<CellVerdict, string> = {
  'atomicity broken (G1)': 'G1 broken',
  'false kill (G2)': 'false kill',
  'undetected violation (G3)': 'undetected',
  'killed as promised': 'killed ✓',
  holds: 'holds',
  incomplete: 'incomplete',
};

/** The matrix as Markdown: rows scenarios, columns policies, then each failing cell's trace length. */
export function reviewToMarkdown(r: ReviewResult): string {
  const lines = [`| scenario | ${r.policies.join(' | ')} |`, `|---|${r.policies.map(() => '---').join('|')}|`];
  for (const s of r.scenarios) {
    const row = r.policies.map((p) => {
      const c = r.cells.find((x) => x.scenario === s.id && x.policy === p)!;
      return c.trace && c.verdict !== 'killed as promised' ? `${short[c.verdict]} (${c.trace.steps.length - 1})` : short[c.verdict];
    });
    lines.push(`| ${s.id} | ${row.join(' | ')} |`);
  }
  lines.push('', 'A number in brackets is the length (steps) of the shortest counterexample; `rseq-check review --json` holds every trace.');
  return lines.join('\n');
}

/** The matrix as plain JSON (traces included). */
export function reviewToJson(r: ReviewResult): string {
  return JSON.stringify({ kind: 'review', ...r }, null, 1);
}
