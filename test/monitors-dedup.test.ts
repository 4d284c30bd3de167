// Dedup and scheduling across processes: two "replicas" (separate stores on one database) run the
// same monitor at once and score each sampled item exactly once; a restart picks up where the last
// run stopped; the scheduler gives a due monitor exactly one runner and catches a missed run up once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, skipWithoutPostgres, storeCases, tempDir } from './helpers/stores.js';
import { openStore, type Store } from '../src/storage/index.js';
import { createEvaluator, createRegistry } from '../src/evals/index.js';
import { createIngest } from '../src/ingest/index.js';
import { silentLogger } from '../src/core/logger.js';
import { createMonitors, type Monitors } from '../src/monitors/index.js';

function replica(store: Store, name: string): Monitors {
  const registry = createRegistry();
  return createMonitors({ store, registry, evaluator: createEvaluator({ registry, logger: silentLogger }), logger: silentLogger, owner: name, env: {} });
}

async function seed(store: Store, projectId: string, n: number): Promise<void> {
  const ingest = createIngest(store.traces);
  for (let i = 0; i < n; i += 500) {
    const traces = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ query: `question ${i + j}`, response: `answer ${i + j}`, reference: `answer ${i + j}`, tags: ['prod'] }));
    const r = await ingest.ingestBatch({ id: projectId, slug: 'p' }, { traces });
    assert.equal(r.accepted, traces.length);
  }
  await ingest.writer.flushed();
}

const countRows = async (store: Store, sql: string) => (await store.pool.query<{ n: number }>(sql)).rows[0]!.n;

