/**
 * A report page opened in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
 * recording every console error or warning, page error, failed request and request it makes.
 * Without Chromium the browser tests skip, saying why in their title.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run. */
export const browserAvailable = existsSync(CHROMIUM);

/** A describe title that says, when Chromium is missing, why the tests skip. */
export const browserTitle = (what: string): string =>
  browserAvailable ? what : `${what} — SKIPPED: ${CHROMIUM} does not exist (install Debian's chromium package; CI installs it)`;

export interface OpenedPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and warnings, page errors and failed requests, in words. */
  readonly problems: string[];
  /** Every URL the page requested. */
  readonly requests: string[];
}

/** Opens `url` in a fresh headless Chromium with a 1400×1000 viewport; `offline` cuts the network. */
export async function openInChromium(url: string, offline = false): Promise<OpenedPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('request', (r) => requests.push(r.url()));
  const response = await page.goto(url, { waitUntil: 'load' });
  if (response !== null && !response.ok()) problems.push(`${url} answered ${response.status()}`);
  return { browser, page, problems, requests };
}
