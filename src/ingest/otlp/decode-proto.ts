import { errors } from '../../core/errors.js';
import { isReservedKey } from '../../core/schemas/safe.js';
import { Pacer } from './bounds.js';
import { badId, nanosToMs, type AttrValue, type Attributes, type DecodedExport, type OtlpSpan } from './model.js';
import { decodeExportRequest, type PbAnyValue, type PbKeyValue, type PbSpan } from './proto.js';

const hex = (b: Uint8Array | undefined) => (b && b.length ? Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex') : '');

function int64(v: unknown): number | string {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high } = v as { low: number; high: number };
    const n = high * 4294967296 + (low >>> 0); // high is signed, so negatives come out right
    return Number.isSafeInteger(n) ? n : String(v); // Long#toString is the exact decimal
  }
  return String(v);
}

function anyValue(v: PbAnyValue | null | undefined, depth = 0): AttrValue {
  if (!v || depth > 16) return null;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    case 'intValue':
      return int64(v.intValue);
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => anyValue(x, depth + 1));
    case 'kvlistValue':
      return keyValues(v.kvlistValue?.values ?? [], depth + 1);
    case 'bytesValue':
      return v.bytesValue ? Buffer.from(v.bytesValue).toString('base64') : '';
    default:
      return null;
  }
}

function keyValues(list: PbKeyValue[], depth = 0): Attributes {
  const out: Attributes = {};
  // `__proto__` is dropped: assigned as a key it would replace the object's prototype.
  for (const kv of list) if (!isReservedKey(kv.key)) out[kv.key] = anyValue(kv.value, depth);
  return out;
}

/** Convert one span, or say why it is unusable. */
function convert(s: PbSpan, resource: Attributes, scope: OtlpSpan['scope']): OtlpSpan | string {
  const traceId = hex(s.traceId);
  const spanId = hex(s.spanId);
  const parent = hex(s.parentSpanId);
  const bad = badId(traceId, 16) ? `trace_id ${badId(traceId, 16)}` : badId(spanId, 8) ? `span_id ${badId(spanId, 8)}` : parent && badId(parent, 8) ? `parent_span_id ${badId(parent, 8)}` : undefined;
  if (bad) return bad;
  const startMs = nanosToMs(s.startTimeUnixNano) ?? 0;
  if (!(startMs > 0)) return 'start_time_unix_nano is missing';
  const endMs = nanosToMs(s.endTimeUnixNano);
  return {
    traceId,
    spanId,
    parentSpanId: parent || undefined,
    name: s.name,
    kind: s.kind,
    startMs,
    endMs: endMs && endMs >= startMs ? endMs : undefined,
    attributes: keyValues(s.attributes),
    events: s.events.map((e) => ({ name: e.name, timeMs: nanosToMs(e.timeUnixNano) ?? startMs, attributes: keyValues(e.attributes) })),
    links: s.links.map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
    status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
    resource,
    scope,
  };
}

/**
 * Decode an OTLP/protobuf ExportTraceServiceRequest (spans are converted a few hundred at a time,
 * yielding between); a buffer that is not one is a 400 saying why.
 */
export async function decodeProtobufExport(body: Uint8Array): Promise<DecodedExport> {
  let req;
  try {
    req = decodeExportRequest(body);
  } catch (e) {
    throw errors.badRequest(
      `Body is not a valid OTLP ExportTraceServiceRequest (protobuf): ${(e as Error).message}; send the bytes an OpenTelemetry OTLP/HTTP exporter produces`,
      'invalid_otlp',
    );
  }
  const out: DecodedExport = { spans: [], rejected: [] };
  const pace = new Pacer();
  for (const [i, rs] of req.resourceSpans.entries()) {
    const resource = keyValues(rs.resource?.attributes ?? []);
    for (const [j, ss] of rs.scopeSpans.entries()) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const [k, s] of ss.spans.entries()) {
        await pace.tick();
        const span = convert(s, resource, scope);
        if (typeof span === 'string') out.rejected.push({ where: `resourceSpans.${i}.scopeSpans.${j}.spans.${k}`, reason: span, count: 1 });
        else out.spans.push(span);
      }
    }
  }
  return out;
}
