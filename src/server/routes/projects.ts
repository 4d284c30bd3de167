import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, projectOutSchema } from '../../core/index.js';
import type { RouteDeps } from '../deps.js';
import { projectAccess } from '../project-access.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const retentionOut = z.object({
  retention_days: z.number().int().nullable().describe("the project's own retention; null: the server default"),
  effective_days: z.number().int().nullable().describe('what applies; null: traces are kept forever'),
});

/** The project an API key belongs to. */
export function projectRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/project',
      {
        schema: {
          tags: ['projects'],
          summary: 'The project of the presented API key',
          security: [{ apiKey: [] as string[] }, { bearer: [] as string[] }],
          response: { 200: projectOutSchema, 401: errorBodySchema },
        },
      },
      async (req) => {
        const { project } = await deps.auth.authenticate(req.headers);
        return { id: project.id, org_id: project.orgId, name: project.name, slug: project.slug };
      },
    );
    const access = projectAccess(deps.auth);
    const retention = async (projectId: string) => {
      const own = await deps.store.retention.get(projectId);
      return { retention_days: own, effective_days: own ?? deps.config.retention.days ?? null };
    };
    app.get(
      '/api/v1/projects/:id/retention',
      { schema: { tags: ['projects'], summary: 'How long the project keeps its traces', security: secured, params: z.object({ id: z.string() }), response: { 200: retentionOut, ...errs } } },
      async (req) => retention(await access(req.headers, req.params.id)),
    );
    app.put(
      '/api/v1/projects/:id/retention',
      {
        schema: {
          tags: ['projects'],
          summary: "Keep the project's traces this many days; older ones are deleted with their spans and evaluations by the worker's next pass",
          security: secured,
          params: z.object({ id: z.string() }),
          body: z.strictObject({ days: z.number().int().min(1).max(36_500).nullable().describe('null: the server default (AETHER_RETENTION_DAYS)') }),
          response: { 200: retentionOut, ...errs },
        },
      },
      async (req) => {
        const projectId = await access(req.headers, req.params.id, ['owner'], 'change retention');
        await deps.store.retention.set(projectId, req.body.days);
        return retention(projectId);
      },
    );
  };
}
