import type pg from 'pg';
import { Queue as BullQueue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  DEFAULT_QUEUE_OPTIONS,
  PermanentJobError,
  perJob,
  type DeadJob,
  type JobPayload,
  type Queue,
  type QueueOptions,
  type QueueStats,
} from './index.js';
import { postgresQueue } from './postgres.js';

interface BullData {
  projectId: string;
  traceId: string;
  payload: JobPayload;
  enqueuedAt: number;
}

interface OutboxRow {
  id: string;
  project_id: string;
  trace_id: string;
  payload: JobPayload;
  created_at: Date;
}

const SWEEP_BATCH = 500;
/** Jobs per state listed when counting one project's jobs. */
const PROJECT_SCAN = 10_000;

/**
 * BullMQ on Redis. Jobs are still written to `eval_jobs` in the trace's own statement (the outbox);
 * a sweeper moves them to Redis, deleting each row only after Redis has accepted it. A crash between
 * the two re-sends the row, and BullMQ drops the copy because the job id is the row id.
 */
export function redisQueue(
  pool: pg.Pool,
  redisUrl: string,
  options: Partial<QueueOptions> & { name?: string } = {},
  onError: (e: unknown) => void = () => {},
): Queue {
  const o = { ...DEFAULT_QUEUE_OPTIONS, ...options };
  const name = options.name ?? 'aether-evals';
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', onError);
  const bull = new BullQueue<BullData>(name, { connection });
  const outbox = postgresQueue(pool, o, onError); // reuses its enqueue (insert into eval_jobs)
  const workers = new Set<Worker<BullData>>();
  let sweeping: Promise<void> | undefined;
  let closed = false;

  async function sweepOnce(): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const r = await client.query<OutboxRow>(
        `select id, project_id, trace_id, payload, created_at from eval_jobs
          where status = 'pending' and run_at <= now() order by run_at limit $1 for update skip locked`,
        [SWEEP_BATCH],
      );
      if (r.rows.length > 0) {
        await bull.addBulk(
          r.rows.map((row) => ({
            name: 'evaluate',
            data: { projectId: row.project_id, traceId: row.trace_id, payload: row.payload, enqueuedAt: row.created_at.getTime() },
            opts: {
              jobId: row.id,
              attempts: o.maxAttempts,
              backoff: { type: 'exponential', delay: o.backoffMs, jitter: 1 },
              removeOnComplete: true,
              removeOnFail: false,
            },
          })),
        );
        await client.query('delete from eval_jobs where id = any($1::text[])', [r.rows.map((x) => x.id)]);
      }
      await client.query('commit');
      return r.rows.length;
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  function sweep(): Promise<void> {
    sweeping ??= (async () => {
      try {
        while (!closed && (await sweepOnce()) === SWEEP_BATCH) {
          // keep going while full batches come back
        }
      } catch (e) {
        onError(e);
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  }
  const timer = setInterval(() => void sweep(), Math.max(50, Math.round(o.pollMs / 2)));
  timer.unref();

  /**
   * One project's counts. BullMQ keeps counts per queue only, so its jobs are listed and filtered:
   * up to PROJECT_SCAN jobs per state, newest first (enough for a dashboard; the totals above are exact).
   */
  const projectStats = async (projectId: string): Promise<QueueStats> => {
    const mine = async (types: Array<'waiting' | 'delayed' | 'prioritized' | 'paused' | 'active' | 'failed'>) =>
      (await bull.getJobs(types, 0, PROJECT_SCAN - 1)).filter((j) => j?.data.projectId === projectId);
    const [pending, active, failed, local] = await Promise.all([mine(['waiting', 'delayed', 'prioritized', 'paused']), mine(['active']), mine(['failed']), outbox.stats(projectId)]);
    const oldest = pending.reduce<number | null>((m, j) => (j.data.enqueuedAt && (m === null || j.data.enqueuedAt < m) ? j.data.enqueuedAt : m), null);
    const lags = [oldest === null ? null : Date.now() - oldest, local.oldestPendingMs].filter((x): x is number => x !== null);
    return { pending: pending.length + local.pending, running: active.length, dead: failed.length, oldestPendingMs: lags.length ? Math.max(...lags) : null };
  };
  return {
    kind: 'redis',
    async enqueue(jobs) {
      await outbox.enqueue(jobs);
      await sweep();
    },
    consume(handler, opts) {
      return this.consumeBatch(perJob(handler), { ...opts, batchSize: 1 });
    },
    // BullMQ hands jobs over one at a time; each becomes a batch of one.
    consumeBatch(handler, { concurrency, workerId }) {
      const workerConnection = connection.duplicate();
      const worker = new Worker<BullData>(
        name,
        async (job: Job<BullData>) => {
          const [outcome] = await handler([{
              id: job.id ?? '',
              projectId: job.data.projectId,
              traceId: job.data.traceId,
              payload: job.data.payload,
              attempt: job.attemptsMade + 1,
              maxAttempts: job.opts.attempts ?? o.maxAttempts,
              enqueuedAt: new Date(job.data.enqueuedAt),
            },
          ]);
          if (outcome === undefined) return;
          if (outcome instanceof PermanentJobError) throw new UnrecoverableError(outcome.message);
          throw outcome instanceof Error ? outcome : new Error(String(outcome));
        },
        {
          connection: workerConnection,
          concurrency,
          name: workerId,
          lockDuration: o.visibilityMs,
          stalledInterval: Math.max(1000, Math.round(o.visibilityMs / 2)),
          maxStalledCount: o.maxAttempts,
        },
      );
      worker.on('error', onError);
      workers.add(worker);
      return {
        async stop() {
          workers.delete(worker);
          await worker.close();
          workerConnection.disconnect();
        },
      };
    },
    nudge() {
      void sweep();
    },
    async stats(projectId?: string): Promise<QueueStats> {
      if (projectId !== undefined) return projectStats(projectId);
      const [counts, waiting, local] = await Promise.all([
        bull.getJobCounts('waiting', 'active', 'failed', 'delayed', 'prioritized', 'paused'),
        bull.getWaiting(0, 0),
        outbox.stats(),
      ]);
      const oldestBull = waiting[0]?.data.enqueuedAt;
      const lagBull = oldestBull ? Date.now() - oldestBull : null;
      const lags = [lagBull, local.oldestPendingMs].filter((x): x is number => x !== null);
      return {
        pending: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0) + local.pending,
        running: counts.active ?? 0,
        dead: counts.failed ?? 0,
        oldestPendingMs: lags.length ? Math.max(...lags) : null,
      };
    },
    async deadLetters(projectId, limit): Promise<DeadJob[]> {
      const failed = await bull.getFailed(0, 999);
      return failed
        .filter((j) => j.data.projectId === projectId)
        .slice(0, limit)
        .map((j) => ({
          id: j.id ?? '',
          projectId: j.data.projectId,
          traceId: j.data.traceId,
          attempts: j.attemptsMade,
          error: j.failedReason ?? '',
          failedAt: new Date(j.finishedOn ?? j.timestamp),
        }));
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await sweeping;
      await Promise.all([...workers].map((w) => w.close()));
      await bull.close();
      await outbox.close();
      connection.disconnect();
    },
  };
}
