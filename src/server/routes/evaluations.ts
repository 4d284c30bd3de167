import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dbText, errorBodySchema, errors, evaluationConfigSchema, evaluationOutSchema, evaluationQuerySchema, idParam, inQueryRange } from '../../core/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };

/** A project path parameter must name the key's own project (by id or slug). */
function ownProject(p: Principal, ref: string): string {
  if (ref !== p.project.id && ref !== p.project.slug) throw errors.notFound(`No project "${ref}" is visible to this API key`);
  return p.project.id;
}

const day = (s: string | undefined, fallback: Date) => {
  if (!s) return fallback;
  const d = new Date(s);
  if (!inQueryRange(d)) throw errors.validation([{ field: 'from/to', message: 'must be an ISO 8601 date or time between 1970 and 9999' }]);
  return d;
};

/** Evaluation config, results, re-runs, costs and queue health. */
export function evaluationRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { evals, store, auth } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:id/evaluation-config',
      { schema: { tags: ['evaluations'], summary: 'The project’s evaluation config (defaults filled in)', security: secured, params: z.object({ id: idParam() }), response: { 200: evaluationConfigSchema, ...errs } } },
      async (req) => evals.settings.get(ownProject(await auth.authenticate(req.headers), req.params.id)),
    );

    app.put(
      '/api/v1/projects/:id/evaluation-config',
      {
        schema: {
          tags: ['evaluations'],
          summary: 'Set which metrics run, the sampling rate, thresholds and custom metrics',
          security: secured,
          params: z.object({ id: idParam() }),
          body: z.unknown().meta({ description: 'EvaluationConfig: enabled, metrics[], sampling_rate, hallucination_threshold, evaluator, thresholds{}, custom_metrics[]' }),
          response: { 200: evaluationConfigSchema, ...errs },
        },
      },
      async (req) => evals.settings.put(ownProject(await auth.authenticate(req.headers), req.params.id), req.body),
    );

    app.get(
      '/api/v1/evaluations',
      {
        schema: {
          tags: ['evaluations'],
          summary: 'Evaluation results of the key’s project, newest first',
          security: secured,
          querystring: evaluationQuerySchema,
          response: { 200: z.object({ data: z.array(evaluationOutSchema), next_cursor: z.string().nullable() }), ...errs },
        },
      },
      async (req) => store.evaluations.list((await auth.authenticate(req.headers)).project.id, req.query),
    );

    app.get(
      '/api/v1/evaluations/costs',
      {
        schema: {
          tags: ['evaluations'],
          summary: 'Evaluation (judge) spend per UTC day',
          security: secured,
          querystring: z.strictObject({ from: dbText({ max: 64 }).optional(), to: dbText({ max: 64 }).optional() }),
          response: {
            200: z.object({ total_usd: z.number(), days: z.array(z.object({ day: z.string(), cost_usd: z.number(), tokens: z.number(), evaluations: z.number() })) }),
            ...errs,
          },
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const to = day(req.query.to, new Date(Date.now() + 86_400_000));
        const from = day(req.query.from, new Date(to.getTime() - 31 * 86_400_000));
        const days = await store.evaluations.costByDay(p.project.id, from, to);
        return { total_usd: days.reduce((s, d) => s + d.cost_usd, 0), days };
      },
    );

    app.post(
      '/api/v1/traces/:id/evaluate',
      {
        schema: {
          tags: ['evaluations'],
          summary: 'Queue the trace for (re-)evaluation',
          security: secured,
          params: z.object({ id: idParam() }),
          body: z.strictObject({ metrics: z.array(dbText({ min: 1, max: 128 })).max(50).optional() }).optional(),
          response: { 202: z.object({ trace_id: z.string(), queued: z.literal(true), metrics: z.array(z.string()) }), ...errs },
        },
      },
      async (req, reply) => {
        const p = await auth.authenticate(req.headers);
        const trace = await store.traces.get(p.project.id, req.params.id, { spans: false });
        if (!trace) throw errors.notFound(`No trace "${req.params.id}" in this project`);
        const config = await evals.settings.get(p.project.id);
        const requested = req.body?.metrics;
        const known = new Set([...evals.registry.keys(), ...config.custom_metrics.map((c) => c.name)]);
        const unknown = (requested ?? []).filter((m) => !known.has(m));
        if (unknown.length) throw errors.validation(unknown.map((m) => ({ field: 'metrics', message: `unknown metric "${m}"` })));
        await evals.queue.enqueue([{ projectId: p.project.id, traceId: trace.id, payload: { force: true, ...(requested ? { metrics: requested } : {}) } }]);
        return reply.status(202).send({ trace_id: trace.id, queued: true as const, metrics: requested ?? evals.evaluator.metricNames(config) });
      },
    );

    app.get(
      '/api/v1/queue',
      {
        schema: {
          tags: ['evaluations'],
          summary: 'This project’s evaluation queue depth and lag, and its dead-lettered jobs',
          security: secured,
          response: {
            200: z.object({
              kind: z.string(),
              pending: z.number(),
              running: z.number(),
              dead: z.number(),
              lag_ms: z.number().nullable(),
              dead_letters: z.array(z.object({ id: z.string(), trace_id: z.string(), attempts: z.number(), error: z.string(), failed_at: z.string() })),
            }),
            ...errs,
          },
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const [s, dead] = await Promise.all([evals.queue.stats(p.project.id), evals.queue.deadLetters(p.project.id, 50)]);
        return {
          kind: evals.queue.kind,
          pending: s.pending,
          running: s.running,
          dead: s.dead,
          lag_ms: s.oldestPendingMs,
          dead_letters: dead.map((d) => ({ id: d.id, trace_id: d.traceId, attempts: d.attempts, error: d.error, failed_at: d.failedAt.toISOString() })),
        };
      },
    );
  };
}
