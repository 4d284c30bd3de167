// The pipeline end to end, through the openai SDK and raw HTTP: retries (Retry-After honoured),
// fallbacks, timeouts, circuit breakers, client disconnects, cache, rate limits and budgets.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';
import { OPENAI, openAIContent } from './helpers/fixtures.js';

const hi = [{ role: 'user' as const, content: 'Say Foo' }];
const foo = openAIContent(OPENAI.text).text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gateway resilience', () => {
  let g: GatewayTestApp;
  let client: OpenAI;
  const keys: Record<string, string> = {};

  before(async () => {
    g = await startGatewayApp({
      retry: { max_retries: 2, base_delay_ms: 5, max_delay_ms: 20, max_retry_after_ms: 5_000 },
      breaker: { window_ms: 10_000, min_requests: 5, failure_rate: 0.5, open_ms: 400 },
      fallbacks: { 'openai/gpt-4-turbo': ['anthropic/claude-haiku-4-5'] },
      cache: { enabled: true, ttl_s: 60 },
      rate_limits: { projects: { limited: { requests_per_minute: 2, tokens_per_minute: 0 }, tpm: { requests_per_minute: 0, tokens_per_minute: 30 } } },
      budget: { projects: { thrifty: 0.000001 }, on_exceeded: 'downgrade', downgrade_model: 'mock/cheap' },
    });
    // The cache is on in this app: every test but the cache test opts out, so it reaches the upstream.
    client = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0, defaultHeaders: { 'x-aether-cache': 'bypass' } });
    const org = (await g.t.aether.store.organizations.list())[0]!;
    for (const slug of ['limited', 'tpm', 'thrifty']) {
      const p = await g.t.aether.store.projects.create({ orgId: org.id, name: slug, slug });
      keys[slug] = (await g.t.aether.store.apiKeys.create({ projectId: p.id })).key;
    }
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  it('retries a 429 after its Retry-After, then a 500 and a connection reset, and traces every attempt', async () => {
    g.upstream.script.push({ kind: 'status', status: 429, retryAfter: '1' });
    const t0 = Date.now();
    const { data, response } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }).withResponse();
    assert.equal(data.choices[0]!.message.content, foo);
    assert.ok(Date.now() - t0 >= 950, 'waited for Retry-After');
    assert.equal(response.headers.get('x-aether-attempts'), '2');
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.deepEqual(trace.spans.map((s) => s.status), ['error', 'success']);
    assert.match(String(trace.spans[0]!.error), /429/);
    assert.equal((trace.spans[0]!.attributes as Record<string, unknown>).retry_delay_ms, 1000);

    g.upstream.script.push({ kind: 'status', status: 500 }, { kind: 'reset' });
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi });
    assert.equal(r.choices[0]!.message.content, foo);
    assert.equal(g.upstream.calls.length, 5);
  });

  it('gives up after the retries with the upstream status and Retry-After', async () => {
    g.upstream.byModel.set('gpt-4o-2024-05-13', { kind: 'status', status: 429, retryAfter: '9' });
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o-2024-05-13', messages: hi }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.headers?.get('retry-after'), '9');
      return true;
    });
    assert.equal(g.upstream.calls.length, 1, 'a Retry-After beyond max_retry_after_ms is not waited for');
  });

  it('falls back to the next model: from config, and from the x-aether-fallback header after a timeout', async () => {
    g.upstream.byModel.set('gpt-4-turbo', { kind: 'status', status: 503 });
    const { data, response } = await client.chat.completions.create({ model: 'openai/gpt-4-turbo', messages: hi }).withResponse();
    assert.equal(data.choices[0]!.message.content, 'Hello there!');
    assert.equal(response.headers.get('x-aether-model'), 'anthropic/claude-haiku-4-5');
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.equal(trace.metadata.fallback_used, true);
    assert.equal(trace.spans.length, 4, 'three tries of the first model, one of the fallback');
    assert.equal(trace.provider, 'anthropic');

    g.upstream.script.push({ kind: 'slow', ms: 1500 });
    const t0 = Date.now();
    const { response: r2 } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-2024-08-06', messages: hi }, { headers: { 'x-aether-timeout-ms': '200', 'x-aether-max-retries': '0', 'x-aether-fallback': 'mock/backup' } })
      .withResponse();
    assert.ok(Date.now() - t0 < 1200, 'did not wait for the slow first byte');
    assert.equal(r2.headers.get('x-aether-provider'), 'mock');
    const t2 = await g.trace(r2.headers.get('x-aether-trace-id')!);
    assert.match(String(t2.spans[0]!.error), /did not answer in time/);
  });

  it('opens the circuit after failures, refuses without calling upstream, then half-opens and closes', async () => {
    g.upstream.byModel.set('gpt-3.5-turbo', { kind: 'status', status: 500 });
    const call = () => client.chat.completions.create({ model: 'openai/gpt-3.5-turbo', messages: hi }, { headers: { 'x-aether-max-retries': '0' } });
    for (let i = 0; i < 5; i++) await assert.rejects(call(), (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === 502);
    await assert.rejects(call(), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503 && /circuit breaker is open/.test(e.message));
    assert.equal(g.upstream.calls.length, 5, 'the open circuit kept the sixth call from the upstream');
    await sleep(450);
    g.upstream.byModel.clear();
    const probe = await call();
    assert.equal(probe.choices[0]!.message.content, foo);
    await call();
    assert.equal(g.upstream.calls.length, 7);
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    g.upstream.script.push({ kind: 'hang', after: 2 });
    const ac = new AbortController();
    const res = await fetch(`${g.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4.1-mini', stream: true, messages: hi }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /^data: /);
    ac.abort();
    for (let i = 0; i < 50 && !g.upstream.calls[0]!.aborted; i++) await sleep(20);
    assert.equal(g.upstream.calls[0]!.aborted, true, 'upstream connection closed');
    const trace = await g.trace(res.headers.get('x-aether-trace-id')!);
    assert.equal(trace.status, 'error');
    assert.match(String(trace.error), /client/);
  });

  it('aborts the upstream request when the client of a non-streamed call goes away', async () => {
    g.upstream.script.push({ kind: 'slow', ms: 3000 });
    const ac = new AbortController();
    const pending = fetch(`${g.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.t.key}`, 'content-type': 'application/json', 'x-aether-cache': 'bypass' },
      body: JSON.stringify({ model: 'openai/o1-mini', messages: hi }),
      signal: ac.signal,
    }).catch(() => undefined);
    for (let i = 0; i < 50 && g.upstream.calls.length === 0; i++) await sleep(10);
    ac.abort();
    await pending;
    for (let i = 0; i < 50 && !g.upstream.calls[0]!.aborted; i++) await sleep(20);
    assert.equal(g.upstream.calls[0]!.aborted, true);
  });

  it('relays a dropped upstream stream as an error event', async () => {
    g.upstream.script.push({ kind: 'midstream-drop', after: 3 });
    const res = await fetch(`${g.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4.1', stream: true, messages: hi }),
    });
    const text = await res.text();
    const last = text.trim().split('\n\n').pop()!;
    const err = JSON.parse(last.slice('data: '.length)) as { error: { type: string; code: string; message: string } };
    assert.equal(err.error.code, 'upstream_stream_error');
    assert.doesNotMatch(text, /\[DONE\]/);
  });

  it('caches identical requests (hit header, no upstream call), replays hits as streams, and honours bypass', async () => {
    const client = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
    const req = { model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user' as const, content: 'cache me' }] };
    const a = await client.chat.completions.create(req).withResponse();
    assert.equal(a.response.headers.get('x-aether-cache'), 'miss');
    const b = await client.chat.completions.create({ ...req, user: 'someone-else' }).withResponse();
    assert.equal(b.response.headers.get('x-aether-cache'), 'hit');
    assert.equal(b.response.headers.get('x-aether-cost-usd'), '0');
    assert.deepEqual(b.data.choices, a.data.choices);
    assert.equal(g.upstream.calls.length, 1);
    let text = '';
    for await (const chunk of await client.chat.completions.create({ ...req, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, foo);
    assert.equal(g.upstream.calls.length, 1);
    const c = await client.chat.completions.create(req, { headers: { 'x-aether-cache': 'bypass' } }).withResponse();
    assert.equal(c.response.headers.get('x-aether-cache'), 'bypass');
    const d = await client.chat.completions.create(req, { headers: { 'cache-control': 'no-cache' } }).withResponse();
    assert.equal(d.response.headers.get('x-aether-cache'), 'bypass');
    assert.equal(g.upstream.calls.length, 3);
    const trace = await g.trace(b.response.headers.get('x-aether-trace-id')!);
    assert.equal(trace.metadata.cache, 'hit');
    assert.equal(trace.cost_usd, 0);
    const other = new OpenAI({ apiKey: g.t.other.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
    const e = await other.chat.completions.create(req).withResponse();
    assert.equal(e.response.headers.get('x-aether-cache'), 'miss', 'one project never sees another project’s cache');
  });

  it('rate limits requests and tokens per key with 429 and Retry-After', async () => {
    const limited = new OpenAI({ apiKey: keys.limited, baseURL: `${g.base}/v1`, maxRetries: 0 });
    await limited.chat.completions.create({ model: 'mock/x', messages: hi });
    const second = await limited.chat.completions.create({ model: 'mock/x', messages: hi }).withResponse();
    assert.equal(second.response.headers.get('x-ratelimit-remaining-requests'), '0');
    await assert.rejects(limited.chat.completions.create({ model: 'mock/x', messages: hi }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError, String(e));
      assert.equal(e.headers?.get('retry-after'), '30');
      assert.match(e.message, /2 requests per minute/, e.message);
      return true;
    });
    const tpm = new OpenAI({ apiKey: keys.tpm, baseURL: `${g.base}/v1`, maxRetries: 0 });
    await tpm.chat.completions.create({ model: 'openai/gpt-4o-mini', max_tokens: 20, messages: hi });
    await assert.rejects(tpm.chat.completions.create({ model: 'openai/gpt-4o-mini', max_tokens: 20, messages: hi }), (e: unknown) => e instanceof OpenAI.RateLimitError && /tokens per minute/.test(e.message));
  });

  it('downgrades to the configured cheaper model once the daily budget is spent, and rejects beyond that', async () => {
    const thrifty = new OpenAI({ apiKey: keys.thrifty, baseURL: `${g.base}/v1`, maxRetries: 0 });
    const first = await thrifty.chat.completions.create({ model: 'openai/gpt-4o', messages: hi }).withResponse();
    assert.ok(Number(first.response.headers.get('x-aether-cost-usd')) > 0.000001);
    const second = await thrifty.chat.completions.create({ model: 'openai/gpt-4o', messages: hi }).withResponse();
    assert.equal(second.response.headers.get('x-aether-budget'), 'downgraded');
    assert.equal(second.response.headers.get('x-aether-model'), 'mock/cheap');
    await assert.rejects(thrifty.chat.completions.create({ model: 'mock/cheap', messages: hi }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 402 && /budget/.test(e.message));
  });

  it('lists gateway traces with their cost through the traces API', async () => {
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }, { headers: { 'x-aether-tags': 'listing' } });
    let rows: Array<{ cost_usd: number | null; provider: string; metadata: Record<string, unknown> }> = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const r = await fetch(`${g.base}/api/v1/traces?tag=listing&provider=openai`, { headers: { authorization: `Bearer ${g.t.key}` } });
      rows = ((await r.json()) as { data: typeof rows }).data;
      if (!rows.length) await sleep(30);
    }
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.cost_usd! > 0);
    assert.equal(rows[0]!.metadata.source, 'gateway');
  });
});
