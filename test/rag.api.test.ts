// The retrieval API on both stores: collections, documents, search in the trace contexts shape with
// the search recorded as a trace with a retrieval span; projects isolated; bad input refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const docs = [
  { id: 'refunds', title: 'Refund policy', text: 'Customers may ask for a refund within 30 days of purchase. Refunds go back to the original card.', metadata: { team: 'billing' } },
  { id: 'shipping', title: 'Shipping', text: 'Orders ship within two business days. International shipping takes up to three weeks.', metadata: { team: 'logistics' } },
  { id: 'returns', title: 'Returns', text: 'Return an item unused in its original packaging; we email a prepaid label.', metadata: { team: 'logistics' } },
];

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`rag API on ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let id: string;
    const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, key?: string) => {
      const r = await t.aether.server.inject({ method, url, payload: payload as Record<string, unknown>, headers: { 'x-api-key': key ?? t.key } });
      return { status: r.statusCode, body: r.json() as Record<string, unknown> & { data?: Array<Record<string, unknown>> } };
    };

    before(async () => {
      t = await startTestApp(c, { AETHER_WORKER: 'false' });
    });
    after(async () => t?.close());

    it('creates a collection (once per name), lists it, and adds documents idempotently', async () => {
      const a = await call('POST', '/api/v1/rag/collections', { name: 'help' });
      assert.equal(a.status, 201);
      id = a.body.id as string;
      const again = await call('POST', '/api/v1/rag/collections', { name: 'help' });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, id);
      const add = await call('POST', `/api/v1/rag/collections/${id}/documents`, { documents: docs });
      assert.equal(add.status, 200);
      assert.equal(add.body.chunks, 3);
      const re = await call('POST', `/api/v1/rag/collections/${id}/documents`, { documents: docs });
      assert.deepEqual((re.body.documents as Array<{ status: string }>).map((d) => d.status), ['unchanged', 'unchanged', 'unchanged']);
      const list = await call('GET', '/api/v1/rag/collections');
      assert.equal(list.body.data!.length, 1);
      assert.equal(list.body.data![0]!.document_count, 3);
      const ds = await call('GET', `/api/v1/rag/collections/help/documents`);
      assert.equal(ds.body.data!.length, 3);
    });

    it('searches in the trace contexts shape; the search is a trace with a retrieval span carrying them', async () => {
      const s = await call('POST', `/api/v1/rag/collections/${id}/search`, { query: 'how long do refunds take to the card', k: 2, mode: 'hybrid' });
      assert.equal(s.status, 200);
      const contexts = s.body.contexts as Array<{ text: string; source: string; score: number; metadata: Record<string, unknown> }>;
      assert.equal(contexts[0]!.metadata.document_id, 'refunds');
      assert.equal(contexts[0]!.source, 'Refund policy');
      assert.equal(typeof s.body.trace_id, 'string');
      let trace: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && !trace; i++) {
        const r = await t.aether.server.inject({ method: 'GET', url: `/api/v1/traces/${String(s.body.trace_id)}`, headers: { 'x-api-key': t.key } });
        if (r.statusCode === 200) trace = r.json();
        else await new Promise((res) => setTimeout(res, 30));
      }
      assert.ok(trace, 'trace recorded');
      assert.equal(trace.query, 'how long do refunds take to the card');
      assert.deepEqual((trace.contexts as Array<{ text: string }>).map((x) => x.text), contexts.map((x) => x.text));
      const spans = trace.spans as Array<{ kind: string; name: string; attributes: Record<string, unknown> }>;
      assert.equal(spans[0]!.kind, 'retrieval');
      assert.equal(spans[0]!.name, 'rag.search');
      assert.equal(spans[0]!.attributes.mode, 'hybrid');
    });

    it('filters, and each mode answers', async () => {
      for (const mode of ['bm25', 'vector', 'hybrid']) {
        const s = await call('POST', `/api/v1/rag/collections/${id}/search`, { query: 'shipping returns label', k: 5, mode, filters: { team: 'logistics' }, trace: false });
        assert.equal(s.status, 200, mode);
        assert.deepEqual(new Set((s.body.contexts as Array<{ metadata: { document_id: string } }>).map((x) => x.metadata.document_id)), new Set(['shipping', 'returns']), mode);
        assert.equal(s.body.trace_id, null);
      }
    });

    it('refuses bad input with a 400 naming the field, and hides other projects’ collections', async () => {
      const bad = await call('POST', `/api/v1/rag/collections/${id}/search`, { query: 'x', mode: 'fuzzy' });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /mode/);
      const empty = await call('POST', `/api/v1/rag/collections/${id}/documents`, { documents: [] });
      assert.equal(empty.status, 400);
      const noText = await call('POST', `/api/v1/rag/collections/${id}/documents`, { documents: [{ title: 'x' }] });
      assert.equal(noText.status, 400);
      assert.equal((await call('POST', `/api/v1/rag/collections/${id}/search`, { query: 'refund' }, t.other.key)).status, 404);
      assert.equal((await call('GET', '/api/v1/rag/collections', undefined, t.other.key)).body.data!.length, 0);
      assert.equal((await call('POST', `/api/v1/rag/collections/${id}/documents`, { documents: docs }, t.other.key)).status, 404);
    });
  });
}
