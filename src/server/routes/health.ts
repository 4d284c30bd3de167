import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';

/** Liveness, readiness and Prometheus metrics. */
export function healthRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok'), version: z.string() }) } } },
      async () => ({ status: 'ok' as const, version: deps.version }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['operations'],
          summary: 'Readiness: the store answers and every migration is applied',
          response: {
            200: z.object({ status: z.string(), store: z.string(), migrations: z.object({ applied: z.number(), expected: z.number() }) }),
            503: z.object({ status: z.string(), store: z.string(), reason: z.string() }),
          },
        },
      },
      async (_req, reply) => {
        try {
          await deps.store.ping();
          const migrations = await deps.store.migrations();
          const ok = migrations.applied >= migrations.expected;
          deps.metrics.storeUp.set(1);
          if (!ok) {
            return reply.status(503).send({ status: 'not_ready', store: deps.store.kind, reason: `migrations ${migrations.applied}/${migrations.expected} applied` });
          }
          return { status: 'ready', store: deps.store.kind, migrations };
        } catch (e) {
          deps.metrics.storeUp.set(0);
          return reply.status(503).send({ status: 'not_ready', store: deps.store.kind, reason: `store unreachable: ${(e as Error).message}` });
        }
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
