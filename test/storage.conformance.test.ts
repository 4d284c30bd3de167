// One conformance suite for the store port, run against embedded PGlite and the real PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { storeCases, createTestDatabase, skipWithoutPostgres, tempDir } from './helpers/stores.js';
import { makeTrace } from './helpers/fixtures.js';
import { openStore, type Store } from '../src/storage/index.js';
import { runMigrations } from '../src/storage/migrate.js';
import { traceQuerySchema } from '../src/core/index.js';

const q = (over: Record<string, unknown> = {}) => traceQuerySchema.parse(over);

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`store conformance: ${c.kind}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let projectA: string;
    let projectB: string;

    before(async () => {
      ({ store, cleanup } = await c.open());
      const org = await store.organizations.create({ name: 'Acme Corp' });
      projectA = (await store.projects.create({ orgId: org.id, name: 'Support Bot' })).id;
      projectB = (await store.projects.create({ orgId: org.id, name: 'Search' })).id;
    });
    after(async () => cleanup?.());

    it('creates organizations and projects with slugs, and refuses a duplicate slug with a conflict', async () => {
      const orgs = await store.organizations.list();
      assert.equal(orgs[0]?.slug, 'acme-corp');
      const p = await store.projects.find('support-bot');
      assert.equal(p?.id, projectA);
      await assert.rejects(store.projects.create({ orgId: orgs[0]!.id, name: 'Support Bot' }), (e: Error & { status?: number }) => e.status === 409);
    });

    it('stores API keys hashed, finds them by the plaintext, revokes them', async () => {
      const { key, record } = await store.apiKeys.create({ projectId: projectA, name: 'ci' });
      assert.match(key, /^ae_[A-Za-z0-9_-]{43}$/);
      const raw = await store.pool.query<{ key_hash: string; prefix: string }>('select key_hash, prefix from api_keys where id = $1', [record.id]);
      assert.notEqual(raw.rows[0]?.key_hash, key);
      assert.ok(!raw.rows[0]?.key_hash.includes(key.slice(3)));
      assert.equal((await store.apiKeys.findByKey(key))?.id, record.id);
      assert.equal(await store.apiKeys.findByKey(key + 'x'), undefined);
      await store.apiKeys.touch([record.id], new Date('2026-01-02T03:04:05Z'));
      assert.equal((await store.apiKeys.findByKey(key))?.lastUsedAt?.toISOString(), '2026-01-02T03:04:05.000Z');
      const revoked = await store.apiKeys.revoke(record.id);
      assert.ok(revoked?.revokedAt);
      assert.ok((await store.apiKeys.findByKey(key))?.revokedAt);
      assert.equal(await store.apiKeys.revoke('no-such-key'), undefined);
    });

    it('inserts traces with spans, skips a repeated id, and reads them back', async () => {
      const t = makeTrace(projectA, {
        id: 'trace-1',
        model: 'gpt-4o-mini',
        spans: [
          {
            name: 'rag',
            kind: 'chain',
            start_time: '2026-01-01T00:00:00Z',
            end_time: '2026-01-01T00:00:01.5Z',
            spans: [{ id: 'ret', name: 'search', kind: 'retrieval', start: '2026-01-01T00:00:00.1Z', end: '2026-01-01T00:00:00.3Z' }],
          },
        ],
      });
      const created = await store.traces.insertMany([t.trace], t.spans);
      assert.equal(created.size, 1);
      const again = await store.traces.insertMany([makeTrace(projectA, { id: 'trace-1', query: 'changed' }).trace], []);
      assert.equal(again.size, 0, 'a repeated id is not stored twice');
      const got = await store.traces.get(projectA, 'trace-1');
      assert.equal(got?.query, 'What is the capital of France?');
      assert.equal(got?.model, 'gpt-4o-mini');
      assert.deepEqual(got?.contexts, [{ text: 'Paris is the capital...', source: 'doc_001', score: 0.95 }]);
      assert.equal(got?.spans?.length, 2);
      const child = got?.spans?.find((s) => s.id === 'ret');
      assert.equal(child?.parent_id, got?.spans?.find((s) => s.name === 'rag')?.id);
      assert.equal(child?.duration_ms, 200);
      assert.equal(await store.traces.get(projectB, 'trace-1'), undefined, 'another project cannot read it');
    });

    it('keeps the same client id apart in two projects', async () => {
      await store.traces.insertMany([makeTrace(projectB, { id: 'trace-1', query: 'B' }).trace], []);
      assert.equal((await store.traces.get(projectB, 'trace-1'))?.query, 'B');
      assert.equal((await store.traces.get(projectA, 'trace-1'))?.query, 'What is the capital of France?');
    });

    it('filters, searches, sorts and paginates without gaps or repeats', async () => {
      const base = Date.parse('2026-03-01T00:00:00Z');
      const rows = Array.from({ length: 57 }, (_, i) =>
        makeTrace(projectA, {
          id: `p-${String(i).padStart(3, '0')}`,
          timestamp: new Date(base + i * 60_000).toISOString(),
          model: i % 3 === 0 ? 'claude-3-haiku' : 'gpt-4o',
          user_id: `user-${i % 5}`,
          session_id: `s-${i % 7}`,
          tags: i % 2 ? ['prod', 'faq'] : ['staging'],
          latency_ms: (i * 37) % 1000,
          status: i % 10 === 0 ? 'error' : 'success',
          response: i === 13 ? 'The answer contains 100%_literal text' : 'ok',
        }).trace,
      );
      await store.traces.insertMany(rows, []);
      const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.traces.list(projectA, q({ ...window, limit: 10, ...(cursor ? { cursor } : {}) }));
        seen.push(...page.data.map((t) => t.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 57);
      assert.equal(new Set(seen).size, 57);
      assert.equal(seen[0], 'p-056', 'newest first by default');

      const byLatency: number[] = [];
      cursor = undefined;
      do {
        const page = await store.traces.list(projectA, q({ ...window, sort: 'latency_ms', limit: 8, ...(cursor ? { cursor } : {}) }));
        byLatency.push(...page.data.map((t) => t.latency_ms ?? -1));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(byLatency.length, 57);
      assert.deepEqual(byLatency, [...byLatency].sort((a, b) => a - b));

      const expect = (pred: (i: number) => boolean) => Array.from({ length: 57 }, (_, i) => i).filter(pred).length;
      const count = async (over: Record<string, unknown>) => (await store.traces.list(projectA, q({ ...window, limit: 500, ...over }))).data.length;
      assert.equal(await count({ model: 'claude-3-haiku' }), expect((i) => i % 3 === 0));
      assert.equal(await count({ user_id: 'user-2' }), expect((i) => i % 5 === 2));
      assert.equal(await count({ session_id: 's-3' }), expect((i) => i % 7 === 3));
      assert.equal(await count({ tag: 'faq' }), expect((i) => i % 2 === 1));
      assert.equal(await count({ status: 'error' }), expect((i) => i % 10 === 0));
      assert.equal(await count({ min_latency_ms: '500', max_latency_ms: '700' }), expect((i) => (i * 37) % 1000 >= 500 && (i * 37) % 1000 <= 700));
      assert.equal(await count({ q: '100%_LITERAL' }), 1, 'search is case-insensitive and treats % and _ literally');
      assert.equal(await count({ q: '100%x' }), 0);
      assert.equal(await count({ from: '2026-03-01T00:10:00Z', to: '2026-03-01T00:20:00Z' }), 10);
      assert.equal((await store.traces.list(projectB, q({ ...window }))).data.length, 0, 'project B sees none of A');
    });

    it('writes the usage rollups of a batch exactly as rebuilding them from the rows gives, duplicates and internal calls left out', async () => {
      const org = await store.organizations.create({ name: 'Rollup Org' });
      const p = (await store.projects.create({ orgId: org.id, name: 'Rollups' })).id;
      const base = Date.parse('2026-03-04T10:58:30Z');
      const batch = (from: number, n: number) =>
        Array.from({ length: n }, (_v, i) => {
          const k = from + i;
          return makeTrace(p, {
            id: `r-${k}`,
            timestamp: new Date(base + k * 17_000).toISOString(),
            model: ['gpt-4o-mini', 'claude-3-5-haiku', undefined][k % 3],
            provider: k % 4 === 0 ? undefined : ['openai', 'anthropic'][k % 2],
            user_id: k % 5 === 0 ? undefined : `u${k % 7}`,
            tags: k % 9 === 0 ? ['aether:internal', 'judge'] : k % 2 ? ['a', 'b'] : ['b'],
            latency_ms: k % 6 === 0 ? undefined : 1 + ((k * 37.5) % 4000),
            cost_usd: k % 8 === 0 ? undefined : 0.0001 * (k % 13),
            token_count: 10 + k,
            ...(k % 10 === 3 ? { error: 'upstream timeout' } : {}),
          });
        });
      const insert = (items: ReturnType<typeof makeTrace>[]) =>
        store.traces.insertMany(items.map((i) => i.trace), items.flatMap((i) => i.spans));
      const all = batch(0, 300);
      assert.equal((await insert(all.slice(0, 200))).size, 200);
      // A batch holding traces already stored: only the new ones may count.
      assert.equal((await insert(all.slice(150, 300))).size, 100);
      const sql = `select grain, dim, key, bucket::text, n::int, errors::int, input_tokens::int, output_tokens::int, tokens::int,
                          round(cost_usd::numeric, 9)::text as cost, latency_n::int, round(latency_sum::numeric, 6)::text as lsum,
                          array_to_string(latency_hist, ',') as hist
                     from trace_rollups where project_id = $1 and n <> 0 order by 1, 2, 3, 4`;
      const written = (await store.pool.query(sql, [p])).rows;
      await store.pool.query('select aether_rebuild_rollups($1)', [p]);
      const rebuilt = (await store.pool.query(sql, [p])).rows;
      assert.ok(rebuilt.length > 50, `expected many rollup rows, got ${rebuilt.length}`);
      assert.deepEqual(written, rebuilt);
      const total = rebuilt.find((r) => r.grain === 'day' && r.dim === 'all') as { n: number } | undefined;
      assert.equal(total?.n, 300 - Math.ceil(300 / 9), 'internal traces count in no rollup');
    });

    it('rejects a cursor it did not issue', async () => {
      await assert.rejects(store.traces.list(projectA, q({ cursor: 'garbage' })), (e: Error & { status?: number }) => e.status === 400 && /cursor/.test(e.message));
    });

    it('reports every shipped migration as applied', async () => {
      const m = await store.migrations();
      assert.ok(m.expected >= 1);
      assert.equal(m.applied, m.expected);
    });
  });
}

describe('migrations on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('are safe when several processes start at once', async () => {
    const db = await createTestDatabase();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    // The database is dropped WITH (FORCE) at the end; a client still closing then gets its
    // termination as an 'error' event, which must not become an uncaught exception.
    for (const p of pools) p.on('error', () => {});
    try {
      await Promise.all(pools.map((p) => runMigrations(p)));
      await runMigrations(pools[0]!);
      const r = await pools[0]!.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      const t = tempDir();
      const store = await openStore({ databaseUrl: db.url, dataDir: t.dir });
      const m = await store.migrations();
      await store.close();
      t.remove();
      assert.equal(r.rows[0]?.n, m.expected);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await db.drop();
    }
  });
});
