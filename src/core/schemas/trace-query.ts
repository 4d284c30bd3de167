import { z } from 'zod';
import { dbText, inQueryRange } from './safe.js';

/** A query-string time: ISO 8601 or epoch ms, between 1970 and 9999. */
export const queryTime = z
  .string()
  .min(1)
  .transform((v, ctx) => {
    const d = /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
    if (!inQueryRange(d)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds between 1970 and 9999' });
      return z.NEVER;
    }
    return d;
  });

export const TRACE_SORTS = ['-timestamp', 'timestamp', '-latency_ms', 'latency_ms', '-cost_usd', 'cost_usd'] as const;
export type TraceSort = (typeof TRACE_SORTS)[number];

/** Query string of `GET /api/v1/traces`. */
export const traceQuerySchema = z.strictObject({
  from: queryTime.optional().describe('inclusive lower bound on timestamp'),
  to: queryTime.optional().describe('exclusive upper bound on timestamp'),
  model: dbText({ min: 1, max: 256 }).optional(),
  provider: dbText({ min: 1, max: 256 }).optional(),
  user_id: dbText({ min: 1, max: 256 }).optional(),
  session_id: dbText({ min: 1, max: 256 }).optional(),
  tag: dbText({ min: 1, max: 200 }).optional().describe('traces carrying this tag'),
  status: z.enum(['success', 'error']).optional(),
  min_latency_ms: z.coerce.number().finite().nonnegative().optional(),
  max_latency_ms: z.coerce.number().finite().nonnegative().optional(),
  q: dbText({ min: 1, max: 500 }).optional().describe('case-insensitive text search in query and response'),
  sort: z.enum(TRACE_SORTS).default('-timestamp'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: dbText({ min: 1, max: 1000 }).optional().describe('next_cursor from the previous page'),
});

export type TraceQuery = z.output<typeof traceQuerySchema>;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
