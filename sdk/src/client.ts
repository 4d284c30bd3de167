import { Delivery, clamp } from './delivery.js';
import { newTraceId, sampled } from './ids.js';
import { isThenable, observe } from './observe.js';
import { monotonic, newSpanRecord, newTraceRecord, type TraceRecord } from './record.js';
import { Span } from './span.js';
import type { AetherClientOptions, ClientStats, SpanKind, TraceBody, TraceFields, Usage } from './types.js';

/** Per-function options of `client.trace(fn, opts)`. */
export interface TraceOptions<A extends unknown[], R> extends TraceFields {
  /** Name of the trace's root span; default: the function's name. */
  name?: string;
  /** Kind of the root span; default `chain`. */
  kind?: SpanKind;
  /** The query from the arguments; default: the first argument (or its `query`/`question`/`input` field). */
  query?: (args: A) => unknown;
  /** The response from the result; default: the result (or its `answer`/`output`/`content`…). */
  response?: (result: Awaited<R>) => unknown;
  /** Model usage read from the result. */
  usage?: (result: Awaited<R>) => Usage | undefined;
}

/** Options of `client.traceSpan(fn, opts)`. */
export interface TraceSpanOptions extends TraceFields {
  /** Name of the root span. */
  name: string;
  /** Kind of the root span; default `chain`. */
  kind?: SpanKind;
  /** The trace's query (also settable with `span.setQuery`). */
  query?: unknown;
}

/**
 * Records traces of an application's LLM calls and delivers them in the background. Recording only
 * stores references; conversion and sending happen later, and nothing here throws into the caller.
 */
export class AetherClient {
  private readonly delivery: Delivery;
  private readonly sampleRate: number;
  private closed = false;

  constructor(options: AetherClientOptions) {
    this.sampleRate = clamp(options.sampleRate, 1, 0, 1);
    this.delivery = new Delivery(options);
  }

  /** Wrap `fn` so every call records a trace; results and errors pass through unchanged. */
  trace<A extends unknown[], R>(fn: (...args: A) => R, opts: TraceOptions<A, R> = {}): (...args: A) => R {
    const name = opts.name ?? (fn.name || 'trace');
    const kind = opts.kind ?? 'chain';
    // Arrow functions carry the client; `traced` itself must keep the caller's `this` for `fn`.
    const begin = (query: unknown) => this.begin(query);
    const end = (r: TraceRecord, args: A, value: unknown, error: unknown, failed: boolean) =>
      this.endCall(r, opts, args, value, error, failed);
    return function traced(this: unknown, ...args: A): R {
      const r = begin(args[0]);
      if (!r) return fn.apply(this, args);
      r.name = name;
      r.kind = kind;
      r.fields = opts;
      let result: R;
      try {
        result = fn.apply(this, args);
      } catch (e) {
        end(r, args, undefined, e, true);
        throw e;
      }
      if (!isThenable(result)) {
        end(r, args, result, undefined, false);
        return result;
      }
      return observe(
        result,
        (v) => end(r, args, v, undefined, false),
        (e) => end(r, args, undefined, e, true),
      );
    };
  }

  /** Start a trace by hand: returns its root span; `span.end()` finishes and queues it. */
  startTrace(opts: TraceSpanOptions): Span {
    const r = newTraceRecord(opts.query);
    const keep = this.keep(r);
    const root = newSpanRecord(r, opts.name, opts.kind ?? 'chain');
    root.start = r.start;
    r.root = root;
    r.fields = opts;
    return new Span(r, root, true, keep ? () => this.delivery.enqueue(r) : undefined);
  }

  /** Run `fn` inside a new trace whose root span `fn` receives; returns what `fn` returns. */
  traceSpan<R>(fn: (span: Span) => R, opts: TraceSpanOptions): R {
    const span = this.startTrace(opts);
    const fail = (e: unknown): void => {
      span.setError(e);
      span.end();
    };
    let result: R;
    try {
      result = fn(span);
    } catch (e) {
      fail(e);
      throw e;
    }
    return observe(
      result,
      (v) => {
        // The callback's return value is the answer unless the code set one explicitly.
        if (v !== undefined) span.setDefaultResponse(v);
        span.end();
      },
      fail,
    );
  }

  /** Queue a trace already in the wire format; returns its id (generated when absent). */
  capture(body: TraceBody): string {
    const r = newTraceRecord(undefined);
    r.body = body;
    r.id = body.id ?? newTraceId(r.start);
    if (this.keep(r)) this.delivery.enqueue(r);
    return r.id;
  }

  /** Counters since creation: queued (including a batch being sent), sent, dropped, failed. */
  stats(): ClientStats {
    return this.delivery.stats();
  }

  /** Resolves once every trace recorded before the call was delivered, rejected or given up on. */
  flush(): Promise<void> {
    return this.delivery.flush();
  }

  /** Stop recording, deliver what is queued, and release the timer and the exit hook. */
  shutdown(): Promise<void> {
    this.closed = true;
    return this.delivery.close();
  }

  /** A started trace record, or undefined when the client is closed or the trace is sampled out. */
  private begin(query: unknown): TraceRecord | undefined {
    if (this.closed) return undefined;
    const r = newTraceRecord(query);
    return this.keep(r) ? r : undefined;
  }

  /** Whether to record this trace: deterministic in its id, so a decision can be reproduced. */
  private keep(r: TraceRecord): boolean {
    if (this.closed) return false;
    if (this.sampleRate >= 1) return true;
    r.id ??= newTraceId(r.start);
    return sampled(r.id, this.sampleRate);
  }

  private endCall<A extends unknown[], R>(
    r: TraceRecord,
    opts: TraceOptions<A, R>,
    args: A,
    value: unknown,
    error: unknown,
    failed: boolean,
  ): void {
    r.latencyMs = monotonic() - r.t0;
    if (failed) {
      r.failed = true;
      r.error = error;
    }
    try {
      if (opts.query) r.query = opts.query(args);
      if (!failed) {
        r.response = opts.response ? opts.response(value as Awaited<R>) : value;
        r.hasResponse = true;
        if (opts.usage) r.usage = opts.usage(value as Awaited<R>);
      }
    } catch {
      // A throwing extractor loses its field, not the trace, and never the caller's result.
    }
    this.delivery.enqueue(r);
  }
}
