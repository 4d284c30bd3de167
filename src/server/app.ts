import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors } from '../core/errors.js';
import type { RouteDeps } from './deps.js';
import { errorHandler, toAetherError } from './errors.js';
import { checkUrlText, parseJsonBody } from './json.js';
import { alertRoutes } from './routes/alerts.js';
import { analyticsRoutes } from './routes/analytics.js';
import { priceRoutes } from './routes/prices.js';
import { exportRoutes } from './routes/export.js';
import { evaluationRoutes } from './routes/evaluations.js';
import { gatewayRoutes } from './routes/gateway.js';
import { healthRoutes } from './routes/health.js';
import { otlpRoutes } from './routes/otlp.js';
import { projectRoutes } from './routes/projects.js';
import { traceInputJsonSchema, traceRoutes } from './routes/traces.js';
import { adminRoutes } from './routes/admin.js';
import { langfuseRoutes } from './routes/langfuse.js';
import { authRoutes } from './routes/auth.js';
import { monitorRoutes } from './routes/monitors.js';
import { promptRoutes } from './routes/prompts.js';
import { routerRoutes } from './routes/router.js';
import { ragRoutes } from './routes/rag.js';
import { sessionGuard } from './session/index.js';
import { createDashboard } from './static.js';

export interface ServerOptions {
  /** pino logger options, or false for none. */
  logger: false | { level: string };
}

/** Build the HTTP app: routes, auth, errors, OpenAPI. Does not listen. */
export async function buildServer(deps: RouteDeps, opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Stdout written asynchronously: a line per request under load is one write per burst instead
    // of a blocking write each (pino still flushes what is buffered when the process exits).
    logger:
      opts.logger === false
        ? false
        : { level: opts.logger.level, stream: pino.destination({ dest: 1, sync: false }), redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'req.headers["x-csrf-token"]'] },
    bodyLimit: deps.config.maxBodyBytes,
    trustProxy: deps.config.trustProxy,
    disableRequestLogging: true,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  // JSON only: a text/plain body is a client mistake worth a clear 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body (curl -X POST -H 'content-type: application/json') means "no body": action
  // endpoints like /resolve take none, and ingestion says "Body is empty" itself.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (e) {
      done(e as Error);
    }
  });
  app.addHook('preValidation', checkUrlText);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  const dashboard = createDashboard({ webDir: deps.config.webDir });
  app.setNotFoundHandler((req, reply) => {
    if (dashboard.fallback(req, reply)) return;
    const e = errors.notFound(`No route ${req.method} ${req.url.split('?')[0]}; the API is described at /docs`);
    reply.status(404).send(e.toJSON());
  });

  // Set on arrival, kept by every reply (errors too): no onSend hook, which fastify would run per reply.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onRequest', sessionGuard(deps.sessions));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    deps.metrics.httpDuration.observe({ method: req.method, route, status_code: status }, reply.elapsedTime / 1000);
    const line = { method: req.method, route, status, ms: Math.round(reply.elapsedTime * 100) / 100 }; // req.log carries reqId
    if (status >= 500) req.log.error(line, 'request failed');
    else req.log.info(line, 'request');
  });
  app.addHook('onError', async (req, _reply, err) => {
    const ae = toAetherError(err, req);
    deps.metrics.errors.inc({ status_code: ae.status, code: ae.code });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aether API',
        version: deps.version,
        description: 'Trace ingestion and query for LLM and RAG applications. Authenticate with a project API key.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'aether_session' },
          langfuseBasic: { type: 'http', scheme: 'basic', description: 'Langfuse key pair: public key as user, secret key as password (/api/public/* only)' },
        },
        schemas: { TraceInput: traceInputJsonSchema as Record<string, unknown> },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(deps));
  await app.register(projectRoutes(deps));
  await app.register(traceRoutes(deps));
  await app.register(otlpRoutes(deps));
  await app.register(evaluationRoutes(deps));
  await app.register(gatewayRoutes(deps));
  await app.register(alertRoutes(deps));
  await app.register(analyticsRoutes(deps));
  await app.register(priceRoutes(deps));
  await app.register(exportRoutes(deps));
  await app.register(authRoutes(deps));
  await app.register(adminRoutes(deps));
  await app.register(langfuseRoutes(deps));
  await app.register(monitorRoutes(deps));
  await app.register(promptRoutes(deps));
  await app.register(routerRoutes(deps));
  await app.register(ragRoutes(deps));
  await app.register(dashboard.plugin);
  return app;
}
