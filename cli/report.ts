/**
 * The HTML report files, for the commands in cli/commands/ to call (no side effects at import):
 *
 * - `writeCheckReport(result, dir)`: dir/report.html and dir/result.json for one check;
 * - `writeReviewReport(review, dir)`: dir/report.html and dir/review.json for a design review;
 * - `runReportCommand(input, output)`: `rseq-check report RESULT.json -o report.html`, the report
 *   of a saved JSON document (a check result, a review, or a single trace), validated against
 *   reports/schema/rseq-check-result.schema.json first. Bad input throws `InputErrors`, each
 *   error located (`file:line:col: code: field.path: message`), so the CLI exits 2.
 *
 * Every file is written atomically (output-paths.ts), so a concurrent run never mixes two reports.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CheckResult } from '../run/result.js';
import { InputErrors } from '../models/ir/errors.js';
import type { ReviewResult } from '../run/review.js';
import { renderCheckHtml, renderTraceHtml } from '../reports/html.js';
import { renderReviewHtml } from '../reports/review-html.js';
import { parseOutputJson, resultToJson, withProvenance } from '../reports/json.js';
import { writeFileAtomic } from '../run/atomic-file.js';
import { checkOutputFile, makeDirectory } from './output-paths.js';

/** Writes `dir/report.html` and `dir/result.json` for a check; returns the HTML file's path. */
export async function writeCheckReport(check: CheckResult, dir: string): Promise<string> {
  // One provenance for both files.
  const result = withProvenance(check);
  const html = await renderCheckHtml(result);
  makeDirectory(dir);
  writeFileAtomic(join(dir, 'result.json'), resultToJson(result) + '\n');
  writeFileAtomic(join(dir, 'report.html'), html);
  return join(dir, 'report.html');
}

/** Writes `dir/report.html`, `dir/review.json` and `dir/review.md` for a review; returns the HTML file's path. */
export async function writeReviewReport(matrix: ReviewResult, markdown: string, dir: string): Promise<string> {
  const review = withProvenance(matrix);
  const html = await renderReviewHtml(review);
  makeDirectory(dir);
  writeFileAtomic(join(dir, 'review.md'), markdown + '\n');
  writeFileAtomic(join(dir, 'review.json'), resultToJson(review) + '\n');
  writeFileAtomic(join(dir, 'report.html'), html);
  return join(dir, 'report.html');
}

/**
 * `rseq-check report INPUT -o OUTPUT`: reads a saved JSON result (`check --json` output, a
 * review.json, or a trace document), validates it, and writes its HTML report to `output`.
 * Returns the exit code (0); unreadable or invalid input throws `InputErrors`.
 */
export async function runReportCommand(input: string, output: string): Promise<number> {
  if (input === '') {
    throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['RESULT'], message: 'report needs a RESULT.json (the output of "check --json" or review.json)' }]);
  }
  if (output === '') {
    throw new InputErrors([{ code: 'bad-option', file: '<command line>', path: ['-o'], message: 'report needs an output file: -o report.html' }]);
  }
  checkOutputFile('-o', output, true);
  let text: string;
  try {
    text = await readFile(input, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a JSON file' : e instanceof Error ? e.message : String(e);
    throw new InputErrors([{ code: 'bad-file', file: input, path: [], message: `cannot read the result: ${why}` }]);
  }
  const doc = parseOutputJson(text, input);
  if (doc.kind !== 'check' && doc.kind !== 'review' && doc.kind !== 'trace')
    throw new InputErrors([{ code: 'bad-file', file: input, path: ['kind'], message: `a "${doc.kind}" document has no HTML report (report renders check, review and trace documents)` }]);
  const html = doc.kind === 'check' ? await renderCheckHtml(doc) : doc.kind === 'review' ? await renderReviewHtml(doc) : await renderTraceHtml(doc);
  makeDirectory(dirname(output));
  writeFileAtomic(output, html);
  return 0;
}
