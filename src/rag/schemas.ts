// API bodies and collection settings of the retrieval toolkit (OpenAPI is generated from these).
import { z } from 'zod';
import { dbText, jsonObject } from '../core/index.js';

export const SEARCH_MODES = ['bm25', 'vector', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** Per-collection settings; every field has a default. */
export const collectionSettingsSchema = z.strictObject({
  embedding_model: dbText({ min: 1, max: 256 }).optional().describe('a model the gateway serves at /v1/embeddings; without one, the local embedder alone'),
  chunking: z
    .strictObject({ max_tokens: z.number().int().min(16).max(8192).default(512), overlap: z.number().int().min(0).max(4096).default(64) })
    .default({ max_tokens: 512, overlap: 64 }),
  bm25: z
    .strictObject({ k1: z.number().min(0).max(10).default(0.9), b: z.number().min(0).max(1).default(0.4), title_boost: z.number().min(0).max(20).default(2) })
    .default({ k1: 0.9, b: 0.4, title_boost: 2 }),
  hybrid: z
    .strictObject({
      method: z.enum(['rrf', 'convex']).default('convex').describe('convex: weighted sum of min-max normalised scores; rrf: reciprocal-rank fusion'),
      vector_weight: z.number().min(0).max(1).default(0.1).describe('weight of the vector list; BM25 gets 1 - vector_weight (0.1: best on SciFact train with the local embedder; raise it for a semantic model)'),
      rrf_k: z.number().min(1).max(1000).default(60),
      vector_candidates: z
        .enum(['bm25', 'index'])
        .default('bm25')
        .describe('bm25: the vector list re-scores the BM25 candidates exactly; index: a full vector search (HNSW or exact scan) fused with BM25'),
      candidates: z.number().int().min(10).max(2000).default(200).describe('BM25 candidates re-scored by the vector side (vector_candidates bm25)'),
    })
    .default({ method: 'convex', vector_weight: 0.1, rrf_k: 60, vector_candidates: 'bm25', candidates: 200 }),
  rerank: z
    .strictObject({
      model: dbText({ min: 1, max: 256 }).optional().describe('a chat model the gateway serves, asked to score the candidates'),
      candidates: z.number().int().min(1).max(100).default(20).describe('how many of the top results the model re-scores'),
    })
    .default({ candidates: 20 }),
});
export type CollectionSettings = z.output<typeof collectionSettingsSchema>;

export const collectionInputSchema = z.strictObject({
  name: dbText({ min: 1, max: 200 }),
  settings: collectionSettingsSchema.optional(),
});

export const RAG_LIMITS = { documents: 1000, textLength: 2_000_000 } as const;

export const documentInputSchema = z.strictObject({
  id: dbText({ min: 1, max: 256 }).optional().describe('default: a hash of the content'),
  text: dbText({ max: RAG_LIMITS.textLength }),
  title: dbText({ max: 2000 }).optional(),
  source: dbText({ max: 2048 }).optional().describe('a path or URL cited with the chunks'),
  metadata: jsonObject().optional(),
});
export type DocumentInput = z.output<typeof documentInputSchema>;

export const documentsInputSchema = z.strictObject({
  documents: z.array(documentInputSchema).min(1).max(RAG_LIMITS.documents),
});

export const searchInputSchema = z.strictObject({
  query: dbText({ min: 1, max: 10_000 }),
  k: z.number().int().min(1).max(200).default(5),
  mode: z.enum(SEARCH_MODES).default('hybrid'),
  filters: jsonObject().optional().describe('chunks whose document metadata contains this object (jsonb @>)'),
  max_tokens: z.number().int().min(1).max(1_000_000).optional().describe('token budget over the returned contexts'),
  rerank: z
    .union([
      z.boolean(),
      z.strictObject({ model: dbText({ min: 1, max: 256 }).optional(), candidates: z.number().int().min(1).max(100).optional() }),
    ])
    .optional()
    .describe('re-score the top candidates with an LLM through the gateway (off by default): true, or {model, candidates}'),
  trace: z.boolean().default(true).describe('record the search as a trace with a retrieval span'),
});
export type SearchInput = z.input<typeof searchInputSchema>;
