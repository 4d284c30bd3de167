import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

interface QueueStatsLike {
  pending: number;
  running: number;
  dead: number;
  oldestPendingMs: number | null;
}

/** Prometheus metrics of one server instance (its own registry, so tests can run many). */
export function createMetrics(queueStats?: () => Promise<QueueStatsLike>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (queueStats) {
    // Read once per scrape, shared by the gauges below.
    let pending: Promise<QueueStatsLike | undefined> | undefined;
    const stats = () => (pending ??= queueStats().catch(() => undefined).finally(() => setTimeout(() => (pending = undefined), 100)));
    const gauge = (name: string, help: string, pick: (s: QueueStatsLike) => number | null) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const s = await stats();
          const v = s ? pick(s) : null;
          if (v !== null) this.set(v);
        },
      });
    gauge('aether_queue_pending_jobs', 'Evaluation jobs waiting', (s) => s.pending);
    gauge('aether_queue_running_jobs', 'Evaluation jobs being worked on', (s) => s.running);
    gauge('aether_queue_dead_jobs', 'Evaluation jobs dead-lettered after their last attempt', (s) => s.dead);
    gauge('aether_queue_lag_seconds', 'Age of the oldest waiting evaluation job', (s) => (s.oldestPendingMs ?? 0) / 1000);
  }
  return {
    registry,
    httpDuration: new Histogram({
      name: 'aether_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    tracesIngested: new Counter({
      name: 'aether_traces_ingested_total',
      help: 'Traces committed to the store (duplicates excluded)',
      registers: [registry],
    }),
    spansIngested: new Counter({
      name: 'aether_spans_ingested_total',
      help: 'Spans committed to the store',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'aether_http_errors_total',
      help: 'Error responses by machine code',
      labelNames: ['status_code', 'code'] as const,
      registers: [registry],
    }),
    storeUp: new Gauge({ name: 'aether_store_up', help: '1 when the store answered the last readiness check', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
