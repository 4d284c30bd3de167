// The embedding chain through the gateway: a provider failing at /v1/embeddings (a local mock
// speaking OpenAI's wire format) falls through to the local embedder; when it answers again the
// chain recovers; vectors are cached by content hash and never compared across embedders.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGatewayApp, type GatewayTestApp } from './gateway/helpers/app.js';
import { embeddingOf } from './gateway/helpers/upstream.js';
import { gatewayEmbeddings } from '../src/app.js';
import { createRag, embeddingChain, localEmbedder, type Embedder, type ProjectRef, type Rag } from '../src/rag/index.js';

const MODEL = 'openai/text-embedding-3-small';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedding chain through the gateway', () => {
  let g: GatewayTestApp;
  let rag: Rag;
  let project: ProjectRef;
  const falls: string[] = [];

  before(async () => {
    g = await startGatewayApp({ retry: { max_retries: 0 }, breaker: { enabled: false } });
    const p = (await g.t.aether.store.projects.find(g.t.projectId))!;
    project = { id: p.id, slug: p.slug };
    rag = createRag({ repo: g.t.aether.store.rag, gatewayEmbed: gatewayEmbeddings(g.t.aether.gateway), chain: { cooldownMs: 3000, onFallback: (tier) => falls.push(tier) } });
    await rag.createCollection(project, 'docs', { embedding_model: MODEL });
  });
  after(async () => g?.close());

  it('embeds through the provider, batched, and caches by content hash', async () => {
    const r = await rag.addDocuments(project, 'docs', [
      { id: 'a', text: 'alpha beta' },
      { id: 'b', text: 'gamma delta epsilon' },
    ]);
    assert.deepEqual(r.embedders, { [`gateway:${MODEL}`]: 2 });
    const calls = g.upstream.calls.filter((c) => c.path.endsWith('/embeddings'));
    assert.equal(calls.length, 1, 'one batched call');
    assert.deepEqual(calls[0]!.body.input, ['alpha beta', 'gamma delta epsilon']);
    // Same text under another id: served from the cache, no upstream call.
    await rag.addDocuments(project, 'docs', [{ id: 'c', text: 'alpha beta' }]);
    assert.equal(g.upstream.calls.filter((c) => c.path.endsWith('/embeddings')).length, 1);
    const v = await rag.search(project, 'docs', { query: 'alpha beta', k: 1, mode: 'vector', trace: false });
    assert.equal(v.embedder, `gateway:${MODEL}`);
    assert.ok(['a', 'c'].includes(v.contexts[0]!.metadata!.document_id as string));
  });

  it('falls through to the local embedder while the provider fails, and recovers when it is back', async () => {
    g.upstream.byModel.set('text-embedding-3-small', { kind: 'status', status: 503 });
    const down = await rag.addDocuments(project, 'docs', [{ id: 'd', text: 'zeta eta theta' }]);
    assert.deepEqual(down.embedders, { 'local-hash-384': 1 });
    assert.ok(falls.includes(`gateway:${MODEL}`));
    // While its breaker is open the failing tier is not called at all.
    const before = g.upstream.calls.length;
    const still = await rag.addDocuments(project, 'docs', [{ id: 'e', text: 'iota kappa' }]);
    assert.deepEqual(still.embedders, { 'local-hash-384': 1 });
    assert.equal(g.upstream.calls.length, before);
    // A vector query while the provider is down is answered in the local space, over the chunks embedded there.
    const q = await rag.search(project, 'docs', { query: 'zeta theta', k: 1, mode: 'vector', trace: false });
    assert.equal(q.embedder, 'local-hash-384');
    assert.equal(q.contexts[0]!.metadata!.document_id, 'd');

    g.upstream.byModel.clear();
    await sleep(3100); // the cool-down passes; the next call probes the provider
    const up = await rag.addDocuments(project, 'docs', [{ id: 'f', text: 'lambda mu nu' }]);
    assert.deepEqual(up.embedders, { [`gateway:${MODEL}`]: 1 });
    const last = g.upstream.calls.filter((c) => c.path.endsWith('/embeddings')).at(-1)!;
    assert.deepEqual(last.body.input, ['lambda mu nu']);
  });

  it('a chain tier that answers the wrong number of vectors counts as failing', async () => {
    const bad: Embedder = { name: 'bad', dims: 3, embed: async () => [[1, 0, 0]] };
    const chain = embeddingChain([bad, localEmbedder(16)], { cooldownMs: 1000 });
    const out = await chain.embed(['one', 'two']);
    assert.equal(out[0]!.embedder, 'local-hash-16');
    assert.equal(out[0]!.vectors.length, 2);
    assert.equal(chain.state()[0]!.open, true);
    assert.deepEqual(embeddingOf('x').length, 4);
  });
});
