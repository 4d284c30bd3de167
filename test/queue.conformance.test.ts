// One conformance suite for the queue port: the Postgres queue on PGlite and on PostgreSQL, and the
// BullMQ queue on the real Redis (with its outbox in PostgreSQL).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { REDIS_URL, skipWithoutRedis, storeCases } from './helpers/stores.js';
import { makeTrace } from './helpers/fixtures.js';
import type { Store } from '../src/storage/index.js';
import { PermanentJobError, type Queue, type QueueJob, type QueueOptions } from '../src/queue/index.js';
import { postgresQueue } from '../src/queue/postgres.js';
import { redisQueue } from '../src/queue/redis.js';

const fast: Partial<QueueOptions> = { visibilityMs: 1500, maxAttempts: 3, backoffMs: 20, pollMs: 30 };

interface QueueCase {
  name: string;
  skip: () => Promise<string | false>;
  store: (typeof storeCases)[number];
  make: (store: Store) => Queue;
}

const cases: QueueCase[] = [
  ...storeCases.map((s) => ({ name: `postgres queue on ${s.kind}`, skip: s.skip, store: s, make: (st: Store) => postgresQueue(st.pool, fast) })),
  {
    name: 'redis queue (BullMQ) with a PostgreSQL outbox',
    skip: async () => (await storeCases[1]!.skip()) || (await skipWithoutRedis()),
    store: storeCases[1]!,
    make: (st: Store) => redisQueue(st.pool, REDIS_URL, { ...fast, name: `aether-test-${randomBytes(4).toString('hex')}` }),
  },
];

const until = async (pred: () => boolean | Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const c of cases) {
  const skip = await c.skip();
  describe(`queue conformance: ${c.name}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let queue: Queue;
    let projectId: string;

    before(async () => {
      ({ store, cleanup } = await c.store.open());
      const org = await store.organizations.create({ name: 'q' });
      projectId = (await store.projects.create({ orgId: org.id, name: 'q' })).id;
      queue = c.make(store);
    });
    after(async () => {
      await queue?.close();
      await cleanup?.();
    });

    it('delivers a job enqueued with its trace in the same statement, once, to competing consumers', async () => {
      const traces = Array.from({ length: 40 }, (_, i) => makeTrace(projectId, { id: `t-${i}` }));
      await store.traces.insertMany(
        traces.map((t) => t.trace),
        [],
        traces.map((t) => ({ id: `job-${t.trace.id}-${randomBytes(3).toString('hex')}`, project_id: projectId, trace_id: t.trace.id })),
      );
      queue.nudge();
      const seen: string[] = [];
      const handler = async (job: QueueJob) => {
        assert.equal(job.projectId, projectId);
        assert.equal(job.attempt, 1);
        seen.push(job.traceId);
      };
      const a = queue.consume(handler, { concurrency: 4, workerId: 'w-a' });
      const b = queue.consume(handler, { concurrency: 4, workerId: 'w-b' });
      await until(() => seen.length >= 40);
      await new Promise((r) => setTimeout(r, 200));
      await Promise.all([a.stop(), b.stop()]);
      assert.equal(seen.length, 40);
      assert.equal(new Set(seen).size, 40, 'no job was delivered twice');
      await until(async () => (await queue.stats()).pending === 0);
      const s = await queue.stats();
      assert.equal(s.running, 0);
      assert.equal(s.oldestPendingMs, null);
    });

    it('retries a failing job with backoff, then dead-letters it keeping the error', async () => {
      await queue.enqueue([{ projectId, traceId: 'flaky' }, { projectId, traceId: 'broken' }]);
      const attempts: Record<string, number[]> = { flaky: [], broken: [] };
      const consumer = queue.consume(
        async (job) => {
          attempts[job.traceId]!.push(job.attempt);
          if (job.traceId === 'broken' || job.attempt < 2) throw new Error(`judge said 500 on ${job.traceId}`);
        },
        { concurrency: 2, workerId: 'w-retry' },
      );
      await until(async () => (await queue.stats()).dead === 1 && attempts.flaky!.length === 2);
      await consumer.stop();
      assert.deepEqual(attempts.flaky, [1, 2]);
      assert.deepEqual(attempts.broken, [1, 2, 3]);
      const dead = await queue.deadLetters(projectId, 10);
      assert.equal(dead.length, 1);
      assert.equal(dead[0]?.traceId, 'broken');
      assert.match(dead[0]!.error, /judge said 500 on broken/);
    });

    it('dead-letters a permanent failure at once', async () => {
      await queue.enqueue([{ projectId, traceId: 'hopeless' }]);
      let calls = 0;
      const consumer = queue.consume(
        async () => {
          calls++;
          throw new PermanentJobError('trace no longer exists');
        },
        { concurrency: 1, workerId: 'w-perm' },
      );
      await until(async () => (await queue.deadLetters(projectId, 10)).some((d) => d.traceId === 'hopeless'));
      await consumer.stop();
      assert.equal(calls, 1);
    });

    it('reports queue depth and lag while jobs wait', async () => {
      await queue.enqueue([{ projectId, traceId: 'waiting-1' }, { projectId, traceId: 'waiting-2' }]);
      await new Promise((r) => setTimeout(r, 150));
      const s = await queue.stats();
      assert.ok(s.pending >= 2, JSON.stringify(s));
      assert.ok(s.oldestPendingMs !== null && s.oldestPendingMs >= 100, JSON.stringify(s));
      const got: string[] = [];
      const consumer = queue.consume(async (j) => void got.push(j.traceId), { concurrency: 2, workerId: 'w-drain' });
      await until(() => got.length >= 2);
      await consumer.stop();
    });

    it('waits for running jobs on graceful stop', async () => {
      await queue.enqueue([{ projectId, traceId: 'slow' }]);
      let finished = false;
      const consumer = queue.consume(
        async () => {
          await new Promise((r) => setTimeout(r, 300));
          finished = true;
        },
        { concurrency: 1, workerId: 'w-slow' },
      );
      await until(async () => (await queue.stats()).running === 1);
      await consumer.stop();
      assert.equal(finished, true);
    });
  });
}

describe('postgres queue: visibility timeout', { skip: await storeCases[0]!.skip() }, () => {
  it('gives a job whose worker vanished to another worker', async () => {
    const { store, cleanup } = await storeCases[0]!.open();
    const queue = postgresQueue(store.pool, { ...fast, visibilityMs: 300 });
    try {
      await queue.enqueue([{ projectId: 'p', traceId: 'orphan' }]);
      let claimed = false;
      let revive: () => void = () => {};
      // A consumer that claims and does not finish in time: like a worker killed mid-job.
      const stuck = queue.consume(
        () => {
          claimed = true;
          return new Promise<void>((r) => (revive = r));
        },
        { concurrency: 1, workerId: 'dead-worker' },
      );
      await until(() => claimed);
      const got: QueueJob[] = [];
      const b = queue.consume(async (j) => void got.push(j), { concurrency: 1, workerId: 'rescuer' });
      await until(() => got.length === 1);
      await b.stop();
      assert.equal(got[0]?.traceId, 'orphan');
      assert.equal(got[0]?.attempt, 2);
      revive();
      await stuck.stop();
      assert.equal((await queue.stats()).pending + (await queue.stats()).running, 0, 'the late finisher does not resurrect the job');
    } finally {
      await queue.close();
      await cleanup();
    }
  });
});
