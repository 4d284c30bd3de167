import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dbText, errorBodySchema, errors, idParam } from '../../core/index.js';
import { parseAutoModel, priceOf, pricedCandidates, type Candidate } from '../../router/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };

const candidateSchema = z.strictObject({
  model: dbText({ min: 1, max: 256 }),
  input_per_token: z.number().min(0).max(1).optional(),
  output_per_token: z.number().min(0).max(1).optional(),
  context_window: z.number().int().positive().optional(),
  capabilities: z.strictObject({ tools: z.boolean().optional(), vision: z.boolean().optional(), json: z.boolean().optional() }).optional(),
  quality_prior: z.number().min(0).max(1).optional(),
});

const routeBodySchema = z.object({
  model: dbText({ max: 64 }).optional().meta({ description: '`auto` or `auto:<policy>`' }),
  messages: z.array(z.object({ role: z.string().max(32), content: z.unknown() }).passthrough()).min(1).max(10_000),
  tools: z.array(z.unknown()).max(512).optional(),
  response_format: z.object({ type: z.string().max(64) }).passthrough().nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  candidates: z.array(candidateSchema).min(1).max(1000).optional().meta({ description: 'Models to choose from; default: the router settings models, else every priced model this project can reach through the gateway' }),
  explore: z.boolean().optional().meta({ description: 'Thompson sampling as a live call would (default false for a dry run)' }),
  min_quality: z.number().min(0).max(1).optional(),
  quality_per_usd: z.number().min(0).optional().meta({ description: 'Take a cheaper model when it loses at most this much predicted quality per USD saved' }),
  quality_gap: z.number().min(0).max(1).optional().meta({ description: 'Accept models predicted within this much of the best candidate’s quality' }),
}).passthrough();

/** Priced candidates: given ones (prices filled from the table when missing) or the gateway's models. */
async function candidatesOf(deps: RouteDeps, p: Principal, given: Array<z.infer<typeof candidateSchema>> | undefined): Promise<readonly Candidate[]> {
  const overrides = deps.ingest.prices.peek(p.project.id);
  const price = (model: string) => {
    const pr = priceOf(model, overrides);
    return pr ? { price: pr } : undefined;
  };
  if (given) {
    return given.map((c) => {
      const pr = c.input_per_token === undefined || c.output_per_token === undefined ? price(c.model)?.price : undefined;
      const inP = c.input_per_token ?? pr?.input;
      const outP = c.output_per_token ?? pr?.output;
      if (inP === undefined || outP === undefined) throw errors.validation([{ field: 'candidates', message: `no price known for "${c.model}"; send input_per_token and output_per_token` }]);
      return { model: c.model, inputPerToken: inP, outputPerToken: outP, contextWindow: c.context_window, capabilities: c.capabilities, qualityPrior: c.quality_prior };
    });
  }
  const pool = (await deps.router.getSettings(p.project.id)).models ?? (await deps.gateway.models({ keyId: p.keyId, project: p.project })).data.map((m) => m.id);
  return pricedCandidates(pool, overrides);
}

/** The model router: dry-run decisions, the learned catalog, settings, traffic and user feedback. */
export function routerRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { router, auth } = deps;
  return async (app) => {
    app.post(
      '/api/v1/router/route',
      {
        bodyLimit: deps.config.maxBatchBodyBytes,
        schema: {
          tags: ['router'],
          summary: 'Dry run: which model `auto` would pick for this chat request, and why',
          description: 'Headers: x-aether-route (policy), x-aether-max-latency-ms, x-aether-max-cost-usd, x-aether-min-quality.',
          security: secured,
          body: routeBodySchema,
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        let policy;
        if (req.body.model) {
          try {
            const parsed = parseAutoModel(req.body.model);
            policy = parsed.routed ? parsed.policy : undefined;
          } catch (e) {
            throw errors.validation([{ field: 'model', message: (e as Error).message }]);
          }
        }
        const candidates = await candidatesOf(deps, p, req.body.candidates);
        await router.prepare(p.project.id);
        const overrides = { ...(req.body.min_quality !== undefined ? { min_quality: req.body.min_quality } : {}), ...(req.body.quality_gap !== undefined ? { quality_gap: req.body.quality_gap } : {}), ...(req.body.quality_per_usd !== undefined ? { quality_per_usd: req.body.quality_per_usd } : {}) };
        return router.route({ projectId: p.project.id, body: req.body, headers: req.headers, candidates, policy, explore: req.body.explore ?? false, overrides });
      },
    );

    app.get(
      '/api/v1/router/catalog',
      { schema: { tags: ['router'], summary: 'What the router learned per model and task type', security: secured, querystring: z.strictObject({ model: dbText({ max: 256 }).optional() }) } },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        await router.prepare(p.project.id);
        const overrides = deps.ingest.prices.peek(p.project.id);
        const rows = router.view(p.project.id, req.query.model ? [req.query.model] : undefined);
        return { data: rows.map((r) => ({ ...r, price: priceOf(r.model, overrides) })) };
      },
    );

    app.get(
      '/api/v1/router/traffic',
      { schema: { tags: ['router'], summary: 'Routed traces per day and chosen model', security: secured, querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(14) }) } },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        return { data: await deps.store.router.traffic(p.project.id, new Date(Date.now() - req.query.days * 86_400_000)) };
      },
    );

    app.get('/api/v1/router/settings', { schema: { tags: ['router'], summary: 'Router settings of the key’s project', security: secured } }, async (req) => router.getSettings((await auth.authenticate(req.headers)).project.id));

    app.put(
      '/api/v1/router/settings',
      { schema: { tags: ['router'], summary: 'Set the default policy, quality floor, limits, PII-allowed models and exploration cap', security: secured, body: z.unknown() } },
      async (req) => router.putSettings((await auth.authenticate(req.headers)).project.id, req.body),
    );

    app.post(
      '/api/v1/traces/:id/feedback',
      {
        schema: {
          tags: ['router'],
          summary: 'A user’s score of a trace (0..1); stored as a `feedback` evaluation, and the router learns from it at once',
          security: secured,
          params: z.object({ id: idParam() }),
          body: z.strictObject({ score: z.number().min(0).max(1), comment: dbText({ max: 4000 }).optional() }),
          response: { 200: z.object({ trace_id: z.string(), model: z.string().nullable(), score: z.number() }), ...errs },
        },
      },
      async (req) => router.feedback((await auth.authenticate(req.headers)).project.id, req.params.id, req.body),
    );
  };
}
