import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reviewToMarkdown } from '../../reports/review-markdown.js';
import { review } from '../../run/review.js';
import { lastOption, workersOption, type Args } from '../args.js';
import { writeReviewReport } from '../report.js';

/**
 * `rseq-check review [--out DIR] [--workers N]`: every seed scenario under every preset and
 * proposal, as a Markdown matrix (and review.md, review.json and an HTML report in DIR).
 * Exit 3 if a cell is incomplete.
 */
export async function reviewCommand(args: Args): Promise<number> {
  const r = await review({ workers: workersOption(args) });
  const md = reviewToMarkdown(r);
  console.log(md);
  const out = lastOption(args, '--out') ?? lastOption(args, '--report');
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'review.md'), md + '\n');
    const html = await writeReviewReport(r, out);
    console.log(`\nwrote ${join(out, 'review.md')}, ${join(out, 'review.json')} (${r.cells.length} cells, ${r.seconds.toFixed(1)} s)`);
    console.log(`report: ${html}`);
  }
  return r.cells.some((c) => c.verdict === 'incomplete') ? 3 : 0;
}
