// Prompt changes leave through the alert outbox: a signed webhook (checked by the SDK helper, retried
// after a failure) and a Slack notice; the TypeScript SDK's cache, stale-while-revalidate and
// fallbacks against a real server; a second server process on the same PostgreSQL drops its cached
// prompt within a second of a label move.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PromptClient, verifyWebhook } from '../sdk/src/index.js';
import { createTestDatabase, skipWithoutPostgres, storeCases, tempDir } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startReceiver, type Receiver } from './helpers/slack-receiver.js';
import { startServer } from './helpers/process.js';
import { openStore } from '../src/storage/index.js';
import { parseConfig } from '../src/core/config.js';
import { createAether } from '../src/app.js';

const SECRET = 'whsec-prompt-test-0123456789';

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function api(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(base + path, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: r.headers };
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`prompt change webhooks and SDK: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let base: string;
    let hook: Receiver;
    let slack: Receiver;
    const call = (method: string, path: string, body?: unknown) => api(base, t.key, method, path, body);

    before(async () => {
      t = await startTestApp(c, { AETHER_ALERT_RETRY_BASE_MS: '50', AETHER_ALERT_POLL_MS: '50' });
      base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      hook = await startReceiver();
      slack = await startReceiver();
      const cfg = await call('PUT', `/api/v1/alert-config/${t.projectId}`, { webhook_url: hook.url, webhook_secret: SECRET, webhook_enabled: true, slack_webhook_url: slack.url, slack_enabled: true });
      assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
    });
    after(async () => {
      await t?.close();
      await hook?.close();
      await slack?.close();
    });

    it('create, label move and delete each POST a signed webhook (retried after a 500) and a Slack notice', async () => {
      hook.failNext('500', 1);
      const v1 = await call('POST', '/api/v1/prompts', { name: 'greeter', prompt: 'Hello {{who}}', labels: ['production'], commit_message: 'first' });
      assert.equal(v1.status, 201);
      const created = await until('created webhook', () => hook.posts.find((p) => p.headers['x-aether-event'] === 'prompt.created'));
      assert.ok(hook.requests >= 2, 'the first attempt failed and was retried');
      assert.equal((created.json.prompt as { name: string; version: number }).version, 1);
      assert.deepEqual((created.json.labels as Record<string, unknown>).production, { from_version: null, to_version: 1 });
      const sig = created.headers['x-aether-signature'] as string;
      assert.match(sig, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(await verifyWebhook(SECRET, sig, created.body), true, 'the SDK helper accepts the real signature');
      const t0 = Number(/t=(\d+)/.exec(sig)![1]);
      assert.equal(createHmac('sha256', SECRET).update(`${t0}.${created.body}`).digest('hex'), sig.split('v1=')[1], 'HMAC-SHA256 of "<t>.<body>"');
      assert.equal(await verifyWebhook(SECRET, sig, created.body.replace('"version":1', '"version":2')), false, 'a tampered body is rejected');
      assert.equal(await verifyWebhook('another-secret-0123456789', sig, created.body), false, 'a wrong secret is rejected');
      assert.equal(await verifyWebhook(SECRET, sig, created.body, { nowSec: t0 + 301 }), false, 'a stale timestamp is rejected');
      assert.equal(await verifyWebhook(SECRET, sig, created.body, { nowSec: t0 + 299 }), true);

      await call('POST', '/api/v1/prompts', { name: 'greeter', prompt: 'Hi {{who}}!' });
      const moved = await call('POST', '/api/v1/prompts/greeter/labels', { label: 'production', version: 2 });
      assert.equal(moved.status, 200);
      const mv = await until('label webhook', () => hook.posts.find((p) => p.headers['x-aether-event'] === 'prompt.label_moved'));
      assert.equal(await verifyWebhook(SECRET, mv.headers['x-aether-signature'] as string, mv.body), true);
      assert.deepEqual([mv.json.label, mv.json.from_version, mv.json.to_version], ['production', 1, 2]);
      assert.equal(await verifyWebhook(SECRET, created.headers['x-aether-signature'] as string, mv.body), false, 'a signature is bound to its body');

      assert.equal((await call('DELETE', '/api/v1/prompts/greeter')).status, 200);
      const del = await until('delete webhook', () => hook.posts.find((p) => p.headers['x-aether-event'] === 'prompt.deleted'));
      assert.deepEqual(del.json.versions, [1, 2]);
      const texts = await until('three slack notices', () => (slack.posts.length >= 3 ? slack.posts.map((p) => String(p.json.text)) : undefined));
      assert.ok(texts.some((s) => s.includes('greeter: production → version 2')), texts.join('\n'));
      assert.ok(texts.some((s) => s.includes('greeter: deleted')));
    });

    it('SDK getPrompt: TTL cache, stale-while-revalidate, last good copy and caller default when unreachable; compile', async () => {
      await call('POST', '/api/v1/prompts', { name: 'faq', prompt: 'Answer {{q}} in {{lang}}', variables: { lang: { type: 'string', default: 'English' } }, labels: ['production'] });
      let requests = 0;
      const counting = (url: string, init: { method: string; headers: Record<string, string>; signal?: AbortSignal }) => {
        requests++;
        return fetch(url, init);
      };
      const sdk = new PromptClient({ apiKey: t.key, baseUrl: base, fetch: counting });
      const p1 = await sdk.getPrompt('faq', { cacheTtlMs: 200 });
      assert.equal(p1.source, 'server');
      assert.equal(p1.compile({ q: 'refunds?' }), 'Answer refunds? in English');
      assert.throws(() => p1.compile({}), /missing variables: q/);
      const p2 = await sdk.getPrompt('faq', { cacheTtlMs: 200 });
      assert.equal(p2.source, 'cache');
      assert.equal(requests, 1, 'a fresh copy is served without a request');

      await call('POST', '/api/v1/prompts', { name: 'faq', prompt: 'Reply to {{q}}', labels: ['production'] });
      await new Promise((r) => setTimeout(r, 250));
      const stale = await sdk.getPrompt('faq', { cacheTtlMs: 200 });
      assert.equal(stale.source, 'stale', 'an expired copy is returned at once');
      assert.equal(stale.version, 1);
      await until('background refresh', async () => ((await sdk.getPrompt('faq', { cacheTtlMs: 60_000 })).version === 2 ? true : undefined));

      sdk.invalidate('faq');
      const afterInvalidate = await sdk.getPrompt('faq');
      assert.equal(afterInvalidate.source, 'server', 'invalidate makes the next read ask the server');

      const errorsSeen: Error[] = [];
      const down = new PromptClient({ apiKey: t.key, baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000, onError: (e) => errorsSeen.push(e) });
      const fb = await down.getPrompt('faq', { fallback: 'Answer {{q}}' });
      assert.equal(fb.source, 'fallback');
      assert.equal(fb.compile({ q: 'x' }), 'Answer x');
      assert.ok(errorsSeen.length > 0);
      await assert.rejects(down.getPrompt('faq'), 'no copy and no default: the error reaches the caller');

      // A client that fetched once keeps serving its last good copy once the server is unreachable.
      let reachable = true;
      const flaky = new PromptClient({ apiKey: t.key, baseUrl: base, fetch: (u, i) => (reachable ? fetch(u, i) : Promise.reject(new TypeError('fetch failed'))) });
      assert.equal((await flaky.getPrompt('faq', { cacheTtlMs: 1 })).version, 2);
      reachable = false;
      flaky.invalidate();
      const last = await flaky.getPrompt('faq', { cacheTtlMs: 1 });
      assert.equal(last.source, 'stale');
      assert.equal(last.version, 2);
      await assert.rejects(new PromptClient({ apiKey: t.key, baseUrl: base }).getPrompt('nope'), /404/);
    });
  });
}

describe('prompt cache across server processes on one PostgreSQL', async () => {
  const skip = await skipWithoutPostgres();
  it('a label moved in one process is served by another within a second', { skip }, async () => {
    const db = await createTestDatabase();
    const dir = tempDir();
    const store = await openStore({ databaseUrl: db.url, dataDir: dir.dir });
    const org = await store.organizations.create({ name: 'Org' });
    const project = await store.projects.create({ orgId: org.id, name: 'p' });
    const { key } = await store.apiKeys.create({ projectId: project.id });
    const a = await createAether(parseConfig({ DATABASE_URL: db.url, AETHER_DATA_DIR: dir.dir, LOG_LEVEL: 'silent', AETHER_MASTER_KEY: 'a'.repeat(64) }), { store, logger: false, keyCacheMs: 0 });
    const baseA = await a.server.listen({ port: 0, host: '127.0.0.1' });
    const b = await startServer(['--no-worker'], { DATABASE_URL: db.url, AETHER_DATA_DIR: tempDir().dir, AETHER_MASTER_KEY: 'a'.repeat(64) });
    try {
      await api(baseA, key, 'POST', '/api/v1/prompts', { name: 'router', prompt: 'v1', labels: ['production'] });
      await api(baseA, key, 'POST', '/api/v1/prompts', { name: 'router', prompt: 'v2' });
      assert.equal((await api(b.url, key, 'GET', '/api/v1/prompts/router')).body.version, 1);
      const cached = await api(b.url, key, 'GET', '/api/v1/prompts/router');
      assert.equal(cached.headers.get('x-aether-cache'), 'hit', 'process B serves the prompt from its own memory');
      const t0 = performance.now();
      assert.equal((await api(baseA, key, 'POST', '/api/v1/prompts/router/labels', { label: 'production', version: 2 })).status, 200);
      const version = await until('process B to serve version 2', async () => {
        const r = await api(b.url, key, 'GET', '/api/v1/prompts/router');
        return r.body.version === 2 ? r : undefined;
      }, 5000);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
      assert.equal(version.headers.get('x-aether-cache'), 'miss');
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
      await a.close();
      await db.drop();
      dir.remove();
    }
  });
});
