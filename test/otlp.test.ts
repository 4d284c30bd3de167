// OTLP/HTTP ingestion end to end: the real OpenTelemetry Node SDK with the real OTLP exporters
// (protobuf and JSON) sends GenAI and OpenInference spans to an Aether server on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { decodeExportResponse, decodeStatus, encodeExportRequest } from '../src/ingest/index.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { storeCases } from './helpers/stores.js';

interface StoredSpan {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  status: string;
  input: unknown;
  attributes: Record<string, unknown>;
}
interface StoredTrace {
  id: string;
  query: string;
  response: string | null;
  contexts: Array<{ text: string; source?: string; score?: number; metadata?: Record<string, unknown> }>;
  model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  token_count: number | null;
  cost_usd: number | null;
  latency_ms: number | null;
  user_id: string | null;
  session_id: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  status: string;
  error: string | null;
  spans: StoredSpan[];
  evaluations: Array<{ metric: string }>;
}

const child = (tracer: Tracer, parent: Span, name: string, attributes: Attributes) =>
  tracer.startSpan(name, { attributes }, trace.setSpan(ROOT_CONTEXT, parent));

const DOCS = [
  { id: 'doc-paris', content: 'Paris is the capital and largest city of France.', score: 0.93 },
  { id: 'doc-seine', content: 'The Seine flows through Paris.', score: 0.71 },
];

