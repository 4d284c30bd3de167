import type { Logger } from '../core/logger.js';
import type { Evaluation } from '../core/index.js';
import { PermanentJobError, type BatchHandler, type Consumer, type Queue } from '../queue/index.js';
import type { NewEvaluation, Store } from '../storage/index.js';
import { toEvalTrace, type Evaluator } from './service.js';
import type { EvaluationSettings } from './settings.js';

export interface WorkerDeps {
  store: Pick<Store, 'traces' | 'evaluations'>;
  queue: Queue;
  evaluator: Evaluator;
  settings: EvaluationSettings;
  logger: Logger;
  /**
   * Awaited before each batch touches the store: lets writes that must be acknowledged (ingestion
   * in the same process, on the same embedded connection) go first.
   */
  yieldTo?: () => Promise<void>;
  /** Called after a trace's evaluations are stored (alerts hook in here). */
  onEvaluated?: (projectId: string, traceId: string, rows: Pick<Evaluation, 'metric' | 'score' | 'label'>[]) => void | Promise<void>;
}

/**
 * Handle a batch of jobs: load their traces in one query, run each trace's metrics, store every
 * result in one statement. Returns each job's outcome (undefined = done, or its error).
 */
export function evaluationHandler(d: WorkerDeps): BatchHandler {
  return async (jobs) => {
    await d.yieldTo?.();
    const traces = await d.store.traces.getMany(jobs.map((j) => ({ projectId: j.projectId, id: j.traceId })));
    const byKey = new Map(traces.map((t) => [`${t.project_id}\u0000${t.id}`, t]));
    const rows: NewEvaluation[][] = jobs.map(() => []);
    const outcomes = await Promise.all(
      jobs.map(async (job, i): Promise<unknown> => {
        // Local metrics are CPU work on the event loop: start each trace in its own macrotask so
        // requests served by the same process interleave with a batch instead of waiting it out.
        await new Promise((r) => setImmediate(r));
        try {
          const trace = byKey.get(`${job.projectId}\u0000${job.traceId}`);
          if (!trace) return new PermanentJobError(`trace ${job.traceId} no longer exists in project ${job.projectId}`);
          const config = await d.settings.get(job.projectId);
          if (!config.enabled && !job.payload.force) return undefined;
          const outcome = await d.evaluator.evaluate(toEvalTrace(trace), config, job.payload.metrics);
          rows[i] = outcome.rows;
          return outcome.retryable;
        } catch (e) {
          return e ?? new Error('evaluation failed');
        }
      }),
    );
    // Results of metrics that succeeded are kept even when another metric of the job must retry.
    await d.yieldTo?.();
    await d.store.evaluations.upsert(rows.flat());
    for (const [i, job] of jobs.entries()) {
      if (outcomes[i] === undefined && rows[i]!.length) await d.onEvaluated?.(job.projectId, job.traceId, rows[i]!);
    }
    return outcomes;
  };
}

/** The evaluation worker: consumes the queue until stopped. Any number may run, in any process. */
export function startEvaluationWorker(d: WorkerDeps, opts: { concurrency: number; workerId: string; batchSize?: number }): Consumer {
  d.logger.info({ concurrency: opts.concurrency, queue: d.queue.kind, workerId: opts.workerId }, 'evaluation worker started');
  return d.queue.consumeBatch(evaluationHandler(d), { ...opts, batchSize: opts.batchSize ?? 32 });
}
