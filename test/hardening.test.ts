// Issue 17's hostile inputs, each a fixed regression: a 4xx naming the field (never a 500), good
// items of the same request stored and readable, and no request blocking the event loop. On PGlite
// and PostgreSQL, through app.inject.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importLangfuse, normalizeTrace, traceKey } from '../src/ingest/index.js';
import { traceInputSchema } from '../src/core/index.js';
import { webhookMetric } from '../src/evals/metrics/webhook.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface BatchBody {
  accepted: number;
  rejected: number;
  results: Array<{ index: number; status: number; id?: string; error?: { message: string } }>;
}

const SHARED = process.env.AETHER_SHARED_DIR ?? fileURLToPath(new URL('../../shared/', import.meta.url));
const LANGFUSE = `${SHARED}data/traces/langfuse/agno-2025-06-11.trace.json`;

const TRACE_ID = (n: number) => n.toString(16).padStart(32, 'a');
const SPAN_ID = (n: number) => n.toString(16).padStart(16, 'b');
const NOW_NS = () => `${Date.now()}000000`;
const otlpSpan = (trace: number, attributes: unknown[]) => ({
  traceId: TRACE_ID(trace),
  spanId: SPAN_ID(trace),
  name: 'chat',
  startTimeUnixNano: NOW_NS(),
  attributes,
});
const otlpBody = (...spans: unknown[]) => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

