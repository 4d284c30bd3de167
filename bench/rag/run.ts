/**
 * Retrieval benchmark on SciFact (BEIR format, train queries with their qrels):
 *  - quality: nDCG@10 and Recall@100 for BM25, vector (local embedder) and hybrid (RRF, convex);
 *  - ingestion: chunks/s with the local embedder (chunking, BM25 postings, embedding, writes);
 *  - fusion settings evaluated over the same BM25/vector lists (bench/results/rag.json fusion_grid).
 * Latency at 100,000 chunks is bench/rag/latency.ts. Writes bench/results/rag.json.
 *
 *   npm run bench:rag   (this, then latency.ts, then report.ts; BENCH_PG_URL for PostgreSQL)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/storage/index.js';
import { convex, createRag, localEmbedder, rrf, type ProjectRef, type Rag, type Ranked } from '../../src/rag/index.js';
import { loadScifact, ndcg, recall, type Doc, type Query } from './data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.BENCH_RAG_DATA ?? resolve(root, '../shared/data/scifact');
const pgAdmin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const qualityPart = process.env.BENCH_RAG_QUALITY !== '0';
const outName = process.env.BENCH_RAG_OUT ?? 'rag';
const only = process.env.BENCH_RAG_ONLY?.split(',');
const want = (label: string) => !only || only.includes(label);

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
  save(results);
  console.log(JSON.stringify(results, null, 2));
}

/** Ranked document ids from a ranked chunk list (a document ranks where its best chunk does). */
const docsOf = (ids: string[], docOf: Map<string, string>) => [...new Set(ids.map((i) => docOf.get(i)!).filter(Boolean))];

async function qualityAndIngestion(results: Record<string, unknown>, docs: Doc[], queries: Query[], qrels: Map<string, Map<string, number>>) {
  const o = await open('pglite');
  const settings = { chunking: { max_tokens: 512, overlap: 64 }, bm25: { k1: 0.9, b: 0.4, title_boost: 2 } };
  const cpu0 = process.cpuUsage();
  const ing = await ingest(o, 'scifact', docs, settings);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`ingested ${ing.chunks} chunks in ${ing.seconds.toFixed(1)} s: ${(ing.chunks / ing.seconds).toFixed(0)} chunks/s (${cpuSeconds.toFixed(1)} CPU s), load ${loadavg()[0]!.toFixed(1)}`);
  results.ingestion = { store: 'pglite', chunks: ing.chunks, seconds: round(ing.seconds, 2), chunks_per_s: round(ing.chunks / ing.seconds, 0), cpu_seconds: round(cpuSeconds, 1), load: loadavg() };
  // The same corpus into PostgreSQL: ingestion rate only.
  const pgo = await open('postgres').catch(() => undefined);
  if (pgo) {
    const p = await ingest(pgo, 'scifact', docs, settings);
    console.log(`postgres: ${p.chunks} chunks in ${p.seconds.toFixed(1)} s: ${(p.chunks / p.seconds).toFixed(0)} chunks/s`);
    results.ingestion_postgres = { store: 'postgres', chunks: p.chunks, seconds: round(p.seconds, 2), chunks_per_s: round(p.chunks / p.seconds, 0), load: loadavg() };
    await pgo.close();
  }
  const q: Record<string, unknown> = {};
  const coll = (await o.rag.getCollection(o.project, 'scifact')).id;
  // Defaults of the service, through its search.
  for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
    const label = mode === 'hybrid' ? 'hybrid_default' : mode;
    if (!want(label)) continue;
    q[label] = await quality(o, 'scifact', queries, qrels, mode);
    console.log(label, q[label]);
  }
  if (process.env.BENCH_RAG_INDEX === '1') {
    // Full fusion with the HNSW list instead of re-scored BM25 candidates.
    await o.store.rag.updateSettings(coll, { ...settings, hybrid: { vector_candidates: 'index' } }); // the other hybrid defaults stay
    q.hybrid_index = await quality(o, 'scifact', queries, qrels, 'hybrid');
    console.log('hybrid_index', q.hybrid_index);
    await o.store.rag.updateSettings(coll, settings);
  }
  if (process.env.BENCH_RAG_EXACT === '1') {
    q.vector_exact_sql = await vectorQuality(o, 'scifact', queries, qrels, true);
    console.log('vector exact', q.vector_exact_sql);
  }
  if (want('fusion_grid')) results.fusion_grid = await fusionGrid(o, coll, queries, qrels);
  results.quality = q;
  save(results);
  await o.close();
}

/**
 * Fusion settings over the same lists: per query, the BM25 top 200 and those 200 re-scored by the
 * local embedder (what the default hybrid fuses), then every setting fused in JS by src/rag/fusion.ts.
 */
async function fusionGrid(o: Opened, coll: string, queries: Query[], qrels: Map<string, Map<string, number>>) {
  const e = localEmbedder();
  const lists: Array<{ q: Query; b: Ranked[]; v: Ranked[] }> = [];
  const docOf = new Map<string, string>();
  for (const q of queries) {
    const r = await o.rag.search(o.project, 'scifact', { query: q.text, k: 200, mode: 'bm25', trace: false });
    const b = r.contexts.map((c) => ({ id: String(c.metadata!.chunk_id), score: c.score ?? 0 }));
    for (const c of r.contexts) docOf.set(String(c.metadata!.chunk_id), String(c.metadata!.document_id));
    const [qv] = await e.embed([q.text]);
    const v = await o.store.rag.scoreVectors(coll, e.name, qv!, b.map((x) => x.id));
    lists.push({ q, b, v });
  }
  const evalFused = (fuse: (b: Ranked[], v: Ranked[]) => Ranked[]) => {
    let n10 = 0;
    let r100 = 0;
    for (const { q, b, v } of lists) {
      const ranked = docsOf(fuse(b, v).map((x) => x.id), docOf);
      n10 += ndcg(ranked, qrels.get(q.id)!, 10);
      r100 += recall(ranked, qrels.get(q.id)!, 100);
    }
    return { ndcg10: round(n10 / lists.length), recall100: round(r100 / lists.length) };
  };
  const grid: Array<Record<string, unknown>> = [];
  grid.push({ method: 'bm25 alone', ...evalFused((b) => b) });
  grid.push({ method: 'vector re-scoring alone', ...evalFused((_, v) => v) });
  for (const w of [0.1, 0.2, 0.3, 0.4, 0.5]) {
    for (const k of [10, 30, 60]) grid.push({ method: 'rrf', vector_weight: w, rrf_k: k, ...evalFused((b, v) => rrf([b, v], [1 - w, w], k)) });
    grid.push({ method: 'convex', vector_weight: w, ...evalFused((b, v) => convex([b, v], [1 - w, w])) });
  }
  for (const g of grid) console.log(JSON.stringify(g));
  return grid;
}

await main();
