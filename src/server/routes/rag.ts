import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientObject, errorBodySchema, errors, idParam } from '../../core/index.js';
import { collectionInputSchema, documentsInputSchema, searchInputSchema } from '../../rag/index.js';
import type { RagCollection } from '../../storage/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['rag'];
const idParams = z.object({ id: idParam() });

const collectionOut = z.object({
  id: z.string(),
  name: z.string(),
  settings: clientObject(),
  document_count: z.number(),
  chunk_count: z.number(),
  created_at: z.string(),
});
const out = (c: RagCollection) => ({ id: c.id, name: c.name, settings: c.settings, document_count: Number(c.document_count), chunk_count: Number(c.chunk_count), created_at: c.created_at.toISOString() });
const contextOut = z.object({ text: z.string(), source: z.string().optional(), score: z.number().optional(), metadata: clientObject().optional() });

/** Retrieval collections: create, list, add documents, search (each search traced as a retrieval span). */
export function ragRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { auth, rag } = deps;
  const principal = async (headers: Record<string, string | string[] | undefined>, write: boolean) => {
    const p = await auth.authenticate(headers);
    if (write && p.user?.role === 'viewer') throw errors.forbidden('Only owner or member users can change collections');
    return p.project;
  };
  return async (app) => {
    app.post(
      '/api/v1/rag/collections',
      { schema: { tags, summary: 'Create a collection (or get the one of that name)', security: secured, body: collectionInputSchema, response: { 200: collectionOut, 201: collectionOut, ...errs } } },
      async (req, reply) => {
        const { collection, created } = await rag.createCollection(await principal(req.headers, true), req.body.name, req.body.settings);
        return reply.status(created ? 201 : 200).send(out(collection));
      },
    );
    app.get(
      '/api/v1/rag/collections',
      { schema: { tags, summary: "The project's collections", security: secured, response: { 200: z.object({ data: z.array(collectionOut) }), ...errs } } },
      async (req) => ({ data: (await rag.listCollections(await principal(req.headers, false))).map(out) }),
    );
    app.get(
      '/api/v1/rag/collections/:id',
      { schema: { tags, summary: 'One collection, by id or name', security: secured, params: idParams, response: { 200: collectionOut, ...errs } } },
      async (req) => out(await rag.getCollection(await principal(req.headers, false), req.params.id)),
    );
    app.get(
      '/api/v1/rag/collections/:id/documents',
      {
        schema: {
          tags,
          summary: 'Documents of a collection, newest first',
          security: secured,
          params: idParams,
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
          response: { 200: z.object({ data: z.array(z.object({ id: z.string(), title: z.string().nullable(), source: z.string().nullable(), metadata: clientObject(), chunk_count: z.number(), updated_at: z.string() })) }), ...errs },
        },
      },
      async (req) => {
        const rows = await rag.listDocuments(await principal(req.headers, false), req.params.id, req.query.limit, req.query.offset);
        return { data: rows.map((d) => ({ id: d.id, title: d.title, source: d.source, metadata: d.metadata, chunk_count: d.chunk_count, updated_at: d.updated_at.toISOString() })) };
      },
    );
    app.post(
      '/api/v1/rag/collections/:id/documents',
      {
        bodyLimit: deps.config.maxBatchBodyBytes,
        schema: {
          tags,
          summary: 'Add or replace documents (chunked, indexed for BM25, embedded); unchanged content is skipped',
          security: secured,
          params: idParams,
          body: documentsInputSchema,
          response: {
            200: z.object({ documents: z.array(z.object({ id: z.string(), status: z.enum(['created', 'updated', 'unchanged']), chunks: z.number() })), chunks: z.number(), embedders: z.record(z.string(), z.number()) }),
            ...errs,
          },
        },
      },
      async (req) => rag.addDocuments(await principal(req.headers, true), req.params.id, req.body.documents),
    );
    app.post(
      '/api/v1/rag/collections/:id/search',
      {
        schema: {
          tags,
          summary: 'Search a collection (bm25, vector or hybrid); results in the trace contexts shape, the search traced as a retrieval span',
          security: secured,
          params: idParams,
          body: searchInputSchema,
          response: { 200: z.object({ trace_id: z.string().nullable(), mode: z.string(), embedder: z.string().nullable(), reranked: z.string().nullable().describe('the model that re-ranked the results'), took_ms: z.number(), contexts: z.array(contextOut) }), ...errs },
        },
      },
      async (req) => rag.search(await principal(req.headers, false), req.params.id, req.body),
    );
    app.delete(
      '/api/v1/rag/collections/:id',
      { schema: { tags, summary: 'Delete a collection with its documents', security: secured, params: idParams, response: { 204: z.null(), ...errs } } },
      async (req, reply) => {
        const p = await principal(req.headers, true);
        const c = await rag.getCollection(p, req.params.id);
        await deps.store.rag.removeCollection(p.id, c.id);
        return reply.status(204).send(null);
      },
    );
  };
}
