// Browser helpers for the dashboard's end-to-end tests and benchmark: Debian's Chromium driven by
// playwright-core with a fresh profile, and a check that web/dist is built from the current sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inCI } from '../helpers/stores.js';

export const CHROMIUM = process.env.AETHER_CHROMIUM ?? '/usr/bin/chromium';
export const WEB_DIR = resolve('web');
export const WEB_DIST = join(WEB_DIR, 'dist');
export const OUT_DIR = resolve('test-output', 'web');

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skip reason when Chromium is missing on a laptop; in CI (CI=true) a missing browser is an error. */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const why = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
  if (inCI) throw new Error(`${why}; CI=true requires it`);
  return why;
}

function newestMtime(dir: string): number {
  let m = 0;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const s = statSync(p);
    m = Math.max(m, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return m;
}

/** Build web/dist when it is missing or older than web/src (a developer's edit); CI's install built it. */
export function ensureWebBuilt(): void {
  const index = join(WEB_DIST, 'index.html');
  const sources = Math.max(newestMtime(join(WEB_DIR, 'src')), statSync(join(WEB_DIR, 'index.html')).mtimeMs, statSync(join(WEB_DIR, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build web failed');
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** Chromium with a fresh user-data-dir; the page logs console errors and failed requests into `problems`. */
export async function launchBrowser(opts: { colorScheme?: 'light' | 'dark'; problems?: string[] } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'aether-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: opts.colorScheme ?? 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  if (opts.problems) {
    const problems = opts.problems;
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
