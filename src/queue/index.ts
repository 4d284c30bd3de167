/** The queue port: durable evaluation jobs with at-least-once delivery. Adapters: postgres, redis. */

export interface JobPayload {
  /** Run only these metrics (default: the project's configured set). */
  metrics?: string[];
  /** Re-run even when results exist. */
  force?: boolean;
}

export interface QueueJob {
  id: string;
  projectId: string;
  traceId: string;
  payload: JobPayload;
  /** 1 on the first delivery. */
  attempt: number;
  maxAttempts: number;
  enqueuedAt: Date;
}

export interface QueueStats {
  pending: number;
  running: number;
  dead: number;
  /** Age of the oldest job waiting to run, in ms (the lag), or null when none waits. */
  oldestPendingMs: number | null;
}

export interface DeadJob {
  id: string;
  projectId: string;
  traceId: string;
  attempts: number;
  error: string;
  failedAt: Date;
}

export interface ConsumeOptions {
  /** Most jobs in flight at once. */
  concurrency: number;
  workerId: string;
}

/**
 * Handles a batch of jobs; returns one entry per job, in order: undefined when it is done, or the
 * error it failed with (retried with backoff, or dead-lettered when it is a PermanentJobError or
 * its last attempt). Batches let a worker read and write a whole batch in a few statements.
 */
export type BatchHandler = (jobs: QueueJob[]) => Promise<Array<unknown>>;

/** Turn a one-job handler into a batch handler (jobs of a batch run concurrently). */
export function perJob(handler: (job: QueueJob) => Promise<void>): BatchHandler {
  return (jobs) => Promise.all(jobs.map((j) => handler(j).then(() => undefined, (e: unknown) => e ?? new Error('job failed'))));
}

export interface Consumer {
  /** Stop taking jobs and wait for the running ones to finish. */
  stop(): Promise<void>;
}

/** Thrown by a handler for a job that can never succeed: dead-lettered at once, not retried. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface QueueOptions {
  /** A claimed job not finished within this time is given to another worker (the worker died). */
  visibilityMs: number;
  maxAttempts: number;
  /** First retry delay; doubles each attempt, with full jitter, capped at 5 minutes. */
  backoffMs: number;
  /** How often an idle consumer looks for work (a nudge wakes it sooner). */
  pollMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = { visibilityMs: 60_000, maxAttempts: 5, backoffMs: 1_000, pollMs: 250 };

export interface Queue {
  readonly kind: 'postgres' | 'redis';
  enqueue(jobs: Array<{ projectId: string; traceId: string; payload?: JobPayload }>): Promise<void>;
  /** Run `handler` for jobs as they come, up to `concurrency` at once. */
  consume(handler: (job: QueueJob) => Promise<void>, opts: ConsumeOptions): Consumer;
  /** Like consume, but hands over up to `batchSize` jobs at a time (adapters may hand fewer). */
  consumeBatch(handler: BatchHandler, opts: ConsumeOptions & { batchSize: number }): Consumer;
  /** Tell local consumers new work may be waiting (saves a poll interval). */
  nudge(): void;
  /** Depth and lag, of one project's jobs when `projectId` is given, else of all. */
  stats(projectId?: string): Promise<QueueStats>;
  deadLetters(projectId: string, limit: number): Promise<DeadJob[]>;
  close(): Promise<void>;
}

/** Exponential backoff with full jitter. */
export function retryDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const cap = Math.min(300_000, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * cap);
}
