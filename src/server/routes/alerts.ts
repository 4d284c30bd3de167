import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertConfigViewSchema, alertOutSchema, alertQuerySchema, errorBodySchema, errors, idParam } from '../../core/index.js';
import { channels } from '../../alerts/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };

function ownProject(p: Principal, ref: string): string {
  if (ref !== p.project.id && ref !== p.project.slug) throw errors.notFound(`No project "${ref}" is visible to this API key`);
  return p.project.id;
}

const deliverySchema = z.object({
  id: z.string(),
  channel: z.string(),
  event: z.string(),
  status: z.string(),
  attempts: z.number(),
  last_error: z.string().nullable(),
  delivered_at: z.string().nullable(),
  attempt_log: z.array(z.record(z.string(), z.unknown())),
});

/** Alert configuration, history and resolution. */
export function alertRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { alerts, store, auth } = deps;
  return async (app) => {
    app.get(
      '/api/v1/alert-config/:project_id',
      { schema: { tags: ['alerts'], summary: 'The project’s alert config (defaults filled in, secrets masked)', security: secured, params: z.object({ project_id: idParam() }), response: { 200: alertConfigViewSchema, ...errs } } },
      async (req) => alerts.settings.view(ownProject(await auth.authenticate(req.headers), req.params.project_id)),
    );

    app.put(
      '/api/v1/alert-config/:project_id',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Set alert rules and channels',
          description: 'Fields of the seed (slack_webhook_url, slack_enabled, hallucination_threshold, hallucination_alerts_enabled, daily_cost_budget_usd, cost_spike_alerts_enabled, latency_p95_threshold_ms, latency_alerts_enabled) plus error rate, windows, minimum samples, cooldown, severity and a signed webhook. Omitted fields take their defaults.',
          security: secured,
          params: z.object({ project_id: idParam() }),
          body: z.unknown().meta({ description: 'AlertConfig' }),
          response: { 200: alertConfigViewSchema, ...errs },
        },
      },
      async (req) => {
        const projectId = ownProject(await auth.authenticate(req.headers), req.params.project_id);
        const saved = await alerts.settings.put(projectId, req.body);
        void alerts.engine.evaluate(projectId, { kind: 'schedule' }).catch(() => undefined);
        return saved;
      },
    );

    app.post(
      '/api/v1/alert-config/:project_id/test',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Send a test message to every enabled channel',
          security: secured,
          params: z.object({ project_id: idParam() }),
          response: { 200: z.object({ results: z.array(z.object({ channel: z.string(), ok: z.boolean(), error: z.string().optional() })) }), ...errs },
        },
      },
      async (req) => {
        const projectId = ownProject(await auth.authenticate(req.headers), req.params.project_id);
        if (!(await alerts.settings.get(projectId))) throw errors.badRequest('This project has no alert config yet: PUT /api/v1/alert-config/{project_id} first', 'no_alert_config');
        return { results: await alerts.deliverer.test(projectId) };
      },
    );

    app.get(
      '/api/v1/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Alert history, newest first',
          security: secured,
          querystring: alertQuerySchema,
          response: { 200: z.object({ data: z.array(alertOutSchema), next_cursor: z.string().nullable() }), ...errs },
        },
      },
      async (req) => store.alerts.list((await auth.authenticate(req.headers)).project.id, req.query),
    );

    app.get(
      '/api/v1/alerts/:id',
      {
        schema: {
          tags: ['alerts'],
          summary: 'One alert with its notifications and every delivery attempt',
          security: secured,
          params: z.object({ id: idParam() }),
          response: { 200: alertOutSchema.extend({ deliveries: z.array(deliverySchema) }), ...errs },
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const alert = await store.alerts.get(p.project.id, req.params.id);
        if (!alert) throw errors.notFound(`No alert "${req.params.id}" in this project`);
        const deliveries = (await store.alerts.deliveries(alert.id)).map((d) => ({
          id: d.id,
          channel: d.channel,
          event: d.event,
          status: d.status,
          attempts: d.attempts,
          last_error: d.lastError,
          delivered_at: d.deliveredAt?.toISOString() ?? null,
          attempt_log: d.attemptLog,
        }));
        return { ...alert, deliveries };
      },
    );

    app.post(
      '/api/v1/alerts/:id/resolve',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Resolve an open alert by hand',
          security: secured,
          params: z.object({ id: idParam() }),
          response: { 200: alertOutSchema, 409: errorBodySchema, ...errs },
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const existing = await store.alerts.get(p.project.id, req.params.id);
        if (!existing) throw errors.notFound(`No alert "${req.params.id}" in this project`);
        const config = await alerts.settings.get(p.project.id);
        const active = config ? Object.values(channels).filter((c) => c.enabled(config)).map((c) => c.name) : [];
        const resolved = await store.alerts.resolve(p.project.id, existing.id, 'manual', active);
        if (!resolved) throw errors.conflict(`Alert "${existing.id}" is already resolved`);
        return resolved;
      },
    );
  };
}
