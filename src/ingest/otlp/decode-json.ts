// OTLP/JSON: the protobuf JSON mapping with OTLP's deviations — trace and span ids are hex (not
// base64), enums are integers, int64 may be a string or a number. Receivers must accept both the
// lowerCamelCase and the original snake_case field names and ignore unknown fields.
import { errors } from '../../core/errors.js';
import { isReservedKey } from '../../core/schemas/safe.js';
import { Pacer } from './bounds.js';
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
  // Values of the wrong JSON type are read as scalars or dropped, never coerced: String() or
  // Number() of a client's object runs its "toString" key, which may not be a function.
  const s = get(v, 'stringValue');
  if (s !== undefined) return scalarText(s);
  const b = get(v, 'boolValue');
  if (b !== undefined) return b === true || b === 'true';
  const i = get(v, 'intValue');
  if (i !== undefined) {
    if (typeof i === 'number') return Number.isFinite(i) ? i : null;
    if (typeof i !== 'string' || !/^-?\d{1,20}$/.test(i)) return null;
    const n = Number(i);
    return Number.isSafeInteger(n) ? n : i;
  }
  const d = get(v, 'doubleValue');
  if (d !== undefined) {
    const n = typeof d === 'number' ? d : typeof d === 'string' ? Number(d) : NaN;
    return Number.isFinite(n) ? n : null;
  }
  const a = get(v, 'arrayValue');
  if (a !== undefined) return isObj(a) && Array.isArray(a.values) ? a.values.map((x) => anyValue(x, depth + 1)) : [];
  const kv = get(v, 'kvlistValue');
  if (kv !== undefined) return isObj(kv) && Array.isArray(kv.values) ? keyValues(kv.values, depth + 1) : {};
  const by = get(v, 'bytesValue');
  if (by !== undefined) return typeof by === 'string' ? by : null;
  return null;
}

/** A string field as text: numbers and booleans as written, anything else as nothing. */
function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

// `__proto__` is dropped: assigned as a key it would replace the object's prototype.
function keyValues(items: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(items)) return out;
  for (const kv of items) if (isObj(kv) && typeof kv.key === 'string' && !isReservedKey(kv.key)) out[kv.key] = anyValue(kv.value, depth);
  return out;
}

const ENUMS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
  STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2,
};
const enumInt = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? (Object.hasOwn(ENUMS, v) ? ENUMS[v]! : Number(v) || 0) : 0);

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

/**
 * Decode a parsed OTLP/JSON ExportTraceServiceRequest, yielding to the event loop every few hundred
 * spans; a body of the wrong shape is a 400 saying where.
 */
export async function decodeJsonExport(body: unknown): Promise<DecodedExport> {
  if (!isObj(body)) malformed('the body', 'must be a JSON object with "resourceSpans"');
  const out: DecodedExport = { spans: [], rejected: [] };
  const pace = new Pacer();
  for (const [i, rs] of list(body, 'resourceSpans', 'body').entries()) {
    const at = `resourceSpans.${i}`;
    if (!isObj(rs)) malformed(at, 'must be an object');
    const resource = isObj(rs.resource) ? keyValues(rs.resource.attributes) : {};
    // instrumentationLibrarySpans: the name before OTLP 0.15, still sent by old exporters.
    const scopes = [...list(rs, 'scopeSpans', at), ...list(rs, 'instrumentationLibrarySpans', at)];
    for (const [j, ss] of scopes.entries()) {
      const sat = `${at}.scopeSpans.${j}`;
      if (!isObj(ss)) malformed(sat, 'must be an object');
      const sc = get(ss, 'scope') ?? get(ss, 'instrumentationLibrary');
      const scope = isObj(sc) ? { name: scalarText(sc.name) ?? '', version: scalarText(sc.version) ?? '' } : { name: '', version: '' };
      for (const [k, s] of list(ss, 'spans', sat).entries()) {
        await pace.tick();
        const span = isObj(s) ? convert(s, resource, scope) : 'must be an object';
        if (typeof span === 'string') out.rejected.push({ where: `${sat}.spans.${k}`, reason: span, count: 1 });
        else out.spans.push(span);
      }
    }
  }
  return out;
}
