import { z } from 'zod';
import { COST_SOURCES, SPAN_KINDS } from './trace.js';

// Client data read back as sent. Not z.record: that refuses objects with a "constructor" key
// (and throws on one whose value is null).
export const clientObject = () => z.looseObject({});

/** Response shapes, used for OpenAPI and to check what the server sends. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

const nullableNum = z.number().nullable();

export const spanOutSchema = z.object({
  id: z.string(),
  trace_id: z.string(),
  parent_id: z.string().nullable(),
  name: z.string(),
  kind: z.enum(SPAN_KINDS),
  start_time: z.string(),
  end_time: z.string().nullable(),
  duration_ms: nullableNum,
  status: z.enum(['success', 'error']),
  error: z.string().nullable(),
  model: z.string().nullable(),
  input_tokens: nullableNum,
  output_tokens: nullableNum,
  cost_usd: nullableNum,
  input: z.unknown(),
  output: z.unknown(),
  attributes: clientObject(),
});

export const traceOutSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    timestamp: z.string(),
    query: z.string(),
    response: z.string().nullable(),
    contexts: z.array(
      z.object({
        text: z.string(),
        source: z.string().optional(),
        score: z.number().optional(),
        metadata: clientObject().optional(),
      }),
    ),
    reference: z.string().nullable(),
    model: z.string().nullable(),
    provider: z.string().nullable(),
    input_tokens: nullableNum,
    output_tokens: nullableNum,
    token_count: nullableNum,
    latency_ms: nullableNum,
    cost_usd: nullableNum,
    cost_source: z.enum(COST_SOURCES).nullable().describe("where cost_usd came from: sent by the client, computed from the price table, or 'unpriced' (usage but no known price); null without usage"),
    user_id: z.string().nullable(),
    session_id: z.string().nullable(),
    tags: z.array(z.string()),
    metadata: clientObject(),
    status: z.enum(['success', 'error']),
    error: z.string().nullable(),
    created_at: z.string(),
    spans: z.array(spanOutSchema).optional(),
  })
  .meta({ id: 'Trace' });

export const tracePageSchema = z.object({ data: z.array(traceOutSchema), next_cursor: z.string().nullable() });

export const ingestResultSchema = z.object({ id: z.string(), duplicate: z.boolean().optional() });

export const batchResultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.number().int(),
      id: z.string().optional(),
      duplicate: z.boolean().optional(),
      error: errorBodySchema.shape.error.optional(),
    }),
  ),
});

export const projectOutSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  name: z.string(),
  slug: z.string(),
});
