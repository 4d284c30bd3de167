/**
 * Retrieval benchmark on SciFact (BEIR format, train queries with their qrels):
 *  - quality: nDCG@10 and Recall@100 for BM25, vector (local embedder) and hybrid (RRF, convex);
 *  - ingestion: chunks/s with the local embedder (chunking, BM25 postings, embedding, writes);
 *  - scale: search p95 at ~100,000 chunks (SciFact cut into small chunks) on PGlite and PostgreSQL.
 * Writes bench/results/rag.json and bench/results/rag.md.
 *
 *   npm run bench:rag            (BENCH_RAG_SCALE=0 skips the 100k-chunk part; BENCH_PG_URL for PostgreSQL)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/storage/index.js';
import { createRag, localEmbedder, type ProjectRef, type Rag } from '../../src/rag/index.js';
import { loadScifact, ndcg, percentile, recall, type Doc, type Query } from './data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.BENCH_RAG_DATA ?? resolve(root, '../shared/data/scifact');
const pgAdmin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scale = process.env.BENCH_RAG_SCALE !== '0';
const qualityPart = process.env.BENCH_RAG_QUALITY !== '0';
const outName = process.env.BENCH_RAG_OUT ?? 'rag';
const only = process.env.BENCH_RAG_ONLY?.split(',');
const want = (label: string) => !only || only.includes(label);
const latencyQueries = Number(process.env.BENCH_RAG_LATENCY_QUERIES ?? 200);
// Chunk size of the latency part (24 tokens cut SciFact into ~100,000 chunks) and its stores.
const scaleTokens = Number(process.env.BENCH_RAG_SCALE_TOKENS ?? 24);
const scaleStores = (process.env.BENCH_RAG_SCALE_STORES ?? 'postgres,pglite').split(',') as Array<'pglite' | 'postgres'>;

type Mode = 'bm25' | 'vector' | 'hybrid';
interface Opened {
  store: Store;
  rag: Rag;
  project: ProjectRef;
  close(): Promise<void>;
}

async function open(kind: 'pglite' | 'postgres'): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'aether-bench-rag-'));
  let drop = async () => {};
  let url: string | undefined;
  if (kind === 'postgres') {
    const name = `aether_bench_rag_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgAdmin });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(pgAdmin);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: pgAdmin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const store = await openStore({ databaseUrl: url, dataDir: dir });
  const org = await store.organizations.create({ name: 'bench' });
  const p = await store.projects.create({ orgId: org.id, name: 'bench' });
  return {
    store,
    rag: createRag({ repo: store.rag }),
    project: { id: p.id, slug: p.slug },
    async close() {
      await store.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ingest(o: Opened, name: string, docs: Doc[], settings: Record<string, unknown>): Promise<{ chunks: number; seconds: number }> {
  await o.rag.createCollection(o.project, name, settings);
  const t0 = performance.now();
  let chunks = 0;
  for (let i = 0; i < docs.length; i += 250) {
    const r = await o.rag.addDocuments(o.project, name, docs.slice(i, i + 250).map((d) => ({ id: d.id, title: d.title, text: d.text })));
    chunks += r.chunks;
  }
  return { chunks, seconds: (performance.now() - t0) / 1000 };
}

/** Distinct documents in rank order (a document ranks where its best chunk does). */
async function rankDocs(o: Opened, coll: string, q: Query, mode: Mode, k: number): Promise<string[]> {
  const r = await o.rag.search(o.project, coll, { query: q.text, k, mode, trace: false });
  return [...new Set(r.contexts.map((c) => String(c.metadata!.document_id)))];
}

async function quality(o: Opened, coll: string, queries: Query[], qrels: Map<string, Map<string, number>>, mode: Mode) {
  let n10 = 0;
  let r100 = 0;
  for (const q of queries) {
    const ranked = await rankDocs(o, coll, q, mode, 100);
    n10 += ndcg(ranked, qrels.get(q.id)!, 10);
    r100 += recall(ranked, qrels.get(q.id)!, 100);
  }
  return { ndcg10: n10 / queries.length, recall100: r100 / queries.length };
}

async function latency(o: Opened, coll: string, queries: Query[], mode: Mode, n: number) {
  const times: number[] = [];
  for (const q of queries.slice(0, n)) {
    const t0 = performance.now();
    await o.rag.search(o.project, coll, { query: q.text, k: 10, mode, trace: false });
    times.push(performance.now() - t0);
  }
  return { queries: times.length, p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), mean_ms: times.reduce((a, b) => a + b, 0) / times.length };
}

