// The model router through its HTTP surface on both stores: a catalog seeded with traces and user
// feedback, policies chosen per SLO header, feedback shifting the choice, and a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import { chosen, http, QUESTION, route, seed } from './helpers/router.js';
import { startTestApp, type TestApp } from './helpers/app.js';

for (const c of storeCases) {
  describe(`router (${c.kind})`, () => {
    let t: TestApp;
    let skip: string | false = false;
    before(async () => {
      skip = await c.skip();
      if (skip) return;
      t = await startTestApp(c);
      await seed(t.aether, t.key);
    });
    after(async () => {
      if (!skip) await t.close();
    });

    it('picks per policy and SLO header on a seeded catalog', async (ctx) => {
      if (skip) return ctx.skip(skip);
      // cheapest meeting the project's default floor (0.7): mid; a lower header floor: cheap; a high one: premium
      assert.equal(await chosen(t.aether, t.key), 'mid');
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-min-quality': '0.4' }), 'cheap');
      // a header floor is checked against the lower end of the estimate: cheap's mean (~0.6) clears
      // 0.5 but mean − 1.645 sd does not, so the request gets mid
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-min-quality': '0.5' }), 'mid');
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-min-quality': '0.9' }), 'premium');
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-route': 'fastest' }), 'premium');
      // fastest under a cost cap that premium's predicted cost breaks
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-route': 'fastest', 'x-aether-max-cost-usd': '0.0005' }), 'mid');
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-route': 'best', 'x-aether-max-cost-usd': '0.0005' }), 'mid');
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-max-latency-ms': '1500', 'x-aether-min-quality': '0.5' }), 'mid');
      assert.equal(await chosen(t.aether, t.key, {}, { model: 'auto:best' }), 'premium');

      const r = await route(t.aether, t.key);
      const preds = r.body.candidates as Array<{ model: string; quality: number; quality_sd: number; latency_ms: number; cost_usd: number }>;
      const cheap = preds.find((p) => p.model === 'cheap')!;
      assert.ok(Math.abs(cheap.quality - 0.6) < 0.1, `cheap quality ${cheap.quality}`);
      assert.ok(cheap.quality_sd > 0 && cheap.quality_sd < 0.2);
      assert.ok(cheap.latency_ms > 1500 && cheap.latency_ms < 2500, `cheap latency ${cheap.latency_ms}`);
      assert.deepEqual([...(r.body.frontier as string[])].sort(), ['cheap', 'mid', 'premium']);
      assert.match(r.body.why as string, /cheapest/);
    });

    it('rejects bad headers, unknown policies and bad feedback with 4xx', async (ctx) => {
      if (skip) return ctx.skip(skip);
      assert.equal((await route(t.aether, t.key, { 'x-aether-max-latency-ms': 'soon' })).status, 400);
      assert.equal((await route(t.aether, t.key, { 'x-aether-route': 'random' })).status, 400);
      assert.equal((await route(t.aether, t.key, {}, { model: 'auto:nope' })).status, 400);
      const call = http(t.aether, t.key);
      assert.equal((await call('POST', '/api/v1/traces/s-cheap-0/feedback', { score: 3 })).status, 400);
      assert.equal((await call('POST', '/api/v1/traces/missing/feedback', { score: 1 })).status, 404);
      // another project's key cannot score this project's trace
      assert.equal((await http(t.aether, t.other.key)('POST', '/api/v1/traces/s-cheap-0/feedback', { score: 1 })).status, 404);
    });

    it('explores by Thompson sampling within the SLO limits, up to the exploration cap', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const seen = new Map<string, number>();
      let explored = 0;
      for (let i = 0; i < 40; i++) {
        const r = await route(t.aether, t.key, { 'x-aether-max-cost-usd': '0.0005' }, { explore: true });
        seen.set(r.body.model as string, (seen.get(r.body.model as string) ?? 0) + 1);
        if (r.body.explored) explored++;
      }
      assert.ok(!seen.has('premium'), 'never beyond the cost cap');
      assert.ok(explored > 0 && explored < 40, `explored ${explored} of 40`);
      const call = http(t.aether, t.key);
      assert.equal((await call('PUT', '/api/v1/router/settings', { exploration: { enabled: true, daily_cap_usd: 0 } })).status, 200);
      for (let i = 0; i < 10; i++) assert.equal((await route(t.aether, t.key, {}, { explore: true })).body.explored, false);
      assert.equal((await call('PUT', '/api/v1/router/settings', {})).status, 200);
    });

    it('feedback shifts the choice within seconds', async (ctx) => {
      if (skip) return ctx.skip(skip);
      assert.equal(await chosen(t.aether, t.key), 'mid');
      // mid starts failing: its traces get bad scores; cheapest meeting 0.7 must leave it
      const call = http(t.aether, t.key);
      const traces = Array.from({ length: 40 }, (_, i) => ({ id: `drop-${i}`, query: `${QUESTION} again ${i}`, response: 'meh', model: 'mid', latency_ms: 900 }));
      assert.equal((await call('POST', '/api/v1/traces/batch', { traces })).status, 207);
      const t0 = Date.now();
      for (let i = 0; i < 40; i++) assert.equal((await call('POST', `/api/v1/traces/drop-${i}/feedback`, { score: 0 })).status, 200);
      // A feedback call answers once its evaluation is stored, not after the catalog's batched write
      // (250 ms each when it waited: 40 calls took over 10 s).
      assert.ok(Date.now() - t0 < 40 * 150, `40 feedback calls took ${Date.now() - t0} ms`);
      const start = Date.now();
      let model = await chosen(t.aether, t.key);
      while (model === 'mid' && Date.now() - start < 5000) {
        await new Promise((r) => setTimeout(r, 200));
        model = await chosen(t.aether, t.key);
      }
      assert.equal(model, 'premium');
      // the catalog shows all 60 scores once this process's snapshot has caught up (within seconds)
      const mid = async () => ((await call('GET', '/api/v1/router/catalog?model=mid')).body.data as Array<{ task_type: string; quality: { mean: number; count: number } }>).find((r) => r.task_type === '*')!;
      let all = await mid();
      while (all.quality.count < 60 && Date.now() - start < 5000) {
        await new Promise((r) => setTimeout(r, 200));
        all = await mid();
      }
      assert.equal(all.quality.count, 60);
      assert.ok(all.quality.mean < 0.5);
    });

    it('a project default policy comes from the router settings', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const call = http(t.aether, t.key);
      assert.equal((await call('PUT', '/api/v1/router/settings', { default_policy: 'fastest' })).status, 200);
      assert.equal(await chosen(t.aether, t.key), 'premium');
      assert.equal((await call('PUT', '/api/v1/router/settings', { default_policy: 'nope' })).status, 400);
      assert.equal((await call('PUT', '/api/v1/router/settings', {})).status, 200);
      // the other project has learned nothing: every model is unknown, so premium's cost loses
      assert.equal((await route(t.aether, t.other.key, { 'x-aether-min-quality': '0.4' })).body.model, 'cheap');
    });
  });
}

