// What the hot path stores: raw references only. Converting to the wire format (text, ISO times,
// context shapes, JSON) happens later on the delivery loop, so a traced call pays for a few
// property writes and nothing else.
import type { SpanKind, TraceBody, TraceFields, Usage } from './types.js';

/** A span as recorded; `start`/`end` are epoch milliseconds with sub-millisecond precision. */
export interface SpanRecord {
  name: string;
  kind: SpanKind;
  start: number;
  end: number | undefined;
  error: unknown;
  failed: boolean;
  usage: Usage | undefined;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown> | undefined;
  children: SpanRecord[] | undefined;
}

/** A trace as recorded, before serialization. */
export interface TraceRecord {
  /** Assigned lazily: only sampling, `span.traceId` or serialization need it. */
  id: string | undefined;
  /** Wall-clock start (epoch ms) and the monotonic clock at that moment, for span offsets. */
  start: number;
  t0: number;
  latencyMs: number | undefined;
  query: unknown;
  response: unknown;
  hasResponse: boolean;
  contexts: unknown[] | undefined;
  usage: Usage | undefined;
  fields: TraceFields | undefined;
  failed: boolean;
  error: unknown;
  root: SpanRecord | undefined;
  /** For `trace(fn)`: the root span is built from these at serialization, not on the hot path. */
  name: string | undefined;
  kind: SpanKind;
  /** Set by `capture()`: a body already in wire form. */
  body: TraceBody | undefined;
  /** Position in the client's queue, for flush() to know what it has to wait for. */
  seq: number;
}

const perf = (globalThis as { performance?: { now(): number } }).performance;

/** Monotonic milliseconds, for durations that a wall-clock adjustment must not skew. */
export const monotonic: () => number = perf ? () => perf.now() : () => Date.now();

/** A fresh trace record starting now. */
export function newTraceRecord(query: unknown): TraceRecord {
  return {
    id: undefined,
    start: Date.now(),
    t0: monotonic(),
    latencyMs: undefined,
    query,
    response: undefined,
    hasResponse: false,
    contexts: undefined,
    usage: undefined,
    fields: undefined,
    failed: false,
    error: undefined,
    root: undefined,
    name: undefined,
    kind: 'chain',
    body: undefined,
    seq: 0,
  };
}

/** A span of `trace` starting now. */
export function newSpanRecord(trace: TraceRecord, name: string, kind: SpanKind): SpanRecord {
  return {
    name,
    kind,
    start: trace.start + (monotonic() - trace.t0),
    end: undefined,
    error: undefined,
    failed: false,
    usage: undefined,
    input: undefined,
    output: undefined,
    attributes: undefined,
    children: undefined,
  };
}

/** Wall-clock time now, derived from the trace's monotonic anchor so spans order consistently. */
export function nowIn(trace: TraceRecord): number {
  return trace.start + (monotonic() - trace.t0);
}
