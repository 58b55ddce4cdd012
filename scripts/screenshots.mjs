// Retakes the README's screenshots, docs/review.png and docs/counterexample.png, from the built
// CLI (run `npm run build` first): `node scripts/screenshots.mjs`. Each page is written by the
// CLI into a temporary directory and shot in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) with the network off, 1280 CSS pixels wide: the review's top 900
// (the matrix), the counterexample's diagram at 1000 (its steps 0 to 7, the witness).
// `--full` also writes the whole pages (docs/*-full.png are not kept: look, then delete).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const full = process.argv.includes('--full');
const work = mkdtempSync(join(tmpdir(), 'rseq-screenshots-'));

/** Runs the CLI; a counterexample exits 1, which is what the picture is for. */
function rseqCheck(args) {
  try {
    execFileSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    if (e.status !== 1) throw e;
  }
}

rseqCheck(['review', '--out', join(work, 'review')]);
rseqCheck(['check', 'gallery/arm64-user-irq', '--report', join(work, 'counterexample')]);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const page = await context.newPage();

  await page.goto(pathToFileURL(join(work, 'review', 'report.html')).href);
  await page.screenshot({ path: join(root, 'docs', 'review.png') });
  if (full) await page.screenshot({ path: join(root, 'docs', 'review-full.png'), fullPage: true });

  // The counterexample's diagram from its heading: the values each step changed in the notes
  // beside it, and the decisive step's badge.
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(pathToFileURL(join(work, 'counterexample', 'report.html')).href);
  await page.locator('#counterexample').evaluate((section) => section.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(root, 'docs', 'counterexample.png') });
  if (full) await page.screenshot({ path: join(root, 'docs', 'counterexample-full.png'), fullPage: true });
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
