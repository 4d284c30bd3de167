import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  batchResultSchema,
  errorBodySchema,
  errors,
  evaluationOutSchema,
  idParam,
  ingestResultSchema,
  traceInputSchema,
  tracePageSchema,
  traceOutSchema,
  traceQuerySchema,
} from '../../core/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errorResponses = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 413: errorBodySchema };

/** Trace ingestion and query. Bodies are validated in the handlers so batch items fail one by one. */
export function traceRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/traces',
      {
        schema: {
          tags: ['traces'],
          summary: 'Ingest one trace',
          description: 'Committed before the answer. Sending an id already stored answers 200 with duplicate=true and stores nothing.',
          security: secured,
          body: z.unknown().meta({ $ref: '#/components/schemas/TraceInput' }),
          response: { 201: ingestResultSchema, 200: ingestResultSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const principal = await deps.auth.authenticate(req.headers);
        const r = await deps.ingest.ingestOne(principal.project, req.body);
        return r.duplicate ? reply.status(200).send(r) : reply.status(201).send({ id: r.id });
      },
    );

    app.post(
      '/api/v1/traces/batch',
      {
        bodyLimit: deps.config.maxBatchBodyBytes,
        schema: {
          tags: ['traces'],
          summary: 'Ingest up to 1,000 traces',
          description: 'Each item is accepted or rejected on its own; the answer is 207 with a result per item.',
          security: secured,
          body: z.object({ traces: z.array(z.unknown().meta({ $ref: '#/components/schemas/TraceInput' })) }),
          response: { 207: batchResultSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const principal = await deps.auth.authenticate(req.headers);
        return reply.status(207).send(await deps.ingest.ingestBatch(principal.project, req.body));
      },
    );

    app.get(
      '/api/v1/traces',
      {
        schema: {
          tags: ['traces'],
          summary: 'List traces of the key’s project',
          security: secured,
          querystring: traceQuerySchema,
          response: { 200: tracePageSchema, ...errorResponses },
        },
      },
      async (req) => {
        const principal = await deps.auth.authenticate(req.headers);
        return deps.store.traces.list(principal.project.id, req.query);
      },
    );

    app.get(
      '/api/v1/traces/:id',
      {
        schema: {
          tags: ['traces'],
          summary: 'One trace with its spans',
          security: secured,
          params: z.object({ id: idParam() }),
          response: {
            200: traceOutSchema.extend({ evaluations: z.array(evaluationOutSchema), evaluation_cost_usd: z.number() }),
            404: errorBodySchema,
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const principal = await deps.auth.authenticate(req.headers);
        const trace = await deps.store.traces.get(principal.project.id, req.params.id);
        if (!trace) throw errors.notFound(`No trace "${req.params.id}" in this project`);
        const evaluations = await deps.store.evaluations.forTrace(principal.project.id, trace.id);
        const cost = evaluations.reduce((s, e) => s + e.cost_usd, 0);
        return { ...trace, evaluations, evaluation_cost_usd: Math.round(cost * 1e10) / 1e10 };
      },
    );
  };
}

export const traceInputJsonSchema = z.toJSONSchema(traceInputSchema, { io: 'input', unrepresentable: 'any' });