describe('custom webhook metric with a URL fetch refuses', () => {
  it('answers not_applicable at once instead of throwing a retryable error', async () => {
    // A config stored before URLs with credentials were refused: every call fails the same way.
    let calls = 0;
    const counting: typeof fetch = (input, init) => (calls++, fetch(input, init));
    const m = webhookMetric({ type: 'webhook', name: 'creds', url: 'http://user:pw@127.0.0.1:9/score', timeout_ms: 1000 }, counting);
    const r = await m.evaluate({ query: 'q', response: 'r', contexts: [] } as never, {} as never);
    assert.equal(r.label, 'not_applicable');
    assert.match(r.reason, /cannot be called: .*credentials/);
    assert.equal(calls, 1);
  });
});

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`hardening: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    const send = (method: 'POST' | 'PUT' | 'GET' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
      t.aether.server.inject({
        method,
        url,
        headers: { 'x-api-key': t.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
      });
    const post = (url: string, body: unknown) => send('POST', url, body);
    const get = (url: string) => send('GET', url);
    /** A 400 whose message names `field` (and says what is wrong with it). */
    const rejects = async (res: Awaited<ReturnType<typeof post>>, field: string, why: RegExp) => {
      assert.equal(res.statusCode, 400, res.body);
      const m = res.json<ErrorBody>().error.message;
      assert.ok(m.includes(`${field}:`), `message names ${field}: ${m}`);
      assert.match(m, why);
    };

    before(async () => {
      // No worker, so queued evaluations stay pending and the queue counts can be compared.
      t = await startTestApp(c, { AETHER_WORKER: 'false' });
    });
    after(async () => t?.close());

    it('refuses NUL and lone surrogates in any stored string, naming the field', async () => {
      await rejects(await post('/api/v1/traces', { query: 'a\u0000b' }), 'query', /NUL/);
      await rejects(await post('/api/v1/traces', { query: 'q', metadata: { nested: { k: 'a\u0000' } } }), 'metadata.nested.k', /NUL/);
      await rejects(await post('/api/v1/traces', '{"query":"\\ud800"}'), 'query', /surrogate/);
      await rejects(await post('/api/v1/traces', { query: 'q', spans: [{ name: 's', start: Date.now(), attributes: { ['k\u0000']: 1 } }] }), 'spans.0.attributes.k\u0000', /NUL/);
      await rejects(await post('/api/v1/traces', { query: 'q', tags: ['ok', 'b\u0000'] }), 'tags.1', /NUL/);
    });

    it('range-checks numbers and times against their columns and rollups', async () => {
      await rejects(await post('/api/v1/traces', { query: 'q', token_count: 3_000_000_000 }), 'token_count', /<=/);
      await rejects(await post('/api/v1/traces', { query: 'q', timestamp: 9_000_000_000_000_000 }), 'timestamp', /between 2000-01-01/);
      await rejects(await post('/api/v1/traces', { query: 'q', timestamp: '1999-12-31T23:00:00Z' }), 'timestamp', /between/);
      await rejects(await post('/api/v1/traces', { query: 'q', cost_usd: 1e308 }), 'cost_usd', /<=/);
      await rejects(await post('/api/v1/traces', { query: 'q', latency_ms: 1e300 }), 'latency_ms', /<=/);
      const ok = await post('/api/v1/traces', { query: 'within bounds', cost_usd: 1e9, input_tokens: 1e9, output_tokens: 1e9 });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal((await get(`/api/v1/traces/${ok.json<{ id: string }>().id}`)).json<{ token_count: number }>().token_count, 2e9);
      const summary = await get('/api/v1/metrics/summary?window=24h');
      assert.equal(summary.statusCode, 200, summary.body);
    });

    it('bounds nesting: a 10,000-deep body is a 400, and 32 levels of metadata are fine', async () => {
      const deep = `{"query":"q","metadata":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
      const r = await post('/api/v1/traces', deep);
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.json<ErrorBody>().error.message, /nested deeper than the limit of 128 levels \(at metadata\.a\.0\.0/);
      const r32 = await post('/api/v1/traces', `{"query":"q","metadata":{"a":${'['.repeat(40)}${']'.repeat(40)}}}`);
      assert.equal(r32.statusCode, 400);
      assert.match(r32.json<ErrorBody>().error.message, /^metadata\.a(\.0)+: nests deeper than 32 levels$/);
      let v: unknown = 'leaf';
      for (let i = 0; i < 30; i++) v = { v };
      const ok = await post('/api/v1/traces', { query: 'deep enough', metadata: { v } });
      assert.equal(ok.statusCode, 201, ok.body);
    });

    it('says which key is reserved for a __proto__ body, and keeps constructor/prototype keys as data', async () => {
      const r = await post('/api/v1/traces', '{"query":"q","metadata":{"__proto__":{"polluted":true}}}');
      assert.equal(r.statusCode, 400, r.body);
      const m = r.json<ErrorBody>().error.message;
      assert.doesNotMatch(m, /not valid JSON/);
      assert.match(m, /metadata\.__proto__: .*reserved/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      const ok = await post('/api/v1/traces', { query: 'keys', metadata: { constructor: { prototype: { x: 1 } }, toString: 'ok' } });
      assert.equal(ok.statusCode, 201, ok.body);
      const back = (await get(`/api/v1/traces/${ok.json<{ id: string }>().id}`)).json<{ metadata: Record<string, unknown> }>();
      assert.deepEqual(back.metadata, { constructor: { prototype: { x: 1 } }, toString: 'ok' });
    });

    it('answers a batch with one bad item 207, storing the good ones', async () => {
      const r = await post('/api/v1/traces/batch', { traces: [{ query: 'ok' }, { query: 'a\u0000' }, { query: 'ok2' }] });
      assert.equal(r.statusCode, 207, r.body);
      const b = r.json<BatchBody>();
      assert.deepEqual(b.results.map((x) => x.status), [201, 400, 201]);
      assert.equal(b.accepted, 2);
      assert.match(b.results[1]!.error!.message, /traces\.1\.query: contains a NUL/);
      for (const i of [0, 2]) {
        const g = await get(`/api/v1/traces/${b.results[i]!.id}`);
        assert.equal(g.statusCode, 200);
        assert.equal(g.json<{ query: string }>().query, i === 0 ? 'ok' : 'ok2');
      }
    });

    it('isolates a row only the database refuses: the others in the group commit are stored', async () => {
      // Defence in depth: rows built past validation, one with a time the database cannot hold.
      const scope = t.projectId;
      const mk = (id: string) => normalizeTrace(scope, traceInputSchema.parse({ id, query: id }));
      const items = ['iso-a', 'iso-b', 'iso-bad', 'iso-c', 'iso-d'].map(mk);
      items[2]!.trace.ts = new Date(8.64e15); // year 275760: valid in JS, refused by PostgreSQL
      const outcomes = await Promise.all(items.map((i) => t.aether.ingest.writer.write([i])));
      const { created, failed } = outcomes[0]!;
      assert.deepEqual([...failed.keys()], [traceKey(scope, 'iso-bad')]);
      assert.equal(failed.get(traceKey(scope, 'iso-bad'))!.status, 400);
      assert.equal(created.size, 4);
      for (const id of ['iso-a', 'iso-b', 'iso-c', 'iso-d']) assert.equal((await get(`/api/v1/traces/${id}`)).statusCode, 200, id);
      assert.equal((await get('/api/v1/traces/iso-bad')).statusCode, 404);
    });

    it('imports a Langfuse export with one bad trace: that one rejected by field, the other stored', async () => {
      const good = JSON.parse(readFileSync(LANGFUSE, 'utf8')) as { trace: { id: string; userId: string | null } };
      const bad = structuredClone(good);
      bad.trace.id = `${good.trace.id}-nul`;
      bad.trace.userId = 'user\u0000x';
      const sum = await importLangfuse(t.aether.ingest, { id: t.projectId, slug: 'one' }, [{ name: 'good.json', json: good }, { name: 'bad.json', json: bad }]);
      assert.deepEqual([sum.imported, sum.rejected], [1, 1]);
      assert.match(sum.files[1]!.errors[0]!, /user_id: contains a NUL/);
      assert.equal((await get(`/api/v1/traces/${good.trace.id}`)).statusCode, 200);
    });

    it('validates path and query parameters: NUL is a 400, never a 500', async () => {
      await rejects(await get('/api/v1/traces/%00'), 'params.id', /NUL/);
      await rejects(await get('/api/v1/traces?q=%00'), 'querystring.q', /NUL/);
      await rejects(await get('/api/v1/traces?from=-271821-04-20T00:00:00Z'), 'querystring.from', /between 1970 and 9999/);
      await rejects(await post('/api/v1/alerts/%00/resolve', undefined), 'params.id', /NUL/);
      await rejects(await get('/api/v1/budgets/%00/status'), 'params.id', /NUL/);
      await rejects(await send('DELETE', '/api/v1/budgets/%00'), 'params.id', /NUL/);
      await rejects(await get('/api/v1/evaluations?metric=%00'), 'querystring.metric', /NUL/);
      await rejects(await post('/api/v1/budgets', { name: 'b\u0000', period: 'daily', amount_usd: 1 }), 'name', /NUL/);
      await rejects(await post('/api/v1/budgets', { name: 'b', period: 'daily', amount_usd: 1e300 }), 'amount_usd', /<=/);
      await rejects(await send('PUT', `/api/v1/alert-config/${t.projectId}`, { severity: { ['x\u0000']: 'info' } }), 'severity.x\u0000', /Invalid key|NUL/);
      assert.equal((await get('/api/v1/traces/no-such-trace')).statusCode, 404);
    });

    it('refuses a custom-metric webhook URL with credentials when it is configured', async () => {
      const r = await send('PUT', `/api/v1/projects/${t.projectId}/evaluation-config`, {
        custom_metrics: [{ type: 'webhook', name: 'creds', url: 'https://user:secret@metrics.example.com/score' }],
      });
      await rejects(r, 'custom_metrics.0.url', /credentials/);
      assert.doesNotMatch(r.body, /secret@/);
    });

    it('shows each project only its own evaluation queue', async () => {
      const one = (await post('/api/v1/traces/batch', { traces: [{ query: 'queued 1' }, { query: 'queued 2' }] })).json<BatchBody>();
      assert.equal(one.accepted, 2);
      const mine = (await get('/api/v1/queue')).json<{ pending: number; running: number; dead: number }>();
      const theirs = (await send('GET', '/api/v1/queue', undefined, { 'x-api-key': t.other.key })).json<{ pending: number; running: number; dead: number }>();
      assert.ok(mine.pending >= 2, JSON.stringify(mine));
      assert.deepEqual([theirs.pending, theirs.running, theirs.dead], [0, 0, 0]);
    });

    describe('OTLP', () => {
      const otlp = (body: unknown, headers: Record<string, string> = {}) =>
        t.aether.server.inject({
          method: 'POST',
          url: '/v1/traces',
          headers: { 'content-type': 'application/json', 'x-api-key': t.key, ...headers },
          payload: Buffer.isBuffer(body) ? body : JSON.stringify(body),
        });
      const stored = async (n: number) => get(`/api/v1/traces/${TRACE_ID(n)}`);

      it('rejects only the trace with a NUL stringValue and stores the rest', async () => {
        const r = await otlp(otlpBody(otlpSpan(1, [{ key: 'input.value', value: { stringValue: 'a\u0000b' } }]), otlpSpan(2, [{ key: 'input.value', value: { stringValue: 'fine' } }])));
        assert.equal(r.statusCode, 200, r.body);
        const p = r.json<{ partialSuccess: { rejectedSpans: number; errorMessage: string } }>().partialSuccess;
        assert.equal(p.rejectedSpans, 1);
        assert.match(p.errorMessage, /NUL/);
        assert.equal((await stored(1)).statusCode, 404);
        assert.equal((await stored(2)).json<{ query: string }>().query, 'fine');
      });

      it('takes intValue "3000000000", a toString-keyed object and a __proto__ attribute without failing the trace', async () => {
        const r = await otlp(
          otlpBody(
            otlpSpan(3, [
              { key: 'gen_ai.usage.input_tokens', value: { intValue: '3000000000' } },
              { key: 'weird', value: { stringValue: [{ toString: 'not a function' }] } },
              { key: 'weird.int', value: { intValue: { toString: 1 } } },
              { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
              { key: 'kept', value: { stringValue: 'yes' } },
            ]),
          ),
        );
        assert.equal(r.statusCode, 200, r.body);
        const g = (await stored(3)).json<{ input_tokens: number | null; spans: Array<{ attributes: Record<string, unknown> }> }>();
        assert.equal(g.input_tokens, null, 'a count beyond the stored range is ignored');
        const attrs = g.spans[0]!.attributes;
        assert.equal(attrs.kept, 'yes');
        assert.equal(attrs['gen_ai.usage.input_tokens'], 3_000_000_000);
        assert.equal(Object.hasOwn(attrs, '__proto__'), false);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });

      it('refuses a 29 KB gzip body of ten million empty objects quickly, /health answering meanwhile', async () => {
        const evil = gzipSync(`{"resourceSpans":[${Array(10_000_000).fill('{}').join(',')}]}`);
        assert.ok(evil.length < 64 * 1024);
        const started = performance.now();
        const pending = otlp(evil, { 'content-encoding': 'gzip' });
        // Probe the loop while the request is processed: each probe waits for a timer of 10 ms.
        let worstLag = 0;
        let done = false;
        void pending.finally(() => (done = true));
        while (!done) {
          const t0 = performance.now();
          await new Promise((r) => setTimeout(r, 10));
          worstLag = Math.max(worstLag, performance.now() - t0 - 10);
        }
        const r = await pending;
        const health = await t.aether.server.inject({ method: 'GET', url: '/health' });
        assert.equal(r.statusCode, 413, r.body);
        assert.match(r.body, /more than 100000 JSON objects/);
        assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
        assert.ok(worstLag < 250, `event loop blocked ${worstLag.toFixed(0)} ms`);
        assert.equal(health.statusCode, 200);
      });

      it('refuses the protobuf form of the same bomb (ten million empty ResourceSpans) with 413', async () => {
        const raw = Buffer.alloc(20_000_000);
        for (let i = 0; i < raw.length; i += 2) raw[i] = 0x0a; // field 1, length 0
        const started = performance.now();
        const r = await otlp(gzipSync(raw), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
        assert.equal(r.statusCode, 413);
        assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
      });
    });
  });
}
