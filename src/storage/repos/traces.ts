import type pg from 'pg';
import { errors } from '../../core/errors.js';
import type { Page, Span, SpanKind, Trace, TraceQuery, TraceStatus } from '../../core/index.js';
import { likeEscape, Params, preparedQuery } from '../sql.js';
import { rollupRowsJson, TRACE_ROLLUP_DELTA, traceRollupDeltas, traceRollupRows } from './rollup-sql.js';

/** A trace ready to store: validated and normalized by the ingest module. */
export type NewTrace = Omit<Trace, 'timestamp' | 'created_at' | 'spans'> & { ts: Date; span_count: number };

export interface NewSpan {
  project_id: string;
  trace_id: string;
  id: string;
  parent_id: string | null;
  name: string;
  kind: SpanKind;
  start_time: Date;
  end_time: Date | null;
  status: TraceStatus;
  error: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
}

/** An evaluation job to enqueue with its trace. */
export interface NewEvalJob {
  id: string;
  project_id: string;
  trace_id: string;
}

const TRACE_COLUMNS = `project_id text, id text, ts timestamptz, query text, response text, contexts jsonb,
  reference text, model text, provider text, input_tokens int, output_tokens int, token_count int,
  latency_ms float8, cost_usd float8, cost_source text, user_id text, session_id text, tags text[], metadata jsonb,
  status text, error text, span_count int`;
const TRACE_NAMES = TRACE_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', ');

const SPAN_COLUMNS = `project_id text, trace_id text, id text, parent_id text, name text, kind text,
  start_time timestamptz, end_time timestamptz, status text, error text, model text, input_tokens int,
  output_tokens int, cost_usd float8, input jsonb, output jsonb, attributes jsonb`;
const SPAN_NAMES = SPAN_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', ');

// One statement inserts traces, the spans of the traces that were new, their evaluation jobs and
// the rollups counting them: atomic (no accepted trace misses its evaluation, no rollup counts a
// duplicate), one round trip, and rows travel as one JSON parameter each, far cheaper to bind than
// thousands of values. The rollup rows come aggregated from the caller ($4, for $5 traces); they
// are used when every trace was new, and otherwise the statement aggregates the new ones itself.
const INSERT_SQL = `
with ins as (
  insert into rag_traces (${TRACE_NAMES})
  select ${TRACE_NAMES} from json_to_recordset($1::json) as x(${TRACE_COLUMNS})
  on conflict (project_id, id) do nothing
  returning project_id, id, ts, status, model, provider, user_id, tags, input_tokens, output_tokens, token_count, cost_usd, latency_ms
), sp as (
  insert into trace_spans (${SPAN_NAMES})
  select ${SPAN_NAMES.split(', ').map((n) => `s.${n}`).join(', ')}
    from json_to_recordset($2::json) as s(${SPAN_COLUMNS})
    join ins on ins.project_id = s.project_id and ins.id = s.trace_id
  on conflict do nothing
  returning 1
), jobs as (
  insert into eval_jobs (id, project_id, trace_id)
  select j.id, j.project_id, j.trace_id
    from json_to_recordset($3::json) as j(id text, project_id text, trace_id text)
    join ins on ins.project_id = j.project_id and ins.id = j.trace_id
  on conflict do nothing
  returning 1
), inserted as (
  select count(*)::int as n from ins
), fast as (${traceRollupRows('$4', '(select n from inserted) = $5::int')}
  returning 1
), facts as (
  select i.*, 1 as sign from ins i where (select n from inserted) <> $5::int
), roll as (${TRACE_ROLLUP_DELTA}
  returning 1
)
select project_id, id from ins`;

const SORT_KEYS = {
  timestamp: { expr: 'ts', cast: 'timestamptz' },
  latency_ms: { expr: 'coalesce(latency_ms, -1)', cast: 'float8' },
  cost_usd: { expr: 'coalesce(cost_usd, -1)', cast: 'float8' },
} as const;

type TraceRow = Omit<Trace, 'timestamp' | 'created_at' | 'spans'> & { ts: Date; created_at: Date };

interface SpanRow extends Omit<NewSpan, 'project_id'> {
  project_id?: string;
}

function toTrace(r: TraceRow): Trace {
  return {
    id: r.id,
    project_id: r.project_id,
    timestamp: r.ts.toISOString(),
    query: r.query,
    response: r.response,
    contexts: r.contexts,
    reference: r.reference,
    model: r.model,
    provider: r.provider,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    token_count: r.token_count,
    latency_ms: r.latency_ms,
    cost_usd: r.cost_usd,
    cost_source: r.cost_source ?? null,
    user_id: r.user_id,
    session_id: r.session_id,
    tags: r.tags,
    metadata: r.metadata,
    status: r.status,
    error: r.error,
    created_at: r.created_at.toISOString(),
  };
}

function toSpan(r: SpanRow): Span {
  return {
    id: r.id,
    trace_id: r.trace_id,
    parent_id: r.parent_id,
    name: r.name,
    kind: r.kind,
    start_time: r.start_time.toISOString(),
    end_time: r.end_time ? r.end_time.toISOString() : null,
    duration_ms: r.end_time ? r.end_time.getTime() - r.start_time.getTime() : null,
    status: r.status,
    error: r.error,
    model: r.model,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cost_usd: r.cost_usd,
    input: r.input,
    output: r.output,
    attributes: r.attributes,
  };
}

