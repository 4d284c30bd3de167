// Circuit breaker, token buckets and response cache: one suite run against the in-memory stores and
// the Redis stores (a real Redis; skipped on a laptop without one, failing in CI). Time is passed
// in, so the suite steps a fake clock instead of sleeping (except for Redis's own TTLs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  memoryBreakerStore,
  memoryBucketStore,
  memoryCacheStore,
  redisBreakerStore,
  redisBucketStore,
  redisCacheStore,
  type BreakerStore,
  type BucketStore,
  type CacheStore,
} from '../../src/gateway/index.js';
import { REDIS_URL, skipWithoutRedis } from '../helpers/stores.js';

interface Impl {
  name: string;
  skip: () => Promise<string | false>;
  open: () => Promise<{ breaker: BreakerStore; buckets: BucketStore; cache: CacheStore; close: () => Promise<void> }>;
}

const impls: Impl[] = [
  { name: 'memory', skip: async () => false, open: async () => ({ breaker: memoryBreakerStore(), buckets: memoryBucketStore(), cache: memoryCacheStore(100), close: async () => undefined }) },
  {
    name: 'redis',
    skip: skipWithoutRedis,
    open: async () => {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const prefix = `aether:test:${randomBytes(4).toString('hex')}:`;
      return {
        breaker: redisBreakerStore(r, `${prefix}cb:`),
        buckets: redisBucketStore(r, `${prefix}rl:`),
        cache: redisCacheStore(r, `${prefix}cache:`),
        close: async () => {
          const keys = await r.keys(`${prefix}*`);
          if (keys.length) await r.del(...keys);
          r.disconnect();
        },
      };
    },
  },
];

const cfg = { windowMs: 10_000, minRequests: 4, failureRate: 0.5, openMs: 1_000 };

for (const impl of impls) {
  const skip = await impl.skip();
  describe(`gateway state: ${impl.name}`, { skip }, () => {
    let s: Awaited<ReturnType<Impl['open']>>;
    before(async () => {
      s = await impl.open();
    });
    after(async () => s?.close());

    it('breaker: opens at the failure rate once enough calls were seen, then half-opens for one probe', async () => {
      const b = s.breaker;
      let t = 1_000_000;
      assert.deepEqual(await b.acquire('a', cfg, t), { allowed: true, state: 'closed', retryAfterMs: 0 });
      assert.equal(await b.record('a', false, cfg, t), 'closed');
      assert.equal(await b.record('a', false, cfg, t), 'closed');
      assert.equal(await b.record('a', true, cfg, t), 'closed'); // 2 of 3 failed, but fewer than 4 calls
      assert.equal(await b.record('a', false, cfg, ++t), 'open'); // 3 of 4 failed
      const refused = await b.acquire('a', cfg, t + 100);
      assert.equal(refused.allowed, false);
      assert.equal(refused.state, 'open');
      assert.equal(refused.retryAfterMs, 900);
      t += cfg.openMs;
      assert.deepEqual(await b.acquire('a', cfg, t), { allowed: true, state: 'half_open', retryAfterMs: 0 });
      assert.equal((await b.acquire('a', cfg, t + 1)).allowed, false, 'one probe at a time');
      assert.equal(await b.record('a', false, cfg, t + 2), 'open', 'a failed probe opens it again');
      t += 2 + cfg.openMs;
      assert.equal((await b.acquire('a', cfg, t)).allowed, true);
      assert.equal(await b.record('a', true, cfg, t), 'closed', 'a good probe closes it');
      assert.equal((await b.acquire('a', cfg, t + 1)).state, 'closed');
    });

    it('breaker: a probe that never reports stops blocking after open_ms; keys are independent', async () => {
      const b = s.breaker;
      const t = 2_000_000;
      for (let i = 0; i < 4; i++) await b.record('p', false, cfg, t);
      assert.equal((await b.acquire('other', cfg, t)).allowed, true);
      assert.equal((await b.acquire('p', cfg, t + cfg.openMs)).allowed, true);
      assert.equal((await b.acquire('p', cfg, t + cfg.openMs + 10)).allowed, false);
      assert.equal((await b.acquire('p', cfg, t + 2 * cfg.openMs + 10)).allowed, true);
    });

    it('breaker: keys named like Object.prototype members or scoped to a project are independent breakers', async () => {
      const b = s.breaker;
      const t = 4_000_000;
      for (const key of ['__proto__', 'constructor', 'project:p1:openai/x']) {
        for (let i = 0; i < 4; i++) await b.record(key, false, cfg, t);
        assert.equal((await b.acquire(key, cfg, t + 1)).state, 'open', key);
      }
      assert.equal((await b.acquire('openai/x', cfg, t + 1)).state, 'closed', 'a project’s breaker is not the shared one');
      assert.equal((await b.acquire('toString', cfg, t + 1)).state, 'closed');
    });

    it('breaker: failures older than the window are forgotten', async () => {
      const b = s.breaker;
      const t = 3_000_000;
      for (let i = 0; i < 3; i++) await b.record('w', false, cfg, t);
      assert.equal(await b.record('w', false, cfg, t + cfg.windowMs + 1), 'closed', 'the first three slid out of the window');
      for (let i = 0; i < 3; i++) await b.record('w', false, cfg, t + cfg.windowMs + 2);
      assert.equal((await b.acquire('w', cfg, t + cfg.windowMs + 3)).state, 'open');
    });

    it('buckets: take within capacity, refuse with the wait, refill over time, overdraw and refund', async () => {
      const k = s.buckets;
      const rate = 10 / 60_000; // 10 per minute
      const t = 5_000_000;
      for (let i = 0; i < 10; i++) assert.equal((await k.take('r', 10, rate, 1, false, t)).ok, true);
      const refused = await k.take('r', 10, rate, 1, false, t);
      assert.equal(refused.ok, false);
      assert.equal(refused.retryAfterMs, 6000);
      assert.equal((await k.take('r', 10, rate, 1, false, t + 6000)).ok, true);
      const over = await k.take('tokens', 100, 100 / 60_000, 150, true, t);
      assert.equal(over.ok, true);
      assert.equal(over.remaining, -50);
      assert.equal((await k.take('tokens', 100, 100 / 60_000, 1, false, t)).retryAfterMs, 30_600);
      const refund = await k.take('tokens', 100, 100 / 60_000, -500, true, t);
      assert.equal(refund.remaining, 100, 'never above capacity');
    });

    it('cache: get what was set, nothing after the TTL, nothing for unknown keys', async () => {
      const c = s.cache;
      await c.set('k1', '{"a":1}', 60_000);
      assert.equal(await c.get('k1'), '{"a":1}');
      assert.equal(await c.get('nope'), undefined);
      await c.set('short', 'x', 40);
      await new Promise((r) => setTimeout(r, 90));
      assert.equal(await c.get('short'), undefined);
      await c.set('k1', 'v2', 60_000);
      assert.equal(await c.get('k1'), 'v2');
    });
  });
}

describe('memory cache is a bounded LRU', () => {
  it('drops the least recently used entry beyond its size', async () => {
    const c = memoryCacheStore(2);
    await c.set('a', '1', 60_000);
    await c.set('b', '2', 60_000);
    await c.get('a');
    await c.set('c', '3', 60_000);
    assert.equal(await c.get('b'), undefined);
    assert.equal(await c.get('a'), '1');
    assert.equal(await c.get('c'), '3');
  });
});
