// Langfuse API compatibility end to end: the real `langfuse` JS SDK (v3, from npm) pointed at an
// Aether server on loopback by base URL and keys only; plus the wire details the SDK relies on
// (207 per event, dedup by event id, updates before creates, the 3.5 MB limit, 401 bodies).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Langfuse } from 'langfuse';
import { startTestApp, type TestApp } from './helpers/app.js';
import { runCli, startServer } from './helpers/process.js';
import { storeCases, tempDir } from './helpers/stores.js';

interface StoredSpan {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  start_time: string;
  end_time: string | null;
  output: unknown;
  attributes: Record<string, unknown>;
}
interface StoredTrace {
  id: string;
  query: string;
  response: string | null;
  contexts: Array<{ text: string; source?: string }>;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  cost_source: string | null;
  user_id: string | null;
  session_id: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  spans: StoredSpan[];
  evaluations: Array<{ metric: string; score: number | null; label: string | null; evaluator: string; reason: string | null }>;
}

const QUESTION = 'What is the capital of France?';
const ANSWER = 'Paris is the capital of France.';
const DOCS = ['Paris is the capital and largest city of France.', 'The Seine flows through Paris.'];

for (const c of storeCases) {
  describe(`Langfuse API compatibility (${c.kind})`, { skip: await c.skip() }, () => {
    let t: TestApp;
    let url: string;
    let pk: string;
    let sk: string;
    const clients: Langfuse[] = [];
    const sdk = (publicKey = pk, secretKey = sk) => {
      // Everything queued goes in one flush; no retries so a refused batch reports at once.
      const l = new Langfuse({ publicKey, secretKey, baseUrl: url, flushAt: 1000, flushInterval: 0, requestTimeout: 60_000, fetchRetryCount: 0 });
      clients.push(l);
      return l;
    };
    const basic = (p = pk, s = sk) => `Basic ${Buffer.from(`${p}:${s}`).toString('base64')}`;
    const ingest = (batch: unknown[]) =>
      fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    const get = async (id: string) => {
      const r = await fetch(`${url}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } });
      assert.equal(r.status, 200, `GET trace ${id}: ${r.status}`);
      return (await r.json()) as StoredTrace;
    };
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const end = Date.now() + 30_000;
      while (!(await ok())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      t = await startTestApp(c);
      await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      const a = t.aether.server.server.address();
      url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
      const r = await fetch(`${url}/api/v1/langfuse/keys`, { method: 'POST', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sdk test' }) });
      assert.equal(r.status, 201);
      const k = (await r.json()) as { public_key: string; secret_key: string };
      pk = k.public_key;
      sk = k.secret_key;
      assert.match(pk, /^pk-lf-/);
      assert.match(sk, /^sk-lf-/);
    });
    after(async () => {
      await Promise.all(clients.map((l) => l.shutdownAsync()));
      await t?.close();
    });

    it('stores what the SDK sends: nesting, model, usage with details, computed cost, scores, and evaluates it', async () => {
      const lf = sdk();
      const trace = lf.trace({ name: 'rag-answer', userId: 'u-7', sessionId: 's-9', tags: ['rag', 'langfuse'], metadata: { team: 'search' }, input: { query: QUESTION } });
      const root = trace.span({ name: 'pipeline', input: { question: QUESTION } });
      const retrieval = root.span({ name: 'retrieve', input: QUESTION });
      retrieval.end({ output: DOCS.map((d, i) => ({ pageContent: d, metadata: { source: `doc-${i}` } })) });
      const gen = root.generation({ name: 'answer', model: 'gpt-4o-mini', input: [{ role: 'user', content: QUESTION }], modelParameters: { temperature: 0 } });
      gen.end({
        output: { role: 'assistant', content: ANSWER },
        usageDetails: { input: 900, output: 40, input_cached_tokens: 100, output_reasoning_tokens: 10, total: 1050 },
      });
      root.event({ name: 'cache-miss', metadata: { key: 'q1' } });
      root.end({ output: ANSWER });
      trace.update({ output: ANSWER });
      trace.score({ name: 'user-feedback', value: 1, comment: 'thumbs up' });
      trace.score({ name: 'tone', value: 'friendly', dataType: 'CATEGORICAL' });
      await lf.flushAsync();

      const tr = await get(trace.id);
      assert.equal(tr.query, QUESTION);
      assert.equal(tr.response, ANSWER);
      assert.deepEqual(tr.contexts.map((x) => [x.text, x.source]), DOCS.map((d, i) => [d, `doc-${i}`]));
      assert.equal(tr.user_id, 'u-7');
      assert.equal(tr.session_id, 's-9');
      assert.deepEqual([...tr.tags].sort(), ['langfuse', 'rag']);
      assert.equal(tr.metadata.team, 'search');
      assert.equal(tr.metadata['langfuse.name'], 'rag-answer');
      assert.equal(tr.model, 'gpt-4o-mini');
      const byName = new Map(tr.spans.map((s) => [s.name, s]));
      assert.equal(byName.get('pipeline')?.parent_id, null);
      assert.equal(byName.get('retrieve')?.parent_id, root.id);
      assert.equal(byName.get('retrieve')?.kind, 'retrieval');
      const g = byName.get('answer');
      assert.equal(g?.parent_id, root.id);
      assert.equal(g?.kind, 'llm');
      assert.equal(g?.model, 'gpt-4o-mini');
      // Langfuse's usage types are disjoint: cached tokens count inside input, reasoning inside output.
      assert.equal(g?.input_tokens, 1000);
      assert.equal(g?.output_tokens, 50);
      assert.ok(g?.end_time, 'generation-update set the end time');
      const event = byName.get('cache-miss');
      assert.equal(event?.parent_id, root.id);
      assert.equal(event?.end_time, event?.start_time, 'an event is a point in time');
      assert.equal(event?.attributes.key, 'q1');
      assert.equal(tr.input_tokens, 1000);
      assert.equal(tr.output_tokens, 50);
      // No cost was sent: it is computed from the pricing table (cached tokens at the cache price).
      assert.equal(tr.cost_source, 'computed');
      assert.ok(tr.cost_usd !== null && tr.cost_usd > 0 && tr.cost_usd < 0.01, `cost ${tr.cost_usd}`);
      const fb = tr.evaluations.find((e) => e.metric === 'user-feedback');
      assert.equal(fb?.score, 1);
      assert.equal(fb?.reason, 'thumbs up');
      assert.equal(fb?.evaluator, 'langfuse');
      assert.equal(tr.evaluations.find((e) => e.metric === 'tone')?.label, 'friendly');
      // …and Aether's own evaluators ran on it like any other trace.
      await until('faithfulness', async () => (await get(trace.id)).evaluations.some((e) => e.metric === 'faithfulness'));

      // The SDK's own read API sees it in Langfuse's shapes.
      const back = await lf.fetchTrace(trace.id);
      assert.equal(back.data.name, 'rag-answer');
      assert.equal(back.data.observations.length, 4);
      assert.deepEqual(back.data.observations.map((o) => o.type).sort(), ['EVENT', 'GENERATION', 'SPAN', 'SPAN']);
      assert.ok(back.data.scores.some((s) => s.name === 'user-feedback' && s.value === 1));
      const gens = await lf.fetchObservations({ traceId: trace.id, type: 'GENERATION' });
      assert.equal(gens.data.length, 1);
      assert.equal(gens.data[0]?.model, 'gpt-4o-mini');
      assert.equal(gens.meta.totalItems, 1);
      const list = await lf.fetchTraces({ userId: 'u-7', limit: 10 });
      assert.equal(list.meta.totalItems, 1);
      assert.equal(list.data[0]?.id, trace.id);
    });

    it('assembles one trace from many small SDK batches sent at once', async () => {
      // flushAt 4: the SDK sends a request every 4 events without waiting for the previous one.
      const lf = new Langfuse({ publicKey: pk, secretKey: sk, baseUrl: url, flushAt: 4, flushInterval: 0, requestTimeout: 60_000, fetchRetryCount: 2, fetchRetryDelay: 200 });
      const trace = lf.trace({ name: 'many-batches', input: QUESTION });
      for (let i = 0; i < 12; i++) trace.span({ name: `step-${i}`, input: i }).end({ output: i * 2 });
      const g = trace.generation({ name: 'final', model: 'gpt-4o-mini', input: QUESTION });
      g.end({ output: ANSWER, usage: { input: 50, output: 12 } });
      trace.update({ output: ANSWER });
      await lf.shutdownAsync();
      const tr = await get(trace.id);
      assert.equal(tr.spans.length, 13);
      assert.ok(tr.spans.every((s) => s.end_time !== null), 'every span-update was merged');
      assert.deepEqual(tr.spans.filter((s) => s.name.startsWith('step-')).map((s) => s.output).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 12 }, (_, i) => i * 2));
      assert.equal(tr.response, ANSWER);
      assert.equal(tr.input_tokens, 50);
      assert.equal(tr.output_tokens, 12);
      const n = await t.aether.store.pool.query<{ n: number }>('select count(*)::int as n from rag_traces where project_id = $1 and id = $2', [t.projectId, trace.id]);
      assert.equal(n.rows[0]?.n, 1);
    });

    it('refuses wrong or missing keys with 401 and a message, as the SDK expects', async () => {
      const bad = sdk(pk, 'sk-lf-wrong');
      const seen: unknown[] = [];
      bad.on('warning', (e: unknown) => seen.push(e));
      const id = randomUUID();
      bad.trace({ id, name: 'should not land' });
      await bad.flushAsync();
      const err = seen[0] as { response?: { status: number }; body?: string } | undefined;
      assert.equal(err?.response?.status, 401, 'the SDK got a 401');
      assert.equal((await fetch(`${url}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } })).status, 404);
      for (const authorization of [undefined, basic(pk, 'sk-lf-nope'), basic('pk-lf-nope', sk), `Bearer ${t.key}`]) {
        const r = await fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{"batch":[]}' });
        assert.equal(r.status, 401);
        const body = (await r.json()) as { message: string };
        assert.match(body.message, /key|credentials|authorization/i);
      }
      // An Aether API key is not a Langfuse key, and a Langfuse pair does not open the Aether API.
      assert.equal((await fetch(`${url}/api/public/traces`, { headers: { 'x-api-key': t.key } })).status, 401);
      assert.equal((await fetch(`${url}/api/v1/traces`, { headers: { authorization: basic() } })).status, 401);
    });

    it('applies a retried event once, and answers 207 with one result per event', async () => {
      const traceId = randomUUID();
      const now = new Date().toISOString();
      const batch = [
        { id: randomUUID(), type: 'trace-create', timestamp: now, body: { id: traceId, name: 'dedup', input: QUESTION, output: ANSWER } },
        { id: randomUUID(), type: 'generation-create', timestamp: now, body: { id: randomUUID(), traceId, name: 'g', model: 'gpt-4o-mini', startTime: now, usage: { input: 10, output: 5 } } },
        { id: randomUUID(), type: 'score-create', timestamp: now, body: { traceId, name: 'ok', value: 0.5 } },
        { id: randomUUID(), type: 'sdk-log', timestamp: now, body: { log: 'hello' } },
        { id: 'bad-1', type: 'span-teleport', timestamp: now, body: {} },
        { id: 'bad-2', type: 'span-create', timestamp: now, body: { id: randomUUID(), traceId, name: 'bad', startTime: 12 } },
        { id: 'bad-3', type: 'span-update', timestamp: now, body: { id: randomUUID(), endTime: now } },
      ];
      const r1 = await ingest(batch);
      assert.equal(r1.status, 207);
      const b1 = (await r1.json()) as { successes: Array<{ id: string; status: number }>; errors: Array<{ id: string; status: number; message: string }> };
      assert.deepEqual(b1.successes.map((s) => s.id).sort(), batch.slice(0, 4).map((e) => e.id).sort());
      assert.ok(b1.successes.every((s) => s.status === 201));
      // The unknown type and the unreadable span fail alone; their trace is stored without them.
      const errs = new Map(b1.errors.map((e) => [e.id, e]));
      assert.deepEqual([...errs.keys()].sort(), ['bad-1', 'bad-2', 'bad-3']);
      assert.ok(b1.errors.every((e) => e.status === 400));
      assert.match(errs.get('bad-1')!.message, /type/);
      assert.match(errs.get('bad-2')!.message, /startTime/);
      assert.match(errs.get('bad-3')!.message, /traceId/);
      const before = await get(traceId);
      const r2 = await ingest(batch.slice(0, 4));
      assert.equal(r2.status, 207);
      assert.equal(((await r2.json()) as { successes: unknown[] }).successes.length, 4);
      const again = await get(traceId);
      assert.equal(again.spans.length, 1);
      assert.equal(again.input_tokens, before.input_tokens);
      const n = await t.aether.store.pool.query<{ n: number }>('select count(*)::int as n from rag_traces where project_id = $1 and id = $2', [t.projectId, traceId]);
      assert.equal(n.rows[0]?.n, 1);
    });

    it('merges an update that arrives before its create, rewriting the stored trace with exact rollups', async () => {
      const traceId = randomUUID();
      const genId = randomUUID();
      const t0 = new Date(Date.now() - 5000);
      const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
      // The update (end, output, usage) comes first, in its own request.
      const r1 = await ingest([{ id: randomUUID(), type: 'generation-update', timestamp: at(3000), body: { id: genId, traceId, endTime: at(2500), output: ANSWER, usageDetails: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 } } }]);
      assert.equal(r1.status, 207);
      const j1 = (await r1.json()) as { errors: unknown[] };
      assert.equal(j1.errors.length, 0, JSON.stringify(j1.errors));
      const partial = await get(traceId);
      assert.equal(partial.spans[0]?.output_tokens, 30);
      // Then the create and the trace: the stored trace is rewritten with both.
      const r2 = await ingest([
        { id: randomUUID(), type: 'generation-create', timestamp: at(100), body: { id: genId, traceId, name: 'late-create', model: 'gpt-4o-mini', startTime: at(100), input: QUESTION } },
        { id: randomUUID(), type: 'trace-create', timestamp: at(0), body: { id: traceId, name: 'ubc', timestamp: at(0), input: QUESTION, userId: 'u-ubc' } },
      ]);
      assert.equal(((await r2.json()) as { errors: unknown[] }).errors.length, 0);
      const tr = await get(traceId);
      assert.equal(tr.spans.length, 1);
      const s = tr.spans[0]!;
      assert.equal(s.name, 'late-create');
      assert.equal(s.model, 'gpt-4o-mini');
      assert.equal(s.input_tokens, 120);
      assert.equal(s.output_tokens, 30);
      assert.equal(s.end_time, at(2500));
      assert.equal(tr.query, QUESTION);
      assert.equal(tr.response, ANSWER);
      assert.equal(tr.user_id, 'u-ubc');
      assert.equal(tr.cost_source, 'computed');
      // The rollups moved with the rewrite: they equal a rebuild from the rows.
      const summary = async () => (await (await fetch(`${url}/api/v1/metrics/summary?window=24h`, { headers: { 'x-api-key': t.key } })).json()) as Record<string, unknown>;
      const round = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(10)) : v))) as unknown;
      const s0 = round(await summary());
      await t.aether.store.rollups.rebuild(t.projectId);
      assert.deepEqual(round(await summary()), s0);
    });

    it('keeps a score that comes before its trace, and scores traces sent through the Aether API', async () => {
      const traceId = randomUUID();
      const now = new Date().toISOString();
      const early = await ingest([{ id: randomUUID(), type: 'score-create', timestamp: now, body: { id: 'score-early', traceId, name: 'early', value: 0.25 } }]);
      assert.equal(((await early.json()) as { errors: unknown[] }).errors.length, 0);
      assert.equal((await fetch(`${url}/api/v1/traces/${traceId}`, { headers: { 'x-api-key': t.key } })).status, 404, 'a score alone makes no trace');
      await ingest([{ id: randomUUID(), type: 'trace-create', timestamp: now, body: { id: traceId, input: QUESTION } }]);
      assert.equal((await get(traceId)).evaluations.find((e) => e.metric === 'early')?.score, 0.25);

      // A trace sent with Aether's own API, scored with POST /api/public/scores.
      const rest = await fetch(`${url}/api/v1/traces`, { method: 'POST', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, body: JSON.stringify({ query: QUESTION, response: ANSWER }) });
      const { id } = (await rest.json()) as { id: string };
      const sc = await fetch(`${url}/api/public/scores`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: JSON.stringify({ traceId: id, name: 'helpful', value: true, dataType: 'BOOLEAN', comment: 'yes' }) });
      assert.equal(sc.status, 200);
      assert.ok(((await sc.json()) as { id: string }).id);
      const tr = await get(id);
      assert.equal(tr.query, QUESTION, 'a score does not rewrite the trace it scores');
      const h = tr.evaluations.find((e) => e.metric === 'helpful');
      assert.equal(h?.score, 1);
      assert.equal(h?.label, 'true');
      const bad = await fetch(`${url}/api/public/scores`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: JSON.stringify({ traceId: id, value: 1 }) });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { message: string }).message, /name/);
    });

    it('keeps each project to its own data', async () => {
      const r = await fetch(`${url}/api/v1/langfuse/keys`, { method: 'POST', headers: { 'x-api-key': t.other.key, 'content-type': 'application/json' }, body: '{}' });
      const other = (await r.json()) as { id: string; public_key: string; secret_key: string };
      const list = await fetch(`${url}/api/public/traces`, { headers: { authorization: basic(other.public_key, other.secret_key) } });
      assert.equal(list.status, 200);
      const page = (await list.json()) as { data: unknown[]; meta: { totalItems: number; page: number; totalPages: number } };
      assert.equal(page.meta.totalItems, 0);
      assert.deepEqual(page.data, []);
      const mine = (await (await fetch(`${url}/api/public/traces?limit=1`, { headers: { authorization: basic() } })).json()) as { data: unknown[]; meta: { totalItems: number; totalPages: number; limit: number } };
      assert.equal(mine.data.length, 1);
      assert.ok(mine.meta.totalItems >= 3);
      assert.equal(mine.meta.totalPages, mine.meta.totalItems);
      const keys = (await (await fetch(`${url}/api/v1/langfuse/keys`, { headers: { 'x-api-key': t.key } })).json()) as { data: Array<{ public_key: string; secret_key?: string }> };
      assert.deepEqual(keys.data.map((k) => k.public_key), [pk]);
      assert.ok(keys.data.every((k) => k.secret_key === undefined), 'secrets are never listed');
      // A revoked pair stops working (within the 2 s lookup cache), with a message saying so.
      assert.equal((await fetch(`${url}/api/v1/langfuse/keys/${other.id}/revoke`, { method: 'POST', headers: { 'x-api-key': t.key } })).status, 404, 'another project cannot revoke it');
      assert.equal((await fetch(`${url}/api/v1/langfuse/keys/${other.id}/revoke`, { method: 'POST', headers: { 'x-api-key': t.other.key } })).status, 200);
      let last: Response | undefined;
      await until('the revocation', async () => {
        last = await fetch(`${url}/api/public/traces`, { headers: { authorization: basic(other.public_key, other.secret_key) } });
        return last.status === 401;
      });
      assert.match(((await last!.json()) as { message: string }).message, /revoked/);
    });

    it('answers hostile input with 4xx or per-event errors, never a 5xx', async () => {
      const traceId = randomUUID();
      const now = new Date().toISOString();
      const ev = (type: string, body: unknown, extra: Record<string, unknown> = {}) => ({ id: randomUUID(), type, timestamp: now, body, ...extra });
      let deep: unknown = 'leaf';
      for (let i = 0; i < 80; i++) deep = { d: deep };
      const hostile = [
        ev('trace-create', { id: traceId, name: 'nul\u0000byte' }),
        ev('trace-create', { id: traceId, tags: 'not-a-list' }),
        ev('trace-create', { id: 'x'.repeat(300) }),
        ev('span-create', { id: randomUUID(), traceId, metadata: deep }),
        ev('generation-create', { id: randomUUID(), traceId, startTime: 'yesterday', usage: { input: 'ten' } }),
        ev('generation-create', { id: randomUUID(), traceId, model: 42 }),
        ev('score-create', { traceId, name: 'x', value: { nested: true } }),
        ev('span-create', 'not an object'),
        ev('trace-create', { id: randomUUID() }, { timestamp: 'not a date' }),
        { type: 'trace-create' },
        42,
      ];
      const r = await ingest(hostile);
      assert.equal(r.status, 207);
      const b = (await r.json()) as { successes: unknown[]; errors: Array<{ status: number; message: string }> };
      assert.ok(b.errors.every((e) => e.status >= 400 && e.status < 500), JSON.stringify(b.errors.filter((e) => e.status >= 500)));
      assert.ok(b.errors.length >= hostile.length - 1, `errors: ${b.errors.length}`);
      for (const body of ['{"batch": "nope"}', '[]', '{}', 'not json', '{"batch": [' + '['.repeat(200) + ']'.repeat(200) + ']}']) {
        const x = await fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body });
        assert.ok(x.status >= 400 && x.status < 500, `${body.slice(0, 30)} → ${x.status}`);
        assert.equal(typeof ((await x.json()) as { message: unknown }).message, 'string');
      }
      for (const q of ['page=0', 'limit=1000', 'fromTimestamp=soon', 'page=abc']) {
        const x = await fetch(`${url}/api/public/traces?${q}`, { headers: { authorization: basic() } });
        assert.equal(x.status, 400, q);
      }
      assert.equal((await fetch(`${url}/api/public/observations?type=NOPE`, { headers: { authorization: basic() } })).status, 400);
      const long = (await fetch(`${url}/api/public/traces/${'y'.repeat(300)}`, { headers: { authorization: basic() } })).status;
      assert.ok(long >= 400 && long < 500, `a 300-character id → ${long}`);
      assert.equal((await fetch(`${url}/api/public/traces/${randomUUID()}`, { headers: { authorization: basic() } })).status, 404);
    });

    it('refuses a body over 3.5 MB with 413 and a clear message; answers health', async () => {
      const big = 'x'.repeat(3.6 * 1024 * 1024);
      const r = await ingest([{ id: randomUUID(), type: 'trace-create', timestamp: new Date().toISOString(), body: { id: randomUUID(), input: big } }]);
      assert.equal(r.status, 413);
      assert.match(((await r.json()) as { message: string }).message, /3\.5 MB/);
      const h = await fetch(`${url}/api/public/health`);
      assert.equal(h.status, 200);
      assert.equal(((await h.json()) as { status: string }).status, 'OK');
    });

    it("serves the SDK's createPrompt and getPrompt from Aether's prompt registry", async () => {
      const lf = sdk();
      const v1 = await lf.createPrompt({ name: 'lf-qa', prompt: 'Answer {{question}} briefly.', labels: ['production'], config: { temperature: 0.1 } });
      assert.equal(v1.version, 1);
      await lf.createPrompt({ name: 'lf-qa', prompt: 'Answer {{question}} in detail.', labels: ['staging'] });
      const prod = await lf.getPrompt('lf-qa', undefined, { cacheTtlSeconds: 0 });
      assert.equal(prod.version, 1);
      assert.equal(prod.compile({ question: 'why' }), 'Answer why briefly.');
      assert.deepEqual(prod.config, { temperature: 0.1 });
      const staging = await lf.getPrompt('lf-qa', undefined, { label: 'staging', cacheTtlSeconds: 0 });
      assert.equal(staging.compile({ question: 'why' }), 'Answer why in detail.');
      const chat = await lf.createPrompt({ name: 'lf-chat', type: 'chat', prompt: [{ role: 'system', content: 'You are {{who}}.' }], labels: ['production'] });
      assert.deepEqual((await lf.getPrompt('lf-chat', undefined, { type: 'chat', cacheTtlSeconds: 0 })).compile({ who: 'terse' }), [{ role: 'system', content: 'You are terse.' }]);
      assert.equal(chat.version, 1);
      // the same prompt is in Aether's own registry, and in the Langfuse list
      const own = await fetch(`${url}/api/v1/prompts/lf-qa?label=staging`, { headers: { 'x-api-key': t.key } });
      assert.equal(((await own.json()) as { version: number }).version, 2);
      const list = (await (await fetch(`${url}/api/public/v2/prompts?name=lf-qa`, { headers: { authorization: basic() } })).json()) as { data: Array<{ name: string; versions: number[] }> };
      assert.deepEqual(list.data.map((x) => [x.name, x.versions]), [['lf-qa', [1, 2]]]);
      const missing = await fetch(`${url}/api/public/v2/prompts/nope`, { headers: { authorization: basic() } });
      assert.equal(missing.status, 404);
    });

    it('accepts OTLP on /api/public/otel/v1/traces with Langfuse keys and reads langfuse.* attributes', async () => {
      const traceId = randomUUID().replace(/-/g, '');
      const rootId = '1'.repeat(16);
      const genId = '2'.repeat(16);
      const ns = (ms: number) => String(BigInt(Date.now() - 1000 + ms) * 1_000_000n);
      const kv = (key: string, v: string | number | string[]) => ({
        key,
        value: Array.isArray(v) ? { arrayValue: { values: v.map((s) => ({ stringValue: s })) } } : typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
      });
      const body = {
        resourceSpans: [{
          resource: { attributes: [kv('service.name', 'lf-app')] },
          scopeSpans: [{
            scope: { name: 'langfuse-sdk', version: '4.0.0' },
            spans: [
              { traceId, spanId: rootId, name: 'handle', kind: 1, startTimeUnixNano: ns(0), endTimeUnixNano: ns(900), attributes: [
                kv('langfuse.trace.name', 'otel-trace'), kv('langfuse.user.id', 'u-otel'), kv('langfuse.session.id', 's-otel'),
                kv('langfuse.trace.tags', ['a', 'b']), kv('langfuse.trace.metadata.team', 'search'),
                kv('langfuse.trace.input', QUESTION), kv('langfuse.trace.output', ANSWER)] },
              { traceId, spanId: genId, parentSpanId: rootId, name: 'llm', kind: 1, startTimeUnixNano: ns(100), endTimeUnixNano: ns(800), attributes: [
                kv('langfuse.observation.type', 'generation'), kv('langfuse.observation.model.name', 'gpt-4o-mini'),
                kv('langfuse.observation.usage_details', JSON.stringify({ input: 20, output: 7 })),
                kv('langfuse.observation.prompt.name', 'qa'), kv('langfuse.observation.prompt.version', 3)] },
              { traceId, spanId: '3'.repeat(16), parentSpanId: rootId, name: 'search', kind: 1, startTimeUnixNano: ns(10), endTimeUnixNano: ns(90), attributes: [
                kv('langfuse.observation.type', 'retriever'),
                kv('langfuse.observation.output', JSON.stringify(DOCS.map((d, i) => ({ pageContent: d, metadata: { source: `doc-${i}` } }))))] },
            ],
          }],
        }],
      };
      const send = (authorization: string) => fetch(`${url}/api/public/otel/v1/traces`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await send(basic(pk, 'sk-lf-wrong'))).status, 401);
      const r = await send(basic());
      assert.equal(r.status, 200, await r.clone().text());
      const tr = await get(traceId);
      assert.equal(tr.user_id, 'u-otel');
      assert.equal(tr.session_id, 's-otel');
      assert.deepEqual(tr.tags, ['a', 'b']);
      assert.equal(tr.metadata.team, 'search');
      assert.equal(tr.metadata['langfuse.name'], 'otel-trace');
      assert.equal(tr.query, QUESTION);
      assert.equal(tr.response, ANSWER);
      assert.deepEqual(tr.contexts.map((x) => [x.text, x.source]), DOCS.map((d, i) => [d, `doc-${i}`]));
      assert.equal(tr.spans.find((s) => s.name === 'search')?.kind, 'retrieval');
      const llm = tr.spans.find((s) => s.id === genId);
      assert.equal(llm?.kind, 'llm');
      assert.equal(llm?.model, 'gpt-4o-mini');
      assert.equal(llm?.input_tokens, 20);
      assert.equal(llm?.output_tokens, 7);
      assert.equal(llm?.attributes['langfuse.prompt_name'], 'qa');
    });
  });
}

