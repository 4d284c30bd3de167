// Every gateway request becomes a trace: model, provider, tokens, latency, time to first token,
// cost, status, cache outcome, and one span per attempt (retries and fallbacks included). Traces
// are handed to ingestion after the response is on its way, and written in group commits there.
import { INTERNAL_TAG, TRACE_LIMITS } from '../core/schemas/trace.js';
import type { Logger } from '../core/logger.js';
import type { CostSource } from '../core/pricing/index.js';
import type { RequestOptions } from './headers.js';
import { cleanStrings } from './safety.js';

/** One try of one target (or a target skipped because its circuit was open). */
export interface AttemptRecord {
  label: string;
  endpoint: string;
  model: string;
  start: number;
  end: number;
  ok: boolean;
  error?: string;
  upstreamStatus?: number;
  skipped?: 'circuit_open' | 'not_configured';
  retryDelayMs?: number;
  fallback: boolean;
}

export interface TraceFacts {
  id: string;
  start: number;
  latencyMs: number;
  ttftMs: number | undefined;
  operation: 'chat' | 'embeddings';
  route: string;
  requestedModel: string;
  endpoint: string | undefined;
  model: string | undefined;
  query: string;
  response: string | null;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  usageEstimated: boolean;
  costUsd: number | null;
  /** Where costUsd came from; a cost Aether worked out is 'computed'. */
  costSource?: CostSource;
  error: string | undefined;
  cache: 'hit' | 'miss' | 'bypass' | 'off';
  stream: boolean;
  finishReason: string | null | undefined;
  attempts: AttemptRecord[];
  options: RequestOptions;
  keyId: string;
  budget: string | undefined;
  input?: unknown;
  output?: unknown;
  /** What the resolvers noted (prompt version, route decision), merged into the trace's metadata. */
  metadata?: Record<string, unknown>;
  /** Set for the platform's own calls (the judge): marked in the trace, never evaluated. */
  internal?: { purpose: string };
}

const clip = (s: string) => (s.length > TRACE_LIMITS.textLength ? s.slice(0, TRACE_LIMITS.textLength) : s);

/** The trace body (as POST /api/v1/traces takes it) for one gateway request. */
export function traceBody(f: TraceFacts): Record<string, unknown> {
  const spanKind = f.operation === 'chat' ? 'llm' : 'embedding';
  const last = f.attempts.length - 1;
  const spans: Array<Record<string, unknown>> = f.attempts.map((a, i) => {
    const won = i === last && a.ok;
    return {
      name: `${f.operation} ${a.label}`,
      kind: spanKind,
      start_time: a.start,
      end_time: Math.max(a.start, a.end),
      status: a.ok ? 'success' : 'error',
      ...(a.error ? { error: a.error.slice(0, 2000) } : {}),
      model: a.model.slice(0, 256),
      ...(won && f.inputTokens !== undefined ? { input_tokens: f.inputTokens, output_tokens: f.outputTokens ?? 0 } : {}),
      ...(won && f.costUsd !== null ? { cost_usd: f.costUsd } : {}),
      ...(won && f.input !== undefined ? { input: f.input, output: f.output } : {}),
      attributes: {
        'gen_ai.operation.name': f.operation,
        'gen_ai.provider.name': a.endpoint,
        'gen_ai.request.model': a.model,
        attempt: i + 1,
        fallback: a.fallback,
        ...(a.upstreamStatus ? { 'http.response.status_code': a.upstreamStatus } : {}),
        ...(a.skipped ? { skipped: a.skipped } : {}),
        ...(a.retryDelayMs !== undefined ? { retry_delay_ms: a.retryDelayMs } : {}),
        ...(won && f.ttftMs !== undefined ? { 'gen_ai.response.time_to_first_chunk': f.ttftMs / 1000 } : {}),
      },
    };
  });
  if (f.cache === 'hit') spans.push({ name: 'cache hit', kind: 'other', start_time: f.start, end_time: f.start + Math.ceil(f.latencyMs), status: 'success', model: (f.model ?? f.requestedModel).slice(0, 256), attributes: {} });
  const fellBack = f.attempts.some((a) => a.ok && a.fallback);
  return {
    id: f.id,
    timestamp: f.start,
    query: clip(f.query),
    response: f.response === null ? null : clip(f.response),
    contexts: f.options.contexts,
    ...(f.model ? { model: f.model.slice(0, 256) } : {}),
    ...(f.endpoint ? { provider: f.endpoint } : {}),
    ...(f.inputTokens !== undefined ? { input_tokens: f.inputTokens, output_tokens: f.outputTokens ?? 0 } : {}),
    latency_ms: Math.round(f.latencyMs * 100) / 100,
    ...(f.costUsd !== null ? { cost_usd: f.costUsd, cost_source: f.costSource ?? 'computed' } : {}),
    ...(f.options.userId ? { user_id: f.options.userId } : {}),
    ...(f.options.sessionId ? { session_id: f.options.sessionId } : {}),
    tags: f.internal ? [...(f.options.tags ?? []), INTERNAL_TAG] : f.options.tags,
    metadata: {
      ...f.metadata,
      source: 'gateway',
      route: f.route,
      requested_model: f.requestedModel,
      stream: f.stream,
      cache: f.cache,
      attempts: f.attempts.filter((a) => !a.skipped).length,
      fallback_used: fellBack,
      api_key_id: f.keyId,
      ...(f.ttftMs !== undefined ? { ttft_ms: Math.round(f.ttftMs * 100) / 100 } : {}),
      ...(f.finishReason ? { finish_reason: f.finishReason } : {}),
      ...(f.usageEstimated ? { usage_estimated: true } : {}),
      ...(f.budget ? { budget: f.budget } : {}),
      ...(f.internal ? { internal: true, purpose: f.internal.purpose } : {}),
    },
    status: f.error ? 'error' : 'success',
    ...(f.error ? { error: f.error.slice(0, 10_000) } : {}),
    spans,
  };
}

