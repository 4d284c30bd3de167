import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, projectOutSchema } from '../../core/index.js';
import type { RouteDeps } from '../deps.js';

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
  };
}
