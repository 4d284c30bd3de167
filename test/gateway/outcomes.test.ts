// What the breaker counts (issue 17): the outcome of each client request, once, not each attempt;
// a 429 honoured with Retry-After is no failure of the model; a project's own credentials failing
// opens only that project's circuit. And failed calls still tell the client where their trace is.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';
import { OPENAI, openAIContent } from './helpers/fixtures.js';

const hi = [{ role: 'user' as const, content: 'Say Foo' }];
const foo = openAIContent(OPENAI.text).text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status and headers of a call that must fail. */
async function failure(p: Promise<unknown>): Promise<{ status: number; headers: Headers; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OpenAI.APIError, String(e));
    return { status: e.status ?? 0, headers: e.headers ?? new Headers(), message: e.message };
  }
  throw new Error('the call succeeded');
}

describe('gateway breaker outcomes and failure headers', () => {
  let g: GatewayTestApp;
  let client: OpenAI;

  before(async () => {
    g = await startGatewayApp({
      retry: { max_retries: 2, base_delay_ms: 5, max_delay_ms: 20, max_retry_after_ms: 5_000 },
      breaker: { window_ms: 20_000, min_requests: 4, failure_rate: 0.5, open_ms: 30_000 },
    });
    client = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  it('does not open the breaker for a one-second rate limit that three of four requests waited out', async () => {
    g.upstream.byModel.set('gpt-limited', { kind: 'status', status: 429, retryAfter: '1' });
    const call = (retries: string) => client.chat.completions.create({ model: 'openai/gpt-limited', messages: hi }, { headers: { 'x-aether-max-retries': retries } });
    const arrived = async (n: number) => {
      while (g.upstream.calls.length < n) await sleep(5);
    };
    // The one that will not wait goes first; the limit lifts once all four were refused (their
    // retries come a Retry-After later), however slowly this machine delivers them.
    const d = call('0').then((v) => ({ status: 'fulfilled' as const, value: v }), (e: unknown) => ({ status: 'rejected' as const, reason: e }));
    await arrived(1);
    const waiting = Promise.allSettled([call('2'), call('2'), call('2')]);
    await arrived(4);
    g.upstream.byModel.delete('gpt-limited');
    const [a, b, c] = await waiting;
    for (const r of [a, b, c]) assert.equal(r.status === 'fulfilled' && r.value.choices[0]!.message.content, foo, r.status === 'rejected' ? String(r.reason) : 'ok');
    const dr = await d;
    assert.ok(dr.status === 'rejected' && dr.reason instanceof OpenAI.RateLimitError, 'the one that would not wait got the 429');
    const next = await client.chat.completions.create({ model: 'openai/gpt-limited', messages: hi });
    assert.equal(next.choices[0]!.message.content, foo, 'the circuit stayed closed');
  });

  it('counts a failing request once however many times it was retried, and answers an open circuit with trace headers', async () => {
    g.upstream.byModel.set('gpt-down', { kind: 'status', status: 500 });
    const call = () => client.chat.completions.create({ model: 'openai/gpt-down', messages: hi });
    for (let i = 0; i < 4; i++) {
      const f = await failure(call());
      assert.equal(f.status, 502, `request ${i + 1} reached the upstream: ${f.message}`);
      assert.equal(f.headers.get('x-aether-attempts'), '3');
      const trace = await g.trace(f.headers.get('x-aether-trace-id')!);
      assert.equal(trace.status, 'error');
      assert.equal(trace.spans.length, 3);
    }
    assert.equal(g.upstream.calls.length, 12, 'three attempts each: the breaker saw four outcomes, not twelve');
    const open = await failure(call());
    assert.equal(open.status, 503);
    assert.match(open.message, /circuit breaker is open/);
    assert.equal(open.headers.get('x-aether-attempts'), '0');
    const trace = await g.trace(open.headers.get('x-aether-trace-id')!);
    assert.equal(trace.spans[0]!.status, 'error');
    assert.equal((trace.spans[0]!.attributes as Record<string, unknown>).skipped, 'circuit_open');
    assert.equal(g.upstream.calls.length, 12);
  });

  it("keeps a project's own failing credentials from opening the circuit for other projects", async () => {
    const a = g.t.other;
    const put = await fetch(`${g.base}/api/v1/projects/${a.projectId}/providers/openai`, {
      method: 'PUT',
      headers: { 'x-api-key': a.key, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'sk-project-a-key', base_url: `${g.upstream.url}/v1` }),
    });
    assert.equal(put.status, 200);
    const mine = new OpenAI({ apiKey: a.key, baseURL: `${g.base}/v1`, maxRetries: 0, defaultHeaders: { 'x-aether-max-retries': '0' } });
    g.upstream.byKey.set('sk-project-a-key', { kind: 'status', status: 401, message: 'invalid key' });
    for (let i = 0; i < 6; i++) assert.equal((await failure(mine.chat.completions.create({ model: 'openai/gpt-shared', messages: hi }))).status, 502, 'a refused key is never an open circuit');
    g.upstream.byKey.set('sk-project-a-key', { kind: 'status', status: 500 });
    for (let i = 0; i < 4; i++) assert.equal((await failure(mine.chat.completions.create({ model: 'openai/gpt-shared', messages: hi }))).status, 502);
    assert.equal((await failure(mine.chat.completions.create({ model: 'openai/gpt-shared', messages: hi }))).status, 503, "the project's own circuit opened");
    const r = await client.chat.completions.create({ model: 'openai/gpt-shared', messages: hi });
    assert.equal(r.choices[0]!.message.content, foo, 'other projects, on the server key, are still served');
    assert.equal(g.upstream.calls.at(-1)!.headers.authorization, 'Bearer sk-test-openai');
  });

  it('puts x-aether-trace-id and x-aether-attempts on 4xx and 5xx answers, streamed or not, on both routes', async () => {
    g.upstream.script.push({ kind: 'status', status: 400, message: 'bad temperature' });
    const bad = await failure(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }));
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-aether-attempts'), '1');
    assert.match(String((await g.trace(bad.headers.get('x-aether-trace-id')!)).error), /bad temperature/);

    const unknown = await failure(client.chat.completions.create({ model: 'no-such-model', messages: hi }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-aether-attempts'), '0');
    assert.equal((await g.trace(unknown.headers.get('x-aether-trace-id')!)).status, 'error');

    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'openai/gpt-4o', stream: true, messages: hi }],
      ['/v1/messages', { model: 'openai/gpt-4o', max_tokens: 8, messages: hi }],
    ] as const) {
      g.upstream.script.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
      const res = await fetch(`${g.base}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': g.t.key, 'content-type': 'application/json', 'x-aether-max-retries': '1' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 502, path);
      assert.equal(res.headers.get('x-aether-attempts'), '2', path);
      const trace = await g.trace(res.headers.get('x-aether-trace-id')!);
      assert.equal(trace.spans.length, 2);
    }
  });
});
