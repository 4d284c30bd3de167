// The retrieval service: collections, ingestion (chunk, index, embed), search (BM25, vector,
// hybrid), context assembly, and a trace with a retrieval span for every search.
import { errors, parseOrThrow, type Context } from '../core/index.js';
import type { RagChunkWrite, RagCollection, RagDocumentWrite, RagRepo, ScoredId } from '../storage/index.js';
import { chunkPostings, contains, LexicalIndex, type LexicalChunk } from './lexical.js';
import { chunkText } from './chunk.js';
import { assembleContexts, type Candidate } from './context.js';
import { contentHash, embeddingChain, gatewayEmbedder, localEmbedder, type ChainOptions, type EmbeddingChain, type GatewayEmbed } from './embed.js';
import { convex, rrf } from './fusion.js';
import { collectionSettingsSchema, searchInputSchema, type CollectionSettings, type DocumentInput, type SearchInput, type SearchMode } from './schemas.js';
import { termCounts, terms } from './text.js';
import { loadTokenizer } from './tokens.js';

export interface ProjectRef {
  id: string;
  slug: string;
}

/** Re-ranks candidates for a query with a model; answers one score per candidate (higher is better). */
export type Reranker = (project: ProjectRef, query: string, texts: string[], opts: { model: string; signal?: AbortSignal | undefined }) => Promise<number[]>;

export interface RagDeps {
  repo: RagRepo;
  /** The gateway's embeddings for a project (given by the composition root). */
  gatewayEmbed?: (project: ProjectRef, model: string, texts: string[], signal?: AbortSignal) => Promise<number[][]>;
  /** Records a trace (the ingest service's `ingestOne`), so context metrics score retrieval too. */
  trace?: (project: ProjectRef, body: unknown) => Promise<{ id: string }>;
  rerank?: Reranker;
  /** The re-rank model when neither the search nor the collection names one. */
  rerankModel?: string | undefined;
  chain?: ChainOptions;
  /** Dimensions of the local embedder (default 384). */
  localDims?: number;
  /** Collections whose BM25 index is kept in memory at once (least recently searched dropped first; default 16). */
  lexicalCacheSize?: number;
}

export interface DocumentResult {
  id: string;
  status: 'created' | 'updated' | 'unchanged';
  chunks: number;
}

export interface SearchResult {
  trace_id: string | null;
  mode: SearchMode;
  embedder: string | null;
  /** The model that re-ranked the results, or null. */
  reranked: string | null;
  took_ms: number;
  contexts: Context[];
}

const settingsOf = (c: RagCollection): CollectionSettings => collectionSettingsSchema.parse(c.settings ?? {});

