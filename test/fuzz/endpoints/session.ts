// Fuzz targets of the dashboard's session routes (sign-in, projects, keys, users) with the fuzz
// owner's cookie and CSRF token. A created project must be listed; a created key must authenticate.
import fc from 'fast-check';
import { call, endpoint, expectAccepted, fail, json, type Endpoint } from '../check.js';
import { Violation, type Req } from '../harness.js';
import { contentType, jsonBody, segment } from '../requests.js';
import { cleanString } from '../values.js';

type Gen = { req: Req; clean: boolean; value: unknown };

/** Cookie + CSRF mostly; sometimes no CSRF, a forged one, or no session at all. */
function sessionHeaders(s: { cookie: string; csrf: string }): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant({ cookie: s.cookie, 'x-csrf-token': s.csrf }) },
    { weight: 1, arbitrary: fc.constant({ cookie: s.cookie }) },
    { weight: 1, arbitrary: fc.constant({ cookie: s.cookie, 'x-csrf-token': 'forged' }) },
    { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({}, { cookie: 'aether_session=%00' }, { cookie: `${s.cookie}; aether_session=x` }) },
  );
}

function sessionRequest(method: string, path: fc.Arbitrary<string>, s: { cookie: string; csrf: string }, body: fc.Arbitrary<unknown>): fc.Arbitrary<Gen> {
  return fc.tuple(path, sessionHeaders(s), contentType, jsonBody(body)).map(([p, h, ct, b]) => ({
    req: { method, path: p, headers: { ...h, ...ct }, body: b.text },
    clean: b.clean && h['x-csrf-token'] === s.csrf && ct['content-type'] === 'application/json',
    value: b.value,
  }));
}

export function sessionEndpoints(s: { cookie: string; csrf: string }, project: { id: string; slug: string }): Array<Endpoint<unknown>> {
  const projects = 'POST /api/v1/projects';
  const keys = 'POST /api/v1/projects/:id/keys';
  const p = segment([project.id, project.slug]);
  return [
    endpoint<Gen>({
      name: projects,
      weight: 1,
      arb: sessionRequest('POST', fc.constant('/api/v1/projects'), s, fc.record({ name: cleanString(40), slug: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/) }, { requiredKeys: ['name'] })),
      async run(ctx, g) {
        const res = await call(ctx, projects, g.req);
        if (res.status !== 201) return;
        const id = json<{ id: string }>(res)?.id;
        const list = await ctx.s.send({ method: 'GET', path: '/api/v1/projects', headers: { cookie: s.cookie } });
        if (!json<{ data: Array<{ id: string }> }>(list)?.data.some((x) => x.id === id)) fail(ctx, projects, new Violation('lost-write', `created project ${id} is not listed`, g.req, res));
      },
    }),
    endpoint<Gen>({
      name: keys,
      weight: 1,
      arb: sessionRequest('POST', p.map((x) => `/api/v1/projects/${x}/keys`), s, fc.record({ name: cleanString(40) })),
      async run(ctx, g) {
        const res = await call(ctx, keys, g.req);
        if (g.clean && [project.id, project.slug].some((x) => g.req.path === `/api/v1/projects/${x}/keys`)) expectAccepted(ctx, keys, g.req, res);
        if (res.status !== 201) return;
        const key = json<{ key: string }>(res)?.key ?? '';
        const me = await ctx.s.send({ method: 'GET', path: '/api/v1/project', headers: { 'x-api-key': key } });
        if (me.status !== 200) fail(ctx, keys, new Violation('lost-write', `the created key does not authenticate (${me.status})`, g.req, res));
      },
    }),
    endpoint<Gen>({
      name: 'POST /api/v1/projects/:id/keys/:keyId/revoke',
      weight: 1,
      arb: sessionRequest('POST', fc.tuple(p, segment([])).map(([a, b]) => `/api/v1/projects/${a}/keys/${b}/revoke`), s, fc.constant({})),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/projects/:id/keys/:keyId/revoke', g.req);
      },
    }),
    endpoint<Gen>({
      name: 'POST /api/v1/users',
      weight: 1,
      arb: sessionRequest('POST', fc.constant('/api/v1/users'), s, fc.record({ email: fc.emailAddress(), name: cleanString(20), password: fc.constant('fuzz-password-2'), role: fc.constantFrom('member', 'viewer') }, { requiredKeys: ['email', 'password', 'role'] })),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/users', g.req);
      },
    }),
    endpoint<Gen>({
      name: 'POST /api/v1/auth/login',
      weight: 1,
      arb: sessionRequest('POST', fc.constant('/api/v1/auth/login'), { cookie: '', csrf: '' }, fc.record({ email: fc.oneof(fc.emailAddress(), fc.constant('fuzz-owner@example.com')), password: cleanString(20) })),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/auth/login', { ...g.req, headers: { ...g.req.headers, cookie: '' } });
      },
    }),
    endpoint<Gen>({
      name: 'GET /api/v1/projects|users|auth/me|auth/setup',
      weight: 1,
      arb: fc.tuple(fc.constantFrom('/api/v1/projects', '/api/v1/users', '/api/v1/auth/me', '/api/v1/auth/setup'), p.map((x) => `/api/v1/projects/${x}/keys`), fc.boolean(), sessionHeaders(s)).map(([a, b, pick, h]) => ({ req: { method: 'GET', path: pick ? a : b, headers: h }, clean: false, value: undefined })),
      async run(ctx, g) {
        await call(ctx, 'GET /api/v1/projects|users|auth/me|auth/setup', g.req);
      },
    }),
  ];
}
