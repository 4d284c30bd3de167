// The in-memory BM25 index follows the store: a second service over the same store (another process)
// that writes moves the collection's revision, and the first one's next search sees the write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import type { Store } from '../src/storage/index.js';
import { contains, createRag, type ProjectRef } from '../src/rag/index.js';

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`rag lexical index on ${c.kind}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let project: ProjectRef;
    before(async () => {
      ({ store, cleanup } = await c.open());
      const org = await store.organizations.create({ name: 'Org' });
      const p = await store.projects.create({ orgId: org.id, name: 'one' });
      project = { id: p.id, slug: p.slug };
    });
    after(async () => cleanup?.());

    it('sees writes made by another service over the same store, and forgets replaced text', async () => {
      const a = createRag({ repo: store.rag });
      const b = createRag({ repo: store.rag });
      await a.createCollection(project, 'kb');
      await a.addDocuments(project, 'kb', [{ id: 'one', text: 'Walruses haul out on sea ice.' }]);
      const first = await a.search(project, 'kb', { query: 'walrus ice', mode: 'bm25', trace: false });
      assert.deepEqual(first.contexts.map((x) => x.metadata!.document_id), ['one']);
      await b.addDocuments(project, 'kb', [{ id: 'two', text: 'Narwhals and walruses live in Arctic waters.' }]);
      const second = await a.search(project, 'kb', { query: 'walrus arctic', mode: 'bm25', trace: false });
      assert.equal(second.contexts[0]!.metadata!.document_id, 'two');
      await b.addDocuments(project, 'kb', [{ id: 'one', text: 'Penguins nest on Antarctic rock.' }]);
      const third = await a.search(project, 'kb', { query: 'walruses haul ice', mode: 'bm25', trace: false });
      assert.deepEqual(third.contexts.map((x) => x.metadata!.document_id), ['two']);
      // The writer's own index was updated in place, and agrees.
      const own = await b.search(project, 'kb', { query: 'penguin', mode: 'hybrid', trace: false });
      assert.deepEqual(own.contexts.map((x) => x.metadata!.document_id), ['one']);
    });
  });
}

describe('jsonb containment in memory', () => {
  it('matches objects by key, arrays by element, scalars by value, like @>', () => {
    assert.equal(contains({ team: 'billing', n: 1 }, { team: 'billing' }), true);
    assert.equal(contains({ tags: ['faq', 'x'] }, { tags: ['faq'] }), true);
    assert.equal(contains({ tags: ['faq'] }, { tags: 'faq' }), false);
    assert.equal(contains({ a: { b: 1, c: 2 } }, { a: { b: 1 } }), true);
    assert.equal(contains({ a: 1 }, { a: '1' }), false);
    assert.equal(contains({}, { a: null }), false);
    assert.equal(contains({ a: null }, { a: null }), true);
  });
});
