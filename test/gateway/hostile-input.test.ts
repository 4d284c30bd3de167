// Requests a hostile client can send and the gateway must survive (issue 17): model names that
// cannot go into a header as they are, names of Object.prototype members, bodies nested 10,000
// deep, and NUL / unpaired surrogates in content, whose traces must be stored (cleaned) along with
// their neighbours'. The server must answer each one and stay up.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';

const hi = [{ role: 'user' as const, content: 'hi' }];

describe('gateway under hostile input', () => {
  let g: GatewayTestApp;
  let client: OpenAI;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${g.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${g.t.key}`, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const bodies = (model: string): Array<[string, Record<string, unknown>]> => [
    ['/v1/chat/completions', { model, messages: hi }],
    ['/v1/chat/completions', { model, messages: hi, stream: true }],
    ['/v1/embeddings', { model, input: 'hi' }],
    ['/v1/messages', { model, max_tokens: 16, messages: hi }],
    ['/v1/messages', { model, max_tokens: 16, messages: hi, stream: true }],
  ];

  before(async () => {
    g = await startGatewayApp({ aliases: { fast: 'openai/gpt-4o-mini' }, fallbacks: { 'openai/gpt-4o': ['mock/backup'] } });
    client = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  const stillUp = async () => assert.equal((await fetch(`${g.base}/health`)).status, 200, 'the server is still up');

  it('serves a model name above U+00FF on every route, streamed or not, with the header percent-encoded', async () => {
    for (const [path, body] of bodies('mock/ⲱ')) {
      const res = await post(path, body);
      assert.equal(res.status, 200, `${path} ${String(body.stream ?? '')}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('x-aether-model'), 'mock/%E2%B2%B1');
      assert.equal(decodeURIComponent(res.headers.get('x-aether-model')!), 'mock/ⲱ');
      await res.text();
      const trace = await g.trace(res.headers.get('x-aether-trace-id')!);
      assert.equal(trace.metadata.requested_model, 'mock/ⲱ');
    }
    const { response } = await client.chat.completions.create({ model: 'openai/ⲱ-50%', messages: hi }).withResponse();
    assert.equal(response.headers.get('x-aether-model'), 'openai/%E2%B2%B1-50%25', "'%' is encoded too, so decoding is exact");
    assert.equal(g.upstream.calls[0]!.body.model, 'ⲱ-50%', 'the upstream gets the name as it was sent');
    await stillUp();
  });

  it('refuses model names with CR, LF, NUL or an unpaired surrogate with a 400 naming model', async () => {
    for (const model of ['mock/a\r\nx-evil: 1', 'mock/\u0000', 'mock/\ud800', 'mock/tab\there']) {
      for (const [path, body] of bodies(model)) {
        const res = await post(path, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(model)}`);
        assert.match(await res.text(), /model/);
      }
    }
    await assert.rejects(client.chat.completions.create({ model: 'mock/\n', messages: hi }), (e: unknown) => e instanceof OpenAI.BadRequestError && /model/.test(e.message));
    const anthropic = new Anthropic({ apiKey: g.t.key, baseURL: g.base, maxRetries: 0 });
    await assert.rejects(anthropic.messages.create({ model: 'mock/\r', max_tokens: 8, messages: hi }), (e: unknown) => e instanceof Anthropic.BadRequestError && /model/.test(e.message));
    assert.equal(g.upstream.calls.length, 0);
    await stillUp();
  });

  it('treats names of Object.prototype members as unknown models, not as aliases, fallbacks or prices', async () => {
    for (const model of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      for (const [path, body] of bodies(model)) {
        const res = await post(path, body);
        assert.equal(res.status, 404, `${path} ${model}: ${await res.clone().text()}`);
        assert.match(await res.text(), /Unknown model/);
      }
      const fb = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: hi }, { 'x-aether-fallback': model });
      assert.equal(fb.status, 404, `fallback ${model}`);
      // Behind a provider the name is just a model: served, and priced by what ran, never NaN.
      const { response } = await client.chat.completions.create({ model: `openai/${model}`, messages: hi }).withResponse();
      const cost = response.headers.get('x-aether-cost-usd');
      assert.ok(cost === null || Number.isFinite(Number(cost)), `openai/${model}: cost ${cost}`);
      const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
      assert.ok(trace.cost_usd === null || Number.isFinite(trace.cost_usd), `openai/${model}: stored cost ${String(trace.cost_usd)}`);
    }
    await stillUp();
  });

  it('serves projects whose slug names an Object.prototype member (rate limits and budgets look up own entries)', async () => {
    const org = (await g.t.aether.store.organizations.list())[0]!;
    for (const slug of ['constructor']) {
      const p = await g.t.aether.store.projects.create({ orgId: org.id, name: slug, slug });
      const key = (await g.t.aether.store.apiKeys.create({ projectId: p.id })).key;
      const c = new OpenAI({ apiKey: key, baseURL: `${g.base}/v1`, maxRetries: 0 });
      const r = await c.chat.completions.create({ model: 'mock/x', messages: hi });
      assert.match(String(r.choices[0]!.message.content), /mock response/);
    }
  });

  it('refuses a body nested 10,000 deep with a 400 naming the depth limit, on every route', async () => {
    // 10,000 levels meet the server's body limit (128) first; 100 levels the gateway's own (64).
    for (const [levels, limit] of [[10_000, 128], [100, 64]] as const) {
      let deep = '1';
      for (let i = 0; i < levels; i++) deep = `{"a":${deep}}`;
      const raw = (path: string) =>
        path === '/v1/embeddings' ? `{"model":"openai/text-embedding-3-small","input":"hi","extra":${deep}}` : `{"model":"openai/gpt-4o-mini","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`;
      for (const path of ['/v1/chat/completions', '/v1/embeddings', '/v1/messages']) {
        const res = await post(path, raw(path));
        assert.equal(res.status, 400, path);
        assert.match(await res.text(), new RegExp(`nested deeper than the limit of ${limit} levels`));
      }
    }
    let ok = '1';
    for (let i = 0; i < 50; i++) ok = `{"a":${ok}}`;
    const fine = await post('/v1/chat/completions', `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":${ok}}`);
    assert.equal(fine.status, 200, 'a body within the limit still reaches the upstream');
    assert.equal(g.upstream.calls.length, 1);
    await stillUp();
  });

  it('stores all 20 traces of 20 concurrent calls when one carries NUL, cleaned to U+FFFD; the upstream gets the original', async () => {
    const contents = Array.from({ length: 20 }, (_, i) => (i === 7 ? 'bad \u0000 nul' : i === 13 ? 'lone \ud800 half' : `good ${i}`));
    const answers = await Promise.all(contents.map((content) => client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse()));
    const ids = answers.map((a) => a.response.headers.get('x-aether-trace-id')!);
    const traces = await Promise.all(ids.map((id) => g.trace(id)));
    assert.equal(traces.length, 20);
    assert.deepEqual(
      traces.map((t) => t.query),
      contents.map((c) => c.replace('\u0000', '\ufffd').replace('\ud800', '\ufffd')),
    );
    const sent = g.upstream.calls.map((c) => (c.body.messages as Array<{ content: string }>)[0]!.content);
    assert.ok(sent.includes('bad \u0000 nul'), 'the upstream received the NUL');
    assert.ok(sent.includes('lone \ud800 half'), 'and the unpaired surrogate');
    await stillUp();
  });
});
