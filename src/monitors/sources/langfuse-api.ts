import { langfuseToTrace, parseLangfuseFile } from '../../ingest/index.js';
import type { MonitorSource } from '../spec.js';
import { expandEnv, toDate, type Source, type SourceItem } from './contract.js';

type LangfuseApiSpec = Extract<MonitorSource, { type: 'langfuse_api' }>;

interface TracesPage {
  data: unknown[];
  meta: { page: number; limit: number; totalItems: number; totalPages: number };
}

const isPage = (v: unknown): v is TracesPage =>
  !!v && typeof v === 'object' && Array.isArray((v as TracesPage).data) && typeof (v as TracesPage).meta?.totalPages === 'number';

/** Langfuse's public traces API (`GET /api/public/traces`, Basic auth with the project's key pair), paged. */
export function langfuseApiSource(spec: LangfuseApiSpec): Source {
  const base = spec.base_url.replace(/\/$/, '');
  return {
    key: `langfuse:${base}`,
    async list(ctx) {
      const auth = Buffer.from(`${expandEnv(spec.public_key, ctx.env, 'source.public_key')}:${expandEnv(spec.secret_key, ctx.env, 'source.secret_key')}`).toString('base64');
      const items: SourceItem[] = [];
      for (let page = 1; page <= spec.max_pages; page++) {
        const u = new URL(`${base}/api/public/traces`);
        u.searchParams.set('page', String(page));
        u.searchParams.set('limit', String(spec.page_limit));
        u.searchParams.set('orderBy', 'timestamp.asc');
        if (spec.window && ctx.since) u.searchParams.set('fromTimestamp', ctx.since.toISOString());
        if (spec.window) u.searchParams.set('toTimestamp', ctx.until.toISOString());
        const f = spec.filters;
        if (f.name) u.searchParams.set('name', f.name);
        if (f.user_id) u.searchParams.set('userId', f.user_id);
        if (f.session_id) u.searchParams.set('sessionId', f.session_id);
        if (f.environment) u.searchParams.set('environment', f.environment);
        for (const t of f.tags ?? []) u.searchParams.append('tags', t);
        const res = await ctx.fetch(u, { headers: { authorization: `Basic ${auth}`, accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
        if (!res.ok) throw new Error(`Langfuse ${u.pathname} page ${page}: HTTP ${res.status}${res.status === 401 ? ' (check public_key / secret_key)' : ''}`);
        const body = (await res.json()) as unknown;
        if (!isPage(body)) throw new Error(`Langfuse ${u.pathname}: not a traces page ({data, meta})`);
        // The list endpoint gives observation ids only; the trace's own input and output carry the exchange.
        const parsed = parseLangfuseFile({ data: body.data.map((t) => ({ ...(t as Record<string, unknown>), observations: [] })) });
        if (parsed.kind === 'traces') {
          for (const x of parsed.traces) {
            const trace = langfuseToTrace(x);
            items.push({ id: x.trace.id, ts: toDate(x.trace.timestamp), fields: { ...trace, raw: x.trace } });
          }
        }
        if (page >= body.meta.totalPages || body.data.length === 0) break;
      }
      return items;
    },
  };
}
