// The Monitors page in Chromium: a stored monitor's status, its last runs and its metric trend,
// after runs through the API. Screenshot in test-output/web/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ensureSetupToken } from '../../src/server/session/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { storeCases } from '../helpers/stores.js';
import { chromiumSkip, ensureWebBuilt, launchBrowser, screenshot, WEB_DIST, type Browser } from './browser.js';

const skip = chromiumSkip();

describe('dashboard: monitors page', { skip }, () => {
  let t: TestApp;
  let b: Browser;
  let base: string;
  const problems: string[] = [];
  before(async () => {
    ensureWebBuilt();
    t = await startTestApp(storeCases[0]!, { AETHER_WEB_DIR: WEB_DIST, AETHER_WORKER: 'false', AETHER_MONITOR_TICK_MS: '0' });
    await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.aether.server.server.address() as AddressInfo).port}`;
    const h = { 'x-api-key': t.key, 'content-type': 'application/json' };
    const yaml = 'name: web-overlap\nsource: { type: aether }\nmetrics: [{ name: token_overlap }]\nschedule: { interval_minutes: 60 }\nthresholds:\n  token_overlap: { warning_below: 0.9, alert_below: 0.5 }\n';
    const c = await t.aether.server.inject({ method: 'POST', url: '/api/v1/monitors', headers: h, payload: JSON.stringify({ yaml }) });
    assert.equal(c.statusCode, 201, c.body);
    const id = c.json<{ id: string }>().id;
    for (const response of ['Paris is the capital of France.', 'Lyon has nine million residents.']) {
      const traces = Array.from({ length: 4 }, (_, i) => ({ query: `capital ${i}`, response, contexts: [{ text: 'Paris is the capital of France.' }] }));
      await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces/batch', headers: h, payload: JSON.stringify({ traces }) });
      await t.aether.ingest.writer.flushed();
      const r = await t.aether.server.inject({ method: 'POST', url: `/api/v1/monitors/${id}/run`, headers: h, payload: '{}' });
      assert.equal(r.statusCode, 200, r.body);
    }
    b = await launchBrowser({ problems });
    b.page.setDefaultTimeout(20_000);
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  it("shows each monitor's status, last runs and metric trend", async () => {
    const page = b.page;
    const token = await ensureSetupToken(t.aether.store, t.aether.config.dataDir);
    await page.goto(`${base}/setup?token=${encodeURIComponent(token!)}`);
    await page.getByLabel('Name').fill('Mo Nitor');
    await page.getByLabel('Email').fill('mo@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Confirm password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    problems.length = 0; // the signed-out probe before setup answers 401 by design
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Monitors', exact: true }).waitFor();
    await page.getByRole('button', { name: 'web-overlap' }).waitFor();
    const table = page.locator('table').first();
    assert.match(await table.innerText(), /ALERT[\s\S]*web-overlap[\s\S]*aether · all/);
    await page.getByText('web-overlap: last runs').waitFor();
    const runs = await page.locator('table', { has: page.getByRole('columnheader', { name: 'Sampled' }) }).innerText();
    assert.match(runs, /api\s+ok\s+4\s+4\s+4\s+0\s+0/, runs);
    await page.getByRole('figure').or(page.locator('.uplot')).first().waitFor();
    await screenshot(page, 'monitors');
    assert.deepEqual(problems, []);
  });
});
