import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Where the system Chromium is (Debian's `chromium` package; `scripts/install-chromium.sh` installs it). */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

/**
 * Whether browser tests run here. In CI (CI=true) a missing Chromium is a failure with what to do;
 * locally the tests are skipped with a visible message.
 */
export function browserAvailable(): boolean {
  if (chromiumPath()) return true;
  const message = 'browser tests need Chromium: run `bash scripts/install-chromium.sh` (apt-get install chromium) or set CHROMIUM_PATH';
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true, so this is a failure, not a skip)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found');
  return puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** What a page did while loading: console errors, uncaught exceptions, and every URL it requested. */
export interface PageLog {
  readonly errors: string[];
  readonly requests: string[];
}

export async function openPage(browser: Browser, url: string): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage();
  const log: PageLog = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(e instanceof Error ? e.message : String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  return { page, log };
}

/** Screenshots are kept as CI artefacts under target/screenshots/ (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(process.cwd(), 'target', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
