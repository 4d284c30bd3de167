// Dashboard sign-in end to end through the real HTTP surface: first-owner setup, login and logout,
// rate limiting, sessions reading and writing project data (CSRF, roles, org boundaries), the
// admin routes, and API keys working exactly as before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { createAether } from '../src/app.js';
import { ensureSetupToken, hashPassword, verifyPassword } from '../src/server/session/index.js';
import { storeCases, tempDir } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { seedTrace } from './helpers/fixtures.js';

interface Reply {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  json<T = unknown>(): T;
}
interface Signed {
  cookie: string;
  csrf: string;
}

const cookieOf = (r: Reply): string => {
  const raw = r.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw : [String(raw ?? '')]).find((l) => l.startsWith('aether_session='));
  assert.ok(line, 'sets the session cookie');
  return line;
};

describe('passwords', () => {
  it('hash as scrypt$N$r$p$salt$hash with a random salt, and verify', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsf', a), false);
    assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$aa$bb'), false, 'malformed hashes fail closed');
  });
});

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`dashboard auth: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let owner: Signed;
    const inject = (o: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }) =>
      t.aether.server.inject({ method: o.method as 'GET', url: o.url, headers: { 'content-type': 'application/json', ...o.headers }, ...(o.payload === undefined ? {} : { payload: JSON.stringify(o.payload) }) }) as Promise<Reply>;
    const login = async (email: string, password: string): Promise<Signed> => {
      const r = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      assert.equal(r.statusCode, 200, r.body);
      return { cookie: cookieOf(r).split(';')[0]!, csrf: r.json<{ csrf_token: string }>().csrf_token };
    };
    /** Headers of a session request on a project; writes carry the CSRF token unless told not to. */
    const as = (s: Signed, project?: string, csrf = true) => ({ cookie: s.cookie, ...(project ? { 'x-aether-project': project } : {}), ...(csrf ? { 'x-csrf-token': s.csrf } : {}) });

    before(async () => {
      t = await startTestApp(c, { AETHER_LOGIN_MAX_FAILURES: '3' });
    });
    after(async () => t?.close());

    it('first start: a setup link creates the first owner once, and signs in', async () => {
      assert.deepEqual((await inject({ method: 'GET', url: '/api/v1/auth/setup' })).json(), { setup_required: true });
      const token = await ensureSetupToken(t.aether.store, t.aether.config.dataDir);
      assert.ok(token && token.length >= 24);
      assert.equal(await ensureSetupToken(t.aether.store, t.aether.config.dataDir), token, 'a restart prints the same link');
      const stored = await t.aether.store.pool.query<{ token_hash: string }>('select token_hash from setup_tokens');
      assert.ok(stored.rows.every((r) => r.token_hash !== token), 'only a hash is stored');

      const body = { token, email: 'Owner@Example.com', password: 'hunter22!', name: 'Olive Owner' };
      assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...body, token: 'nope' } })).statusCode, 403);
      const short = await inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...body, password: 'short' } });
      assert.equal(short.statusCode, 400);
      assert.match(short.body, /password/);
      const ok = await inject({ method: 'POST', url: '/api/v1/auth/setup', payload: body });
      assert.equal(ok.statusCode, 201, ok.body);
      const cookie = cookieOf(ok);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag');
      const me = await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie.split(';')[0]! } });
      assert.equal(me.statusCode, 200, me.body);
      const m = me.json<{ user: { role: string; email: string }; org: { name: string }; projects: Array<{ slug: string }>; csrf_token: string }>();
      assert.equal(m.user.role, 'owner');
      assert.equal(m.org.name, 'Test Org', 'joins the first organization');
      assert.deepEqual(m.projects.map((p) => p.slug), ['one', 'two']);
      assert.ok(m.csrf_token);

      const again = await inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...body, email: 'second@example.com' } });
      assert.equal(again.statusCode, 409, 'a second setup is refused');
      assert.equal(await ensureSetupToken(t.aether.store, t.aether.config.dataDir), undefined, 'no link once a user exists');
      const hashes = await t.aether.store.pool.query<{ password_hash: string }>('select password_hash from users');
      assert.match(hashes.rows[0]!.password_hash, /^scrypt\$/);
    });

    it('login, me and logout; wrong passwords get one generic 401', async () => {
      const wrong = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@example.com', password: 'wrong-password' } });
      assert.equal(wrong.statusCode, 401);
      const unknown = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.com', password: 'wrong-password' } });
      assert.equal(unknown.statusCode, 401);
      assert.equal(wrong.json<{ error: { message: string } }>().error.message, unknown.json<{ error: { message: string } }>().error.message);

      owner = await login('OWNER@example.com', 'hunter22!');
      const s = await login('owner@example.com', 'hunter22!');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).statusCode, 200);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie } })).statusCode, 403, 'logout needs the CSRF token');
      const out = await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: as(s) });
      assert.equal(out.statusCode, 204);
      assert.match(cookieOf(out), /Max-Age=0/);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).statusCode, 401);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(s, t.projectId) })).statusCode, 401, 'the ended session no longer reads data');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: owner.cookie } })).statusCode, 200, 'other sessions live on');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode, 401);
    });

    it('rate-limits failed logins per email and IP with 429', async () => {
      const attempt = (password: string) => inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@example.com', password } });
      for (let i = 0; i < 3; i++) assert.equal((await attempt('bad-guess')).statusCode, 401);
      const blocked = await attempt('hunter22!');
      assert.equal(blocked.statusCode, 429, 'even the right password waits');
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      const other = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'someone@example.com', password: 'x' } });
      assert.equal(other.statusCode, 401, 'other emails are not locked out');
    });

    it('a session reads and writes project data with X-Aether-Project, only in its organization', async () => {
      const ingest = await inject({ method: 'POST', url: '/api/v1/traces', headers: { 'x-api-key': t.key }, payload: seedTrace() });
      assert.equal(ingest.statusCode, 201);
      for (const ref of [t.projectId, 'one']) {
        const r = await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, ref, false) });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json<{ data: unknown[] }>().data.length, 1);
      }
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, 'two', false) })).json<{ data: unknown[] }>().data.length, 0);
      const missing = await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, undefined, false) });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /X-Aether-Project/);
      const org2 = await t.aether.store.organizations.create({ name: 'Elsewhere' });
      const foreign = await t.aether.store.projects.create({ orgId: org2.id, name: 'secret' });
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, foreign.id, false) })).statusCode, 404);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, 'secret', false) })).statusCode, 404);
      assert.equal((await inject({ method: 'GET', url: `/api/v1/projects/${foreign.id}/keys`, headers: as(owner) })).statusCode, 404);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/project', headers: as(owner, 'two', false) })).json<{ slug: string }>().slug, 'two');

      const noCsrf = await inject({ method: 'POST', url: '/api/v1/traces', headers: as(owner, 'one', false), payload: seedTrace() });
      assert.equal(noCsrf.statusCode, 403);
      assert.match(noCsrf.body, /X-CSRF-Token/);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/traces', headers: { ...as(owner, 'one', false), 'x-csrf-token': 'forged' }, payload: seedTrace() })).statusCode, 403);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/traces', headers: as(owner, 'one'), payload: seedTrace() })).statusCode, 201);
      const cfg = await inject({ method: 'PUT', url: `/api/v1/alert-config/${t.projectId}`, headers: as(owner, t.projectId), payload: { min_samples: 5 } });
      assert.equal(cfg.statusCode, 200, cfg.body);
    });

    it('roles: viewers only read, members manage keys, owners manage projects and users', async () => {
      const add = (email: string, role: string) => inject({ method: 'POST', url: '/api/v1/users', headers: as(owner), payload: { email, name: role, password: 'password-' + role, role } });
      assert.equal((await add('viewer@example.com', 'viewer')).statusCode, 201);
      assert.equal((await add('member@example.com', 'member')).statusCode, 201);
      assert.equal((await add('VIEWER@example.com', 'member')).statusCode, 409, 'emails are unique regardless of case');
      const unnamed = await inject({ method: 'POST', url: '/api/v1/users', headers: as(owner), payload: { email: 'quiet@example.com', name: '', password: 'password-quiet', role: 'viewer' } });
      assert.equal(unnamed.statusCode, 201, 'an empty name field means no name');
      assert.equal(unnamed.json<{ name: string | null }>().name, null);
      const users = (await inject({ method: 'GET', url: '/api/v1/users', headers: as(owner) })).json<{ data: Array<Record<string, unknown>> }>().data;
      assert.deepEqual(users.map((u) => u.role), ['owner', 'viewer', 'member', 'viewer']);
      assert.ok(users.every((u) => !('password_hash' in u) && !JSON.stringify(u).includes('scrypt')));

      const viewer = await login('viewer@example.com', 'password-viewer');
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(viewer, 'one') })).statusCode, 200);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/projects', headers: as(viewer) })).statusCode, 200);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/traces', headers: as(viewer, 'one'), payload: seedTrace() })).statusCode, 403);
      assert.equal((await inject({ method: 'PUT', url: `/api/v1/alert-config/${t.projectId}`, headers: as(viewer, t.projectId), payload: {} })).statusCode, 403);
      assert.equal((await inject({ method: 'POST', url: `/api/v1/projects/${t.projectId}/keys`, headers: as(viewer), payload: { name: 'x' } })).statusCode, 403);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/users', headers: as(viewer) })).statusCode, 403);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: as(viewer) })).statusCode, 204, 'viewers can sign out');

      const member = await login('member@example.com', 'password-member');
      assert.equal((await inject({ method: 'POST', url: '/api/v1/projects', headers: as(member), payload: { name: 'nope' } })).statusCode, 403);
      assert.equal((await inject({ method: 'POST', url: '/api/v1/users', headers: as(member), payload: { email: 'x@example.com', password: '12345678', role: 'owner' } })).statusCode, 403);
      assert.equal((await inject({ method: 'POST', url: `/api/v1/projects/${t.projectId}/keys`, headers: as(member), payload: { name: 'member key' } })).statusCode, 201);

      const created = await inject({ method: 'POST', url: '/api/v1/projects', headers: as(owner), payload: { name: 'Three' } });
      assert.equal(created.statusCode, 201, created.body);
      const three = created.json<{ id: string; slug: string }>();
      assert.equal(three.slug, 'three');
      const list = (await inject({ method: 'GET', url: '/api/v1/projects', headers: as(owner) })).json<{ data: Array<{ slug: string }> }>().data;
      assert.deepEqual(list.map((p) => p.slug), ['one', 'two', 'three']);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: as(owner, three.id) })).statusCode, 200, 'a new project is usable at once');
    });

    it('keys created in the dashboard are shown once and work; revoking stops them; API keys work as before', async () => {
      const created = await inject({ method: 'POST', url: `/api/v1/projects/${t.projectId}/keys`, headers: as(owner), payload: { name: 'ci' } });
      assert.equal(created.statusCode, 201, created.body);
      const { id, key } = created.json<{ id: string; key: string }>();
      assert.match(key, /^ae_/);
      const listed = await inject({ method: 'GET', url: `/api/v1/projects/one/keys`, headers: as(owner) });
      assert.equal(listed.statusCode, 200);
      assert.ok(!listed.body.includes(key), 'the secret is never listed again');
      const row = listed.json<{ data: Array<Record<string, unknown>> }>().data.find((k) => k.id === id);
      assert.deepEqual(Object.keys(row ?? {}).sort(), ['created_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at']);

      assert.equal((await inject({ method: 'POST', url: '/api/v1/traces', headers: { 'x-api-key': key }, payload: seedTrace() })).statusCode, 201);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/project', headers: { authorization: `Bearer ${key}` } })).json<{ id: string }>().id, t.projectId);
      // A key wins over a cookie, and needs no CSRF token (browsers cannot attach it cross-site).
      assert.equal((await inject({ method: 'POST', url: '/api/v1/traces', headers: { 'x-api-key': t.key, cookie: owner.cookie }, payload: seedTrace() })).statusCode, 201);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/projects', headers: { 'x-api-key': t.key } })).statusCode, 401, 'admin routes take a session, not a key');

      assert.equal((await inject({ method: 'POST', url: `/api/v1/projects/two/keys/${id}/revoke`, headers: as(owner) })).statusCode, 404, 'the key belongs to another project');
      const revoked = await inject({ method: 'POST', url: `/api/v1/projects/${t.projectId}/keys/${id}/revoke`, headers: as(owner) });
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.ok(revoked.json<{ revoked_at: string | null }>().revoked_at);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: { 'x-api-key': key } })).statusCode, 401);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/traces', headers: { 'x-api-key': t.key } })).statusCode, 200);
    });
  });
}

describe('dashboard static files', () => {
  const start = async (webDir: string) => {
    const data = tempDir();
    const aether = await createAether(parseConfig({ AETHER_DATA_DIR: data.dir, AETHER_WEB_DIR: webDir, LOG_LEVEL: 'silent', AETHER_WORKER: 'false' }), { logger: false });
    return { aether, close: async () => (await aether.close(), data.remove()) };
  };
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  it('serves the built app, with index.html for page URLs and long caching for assets', async () => {
    const dist = tempDir('aether-web-');
    mkdirSync(join(dist.dir, 'assets'));
    writeFileSync(join(dist.dir, 'index.html'), '<!doctype html><div id="root">fake dashboard</div>');
    writeFileSync(join(dist.dir, 'assets', 'app-1234.js'), 'console.log(1)');
    const { aether, close } = await start(dist.dir);
    try {
      const get = (url: string, headers: Record<string, string> = html) => aether.server.inject({ method: 'GET', url, headers });
      for (const url of ['/', '/traces/abc', '/setup?token=x']) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, url);
        assert.match(r.body, /fake dashboard/);
        assert.match(String(r.headers['cache-control']), /no-cache/);
        assert.match(String(r.headers['content-type']), /text\/html/);
      }
      const asset = await get('/assets/app-1234.js', {});
      assert.equal(asset.statusCode, 200);
      assert.match(String(asset.headers['cache-control']), /max-age=31536000, immutable/);
      assert.equal((await get('/assets/missing.js', { accept: '*/*' })).statusCode, 404, 'a missing asset is not answered with HTML');
      for (const url of ['/api/v1/nope', '/v1/nope', '/health/nope']) {
        const r = await get(url);
        assert.equal(r.statusCode, 404, url);
        assert.equal(r.json<{ error: { code: string } }>().error.code, 'not_found');
      }
      assert.equal((await get('/health', {})).statusCode, 200);
      assert.equal((await get('/openapi.json', {})).statusCode, 200);
      assert.equal((await get('/docs', html)).statusCode, 200);
    } finally {
      await close();
      dist.remove();
    }
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const { aether, close } = await start(join(tempDir().dir, 'missing'));
    try {
      const r = await aether.server.inject({ method: 'GET', url: '/', headers: html });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /npm run build/);
      assert.equal((await aether.server.inject({ method: 'GET', url: '/api/v1/nope', headers: html })).statusCode, 404);
    } finally {
      await close();
    }
  });
});
