// A worker killed with SIGKILL mid-job loses nothing and duplicates nothing: its jobs go to another
// worker after the visibility timeout. Separate processes, real PostgreSQL, and real Redis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, REDIS_URL, skipWithoutPostgres, skipWithoutRedis, tempDir } from './helpers/stores.js';
import { startServer, startWorkerProcess, type ServerProcess } from './helpers/process.js';
import { startJudgeServer, type JudgeServer } from './helpers/judge-server.js';
import { openStore } from '../src/storage/index.js';

const TRACES = 16;

for (const queue of ['postgres', 'redis'] as const) {
  const skip = (await skipWithoutPostgres()) || (queue === 'redis' ? await skipWithoutRedis() : false);
  describe(`SIGKILL of a worker mid-job (${queue} queue)`, { skip }, () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let judge: JudgeServer;
    const dir = tempDir();
    const procs: ServerProcess[] = [];
    before(async () => {
      db = await createTestDatabase();
      judge = await startJudgeServer('slow');
      judge.slowMs = 1500;
    });
    after(async () => {
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await judge?.close();
      await db?.drop();
      dir.remove();
    });

    it('re-runs the killed worker’s jobs elsewhere, with exactly one result per trace and metric', async () => {
      const store = await openStore({ databaseUrl: db.url, dataDir: dir.dir });
      const org = await store.organizations.create({ name: 'kill' });
      const project = await store.projects.create({ orgId: org.id, name: 'kill' });
      const { key } = await store.apiKeys.create({ projectId: project.id });
      await store.evaluationConfigs.put(project.id, { metrics: ['faithfulness', 'hallucination', 'token_overlap'] });
      await store.close();

      const env: Record<string, string> = {
        DATABASE_URL: db.url,
        AETHER_DATA_DIR: dir.dir,
        AETHER_JUDGE_MODEL: 'openai/gpt-4o-mini',
        OPENAI_BASE_URL: `${judge.url}/v1`,
        OPENAI_API_KEY: 'sk-test',
        AETHER_QUEUE_VISIBILITY_MS: '2500',
        AETHER_QUEUE_POLL_MS: '50',
        AETHER_WORKER_CONCURRENCY: '4',
        ...(queue === 'redis' ? { REDIS_URL } : {}),
      };
      const server = await startServer(['--no-worker'], env);
      procs.push(server);
      const a = await startWorkerProcess(env);
      procs.push(a);

      for (let i = 0; i < TRACES; i++) {
        const r = await fetch(`${server.url}/api/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ id: `k-${i}`, query: 'What is the capital of France?', response: 'Paris is the capital of France.', contexts: [{ text: 'Paris is the capital of France.' }] }),
        });
        assert.equal(r.status, 201);
      }
      const deadline = Date.now() + 20_000;
      while (judge.calls.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(judge.calls.length >= 3, 'worker A was mid-job');
      a.child.kill('SIGKILL');
      await a.exited;
      judge.slowMs = 20;

      const b = await startWorkerProcess(env);
      procs.push(b);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const end = Date.now() + 60_000;
        let done = 0;
        while (Date.now() < end) {
          const r = await client.query<{ n: number }>(`select count(distinct trace_id)::int as n from evaluations where metric = 'hallucination'`);
          done = r.rows[0]!.n;
          if (done === TRACES) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(done, TRACES, 'every trace was evaluated');
        const rows = await client.query<{ trace_id: string; metric: string; n: number }>(
          'select trace_id, metric, count(*)::int as n from evaluations group by 1, 2',
        );
        assert.equal(rows.rows.length, TRACES * 3);
        assert.ok(rows.rows.every((r) => r.n === 1), 'one row per trace × metric');
        const q = await (await fetch(`${server.url}/api/v1/queue`, { headers: { 'x-api-key': key } })).json() as { pending: number; running: number; dead: number };
        assert.deepEqual([q.pending, q.dead], [0, 0]);
      } finally {
        await client.end();
      }
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0, 'a worker stops cleanly on SIGTERM');
    });
  });
}
