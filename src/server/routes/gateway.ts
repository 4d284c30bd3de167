import { Readable } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AetherError, errorBodySchema, errors } from '../../core/index.js';
import { anthropicErrorBody, GatewayError, openAIErrorBody, safeHeaders, type GatewayReply } from '../../gateway/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { toAetherError } from '../errors.js';

const secured: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

/** Abort when the client goes away before the reply is finished (stops the upstream call too). */
function clientSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client closed the connection'));
  });
  return ac.signal;
}

/** Write a gateway reply: a JSON body as is, or SSE frames relayed as they are produced. */
function send(reply: FastifyReply, out: GatewayReply): FastifyReply {
  // Header values carry client input (model names): safeHeaders encodes what Node would refuse.
  reply.headers(safeHeaders(out.headers)).code(out.status);
  if (out.kind === 'json') return reply.type('application/json; charset=utf-8').send(out.body);
  reply.headers({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  return reply.send(Readable.from(out.frames, { objectMode: false }));
}

/** Errors on /v1/* in the shape the caller's SDK parses (OpenAI or Anthropic), with Retry-After etc. */
function errorHandler(shape: 'openai' | 'anthropic') {
  return (err: FastifyError | AetherError, req: FastifyRequest, reply: FastifyReply): void => {
    const ae = err instanceof AetherError ? err : toAetherError(err, req);
    if (ae.status >= 500 && !(ae instanceof GatewayError)) req.log.error({ err }, 'gateway request failed');
    if (ae instanceof GatewayError) reply.headers(safeHeaders(ae.headers));
    reply.status(ae.status).send(shape === 'openai' ? openAIErrorBody(ae) : anthropicErrorBody(ae));
  };
}

/** A project path parameter must name the key's own project (by id or slug). */
function ownProject(p: Principal, ref: string): string {
  if (ref !== p.project.id && ref !== p.project.slug) throw errors.notFound(`No project "${ref}" is visible to this API key`);
  return p.project.id;
}

/** The OpenAI-compatible gateway (/v1/*) and per-project provider credentials. */
export function gatewayRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { gateway, auth } = deps;
  // Chat bodies carry whole conversations (and images): allow the batch limit, not the trace limit.
  const bodyLimit = deps.config.maxBatchBodyBytes;
  return async (app) => {
    await app.register(async (v1) => {
      v1.setErrorHandler(errorHandler('openai'));
      const doc = (summary: string, description: string) => ({ bodyLimit, schema: { tags: ['gateway'], summary, description, security: secured } });
      v1.post(
        '/v1/chat/completions',
        doc('OpenAI-compatible chat completions', 'Routes to openai/…, anthropic/…, openrouter/…, any configured endpoint, or an alias; streams when stream=true. Headers: x-aether-fallback, x-aether-cache, x-aether-user-id, x-aether-session-id, x-aether-tags, x-aether-trace-id, x-aether-contexts.'),
        async (req, reply) => send(reply, await gateway.chat(await auth.authenticate(req.headers), req.body, req.headers, clientSignal(reply))),
      );
      v1.post(
        '/v1/embeddings',
        doc('OpenAI-compatible embeddings', 'Through the same limits, cache, retries, fallbacks and tracing as chat.'),
        async (req, reply) => send(reply, await gateway.embeddings(await auth.authenticate(req.headers), req.body, req.headers, clientSignal(reply))),
      );
      v1.get('/v1/models', { schema: { tags: ['gateway'], summary: 'Every model this project can reach: aliases, and the priced models of each provider with a key', security: secured } }, async (req) => {
        const p = await auth.authenticate(req.headers);
        return req.headers['anthropic-version'] ? gateway.anthropicModels(p) : gateway.models(p);
      });
    });

    await app.register(async (anthropic) => {
      anthropic.setErrorHandler(errorHandler('anthropic'));
      anthropic.post(
        '/v1/messages',
        { bodyLimit, schema: { tags: ['gateway'], summary: 'Anthropic Messages API', description: 'Anthropic-format requests (x-api-key auth) served by any provider; answers and streams in Anthropic format.', security: secured } },
        async (req, reply) => send(reply, await gateway.messages(await auth.authenticate(req.headers), req.body, req.headers, clientSignal(reply))),
      );
    });

    const params = z.object({ id: z.string().min(1), provider: z.string().min(1).max(64) });
    const view = z.object({ provider: z.string(), api_key_hint: z.string(), base_url: z.string().nullable(), created_at: z.string(), updated_at: z.string() });
    const errs = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };
    const tags = ['gateway'];

    app.put(
      '/api/v1/projects/:id/providers/:provider',
      { schema: { tags, summary: 'Store the project’s key (and optional base URL) for a provider; sealed with AES-256-GCM', security: secured, params, body: z.unknown().meta({ description: '{"api_key": "…", "base_url": "https://…" (optional)}' }), response: { 200: view, ...errs } } },
      async (req) => gateway.credentials.put(ownProject(await auth.authenticate(req.headers), req.params.id), req.params.provider, req.body),
    );
    app.get(
      '/api/v1/projects/:id/providers',
      { schema: { tags, summary: 'Providers the project has credentials for (hints only, never the key)', security: secured, params: z.object({ id: z.string().min(1) }), response: { 200: z.object({ data: z.array(view) }), ...errs } } },
      async (req) => ({ data: await gateway.credentials.list(ownProject(await auth.authenticate(req.headers), req.params.id)) }),
    );
    app.get(
      '/api/v1/projects/:id/providers/:provider',
      { schema: { tags, summary: 'The project’s credentials for one provider (hint only)', security: secured, params, response: { 200: view, ...errs } } },
      async (req) => {
        const found = await gateway.credentials.get(ownProject(await auth.authenticate(req.headers), req.params.id), req.params.provider);
        if (!found) throw errors.notFound(`This project has no credentials for ${req.params.provider}`);
        return found;
      },
    );
    const breaker = z.object({
      endpoint: z.string(),
      model: z.string(),
      label: z.string().meta({ description: 'endpoint/model' }),
      own_credentials: z.boolean().meta({ description: 'the project’s own breaker (it calls with its own key or URL)' }),
      state: z.enum(['closed', 'open', 'half_open']),
      calls: z.number().meta({ description: 'outcomes in the sliding window' }),
      failures: z.number(),
      opens_until: z.string().nullable().meta({ description: 'when an open breaker lets a probe through' }),
    });
    app.get(
      '/api/v1/gateway/breakers',
      { schema: { tags, summary: 'The circuit breakers the project’s gateway calls go through, with their state', security: secured, response: { 200: z.object({ data: z.array(breaker) }), 401: errorBodySchema } } },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const rows = await gateway.breakers(p.project.id);
        return {
          data: rows.map((b) => ({ endpoint: b.endpoint, model: b.model, label: b.label, own_credentials: b.ownCredentials, state: b.state, calls: b.calls, failures: b.failures, opens_until: b.openUntil === undefined ? null : new Date(b.openUntil).toISOString() })),
        };
      },
    );
    app.delete(
      '/api/v1/projects/:id/providers/:provider',
      { schema: { tags, summary: 'Forget the project’s credentials for a provider', security: secured, params, response: { 204: z.null(), ...errs } } },
      async (req, reply) => {
        const gone = await gateway.credentials.delete(ownProject(await auth.authenticate(req.headers), req.params.id), req.params.provider);
        if (!gone) throw errors.notFound(`This project has no credentials for ${req.params.provider}`);
        return reply.status(204).send(null);
      },
    );
  };
}
