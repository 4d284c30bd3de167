// The HTTP API end to end through app.inject, on PGlite and on PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { seedTrace } from './helpers/fixtures.js';

interface Json {
  [k: string]: unknown;
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`traces API: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      t.aether.server.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-api-key': t.key, ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const get = (url: string, key = t.key) => t.aether.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

    before(async () => {
      t = await startTestApp(c);
    });
    after(async () => t?.close());

    it('accepts the seed curl body at /api/v1/traces/ and returns it with GET', async () => {
      const r = await post('/api/v1/traces/', seedTrace(t.projectId));
      assert.equal(r.statusCode, 201, r.body);
      const { id } = r.json<{ id: string }>();
      assert.ok(id);
      const g = await get(`/api/v1/traces/${id}`);
      assert.equal(g.statusCode, 200);
      const trace = g.json<Json>();
      assert.equal(trace.query, 'What is the capital of France?');
      assert.equal(trace.cost_usd, 0.002);
      assert.equal(trace.token_count, 150);
      assert.deepEqual(trace.spans, []);
      assert.ok(g.headers['x-request-id']);
    });

    it('accepts the path without the trailing slash, Bearer auth, and the project slug', async () => {
      const r = await post('/api/v1/traces', { ...seedTrace(), project_id: 'one' }, { 'x-api-key': '', authorization: `Bearer ${t.key}` });
      assert.equal(r.statusCode, 201, r.body);
    });

    it('stores a client-supplied id once and says so the second time', async () => {
      const body = { ...seedTrace(), id: 'client-42', input_tokens: 100, output_tokens: 20, user_id: 'u1', tags: ['a'], spans: [{ name: 'llm', kind: 'llm', start: 1767225600000, end: 1767225600450 }] };
      const a = await post('/api/v1/traces', body);
      assert.equal(a.statusCode, 201);
      const b = await post('/api/v1/traces', { ...body, query: 'other' });
      assert.equal(b.statusCode, 200);
      assert.deepEqual(b.json(), { id: 'client-42', duplicate: true });
      const g = (await get('/api/v1/traces/client-42')).json<{ query: string; spans: Array<{ duration_ms: number }> }>();
      assert.equal(g.query, 'What is the capital of France?');
      assert.equal(g.spans[0]?.duration_ms, 450);
      const list = (await get('/api/v1/traces?user_id=u1')).json<{ data: Array<{ id: string; token_count: number }> }>();
      assert.deepEqual(list.data.map((x) => x.id), ['client-42']);
      assert.equal(list.data[0]?.token_count, 150);
    });

    it('answers 207 for a batch with a result per item, rejecting only the bad ones', async () => {
      const r = await post('/api/v1/traces/batch', {
        traces: [
          { ...seedTrace(), id: 'b-1' },
          { ...seedTrace(), latency_ms: 'fast' },
          { ...seedTrace(), id: 'b-1' },
          { ...seedTrace(), project_id: t.other.projectId },
          { ...seedTrace(), id: 'b-2', tags: ['batch'] },
        ],
      });
      assert.equal(r.statusCode, 207, r.body);
      const body = r.json<{ accepted: number; duplicates: number; rejected: number; results: Array<Json & { error?: { message: string } }> }>();
      assert.equal(body.accepted, 2);
      assert.equal(body.duplicates, 1);
      assert.equal(body.rejected, 2);
      assert.deepEqual(body.results.map((x) => x.status), [201, 400, 201, 403, 201]);
      assert.match(body.results[1]!.error!.message, /traces\.1\.latency_ms/);
      assert.match(body.results[3]!.error!.message, /not the project of this API key/);
      assert.equal((await get('/api/v1/traces?tag=batch')).json<{ data: unknown[] }>().data.length, 1);
    });

    it('rejects a batch over 1,000 traces and an empty one, naming the field', async () => {
      const big = await post('/api/v1/traces/batch', { traces: Array.from({ length: 1001 }, () => seedTrace()) });
      assert.equal(big.statusCode, 400);
      assert.match(big.json<{ error: { message: string } }>().error.message, /traces/);
      const empty = await post('/api/v1/traces/batch', { traces: [] });
      assert.equal(empty.statusCode, 400);
    });

    it('explains bad input with the field and the fix, never a 500', async () => {
      const cases: Array<[unknown, number, RegExp]> = [
        ['{"query": ', 400, /not valid JSON/],
        [{ response: 'x' }, 400, /query: is required/],
        [{ query: 1 }, 400, /query: .*expected string/],
        [{ query: 'q', contexts: [{ source: 'x' }] }, 400, /contexts\.0\.text: is required/],
        [{ query: 'q', latency_ms: -1 }, 400, /latency_ms/],
        [{ query: 'q', timestamp: 'yesterday' }, 400, /timestamp/],
        [{ query: 'q', spans: [{ name: 's', kind: 'nope', start: 0 }] }, 400, /spans\.0\.kind/],
        [{ query: 'q', spans: [{ name: 's', start: 10, end: 5 }] }, 400, /spans\.0\.end_time: is before start_time/],
        [{ query: 'q', qurey: 'typo' }, 400, /qurey: is not a known field/],
        [[1, 2], 400, /expected object/],
        ['', 400, /empty/],
      ];
      for (const [body, status, msg] of cases) {
        const r = await post('/api/v1/traces', body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)} → ${r.body}`);
        assert.match(r.json<{ error: { message: string } }>().error.message, msg, JSON.stringify(body));
      }
      const text = await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces', headers: { 'content-type': 'text/plain', 'x-api-key': t.key }, payload: 'hi' });
      assert.equal(text.statusCode, 415);
      const q = await get('/api/v1/traces?limit=0');
      assert.equal(q.statusCode, 400);
      assert.match(q.body, /limit/);
    });

    it('answers 413 for a body over the limit', async () => {
      const r = await post('/api/v1/traces', { ...seedTrace(), response: 'x'.repeat(1_100_000) });
      assert.equal(r.statusCode, 413);
      assert.match(r.json<{ error: { message: string } }>().error.message, /larger than/);
    });

    it('refuses missing, malformed, unknown and revoked keys with 401', async () => {
      const none = await t.aether.server.inject({ method: 'GET', url: '/api/v1/traces' });
      assert.equal(none.statusCode, 401);
      assert.match(none.body, /X-API-Key/);
      assert.match(String(none.headers['x-request-id']), /^[0-9a-f-]{36}$/, 'an error reply names its request too');
      assert.equal((await get('/api/v1/traces', 'nope')).statusCode, 401);
      const unknown = await get('/api/v1/traces', 'ae_' + 'x'.repeat(43));
      assert.equal(unknown.statusCode, 401);
      assert.match(unknown.body, /Unknown API key/);
      const { key, record } = await t.aether.store.apiKeys.create({ projectId: t.projectId });
      assert.equal((await get('/api/v1/traces', key)).statusCode, 200);
      await t.aether.store.apiKeys.revoke(record.id);
      const revoked = await get('/api/v1/traces', key);
      assert.equal(revoked.statusCode, 401);
      assert.match(revoked.body, /revoked/);
    });

    it("forbids writing to another project, hides another project's traces", async () => {
      const r = await post('/api/v1/traces', seedTrace(t.other.projectId));
      assert.equal(r.statusCode, 403);
      const mine = (await post('/api/v1/traces', seedTrace())).json<{ id: string }>().id;
      assert.equal((await get(`/api/v1/traces/${mine}`, t.other.key)).statusCode, 404);
      const theirs = await get('/api/v1/traces?limit=500', t.other.key);
      assert.equal(theirs.json<{ data: unknown[] }>().data.length, 0);
      assert.equal((await get('/api/v1/project', t.other.key)).json<{ id: string }>().id, t.other.projectId);
    });

    it('serves health, readiness, Prometheus metrics and the OpenAPI document', async () => {
      assert.equal((await t.aether.server.inject('/health')).json<{ status: string }>().status, 'ok');
      const ready = await t.aether.server.inject('/health/ready');
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json<{ store: string }>().store, c.kind);
      const m = (await t.aether.server.inject('/metrics')).body;
      assert.match(m, /aether_traces_ingested_total \d+/);
      assert.ok(Number(/aether_traces_ingested_total (\d+)/.exec(m)?.[1]) >= 5);
      assert.match(m, /aether_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/traces"/);
      assert.match(m, /aether_http_errors_total\{status_code="401",code="unauthorized"\}/);
      const doc = (await t.aether.server.inject('/openapi.json')).json<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>();
      assert.equal(doc.openapi, '3.1.0');
      for (const p of ['/api/v1/traces', '/api/v1/traces/batch', '/api/v1/traces/{id}', '/health/ready']) assert.ok(doc.paths[p], p);
      assert.ok(doc.components.schemas.TraceInput);
      assert.equal((await t.aether.server.inject('/docs/')).statusCode, 200);
      const nf = await t.aether.server.inject('/api/v1/nothing');
      assert.equal(nf.statusCode, 404);
      assert.match(nf.body, /No route GET/);
      assert.ok(nf.headers['x-request-id']);
      const mine = await t.aether.server.inject({ url: '/health', headers: { 'x-request-id': 'req-42' } });
      assert.equal(mine.headers['x-request-id'], 'req-42', "the caller's request id is echoed");
    });
  });
}
