// Langfuse API compatibility (docs/langfuse.md): the /api/public routes the Langfuse SDKs call,
// authenticated only by Langfuse-style key pairs, plus /api/v1/langfuse/keys to issue those pairs.
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AetherError, errors } from '../../core/errors.js';
import { dbText } from '../../core/schemas/safe.js';
import { parseOrThrow } from '../../core/validate.js';
import { applyLangfuseAttributes, createLangfuseIngest } from '../../ingest/index.js';
import { langfuseRepo } from '../../storage/index.js';
import type { RouteDeps } from '../deps.js';
import { toAetherError } from '../errors.js';
import { createLangfuseAuth } from '../langfuse-auth.js';
import { otlpRoutes } from './otlp.js';
import { langfusePromptRoutes } from './langfuse-prompts.js';
import { observationView, pageMeta, traceView } from './langfuse-views.js';

/** Langfuse documents 3.5 MB per ingestion request. */
export const LANGFUSE_MAX_BATCH_BYTES = 3.5 * 1024 * 1024;

const basic = [{ langfuseBasic: [] }];
const paging = { page: z.coerce.number().int().min(1).max(1_000_000).default(1), limit: z.coerce.number().int().min(1).max(100).default(50) };
const date = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'is not an ISO 8601 date-time').transform((s) => new Date(s)).optional();
const tracesQuery = z.looseObject({
  ...paging,
  userId: z.string().max(256).optional(),
  sessionId: z.string().max(256).optional(),
  name: z.string().max(512).optional(),
  tags: z.union([z.string().max(200), z.array(z.string().max(200)).max(50)]).optional(),
  fromTimestamp: date,
  toTimestamp: date,
});
const KINDS: Record<string, string[]> = {
  GENERATION: ['llm'],
  SPAN: ['other', 'chain', 'agent', 'tool', 'retrieval', 'embedding', 'reranker', 'guardrail', 'evaluator'],
  EVENT: ['other'],
  EMBEDDING: ['embedding'],
  RETRIEVER: ['retrieval'],
  TOOL: ['tool'],
  AGENT: ['agent'],
  CHAIN: ['chain'],
  EVALUATOR: ['evaluator'],
  GUARDRAIL: ['guardrail'],
};
const observationsQuery = z.looseObject({
  ...paging,
  traceId: z.string().max(128).optional(),
  name: z.string().max(512).optional(),
  type: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(Object.keys(KINDS) as [string, ...string[]])).optional(),
  fromStartTime: date,
  toStartTime: date,
});
const scoreBody = z.looseObject({
  id: z.string().min(1).max(256).optional(),
  traceId: z.string().min(1).max(128).optional(),
  name: z.string().min(1).max(128),
  value: z.union([z.number().finite(), z.string().max(256), z.boolean()]),
});

