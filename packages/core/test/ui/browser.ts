import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the end-to-end tests write their screenshots (git-ignored). */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts', 'ui');

/** Debian's Chromium, or SLUICE_CHROMIUM. */
export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium (fresh profile); fails with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set SLUICE_CHROMIUM to a Chromium executable`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in a page: uncaught errors, console errors, failed responses, requests to other origins. */
export interface PageProblems {
  errors: string[];
  failedResponses: string[];
}

/** A new page of a fresh context, with its problems recorded. */
export async function openPage(browser: Browser, origin: string): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: PageProblems = { errors: [], failedResponses: [] };
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('console', (message) => {
    // Failed HTTP responses are logged by Chromium too; they are recorded one by one below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedResponses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) problems.errors.push(`request outside the server: ${request.url()}`);
  });
  return { page, problems };
}

/** Saves a full-page screenshot as `<ARTIFACTS>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
