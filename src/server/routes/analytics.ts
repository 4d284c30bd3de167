import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BUDGET_ACTIONS, BUDGET_PERIODS, BUDGET_SCOPES, boundedNumber, dbText, errorBodySchema, errors, idParam, VALUE_LIMITS } from '../../core/index.js';
import type { Budget } from '../../storage/index.js';
import { checkedBudget } from './budget-input.js';
import { resolveRange, WINDOWS } from '../../analytics/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
// Bodies are documented in docs/analytics.md; the OpenAPI shows them as objects.
const body = z.record(z.string(), z.unknown());
const errs = { 200: body, 201: body, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };
const range = {
  window: z.enum(Object.keys(WINDOWS) as [string, ...string[]]).optional().describe('default 24h; ignored when from is given'),
  from: dbText({ max: 64 }).optional(),
  to: dbText({ max: 64 }).optional(),
};
const MAX_POINTS = 2000;

/** Metrics (summary, time series, breakdowns), budgets, forecasts and recommendations. */
export function analyticsRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { analytics, costs, auth, store } = deps;
  const projectOf = async (h: Record<string, string | string[] | undefined>) => (await auth.authenticate(h)).project.id;
  return async (app) => {
    app.get(
      '/api/v1/metrics/summary',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Traces, throughput, error rate, latency percentiles, tokens, LLM and evaluation cost, hallucination rate, mean faithfulness',
          description: `Read from rollups kept at ingest. Latency percentiles come from a log histogram: relative error at most ${(4.88).toFixed(1)}%.`,
          security: secured,
          querystring: z.strictObject(range),
          response: { ...errs },
        },
      },
      async (req) => {
        const { from, to } = resolveRange(req.query);
        return analytics.summary(await projectOf(req.headers), from, to);
      },
    );

    app.get(
      '/api/v1/metrics/timeseries',
      { schema: { tags: ['metrics'], summary: 'Per-bucket volume, errors, tokens, cost, latency p50/p95 and hallucination rate', security: secured, querystring: z.strictObject({ ...range, bucket: z.enum(['minute', 'hour', 'day']).default('hour') }), response: { ...errs } } },
      async (req) => {
        const { from, to } = resolveRange(req.query);
        const size = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[req.query.bucket];
        if ((to.getTime() - from.getTime()) / size > MAX_POINTS) throw errors.validation([{ field: 'bucket', message: `gives more than ${MAX_POINTS} points for this range; use a larger bucket` }]);
        return analytics.timeseries(await projectOf(req.headers), from, to, req.query.bucket);
      },
    );

    app.get(
      '/api/v1/metrics/breakdown',
      { schema: { tags: ['metrics'], summary: 'Requests, tokens, cost, latency percentiles and error rate per model, user, tag or provider', security: secured, querystring: z.strictObject({ ...range, by: z.enum(['model', 'user', 'tag', 'provider']), limit: z.coerce.number().int().min(1).max(500).default(50) }), response: { ...errs } } },
      async (req) => {
        const { from, to } = resolveRange(req.query);
        return analytics.breakdown(await projectOf(req.headers), from, to, req.query.by, req.query.limit);
      },
    );

    const budgetFields = {
      name: dbText({ min: 1, max: 200 }),
      scope: z.enum(BUDGET_SCOPES),
      scope_value: dbText({ min: 1, max: 256 }).nullable().optional().describe('the model (as traces record it, e.g. gpt-4o) or user id, for those scopes'),
      period: z.enum(BUDGET_PERIODS),
      amount_usd: boundedNumber(VALUE_LIMITS.usd).positive(),
      action: z.enum(BUDGET_ACTIONS).describe('once spent: block (402 at the gateway), downgrade (to downgrade_model) or alert only'),
      downgrade_model: dbText({ min: 1, max: 256 }).nullable().optional().describe('the cheaper model the gateway serves once a downgrade budget is spent; required for action downgrade'),
    };
    const budgetBody = z.strictObject({ ...budgetFields, scope: budgetFields.scope.default('project'), action: budgetFields.action.default('alert') });
    const budgetPatch = z.strictObject(budgetFields).partial();
    const out = (b: Budget) => ({ ...b, created_at: b.created_at.toISOString() });
    app.post('/api/v1/budgets', { schema: { tags: ['costs'], summary: 'Create a budget (periods are UTC days, ISO weeks, calendar months; action block, downgrade or alert)', security: secured, body: budgetBody, response: { ...errs } } }, async (req, reply) => {
      const projectId = await projectOf(req.headers);
      const created = await store.budgets.create({ project_id: projectId, ...checkedBudget(req.body, {}) });
      return reply.status(201).send(out(created));
    });
    app.get('/api/v1/budgets', { schema: { tags: ['costs'], summary: 'Budgets of the project with their status', security: secured, response: { ...errs } } }, async (req) => {
      const projectId = await projectOf(req.headers);
      return { data: await Promise.all((await store.budgets.list(projectId)).map((b) => costs.budgetStatus(b))) };
    });
    const budgetOr404 = async (projectId: string, id: string) => {
      const b = await store.budgets.get(projectId, id);
      if (!b) throw errors.notFound(`No budget "${id}" in this project`);
      return b;
    };
    app.get('/api/v1/budgets/:id/status', { schema: { tags: ['costs'], summary: 'Spent, remaining, % used and projected spend at period end', security: secured, params: z.object({ id: idParam() }), response: { ...errs } } }, async (req) =>
      costs.budgetStatus(await budgetOr404(await projectOf(req.headers), req.params.id)),
    );
    app.patch('/api/v1/budgets/:id', { schema: { tags: ['costs'], summary: 'Change a budget (the fields given; the result is validated as on create)', security: secured, params: z.object({ id: idParam() }), body: budgetPatch, response: { ...errs } } }, async (req) => {
      const projectId = await projectOf(req.headers);
      const old = await budgetOr404(projectId, req.params.id);
      const updated = await store.budgets.update(projectId, old.id, checkedBudget(req.body, old));
      if (!updated) throw errors.notFound(`No budget "${req.params.id}" in this project`);
      return out(updated);
    });
    app.delete('/api/v1/budgets/:id', { schema: { tags: ['costs'], summary: 'Delete a budget', security: secured, params: z.object({ id: idParam() }), response: { ...errs } } }, async (req, reply) => {
      const projectId = await projectOf(req.headers);
      await budgetOr404(projectId, req.params.id);
      await store.budgets.remove(projectId, req.params.id);
      return reply.status(204).send();
    });

    app.get(
      '/api/v1/costs/forecast',
      { schema: { tags: ['costs'], summary: 'Daily spend forecast with a 95% interval (trend + weekly seasonality)', security: secured, querystring: z.strictObject({ days: z.coerce.number().int().refine((d) => d === 7 || d === 30, 'must be 7 or 30').default(7) }), response: { ...errs } } },
      async (req) => ({ ...(await costs.forecast(await projectOf(req.headers), req.query.days)) }),
    );
    app.get('/api/v1/costs/recommendations', { schema: { tags: ['costs'], summary: 'Savings drawn from the last 7 days of data', security: secured, response: { ...errs } } }, async (req) =>
      costs.recommendations(await projectOf(req.headers)),
    );
  };
}