/** Vector quality through the store directly: pgvector's HNSW index, or the exact SQL scan. */
async function vectorQuality(o: Opened, coll: string, queries: Query[], qrels: Map<string, Map<string, number>>, exact: boolean) {
  const e = localEmbedder();
  const id = (await o.rag.getCollection(o.project, coll)).id;
  let n10 = 0;
  let r100 = 0;
  for (const q of queries) {
    const [v] = await e.embed([q.text]);
    const hits = await o.store.rag.searchVector(id, e.name, v!, 200, undefined, { exact });
    const rows = await o.store.rag.chunks(id, hits.map((h) => h.id));
    const ranked = [...new Set(hits.map((h) => rows.get(h.id)!.document_id))];
    n10 += ndcg(ranked, qrels.get(q.id)!, 10);
    r100 += recall(ranked, qrels.get(q.id)!, 100);
  }
  return { ndcg10: n10 / queries.length, recall100: r100 / queries.length };
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const save = (results: Record<string, unknown>) => {
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/${outName}.json`), JSON.stringify(results, null, 2) + '\n');
};

async function main() {
  const { docs, queries, qrels } = loadScifact(dataDir);
  console.log(`SciFact: ${docs.length} documents, ${queries.length} train queries with qrels`);
  const results: Record<string, unknown> = { dataset: { documents: docs.length, queries: queries.length }, load: loadavg(), cpus: cpus().length, when: new Date().toISOString() };

  // Quality and ingestion on PGlite (the embedded default).
  if (qualityPart) await qualityAndIngestion(results, docs, queries, qrels);
  if (scale) await scalePart(results, docs, queries);
  save(results);
  console.log(JSON.stringify(results, null, 2));
}

async function qualityAndIngestion(results: Record<string, unknown>, docs: Doc[], queries: Query[], qrels: Map<string, Map<string, number>>) {
  const o = await open('pglite');
  const settings = { chunking: { max_tokens: 512, overlap: 64 }, bm25: { k1: 0.9, b: 0.4, title_boost: 2 } };
  const ing = await ingest(o, 'scifact', docs, settings);
  console.log(`ingested ${ing.chunks} chunks in ${ing.seconds.toFixed(1)} s: ${(ing.chunks / ing.seconds).toFixed(0)} chunks/s`);
  results.ingestion = { store: 'pglite', chunks: ing.chunks, seconds: round(ing.seconds, 2), chunks_per_s: round(ing.chunks / ing.seconds, 0) };
  const q: Record<string, unknown> = {};
  for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
    if (!want(mode === 'hybrid' ? 'hybrid_rrf' : mode)) continue;
    q[mode === 'hybrid' ? 'hybrid_rrf' : mode] = await quality(o, 'scifact', queries, qrels, mode);
    console.log(mode, q[mode === 'hybrid' ? 'hybrid_rrf' : mode]);
  }
  const coll = (await o.rag.getCollection(o.project, 'scifact')).id;
  for (const [label, hybrid] of [
    ['hybrid_convex', { method: 'convex', vector_weight: 0.3, rrf_k: 60 }],
    ['hybrid_rrf_w0.3', { method: 'rrf', vector_weight: 0.3, rrf_k: 60 }],
  ] as const) {
    if (!want(label)) continue;
    await o.store.rag.updateSettings(coll, { ...settings, hybrid });
    q[label] = await quality(o, 'scifact', queries, qrels, 'hybrid');
    console.log(label, q[label]);
  }
  if (want('vector_exact_sql')) {
    q.vector_exact_sql = await vectorQuality(o, 'scifact', queries, qrels, true);
    console.log('vector exact', q.vector_exact_sql);
  }
  results.quality = q;
  save(results);
  await o.close();
}

async function scalePart(results: Record<string, unknown>, docs: Doc[], queries: Query[]) {
  {
    const lat: Record<string, unknown> = {};
    for (const kind of scaleStores) {
      const s = await open(kind);
      // SciFact cut into ~24-token chunks gives about 100,000 chunks of real text.
      const big = await ingest(s, 'scale', docs, { chunking: { max_tokens: scaleTokens, overlap: Math.min(64, Math.floor(scaleTokens / 3)) }, bm25: { k1: 0.9, b: 0.4, title_boost: 2 } });
      const vector = await s.store.rag.hasVector();
      console.log(`${kind}: ${big.chunks} chunks in ${big.seconds.toFixed(0)} s (${(big.chunks / big.seconds).toFixed(0)} chunks/s), pgvector ${vector}`);
      const row: Record<string, unknown> = { chunks: big.chunks, ingest_chunks_per_s: round(big.chunks / big.seconds, 0), vector_path: vector ? 'pgvector-hnsw' : 'exact-sql' };
      for (const mode of ['bm25', 'hybrid', 'vector'] as const) {
        const n = vector || mode === 'bm25' ? latencyQueries : Math.min(latencyQueries, 20);
        row[mode] = await latency(s, 'scale', queries, mode, n);
        console.log(kind, mode, row[mode]);
      }
      lat[kind] = row;
      results.scale = lat;
      save(results);
      await s.close();
    }
    results.scale = lat;
  }
}

await main();
