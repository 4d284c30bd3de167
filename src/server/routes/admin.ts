import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dbText, errorBodySchema, errors, idParam } from '../../core/index.js';
import { ROLES, type ApiKeyRecord, type Project, type Role, type User } from '../../storage/index.js';
import type { RouteDeps } from '../deps.js';
import { createUser } from '../session/index.js';
import { userOut, userOutSchema } from './auth.js';

const projectView = z.object({ id: z.string(), org_id: z.string(), name: z.string(), slug: z.string(), created_at: z.string() });
const keyView = z.object({ id: z.string(), name: z.string(), prefix: z.string(), created_at: z.string(), last_used_at: z.string().nullable(), revoked_at: z.string().nullable() });
const userView = userOutSchema.extend({ created_at: z.string() });
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const secured: Array<Record<string, string[]>> = [{ session: [] }];
const tags = ['dashboard'];
const name = dbText({ max: 200 }).trim().min(1);

const toProject = (p: Project) => ({ id: p.id, org_id: p.orgId, name: p.name, slug: p.slug, created_at: p.createdAt.toISOString() });
const toKey = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  revoked_at: k.revokedAt?.toISOString() ?? null,
});
const toUser = (u: User) => ({ ...userOut(u), created_at: u.createdAt.toISOString() });

function allow(user: User, roles: Role[], what: string): void {
  if (!roles.includes(user.role)) throw errors.forbidden(`Only ${roles.join(' or ')} users can ${what}`);
}

/** Projects, API keys and users of the signed-in user's organization (session only, never an API key). */
export function adminRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { store, sessions, auth } = deps;

  const signedIn = async (req: FastifyRequest): Promise<User> => {
    const s = await sessions.fromHeaders(req.headers);
    if (!s) throw errors.unauthorized('Sign in to the dashboard: this endpoint takes a session, not an API key');
    return s.user;
  };
  const projectOf = async (user: User, ref: string): Promise<Project> => {
    const byId = await store.projects.get(ref);
    const p = byId?.orgId === user.orgId ? byId : (await store.projects.list(user.orgId)).find((x) => x.slug === ref);
    if (!p) throw errors.notFound(`No project "${ref}" in your organization`);
    return p;
  };

  return async (app) => {
    app.get('/api/v1/projects', { schema: { tags, summary: 'Projects of your organization', security: secured, response: { 200: z.object({ data: z.array(projectView) }), ...errs } } }, async (req) => {
      const user = await signedIn(req);
      return { data: (await store.projects.list(user.orgId)).map(toProject) };
    });

    app.post(
      '/api/v1/projects',
      { schema: { tags, summary: 'Create a project (owner)', security: secured, body: z.strictObject({ name, slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lowercase letters, digits and dashes').optional() }), response: { 201: projectView, ...errs } } },
      async (req, reply) => {
        const user = await signedIn(req);
        allow(user, ['owner'], 'create projects');
        const p = await store.projects.create({ orgId: user.orgId, name: req.body.name, slug: req.body.slug });
        return reply.status(201).send(toProject(p));
      },
    );

    const params = z.object({ id: idParam() });
    app.get(
      '/api/v1/projects/:id/keys',
      { schema: { tags, summary: 'API keys of a project (never their secrets)', security: secured, params, response: { 200: z.object({ data: z.array(keyView) }), ...errs } } },
      async (req) => {
        const p = await projectOf(await signedIn(req), req.params.id);
        return { data: (await store.apiKeys.list(p.id)).map(toKey) };
      },
    );

    app.post(
      '/api/v1/projects/:id/keys',
      { schema: { tags, summary: 'Create an API key; the key is in this response only', security: secured, params, body: z.strictObject({ name }), response: { 201: keyView.extend({ key: z.string() }), ...errs } } },
      async (req, reply) => {
        const user = await signedIn(req);
        allow(user, ['owner', 'member'], 'create API keys');
        const p = await projectOf(user, req.params.id);
        const { key, record } = await store.apiKeys.create({ projectId: p.id, name: req.body.name });
        return reply.status(201).send({ ...toKey(record), key });
      },
    );

    app.post(
      '/api/v1/projects/:id/keys/:keyId/revoke',
      { schema: { tags, summary: 'Revoke an API key (takes effect at once in this process, within 2 s in others)', security: secured, params: params.extend({ keyId: idParam() }), response: { 200: keyView, ...errs } } },
      async (req) => {
        const user = await signedIn(req);
        allow(user, ['owner', 'member'], 'revoke API keys');
        const p = await projectOf(user, req.params.id);
        if (!(await store.apiKeys.list(p.id)).some((k) => k.id === req.params.keyId)) throw errors.notFound(`No key "${req.params.keyId}" in project ${p.slug}`);
        const k = await store.apiKeys.revoke(req.params.keyId);
        auth.invalidate();
        if (!k) throw errors.notFound(`No key "${req.params.keyId}" in project ${p.slug}`);
        return toKey(k);
      },
    );

    app.get('/api/v1/users', { schema: { tags, summary: 'Users of your organization (owner)', security: secured, response: { 200: z.object({ data: z.array(userView) }), ...errs } } }, async (req) => {
      const user = await signedIn(req);
      allow(user, ['owner'], 'list users');
      return { data: (await store.users.list(user.orgId)).map(toUser) };
    });

    app.post(
      '/api/v1/users',
      {
        schema: {
          tags,
          summary: 'Add a user to your organization (owner)',
          security: secured,
          body: z.strictObject({ email: z.email().max(320), name: dbText({ max: 200 }).trim().optional().transform((v) => v || undefined), password: dbText({ max: 1024 }).min(8, 'must be at least 8 characters'), role: z.enum(ROLES) }),
          response: { 201: userView, ...errs },
        },
      },
      async (req, reply) => {
        const user = await signedIn(req);
        allow(user, ['owner'], 'add users');
        const created = await createUser(store, { orgId: user.orgId, email: req.body.email, name: req.body.name, password: req.body.password, role: req.body.role });
        return reply.status(201).send(toUser(created));
      },
    );
  };
}
