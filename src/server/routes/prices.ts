import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, errors, modelPriceInputSchema, modelPriceOutSchema, resolvePrice, unpricedModelOutSchema } from '../../core/index.js';
import { resolveRange, WINDOWS } from '../../analytics/index.js';
import type { StoredPrice } from '../../storage/index.js';
import type { RouteDeps } from '../deps.js';
import { projectAccess } from '../project-access.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const perMtok = (v: number | null) => (v === null ? null : Math.round(v * 1e6 * 1e9) / 1e9);
const out = (p: StoredPrice) => ({
  model: p.model,
  input_per_mtok: perMtok(p.input_per_token)!,
  output_per_mtok: perMtok(p.output_per_token)!,
  cache_read_per_mtok: perMtok(p.cache_read_per_token),
  cache_write_per_mtok: perMtok(p.cache_write_per_token),
  updated_at: p.updated_at.toISOString(),
});
const modelParam = z.object({ id: z.string(), model: z.string().min(1).max(256).describe('URL-encode a slash: openai%2Fgpt-4o-mini') });

/** Per-project model prices (they win over the bundled table) and the models still unpriced. */
export function priceRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { auth, store, ingest } = deps;
  const access = projectAccess(auth);
  // An API key of the project, or a session of its organization (viewers may read, not change).
  const projectFor = (headers: Record<string, string | string[] | undefined>, id: string, write: boolean) =>
    access(headers, id, write ? ['owner', 'member'] : undefined, 'change prices');
  return async (app) => {
    app.get(
      '/api/v1/projects/:id/prices',
      { schema: { tags: ['costs'], summary: "The project's own model prices (USD per million tokens)", security: secured, params: z.object({ id: z.string() }), response: { 200: z.object({ data: z.array(modelPriceOutSchema) }), ...errs } } },
      async (req) => ({ data: (await store.modelPrices.list(await projectFor(req.headers, req.params.id, false))).map(out) }),
    );
    app.put(
      '/api/v1/projects/:id/prices/:model',
      { schema: { tags: ['costs'], summary: 'Set the price of a model for this project; used before the bundled table for traces recorded from now on', security: secured, params: modelParam, body: modelPriceInputSchema, response: { 200: modelPriceOutSchema, ...errs } } },
      async (req) => {
        const projectId = await projectFor(req.headers, req.params.id, true);
        const b = req.body;
        const saved = await store.modelPrices.put(projectId, {
          model: req.params.model,
          input_per_token: b.input_per_mtok / 1e6,
          output_per_token: b.output_per_mtok / 1e6,
          cache_read_per_token: b.cache_read_per_mtok === undefined ? null : b.cache_read_per_mtok / 1e6,
          cache_write_per_token: b.cache_write_per_mtok === undefined ? null : b.cache_write_per_mtok / 1e6,
        });
        ingest.prices.invalidate(projectId);
        return out(saved);
      },
    );
    app.delete(
      '/api/v1/projects/:id/prices/:model',
      { schema: { tags: ['costs'], summary: "Remove the project's price for a model (the bundled table applies again)", security: secured, params: modelParam, response: { 204: z.null(), ...errs } } },
      async (req, reply) => {
        const projectId = await projectFor(req.headers, req.params.id, true);
        if (!(await store.modelPrices.remove(projectId, req.params.model))) throw errors.notFound(`No price for "${req.params.model}" in this project`);
        ingest.prices.invalidate(projectId);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/v1/costs/unpriced',
      {
        schema: {
          tags: ['costs'],
          summary: 'Models seen in traces with usage but no price, that still have none (default window 30d)',
          security: secured,
          querystring: z.strictObject({ window: z.enum(Object.keys(WINDOWS) as [string, ...string[]]).default('30d'), from: z.string().optional(), to: z.string().optional() }),
          response: { 200: z.object({ data: z.array(unpricedModelOutSchema) }), ...errs },
        },
      },
      async (req) => {
        const projectId = (await auth.authenticate(req.headers)).project.id;
        const { from } = resolveRange(req.query);
        const prices = await ingest.prices.get(projectId);
        // A model priced since (a project price, or a newer table) is no longer listed.
        const rows = (await store.modelPrices.unpriced(projectId, from)).filter((r) => !resolvePrice(r.model, undefined, prices));
        return { data: rows.map((r) => ({ ...r, last_seen: r.last_seen.toISOString() })) };
      },
    );
  };
}
