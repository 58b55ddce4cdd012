/** The design review's verdict matrix as Markdown (what `rseq-check review` prints and writes to review.md). */
import type { CellVerdict, ReviewResult } from '../run/result.js';

const short: Record<CellVerdict, string> = {
  'atomicity broken (G1)': 'G1 broken',
  'false kill (G2)': 'false kill',
  'undetected violation (G3)': 'undetected',
  'killed as promised': 'killed ✓',
  holds: 'holds',
  incomplete: 'incomplete',
};

/**
 * The matrix as Markdown: rows scenarios, columns policies, then each failing cell's trace length.
 * Kept by hand, not markdown-table 3.1.0 (measured on `npm start`'s review): its compact mode
 * writes the same 2 494 bytes with `| - |` for `|---|`; its aligned mode pads every column to
 * 4 283 bytes and 305-column lines, which wrap in any terminal that prints them.
 */
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
  if (r.stoppedBy) {
    const done = r.cells.filter((c) => c.verdict !== 'incomplete').length;
    const by = r.stoppedBy.kind !== 'interrupted' ? `the ${r.stoppedBy.kind} limit (${r.stoppedBy.bound})` : (r.stoppedBy.signal ?? 'an interrupt');
    lines.push('', `INCOMPLETE: stopped by ${by}: ${done} of ${r.cells.length} cells done; the others are incomplete.`);
  }
  return lines.join('\n');
}