function encodeCursor(value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string | number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string' && ['string', 'number'].includes(typeof v[0])) {
      return v as [string | number, string];
    }
  } catch {
    // fall through
  }
  throw errors.validation([{ field: 'cursor', message: 'is not a cursor this API issued; pass next_cursor unchanged' }]);
}

/** Traces and their spans. Every method is scoped to one project. */
export function tracesRepo(pool: pg.Pool) {
  return {
    /**
     * Insert traces, their spans and evaluation jobs; returns the keys that were new. Duplicates
     * (same project+id) are skipped with their spans and jobs.
     */
    async insertMany(traces: NewTrace[], spans: NewSpan[], jobs: NewEvalJob[] = []): Promise<Set<string>> {
      if (traces.length === 0) return new Set();
      const values = [JSON.stringify(traces), JSON.stringify(spans), JSON.stringify(jobs), rollupRowsJson(traceRollupDeltas(traces)), traces.length];
      const r = await preparedQuery<{ project_id: string; id: string }>(pool, 'insert_traces', INSERT_SQL, values);
      return new Set(r.rows.map((x) => `${x.project_id}\u0000${x.id}`));
    },

    async get(projectId: string, id: string, opts: { spans?: boolean } = {}): Promise<Trace | undefined> {
      const r = await pool.query<TraceRow>('select * from rag_traces where project_id = $1 and id = $2', [projectId, id]);
      const row = r.rows[0];
      if (!row) return undefined;
      const trace = toTrace(row);
      if (opts.spans !== false) {
        const s = await pool.query<SpanRow>(
          `select ${SPAN_NAMES} from trace_spans where project_id = $1 and trace_id = $2 order by start_time, id`,
          [projectId, id],
        );
        trace.spans = s.rows.map(toSpan);
      }
      return trace;
    },

    /** Several traces by key in one query (without spans); missing ones are simply absent. */
    async getMany(keys: Array<{ projectId: string; id: string }>): Promise<Trace[]> {
      if (keys.length === 0) return [];
      const r = await pool.query<TraceRow>(
        `select t.* from rag_traces t join unnest($1::text[], $2::text[]) as k(project_id, id)
           on t.project_id = k.project_id and t.id = k.id`,
        [keys.map((k) => k.projectId), keys.map((k) => k.id)],
      );
      return r.rows.map(toTrace);
    },

    async list(projectId: string, q: TraceQuery): Promise<Page<Trace>> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`];
      if (q.from) where.push(`ts >= ${p.add(q.from)}`);
      if (q.to) where.push(`ts < ${p.add(q.to)}`);
      if (q.model) where.push(`model = ${p.add(q.model)}`);
      if (q.provider) where.push(`provider = ${p.add(q.provider)}`);
      if (q.user_id) where.push(`user_id = ${p.add(q.user_id)}`);
      if (q.session_id) where.push(`session_id = ${p.add(q.session_id)}`);
      if (q.tag) where.push(`tags @> array[${p.add(q.tag)}]::text[]`);
      if (q.status) where.push(`status = ${p.add(q.status)}`);
      if (q.min_latency_ms !== undefined) where.push(`latency_ms >= ${p.add(q.min_latency_ms)}`);
      if (q.max_latency_ms !== undefined) where.push(`latency_ms <= ${p.add(q.max_latency_ms)}`);
      if (q.q) {
        const like = p.add(`%${likeEscape(q.q)}%`);
        where.push(`(query ilike ${like} or response ilike ${like})`);
      }
      const desc = q.sort.startsWith('-');
      const key = SORT_KEYS[q.sort.replace(/^-/, '') as keyof typeof SORT_KEYS];
      if (q.cursor) {
        const [value, id] = decodeCursor(q.cursor);
        where.push(`(${key.expr}, id) ${desc ? '<' : '>'} (${p.add(value)}::${key.cast}, ${p.add(id)})`);
      }
      const dir = desc ? 'desc' : 'asc';
      const sqlText = `select *, ${key.expr} as sort_key from rag_traces where ${where.join(' and ')}
        order by ${key.expr} ${dir}, id ${dir} limit ${p.add(q.limit + 1)}`;
      const r = await pool.query<TraceRow & { sort_key: Date | number }>(sqlText, p.values);
      const rows = r.rows.slice(0, q.limit);
      const last = rows[rows.length - 1];
      const next =
        r.rows.length > q.limit && last
          ? encodeCursor(last.sort_key instanceof Date ? last.sort_key.toISOString() : last.sort_key, last.id)
          : null;
      return { data: rows.map(toTrace), next_cursor: next };
    },

    async count(projectId: string): Promise<number> {
      const r = await pool.query<{ n: string }>('select count(*)::text as n from rag_traces where project_id = $1', [projectId]);
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}

export type TracesRepo = ReturnType<typeof tracesRepo>;
