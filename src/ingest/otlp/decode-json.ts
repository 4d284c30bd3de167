// OTLP/JSON: the protobuf JSON mapping with OTLP's deviations — trace and span ids are hex (not
// base64), enums are integers, int64 may be a string or a number. Receivers must accept both the
// lowerCamelCase and the original snake_case field names and ignore unknown fields.
import { errors } from '../../core/errors.js';
import { badId, nanosToMs, type AttrValue, type Attributes, type DecodedExport, type OtlpSpan } from './model.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field by its lowerCamelCase or snake_case name. */
function get(o: Obj, camel: string): unknown {
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function malformed(where: string, what: string): never {
  throw errors.badRequest(`Body is not a valid OTLP/JSON ExportTraceServiceRequest: ${where} ${what}`, 'invalid_otlp');
}

function list(o: Obj, camel: string, where: string): unknown[] {
  const v = get(o, camel);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) malformed(`${where}.${camel}`, 'must be an array');
  return v;
}

/** Hex as OTLP/JSON prescribes; base64 (the generic protobuf JSON mapping) is accepted too. */
function id(v: unknown): string {
  if (typeof v !== 'string' || v === '') return '';
  if (/^[0-9a-fA-F]+$/.test(v) && (v.length === 32 || v.length === 16)) return v.toLowerCase();
  const b = Buffer.from(v, 'base64');
  return b.length === 16 || b.length === 8 ? b.toString('hex') : v;
}

function anyValue(v: unknown, depth = 0): AttrValue {
  if (!isObj(v) || depth > 16) return null;
  const s = get(v, 'stringValue');
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  const b = get(v, 'boolValue');
  if (b !== undefined) return b === true || b === 'true';
  const i = get(v, 'intValue');
  if (i !== undefined) {
    const n = Number(i);
    return Number.isSafeInteger(n) ? n : String(i);
  }
  const d = get(v, 'doubleValue');
  if (d !== undefined) return typeof d === 'number' ? d : Number(d);
  const a = get(v, 'arrayValue');
  if (a !== undefined) return isObj(a) && Array.isArray(a.values) ? a.values.map((x) => anyValue(x, depth + 1)) : [];
  const kv = get(v, 'kvlistValue');
  if (kv !== undefined) return isObj(kv) && Array.isArray(kv.values) ? keyValues(kv.values, depth + 1) : {};
  const by = get(v, 'bytesValue');
  if (by !== undefined) return typeof by === 'string' ? by : null;
  return null;
}

function keyValues(items: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(items)) return out;
  for (const kv of items) if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value, depth);
  return out;
}

const ENUMS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
  STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2,
};
const enumInt = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? (ENUMS[v] ?? (Number(v) || 0)) : 0);

function convert(s: Obj, resource: Attributes, scope: OtlpSpan['scope']): OtlpSpan | string {
  const traceId = id(get(s, 'traceId'));
  const spanId = id(get(s, 'spanId'));
  const parent = id(get(s, 'parentSpanId'));
  const bad = badId(traceId, 16) ? `traceId ${badId(traceId, 16)}` : badId(spanId, 8) ? `spanId ${badId(spanId, 8)}` : parent && badId(parent, 8) ? `parentSpanId ${badId(parent, 8)}` : undefined;
  if (bad) return bad;
  const startMs = nanosToMs(get(s, 'startTimeUnixNano'));
  if (!startMs || !(startMs > 0)) return 'startTimeUnixNano is missing or not an integer (nanoseconds since the epoch)';
  const endMs = nanosToMs(get(s, 'endTimeUnixNano'));
  const status = isObj(s.status) ? s.status : {};
  const events = Array.isArray(s.events) ? s.events.filter(isObj) : [];
  const links = Array.isArray(s.links) ? s.links.filter(isObj) : [];
  return {
    traceId,
    spanId,
    parentSpanId: parent || undefined,
    name: typeof s.name === 'string' ? s.name : '',
    kind: enumInt(s.kind),
    startMs,
    endMs: endMs && endMs >= startMs ? endMs : undefined,
    attributes: keyValues(s.attributes),
    events: events.map((e) => ({
      name: typeof e.name === 'string' ? e.name : '',
      timeMs: nanosToMs(get(e, 'timeUnixNano')) ?? startMs,
      attributes: keyValues(e.attributes),
    })),
    links: links.map((l) => ({ traceId: id(get(l, 'traceId')), spanId: id(get(l, 'spanId')) })),
    status: { code: enumInt(status.code), message: typeof status.message === 'string' ? status.message : '' },
    resource,
    scope,
  };
}

/** Decode a parsed OTLP/JSON ExportTraceServiceRequest; a body of the wrong shape is a 400 saying where. */
export function decodeJsonExport(body: unknown): DecodedExport {
  if (!isObj(body)) malformed('the body', 'must be a JSON object with "resourceSpans"');
  const out: DecodedExport = { spans: [], rejected: [] };
  list(body, 'resourceSpans', 'body').forEach((rs, i) => {
    const at = `resourceSpans.${i}`;
    if (!isObj(rs)) malformed(at, 'must be an object');
    const resource = isObj(rs.resource) ? keyValues(rs.resource.attributes) : {};
    // instrumentationLibrarySpans: the name before OTLP 0.15, still sent by old exporters.
    const scopes = [...list(rs, 'scopeSpans', at), ...list(rs, 'instrumentationLibrarySpans', at)];
    scopes.forEach((ss, j) => {
      const sat = `${at}.scopeSpans.${j}`;
      if (!isObj(ss)) malformed(sat, 'must be an object');
      const sc = get(ss, 'scope') ?? get(ss, 'instrumentationLibrary');
      const scope = isObj(sc) ? { name: String(sc.name ?? ''), version: String(sc.version ?? '') } : { name: '', version: '' };
      list(ss, 'spans', sat).forEach((s, k) => {
        const span = isObj(s) ? convert(s, resource, scope) : 'must be an object';
        if (typeof span === 'string') out.rejected.push({ where: `${sat}.spans.${k}`, reason: span, count: 1 });
        else out.spans.push(span);
      });
    });
  });
  return out;
}
