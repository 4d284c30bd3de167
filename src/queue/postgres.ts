import type pg from 'pg';
import { newId } from '../core/ids.js';
import {
  DEFAULT_QUEUE_OPTIONS,
  PermanentJobError,
  perJob,
  retryDelay,
  type DeadJob,
  type JobPayload,
  type Queue,
  type QueueJob,
  type QueueOptions,
  type QueueStats,
} from './index.js';
import { pollingConsumer } from './runner.js';
import { preparedQuery } from '../storage/sql.js';

interface JobRow {
  id: string;
  project_id: string;
  trace_id: string;
  payload: JobPayload;
  attempts: number;
  created_at: Date;
}

// Claim due jobs, and jobs whose claimant missed its visibility deadline (it died), without waiting
// on rows another worker is claiming at the same moment. Each kind is read through its own partial
// index in order, so a claim costs O(limit) however long the backlog is (an OR of the two would
// sort the whole backlog on every claim).
const CLAIM_SQL = `
with due as (
  select id from eval_jobs where status = 'pending' and run_at <= now()
   order by run_at limit $1 for update skip locked
), lost as (
  select id from eval_jobs where status = 'running' and locked_until < now()
   order by locked_until limit $1 for update skip locked
), c as (
  select id from lost union all select id from due limit $1
)
update eval_jobs j
   set status = 'running', attempts = j.attempts + 1, locked_by = $2,
       locked_until = now() + ($3::int * interval '1 millisecond'), updated_at = now()
  from c where j.id = c.id
returning j.id, j.project_id, j.trace_id, j.payload, j.attempts, j.created_at`;

/** The default queue: the `eval_jobs` table, claimed with FOR UPDATE SKIP LOCKED. */
export function postgresQueue(pool: pg.Pool, options: Partial<QueueOptions> = {}, onError: (e: unknown) => void = () => {}): Queue {
  const o = { ...DEFAULT_QUEUE_OPTIONS, ...options };
  const nudges = new Set<() => void>();
  const toJob = (r: JobRow): QueueJob => ({
    id: r.id,
    projectId: r.project_id,
    traceId: r.trace_id,
    payload: r.payload,
    attempt: r.attempts,
    maxAttempts: o.maxAttempts,
    enqueuedAt: r.created_at,
  });

  async function complete(jobs: QueueJob[], workerId: string): Promise<void> {
    if (jobs.length === 0) return;
    await pool.query('delete from eval_jobs where id = any($1::text[]) and locked_by = $2', [jobs.map((j) => j.id), workerId]);
  }

  async function fail(job: QueueJob, workerId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const dead = error instanceof PermanentJobError || job.attempt >= job.maxAttempts;
    if (dead) {
      await pool.query(
        `update eval_jobs set status = 'dead', last_error = $3, locked_until = null, updated_at = now() where id = $1 and locked_by = $2`,
        [job.id, workerId, message.slice(0, 4000)],
      );
    } else {
      await pool.query(
        `update eval_jobs set status = 'pending', last_error = $3, locked_until = null, locked_by = null,
                run_at = now() + ($4::int * interval '1 millisecond'), updated_at = now()
          where id = $1 and locked_by = $2`,
        [job.id, workerId, message.slice(0, 4000), retryDelay(job.attempt, o.backoffMs)],
      );
    }
  }

  return {
    kind: 'postgres',
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      const rows = jobs.map((j) => ({ id: newId(), project_id: j.projectId, trace_id: j.traceId, payload: j.payload ?? {} }));
      await pool.query(
        `insert into eval_jobs (id, project_id, trace_id, payload)
         select id, project_id, trace_id, payload
           from jsonb_to_recordset($1::jsonb) as x(id text, project_id text, trace_id text, payload jsonb)`,
        [JSON.stringify(rows)],
      );
      this.nudge();
    },
    consume(handler, opts) {
      return this.consumeBatch(perJob(handler), { ...opts, batchSize: 1 });
    },
    consumeBatch(handler, { concurrency, workerId, batchSize }) {
      return pollingConsumer<QueueJob>({
        concurrency,
        batchSize,
        pollMs: o.pollMs,
        onError,
        registerNudge: (wake) => {
          nudges.add(wake);
          return () => nudges.delete(wake);
        },
        fetch: async (n) => (await preparedQuery<JobRow>(pool, 'claim_jobs', CLAIM_SQL, [n, workerId, o.visibilityMs])).rows.map(toJob),
        run: async (jobs) => {
          let outcomes: unknown[];
          try {
            outcomes = await handler(jobs);
          } catch (e) {
            outcomes = jobs.map(() => e);
          }
          await complete(jobs.filter((_, i) => outcomes[i] === undefined), workerId);
          for (const [i, job] of jobs.entries()) if (outcomes[i] !== undefined) await fail(job, workerId, outcomes[i]);
        },
      });
    },
    nudge() {
      for (const n of nudges) n();
    },
    async stats(projectId?: string): Promise<QueueStats> {
      const r = await pool.query<{ pending: number; running: number; dead: number; oldest: Date | null; now: Date }>(
        `select count(*) filter (where status = 'pending')::int as pending,
                count(*) filter (where status = 'running')::int as running,
                count(*) filter (where status = 'dead')::int as dead,
                min(created_at) filter (where status = 'pending' and run_at <= now()) as oldest,
                now() as now
           from eval_jobs${projectId === undefined ? '' : ' where project_id = $1'}`,
        projectId === undefined ? [] : [projectId],
      );
      const row = r.rows[0]!;
      return {
        pending: row.pending,
        running: row.running,
        dead: row.dead,
        oldestPendingMs: row.oldest ? Math.max(0, row.now.getTime() - row.oldest.getTime()) : null,
      };
    },
    async deadLetters(projectId, limit): Promise<DeadJob[]> {
      const r = await pool.query<{ id: string; project_id: string; trace_id: string; attempts: number; last_error: string | null; updated_at: Date }>(
        `select id, project_id, trace_id, attempts, last_error, updated_at from eval_jobs
          where status = 'dead' and project_id = $1 order by updated_at desc limit $2`,
        [projectId, limit],
      );
      return r.rows.map((x) => ({ id: x.id, projectId: x.project_id, traceId: x.trace_id, attempts: x.attempts, error: x.last_error ?? '', failedAt: x.updated_at }));
    },
    async close() {
      nudges.clear();
    },
  };
}
