import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParam, isoQueryTime } from '../../core/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const obj = z.record(z.string(), z.unknown());
const runBody = z.strictObject({ dry_run: z.boolean().default(false), since: isoQueryTime().optional() }).default({ dry_run: false });

/** Online monitors stored in the database: create, list, delete, run now, run history. */
export function monitorRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { auth, monitors } = deps;
  const projectOf = async (headers: Parameters<typeof auth.authenticate>[0]) => (await auth.authenticate(headers)).project.id;
  return async (app) => {
    app.post(
      '/api/v1/monitors',
      {
        schema: {
          tags: ['monitors'], summary: 'Store a monitor (its YAML as {"yaml": "..."} or the spec as JSON)', security: secured,
          description: 'Sources over the API: aether and langfuse_api (file sources and module hooks are for `aether monitor run FILE`). A scheduled monitor runs first within a minute.',
          body: z.unknown().meta({ description: 'MonitorSpec or {yaml}' }), response: { 201: obj, ...errs },
        },
      },
      async (req, reply) => reply.code(201).send(await monitors.create(await projectOf(req.headers), req.body)),
    );
    app.get(
      '/api/v1/monitors',
      { schema: { tags: ['monitors'], summary: 'The project’s monitors with status', security: secured, response: { 200: z.object({ data: z.array(obj) }), ...errs } } },
      async (req) => ({ data: await monitors.list(await projectOf(req.headers)) }),
    );
    app.get(
      '/api/v1/monitors/:id',
      { schema: { tags: ['monitors'], summary: 'One monitor', security: secured, params: z.object({ id: idParam() }), response: { 200: obj, ...errs } } },
      async (req) => monitors.get(await projectOf(req.headers), req.params.id),
    );
    app.delete(
      '/api/v1/monitors/:id',
      { schema: { tags: ['monitors'], summary: 'Delete a monitor with its history and results', security: secured, params: z.object({ id: idParam() }), response: { 204: z.null(), ...errs } } },
      async (req, reply) => {
        await monitors.remove(await projectOf(req.headers), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/api/v1/monitors/:id/run',
      { schema: { tags: ['monitors'], summary: 'Run a stored monitor now', security: secured, params: z.object({ id: idParam() }), body: runBody, response: { 200: obj, ...errs } } },
      async (req) => {
        const b = req.body;
        return monitors.runNow(await projectOf(req.headers), req.params.id, { dryRun: b.dry_run, ...(b.since ? { since: new Date(b.since) } : {}) });
      },
    );
    app.post(
      '/api/v1/monitors/run',
      {
        schema: {
          tags: ['monitors'], summary: 'Run a monitor file sent as YAML (what `aether monitor run FILE --url` does)', security: secured,
          body: z.strictObject({ yaml: z.string().min(1).max(200_000), dry_run: z.boolean().default(false), since: isoQueryTime().optional() }), response: { 200: obj, ...errs },
        },
      },
      async (req) => {
        const b = req.body;
        return monitors.runFile(await projectOf(req.headers), b.yaml, 'monitor.yaml', { remote: true, dryRun: b.dry_run, ...(b.since ? { since: new Date(b.since) } : {}) });
      },
    );
    app.get(
      '/api/v1/monitors/:id/runs',
      {
        schema: {
          tags: ['monitors'], summary: 'Run history, newest first', security: secured, params: z.object({ id: idParam() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), response: { 200: z.object({ data: z.array(obj) }), ...errs },
        },
      },
      async (req) => ({ data: await monitors.runs(await projectOf(req.headers), req.params.id, req.query.limit) }),
    );
  };
}
