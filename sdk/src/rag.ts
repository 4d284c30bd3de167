// Retrieval collections over the REST API: create, list, add documents, search. Unlike trace
// recording these are request/response calls: a failure rejects with an AetherError.
import { AetherError, type ContextBody } from './types.js';

/** The fetch subset these calls use (GET has no body). */
export type RagFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface RagClientOptions {
  apiKey: string;
  /** Server root; default `http://127.0.0.1:8000`. */
  baseUrl?: string;
  fetch?: RagFetch;
}

export interface RagCollection {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  document_count: number;
  chunk_count: number;
  created_at: string;
}

export interface RagDocument {
  id?: string;
  text: string;
  title?: string;
  source?: string;
  metadata?: Record<string, unknown>;
}

export interface RagSearchOptions {
  k?: number;
  mode?: 'bm25' | 'vector' | 'hybrid';
  /** Chunks whose document metadata contains this object. */
  filters?: Record<string, unknown>;
  /** Token budget over the returned contexts. */
  maxTokens?: number;
  /** Record the search as a trace (default true). */
  trace?: boolean;
  /** Re-score the top results with an LLM through the gateway (off by default). */
  rerank?: boolean | { model?: string; candidates?: number };
}

export interface RagSearchResult {
  trace_id: string | null;
  mode: string;
  embedder: string | null;
  /** The model that re-ranked the results (search with `rerank`), or null. */
  reranked: string | null;
  took_ms: number;
  /** In the trace `contexts` shape: pass them straight to a trace. */
  contexts: ContextBody[];
}

/** Client of `/api/v1/rag/*`. */
export class RagClient {
  private readonly base: string;
  private readonly doFetch: RagFetch;

  constructor(private readonly options: RagClientOptions) {
    this.base = (options.baseUrl ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
    const f = options.fetch ?? (globalThis as { fetch?: RagFetch }).fetch;
    if (!f) throw new AetherError('no fetch implementation: pass options.fetch', 0);
    this.doFetch = f;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-api-key': this.options.apiKey, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.doFetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (res.status >= 400) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new AetherError(`${method} ${path}: ${res.status} ${message}`, 0, res.status, res.status >= 500 || res.status === 429);
    }
    return JSON.parse(text) as T;
  }

  /** Create a collection, or get the one of that name. */
  createCollection(name: string, settings?: Record<string, unknown>): Promise<RagCollection> {
    return this.call('POST', '/api/v1/rag/collections', settings ? { name, settings } : { name });
  }

  async listCollections(): Promise<RagCollection[]> {
    return (await this.call<{ data: RagCollection[] }>('GET', '/api/v1/rag/collections')).data;
  }

  /** Add or replace documents; unchanged content is skipped. `collection` is an id or a name. */
  addDocuments(collection: string, documents: RagDocument[]): Promise<{ documents: Array<{ id: string; status: string; chunks: number }>; chunks: number }> {
    return this.call('POST', `/api/v1/rag/collections/${encodeURIComponent(collection)}/documents`, { documents });
  }

  /** Search a collection; the contexts drop straight into a trace. */
  search(collection: string, query: string, o: RagSearchOptions = {}): Promise<RagSearchResult> {
    const body: Record<string, unknown> = { query };
    if (o.k !== undefined) body.k = o.k;
    if (o.mode) body.mode = o.mode;
    if (o.filters) body.filters = o.filters;
    if (o.maxTokens !== undefined) body.max_tokens = o.maxTokens;
    if (o.trace !== undefined) body.trace = o.trace;
    if (o.rerank !== undefined) body.rerank = o.rerank;
    return this.call('POST', `/api/v1/rag/collections/${encodeURIComponent(collection)}/search`, body);
  }
}
