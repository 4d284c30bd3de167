// Turns recorded traces into the server's strict wire format. Runs on the delivery loop, never on
// a traced call. Values the server would reject (too long, wrong type) are trimmed here, because a
// rejected trace is lost while a trimmed one is still useful.
import { newTraceId } from './ids.js';
import type { SpanRecord, TraceRecord } from './record.js';
import type { ContextBody, SpanBody, TraceBody, Usage } from './types.js';
import { toContext } from './contexts.js';

const MAX_TEXT = 1_000_000;
const MAX_CONTEXTS = 200;
const MAX_TAGS = 50;
const MAX_SPANS = 1000;
const MAX_DEPTH = 32;

/** Milliseconds since the epoch as ISO 8601 with microseconds (the store keeps microseconds). */
export function isoMicros(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.floor((ms - whole) * 1000));
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/** Any value as text: strings as they are, everything else as JSON (falling back to String). */
export function toText(v: unknown, max = MAX_TEXT): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === undefined || v === null) s = '';
  else if (v instanceof Error) s = `${v.name}: ${v.message}`;
  else if (typeof v === 'object') s = safeJson(v) ?? String(v);
  else s = String(v);
  return s.length > max ? s.slice(0, max) : s;
}

/** JSON.stringify that survives cycles, BigInt and throwing toJSON; undefined only if nothing works. */
export function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    try {
      const seen = new WeakSet<object>();
      return JSON.stringify(v, (_k, x: unknown) => {
        if (typeof x === 'bigint') return x.toString();
        if (typeof x === 'object' && x !== null) {
          if (seen.has(x)) return '[circular]';
          seen.add(x);
        }
        return x;
      });
    } catch {
      return undefined;
    }
  }
}

const pickString = (o: Record<string, unknown>, keys: readonly string[]): string | undefined => {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
};

const QUERY_KEYS = ['query', 'question', 'input', 'prompt'] as const;
const RESPONSE_KEYS = ['response', 'answer', 'output', 'text', 'content'] as const;

/** The query text of a traced call's first argument: a string, or a field like `query`/`question`. */
export function queryText(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const s = pickString(v as Record<string, unknown>, QUERY_KEYS);
    if (s !== undefined) return toText(s);
  }
  return toText(v);
}

/** The response text of a result: a string, a field like `answer`, or a chat completion's content. */
export function responseText(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const s = pickString(o, RESPONSE_KEYS);
    if (s !== undefined) return toText(s);
    const choice = Array.isArray(o.choices) ? (o.choices[0] as { message?: { content?: unknown } } | undefined) : undefined;
    if (typeof choice?.message?.content === 'string') return toText(choice.message.content);
  }
  return toText(v);
}

const shortText = (v: unknown, max = 256): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;
const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
const money = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Model, tokens and cost summed over a span tree, for traces whose root did not set usage. */
interface Totals {
  model: string | undefined;
  provider: string | undefined;
  input: number | undefined;
  output: number | undefined;
  cost: number | undefined;
}

function addUsage(t: Totals, u: Usage): void {
  t.model ??= shortText(u.model);
  t.provider ??= shortText(u.provider);
  const i = count(u.inputTokens);
  const o = count(u.outputTokens);
  const c = money(u.costUsd);
  if (i !== undefined) t.input = (t.input ?? 0) + i;
  if (o !== undefined) t.output = (t.output ?? 0) + o;
  if (c !== undefined) t.cost = (t.cost ?? 0) + c;
}

/** Detail counts of one usage, when any is set (the server prices cached and reasoning tokens apart). */
function detailsOf(u: Usage): SpanBody['usage_details'] {
  const d = { cached_read: count(u.cachedReadTokens), cached_write: count(u.cachedWriteTokens), reasoning: count(u.reasoningTokens) };
  return d.cached_read || d.cached_write || d.reasoning ? d : undefined;
}

