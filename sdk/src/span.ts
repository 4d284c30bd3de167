import { newTraceId } from './ids.js';
import { newSpanRecord, nowIn, type SpanRecord, type TraceRecord } from './record.js';
import type { SpanKind, TraceFields, Usage } from './types.js';
import { observe } from './observe.js';

/**
 * The handle `traceSpan` passes to its callback. On the root span, query/response/contexts/usage
 * are the trace's (what gets evaluated); on a child span they describe that step only, except
 * contexts, which always belong to the trace because the evaluators read them there.
 */
export class Span {
  private ended = false;

  /** @internal Made by the client (`startTrace`, `traceSpan`) or by a parent span. */
  constructor(
    private readonly trace: TraceRecord,
    private readonly record: SpanRecord,
    private readonly isRoot: boolean,
    private readonly onEnd?: () => void,
  ) {}

  /** The trace's id (a UUIDv7), e.g. to attach feedback later. */
  get traceId(): string {
    this.trace.id ??= newTraceId(this.trace.start);
    return this.trace.id;
  }

  /** Append retrieved passages: strings, `{text, source, score}`, documents or `[doc, score]` pairs. */
  addContexts(contexts: readonly unknown[]): this {
    const list = (this.trace.contexts ??= []);
    for (const c of contexts) list.push(c);
    if (!this.isRoot) this.setAttributes({ 'retrieval.documents': (this.countAttr() ?? 0) + contexts.length });
    return this;
  }

  /** The answer: the trace's response on the root span, this step's output on a child. */
  setResponse(response: unknown): this {
    if (this.isRoot) {
      this.trace.response = response;
      this.trace.hasResponse = true;
    } else this.record.output = response;
    return this;
  }

  /** @internal Set the response only if the code did not. */
  setDefaultResponse(response: unknown): void {
    if (this.isRoot ? !this.trace.hasResponse : this.record.output === undefined) this.setResponse(response);
  }

  /** The question: the trace's query on the root span, this step's input on a child. */
  setQuery(query: unknown): this {
    if (this.isRoot) this.trace.query = query;
    else this.record.input = query;
    return this;
  }

  /** What this step received (kept as JSON on the span). */
  setInput(input: unknown): this {
    this.record.input = input;
    return this;
  }

  /** What this step produced (kept as JSON on the span). */
  setOutput(output: unknown): this {
    this.record.output = output;
    return this;
  }

  /** Model, tokens and cost; on the root they are the trace's, otherwise children's usage adds up. */
  setUsage(usage: Usage): this {
    this.record.usage = { ...this.record.usage, ...usage };
    if (this.isRoot) this.trace.usage = this.record.usage;
    return this;
  }

  /** Metadata: the trace's on the root span, this span's attributes on a child. */
  setMetadata(metadata: Record<string, unknown>): this {
    if (!this.isRoot) return this.setAttributes(metadata);
    const f = this.trace.fields;
    this.trace.fields = { ...f, metadata: { ...f?.metadata, ...metadata } };
    return this;
  }

  /** Attributes of this span. */
  setAttributes(attributes: Record<string, unknown>): this {
    this.record.attributes = { ...this.record.attributes, ...attributes };
    return this;
  }

  /** Trace-level fields (user, session, tags, reference answer), from any span. */
  setTrace(fields: TraceFields): this {
    // Copy on write: the fields may be the caller's own options object.
    const f = this.trace.fields;
    const tags = fields.tags ? [...(f?.tags ?? []), ...fields.tags] : f?.tags;
    const metadata = fields.metadata ? { ...f?.metadata, ...fields.metadata } : f?.metadata;
    this.trace.fields = { ...f, ...fields, tags, metadata };
    return this;
  }

  /** Mark this span (and, on the root, the trace) as failed without throwing. */
  setError(error: unknown): this {
    this.record.failed = true;
    this.record.error = error;
    if (this.isRoot) {
      this.trace.failed = true;
      this.trace.error = error;
    }
    return this;
  }

  /** End the span now; ending the root span queues the trace. Later calls do nothing. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.record.end = nowIn(this.trace);
    if (this.isRoot) this.trace.latencyMs = this.record.end - this.record.start;
    this.onEnd?.();
  }

  /** A child span starting now; call its `end()` when the step is done. */
  startSpan(name: string, kind: SpanKind = 'other'): Span {
    const rec = newSpanRecord(this.trace, name, kind);
    (this.record.children ??= []).push(rec);
    return new Span(this.trace, rec, false);
  }

  /** Run `fn` as a child span; its result (or promise) is returned, its errors are recorded and rethrown. */
  span<R>(name: string, kind: SpanKind, fn: (child: Span) => R): R {
    const child = this.startSpan(name, kind);
    const fail = (e: unknown): void => {
      child.setError(e);
      child.end();
    };
    let result: R;
    try {
      result = fn(child);
    } catch (e) {
      fail(e);
      throw e;
    }
    return observe(result, () => child.end(), fail);
  }

  private countAttr(): number | undefined {
    const v = this.record.attributes?.['retrieval.documents'];
    return typeof v === 'number' ? v : undefined;
  }
}
