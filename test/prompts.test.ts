// Prompt registry through real HTTP on both stores: immutable versions, labels that move, protected
// labels only owners move, variables (types, defaults, missing names), diff, delete, project isolation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createUser } from '../src/server/session/index.js';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

interface Res<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`prompt registry: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let base: string;
    let owner: { cookie: string; csrf: string };
    let member: { cookie: string; csrf: string };

    const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': t.key }): Promise<Res<T>> => {
      const r = await fetch(base + path, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as T, headers: r.headers };
    };
    const session = (s: { cookie: string; csrf: string }) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf, 'x-aether-project': t.projectId });
    const login = async (email: string): Promise<{ cookie: string; csrf: string }> => {
      const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct-horse-1' }) });
      assert.equal(r.status, 200, await r.clone().text());
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      return { cookie, csrf: ((await r.json()) as { csrf_token: string }).csrf_token };
    };

    before(async () => {
      t = await startTestApp(c);
      base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      const orgId = (await t.aether.store.projects.get(t.projectId))!.orgId;
      await createUser(t.aether.store, { orgId, email: 'owner@example.com', password: 'correct-horse-1', role: 'owner' });
      await createUser(t.aether.store, { orgId, email: 'member@example.com', password: 'correct-horse-1', role: 'member' });
      owner = await login('owner@example.com');
      member = await login('member@example.com');
    });
    after(async () => t?.close());

    it('creates immutable auto-numbered versions; latest follows, production only where moved', async () => {
      const v1 = await call('POST', '/api/v1/prompts', {
        name: 'support-bot',
        type: 'chat',
        prompt: [
          { role: 'system', content: 'You are {{persona}}. Answer in {{lang}}.' },
          { role: 'user', content: '{{question}}' },
        ],
        variables: { persona: { type: 'string', default: 'a helpful agent' }, lang: 'string', question: { type: 'string' } },
        config: { model: 'gpt-4o-mini', temperature: 0.2 },
        labels: ['production'],
        commit_message: 'first',
        tags: ['support'],
        category: 'chat',
      });
      assert.equal(v1.status, 201, JSON.stringify(v1.body));
      assert.equal(v1.body.version, 1);
      assert.deepEqual(v1.body.labels, ['latest', 'production']);
      const v2 = await call('POST', '/api/v1/prompts', { name: 'support-bot', type: 'chat', prompt: [{ role: 'system', content: 'You are {{persona}}, concise. Answer in {{lang}}.' }, { role: 'user', content: '{{question}}' }], variables: { persona: { type: 'string', default: 'a helpful agent' }, lang: 'string' }, config: { model: 'gpt-4o', temperature: 0.2 }, commit_message: 'concise' });
      assert.equal(v2.status, 201);
      assert.equal(v2.body.version, 2);
      assert.deepEqual(v2.body.labels, ['latest']);
      const prod = await call('GET', '/api/v1/prompts/support-bot');
      assert.equal(prod.status, 200);
      assert.equal(prod.body.version, 1, 'the default label is production');
      assert.equal(prod.body.commit_message, 'first');
      assert.equal((await call('GET', '/api/v1/prompts/support-bot?label=latest')).body.version, 2);
      const byNumber = await call<{ version: number; labels: string[]; prompt: Array<{ content: string }> }>('GET', '/api/v1/prompts/support-bot?version=1');
      assert.equal(byNumber.body.prompt[0]!.content, 'You are {{persona}}. Answer in {{lang}}.', 'version 1 is unchanged by version 2');
      const versions = await call<{ data: Array<{ version: number }> }>('GET', '/api/v1/prompts/support-bot/versions');
      assert.deepEqual(versions.body.data.map((v) => v.version), [2, 1]);
      assert.equal((await call('PUT', '/api/v1/prompts/support-bot', { prompt: 'x' })).status, 404, 'no way to edit a version in place');
      const typeChange = await call('POST', '/api/v1/prompts', { name: 'support-bot', type: 'text', prompt: 'hello' });
      assert.equal(typeChange.status, 409);
      const list = await call<{ data: Array<{ name: string; latest_version: number; labels: Record<string, number>; tags: string[] }> }>('GET', '/api/v1/prompts?tag=support');
      assert.deepEqual(list.body.data.map((p) => [p.name, p.latest_version, p.labels]), [['support-bot', 2, { latest: 2, production: 1 }]]);
      assert.equal((await call<{ data: unknown[] }>('GET', '/api/v1/prompts?tag=other')).body.data.length, 0);
    });

    it('moves labels; latest is automatic; unknown versions and prompts are 404', async () => {
      const moved = await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'production', version: 2 });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.deepEqual(moved.body, { name: 'support-bot', label: 'production', from_version: 1, to_version: 2 });
      assert.equal((await call('GET', '/api/v1/prompts/support-bot')).body.version, 2);
      const staging = await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'staging', version: 1 });
      assert.equal(staging.body.from_version, null);
      assert.equal((await call('GET', '/api/v1/prompts/support-bot?label=staging')).body.version, 1);
      const latest = await call<{ error: { code: string } }>('POST', '/api/v1/prompts/support-bot/labels', { label: 'latest', version: 1 });
      assert.equal(latest.status, 400);
      assert.equal(latest.body.error.code, 'label_reserved');
      assert.equal((await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'production', version: 9 })).status, 404);
      assert.equal((await call('POST', '/api/v1/prompts/nope/labels', { label: 'production', version: 1 })).status, 404);
      assert.equal((await call('GET', '/api/v1/prompts/support-bot?label=canary')).status, 404);
      assert.equal((await call('POST', '/api/v1/prompts', { name: 'bad name', prompt: 'x' })).status, 400);
      assert.equal((await call('POST', '/api/v1/prompts', { name: 'n'.repeat(101), prompt: 'x' })).status, 400, 'a name the URL could not carry back');
      assert.equal((await call('POST', '/api/v1/prompts', { name: 'x', labels: ['latest'], prompt: 'x' })).status, 400);
    });

    it('renders with defaults and coercion; missing variables are a 400 that lists them', async () => {
      const ok = await call<{ version: number; prompt: Array<{ content: string }> }>('POST', '/api/v1/prompts/support-bot/render', { variables: { lang: 'French', question: 'Where is my order?' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.version, 2);
      assert.equal(ok.body.prompt[0]!.content, 'You are a helpful agent, concise. Answer in French.');
      assert.equal(ok.body.prompt[1]!.content, 'Where is my order?');
      const missing = await call<{ error: { code: string; message: string; details: { missing: string[] } } }>('POST', '/api/v1/prompts/support-bot/render', { version: 1, variables: {} });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'missing_variables');
      assert.deepEqual(missing.body.error.details.missing, ['lang', 'question']);
      assert.match(missing.body.error.message, /lang, question/);
      await call('POST', '/api/v1/prompts', { name: 'typed', prompt: 'Top {{k}} results, verbose={{verbose}}', variables: { k: { type: 'number', default: 3 }, verbose: 'boolean' } });
      const typed = await call('POST', '/api/v1/prompts/typed/render', { label: 'latest', variables: { k: '5', verbose: true } });
      assert.equal(typed.body.prompt, 'Top 5 results, verbose=true');
      const wrong = await call<{ error: { code: string; message: string } }>('POST', '/api/v1/prompts/typed/render', { label: 'latest', variables: { k: 'many', verbose: true } });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.error.message, /k \(expected number\)/);
      const badDefault = await call('POST', '/api/v1/prompts', { name: 'typed', prompt: '{{k}}', variables: { k: { type: 'number', default: 'three' } } });
      assert.equal(badDefault.status, 400);
    });

    it('diffs two versions line by line with config changes', async () => {
      const d = await call<{ prompt: Array<{ op: string; text: string }>; config: { changed: Record<string, { from: unknown; to: unknown }> } }>('GET', '/api/v1/prompts/support-bot/diff?from=1&to=2');
      assert.equal(d.status, 200);
      assert.deepEqual(d.body.prompt.filter((l) => l.op !== 'equal'), [
        { op: 'remove', text: 'system: You are {{persona}}. Answer in {{lang}}.' },
        { op: 'add', text: 'system: You are {{persona}}, concise. Answer in {{lang}}.' },
      ]);
      assert.deepEqual(d.body.config.changed, { model: { from: 'gpt-4o-mini', to: 'gpt-4o' } });
      assert.equal((await call('GET', '/api/v1/prompts/support-bot/diff?from=1&to=7')).status, 404);
    });

    it('protected labels: only an owner session moves them; API keys and members get 403', async () => {
      assert.equal((await call('PUT', '/api/v1/prompt-settings', { protected_labels: ['production'] })).status, 403, 'an API key cannot protect labels');
      assert.equal((await call('PUT', '/api/v1/prompt-settings', { protected_labels: ['production'] }, session(member))).status, 403);
      const set = await call('PUT', '/api/v1/prompt-settings', { protected_labels: ['production'] }, session(owner));
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const byKey = await call<{ error: { message: string } }>('POST', '/api/v1/prompts/support-bot/labels', { label: 'production', version: 1 });
      assert.equal(byKey.status, 403);
      assert.match(byKey.body.error.message, /"production" is protected/);
      assert.equal((await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'production', version: 1 }, session(member))).status, 403);
      assert.equal((await call('POST', '/api/v1/prompts', { name: 'support-bot', type: 'chat', prompt: [{ role: 'user', content: 'hi' }], labels: ['production'] })).status, 403, 'creating with a protected label is moving it');
      assert.equal((await call('DELETE', '/api/v1/prompts/support-bot?version=2')).status, 403, 'deleting the version production points at needs an owner');
      assert.equal((await call('GET', '/api/v1/prompts/support-bot')).body.version, 2, 'refused moves changed nothing');
      assert.equal((await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'staging', version: 2 }, session(member))).status, 200, 'unprotected labels stay open');
      const byOwner = await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'production', version: 1 }, session(owner));
      assert.equal(byOwner.status, 200, JSON.stringify(byOwner.body));
      assert.equal((await call('GET', '/api/v1/prompts/support-bot')).body.version, 1);
    });

    it('each project sees only its own prompts', async () => {
      const other = { 'x-api-key': t.other.key };
      assert.equal((await call('GET', '/api/v1/prompts/support-bot', undefined, other)).status, 404);
      assert.equal((await call<{ data: unknown[] }>('GET', '/api/v1/prompts', undefined, other)).body.data.length, 0);
      assert.equal((await call('POST', '/api/v1/prompts/support-bot/labels', { label: 'staging', version: 1 }, other)).status, 404);
      assert.equal((await call('GET', '/api/v1/prompts')).status, 200);
      assert.equal((await call('GET', '/api/v1/prompts', undefined, {})).status, 401);
    });

    it('deletes one version (latest falls back) or a whole prompt', async () => {
      await call('POST', '/api/v1/prompts', { name: 'temp', prompt: 'one' });
      await call('POST', '/api/v1/prompts', { name: 'temp', prompt: 'two' });
      const del = await call('DELETE', '/api/v1/prompts/temp?version=2');
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, { name: 'temp', versions: [2], labels: ['latest'] });
      assert.equal((await call('GET', '/api/v1/prompts/temp?label=latest')).body.version, 1);
      const three = await call('POST', '/api/v1/prompts', { name: 'temp', prompt: 'three' });
      assert.equal(three.body.version, 3, 'version numbers are never reused');
      assert.equal((await call('DELETE', '/api/v1/prompts/temp')).status, 200);
      assert.equal((await call('GET', '/api/v1/prompts/temp?label=latest')).status, 404);
      assert.equal((await call('DELETE', '/api/v1/prompts/temp')).status, 404);
      const events = await call<{ data: Array<{ event: string }> }>('GET', '/api/v1/prompts/temp/events');
      assert.deepEqual(events.body.data.map((e) => e.event), ['prompt.deleted', 'prompt.created', 'prompt.deleted', 'prompt.created', 'prompt.created']);
    });
  });
}
