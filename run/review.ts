import { reviewCell, type CellVerdict, type ReviewCell } from './review-cell.js';
import { kernelPresetNames, proposalPresetNames } from '../models/kernel/presets.js';
import { seedScenarios } from '../models/library/seed/scenarios.js';
import { reviewCellsInPool } from './task-pool.js';

export interface ReviewResult {
  readonly scenarios: readonly { readonly id: string; readonly title: string }[];
  readonly policies: readonly string[];
  readonly cells: readonly ReviewCell[];
  readonly seconds: number;
}

export type { CellVerdict, ReviewCell } from './review-cell.js';

/** The review's columns: every kernel preset, then every proposal. */
export const reviewPolicies: readonly string[] = [...kernelPresetNames, ...proposalPresetNames];

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
