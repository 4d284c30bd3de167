// The decoded form of an OTLP trace export, shared by the protobuf and JSON decoders so the
// mapping to Aether traces is written once.

/** An OTLP AnyValue as plain JSON: int64 beyond 2^53 stays a decimal string, bytes become base64. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface OtlpEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface OtlpScope {
  name: string;
  version: string;
}

/** One span with the resource and scope it was exported under. */
export interface OtlpSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number | undefined;
  attributes: Attributes;
  events: OtlpEvent[];
  links: Array<{ traceId: string; spanId: string }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** Shared by every span of one ResourceSpans entry. */
  resource: Attributes;
  scope: OtlpScope;
}

/** A span the receiver could not accept, with where it was in the request and why. */
export interface SpanRejection {
  where: string;
  reason: string;
  count: number;
}

export interface DecodedExport {
  spans: OtlpSpan[];
  rejected: SpanRejection[];
}

export const SPAN_KIND_NAMES = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Why a trace or span id is unusable (OTLP: wrong length or all zeroes), or undefined when valid. */
export function badId(hex: string, bytes: 8 | 16): string | undefined {
  if (hex.length !== bytes * 2) return `must be ${bytes} bytes (got ${hex.length / 2})`;
  if (hex === (bytes === 16 ? ZERO_TRACE : ZERO_SPAN)) return 'must not be all zeroes';
  return undefined;
}

/** Nanoseconds (a protobuf Long, a decimal string or a number) as epoch milliseconds. */
export function nanosToMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v / 1e6 : undefined;
  if (typeof v === 'string') {
    if (!/^\d{1,20}$/.test(v)) return undefined;
    return Number(v) / 1e6;
  }
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high } = v as { low: number; high: number };
    return ((high >>> 0) * 4294967296 + (low >>> 0)) / 1e6;
  }
  return undefined;
}
