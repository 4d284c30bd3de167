// Breaker state is readable: each store (memory, Redis) lists its breakers with state, window
// counts and open-until; GET /api/v1/gateway/breakers shows a project the shared breakers and its
// own, never another project's own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { memoryBreakerStore, redisBreakerStore, type BreakerStore } from '../../src/gateway/index.js';
import { REDIS_URL, skipWithoutRedis } from '../helpers/stores.js';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';

const cfg = { windowMs: 10_000, minRequests: 2, failureRate: 0.5, openMs: 5_000 };

const stores: Array<{ name: string; skip: () => Promise<string | false>; open: () => Promise<{ store: BreakerStore; close: () => Promise<void> }> }> = [
  { name: 'memory', skip: async () => false, open: async () => ({ store: memoryBreakerStore(), close: async () => undefined }) },
  {
    name: 'redis',
    skip: skipWithoutRedis,
    open: async () => {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const prefix = `aether:test:${randomBytes(4).toString('hex')}:cb:`;
      return {
        store: redisBreakerStore(r, prefix),
        close: async () => {
          const keys = await r.keys(`${prefix}*`);
          if (keys.length) await r.del(...keys);
          r.disconnect();
        },
      };
    },
  },
];

for (const impl of stores) {
  describe(`breaker listing: ${impl.name}`, { skip: await impl.skip() }, () => {
    it('lists each breaker with its state, window counts and open-until; past it, half-open', async () => {
      const { store, close } = await impl.open();
      try {
        const t0 = 1_000_000;
        await store.record('openai/a', true, cfg, t0);
        await store.record('openai/b', true, cfg, t0);
        await store.record('openai/b', false, cfg, t0 + 1);
        const rows = new Map((await store.list(cfg, t0 + 2)).map((r) => [r.key, r]));
        assert.deepEqual(rows.get('openai/a'), { key: 'openai/a', state: 'closed', calls: 1, failures: 0, openUntil: undefined });
        assert.deepEqual(rows.get('openai/b'), { key: 'openai/b', state: 'open', calls: 0, failures: 0, openUntil: t0 + 1 + cfg.openMs });
        assert.equal((await store.list(cfg, t0 + 2 + cfg.openMs)).find((r) => r.key === 'openai/b')?.state, 'half_open');
        // Outcomes older than the window no longer count.
        assert.equal((await store.list(cfg, t0 + cfg.windowMs * 2)).find((r) => r.key === 'openai/a')?.calls ?? 0, 0);
      } finally {
        await close();
      }
    });
  });
}

describe('GET /api/v1/gateway/breakers', () => {
  let g: GatewayTestApp;
  before(async () => {
    g = await startGatewayApp({ breaker: { min_requests: 2, failure_rate: 0.5, open_ms: 60_000 }, retry: { max_retries: 0 } });
  });
  after(async () => g?.close());

  const call = (key: string, model: string) =>
    fetch(`${g.base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
  const breakers = async (key?: string) => {
    const r = await fetch(`${g.base}/api/v1/gateway/breakers`, { headers: key ? { 'x-api-key': key } : {} });
    return { status: r.status, body: (await r.json()) as { data: Array<Record<string, unknown>> } };
  };

  it('needs a project key', async () => {
    assert.equal((await breakers()).status, 401);
  });

  it('shows a breaker opened by traffic, and a project its own breaker but not another project’s', async () => {
    assert.equal((await call(g.t.key, 'openai/gpt-4o-mini')).status, 200);
    g.upstream.byModel.set('gpt-4o', { kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) await call(g.t.key, 'openai/gpt-4o');
    const mine = await breakers(g.t.key);
    assert.equal(mine.status, 200);
    const open = mine.body.data.find((b) => b.label === 'openai/gpt-4o');
    assert.ok(open, JSON.stringify(mine.body));
    assert.equal(open.state, 'open');
    assert.equal(open.endpoint, 'openai');
    assert.equal(open.model, 'gpt-4o');
    assert.equal(open.own_credentials, false);
    assert.ok(Date.parse(String(open.opens_until)) > Date.now());
    const ok = mine.body.data.find((b) => b.label === 'openai/gpt-4o-mini');
    assert.deepEqual([ok?.state, ok?.calls, ok?.failures, ok?.opens_until], ['closed', 1, 0, null]);

    // The other project calls with its own key, which the upstream refuses with 500s: its own breaker opens.
    const put = await fetch(`${g.base}/api/v1/projects/${g.t.other.projectId}/providers/openai`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': g.t.other.key },
      body: JSON.stringify({ api_key: 'sk-other-project-key', base_url: `${g.upstream.url}/v1` }),
    });
    assert.equal(put.status, 200, await put.text());
    g.upstream.byKey.set('sk-other-project-key', { kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) await call(g.t.other.key, 'openai/gpt-4o-mini');
    const theirs = (await breakers(g.t.other.key)).body.data.find((b) => b.label === 'openai/gpt-4o-mini' && b.own_credentials === true);
    assert.equal(theirs?.state, 'open');
    assert.ok(!(await breakers(g.t.key)).body.data.some((b) => b.own_credentials === true), 'another project’s own breaker stays private');
    g.upstream.byModel.delete('gpt-4o');
    g.upstream.byKey.delete('sk-other-project-key');
  });
});
