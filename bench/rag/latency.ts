/**
 * Search latency at 100,000 chunks through the real HTTP API, on PGlite and on PostgreSQL.
 *
 * The corpus: SciFact (5,183 documents) cut into 24-token chunks (8 overlap); while that gives fewer
 * than BENCH_RAG_CHUNKS (100,000) chunks, perturbed copies are added (the same document with its
 * sentences rotated by one, under a new id), so every chunk is real text but the index is larger.
 * Ingestion goes through `POST /documents` (250 documents a request) and is timed; then each mode
 * gets a warm-up of 20 queries (the first one builds the collection's in-memory BM25 index, timed
 * apart), then BENCH_RAG_LATENCY_QUERIES (300) train queries, k = 10, untraced, one at a time.
 * Vector mode is measured on a few queries only: its exact scan (in memory, PostgreSQL without pgvector)
 * takes ~130 ms at this size, and the HNSW build it needs on PGlite takes minutes (not run here).
 *
 *   npx tsx bench/rag/latency.ts   → bench/results/rag-latency.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/core/config.js';
import { createAether } from '../../src/app.js';
import { storeCases, tempDir } from '../../test/helpers/stores.js';
import { loadScifact, percentile, type Doc } from './data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.BENCH_RAG_DATA ?? resolve(root, '../shared/data/scifact');
const target = Number(process.env.BENCH_RAG_CHUNKS ?? 100_000);
const nQueries = Number(process.env.BENCH_RAG_LATENCY_QUERIES ?? 300);
const vectorQueries = Number(process.env.BENCH_RAG_VECTOR_QUERIES ?? 3);
const stores = (process.env.BENCH_RAG_STORES ?? 'pglite,postgres').split(',');
const chunking = { max_tokens: 24, overlap: 8 };

const rotate = (d: Doc, r: number): Doc => {
  const s = d.text.split(/(?<=[.!?])\s+/);
  const k = r % Math.max(1, s.length);
  return { id: `${d.id}~${r}`, title: d.title, text: [...s.slice(k), ...s.slice(0, k)].join(' ') };
};

const stats = (xs: number[]) => ({ queries: xs.length, p50_ms: round(percentile(xs, 50)), p95_ms: round(percentile(xs, 95)), mean_ms: round(xs.reduce((a, b) => a + b, 0) / xs.length) });
const round = (x: number) => Math.round(x * 100) / 100;

async function run(kind: string, docs: Doc[], queries: string[]) {
  const c = storeCases.find((x) => x.kind === kind)!;
  const skip = await c.skip();
  if (skip) return { skipped: skip };
  // The app as a server runs it (API keys cached as by default, unlike the tests' app), over a fresh store.
  const { store, cleanup } = await c.open();
  const tmp = tempDir();
  const aether = await createAether(parseConfig({ AETHER_DATA_DIR: tmp.dir, LOG_LEVEL: 'silent', AETHER_WORKER: 'false' }), { store, logger: false });
  const org = await store.organizations.create({ name: 'bench' });
  const project = await store.projects.create({ orgId: org.id, name: 'bench' });
  const t = { aether, key: (await store.apiKeys.create({ projectId: project.id })).key };
  try {
    const base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': t.key }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    const coll = await post('/api/v1/rag/collections', { name: 'scale', settings: { chunking } });
    const id = String(coll.id);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let chunks = 0;
    let documents = 0;
    for (let r = 0; chunks < target; r++) {
      const round = r === 0 ? docs : docs.map((d) => rotate(d, r));
      for (let i = 0; i < round.length && chunks < target; i += 250) {
        const got = await post(`/api/v1/rag/collections/${id}/documents`, { documents: round.slice(i, i + 250) });
        chunks += Number(got.chunks);
        documents += Math.min(250, round.length - i);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(`${kind}: ${documents} documents, ${chunks} chunks in ${seconds.toFixed(1)} s (${(chunks / seconds).toFixed(0)} chunks/s; this process used ${cpuSeconds.toFixed(1)} CPU s), load ${loadavg()[0]!.toFixed(1)}`);
    const search = async (query: string, mode: string) => {
      const s0 = performance.now();
      await post(`/api/v1/rag/collections/${id}/search`, { query, k: 10, mode, trace: false });
      return performance.now() - s0;
    };
    const out: Record<string, unknown> = {
      documents,
      chunks,
      ingest_seconds: round(seconds),
      ingest_chunks_per_s: Math.round(chunks / seconds),
      ingest_cpu_seconds: round(cpuSeconds),
      load_after_ingest: loadavg(),
    };
    out.first_search_ms = round(await search(queries[0]!, 'bm25')); // builds the in-memory BM25 index
    for (const mode of ['bm25', 'hybrid'] as const) {
      for (const q of queries.slice(0, 20)) await search(q, mode);
      const times: number[] = [];
      const c0 = process.cpuUsage();
      for (const q of queries.slice(0, nQueries)) times.push(await search(q, mode));
      const cu = process.cpuUsage(c0);
      // CPU of this process per query (client, HTTP server, search, and PGlite, which runs in it; not
      // PostgreSQL's server): what a query costs with a core to itself, whatever the load.
      out[mode] = { ...stats(times), cpu_ms_per_query: round((cu.user + cu.system) / 1000 / times.length) };
      console.log(kind, mode, out[mode]);
    }
    if (kind === 'postgres' && vectorQueries > 0) {
      const times: number[] = [];
      for (const q of queries.slice(0, vectorQueries)) times.push(await search(q, 'vector'));
      out.vector = { ...stats(times), path: 'exact scan in memory (no pgvector)' };
      console.log(kind, 'vector', out.vector);
    } else out.vector = { skipped: kind === 'pglite' ? 'the HNSW build at 100k chunks takes minutes on this machine' : 'disabled' };
    out.load_after = loadavg();
    return out;
  } finally {
    await aether.close();
    await cleanup();
    tmp.remove();
  }
}

const { docs, queries } = loadScifact(dataDir);
const results: Record<string, unknown> = { when: new Date().toISOString(), cpus: cpus().length, load_before: loadavg(), target_chunks: target, chunking, queries: nQueries, warmup: 20 };
const t0 = performance.now();
for (const kind of stores) results[kind] = await run(kind, docs, queries.map((q) => q.text));
results.total_seconds = Math.round((performance.now() - t0) / 1000);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/rag-latency.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
