// Breaker, rate-limit and cache state in Redis, shared by every Aether process. Each read-modify-
// write is one Lua script, so concurrent processes never interleave inside an update. The gateway
// takes any client with these three methods (ioredis fits); the driver is chosen in app.ts.
import { createHash } from 'node:crypto';
import { BREAKER_BUCKETS, snapshotOf, type BreakerState, type BreakerStore } from '../pipeline/breaker.js';
import type { CacheStore } from '../pipeline/cache.js';
import type { BucketStore } from '../pipeline/rate-limit.js';

export interface RedisLike {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ms: number): Promise<unknown>;
}

/** A Lua script run by hash, loaded on first use (and again after a Redis restart). */
function script(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (r: RedisLike, keys: string[], args: Array<string | number>): Promise<unknown> => {
    try {
      return await r.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
      return r.eval(source, keys.length, ...keys, ...args);
    }
  };
}

const ACQUIRE = script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {1, 'closed', 0} end
local now = tonumber(ARGV[1])
local openMs = tonumber(ARGV[2])
local untilT = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if state == 'open' and now < untilT then return {0, 'open', untilT - now} end
local probe = tonumber(redis.call('HGET', KEYS[1], 'probe') or '0')
if state == 'half_open' and now - probe < openMs then return {0, 'half_open', probe + openMs - now} end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe', now)
redis.call('PEXPIRE', KEYS[1], openMs * 4)
return {1, 'half_open', 0}
`);

const RECORD = script(`
local key = KEYS[1]
redis.call('SADD', KEYS[2], key)
local ok = ARGV[1] == '1'
local now, windowMs, minReq, rate, openMs, buckets = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local state = redis.call('HGET', key, 'state')
local function open()
  redis.call('DEL', key)
  redis.call('HSET', key, 'state', 'open', 'until', now + openMs)
  redis.call('PEXPIRE', key, openMs * 4)
  return 'open'
end
if state == 'half_open' then
  if ok then redis.call('DEL', key) return 'closed' end
  return open()
end
if state == 'open' then return 'open' end
local id = math.floor(now / (windowMs / buckets))
redis.call('HINCRBY', key, 'c' .. id, 1)
if not ok then redis.call('HINCRBY', key, 'f' .. id, 1) end
local all = redis.call('HGETALL', key)
local calls, fails = 0, 0
for i = 1, #all, 2 do
  local f = all[i]
  local bid = tonumber(string.sub(f, 2))
  if bid and bid <= id - buckets then redis.call('HDEL', key, f)
  elseif bid and string.sub(f, 1, 1) == 'c' then calls = calls + tonumber(all[i + 1])
  elseif bid then fails = fails + tonumber(all[i + 1]) end
end
redis.call('PEXPIRE', key, windowMs * 2)
if not ok and calls >= minReq and fails / calls >= rate then return open() end
return 'closed'
`);

// Every breaker hash named in the index set; names whose hash expired are dropped from the set.
const LIST = script(`
local out = {}
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', k)
  if #h == 0 then redis.call('SREM', KEYS[1], k) else table.insert(out, k) table.insert(out, h) end
end
return out
`);

const TAKE = script(`
local cap, rate, amount, force, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens, at = tonumber(v[1]), tonumber(v[2])
if not tokens then tokens = cap at = now end
tokens = math.min(cap, tokens + math.max(0, now - at) * rate)
local ok, retry = 0, 0
if force or tokens >= amount then
  tokens = math.min(cap, tokens - amount)
  ok = 1
else
  retry = math.ceil((amount - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / rate) + 1000)
return {ok, tostring(tokens), retry}
`);

/** Circuit breakers in Redis (one hash per provider+model). */
export function redisBreakerStore(r: RedisLike, prefix = 'aether:gw:cb:'): BreakerStore {
  return {
    async acquire(key, cfg, now) {
      const [allowed, state, retryAfterMs] = (await ACQUIRE(r, [prefix + key], [now, cfg.openMs])) as [number, BreakerState, number];
      return { allowed: allowed === 1, state, retryAfterMs: Number(retryAfterMs) };
    },
    async record(key, ok, cfg, now) {
      const args = [ok ? '1' : '0', now, cfg.windowMs, cfg.minRequests, cfg.failureRate, cfg.openMs, BREAKER_BUCKETS];
      return (await RECORD(r, [prefix + key, `${prefix}index`], args)) as BreakerState;
    },
    async list(cfg, now) {
      const flat = (await LIST(r, [`${prefix}index`], [])) as Array<string | string[]>;
      const out = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const fields = flat[i + 1] as string[];
        const h = new Map<string, string>();
        for (let j = 0; j + 1 < fields.length; j += 2) h.set(fields[j]!, fields[j + 1]!);
        const counts: Array<[number, number, number]> = [];
        for (const [f, v] of h) if (f.startsWith('c')) counts.push([Number(f.slice(1)), Number(v), Number(h.get(`f${f.slice(1)}`) ?? 0)]);
        out.push(snapshotOf((flat[i] as string).slice(prefix.length), (h.get('state') as BreakerState | undefined) ?? 'closed', Number(h.get('until') ?? 0), counts, cfg, now));
      }
      return out;
    },
  };
}

/** Token buckets in Redis. */
export function redisBucketStore(r: RedisLike, prefix = 'aether:gw:rl:'): BucketStore {
  return {
    async take(key, capacity, refillPerMs, amount, force, now) {
      const [ok, remaining, retryAfterMs] = (await TAKE(r, [prefix + key], [capacity, refillPerMs, amount, force ? '1' : '0', now])) as [number, string, number];
      return { ok: ok === 1, remaining: Number(remaining), retryAfterMs: Number(retryAfterMs) };
    },
  };
}

/** Cached answers in Redis, expiring by TTL (Redis evicts by its own maxmemory policy). */
export function redisCacheStore(r: RedisLike, prefix = 'aether:gw:cache:'): CacheStore {
  return {
    async get(key) {
      return (await r.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await r.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
  };
}
