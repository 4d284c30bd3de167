// `model: "auto"` through the gateway with the official openai client: the router picks from the
// project's routing pool by policy and SLO header, named models are untouched, the trace records the
// decision, and feedback moves the traffic.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { http, QUESTION, seed } from './helpers/router.js';

const PRICES = { 'mock/cheap': [0.1, 0.2], 'mock/mid': [1, 2], 'mock/premium': [10, 30] } as const;

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`router through the gateway: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let openai: OpenAI;
    let base: string;
    const ask = async (model: string, headers: Record<string, string> = {}) => {
      const { data, response } = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: QUESTION }] }, { headers }).withResponse();
      return { model: response.headers.get('x-aether-model'), traceId: response.headers.get('x-aether-trace-id')!, content: data.choices[0]!.message.content };
    };

    before(async () => {
      t = await startTestApp(c);
      base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: t.key, maxRetries: 0 });
      const call = http(t.aether, t.key);
      for (const [model, [i, o]] of Object.entries(PRICES)) {
        const r = await call('PUT', `/api/v1/projects/${t.projectId}/prices/${encodeURIComponent(model)}`, { input_per_mtok: i, output_per_mtok: o });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      assert.equal((await call('PUT', '/api/v1/router/settings', { models: Object.keys(PRICES), exploration: { enabled: false } })).status, 200);
      await seed(t.aether, t.key, 20, 'g', 'mock/');
    });
    after(async () => t?.close());

    it('routes auto by policy and SLO header, records the decision, and leaves named models alone', async () => {
      const cheapest = await ask('auto');
      assert.equal(cheapest.model, 'mock/mid', 'cheapest model meeting the 0.7 quality floor');
      assert.match(cheapest.content ?? '', /mock response/);
      assert.equal((await ask('auto:best')).model, 'mock/premium');
      assert.equal((await ask('auto', { 'x-aether-min-quality': '0.9' })).model, 'mock/premium');
      assert.equal((await ask('auto', { 'x-aether-route': 'fastest' })).model, 'mock/premium');
      assert.equal((await ask('mock/cheap')).model, 'mock/cheap', 'a named model is served as asked');

      let trace: { model: string; provider: string; metadata: Record<string, { policy: string; model: string }> } | undefined;
      for (let i = 0; i < 100 && !trace; i++) {
        const r = await fetch(`${base}/api/v1/traces/${cheapest.traceId}`, { headers: { 'x-api-key': t.key } });
        if (r.ok) trace = (await r.json()) as typeof trace;
        else await new Promise((res) => setTimeout(res, 50));
      }
      assert.deepEqual([trace!.provider, trace!.model], ['mock', 'mid']);
      assert.equal(trace!.metadata['aether.route']!.policy, 'cheapest');
      assert.equal(trace!.metadata['aether.route']!.model, 'mock/mid');
    });

    it('feedback moves auto traffic off a model that got worse', async () => {
      const call = http(t.aether, t.key);
      const traces = Array.from({ length: 40 }, (_, i) => ({ id: `gdrop-${i}`, query: `${QUESTION} again ${i}`, response: 'meh', model: 'mock/mid', latency_ms: 900 }));
      assert.equal((await call('POST', '/api/v1/traces/batch', { traces })).status, 207);
      for (let i = 0; i < 40; i++) assert.equal((await call('POST', `/api/v1/traces/gdrop-${i}/feedback`, { score: 0 })).status, 200);
      const start = Date.now();
      let model = (await ask('auto')).model;
      while (model === 'mock/mid' && Date.now() - start < 5000) {
        await new Promise((r) => setTimeout(r, 200));
        model = (await ask('auto')).model;
      }
      assert.equal(model, 'mock/premium');
    });

    it('says what to fix when there is nothing to route to or the model name is bad', async () => {
      const call = http(t.aether, t.other.key);
      assert.equal((await call('PUT', '/api/v1/router/settings', { models: ['mock/unpriced-model'] })).status, 200);
      const other = new OpenAI({ baseURL: `${base}/v1`, apiKey: t.other.key, maxRetries: 0 });
      await assert.rejects(other.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400 && /no priced model/.test(e.message));
      await assert.rejects(openai.chat.completions.create({ model: 'auto:nope', messages: [{ role: 'user', content: 'hi' }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400);
    });
    it('keeps auto off a model whose own budget is spent, and refuses when every model is', async () => {
      const call = http(t.aether, t.key);
      const block = async (model: string) => {
        const r = await call('POST', '/api/v1/budgets', { name: `${model} cap`, scope: 'model', scope_value: model, period: 'daily', amount_usd: 0.000001, action: 'block' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      };
      // The mock provider runs nothing and costs nothing: the spend comes from traces the app reports.
      const spend = (model: string) => ({ id: `spend-${model}`, query: 'earlier call', response: 'ok', model, cost_usd: 0.01 });
      assert.equal((await call('POST', '/api/v1/traces/batch', { traces: ['premium', 'mid', 'cheap'].map(spend) })).status, 207);
      await block('premium');
      let best = await ask('auto:best');
      for (let i = 0; i < 20 && best.model === 'mock/premium'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        best = await ask('auto:best');
      }
      assert.notEqual(best.model, 'mock/premium', 'the best model is over its budget: auto takes the next one');
      await assert.rejects(openai.chat.completions.create({ model: 'mock/premium', messages: [{ role: 'user', content: 'hi' }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 402);
      await block('mid');
      await block('cheap');
      await new Promise((r) => setTimeout(r, 1100));
      await assert.rejects(openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: QUESTION }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 402 && /Every model auto may choose is over its budget/.test(e.message));
    });
  });
}