function spanBody(s: SpanRecord, depth: number, budget: { left: number }, totals: Totals): SpanBody {
  budget.left--;
  const b: SpanBody = { name: shortText(s.name, 512) ?? 'span', kind: s.kind, start_time: isoMicros(s.start) };
  if (s.end !== undefined) b.end_time = isoMicros(Math.max(s.end, s.start));
  if (s.failed) {
    b.status = 'error';
    b.error = toText(s.error, 100_000) || 'error';
  }
  if (s.usage) {
    addUsage(totals, s.usage);
    b.model = shortText(s.usage.model);
    b.input_tokens = count(s.usage.inputTokens);
    b.output_tokens = count(s.usage.outputTokens);
    b.cost_usd = money(s.usage.costUsd);
    b.usage_details = detailsOf(s.usage);
  }
  if (s.input !== undefined) b.input = s.input;
  if (s.output !== undefined) b.output = s.output;
  if (s.attributes) b.attributes = s.attributes;
  if (s.children && depth < MAX_DEPTH) {
    const kids: SpanBody[] = [];
    for (const c of s.children) {
      if (budget.left <= 0) break;
      kids.push(spanBody(c, depth + 1, budget, totals));
    }
    if (kids.length) b.spans = kids;
  }
  return b;
}

/** The single span of a `trace(fn)` call, covering the whole call. */
function impliedRoot(r: TraceRecord, name: string): SpanRecord {
  return {
    name,
    kind: r.kind,
    start: r.start,
    end: r.start + (r.latencyMs ?? 0),
    error: r.error,
    failed: r.failed,
    usage: undefined,
    input: undefined,
    output: undefined,
    attributes: undefined,
    children: undefined,
  };
}

/** Contexts in the server's shape, at most as many as it accepts. */
export function contextsBody(list: unknown[]): ContextBody[] {
  const out: ContextBody[] = [];
  for (const c of list) {
    if (out.length >= MAX_CONTEXTS) break;
    const ctx = toContext(c, MAX_TEXT);
    if (ctx) out.push(ctx);
  }
  return out;
}

/** The wire body of a recorded trace; assigns its id if nothing needed it earlier. */
export function traceBody(r: TraceRecord, projectId: string | undefined): TraceBody {
  r.id ??= newTraceId(r.start);
  if (r.body) return { ...r.body, id: r.body.id ?? r.id, project_id: r.body.project_id ?? projectId };
  const b: TraceBody = { id: r.id, timestamp: isoMicros(r.start), query: queryText(r.query) };
  const f = r.fields;
  const project = f?.projectId ?? projectId;
  if (project) b.project_id = project;
  if (r.hasResponse) b.response = responseText(r.response);
  if (r.contexts?.length) b.contexts = contextsBody(r.contexts);
  if (r.latencyMs !== undefined) b.latency_ms = Math.max(0, r.latencyMs);
  if (r.failed) {
    b.status = 'error';
    b.error = toText(r.error, 100_000) || 'error';
  }
  const totals: Totals = { model: undefined, provider: undefined, input: undefined, output: undefined, cost: undefined };
  const root = r.root ?? (r.name === undefined ? undefined : impliedRoot(r, r.name));
  if (root) b.spans = [spanBody(root, 1, { left: MAX_SPANS }, totals)];
  // Usage set on the trace wins; otherwise the spans' usage adds up to the trace's.
  const u = r.usage;
  b.model = shortText(u?.model) ?? totals.model;
  b.provider = shortText(u?.provider) ?? totals.provider;
  b.input_tokens = u ? count(u.inputTokens) : totals.input;
  b.output_tokens = u ? count(u.outputTokens) : totals.output;
  b.cost_usd = u ? money(u.costUsd) : totals.cost;
  if (u) b.usage_details = detailsOf(u);
  if (f) {
    b.user_id = shortText(f.userId);
    b.session_id = shortText(f.sessionId);
    b.reference = f.reference === undefined ? undefined : toText(f.reference);
    if (f.tags?.length) {
      const tags = [...new Set(f.tags.filter((t) => typeof t === 'string' && t.length > 0).map((t) => t.slice(0, 200)))];
      if (tags.length) b.tags = tags.slice(0, MAX_TAGS);
    }
    if (isRecord(f.metadata)) b.metadata = f.metadata;
  }
  return b;
}
