import type { Logger } from '../core/logger.js';
import type { Evaluation } from '../core/index.js';
import { PermanentJobError, type Consumer, type Queue, type QueueJob } from '../queue/index.js';
import type { Store } from '../storage/index.js';
import { toEvalTrace, type Evaluator } from './service.js';
import type { EvaluationSettings } from './settings.js';

export interface WorkerDeps {
  store: Pick<Store, 'traces' | 'evaluations'>;
  queue: Queue;
  evaluator: Evaluator;
  settings: EvaluationSettings;
  logger: Logger;
  /** Called after a trace's evaluations are stored (alerts hook in here). */
  onEvaluated?: (projectId: string, traceId: string, rows: Pick<Evaluation, 'metric' | 'score' | 'label'>[]) => void | Promise<void>;
}

/** Handle one job: load the trace and its project's config, run the metrics, store the results. */
export function evaluationHandler(d: WorkerDeps): (job: QueueJob) => Promise<void> {
  return async (job) => {
    const trace = await d.store.traces.get(job.projectId, job.traceId, { spans: false });
    if (!trace) throw new PermanentJobError(`trace ${job.traceId} no longer exists in project ${job.projectId}`);
    const config = await d.settings.get(job.projectId);
    if (!config.enabled && !job.payload.force) return;
    const outcome = await d.evaluator.evaluate(toEvalTrace(trace), config, job.payload.metrics);
    await d.store.evaluations.upsert(outcome.rows);
    if (outcome.retryable) throw outcome.retryable;
    await d.onEvaluated?.(job.projectId, job.traceId, outcome.rows);
  };
}

/** The evaluation worker: consumes the queue until stopped. Any number may run, in any process. */
export function startEvaluationWorker(d: WorkerDeps, opts: { concurrency: number; workerId: string }): Consumer {
  d.logger.info({ concurrency: opts.concurrency, queue: d.queue.kind, workerId: opts.workerId }, 'evaluation worker started');
  return d.queue.consume(evaluationHandler(d), opts);
}
