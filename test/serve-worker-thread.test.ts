// `npm start`'s shape: `aether serve` on the embedded store with its evaluation worker on a thread of
// its own. Traces are scored, ingestion keeps answering while a backlog is scored, and SIGTERM stops
// the thread and the store cleanly (the data survives into the next start).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/stores.js';
import { startServer } from './helpers/process.js';

const trace = (i: number) => ({
  query: `What is the capital of France? (#${i})`,
  response: 'Paris is the capital of France.',
  contexts: [{ text: 'Paris is the capital and most populous city of France.', source: 'doc_001' }],
});

describe('aether serve: the evaluation worker on its own thread', () => {
  const t = tempDir();
  after(() => t.remove());

  it('scores every trace, keeps ingestion answering meanwhile, and stops cleanly on SIGTERM', async () => {
    const env = { AETHER_DATA_DIR: t.dir };
    const server = await startServer([], env);
    let ids: string[] = [];
    let key = '';
    try {
      key = (JSON.parse(readFileSync(join(t.dir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
      const headers = { 'x-api-key': key, 'content-type': 'application/json' };
      // A backlog for the scorer: 2,000 traces in two batches.
      for (let b = 0; b < 2; b++) {
        const r = await fetch(`${server.url}/api/v1/traces/batch`, { method: 'POST', headers, body: JSON.stringify({ traces: Array.from({ length: 1000 }, (_, i) => trace(b * 1000 + i)) }) });
        assert.equal(r.status, 207);
        ids.push(...((await r.json()) as { results: Array<{ id: string }> }).results.map((x) => x.id));
      }
      // Single traces while the backlog is scored are still acknowledged promptly.
      const lat: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = Date.now();
        const r = await fetch(`${server.url}/api/v1/traces`, { method: 'POST', headers, body: JSON.stringify(trace(5000 + i)) });
        lat.push(Date.now() - t0);
        assert.equal(r.status, 201);
        ids.push(((await r.json()) as { id: string }).id);
      }
      lat.sort((a, b) => a - b);
      assert.ok(lat[10]! < 500, `median single-trace ingest while scoring: ${lat[10]} ms`);
      // Every trace gets its evaluations from the thread.
      const deadline = Date.now() + 120_000;
      let pending = Infinity;
      while (Date.now() < deadline) {
        const q = (await (await fetch(`${server.url}/api/v1/queue`, { headers })).json()) as { pending: number; running: number };
        pending = q.pending + q.running;
        if (pending === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(pending, 0, 'the queue drains');
      for (const id of [ids[0], ids[1500], ids.at(-1)]) {
        const tr = (await (await fetch(`${server.url}/api/v1/traces/${id}`, { headers })).json()) as { evaluations: Array<{ metric: string; label: string | null }> };
        assert.equal(tr.evaluations.find((e) => e.metric === 'hallucination')?.label, 'faithful', `trace ${id} is scored: ${JSON.stringify(tr.evaluations)}`);
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0, `clean exit on SIGTERM:\n${server.output().slice(-2000)}`);
    const again = await startServer([], env);
    try {
      const r = await fetch(`${again.url}/api/v1/traces/${ids[0]}`, { headers: { 'x-api-key': key } });
      assert.equal(r.status, 200);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
    ids = [];
  });
});
