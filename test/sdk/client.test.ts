// The TypeScript SDK end to end against a real Aether server on loopback: what the SDK records
// arrives with its contexts, usage and nested spans.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AetherClient, type AetherError } from '../../sdk/src/index.js';
import { countTraces, startSdkServer, waitFor, type SdkServer } from './helpers/server.js';

describe('TypeScript SDK against a real server', () => {
  let s: SdkServer;
  const clients: AetherClient[] = [];
  const client = (opts: Partial<ConstructorParameters<typeof AetherClient>[0]> = {}) => {
    const c = new AetherClient({ apiKey: s.key, baseUrl: s.url, flushIntervalMs: 50, ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    s = await startSdkServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await s?.close();
  });

  it('traceSpan records query, contexts, response, usage, metadata and nested spans', async () => {
    const aether = client({ projectId: s.app.projectId });
    let traceId = '';
    const answer = await aether.traceSpan(
      async (span) => {
        traceId = span.traceId;
        const docs = await span.span('retrieve', 'retrieval', async (r) => {
          const found = [
            { pageContent: 'Paris is the capital of France.', metadata: { source: 'doc_001' }, score: 0.95 },
            'France is in Europe.',
          ];
          r.addContexts(found);
          r.span('rerank', 'reranker', (rr) => rr.setOutput({ kept: 2 }));
          return found;
        });
        const text = await span.span('generate', 'llm', async (g) => {
          g.setUsage({ model: 'gpt-4o-mini', inputTokens: 120, outputTokens: 30, costUsd: 0.0004 });
          g.setResponse('Paris.');
          return `Paris is the capital of France (${docs.length} sources).`;
        });
        span.setResponse(text);
        span.setMetadata({ release: '1.2.3' });
        span.setTrace({ userId: 'u-1', sessionId: 's-1', tags: ['sdk-test'] });
        return text;
      },
      { name: 'rag', kind: 'chain', query: 'What is the capital of France?' },
    );
    assert.equal(answer, 'Paris is the capital of France (2 sources).');
    await aether.flush();
    const t = await s.get(traceId);
    assert.ok(t, 'trace stored');
    assert.equal(t.query, 'What is the capital of France?');
    assert.equal(t.response, answer);
    assert.deepEqual(t.contexts, [
      { text: 'Paris is the capital of France.', source: 'doc_001', score: 0.95, metadata: { source: 'doc_001' } },
      { text: 'France is in Europe.' },
    ]);
    // Usage of the llm child adds up to the trace's, since the root set none.
    assert.equal(t.model, 'gpt-4o-mini');
    assert.equal(t.input_tokens, 120);
    assert.equal(t.output_tokens, 30);
    assert.equal(t.token_count, 150);
    assert.equal(t.cost_usd, 0.0004);
    assert.equal(t.user_id, 'u-1');
    assert.equal(t.session_id, 's-1');
    assert.deepEqual(t.tags, ['sdk-test']);
    assert.deepEqual(t.metadata, { release: '1.2.3' });
    assert.equal(t.status, 'success');
    assert.ok(t.latency_ms !== null && t.latency_ms >= 0);
    const byName = new Map(t.spans.map((sp) => [sp.name, sp]));
    const root = byName.get('rag');
    assert.ok(root);
    assert.equal(root.parent_id, null);
    assert.equal(root.kind, 'chain');
    assert.equal(byName.get('retrieve')?.parent_id, root.id);
    assert.equal(byName.get('retrieve')?.kind, 'retrieval');
    assert.equal(byName.get('retrieve')?.attributes['retrieval.documents'], 2);
    assert.equal(byName.get('rerank')?.parent_id, byName.get('retrieve')?.id);
    assert.deepEqual(byName.get('rerank')?.output, { kept: 2 });
    const gen = byName.get('generate');
    assert.equal(gen?.parent_id, root.id);
    assert.equal(gen?.model, 'gpt-4o-mini');
    assert.equal(gen?.input_tokens, 120);
    assert.equal(gen?.output, 'Paris.');
    for (const sp of t.spans) {
      assert.ok(sp.end_time, `${sp.name} ended`);
      assert.ok(Date.parse(sp.start_time) >= Date.parse(root.start_time), `${sp.name} starts inside the root`);
    }
    // Evaluated like any other trace by the app's worker.
    let metrics: string[] = [];
    await waitFor(async () => {
      metrics = ((await s.get(traceId))?.evaluations ?? []).map((x) => x.metric);
      return metrics.includes('faithfulness');
    }, 30_000);
    assert.ok(metrics.includes('context_precision'), metrics.join());
  });

  it('trace(fn) records sync and async calls, passes results through and rethrows errors', async () => {
    const aether = client();
    const ask = aether.trace(async (q: string) => `answer to ${q}`, { name: 'ask', tags: ['wrapped'], userId: 'u-2' });
    const add = aether.trace((a: number, b: number) => a + b, { query: (args) => `${args[0]} + ${args[1]}` });
    const boom = new Error('model overloaded');
    const fail = aether.trace(async (_q: string): Promise<string> => {
      throw boom;
    });
    const failSync = aether.trace((_q: { question: string }) => {
      throw new TypeError('bad input');
    });
    assert.equal(await ask('why?'), 'answer to why?');
    assert.equal(add(2, 3), 5);
    await assert.rejects(fail('x'), (e) => e === boom);
    assert.throws(() => failSync({ question: 'q?' }), TypeError);
    await aether.flush();
    assert.deepEqual(aether.stats(), { queued: 0, sent: 4, dropped: 0, failed: 0 });
    const r = await fetch(`${s.url}/api/v1/traces?tag=wrapped`, { headers: { 'x-api-key': s.key } });
    const [t] = ((await r.json()) as { data: Array<{ id: string }> }).data;
    const stored = await s.get(t!.id);
    assert.equal(stored?.query, 'why?');
    assert.equal(stored?.response, 'answer to why?');
    assert.equal(stored?.user_id, 'u-2');
    assert.equal(stored?.spans.length, 1);
    assert.equal(stored?.spans[0]?.name, 'ask');
    const errs = await fetch(`${s.url}/api/v1/traces?status=error&limit=10`, { headers: { 'x-api-key': s.key } });
    const failed = ((await errs.json()) as { data: Array<{ query: string; error: string }> }).data;
    assert.deepEqual(failed.map((f) => f.query).sort(), ['q?', 'x']);
    assert.ok(failed.some((f) => f.error === 'Error: model overloaded'));
    const sums = await fetch(`${s.url}/api/v1/traces?q=${encodeURIComponent('2 + 3')}`, { headers: { 'x-api-key': s.key } });
    assert.equal(((await sums.json()) as { data: Array<{ response: string }> }).data[0]?.response, '5');
  });

  it('capture() sends a wire-format trace with its own id, stored once however often it is sent', async () => {
    const aether = client();
    const id = aether.capture({ id: 'manual-1', query: 'q', response: 'r', contexts: [{ text: 'c' }], token_count: 7 });
    aether.capture({ id: 'manual-1', query: 'changed' });
    assert.equal(id, 'manual-1');
    await aether.flush();
    assert.equal(aether.stats().sent, 2);
    const t = await s.get('manual-1');
    assert.equal(t?.query, 'q');
    assert.equal(t?.token_count, 7);
  });

  it('a full batch is sent without waiting for the timer', async () => {
    const aether = client({ batchSize: 10, flushIntervalMs: 3_600_000 });
    const before = await countTraces(s);
    const f = aether.trace((q: string) => q.toUpperCase());
    for (let i = 0; i < 25; i++) f(`batch ${i}`);
    await waitFor(() => aether.stats().sent === 20);
    assert.equal(aether.stats().queued, 5);
    await aether.flush();
    assert.equal(await countTraces(s), before + 25);
  });

  it('sampling keeps a deterministic share of traces', async () => {
    const aether = client({ sampleRate: 0.3 });
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) aether.traceSpan((sp) => ids.push(sp.traceId), { name: 'sampled' });
    await aether.flush();
    const { sent } = aether.stats();
    assert.ok(sent > 60 && sent < 180, `kept ${sent} of 400 at 0.3`);
    const { sampled } = await import('../../sdk/src/index.js');
    assert.equal(ids.filter((id) => sampled(id, 0.3)).length, sent);
  });

  it('per-item rejections in a 207 are counted as failed and reported, not retried', async () => {
    const errors: AetherError[] = [];
    let requests = 0;
    const aether = client({
      onError: (e) => errors.push(e),
      fetch: (url, init) => {
        requests++;
        return fetch(url, init);
      },
    });
    aether.capture({ query: 'ok' });
    aether.capture({ query: 'bad', user_id: '' }); // the server wants a non-empty user_id
    await aether.flush();
    assert.equal(requests, 1);
    assert.deepEqual(aether.stats(), { queued: 0, sent: 1, dropped: 0, failed: 1 });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /rejected 1 of 2 traces.*user_id/);
  });

  it('a wrong key is reported once per batch and never retried', async () => {
    const errors: AetherError[] = [];
    const aether = client({ apiKey: 'ae_wrong', onError: (e) => errors.push(e) });
    aether.capture({ query: 'q' });
    await aether.flush();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.status, 401);
    assert.equal(aether.stats().failed, 1);
  });

  it('shutdown() delivers what is queued and stops recording', async () => {
    const aether = client({ flushIntervalMs: 3_600_000 });
    const f = aether.trace((q: string) => q);
    f('before shutdown');
    await aether.shutdown();
    assert.equal(aether.stats().sent, 1);
    assert.equal(f('after shutdown'), 'after shutdown');
    await aether.flush();
    assert.deepEqual(aether.stats(), { queued: 0, sent: 1, dropped: 0, failed: 0 });
  });
});
