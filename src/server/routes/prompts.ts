import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientObject, dbText, errorBodySchema, errors, jsonObject } from '../../core/index.js';
import { createPromptBody, labelName, promptName, versionOut, type Actor } from '../../prompts/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { experimentRoutes } from './experiments.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }, { session: [] }];
const tags = ['prompts'];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const versionNumber = z.coerce.number().int().min(1).max(2_147_483_647);
const nameParam = z.object({ name: promptName });
const refQuery = z.strictObject({ label: labelName.optional(), version: versionNumber.optional() }).refine((q) => !(q.label && q.version), { message: 'send label or version, not both' });
const refOf = (q: { label?: string | undefined; version?: number | undefined }) => (q.version !== undefined ? { version: q.version } : { label: q.label ?? 'production' });

const actorOf = (p: Principal): Actor => ({ projectId: p.project.id, id: p.user ? `user:${p.user.id}` : `key:${p.keyId}`, role: p.user?.role });

const diffSide = z.object({ added: clientObject(), removed: clientObject(), changed: z.looseObject({}) });

/** The prompt registry API (and, registered from here, experiments). */
export function promptRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { auth, prompts } = deps;
  return async (app) => {
    app.post(
      '/api/v1/prompts',
      { schema: { tags, summary: 'Create the next version of a prompt (version 1 for a new name)', security: secured, body: createPromptBody, response: { 201: versionOut, ...errs } } },
      async (req, reply) => {
        const p = await auth.authenticate(req.headers);
        reply.status(201);
        return prompts.create(actorOf(p), req.body);
      },
    );

    app.get(
      '/api/v1/prompts',
      {
        schema: {
          tags,
          summary: 'Prompts of the project with their labels',
          security: secured,
          querystring: z.strictObject({ tag: dbText({ max: 64 }).optional(), category: dbText({ max: 100 }).optional(), label: labelName.optional(), search: dbText({ max: 200 }).optional() }),
          response: {
            200: z.object({ data: z.array(z.object({ name: z.string(), type: z.string(), tags: z.array(z.string()), category: z.string().nullable(), versions: z.number(), latest_version: z.number(), labels: z.record(z.string(), z.number()), updated_at: z.string() })) }),
            ...errs,
          },
        },
      },
      async (req) => ({ data: await prompts.list((await auth.authenticate(req.headers)).project.id, req.query) }),
    );

    app.get(
      '/api/v1/prompts/:name',
      { schema: { tags, summary: 'One version, by ?label= (default production) or ?version=', security: secured, params: nameParam, querystring: refQuery, response: { 200: versionOut, ...errs } } },
      async (req, reply) => {
        const p = await auth.authenticate(req.headers);
        const r = await prompts.get(p.project.id, req.params.name, refOf(req.query));
        reply.header('x-aether-cache', r.cached ? 'hit' : 'miss');
        return r.value;
      },
    );

    app.get(
      '/api/v1/prompts/:name/versions',
      { schema: { tags, summary: 'Every version, newest first', security: secured, params: nameParam, response: { 200: z.object({ data: z.array(versionOut) }), ...errs } } },
      async (req) => ({ data: await prompts.versions((await auth.authenticate(req.headers)).project.id, req.params.name) }),
    );

    app.post(
      '/api/v1/prompts/:name/labels',
      {
        schema: {
          tags,
          summary: 'Move a label to a version (protected labels: owners only)',
          security: secured,
          params: nameParam,
          body: z.strictObject({ label: labelName, version: z.number().int().min(1).max(2_147_483_647) }),
          response: { 200: z.object({ name: z.string(), label: z.string(), from_version: z.number().nullable(), to_version: z.number() }), ...errs },
        },
      },
      async (req) => prompts.moveLabel(actorOf(await auth.authenticate(req.headers)), req.params.name, req.body.label, req.body.version),
    );

    app.post(
      '/api/v1/prompts/:name/render',
      {
        schema: {
          tags,
          summary: 'Render a version with variables (400 lists missing ones)',
          security: secured,
          params: nameParam,
          body: z.strictObject({ label: labelName.optional(), version: z.number().int().min(1).max(2_147_483_647).optional(), variables: jsonObject().default({}) }).refine((b) => !(b.label && b.version), { message: 'send label or version, not both' }),
          response: { 200: z.object({ name: z.string(), version: z.number(), type: z.string(), labels: z.array(z.string()), prompt: versionOut.shape.prompt, config: clientObject() }), ...errs },
        },
      },
      async (req) => prompts.render((await auth.authenticate(req.headers)).project.id, req.params.name, refOf(req.body), req.body.variables),
    );

    app.get(
      '/api/v1/prompts/:name/diff',
      {
        schema: {
          tags,
          summary: 'Line diff of two versions, with config and variable changes',
          security: secured,
          params: nameParam,
          querystring: z.strictObject({ from: versionNumber, to: versionNumber }),
          response: { 200: z.object({ name: z.string(), from: z.number(), to: z.number(), prompt: z.array(z.object({ op: z.enum(['equal', 'add', 'remove']), text: z.string() })), config: diffSide, variables: diffSide }), ...errs },
        },
      },
      async (req) => prompts.diff((await auth.authenticate(req.headers)).project.id, req.params.name, req.query.from, req.query.to),
    );

    app.delete(
      '/api/v1/prompts/:name',
      {
        schema: {
          tags,
          summary: 'Delete a prompt, or one version with ?version=',
          security: secured,
          params: nameParam,
          querystring: z.strictObject({ version: versionNumber.optional() }),
          response: { 200: z.object({ name: z.string(), versions: z.array(z.number()), labels: z.array(z.string()) }), ...errs },
        },
      },
      async (req) => prompts.remove(actorOf(await auth.authenticate(req.headers)), req.params.name, req.query.version),
    );

    app.get(
      '/api/v1/prompts/:name/events',
      {
        schema: {
          tags,
          summary: 'Change history of a prompt (created, label moved, deleted), newest first',
          security: secured,
          params: nameParam,
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.object({ data: z.array(z.object({ id: z.string(), event: z.string(), prompt_name: z.string(), payload: clientObject(), created_at: z.string() })) }), ...errs },
        },
      },
      async (req) => ({ data: await prompts.events((await auth.authenticate(req.headers)).project.id, req.params.name, req.query.limit) }),
    );

    app.get(
      '/api/v1/prompt-settings',
      { schema: { tags, summary: 'Protected labels of the project', security: secured, response: { 200: z.object({ protected_labels: z.array(z.string()) }), ...errs } } },
      async (req) => ({ protected_labels: await prompts.protectedLabels((await auth.authenticate(req.headers)).project.id) }),
    );

    app.put(
      '/api/v1/prompt-settings',
      {
        schema: { tags, summary: 'Set the protected labels (owner session only)', security: secured, body: z.strictObject({ protected_labels: z.array(labelName).max(50) }), response: { 200: z.object({ protected_labels: z.array(z.string()) }), ...errs } },
      },
      async (req) => {
        if (req.body.protected_labels.includes('latest')) throw errors.badRequest('"latest" moves by itself and cannot be protected', 'label_reserved');
        return { protected_labels: await prompts.setProtectedLabels(actorOf(await auth.authenticate(req.headers)), req.body.protected_labels) };
      },
    );

    await app.register(experimentRoutes(deps));
  };
}