/** A RAG request the way instrumented apps report it: OpenInference chain/retriever spans, GenAI LLM spans. */
function ragTrace(tracer: Tracer, question: string, answer: string): { root: Span; rest: Span[] } {
  const root = tracer.startSpan('rag.answer', {
    attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': question, 'output.value': answer, 'user.id': 'u-7', 'session.id': 's-9', 'tag.tags': ['rag', 'otel'], 'app.custom': 'kept' },
  });
  const rewrite = child(tracer, root, 'chat gpt-4o', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 50,
    'gen_ai.usage.output_tokens': 10,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Rewrite: ${question}` }] }]),
  });
  rewrite.end();
  const docs: Attributes = { 'openinference.span.kind': 'RETRIEVER', 'input.value': question };
  DOCS.forEach((d, i) => {
    docs[`retrieval.documents.${i}.document.id`] = d.id;
    docs[`retrieval.documents.${i}.document.content`] = d.content;
    docs[`retrieval.documents.${i}.document.score`] = d.score;
    docs[`retrieval.documents.${i}.document.metadata`] = JSON.stringify({ lang: 'en' });
  });
  const retrieve = child(tracer, root, 'vector.search', docs);
  retrieve.end();
  // A framework's LLM span wrapping the client library's span of the same call (deprecated GenAI names).
  const wrapper = child(tracer, root, 'llm.generate', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 200, 'llm.token_count.completion': 40 });
  const call = child(tracer, wrapper, 'openai.chat', {
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.usage.prompt_tokens': 180,
    'gen_ai.usage.completion_tokens': 35,
    'gen_ai.prompt': JSON.stringify([{ role: 'user', content: question }]),
    'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: answer }]),
  });
  call.end();
  wrapper.end();
  return { root, rest: [rewrite, retrieve, wrapper, call] };
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`OTLP/HTTP ingestion: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    const providers: NodeTracerProvider[] = [];

    function sdk(kind: 'proto' | 'json', headers: Record<string, string>): Tracer {
      const options = { url: `${url}/v1/traces`, headers };
      const exporter = kind === 'proto' ? new ProtoExporter(options) : new JsonExporter({ ...options, compression: CompressionAlgorithm.GZIP });
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'rag-app', 'deployment.environment': 'test' }),
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      providers.push(provider);
      return provider.getTracer('rag-app.instrumentation', '0.1.0');
    }
    const flush = () => Promise.all(providers.map((p) => p.forceFlush()));
    const get = async (id: string) => {
      const r = await fetch(`${url}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } });
      assert.equal(r.status, 200, `GET trace ${id}: ${r.status}`);
      return (await r.json()) as StoredTrace;
    };
    const post = (body: Uint8Array | string, headers: Record<string, string>) =>
      fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'x-api-key': t.key, ...headers }, body });

    before(async () => {
      t = await startTestApp(c);
      await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      const a = t.aether.server.server.address();
      url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    });
    after(async () => {
      await Promise.all(providers.map((p) => p.shutdown()));
      await t?.close();
    });

    it('turns a protobuf export into one trace with query, response, contexts, usage, model and nesting', async () => {
      const tracer = sdk('proto', { 'x-api-key': t.key });
      const { root, rest } = ragTrace(tracer, 'What is the capital of France?', 'Paris is the capital of France.');
      root.end();
      await flush();
      const id = root.spanContext().traceId;
      const tr = await get(id);
      assert.equal(tr.id, id);
      assert.equal(tr.query, 'What is the capital of France?');
      assert.equal(tr.response, 'Paris is the capital of France.');
      assert.deepEqual(
        tr.contexts.map((x) => [x.text, x.source, x.score, x.metadata?.lang]),
        DOCS.map((d) => [d.content, d.id, d.score, 'en']),
      );
      // gpt-4o (50/10) plus the client span of the wrapped call (180/35); the wrapper's 200/40 is the same call.
      assert.equal(tr.input_tokens, 230);
      assert.equal(tr.output_tokens, 45);
      assert.equal(tr.token_count, 275);
      assert.equal(tr.model, 'gpt-4o');
      assert.equal(tr.provider, 'openai');
      assert.equal(tr.user_id, 'u-7');
      assert.equal(tr.session_id, 's-9');
      assert.deepEqual(tr.tags, ['rag', 'otel']);
      assert.equal(tr.metadata['service.name'], 'rag-app');
      assert.equal(tr.metadata['otel.scope.name'], 'rag-app.instrumentation');
      assert.equal(tr.status, 'success');
      assert.ok(tr.latency_ms !== null && tr.latency_ms >= 0);
      assert.equal(tr.spans.length, 5);
      const byName = new Map(tr.spans.map((s) => [s.name, s]));
      const rootId = root.spanContext().spanId;
      assert.equal(byName.get('rag.answer')?.parent_id, null);
      assert.equal(byName.get('rag.answer')?.id, rootId);
      assert.equal(byName.get('rag.answer')?.attributes['app.custom'], 'kept');
      assert.equal(byName.get('vector.search')?.kind, 'retrieval');
      assert.equal(byName.get('vector.search')?.parent_id, rootId);
      assert.equal(byName.get('llm.generate')?.kind, 'llm');
      assert.equal(byName.get('openai.chat')?.parent_id, rest[2]!.spanContext().spanId);
      assert.equal(byName.get('openai.chat')?.kind, 'llm');
      assert.equal(byName.get('openai.chat')?.model, 'gpt-4o-mini');
      assert.equal(byName.get('openai.chat')?.input_tokens, 180);
      assert.equal(byName.get('chat gpt-4o')?.output_tokens, 10);
      assert.deepEqual(byName.get('chat gpt-4o')?.input, [{ role: 'user', parts: [{ type: 'text', content: 'Rewrite: What is the capital of France?' }] }]);
      // Evaluated like any other trace (the default config samples every trace).
      let evals: StoredTrace['evaluations'] = [];
      for (let i = 0; i < 100 && !evals.some((e) => e.metric === 'faithfulness'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        evals = (await get(id)).evaluations;
      }
      assert.ok(evals.some((e) => e.metric === 'faithfulness'), 'the trace was evaluated');
    });

    it('reads gzip JSON exports with GenAI messages, and marks failed spans', async () => {
      const tracer = sdk('json', { authorization: `Bearer ${t.key}` });
      const root = tracer.startSpan('invoke_agent weather', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-1', 'enduser.id': 'alice' } });
      const llm = child(tracer, root, 'chat claude', {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-3-5-haiku',
        'gen_ai.response.model': 'claude-3-5-haiku-20241022',
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
          { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 14°C.' }], finish_reason: 'stop' }]),
      });
      llm.end();
      const tool = child(tracer, root, 'execute_tool get_weather', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' });
      tool.recordException(new Error('weather service timed out'));
      tool.setStatus({ code: SpanStatusCode.ERROR, message: 'weather service timed out' });
      tool.end();
      root.end();
      await flush();
      const tr = await get(root.spanContext().traceId);
      assert.equal(tr.query, 'Weather in Paris?');
      assert.equal(tr.response, 'Rainy, 14°C.');
      assert.equal(tr.model, 'claude-3-5-haiku-20241022');
      assert.equal(tr.provider, 'anthropic');
      assert.deepEqual([tr.input_tokens, tr.output_tokens], [21, 7]);
      assert.deepEqual([tr.user_id, tr.session_id], ['alice', 'conv-1']);
      assert.equal(tr.status, 'error');
      assert.equal(tr.error, 'weather service timed out');
      const kinds = Object.fromEntries(tr.spans.map((s) => [s.name, s.kind]));
      assert.deepEqual(kinds, { 'invoke_agent weather': 'agent', 'chat claude': 'llm', 'execute_tool get_weather': 'tool' });
      assert.equal(tr.spans.find((s) => s.kind === 'tool')?.status, 'error');
    });

    it('keeps the spans of a trace exported over several requests', async () => {
      const tracer = sdk('proto', { 'x-api-key': t.key });
      const { root } = ragTrace(tracer, 'Where does the Seine flow?', 'Through Paris.');
      await flush(); // the children are exported before the root ends, as a batch processor does
      const id = root.spanContext().traceId;
      const first = await get(id);
      assert.equal(first.spans.length, 4);
      assert.equal(first.query, 'Rewrite: Where does the Seine flow?', 'without the root, the first LLM span speaks for the trace');
      root.end();
      await flush();
      const tr = await get(id);
      assert.equal(tr.spans.length, 5);
      assert.equal(tr.spans.find((s) => s.parent_id === null)?.name, 'rag.answer');
      assert.equal(tr.query, 'Where does the Seine flow?', 'the root span outranks the LLM span');
      assert.equal(tr.response, 'Through Paris.');
      assert.equal(tr.user_id, 'u-7');
      assert.equal(tr.input_tokens, 230, 'totals are not counted twice');
      assert.ok(tr.latency_ms !== null && tr.latency_ms >= (first.latency_ms ?? 0));
    });

    it('a trace exported in parts keeps one current result per metric, and its rollups move with it', async () => {
      const tracer = sdk('proto', { 'x-api-key': t.key });
      const question = 'What is the capital of France?';
      const answer = 'Paris is the capital of France.';
      const root = tracer.startSpan('rag.answer', { attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': question, 'output.value': answer } });
      child(tracer, root, 'chat gpt-4o-mini', {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }] }]),
      }).end();
      await flush(); // the LLM span alone: no contexts yet, so faithfulness cannot judge it
      const id = root.spanContext().traceId;
      const idle = async () => (await t.aether.store.pool.query<{ n: number }>(`select count(*)::int as n from eval_jobs where trace_id = $1 and status in ('pending', 'running')`, [id])).rows[0]!.n === 0;
      const settle = async () => {
        const end = Date.now() + 15_000;
        while (!(await idle()) || (await get(id)).evaluations.length === 0) {
          if (Date.now() > end) throw new Error('evaluations did not settle');
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await settle();
      const first = await get(id);
      assert.equal((first.evaluations.find((e) => e.metric === 'faithfulness') as { label: string } | undefined)?.label, 'not_applicable');
      await new Promise((r) => setTimeout(r, 20));
      const docs: Attributes = { 'openinference.span.kind': 'RETRIEVER', 'input.value': question };
      DOCS.forEach((d, i) => (docs[`retrieval.documents.${i}.document.content`] = d.content));
      child(tracer, root, 'vector.search', docs).end();
      root.end(); // the retrieval and the root arrive in a later export: contexts, a new time and latency
      await flush();
      await settle();
      const tr = await get(id);
      assert.equal(tr.query, question);
      assert.equal(tr.contexts.length, 2);
      const metrics = tr.evaluations.map((e) => e.metric).sort();
      assert.deepEqual(metrics, [...new Set(metrics)], `one result per metric: ${metrics.join(', ')}`);
      assert.equal(tr.evaluations.length, first.evaluations.length, 'the second evaluation replaced the first, row for row');
      const f = tr.evaluations.find((e) => e.metric === 'faithfulness') as { label: string } | undefined;
      assert.notEqual(f?.label, 'not_applicable', 'the current faithfulness judges the root span’s answer');
      // The rollups (moved on the second export, replaced on re-evaluation) equal a rebuild from the rows.
      const summary = async () => (await (await fetch(`${url}/api/v1/metrics/summary?window=24h`, { headers: { 'x-api-key': t.key } })).json()) as Record<string, unknown>;
      const breakdown = async () => (await (await fetch(`${url}/api/v1/metrics/breakdown?by=model&window=24h`, { headers: { 'x-api-key': t.key } })).json()) as Record<string, unknown>;
      const round = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(10)) : v))) as unknown;
      const [s0, b0] = [round(await summary()), round(await breakdown())];
      await t.aether.store.rollups.rebuild(t.projectId);
      assert.deepEqual(round(await summary()), s0);
      assert.deepEqual(round(await breakdown()), b0);
    });

    it('answers a retried request idempotently and reports rejected spans as partial success', async () => {
      const traceId = '5b8efff798038103d269b633813fc60c';
      const span = (spanId: string, name: string) => ({ traceId, spanId, name, kind: 3, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225600250000000', attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }] });
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('eee19b7ec3c1b174', 'chat'), { ...span('00', 'bad'), spanId: 'abc' }] }] }] });
      for (let i = 0; i < 2; i++) {
        const r = await post(body, { 'content-type': 'application/json' });
        assert.equal(r.status, 200);
        const j = (await r.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
        assert.equal(j.partialSuccess.rejectedSpans, 1);
        assert.match(j.partialSuccess.errorMessage, /spanId must be 8 bytes/);
      }
      const tr = await get(traceId);
      assert.equal(tr.spans.length, 1);
      assert.equal(tr.input_tokens, 12);
      assert.equal(tr.latency_ms, 250);
    });

    it('accepts a gzip JSON body sent by hand and answers protobuf requests in protobuf', async () => {
      const traceId = 'aa8efff798038103d269b633813fc60d';
      const req = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from('1111111111111111', 'hex'), name: 'retrieve', startTimeUnixNano: 1767225600000000000, endTimeUnixNano: 1767225600100000000, attributes: [{ key: 'input.value', value: { stringValue: 'Why?' } }] }] }] }] };
      const pb = await post(encodeExportRequest(req), { 'content-type': 'application/x-protobuf' });
      assert.equal(pb.status, 200);
      assert.equal(pb.headers.get('content-type'), 'application/x-protobuf');
      assert.deepEqual(decodeExportResponse(new Uint8Array(await pb.arrayBuffer())), { rejectedSpans: 0, errorMessage: '' });
      const json = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'bb8efff798038103d269b633813fc60d', spanId: '2222222222222222', name: 'q', startTimeUnixNano: '1767225600000000000', attributes: [{ key: 'input.value', value: { stringValue: 'gzip?' } }] }] }] }] });
      const gz = await post(gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      assert.equal(gz.status, 200, await gz.clone().text());
      assert.deepEqual(await gz.json(), {});
      assert.equal((await get('bb8efff798038103d269b633813fc60d')).query, 'gzip?');
      assert.equal((await get(traceId)).query, 'Why?');
    });

    it('rejects malformed payloads with 400 saying why, a wrong key with 401, other types with 415', async () => {
      const bad = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
      assert.equal(bad.status, 400);
      const status = decodeStatus(new Uint8Array(await bad.arrayBuffer()));
      assert.equal(status.code, 3);
      assert.match(status.message, /not a valid OTLP ExportTraceServiceRequest \(protobuf\): index out of range/);
      const shape = await post(JSON.stringify({ resourceSpans: { nope: true } }), { 'content-type': 'application/json' });
      assert.equal(shape.status, 400);
      const sj = (await shape.json()) as { code: number; message: string; error: { code: string } };
      assert.match(sj.message, /resourceSpans must be an array/);
      assert.equal(sj.error.code, 'invalid_otlp');
      const notJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
      assert.equal(notJson.status, 400);
      assert.match(((await notJson.json()) as { message: string }).message, /not valid JSON/);
      const notGzip = await post('plain', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      assert.equal(notGzip.status, 400);
      const allBad = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '00', spanId: '11' }] }] }] }), { 'content-type': 'application/json' });
      assert.equal(allBad.status, 400);
      assert.match(((await allBad.json()) as { message: string }).message, /No span was accepted: .*traceId must be 16 bytes/);
      const wrongKey = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'x-api-key': 'ae_wrong' }, body: encodeExportRequest({}) });
      assert.equal(wrongKey.status, 401);
      assert.match(decodeStatus(new Uint8Array(await wrongKey.arrayBuffer())).message, /Unknown API key/);
      const text = await post('hello', { 'content-type': 'text/plain' });
      assert.equal(text.status, 415);
      assert.match(((await text.json()) as { message: string }).message, /application\/x-protobuf or application\/json/);
    });
  });
}
