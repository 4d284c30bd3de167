// The retrieval service on both stores: ingestion is idempotent, BM25 and vector search find the
// right documents, pgvector (HNSW) and the exact SQL path agree on top-k, filters restrict results.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import type { Store } from '../src/storage/index.js';
import { createRag, localEmbedder, type ProjectRef, type Rag } from '../src/rag/index.js';

const DOCS = [
  { id: 'cats', title: 'Cats', text: 'Cats are small carnivorous mammals. Domestic cats sleep most of the day and hunt mice at night.', metadata: { kind: 'animal', lang: 'en' } },
  { id: 'dogs', title: 'Dogs', text: 'Dogs are loyal companions. A dog needs a daily walk and enjoys fetching sticks in the park.', metadata: { kind: 'animal', lang: 'en' } },
  { id: 'pg', title: 'PostgreSQL', text: 'PostgreSQL is a relational database. Indexes such as btree and gin speed up queries over large tables.', metadata: { kind: 'software', lang: 'en' } },
  { id: 'redis', title: 'Redis', text: 'Redis keeps data in memory and answers key lookups in microseconds; it is often used as a cache.', metadata: { kind: 'software', lang: 'en' } },
  { id: 'tee', title: 'Tea', text: 'Green tea and black tea come from the same plant; steeping time and temperature change the taste.', metadata: { kind: 'food', lang: 'en' } },
];

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`rag on ${c.kind}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let rag: Rag;
    let project: ProjectRef;
    let other: ProjectRef;

    before(async () => {
      ({ store, cleanup } = await c.open());
      const org = await store.organizations.create({ name: 'Org' });
      const p = await store.projects.create({ orgId: org.id, name: 'one' });
      const q = await store.projects.create({ orgId: org.id, name: 'two' });
      project = { id: p.id, slug: p.slug };
      other = { id: q.id, slug: q.slug };
      rag = createRag({ repo: store.rag });
      await rag.createCollection(project, 'kb');
    });
    after(async () => cleanup?.());

    it('ingests documents once: the same content again changes nothing, changed content replaces its chunks', async () => {
      const first = await rag.addDocuments(project, 'kb', DOCS);
      assert.deepEqual(first.documents.map((d) => d.status), ['created', 'created', 'created', 'created', 'created']);
      assert.equal(first.embedders['local-hash-384'], first.chunks);
      const again = await rag.addDocuments(project, 'kb', DOCS);
      assert.deepEqual(again.documents.map((d) => d.status), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
      assert.equal(again.chunks, 0);
      const changed = await rag.addDocuments(project, 'kb', [{ ...DOCS[4]!, text: 'Herbal tea is not tea at all: chamomile and mint are infusions of other plants.' }]);
      assert.equal(changed.documents[0]!.status, 'updated');
      const hits = await rag.search(project, 'kb', { query: 'chamomile infusion', k: 3, mode: 'bm25', trace: false });
      assert.equal(hits.contexts[0]?.metadata?.document_id, 'tee');
      const old = await rag.search(project, 'kb', { query: 'steeping temperature', k: 3, mode: 'bm25', trace: false });
      assert.ok(!old.contexts.some((x) => x.metadata?.document_id === 'tee'), 'the replaced text is no longer indexed');
      const colls = await rag.listCollections(project);
      assert.equal(colls[0]!.document_count, 5);
      assert.equal(colls[0]!.chunk_count, 5);
    });

    it('BM25 ranks by stemmed terms, title included, and answers in the trace contexts shape', async () => {
      const r = await rag.search(project, 'kb', { query: 'walking the dog', k: 2, mode: 'bm25', trace: false });
      assert.equal(r.contexts[0]!.metadata!.document_id, 'dogs');
      assert.equal(r.contexts[0]!.source, 'Dogs');
      assert.ok(typeof r.contexts[0]!.score === 'number' && r.contexts[0]!.score > 0);
      assert.equal(r.contexts[0]!.metadata!.citation, 1);
      const db = await rag.search(project, 'kb', { query: 'database indexes', k: 1, mode: 'bm25', trace: false });
      assert.equal(db.contexts[0]!.metadata!.document_id, 'pg');
    });

    it('vector search with the local embedder; pgvector HNSW (where present) and exact SQL give the same top-k', async () => {
      const v = await rag.search(project, 'kb', { query: 'in-memory cache lookups', k: 3, mode: 'vector', trace: false });
      assert.equal(v.embedder, 'local-hash-384');
      assert.equal(v.contexts[0]!.metadata!.document_id, 'redis');
      const coll = (await rag.getCollection(project, 'kb')).id;
      const [qv] = await localEmbedder().embed(['mammals that hunt mice and sleep']);
      const exact = await store.rag.searchVector(coll, 'local-hash-384', qv!, 4, undefined, { exact: true });
      const auto = await store.rag.searchVector(coll, 'local-hash-384', qv!, 4, undefined);
      assert.equal(exact.length, 4);
      assert.deepEqual(auto.map((x) => x.id), exact.map((x) => x.id));
      auto.forEach((x, i) => assert.ok(Math.abs(x.score - exact[i]!.score) < 1e-4));
      if (c.kind === 'pglite') assert.equal(await store.rag.hasVector(), true, 'PGlite ships pgvector');
    });

    it('filters by document metadata (containment) in every mode', async () => {
      for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
        const r = await rag.search(project, 'kb', { query: 'cats dogs database cache tea', k: 5, mode, filters: { kind: 'software' }, trace: false });
        assert.deepEqual(new Set(r.contexts.map((x) => x.metadata!.document_id)), new Set(['pg', 'redis']), mode);
      }
      const none = await rag.search(project, 'kb', { query: 'cats', k: 5, mode: 'hybrid', filters: { kind: 'nothing' }, trace: false });
      assert.equal(none.contexts.length, 0);
    });

    it('hybrid search fuses both lists, and a token budget limits what is returned', async () => {
      const r = await rag.search(project, 'kb', { query: 'relational database btree', k: 5, mode: 'hybrid', trace: false });
      assert.equal(r.contexts[0]!.metadata!.document_id, 'pg');
      const tokens = r.contexts[0]!.metadata!.tokens as number;
      const small = await rag.search(project, 'kb', { query: 'relational database btree', k: 5, mode: 'hybrid', max_tokens: tokens, trace: false });
      assert.equal(small.contexts.length, 1);
    });

    it('each project sees only its own collections', async () => {
      await assert.rejects(rag.search(other, 'kb', { query: 'cats', trace: false }), (e: Error & { status?: number }) => e.status === 404);
      assert.equal((await rag.listCollections(other)).length, 0);
    });
  });
}