describe('aether keys create --langfuse', () => {
  const t = tempDir();
  after(() => t.remove());

  it('prints a key pair the Langfuse SDK can send traces with', async () => {
    const env = { AETHER_DATA_DIR: t.dir };
    const server = await startServer([], env);
    try {
      // One CLI run (each is a cold tsx start, slow on a loaded machine): the lines a user copies.
      const r = runCli(['keys', 'create', '--langfuse', '--project', 'default'], env);
      assert.equal(r.status, 0, r.stderr);
      const k = { public_key: /LANGFUSE_PUBLIC_KEY=(pk-lf-\S+)/.exec(r.stdout)?.[1] ?? '', secret_key: /LANGFUSE_SECRET_KEY=(sk-lf-\S+)/.exec(r.stdout)?.[1] ?? '' };
      assert.match(k.public_key, /^pk-lf-/, r.stdout);
      assert.match(k.secret_key, /^sk-lf-/, r.stdout);
      const lf = new Langfuse({ publicKey: k.public_key, secretKey: k.secret_key, baseUrl: server.url, flushAt: 100, flushInterval: 0, requestTimeout: 60_000, fetchRetryCount: 0 });
      const trace = lf.trace({ name: 'from-cli-keys', input: QUESTION, output: ANSWER });
      await lf.shutdownAsync();
      const fetched = await fetch(`${server.url}/api/public/traces/${trace.id}`, { headers: { authorization: `Basic ${Buffer.from(`${k.public_key}:${k.secret_key}`).toString('base64')}` } });
      assert.equal(fetched.status, 200);
      assert.equal(((await fetched.json()) as { name: string }).name, 'from-cli-keys');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
