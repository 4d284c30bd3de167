import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AetherError, dbText, errorBodySchema, errors } from '../../core/index.js';
import type { User } from '../../storage/index.js';
import type { RouteDeps } from '../deps.js';
import { createFirstOwner, createLoginLimiter, dummyHash, forgetSetupToken, readCookie, sessionCookie, tokenHash, verifyPassword } from '../session/index.js';

export const userOutSchema = z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(['owner', 'member', 'viewer']) }).meta({ id: 'User' });
const signedInSchema = z.object({ user: userOutSchema, csrf_token: z.string() });
const meSchema = signedInSchema.extend({
  org: z.object({ id: z.string(), name: z.string() }),
  projects: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string() })),
});
const loginBody = z.strictObject({ email: dbText({ max: 320 }).trim().min(1), password: dbText({ min: 1, max: 1024 }) });
const setupBody = z.strictObject({
  token: dbText({ min: 1, max: 200 }),
  email: z.email().max(320),
  password: dbText({ max: 1024 }).min(8, 'must be at least 8 characters'),
  // An empty name from a form field means no name.
  name: dbText({ max: 200 }).trim().optional().transform((v) => v || undefined),
});
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema };
const tags = ['dashboard'];

/** The user as the API shows it (never the password hash). */
export const userOut = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role });

/** Sign-in, sign-out, the current user, and first-owner setup. */
export function authRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { store, sessions } = deps;
  const limiter = createLoginLimiter(deps.config.auth.loginMaxFailures);
  const maxAgeS = sessions.ttlMs / 1000;

  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string, maxAge = maxAgeS) => reply.header('set-cookie', sessionCookie(token, maxAge, req.protocol === 'https'));
  const signIn = async (req: FastifyRequest, reply: FastifyReply, user: User) => {
    const s = await sessions.create(user.id);
    setCookie(req, reply, s.token);
    return { user: userOut(user), csrf_token: s.csrfToken };
  };

  return async (app) => {
    app.get(
      '/api/v1/auth/setup',
      { schema: { tags, summary: 'Whether the first owner still has to be created (open the printed setup link)', response: { 200: z.object({ setup_required: z.boolean() }) } } },
      async () => ({ setup_required: (await store.users.count()) === 0 }),
    );

    app.post(
      '/api/v1/auth/setup',
      { schema: { tags, summary: 'Create the first owner with the one-time token from the printed setup link, and sign in', body: setupBody, response: { 201: signedInSchema, 409: errorBodySchema, ...errs } } },
      async (req, reply) => {
        if ((await store.users.count()) > 0) throw errors.conflict('Setup is already done: sign in, or ask an owner to add you');
        const hash = tokenHash(req.body.token);
        if (!(await store.setupTokens.consume(hash))) throw errors.forbidden('This setup link is invalid or was already used: restart the server to print a fresh one');
        let user: User;
        try {
          user = await createFirstOwner(store, { email: req.body.email, name: req.body.name, password: req.body.password });
        } catch (e) {
          await store.setupTokens.add(hash); // the link stays usable when creating the user failed
          throw e;
        }
        await store.setupTokens.clear();
        forgetSetupToken(deps.config.dataDir);
        return reply.status(201).send(await signIn(req, reply, user));
      },
    );

    app.post(
      '/api/v1/auth/login',
      { schema: { tags, summary: 'Sign in; sets the aether_session cookie and returns the CSRF token', body: loginBody, response: { 200: signedInSchema, 429: errorBodySchema, ...errs } } },
      async (req, reply) => {
        const key = `${req.body.email.toLowerCase()}|${req.ip}`;
        const wait = limiter.blockedFor(key);
        if (wait) {
          reply.header('retry-after', String(wait));
          throw new AetherError(429, 'rate_limited', `Too many failed sign-ins: try again in ${wait} s`);
        }
        const found = await store.users.forLogin(req.body.email);
        // Unknown emails still pay for a hash check, so timing does not reveal which emails exist.
        const ok = await verifyPassword(req.body.password, found?.passwordHash ?? (await dummyHash()));
        if (!found || !found.passwordHash || !ok) {
          limiter.fail(key);
          throw errors.unauthorized('Wrong email or password');
        }
        limiter.reset(key);
        return signIn(req, reply, found.user);
      },
    );

    app.post('/api/v1/auth/logout', { schema: { tags, summary: 'Sign out: ends the session and clears the cookie', response: { 204: z.null() } } }, async (req, reply) => {
      const token = readCookie(req.headers);
      if (token) await sessions.destroy(token);
      setCookie(req, reply, '', 0);
      return reply.status(204).send(null);
    });

    app.get(
      '/api/v1/auth/me',
      { schema: { tags, summary: 'The signed-in user, their organization and its projects, and the CSRF token', response: { 200: meSchema, 401: errorBodySchema } } },
      async (req, reply) => {
        const token = readCookie(req.headers);
        const s = token ? await sessions.resolve(token) : undefined;
        if (!token || !s) throw errors.unauthorized('Not signed in');
        const [org, projects] = await Promise.all([store.organizations.find(s.user.orgId), store.projects.list(s.user.orgId)]);
        setCookie(req, reply, token); // the browser's expiry slides with the server's
        return {
          user: userOut(s.user),
          org: { id: s.user.orgId, name: org?.name ?? '' },
          projects: projects.map((p) => ({ id: p.id, name: p.name, slug: p.slug })),
          csrf_token: s.csrfToken,
        };
      },
    );
  };
}
