// The model router through its HTTP surface on both stores: a catalog seeded with traces and user
// feedback, policies chosen per SLO header, feedback shifting the choice, and a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/core/config.js';
import { createAether, type Aether } from '../src/app.js';
import { openStore, type Store } from '../src/storage/index.js';
import { createTestDatabase, skipWithoutPostgres, storeCases, tempDir } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

// Three models: cheap/slow/mediocre, mid, and expensive/fast/good. Prices in USD per token.
const CANDIDATES = [
  { model: 'cheap', input_per_token: 1e-7, output_per_token: 2e-7 },
  { model: 'mid', input_per_token: 1e-6, output_per_token: 2e-6 },
  { model: 'premium', input_per_token: 1e-5, output_per_token: 3e-5 },
];
const PROFILE = { cheap: { latency: 2000, good: 0.6 }, mid: { latency: 900, good: 0.8 }, premium: { latency: 300, good: 0.95 } } as const;
const QUESTION = 'Explain why the sky appears blue during the day';

function http(aether: Aether, key: string) {
  const inject = aether.server.inject.bind(aether.server);
  return async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await inject({ method, url, headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
  };
}

/** Ingest `n` traces per model with latencies around its profile, then score each with feedback. */
async function seed(aether: Aether, key: string, n = 20, prefix = 's'): Promise<void> {
  const call = http(aether, key);
  // Only the feedback below scores these traces (the evaluation worker would add its own metrics).
  const projectId = (await call('GET', '/api/v1/project')).body.id as string;
  assert.equal((await call('PUT', `/api/v1/projects/${projectId}/evaluation-config`, { enabled: false })).status, 200);
  const traces = [];
  for (const [model, p] of Object.entries(PROFILE)) {
    for (let i = 0; i < n; i++) traces.push({ id: `${prefix}-${model}-${i}`, query: `${QUESTION} (variant ${i})`, response: 'ok', model, latency_ms: p.latency * (0.9 + (i % 5) * 0.05), output_tokens: 50 });
  }
  const r = await call('POST', '/api/v1/traces/batch', { traces });
  assert.equal(r.status, 207, JSON.stringify(r.body));
  for (const [model, p] of Object.entries(PROFILE)) {
    for (let i = 0; i < n; i++) {
      const f = await call('POST', `/api/v1/traces/${prefix}-${model}-${i}/feedback`, { score: i < Math.round(p.good * n) ? 1 : 0 });
      assert.equal(f.status, 200, JSON.stringify(f.body));
    }
  }
}

const route = (aether: Aether, key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  http(aether, key)('POST', '/api/v1/router/route', { model: 'auto', messages: [{ role: 'user', content: QUESTION }], candidates: CANDIDATES, ...extra }, headers);

async function chosen(aether: Aether, key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await route(aether, key, headers, extra);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.model as string;
}

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
      assert.equal(await chosen(t.aether, t.key, { 'x-aether-min-quality': '0.5' }), 'cheap');
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

    it('feedback shifts the choice within seconds', async (ctx) => {
      if (skip) return ctx.skip(skip);
      assert.equal(await chosen(t.aether, t.key), 'mid');
      // mid starts failing: its traces get bad scores; cheapest meeting 0.7 must leave it
      const call = http(t.aether, t.key);
      const traces = Array.from({ length: 40 }, (_, i) => ({ id: `drop-${i}`, query: `${QUESTION} again ${i}`, response: 'meh', model: 'mid', latency_ms: 900 }));
      assert.equal((await call('POST', '/api/v1/traces/batch', { traces })).status, 207);
      for (let i = 0; i < 40; i++) assert.equal((await call('POST', `/api/v1/traces/drop-${i}/feedback`, { score: 0 })).status, 200);
      const start = Date.now();
      let model = await chosen(t.aether, t.key);
      while (model === 'mid' && Date.now() - start < 5000) {
        await new Promise((r) => setTimeout(r, 200));
        model = await chosen(t.aether, t.key);
      }
      assert.equal(model, 'premium');
      const cat = await call('GET', '/api/v1/router/catalog?model=mid');
      const all = (cat.body.data as Array<{ task_type: string; quality: { mean: number; count: number } }>).find((r) => r.task_type === '*')!;
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

describe('router catalog survives a restart', () => {
  for (const kind of ['pglite', 'postgres'] as const) {
    it(kind, async (ctx) => {
      if (kind === 'postgres') {
        const why = await skipWithoutPostgres();
        if (why) return ctx.skip(why);
      }
      const dir = tempDir();
      const db = kind === 'postgres' ? await createTestDatabase() : undefined;
      const open = (): Promise<Store> => openStore({ dataDir: dir.dir, databaseUrl: db?.url });
      const start = async (store: Store) => createAether(parseConfig({ AETHER_DATA_DIR: dir.dir, LOG_LEVEL: 'silent' }), { store, logger: false, keyCacheMs: 0 });
      try {
        let store = await open();
        let aether = await start(store);
        const org = await store.organizations.create({ name: 'o' });
        const project = await store.projects.create({ orgId: org.id, name: 'p' });
        const { key } = await store.apiKeys.create({ projectId: project.id });
        await seed(aether, key, 10);
        const before = (await route(aether, key)).body;
        await aether.close();
        store = await open();
        aether = await start(store);
        const after = (await route(aether, key)).body;
        assert.equal(after.model, before.model);
        const q = (b: Record<string, unknown>) => (b.candidates as Array<{ model: string; quality: number }>).map((p) => [p.model, p.quality.toFixed(3)]);
        assert.deepEqual(q(after), q(before));
        await aether.close();
      } finally {
        await db?.drop();
        dir.remove();
      }
    });
  }
});