/** The Langfuse-compatible public API and the key-pair admin routes. */
export function langfuseRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const repo = langfuseRepo(deps.store.pool);
    const auth = createLangfuseAuth(repo, deps.store, { logger: app.log });
    const samplingRate = async (projectId: string) => {
      const c = await deps.evals.settings.get(projectId);
      return c.enabled ? c.sampling_rate : 0;
    };
    const service = createLangfuseIngest({
      ingest: deps.ingest,
      repo,
      traces: deps.store.traces,
      evaluations: deps.store.evaluations,
      samplingRate,
      log: (projectId, body) => app.log.info({ projectId, sdkLog: body }, 'langfuse sdk-log'),
    });

    // Keys are issued with an ordinary Aether project key (or a dashboard session).
    app.post('/api/v1/langfuse/keys', { schema: { tags: ['langfuse'], summary: 'Create a Langfuse-style key pair (pk-lf / sk-lf) for the project; the secret is shown once', body: z.strictObject({ name: dbText({ min: 1, max: 128 }).optional() }).optional() } }, async (req, reply) => {
      const p = await deps.auth.authenticate(req.headers);
      const { publicKey, secretKey, record } = await repo.createKey({ projectId: p.project.id, name: req.body?.name });
      return reply.status(201).send({ id: record.id, name: record.name, public_key: publicKey, secret_key: secretKey, project_id: p.project.id, created_at: record.createdAt.toISOString() });
    });
    app.get('/api/v1/langfuse/keys', { schema: { tags: ['langfuse'], summary: "The project's Langfuse key pairs (public keys only)" } }, async (req) => {
      const p = await deps.auth.authenticate(req.headers);
      const keys = await repo.listKeys(p.project.id);
      return { data: keys.map((k) => ({ id: k.id, name: k.name, public_key: k.publicKey, created_at: k.createdAt.toISOString(), last_used_at: k.lastUsedAt?.toISOString() ?? null, revoked_at: k.revokedAt?.toISOString() ?? null })) };
    });
    app.post('/api/v1/langfuse/keys/:id/revoke', { schema: { tags: ['langfuse'], summary: 'Revoke a Langfuse key pair', params: z.object({ id: dbText({ min: 1, max: 64 }) }) } }, async (req) => {
      const p = await deps.auth.authenticate(req.headers);
      const k = await repo.revokeKey(p.project.id, req.params.id);
      if (!k) throw errors.notFound(`No Langfuse key pair "${req.params.id}" in this project`);
      return { id: k.id, public_key: k.publicKey, revoked_at: k.revokedAt?.toISOString() ?? null };
    });

    await app.register(async (plain) => {
      const pub = plain.withTypeProvider<ZodTypeProvider>();
      // Langfuse's error body: {message, error}; the SDKs log `message`.
      pub.setErrorHandler((err, req, reply) => {
        let ae = toAetherError(err, req);
        if (ae.status === 413) ae = new AetherError(413, 'PayloadTooLarge', `Request body exceeds the ${LANGFUSE_MAX_BATCH_BYTES / 1024 / 1024} MB Langfuse allows per ingestion request; send fewer or smaller events per batch`);
        if (ae.status >= 500) req.log.error({ err }, 'request failed');
        const details = ae.toJSON().error.details;
        return reply.status(ae.status).send({ message: ae.message, error: ae.code, ...(details ? { details } : {}) });
      });

      pub.get('/api/public/health', { schema: { tags: ['langfuse'], summary: 'Langfuse-compatible health check' } }, async () => ({ status: 'OK', version: deps.version }));

      pub.post(
        '/api/public/ingestion',
        { bodyLimit: LANGFUSE_MAX_BATCH_BYTES, schema: { tags: ['langfuse'], summary: 'Langfuse batch ingestion: 207 with one result per event', security: basic } },
        async (req, reply) => {
          const p = await auth.authenticate(req.headers);
          if (req.body === undefined) throw errors.badRequest('Body is empty: send {"batch": [...]}', 'invalid_json');
          const out = await service.ingest(p.project, req.body);
          if (out.jobs) deps.evals.queue.nudge();
          return reply.status(207).send({ successes: out.successes, errors: out.errors });
        },
      );

      pub.get('/api/public/traces', { schema: { tags: ['langfuse'], summary: 'Traces, newest first, in pages', security: basic } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        const q = parseOrThrow(tracesQuery, req.query);
        const tags = q.tags === undefined ? undefined : Array.isArray(q.tags) ? q.tags : [q.tags];
        const page = await repo.pageTraceIds(p.project.id, { userId: q.userId, sessionId: q.sessionId, name: q.name, tags, from: q.fromTimestamp, to: q.toTimestamp }, q.limit, (q.page - 1) * q.limit);
        const data = [];
        for (const id of page.ids) {
          const t = await deps.store.traces.get(p.project.id, id);
          if (t) data.push(traceView(t, t.spans, await deps.store.evaluations.forTrace(p.project.id, id), false));
        }
        return { data, meta: pageMeta(q.page, q.limit, page.total) };
      });

      pub.get('/api/public/traces/:id', { schema: { tags: ['langfuse'], summary: 'One trace with its observations and scores', security: basic, params: z.object({ id: z.string().min(1).max(128) }) } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        const t = await deps.store.traces.get(p.project.id, req.params.id);
        if (!t) throw errors.notFound(`Trace ${req.params.id} not found within authorized project`);
        return traceView(t, t.spans, await deps.store.evaluations.forTrace(p.project.id, t.id), true);
      });

      pub.get('/api/public/observations', { schema: { tags: ['langfuse'], summary: 'Observations, newest first, in pages', security: basic } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        const q = parseOrThrow(observationsQuery, req.query);
        const r = await repo.pageSpans(p.project.id, { traceId: q.traceId, name: q.name, kinds: q.type ? KINDS[q.type] : undefined, from: q.fromStartTime, to: q.toStartTime }, q.limit, (q.page - 1) * q.limit);
        return { data: r.spans.map(observationView), meta: pageMeta(q.page, q.limit, r.total) };
      });

      pub.get('/api/public/observations/:id', { schema: { tags: ['langfuse'], summary: 'One observation', security: basic, params: z.object({ id: z.string().min(1).max(128) }) } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        const r = await repo.pageSpans(p.project.id, { id: req.params.id }, 1, 0);
        const s = r.spans[0];
        if (!s) throw errors.notFound(`Observation ${req.params.id} not found within authorized project`);
        return observationView(s);
      });

      pub.post('/api/public/scores', { schema: { tags: ['langfuse'], summary: 'Create a score (stored as an evaluation of its trace)', security: basic } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        const body = parseOrThrow(scoreBody, req.body);
        if (!body.traceId) throw errors.badRequest('traceId is required: this server attaches scores to traces (session and dataset-run scores are not supported)', 'unsupported');
        const id = body.id ?? crypto.randomUUID();
        const out = await service.ingest(p.project, { batch: [{ id: crypto.randomUUID(), type: 'score-create', timestamp: new Date().toISOString(), body: { ...body, id } }] });
        const failed = out.errors[0];
        if (failed) throw new AetherError(failed.status, typeof failed.error === 'string' ? failed.error : 'invalid_score', failed.message);
        return { id };
      });

      langfusePromptRoutes(pub, deps.prompts, (h) => auth.authenticate(h));

      await pub.register(
        otlpRoutes(deps, {
          path: '/api/public/otel/v1/traces',
          authenticate: (h) => auth.authenticate(h),
          transform: applyLangfuseAttributes,
          summary: 'OTLP/HTTP trace export with Langfuse keys (langfuse.* attributes understood)',
          security: basic,
        }),
      );
    });
  };
}
