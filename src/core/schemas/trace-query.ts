import { z } from 'zod';

const time = z
  .string()
  .min(1)
  .transform((v, ctx) => {
    const d = /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return d;
  });

export const TRACE_SORTS = ['-timestamp', 'timestamp', '-latency_ms', 'latency_ms', '-cost_usd', 'cost_usd'] as const;
export type TraceSort = (typeof TRACE_SORTS)[number];

/** Query string of `GET /api/v1/traces`. */
export const traceQuerySchema = z.strictObject({
  from: time.optional().describe('inclusive lower bound on timestamp'),
  to: time.optional().describe('exclusive upper bound on timestamp'),
  model: z.string().min(1).optional(),
  provider: z.string().min(1).optional(),
  user_id: z.string().min(1).optional(),
  session_id: z.string().min(1).optional(),
  tag: z.string().min(1).optional().describe('traces carrying this tag'),
  status: z.enum(['success', 'error']).optional(),
  min_latency_ms: z.coerce.number().nonnegative().optional(),
  max_latency_ms: z.coerce.number().nonnegative().optional(),
  q: z.string().min(1).max(500).optional().describe('case-insensitive text search in query and response'),
  sort: z.enum(TRACE_SORTS).default('-timestamp'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(1000).optional().describe('next_cursor from the previous page'),
});

export type TraceQuery = z.output<typeof traceQuerySchema>;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
