// The Langfuse ingestion API's event envelope (POST /api/public/ingestion) and the merge of events
// into one trace's state. Langfuse treats every create as an upsert and lets an update arrive before
// its create, so each field keeps the event time it was set at and a later event wins field by field.
import { z } from 'zod';
import { dbText } from '../../core/schemas/safe.js';
import { clientObject } from '../../core/schemas/api.js';

export const INGESTION_TYPES = [
  'trace-create',
  'span-create',
  'span-update',
  'generation-create',
  'generation-update',
  'event-create',
  'observation-create',
  'observation-update',
  'score-create',
  'sdk-log',
] as const;
export type IngestionType = (typeof INGESTION_TYPES)[number];

// Not z.record: it throws on an object holding "constructor": null (api.ts clientObject).
const obj = clientObject();

export const ingestionEventSchema = z.object({
  id: dbText({ min: 1, max: 256 }),
  type: z.enum(INGESTION_TYPES),
  timestamp: z.string().min(1).refine((s) => Number.isFinite(Date.parse(s)), 'is not an ISO 8601 date-time'),
  body: obj,
  metadata: z.unknown().optional(),
});
export type IngestionEvent = z.output<typeof ingestionEventSchema>;

/** The envelope: the events are validated one by one so one bad event fails alone. */
export const ingestionBatchSchema = z.object({
  batch: z.array(z.unknown()).max(10_000),
  metadata: z.unknown().optional(),
});

/** One merged object: its fields and, per field, the event time that set it. */
export interface Merged {
  fields: Record<string, unknown>;
  at: Record<string, string>;
}

export interface TraceState {
  trace: Merged | null;
  observations: Record<string, Merged & { type: string }>;
  scores: Record<string, Record<string, unknown>>;
  /** The first event time seen for the trace: its time when neither trace nor observations say. */
  firstSeen: string;
}

const OBSERVATION_TYPES: Partial<Record<IngestionType, string>> = {
  'span-create': 'SPAN',
  'span-update': 'SPAN',
  'generation-create': 'GENERATION',
  'generation-update': 'GENERATION',
  'event-create': 'EVENT',
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The trace an event belongs to (trace-create: its own id), or undefined when it names none. */
export function traceIdOf(e: IngestionEvent): string | undefined {
  const v = e.type === 'trace-create' ? e.body.id : e.body.traceId;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function mergeInto(m: Merged, body: Record<string, unknown>, at: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    // Metadata objects are merged key by key (Langfuse merges them too); other fields are replaced.
    if (k === 'metadata' && isObj(v) && isObj(m.fields.metadata)) {
      m.fields.metadata = (m.at[k] ?? '') <= at ? { ...m.fields.metadata, ...v } : { ...v, ...m.fields.metadata };
      m.at[k] = (m.at[k] ?? '') > at ? m.at[k]! : at;
      continue;
    }
    if (k === 'tags' && Array.isArray(v) && Array.isArray(m.fields.tags)) {
      m.fields.tags = [...new Set([...(m.fields.tags as unknown[]), ...v])];
      continue;
    }
    if (m.at[k] !== undefined && m.at[k]! > at) continue;
    m.fields[k] = v;
    m.at[k] = at;
  }
}

/** Apply events (one trace's, any order) to its stored state. */
export function applyEvents(prev: unknown, events: IngestionEvent[]): TraceState {
  const state: TraceState = isObj(prev) && isObj(prev.observations)
    ? (prev as unknown as TraceState)
    : { trace: null, observations: {}, scores: {}, firstSeen: events[0]?.timestamp ?? new Date().toISOString() };
  for (const e of [...events].sort((a, b) => a.timestamp.localeCompare(b.timestamp))) {
    const at = new Date(Date.parse(e.timestamp)).toISOString();
    if (at < state.firstSeen) state.firstSeen = at;
    if (e.type === 'trace-create') {
      state.trace ??= { fields: {}, at: {} };
      mergeInto(state.trace, e.body, at);
    } else if (e.type === 'score-create') {
      const id = typeof e.body.id === 'string' && e.body.id ? e.body.id : e.id;
      state.scores[id] = { ...e.body, id, timestamp: at };
    } else if (e.type !== 'sdk-log') {
      const id = e.body.id as string;
      const declared = typeof e.body.type === 'string' ? e.body.type.toUpperCase() : undefined;
      const o = (state.observations[id] ??= { fields: {}, at: {}, type: declared ?? OBSERVATION_TYPES[e.type] ?? 'SPAN' });
      // A create names the type; an update only fills it in if no create was seen.
      if (declared && e.type.endsWith('-create')) o.type = declared;
      else if (!declared && e.type.endsWith('-create') && OBSERVATION_TYPES[e.type]) o.type = OBSERVATION_TYPES[e.type]!;
      mergeInto(o, e.body, at);
      // Until an event names the start, the event time stands in (an update's end time if earlier);
      // its empty clock lets any later startTime replace it.
      if (o.fields.startTime === undefined) {
        const end = typeof o.fields.endTime === 'string' ? o.fields.endTime : undefined;
        o.fields.startTime = end && Date.parse(end) < Date.parse(at) ? end : at;
        o.at.startTime = '';
      }
    }
  }
  return state;
}
