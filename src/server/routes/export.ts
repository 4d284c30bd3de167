import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dbText, traceQuerySchema, type Trace } from '../../core/index.js';
import { resolveRange } from '../../analytics/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const TRACE_COLUMNS = ['id', 'timestamp', 'model', 'provider', 'user_id', 'session_id', 'status', 'latency_ms', 'input_tokens', 'output_tokens', 'token_count', 'cost_usd', 'cost_source', 'tags', 'query', 'response', 'error'] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-leading cells defused. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = Array.isArray(v) ? v.join(';') : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`; // spreadsheet formula injection
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Streamed exports of traces and costs as CSV or JSON. */
export function exportRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { store, auth, analytics } = deps;
  return async (app) => {
    app.get(
      '/api/v1/export/traces',
      {
        schema: {
          tags: ['export'],
          summary: 'Traces of a time range as CSV or a JSON array (streamed, oldest first)',
          security: secured,
          querystring: z.strictObject({ format: z.enum(['csv', 'json']).default('csv'), from: dbText({ max: 64 }).optional(), to: dbText({ max: 64 }).optional(), window: dbText({ max: 16 }).optional(), limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000) }),
        },
      },
      async (req, reply) => {
        const projectId = (await auth.authenticate(req.headers)).project.id;
        const { from, to } = resolveRange({ window: req.query.window ?? '30d', from: req.query.from, to: req.query.to });
        const { format, limit } = req.query;
        async function* rows(): AsyncGenerator<string> {
          let cursor: string | undefined;
          let sent = 0;
          yield format === 'csv' ? `${TRACE_COLUMNS.join(',')}\n` : '[';
          do {
            const page = await store.traces.list(projectId, traceQuerySchema.parse({ from: from.toISOString(), to: to.toISOString(), sort: 'timestamp', limit: 500, ...(cursor ? { cursor } : {}) }));
            for (const t of page.data) {
              if (sent >= limit) break;
              yield format === 'csv' ? `${TRACE_COLUMNS.map((c) => csvField(t[c as keyof Trace])).join(',')}\n` : `${sent ? ',' : ''}\n${JSON.stringify(t)}`;
              sent++;
            }
            cursor = sent < limit ? (page.next_cursor ?? undefined) : undefined;
          } while (cursor);
          if (format === 'json') yield '\n]\n';
        }
        reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="traces-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.${format}"`);
        return reply.send(Readable.from(rows()));
      },
    );

    app.get(
      '/api/v1/export/costs',
      {
        schema: {
          tags: ['export'],
          summary: 'Cost per day, or per model/user/tag/provider over the range, as CSV or JSON',
          security: secured,
          querystring: z.strictObject({ format: z.enum(['csv', 'json']).default('csv'), by: z.enum(['day', 'model', 'user', 'tag', 'provider']).default('day'), from: dbText({ max: 64 }).optional(), to: dbText({ max: 64 }).optional(), window: dbText({ max: 16 }).optional() }),
        },
      },
      async (req, reply) => {
        const projectId = (await auth.authenticate(req.headers)).project.id;
        const { from, to } = resolveRange({ window: req.query.window ?? '30d', from: req.query.from, to: req.query.to });
        const rows =
          req.query.by === 'day'
            ? (await analytics.timeseries(projectId, from, to, 'day')).points.map((p) => ({ key: p.t.slice(0, 10), requests: p.traces, tokens: p.tokens, cost_usd: p.cost_usd }))
            : (await analytics.breakdown(projectId, from, to, req.query.by, 500)).items.map((i) => ({ key: i.key, requests: i.traces, tokens: i.tokens, cost_usd: i.cost_usd }));
        if (req.query.format === 'json') return { from: from.toISOString(), to: to.toISOString(), by: req.query.by, rows };
        reply.header('content-type', 'text/csv; charset=utf-8');
        return `${req.query.by},requests,tokens,cost_usd\n${rows.map((r) => [r.key, r.requests, r.tokens, r.cost_usd].map(csvField).join(',')).join('\n')}\n`;
      },
    );
  };
}
