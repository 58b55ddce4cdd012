/**
 * The review report in a real browser: headless Chromium (playwright-core, no bundled browser)
 * loads it from a file:// URL with a fresh profile; nothing may go wrong (no console error, no
 * page error, no failed request, no request but the page itself), and every failing cell of the
 * matrix must be a visible link whose target section exists, holds a drawn diagram, and comes
 * into view when the link is followed.
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
import type { ReviewResult } from '../../run/review.js';
import { writeReport } from '../../reports/html.js';
import { cellAnchors, renderReviewHtml } from '../../reports/review-html.js';
import { browserAvailable, browserTitle, openInChromium } from './browser-page.js';
import { mixedReview } from './results.js';

describe.skipIf(!browserAvailable)(browserTitle('the review report in headless Chromium'), () => {
  let browser: Browser;
  let page: Page;
  let review: ReviewResult;
  let url: string;
  let dir: string;
  let problems: string[];
  let requests: string[];

  beforeAll(async () => {
    review = await mixedReview();
    dir = mkdtempSync(join(tmpdir(), 'rseq-report-'));
    const file = await writeReport(dir, await renderReviewHtml(review), 'report.html');
    url = pathToFileURL(file).href;
    ({ browser, page, problems, requests } = await openInChromium(url));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error, page error or failed request, and requests nothing but itself', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  });

  it('shows every failing cell as a visible link to a section with a drawn diagram', async () => {
    const anchors = cellAnchors(review);
    const failing = review.cells.filter((c) => c.verdict !== 'holds');
    // mixedReview (results.ts): the four cells that do not hold, the incomplete one included.
    expect(failing.map((c) => [c.scenario, c.policy, c.verdict])).toEqual([
      ["S1'", 'linux-6.19', 'atomicity broken (G1)'],
      ["S1'", 'b@6.19', 'killed as promised'],
      ['S2', 'linux-6.3', 'incomplete'],
      ['S2', 'b@6.19', 'false kill (G2)'],
    ]);
    for (const c of failing) {
      const id = anchors.get(`${c.scenario}\u0000${c.policy}`)!;
      const link = page.locator(`table.matrix a[href="#${id}"]`);
      expect(await link.count(), `link to ${id}`).toBe(1);
      expect(await link.isVisible(), `link to ${id} visible`).toBe(true);

      await link.click();
      await page.waitForFunction((target) => location.hash === `#${target}`, id);
      const seen = await page.evaluate((target) => {
        const el = document.getElementById(target);
        if (el === null) return null;
        const box = el.getBoundingClientRect();
        const svg = el.querySelector('svg');
        const svgBox = svg?.getBoundingClientRect();
        return {
          tag: el.tagName,
          top: box.top,
          bottom: box.bottom,
          viewport: window.innerHeight,
          height: box.height,
          svg: svgBox ? { width: svgBox.width, height: svgBox.height, nodes: svg!.querySelectorAll('g.node').length } : null,
          steps: el.querySelectorAll('ol.steps > li').length,
        };
      }, id);
      expect(seen, `section ${id}`).not.toBeNull();
      expect(seen!.tag).toBe('SECTION');
      // Followed, the link brings its section into the window (to its top, unless the page ends first).
      expect(seen!.top, `section ${id} scrolled into view`).toBeLessThan(seen!.viewport / 2);
      expect(seen!.bottom, `section ${id} scrolled into view`).toBeGreaterThan(0);
      expect(seen!.height).toBeGreaterThan(0);
      if (c.trace === undefined) {
        expect(c.verdict).toBe('incomplete');
        expect(seen!.svg).toBeNull();
        continue;
      }
      expect(seen!.svg, `diagram in ${id}`).not.toBeNull();
      expect(seen!.svg!.width).toBeGreaterThan(100);
      expect(seen!.svg!.height).toBeGreaterThan(100);
      expect(seen!.svg!.nodes).toBeGreaterThanOrEqual(c.trace.steps.length);
      expect(seen!.steps).toBe(c.trace.steps.length);
      await page.locator(`#${CSS.escape(id)} a[href="#matrix"]`).click();
    }
    expect(problems).toEqual([]);
  });

  it('has unique element ids, and every in-page link resolves', async () => {
    const { duplicates, dangling } = await page.evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
      const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
      const dangling = [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!.slice(1)).filter((id) => document.getElementById(id) === null);
      return { duplicates, dangling };
    });
    expect(duplicates).toEqual([]);
    expect(dangling).toEqual([]);
  });
});

/** `CSS.escape` for ids used in selectors from Node (the ids here are [A-Za-z0-9._-]). */
const CSS = { escape: (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, (c) => `\\${c}`) };
