// The TypeScript SDK's RagClient against a real server on loopback: collections, documents,
// search results in the contexts shape that feed a trace, errors as AetherError.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RagClient, type AetherError } from '../../sdk/src/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { storeCases } from '../helpers/stores.js';

describe('TypeScript SDK RagClient', () => {
  let t: TestApp;
  let rag: RagClient;
  before(async () => {
    t = await startTestApp(storeCases[0]!, { AETHER_WORKER: 'false' });
    await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
    const port = t.aether.server.addresses().find((a) => a.family === 'IPv4')!.port;
    rag = new RagClient({ apiKey: t.key, baseUrl: `http://127.0.0.1:${port}` });
  });
  after(async () => t?.close());

  it('creates a collection, adds documents and searches; the contexts carry citations', async () => {
    const c = await rag.createCollection('sdk');
    assert.equal((await rag.listCollections())[0]!.id, c.id);
    const added = await rag.addDocuments('sdk', [
      { id: 'a', title: 'Vector search', text: 'HNSW graphs answer nearest-neighbour queries quickly.' },
      { id: 'b', title: 'Keyword search', text: 'BM25 scores documents by term frequency and inverse document frequency.', metadata: { lang: 'en' } },
    ]);
    assert.equal(added.chunks, 2);
    const r = await rag.search('sdk', 'inverse document frequency', { k: 1, mode: 'bm25' });
    assert.equal(r.contexts[0]!.metadata!.document_id, 'b');
    assert.equal(r.contexts[0]!.source, 'Keyword search');
    assert.equal(typeof r.trace_id, 'string');
    const f = await rag.search('sdk', 'search', { k: 5, filters: { lang: 'en' }, trace: false });
    assert.deepEqual(f.contexts.map((x) => x.metadata!.document_id), ['b']);
    assert.equal(f.trace_id, null);
  });

  it('rejects with an AetherError carrying the status', async () => {
    await assert.rejects(rag.search('missing', 'x'), (e: AetherError) => e.status === 404 && /No collection/.test(e.message));
    await assert.rejects(rag.addDocuments('sdk', []), (e: AetherError) => e.status === 400);
  });
});
