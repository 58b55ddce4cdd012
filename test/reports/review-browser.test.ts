/**
 * The review page as `rseq-check review --out DIR` writes it (cli/report.ts), in headless
 * Chromium with the network switched off: it requests nothing but itself, its filters show only
 * the matching cells and traces, the keyboard reaches and drives them, a trace's details open,
 * and a screenshot can be taken.
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package); without it the tests are skipped, and
 * the suite's title says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReviewReport } from '../../cli/report.js';
import { reviewToMarkdown } from '../../reports/review-markdown.js';
import type { ReviewResult } from '../../run/review.js';
import { browserAvailable, browserTitle, openInChromium } from './browser-page.js';
import { mixedReview } from './results.js';

describe.skipIf(!browserAvailable)(browserTitle('the review page in headless Chromium, offline'), () => {
  let browser: Browser;
  let page: Page;
  let review: ReviewResult;
  let url: string;
  let dir: string;
  let problems: string[];
  let requests: string[];

  /** The matrix cells and the trace sections a reader can see, by their verdict. */
  const visible = (): Promise<{ cells: string[]; sections: string[] }> =>
    page.evaluate(() => {
      const shown = (el: Element): boolean => {
        const style = getComputedStyle(el);
        return style.visibility !== 'hidden' && style.display !== 'none' && (el as HTMLElement).offsetParent !== null;
      };
      return {
        cells: [...document.querySelectorAll('table.matrix td[data-verdict]')].filter(shown).map((td) => (td as HTMLElement).dataset.verdict!),
        sections: [...document.querySelectorAll('section.cell[data-verdict]')].filter(shown).map((s) => (s as HTMLElement).dataset.verdict!),
      };
    });

  beforeAll(async () => {
    review = await mixedReview();
    dir = mkdtempSync(join(tmpdir(), 'rseq-review-out-'));
    url = pathToFileURL(await writeReviewReport(review, reviewToMarkdown(review), dir)).href;
    ({ browser, page, problems, requests } = await openInChromium(url, true));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline with no error, requesting nothing but itself, its script allowed by the CSP', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    // The script ran (the CSP allowed its hash): it revealed the filters.
    expect(await page.locator('#filters').isVisible()).toBe(true);
  });

  it('shows every cell and trace before filtering; a verdict filter leaves only its cells and traces', async () => {
    // mixedReview: holds, G1 broken, killed as promised / incomplete, holds, false kill.
    expect(await visible()).toEqual({ cells: ['holds', 'g1', 'kill', 'incomplete', 'holds', 'g2'], sections: ['g1', 'incomplete', 'g2', 'kill'] });
    await page.locator('input[name=verdict][value=kill]').click();
    expect(await visible()).toEqual({ cells: ['kill'], sections: ['kill'] });
    expect(await page.locator('#filter-status').textContent()).toBe('Showing 1 of 6 cells.');
    await page.locator('input[name=verdict][value="g1 g2 g3"]').click();
    expect(await visible()).toEqual({ cells: ['g1', 'g2'], sections: ['g1', 'g2'] });
    await page.locator('#filter-reset').click();
    await page.waitForFunction(() => document.getElementById('filter-status')!.textContent === '');
    expect((await visible()).cells).toHaveLength(6);
  });

  it('filters by proposal and by scenario', async () => {
    await page.selectOption('#filter-policy', 'proposal:b');
    expect(await visible()).toEqual({ cells: ['kill', 'g2'], sections: ['g2', 'kill'] });
    expect(await page.locator('table.matrix thead th[data-policy="linux-6.3"]').isVisible()).toBe(false);
    await page.selectOption('#filter-scenario', 'S2');
    expect(await visible()).toEqual({ cells: ['g2'], sections: ['g2'] });
    await page.locator('#filter-reset').click();
    await page.waitForFunction(() => document.getElementById('filter-status')!.textContent === '');
  });

  it('lets the keyboard reach the filters and change them', async () => {
    await page.goto(url, { waitUntil: 'load' });
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('#filters') !== null);
    }
    expect(reached).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('verdict');
    // Arrow keys move through the verdict radios, and the filter follows.
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('g1 g2 g3');
    expect(await visible()).toEqual({ cells: ['g1', 'g2'], sections: ['g1', 'g2'] });
    await page.keyboard.press('ArrowLeft');
    expect((await visible()).cells).toHaveLength(6);
  });

  it('keeps traces closed until opened, and a matrix link opens its trace', async () => {
    const diagrams = page.locator('section.cell figure.diagram svg');
    expect(await diagrams.count()).toBe(3);
    for (const svg of await diagrams.all()) expect(await svg.isVisible()).toBe(false);
    await page.locator('table.matrix td[data-verdict="g1"] a').click();
    const g1 = page.locator('section.cell[data-verdict="g1"] figure.diagram svg');
    await g1.waitFor({ state: 'visible' });
    expect((await g1.boundingBox())!.height).toBeGreaterThan(100);
  });

  it('takes a screenshot of the page', async () => {
    const png = await page.screenshot({ fullPage: false });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });
});
