import pg from 'pg';
import { inTransaction } from '../sql.js';
import { createHash } from 'node:crypto';
import { newId } from '../../core/ids.js';

export interface RagCollection {
  id: string;
  project_id: string;
  name: string;
  settings: Record<string, unknown>;
  chunk_count: number;
  document_count: number;
  /** Moves on every write (documents or settings). */
  revision: string;
  created_at: Date;
}

export interface RagDocumentRow {
  id: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  content_hash: string;
  chunk_count: number;
  updated_at: Date;
}

/** A chunk ready to store: text, BM25 length and an optional embedding. */
export interface RagChunkWrite {
  id: string;
  position: number;
  text: string;
  token_count: number;
  /** BM25 length (title-boosted term count). */
  length: number;
  embedding: number[] | null;
  /** The embedder tier that produced `embedding`. */
  embedder: string | null;
}

export interface RagDocumentWrite {
  id: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  content_hash: string;
  chunks: RagChunkWrite[];
}

export interface RagChunk {
  id: string;
  document_id: string;
  position: number;
  text: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  token_count: number;
}

export interface ScoredId {
  id: string;
  score: number;
}

/** A stored chunk as an in-memory index reads it back. */
export interface RagIndexRow {
  id: string;
  document_id: string;
  title: string | null;
  text: string;
  metadata: Record<string, unknown>;
}

/** A write's place in the collection's history: the revision before it and the one it made. */
export interface RagRevision {
  before: string;
  after: string;
}

const COLL_BASE = `c.id, c.project_id, c.name, c.settings, c.chunk_count, c.revision::text as revision, c.created_at`;
const COLL = `${COLL_BASE}, (select count(*) from rag_documents d where d.collection_id = c.id) as document_count`;
const CHUNK = 'id, document_id, position, text, title, source, metadata, token_count';
const SAFE_ID = /^[A-Za-z0-9_-]+$/;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const hnswWhere = (collectionId: string, embedder: string) => `collection_id = ${lit(collectionId)} and embedder = ${lit(embedder)}`;
const vec = (v: number[]) => `[${v.join(',')}]`;
const arr = (v: number[]) => `{${v.join(',')}}`;

/** `{0.1,-2e-05,...}` (a real[] as text) to floats. */
function parseFloatArray(s: string): Float32Array {
  const out: number[] = [];
  let at = 1;
  for (let i = 1; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 44 || ch === 125) {
      if (i > at) out.push(Number(s.slice(at, i)));
      at = i + 1;
    }
  }
  return Float32Array.from(out);
}

/**
 * Embeddings of a batch as one binary `real[]` parameter (PostgreSQL's array wire format, float4 big
 * endian) with each row's 1-based start and length: the server slices it with no float parsing, which
 * text arrays of a few hundred numbers per chunk spent most of an ingestion on.
 */
function packEmbeddings(vs: Array<number[] | null>): { flat: Buffer; start: number[]; len: number[] } {
  const total = vs.reduce((s, v) => s + (v?.length ?? 0), 0);
  const buf = Buffer.allocUnsafe(20 + total * 8);
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(0, 4); // no nulls
  buf.writeInt32BE(700, 8); // float4
  buf.writeInt32BE(total, 12);
  buf.writeInt32BE(1, 16); // lower bound
  let at = 20;
  const start: number[] = [];
  const len: number[] = [];
  let i = 1;
  for (const v of vs) {
    start.push(i);
    len.push(v?.length ?? 0);
    for (const x of v ?? []) {
      buf.writeInt32BE(4, at);
      buf.writeFloatBE(x, at + 4);
      at += 8;
    }
    i += v?.length ?? 0;
  }
  return { flat: buf, start, len };
}