/** Build the retrieval service over its repository and collaborators. */
export function createRag(deps: RagDeps) {
  const { repo } = deps;
  const local = localEmbedder(deps.localDims ?? 384);
  const chains = new Map<string, EmbeddingChain>();
  // In-memory BM25 indexes by collection (Map order is recency order), and loads in flight.
  const lexical = new Map<string, { index: LexicalIndex; boost: number }>();
  const loading = new Map<string, Promise<{ index: LexicalIndex; boost: number }>>();
  const lexicalCacheSize = deps.lexicalCacheSize ?? 16;

  /** The collection's BM25 index at its current revision: cached, or rebuilt from the stored chunks. */
  async function lexicalFor(c: RagCollection, s: CollectionSettings): Promise<LexicalIndex> {
    const boost = s.bm25.title_boost;
    const hit = lexical.get(c.id);
    if (hit && hit.index.revision === c.revision && hit.boost === boost && hit.index.deadFraction < 0.5) {
      lexical.delete(c.id);
      lexical.set(c.id, hit);
      return hit.index;
    }
    const key = `${c.id}\u0000${c.revision}\u0000${boost}`;
    let p = loading.get(key);
    if (!p) {
      p = (async () => {
        const { revision, rows } = await repo.indexRows(c.id);
        const index = new LexicalIndex(revision);
        const titles = new Map<string, Map<string, number>>();
        const batch: LexicalChunk[] = [];
        for (const r of rows) {
          let tt = titles.get(r.document_id);
          if (!tt) titles.set(r.document_id, (tt = r.title ? termCounts(r.title) : new Map<string, number>()));
          const { postings, length } = chunkPostings(r.text, tt, boost);
          batch.push({ id: r.id, documentId: r.document_id, postings, length, metadata: r.metadata });
        }
        index.add(batch);
        const entry = { index, boost };
        lexical.delete(c.id);
        lexical.set(c.id, entry);
        while (lexical.size > lexicalCacheSize) lexical.delete(lexical.keys().next().value!);
        return entry;
      })().finally(() => loading.delete(key));
      loading.set(key, p);
    }
    return (await p).index;
  }

  // Where the store has no vector index: each collection's vectors (one embedder) as one typed array,
  // scanned exactly in memory; reloaded when the collection's revision moves (any write).
  interface VectorSet {
    revision: string;
    ids: string[];
    slot: Map<string, number>;
    dims: number;
    data: Float32Array;
  }
  const vectorSets = new Map<string, VectorSet>();
  const vectorLoads = new Map<string, Promise<VectorSet>>();
  async function vectorsFor(c: RagCollection, embedder: string): Promise<VectorSet> {
    const key = `${c.id}\u0000${embedder}`;
    const hit = vectorSets.get(key);
    if (hit && hit.revision === c.revision) {
      vectorSets.delete(key);
      vectorSets.set(key, hit);
      return hit;
    }
    const lk = `${key}\u0000${c.revision}`;
    let p = vectorLoads.get(lk);
    if (!p) {
      p = (async () => {
        const r = await repo.vectorRows(c.id, embedder);
        const set: VectorSet = { ...r, slot: new Map(r.ids.map((id, i) => [id, i])) };
        vectorSets.delete(key);
        vectorSets.set(key, set);
        while (vectorSets.size > Math.max(2, Math.floor(lexicalCacheSize / 4))) vectorSets.delete(vectorSets.keys().next().value!);
        return set;
      })().finally(() => vectorLoads.delete(lk));
      vectorLoads.set(lk, p);
    }
    return p;
  }
  /** Cosine similarity of the query (squared norm `qn`) with the vector in slot `i`. */
  function cosineAt(set: VectorSet, q: number[], i: number, qn: number): number {
    const { dims, data } = set;
    let dot = 0;
    let nn = 0;
    const o = i * dims;
    for (let j = 0; j < dims; j++) {
      const x = data[o + j]!;
      dot += x * q[j]!;
      nn += x * x;
    }
    return nn > 0 && qn > 0 ? dot / Math.sqrt(nn * qn) : 0;
  }
  function scanVectors(set: VectorSet, q: number[], k: number, only?: string[]): ScoredId[] {
    if (q.length !== set.dims) return [];
    let qn = 0;
    for (const x of q) qn += x * x;
    const out: ScoredId[] = [];
    if (only) {
      for (const id of only) {
        const i = set.slot.get(id);
        if (i !== undefined) out.push({ id, score: cosineAt(set, q, i, qn) });
      }
    } else {
      for (let i = 0; i < set.ids.length; i++) out.push({ id: set.ids[i]!, score: cosineAt(set, q, i, qn) });
    }
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, only ? only.length : k);
  }

  /** After this process wrote a batch: apply it to a cached index that was current, else drop that index. */
  function applyWrite(collectionId: string, rev: { before: string; after: string } | undefined, docIds: string[], chunks: LexicalChunk[], boost: number) {
    const hit = lexical.get(collectionId);
    if (!hit || !rev) return;
    if (hit.index.revision !== rev.before || hit.boost !== boost) {
      lexical.delete(collectionId);
      return;
    }
    hit.index.removeDocuments(docIds);
    hit.index.add(chunks);
    hit.index.revision = rev.after;
  }

  /** One chain (and so one breaker per tier) per project and model. */
  function chainFor(project: ProjectRef, s: CollectionSettings): EmbeddingChain {
    const key = `${project.id}\u0000${s.embedding_model ?? ''}`;
    let c = chains.get(key);
    if (!c) {
      const call: GatewayEmbed | undefined = deps.gatewayEmbed ? (model, texts, signal) => deps.gatewayEmbed!(project, model, texts, signal) : undefined;
      const tiers = s.embedding_model && call ? [gatewayEmbedder(s.embedding_model, call), local] : [local];
      c = embeddingChain(tiers, deps.chain);
      chains.set(key, c);
    }
    return c;
  }

  async function collection(project: ProjectRef, idOrName: string, counts = true): Promise<RagCollection> {
    const c = await repo.getCollection(project.id, idOrName, { counts });
    if (!c) throw errors.notFound(`No collection "${idOrName}" in this project`);
    return c;
  }

  /** Embed texts through the chain, reading and filling the cache of each tier. */
  async function embedAll(project: ProjectRef, chain: EmbeddingChain, texts: string[]): Promise<Array<{ embedder: string; vector: number[] }>> {
    const hashes = texts.map(contentHash);
    const out: Array<{ embedder: string; vector: number[] } | undefined> = texts.map(() => undefined);
    const first = chain.tiers[0]!.name;
    const cacheable = new Set(chain.tiers.filter((t) => t.cache !== false).map((t) => t.name));
    const cached = cacheable.has(first) ? await repo.cachedEmbeddings(project.id, first, [...new Set(hashes)]) : new Map<string, number[]>();
    hashes.forEach((h, i) => {
      const v = cached.get(h);
      if (v) out[i] = { embedder: first, vector: v };
    });
    const missing = texts.map((_, i) => i).filter((i) => !out[i]);
    if (missing.length) {
      const got = await chain.embed(missing.map((i) => texts[i]!));
      let at = 0;
      for (const g of got) {
        const rows: Array<{ hash: string; embedding: number[] }> = [];
        for (const v of g.vectors) {
          const i = missing[at++]!;
          out[i] = { embedder: g.embedder, vector: v };
          rows.push({ hash: hashes[i]!, embedding: v });
        }
        if (cacheable.has(g.embedder)) await repo.cacheEmbeddings(project.id, g.embedder, rows);
      }
    }
    return out as Array<{ embedder: string; vector: number[] }>;
  }

  const rag = {
    async createCollection(project: ProjectRef, name: string, settings: unknown = {}): Promise<{ collection: RagCollection; created: boolean }> {
      const s = parseOrThrow(collectionSettingsSchema, settings ?? {});
      return repo.createCollection(project.id, name, s);
    },
    listCollections: (project: ProjectRef) => repo.listCollections(project.id),
    getCollection: collection,
    async listDocuments(project: ProjectRef, idOrName: string, limit = 50, offset = 0) {
      const c = await collection(project, idOrName);
      return repo.listDocuments(c.id, limit, offset);
    },

    /** Add or replace documents; a document whose content hash is unchanged is left alone. */
    async addDocuments(project: ProjectRef, idOrName: string, docs: DocumentInput[]): Promise<{ documents: DocumentResult[]; chunks: number; embedders: Record<string, number> }> {
      const c = await collection(project, idOrName);
      const s = settingsOf(c);
      const tok = await loadTokenizer();
      const prepared = docs.map((d) => {
        const hash = contentHash(JSON.stringify([d.title ?? null, d.text, d.source ?? null, d.metadata ?? {}]));
        return { d, id: d.id ?? hash.slice(0, 32), hash };
      });
      const seen = new Map<string, number>();
      prepared.forEach((p, i) => seen.set(p.id, i)); // the last copy of a repeated id wins
      const unique = prepared.filter((p, i) => seen.get(p.id) === i);
      const existing = await repo.documentHashes(c.id, unique.map((p) => p.id));
      const results: DocumentResult[] = [];
      const writes: RagDocumentWrite[] = [];
      const embedInputs: string[] = [];
      const targets: RagChunkWrite[] = [];
      const lexChunks = new Map<string, LexicalChunk[]>();
      for (const p of unique) {
        if (existing.get(p.id) === p.hash) {
          results.push({ id: p.id, status: 'unchanged', chunks: 0 });
          continue;
        }
        const title = p.d.title ?? null;
        const titleTerms = title ? termCounts(title) : new Map<string, number>();
        const chunks = chunkText(p.id, p.d.text, tok, { maxTokens: s.chunking.max_tokens, overlap: s.chunking.overlap });
        const lex: LexicalChunk[] = [];
        const rows = chunks.map((k): RagChunkWrite => {
          const { postings, length } = chunkPostings(k.text, titleTerms, s.bm25.title_boost);
          lex.push({ id: k.id, documentId: p.id, postings, length, metadata: p.d.metadata ?? {} });
          const row: RagChunkWrite = { id: k.id, position: k.position, text: k.text, token_count: k.tokens, length, embedding: null, embedder: null };
          embedInputs.push(title ? `${title}\n${k.text}` : k.text);
          targets.push(row);
          return row;
        });
        lexChunks.set(p.id, lex);
        writes.push({ id: p.id, title, source: p.d.source ?? null, metadata: p.d.metadata ?? {}, content_hash: p.hash, chunks: rows });
        results.push({ id: p.id, status: existing.has(p.id) ? 'updated' : 'created', chunks: rows.length });
      }
      const embedders: Record<string, number> = {};
      if (targets.length) {
        const vecs = await embedAll(project, chainFor(project, s), embedInputs);
        vecs.forEach((v, i) => {
          targets[i]!.embedding = v.vector;
          targets[i]!.embedder = v.embedder;
          embedders[v.embedder] = (embedders[v.embedder] ?? 0) + 1;
        });
      }
      for (let i = 0; i < writes.length; i += 500) {
        const part = writes.slice(i, i + 500);
        const rev = await repo.writeDocuments(c.id, part);
        applyWrite(c.id, rev, part.map((w) => w.id), part.flatMap((w) => lexChunks.get(w.id) ?? []), s.bm25.title_boost);
      }
      return { documents: results, chunks: targets.length, embedders };
    },

    /** Search a collection; the result is in the trace `contexts` shape and, unless asked not to, traced. */
    async search(project: ProjectRef, idOrName: string, input: SearchInput, signal?: AbortSignal): Promise<SearchResult> {
      const q = parseOrThrow(searchInputSchema, input);
      const start = new Date();
      const t0 = performance.now();
      const c = await collection(project, idOrName, false);
      const s = settingsOf(c);
      const pool = q.mode === 'hybrid' || q.rerank ? Math.max(q.k * 4, 50) : q.k * 2;
      let embedder: string | null = null;
      const filters = q.filters && Object.keys(q.filters).length > 0 ? q.filters : undefined;
      const bm25 = async (k = pool): Promise<ScoredId[]> => {
        const counts = new Map<string, number>();
        for (const t of terms(q.query)) counts.set(t, (counts.get(t) ?? 0) + 1);
        if (counts.size === 0) return [];
        const index = await lexicalFor(c, s);
        return index.search(counts, { k, k1: s.bm25.k1, b: s.bm25.b, filter: filters ? (m) => contains(m, filters) : undefined });
      };
      const vector = async (candidates?: ScoredId[]): Promise<ScoredId[]> => {
        // The query is compared only with chunks embedded by the same tier; a tier that answers
        // but has no chunks (they fell back at ingestion) hands over to the next one.
        for (const t of chainFor(project, s).tiers) {
          const v = await chainFor(project, s).embedWith(t.name, [q.query], signal);
          if (!v) continue;
          // With a vector index (pgvector) the store answers; without one, the exact scan runs in memory
          // over the collection's cached vectors (a filtered full search stays in SQL).
          const indexed = await repo.hasVector();
          let hits: ScoredId[];
          if (candidates) hits = indexed ? await repo.scoreVectors(c.id, t.name, v[0]!, candidates.map((x) => x.id)) : scanVectors(await vectorsFor(c, t.name), v[0]!, pool, candidates.map((x) => x.id));
          else if (!indexed && !filters) hits = scanVectors(await vectorsFor(c, t.name), v[0]!, pool);
          else hits = await repo.searchVector(c.id, t.name, v[0]!, pool, q.filters);
          // A query with no features (e.g. only punctuation or emoji) embeds to a zero vector, whose
          // cosine similarity is NaN: no similarity, score 0.
          hits = hits.map((h) => (Number.isFinite(h.score) ? h : { ...h, score: 0 }));
          if (hits.length) {
            embedder = t.name;
            return hits;
          }
        }
        return [];
      };
      let ranked: ScoredId[];
      if (q.mode === 'bm25') ranked = await bm25();
      else if (q.mode === 'vector') ranked = await vector();
      else {
        const w = [1 - s.hybrid.vector_weight, s.hybrid.vector_weight];
        let b: ScoredId[];
        let v: ScoredId[];
        if (s.hybrid.vector_candidates === 'bm25') {
          // The vector list is the BM25 candidates re-scored exactly by cosine similarity: no
          // vector index scan, the same on every store; chunks BM25 did not find are not in it.
          b = await bm25(Math.max(pool, s.hybrid.candidates));
          v = await vector(b);
        } else {
          [b, v] = [await bm25(), await vector()];
        }
        ranked = s.hybrid.method === 'rrf' ? rrf([b, v], w, s.hybrid.rrf_k) : convex([b, v], w);
      }
      ranked = ranked.slice(0, pool);
      const rows = await repo.chunks(c.id, ranked.map((r) => r.id));
      let candidates: Candidate[] = ranked.flatMap((r) => {
        const x = rows.get(r.id);
        return x ? [{ chunkId: x.id, documentId: x.document_id, position: x.position, text: x.text, title: x.title, source: x.source, metadata: x.metadata, tokens: x.token_count, score: r.score }] : [];
      });
      let reranked: string | null = null;
      let rerankError: string | undefined;
      if (q.rerank) {
        const o = typeof q.rerank === 'object' ? q.rerank : {};
        const model = o.model ?? s.rerank.model ?? deps.rerankModel;
        if (!deps.rerank) throw errors.badRequest('No re-ranker is configured on this server');
        if (!model) throw errors.badRequest('No re-rank model: set the collection\'s rerank.model, pass rerank.model, or configure AETHER_RAG_RERANK_MODEL');
        const n = Math.min(candidates.length, o.candidates ?? s.rerank.candidates);
        if (n > 0) {
          // The top n are re-scored by the model and put first; the rest keep their order below them.
          // A re-ranker that fails leaves the order as it was (the span says why).
          const head = candidates.slice(0, n);
          try {
            const scores = await deps.rerank(project, q.query, head.map((x) => (x.title ? `${x.title}\n${x.text}` : x.text)), { model, signal });
            const rescored = head.map((x, i) => ({ ...x, score: scores[i] ?? 0 })).sort((a, b) => b.score - a.score);
            const floor = Math.min(0, ...rescored.map((x) => x.score));
            candidates = [...rescored, ...candidates.slice(n).map((x) => ({ ...x, score: floor }))];
            reranked = model;
          } catch (e) {
            if (signal?.aborted) throw e;
            rerankError = e instanceof Error ? e.message : String(e);
          }
        }
      }
      const { contexts, dropped } = assembleContexts(candidates, { k: q.k, maxTokens: q.max_tokens });
      for (const x of contexts) (x.metadata as Record<string, unknown>).collection_id = c.id;
      const took = performance.now() - t0;
      let traceId: string | null = null;
      if (q.trace && deps.trace) {
        const end = new Date();
        const attributes = { collection_id: c.id, collection: c.name, mode: q.mode, k: q.k, embedder, reranked, ...(rerankError ? { rerank_error: rerankError } : {}), candidates: candidates.length, dropped_duplicates: dropped.duplicates, dropped_over_budget: dropped.overBudget };
        const r = await deps.trace(project, {
          query: q.query,
          contexts,
          latency_ms: Math.round(took * 1000) / 1000,
          tags: ['rag'],
          metadata: { rag: attributes },
          spans: [{ name: 'rag.search', kind: 'retrieval', start_time: start.toISOString(), end_time: end.toISOString(), status: 'success', input: { query: q.query, k: q.k, mode: q.mode, filters: q.filters ?? {} }, output: { contexts: contexts.length }, attributes }],
        });
        traceId = r.id;
      }
      return { trace_id: traceId, mode: q.mode, embedder, reranked, took_ms: Math.round(took * 1000) / 1000, contexts };
    },
  };
  return rag;
}

export type Rag = ReturnType<typeof createRag>;