/** Stores trace bodies of one project in one go (the ingest service's ingestBatch); may report rejects. */
export type TraceSink = (project: { id: string; slug: string }, traces: Array<Record<string, unknown>>) => Promise<{ rejected: number; results?: unknown[] } | void>;

export interface RecorderOptions {
  /** Traces buffered or being written beyond which new ones are dropped (and counted). */
  maxPending: number;
  /** A project's buffer is written when it holds this many, or `flushMs` after its first trace. */
  batchSize: number;
  flushMs: number;
  logger: Logger;
}

/**
 * Hands traces to ingestion off the request path, in batches: one statement per project per
 * `flushMs` instead of one per request, which is what keeps an embedded store from eating a core
 * under load. Memory is bounded: beyond `maxPending` waiting traces, new ones are dropped.
 */
export function createTraceRecorder(sink: TraceSink, opts: RecorderOptions) {
  const buffers = new Map<string, { project: { id: string; slug: string }; traces: Array<Record<string, unknown>> }>();
  let buffered = 0;
  let writing = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  const idle: Array<() => void> = [];

  /**
   * Store one batch. A batch the sink refuses as a whole (a statement that failed) is split in
   * halves and each tried again, so one bad trace costs only itself: k bad traces cost about
   * 2·k·log2(n) extra writes, and a single trace that still fails is logged and given up.
   */
  async function store(project: { id: string; slug: string }, traces: Array<Record<string, unknown>>): Promise<void> {
    try {
      const r = await sink(project, traces);
      if (r && r.rejected > 0) opts.logger.warn({ rejected: r.rejected, example: r.results?.find((x) => (x as { status?: number }).status !== 201) }, 'gateway traces rejected by ingestion');
    } catch (e) {
      if (traces.length === 1) return void opts.logger.warn({ err: e, trace: traces[0]!.id }, 'gateway trace not stored');
      const half = Math.ceil(traces.length / 2);
      await Promise.all([store(project, traces.slice(0, half)), store(project, traces.slice(half))]);
    }
  }

  function write(projectId: string): void {
    const b = buffers.get(projectId);
    if (!b) return;
    buffers.delete(projectId);
    const n = b.traces.length;
    buffered -= n;
    writing += n;
    void store(b.project, b.traces).finally(() => {
      writing -= n;
      if (writing === 0 && buffered === 0) for (const r of idle.splice(0)) r();
    });
  }

  function writeAll(): void {
    timer = undefined;
    for (const id of [...buffers.keys()]) write(id);
  }

  return {
    record(project: { id: string; slug: string }, body: Record<string, unknown>): void {
      if (buffered + writing >= opts.maxPending) {
        if (dropped++ % 1000 === 0) opts.logger.warn({ dropped, pending: buffered + writing }, 'gateway traces are arriving faster than they are stored: dropping some');
        return;
      }
      let b = buffers.get(project.id);
      if (!b) buffers.set(project.id, (b = { project, traces: [] }));
      // The store takes no NUL or unpaired surrogate: they become U+FFFD here (the upstream got the original).
      b.traces.push(cleanStrings(body));
      buffered++;
      if (b.traces.length >= opts.batchSize) write(project.id);
      else if (!timer) {
        timer = setTimeout(writeAll, opts.flushMs);
        timer.unref();
      }
    },
    stats: () => ({ pending: buffered + writing, dropped }),
    /** Write what is buffered now; resolves when nothing is waiting to be stored. */
    flushed(): Promise<void> {
      if (timer) clearTimeout(timer);
      writeAll();
      return buffered + writing === 0 ? Promise.resolve() : new Promise((r) => idle.push(r));
    },
  };
}

export type TraceRecorder = ReturnType<typeof createTraceRecorder>;