/** Storage of retrieval collections: documents, chunks, embeddings and their cache (BM25 is indexed in memory from the chunks). */
export function ragRepo(pool: pg.Pool) {
  let vectorReady: Promise<boolean> | undefined;
  const hnswReady = new Map<string, Promise<void>>();

  /** pgvector when the server has it: the extension and a vector column, created once, idempotently. */
  function hasVector(): Promise<boolean> {
    vectorReady ??= (async () => {
      const avail = await pool.query(`select 1 from pg_available_extensions where name = 'vector'`);
      if (avail.rowCount === 0) return false;
      try {
        await pool.query('create extension if not exists vector');
        await pool.query('alter table rag_chunks add column if not exists embedding_v vector');
        return true;
      } catch {
        return false; // installed but not creatable by this role: the exact path serves
      }
    })();
    return vectorReady;
  }

  /**
   * A partial HNSW index per collection and embedder: dimensions differ between embedders, and an
   * HNSW index needs fixed ones. Literals, because a partial index serves only queries that name them.
   */
  function ensureHnsw(collectionId: string, embedder: string, dims: number): Promise<void> {
    if (!SAFE_ID.test(collectionId) || !Number.isInteger(dims)) throw new Error('unsafe collection id');
    const key = `${collectionId}:${embedder}:${dims}`;
    let p = hnswReady.get(key);
    if (!p) {
      const name = `rag_chunks_hnsw_${createHash('sha1').update(key).digest('hex').slice(0, 16)}`;
      p = pool
        .query(`create index if not exists ${name} on rag_chunks using hnsw ((embedding_v::vector(${dims})) vector_cosine_ops) where ${hnswWhere(collectionId, embedder)}`)
        .then(() => undefined);
      p.catch(() => hnswReady.delete(key));
      hnswReady.set(key, p);
    }
    return p;
  }

  const tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => inTransaction(pool, fn);

  return {
    hasVector,
    async createCollection(projectId: string, name: string, settings: Record<string, unknown>): Promise<{ collection: RagCollection; created: boolean }> {
      const r = await pool.query<{ id: string }>(
        `insert into rag_collections (id, project_id, name, settings) values ($1, $2, $3, $4) on conflict (project_id, name) do nothing returning id`,
        [newId(), projectId, name, JSON.stringify(settings)],
      );
      const got = await pool.query<RagCollection>(`select ${COLL} from rag_collections c where c.project_id = $1 and c.name = $2`, [projectId, name]);
      return { collection: got.rows[0]!, created: (r.rowCount ?? 0) > 0 };
    },
    async listCollections(projectId: string): Promise<RagCollection[]> {
      return (await pool.query<RagCollection>(`select ${COLL} from rag_collections c where c.project_id = $1 order by c.created_at, c.name`, [projectId])).rows;
    },
    /** A collection of the project by id or name. */
    async getCollection(projectId: string, idOrName: string, opts: { counts?: boolean } = {}): Promise<RagCollection | undefined> {
      const cols = opts.counts === false ? `${COLL_BASE}, -1 as document_count` : COLL;
      return (await pool.query<RagCollection>(`select ${cols} from rag_collections c where c.project_id = $1 and (c.id = $2 or c.name = $2) order by (c.id = $2) desc limit 1`, [projectId, idOrName])).rows[0];
    },
    async updateSettings(collectionId: string, settings: Record<string, unknown>): Promise<void> {
      await pool.query('update rag_collections set settings = $2, revision = revision + 1 where id = $1', [collectionId, JSON.stringify(settings)]);
    },
    async removeCollection(projectId: string, id: string): Promise<boolean> {
      return ((await pool.query('delete from rag_collections where project_id = $1 and id = $2', [projectId, id])).rowCount ?? 0) > 0;
    },
    /** Content hashes of the documents that exist, by id. */
    async documentHashes(collectionId: string, ids: string[]): Promise<Map<string, string>> {
      const r = await pool.query<{ id: string; content_hash: string }>('select id, content_hash from rag_documents where collection_id = $1 and id = any($2::text[])', [collectionId, ids]);
      return new Map(r.rows.map((x) => [x.id, x.content_hash]));
    },
    async listDocuments(collectionId: string, limit: number, offset: number): Promise<RagDocumentRow[]> {
      return (
        await pool.query<RagDocumentRow>(
          'select id, title, source, metadata, content_hash, chunk_count, updated_at from rag_documents where collection_id = $1 order by updated_at desc, id limit $2 offset $3',
          [collectionId, limit, offset],
        )
      ).rows;
    },
    /**
     * Replace documents and their chunks in one transaction (a few statements per batch, whatever its
     * size); collection stats and revision follow. Answers the revision before and after the write.
     */
    async writeDocuments(collectionId: string, docs: RagDocumentWrite[]): Promise<RagRevision | undefined> {
      if (docs.length === 0) return undefined;
      // With pgvector the embedding is stored once, as `vector` (the exact path reads it back as real[]).
      // The HNSW index is built at the first vector search: one build over a bulk load is far
      // cheaper than growing the graph insert by insert.
      const vector = await hasVector();
      const ids = docs.map((d) => d.id);
      return tx(async (c) => {
        const old = await c.query<{ n: number; total: number }>(
          'with d as (delete from rag_chunks where collection_id = $1 and document_id = any($2::text[]) returning length) select count(*)::int as n, coalesce(sum(length), 0)::float8 as total from d',
          [collectionId, ids],
        );
        const removed = old.rows[0] ?? { n: 0, total: 0 };
        await c.query(
          `insert into rag_documents (collection_id, id, title, source, metadata, content_hash, chunk_count)
           select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::int[])
           on conflict (collection_id, id) do update set title = excluded.title, source = excluded.source, metadata = excluded.metadata,
             content_hash = excluded.content_hash, chunk_count = excluded.chunk_count, updated_at = now()`,
          [collectionId, ids, docs.map((d) => d.title), docs.map((d) => d.source), docs.map((d) => JSON.stringify(d.metadata)), docs.map((d) => d.content_hash), docs.map((d) => d.chunks.length)],
        );
        const ch = docs.flatMap((d) => d.chunks.map((k) => ({ d, k })));
        let addedLen = 0;
        for (let i = 0; i < ch.length; i += 5000) {
          const part = ch.slice(i, i + 5000);
          addedLen += part.reduce((s, x) => s + x.k.length, 0);
          const emb = packEmbeddings(part.map((x) => x.k.embedding));
          const slice = 'case when e_len > 0 then ($12::real[])[e_at : e_at + e_len - 1] end';
          await c.query(
            `insert into rag_chunks (collection_id, id, document_id, position, text, title, source, metadata, token_count, length, embedder, ${vector ? 'embedding_v' : 'embedding'})
             select $1, id, doc, pos, txt, title, src, meta, tok, len, emb_by, ${vector ? `(${slice})::vector` : slice}
             from unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::int[], $10::float8[], $11::text[], $13::int[], $14::int[])
               as t(id, doc, pos, txt, title, src, meta, tok, len, emb_by, e_at, e_len)`,
            [
              collectionId,
              part.map((x) => x.k.id),
              part.map((x) => x.d.id),
              part.map((x) => x.k.position),
              part.map((x) => x.k.text),
              part.map((x) => x.d.title),
              part.map((x) => x.d.source),
              part.map((x) => JSON.stringify(x.d.metadata)),
              part.map((x) => x.k.token_count),
              part.map((x) => x.k.length),
              part.map((x) => (x.k.embedding ? x.k.embedder : null)),
              emb.flat,
              emb.start,
              emb.len,
            ],
          );
        }
        const r = await c.query<{ revision: string }>(
          'update rag_collections set chunk_count = chunk_count - $2 + $3, total_length = greatest(0, total_length - $4 + $5), revision = revision + 1 where id = $1 returning revision::text as revision',
          [collectionId, removed.n, ch.length, removed.total, addedLen],
        );
        const after = r.rows[0]!.revision;
        return { before: String(BigInt(after) - 1n), after };
      });
    },
    /** Every chunk of a collection with the revision it was read at (one snapshot), for an in-memory index. */
    async indexRows(collectionId: string): Promise<{ revision: string; rows: RagIndexRow[] }> {
      const c = await pool.connect();
      try {
        await c.query('begin isolation level repeatable read');
        const rev = await c.query<{ revision: string }>('select revision::text as revision from rag_collections where id = $1', [collectionId]);
        const r = await c.query<RagIndexRow>('select id, document_id, title, text, metadata from rag_chunks where collection_id = $1 order by document_id, position', [collectionId]);
        await c.query('commit');
        return { revision: rev.rows[0]?.revision ?? '0', rows: r.rows };
      } catch (e) {
        await c.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    /**
     * Every embedding of a collection and embedder, for an exact scan in memory where there is no
     * vector index, in pages of 20,000 rows; the arrays' text is parsed here, not by the driver's
     * generic array parser (several times slower).
     */
    async vectorRows(collectionId: string, embedder: string): Promise<{ revision: string; ids: string[]; dims: number; data: Float32Array }> {
      const col = (await hasVector()) ? 'embedding_v::real[]' : 'embedding';
      const raw = (v: string) => v;
      const types = { getTypeParser: (oid: number, format?: string) => (oid === 1021 ? raw : pg.types.getTypeParser(oid, format as 'text')) };
      const c = await pool.connect();
      try {
        await c.query('begin isolation level repeatable read');
        const rev = await c.query<{ revision: string }>('select revision::text as revision from rag_collections where id = $1', [collectionId]);
        const ids: string[] = [];
        const vs: Float32Array[] = [];
        let dims = 0;
        for (let after = ''; ; ) {
          const r = await c.query<{ id: string; e: string }>({
            text: `select id, ${col} as e from rag_chunks where collection_id = $1 and embedder = $2 and ${col} is not null and id > $3 order by id limit 20000`,
            values: [collectionId, embedder, after],
            types,
          } as pg.QueryConfig);
          for (const row of r.rows) {
            const v = parseFloatArray(row.e);
            if (dims === 0) dims = v.length;
            if (v.length !== dims) continue;
            ids.push(row.id);
            vs.push(v);
          }
          if (r.rows.length < 20000) break;
          after = r.rows[r.rows.length - 1]!.id;
        }
        await c.query('commit');
        const data = new Float32Array(ids.length * dims);
        vs.forEach((v, i) => data.set(v, i * dims));
        return { revision: rev.rows[0]?.revision ?? '0', ids, dims, data };
      } catch (e) {
        await c.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    /** Cosine similarity of the query with given chunks (exact; a candidate set's rescoring). */
    async scoreVectors(collectionId: string, embedder: string, v: number[], ids: string[]): Promise<ScoredId[]> {
      if (ids.length === 0) return [];
      // pgvector's cosine operator where it exists (no index needed for a candidate set), else SQL arithmetic.
      const score = (await hasVector()) ? '1 - (embedding_v <=> $2::vector)' : '(select sum(a * b) from unnest(embedding, $2::real[]) as t(a, b))';
      const r = await pool.query<ScoredId>(`select id, (${score})::float8 as score from rag_chunks where collection_id = $1 and embedder = $3 and id = any($4::text[])`, [
        collectionId,
        (await hasVector()) ? vec(v) : arr(v),
        embedder,
        ids,
      ]);
      return r.rows.map((x) => ({ id: x.id, score: Number(x.score) })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    },
    async cachedEmbeddings(projectId: string, embedder: string, hashes: string[]): Promise<Map<string, number[]>> {
      if (hashes.length === 0) return new Map();
      const r = await pool.query<{ content_hash: string; embedding: number[] }>(
        'select content_hash, embedding from rag_embedding_cache where project_id = $1 and embedder = $2 and content_hash = any($3::text[])',
        [projectId, embedder, hashes],
      );
      return new Map(r.rows.map((x) => [x.content_hash, x.embedding.map(Number)]));
    },
    async cacheEmbeddings(projectId: string, embedder: string, rows: Array<{ hash: string; embedding: number[] }>): Promise<void> {
      if (rows.length === 0) return;
      await pool.query(
        `insert into rag_embedding_cache (project_id, embedder, content_hash, embedding)
         select $1, $2, h, e::real[] from unnest($3::text[], $4::text[]) as t(h, e) on conflict do nothing`,
        [projectId, embedder, rows.map((r) => r.hash), rows.map((r) => arr(r.embedding))],
      );
    },
    /** Nearest chunks by cosine similarity: pgvector's HNSW index when present, else exact in SQL. */
    async searchVector(collectionId: string, embedder: string, v: number[], k: number, filters: Record<string, unknown> | undefined, opts: { exact?: boolean } = {}): Promise<ScoredId[]> {
      const filtered = filters && Object.keys(filters).length > 0;
      const f = filtered ? JSON.stringify(filters) : undefined;
      if (!opts.exact && (await hasVector()) && SAFE_ID.test(collectionId)) {
        const d = v.length;
        await ensureHnsw(collectionId, embedder, d);
        return tx(async (c) => {
          // HNSW returns at most ef_search rows; filters are applied after the scan, so widen it.
          await c.query(`set local hnsw.ef_search = ${Math.min(1000, Math.max(40, k * (filtered ? 8 : 2)))}`);
          const r = await c.query<ScoredId>(
            `select id, 1 - (embedding_v::vector(${d}) <=> $1::vector(${d})) as score from rag_chunks
             where ${hnswWhere(collectionId, embedder)} ${filtered ? 'and metadata @> $3::jsonb' : ''}
             order by embedding_v::vector(${d}) <=> $1::vector(${d}) limit $2`,
            [vec(v), k, ...(f ? [f] : [])],
          );
          return r.rows;
        });
      }
      const col = (await hasVector()) ? 'embedding_v::real[]' : 'embedding';
      const r = await pool.query<ScoredId>(
        `select id, score from (
           select id, (select sum(a * b) from unnest(${col}, $2::real[]) as t(a, b)) as score
           from rag_chunks where collection_id = $1 and embedder = $4 and ${col} is not null ${f ? 'and metadata @> $5::jsonb' : ''}) s
         order by score desc, id limit $3`,
        [collectionId, arr(v), k, embedder, ...(f ? [f] : [])],
      );
      return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
    },
    async chunks(collectionId: string, ids: string[]): Promise<Map<string, RagChunk>> {
      if (ids.length === 0) return new Map();
      const r = await pool.query<RagChunk>(`select ${CHUNK} from rag_chunks where collection_id = $1 and id = any($2::text[])`, [collectionId, ids]);
      return new Map(r.rows.map((x) => [x.id, x]));
    },
  };
}

export type RagRepo = ReturnType<typeof ragRepo>;
