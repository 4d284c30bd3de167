// Per-project provider credentials: stored sealed (AES-256-GCM), shown only as a hint, used for that
// project's calls (key and base URL), and gone when deleted.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';

describe('gateway provider credentials', () => {
  let g: GatewayTestApp;
  const secret = 'sk-project-one-0123456789abcdef';
  const api = (method: string, path: string, body?: unknown, key = g.t.key) =>
    fetch(`${g.base}${path}`, { method, headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  before(async () => {
    g = await startGatewayApp({}, { ANTHROPIC_API_KEY: '' });
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  it('stores a key sealed, answers with a hint only, and uses it for the project’s calls', async () => {
    const put = await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/openai`, { api_key: secret, base_url: `${g.upstream.url}/v1` });
    assert.equal(put.status, 200, await put.clone().text());
    const view = (await put.json()) as Record<string, unknown>;
    assert.equal(view.api_key_hint, 'sk-p…cdef');
    assert.ok(!JSON.stringify(view).includes(secret));
    const row = await g.t.aether.store.pool.query<{ secret: string }>('select secret from gateway_credentials');
    assert.equal(row.rows.length, 1);
    assert.ok(!row.rows[0]!.secret.includes(secret), 'sealed at rest');
    assert.ok(!row.rows[0]!.secret.includes('0123456789'), 'no fragment of the key either');

    const list = (await (await api('GET', `/api/v1/projects/one/providers`)).json()) as { data: Array<Record<string, unknown>> };
    assert.deepEqual(list.data.map((d) => d.provider), ['openai']);
    assert.ok(!JSON.stringify(list).includes(secret));

    const mine = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
    await mine.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(g.upstream.calls[0]!.headers.authorization, `Bearer ${secret}`);
    const theirs = new OpenAI({ apiKey: g.t.other.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
    await theirs.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(g.upstream.calls[1]!.headers.authorization, 'Bearer sk-test-openai', 'the other project keeps the server key');
  });

  it('makes a provider usable that the server has no key for, and forgets it on DELETE', async () => {
    const noKey = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
    await assert.rejects(noKey.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /No API key for anthropic/.test(e.message));
    assert.equal((await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/anthropic`, { api_key: 'sk-ant-project-key-xyz' })).status, 200);
    const r = await noKey.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]!.message.content, 'Hello there!');
    assert.equal(g.upstream.calls[0]!.headers['x-api-key'], 'sk-ant-project-key-xyz');
    assert.equal((await api('GET', `/api/v1/projects/${g.t.projectId}/providers/anthropic`)).status, 200);
    assert.equal((await api('DELETE', `/api/v1/projects/${g.t.projectId}/providers/anthropic`)).status, 204);
    assert.equal((await api('GET', `/api/v1/projects/${g.t.projectId}/providers/anthropic`)).status, 404);
    await assert.rejects(noKey.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError);
  });

  it('lists every model the project can reach: env keys, its stored keys, and the mock', async () => {
    const ids = async (key = g.t.key) => (await new OpenAI({ apiKey: key, baseURL: `${g.base}/v1`, maxRetries: 0 }).models.list()).data.map((m) => m.id);
    const first = await new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 }).models.list();
    for (const m of first.data) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(m.owned_by, m.id.slice(0, m.id.indexOf('/')));
    }
    const before = first.data.map((m) => m.id);
    for (const id of ['openai/gpt-4o-mini', 'openai/text-embedding-3-small', 'openrouter/anthropic/claude-3.5-sonnet', 'mock/echo']) assert.ok(before.includes(id), id);
    assert.ok(!before.some((id) => id.startsWith('anthropic/')), 'no server key and no stored key for anthropic');
    assert.ok(!before.some((id) => id.includes('ft:')), 'fine-tune templates are not callable names');
    assert.equal((await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/anthropic`, { api_key: 'sk-ant-project-key-xyz' })).status, 200);
    const withKey = await ids();
    for (const id of ['anthropic/claude-sonnet-4-5', 'anthropic/claude-haiku-4-5', 'anthropic/claude-3-5-haiku-latest']) assert.ok(withKey.includes(id), id);
    assert.ok(!(await ids(g.t.other.key)).some((id) => id.startsWith('anthropic/')), 'another project does not see this project’s key');
    const r = await new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 }).chat.completions.create({ model: withKey.find((id) => id.startsWith('anthropic/'))!, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]!.message.content, 'Hello there!', 'a listed model is callable');
    const anthropicShape = (await (await fetch(`${g.base}/v1/models`, { headers: { 'x-api-key': g.t.key, 'anthropic-version': '2023-06-01' } })).json()) as { data: Array<{ id: string; type: string }> };
    assert.deepEqual(anthropicShape.data.map((m) => m.id), withKey);
    assert.equal((await api('DELETE', `/api/v1/projects/${g.t.projectId}/providers/anthropic`)).status, 204);
    assert.deepEqual(await ids(), before);
  });

  it('refuses unknown providers, bad bodies and other projects', async () => {
    assert.equal((await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/nope`, { api_key: 'x' })).status, 404);
    const bad = await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/openai`, { key: 'x' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /api_key/);
    for (const key of ['\u0000\u0000\u0000\u0000secret-key\u0000', 'sk-ⲱⲱⲱⲱ-key-long', 'sk-key\r\nx-evil: 1']) {
      const r = await api('PUT', `/api/v1/projects/${g.t.projectId}/providers/openai`, { api_key: key });
      assert.equal(r.status, 400, JSON.stringify(key));
      assert.match(await r.text(), /api_key: must be printable ASCII/);
    }
    assert.equal((await api('GET', `/api/v1/projects/${g.t.other.projectId}/providers`)).status, 404);
    assert.equal((await api('GET', `/api/v1/projects/${g.t.projectId}/providers`, undefined, 'ae_bad')).status, 401);
  });
});