const pgSkip = await skipWithoutPostgres();
describe('monitor dedup across replicas on postgres', { skip: pgSkip }, () => {
  let db: { url: string; drop: () => Promise<void> };
  let dir: { dir: string; remove: () => void };
  let a: Store;
  let b: Store;
  let projectId: string;
  before(async () => {
    db = await createTestDatabase();
    dir = tempDir('aether-mon-');
    a = await openStore({ databaseUrl: db.url, dataDir: dir.dir });
    b = await openStore({ databaseUrl: db.url, dataDir: dir.dir, migrate: false });
    const org = await a.organizations.create({ name: 'o' });
    projectId = (await a.projects.create({ orgId: org.id, name: 'p' })).id;
    await seed(a, projectId, 2000);
  });
  after(async () => {
    await a.close();
    await b.close();
    await db.drop();
    dir.remove();
  });

  it('two runners at once score each sampled item exactly once; a restarted runner scores nothing again', async () => {
    const yaml = ['name: concurrent', 'source: { type: aether, filters: { tag: prod } }', 'sampling: { strategy: random_rate, rate: 0.1 }', 'metrics: [{ name: token_overlap }, { name: pii }]'].join('\n');
    const file = join(dir.dir, 'm.yaml');
    writeFileSync(file, yaml);
    const ra = replica(a, 'a');
    const rb = replica(b, 'b');
    const dry = await ra.runFile(projectId, yaml, file, { dryRun: true });
    assert.ok(dry.sampled > 100 && dry.sampled < 300, `about 10% of 2000, got ${dry.sampled}`);
    const [x, y] = await Promise.all([ra.runFile(projectId, yaml, file), rb.runFile(projectId, yaml, file)]);
    assert.equal(x.sampled, dry.sampled);
    assert.equal(y.sampled, dry.sampled);
    assert.equal(x.scored + y.scored, dry.sampled, `each sampled item scored once (a ${x.scored}, b ${y.scored})`);
    assert.equal(x.skippedDuplicates + y.skippedDuplicates, dry.sampled);
    assert.equal(await countRows(a, `select count(*)::int as n from monitor_results`), dry.sampled * 2);
    assert.equal(await countRows(a, `select count(*)::int as n from evaluations where evaluator like 'monitor:concurrent/%'`), dry.sampled * 2);

    // A restart: a new store connection and service, same database, same window (--since).
    await b.close();
    b = await openStore({ databaseUrl: db.url, dataDir: dir.dir, migrate: false });
    const again = await replica(b, 'b2').runFile(projectId, yaml, file, { since: new Date(Date.now() - 3_600_000) });
    assert.equal(again.sampled, dry.sampled, 'the same window gives the same sample');
    assert.equal(again.scored, 0);
    assert.equal(again.skippedDuplicates, dry.sampled);
  });

  it('a claim left by a run that died is taken over; a scored item never is', async () => {
    const yaml = ['name: crashy', 'source: { type: aether }', 'sampling: { strategy: most_recent, n: 5 }', 'metrics: [{ name: token_overlap }]'].join('\n');
    const file = join(dir.dir, 'c.yaml');
    writeFileSync(file, yaml);
    const m = await a.monitors.ensureFileMonitor(projectId, 'crashy', {});
    const keys = await a.monitors.traceKeys(projectId, {}, new Date(0), new Date());
    const newest = keys.sort((p, q) => q.ts.getTime() - p.ts.getTime() || (q.id < p.id ? -1 : 1)).slice(0, 5).map((k) => k.id);
    // A run claimed two items and died before scoring them.
    await a.monitors.claim({ projectId, sourceKey: `aether:${projectId}`, monitorId: m.id, runId: 'dead-run' }, newest.slice(0, 2), 0);
    await a.pool.query(`update monitor_items set claimed_at = now() - interval '1 hour' where run_id = 'dead-run'`);
    const r = await replica(a, 'a').runFile(projectId, yaml, file);
    assert.equal(r.sampled, 5);
    assert.equal(r.scored, 5, 'stale claims are taken over');
    const r2 = await replica(b, 'b').runFile(projectId, yaml, file, { since: new Date(0) });
    assert.equal(r2.scored, 0);
  });

  it('the scheduler: two replicas ticking at once run a due monitor once, and a missed run is caught up once', async () => {
    const ra = replica(a, 'a');
    const rb = replica(b, 'b');
    const created = await ra.create(projectId, {
      yaml: ['name: hourly', 'source: { type: aether }', 'sampling: { strategy: random_n, n: 10 }', 'metrics: [{ name: token_overlap }]', 'schedule: { cron: "0 * * * *" }'].join('\n'),
    });
    await Promise.all([ra.tick(), rb.tick(), ra.tick(), rb.tick()]);
    const runs = await ra.runs(projectId, created.id);
    assert.equal(runs.length, 1, 'one run for one due time');
    assert.equal(runs[0]!.scored, 10);
    const m = await ra.get(projectId, created.id);
    assert.ok(m.next_run_at && new Date(m.next_run_at).getUTCMinutes() === 0 && new Date(m.next_run_at) > new Date(), 'next run on the next hour');
    await Promise.all([ra.tick(), rb.tick()]);
    assert.equal((await ra.runs(projectId, created.id)).length, 1, 'not due again');

    // The process was down for five hours: one catch-up run, then the regular schedule.
    await a.pool.query(`update monitors set next_run_at = now() - interval '5 hours' where id = $1`, [created.id]);
    await Promise.all([ra.tick(), rb.tick()]);
    const after = await ra.runs(projectId, created.id);
    assert.equal(after.length, 2);
    assert.equal(after[0]!.trigger, 'catch_up');
    await Promise.all([ra.tick(), rb.tick()]);
    assert.equal((await ra.runs(projectId, created.id)).length, 2, 'caught up once, not once per missed hour');
  });
});

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`monitor sampling strategies on ${c.kind}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let projectId: string;
    before(async () => {
      ({ store, cleanup } = await c.open());
      const org = await store.organizations.create({ name: 'o' });
      projectId = (await store.projects.create({ orgId: org.id, name: 'p' })).id;
      await seed(store, projectId, 60);
    });
    after(() => cleanup());

    it('oldest n and most recent n take the ends of the window; all takes everything', async () => {
      const mon = replica(store, 'x');
      const d = tempDir('aether-mon-');
      try {
        const run = (strategy: string, name: string) => {
          const yaml = [`name: ${name}`, 'source: { type: aether }', `sampling: ${strategy}`, 'metrics: [{ name: token_overlap }]'].join('\n');
          return mon.runFile(projectId, yaml, join(d.dir, 'x.yaml'), { dryRun: true });
        };
        assert.equal((await run('{ strategy: all }', 'all')).sampled, 60);
        assert.equal((await run('{ strategy: oldest, n: 7 }', 'old')).sampled, 7);
        assert.equal((await run('{ strategy: most_recent, n: 9 }', 'new')).sampled, 9);
        assert.equal((await run('{ strategy: random_n, n: 100 }', 'rn')).sampled, 60);
      } finally {
        d.remove();
      }
    });
  });
}
