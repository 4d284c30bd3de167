// The optional LLM re-ranker: off by default; `rerank: true` (or `{model}`) sends the top candidates
// through the gateway to a chat model (a local mock speaking the OpenAI wire format) whose scores
// reorder the results; a malformed answer leaves the order as it was.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const docs = [
  { id: 'refunds', title: 'Refund policy', text: 'Refunds for an order go back to the card within 30 days of the order.' },
  { id: 'shipping', title: 'Shipping', text: 'An order ships within two business days.' },
  { id: 'returns', title: 'Returns', text: 'Return an order unused; we email a prepaid label for the order.' },
];

interface Mock {
  url: string;
  calls: Array<{ model: string; prompt: string }>;
  malformed: boolean;
  close(): Promise<void>;
}

/** Scores 10 for a passage that mentions "label", 1 otherwise: the opposite of what BM25 ranks first here. */
async function startMock(): Promise<Mock> {
  const m: Mock = { url: '', calls: [], malformed: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; messages: Array<{ content: string }> };
      const prompt = body.messages[0]!.content;
      m.calls.push({ model: body.model, prompt });
      const passages = prompt.split('\n').filter((l) => /^\[\d+\] /.test(l));
      const content = m.malformed ? 'I think the second one.' : JSON.stringify({ scores: passages.map((p) => (p.includes('label') ? 10 : 1)) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  m.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  m.close = () => new Promise((r) => server.close(() => r()));
  return m;
}

describe('rag re-ranking through the gateway', () => {
  let t: TestApp;
  let mock: Mock;
  let id: string;
  const search = async (body: Record<string, unknown>) => {
    const r = await t.aether.server.inject({ method: 'POST', url: `/api/v1/rag/collections/${id}/search`, payload: { k: 3, mode: 'bm25', ...body }, headers: { 'x-api-key': t.key } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { reranked: string | null; trace_id: string | null; contexts: Array<{ score: number; metadata: { document_id: string } }> };
  };

  before(async () => {
    mock = await startMock();
    t = await startTestApp(storeCases[0]!, { AETHER_WORKER: 'false', OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: 'sk-test', AETHER_RAG_RERANK_MODEL: 'openai/gpt-4o-mini' });
    const c = await t.aether.server.inject({ method: 'POST', url: '/api/v1/rag/collections', payload: { name: 'help' }, headers: { 'x-api-key': t.key } });
    id = (c.json() as { id: string }).id;
    await t.aether.server.inject({ method: 'POST', url: `/api/v1/rag/collections/${id}/documents`, payload: { documents: docs }, headers: { 'x-api-key': t.key } });
  });
  after(async () => {
    await t?.close();
    await mock?.close();
  });

  it('is off by default: no model call, BM25 order', async () => {
    const r = await search({ query: 'refunds for my order', trace: false });
    assert.equal(r.reranked, null);
    assert.equal(r.contexts[0]!.metadata.document_id, 'refunds');
    assert.equal(mock.calls.length, 0);
  });

  it('rerank: true scores the candidates with the configured model and reorders them', async () => {
    const r = await search({ query: 'refunds for my order', rerank: true });
    assert.equal(r.reranked, 'openai/gpt-4o-mini');
    assert.equal(mock.calls.length, 1);
    assert.equal(mock.calls[0]!.model, 'gpt-4o-mini');
    assert.match(mock.calls[0]!.prompt, /Query: refunds for my order/);
    assert.equal(r.contexts[0]!.metadata.document_id, 'returns');
    assert.equal(r.contexts[0]!.score, 10);
    assert.deepEqual(new Set(r.contexts.map((x) => x.metadata.document_id)), new Set(['refunds', 'shipping', 'returns']));
  });

  it('{rerank: {model, candidates}} names the model and how many are re-scored', async () => {
    mock.calls.length = 0;
    const r = await search({ query: 'refunds for my order', rerank: { model: 'openai/gpt-4.1-nano', candidates: 2 }, trace: false });
    assert.equal(r.reranked, 'openai/gpt-4.1-nano');
    assert.equal(mock.calls[0]!.model, 'gpt-4.1-nano');
    assert.equal(mock.calls[0]!.prompt.split('\n').filter((l) => /^\[\d+\] /.test(l)).length, 2);
  });

  it('a malformed model answer leaves the order unchanged, and the retrieval span says why', async () => {
    mock.malformed = true;
    const r = await search({ query: 'refunds for my order', rerank: true });
    mock.malformed = false;
    assert.equal(r.reranked, null);
    assert.equal(r.contexts[0]!.metadata.document_id, 'refunds');
    let trace: { spans?: Array<{ kind: string; attributes?: Record<string, unknown> }> } | undefined;
    for (let i = 0; i < 100 && !trace; i++) {
      const g = await t.aether.server.inject({ method: 'GET', url: `/api/v1/traces/${r.trace_id!}`, headers: { 'x-api-key': t.key } });
      if (g.statusCode === 200) trace = g.json();
      else await new Promise((res) => setTimeout(res, 30));
    }
    const span = trace!.spans!.find((s) => s.kind === 'retrieval')!;
    assert.match(String(span.attributes!.rerank_error), /scores|JSON/);
  });
});
