import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { hashApiKey, newId, safeEqual } from '../../core/ids.js';
import type { Span } from '../../core/index.js';
import { Params } from '../sql.js';
import { EVAL_ROLLUP_DELTA, TRACE_ROLLUP_DELTA } from './rollup-sql.js';
import type { NewSpan, NewTrace } from './traces.js';

/** A Langfuse-style key pair's public half and bookkeeping (the secret is never stored). */
export interface LangfuseKeyRecord {
  id: string;
  projectId: string;
  name: string;
  publicKey: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface KeyRow {
  id: string;
  project_id: string;
  name: string;
  public_key: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toKey = (r: KeyRow): LangfuseKeyRecord => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  publicKey: r.public_key,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

const KEY_COLS = 'id, project_id, name, public_key, created_at, last_used_at, revoked_at';

const TRACE_COLUMNS = `project_id text, id text, ts timestamptz, query text, response text, contexts jsonb,
  reference text, model text, provider text, input_tokens int, output_tokens int, token_count int,
  latency_ms float8, cost_usd float8, cost_source text, user_id text, session_id text, tags text[], metadata jsonb,
  status text, error text, span_count int`;
const SPAN_COLUMNS = `project_id text, trace_id text, id text, parent_id text, name text, kind text,
  start_time timestamptz, end_time timestamptz, status text, error text, model text, input_tokens int,
  output_tokens int, cost_usd float8, input jsonb, output jsonb, attributes jsonb`;
const SPAN_NAMES = SPAN_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', ');
const FACT_COLS = 'project_id, ts, status, model, provider, user_id, tags, input_tokens, output_tokens, token_count, cost_usd, latency_ms';

// Replace a stored trace's row and spans with a newly merged reading of it. The rollups move by the
// old facts out and the new ones in, its evaluations follow its time, all in one statement.
const REWRITE_SQL = `
with n as (
  select * from jsonb_to_recordset($1::jsonb) as x(${TRACE_COLUMNS})
), old as (
  select t.* from rag_traces t join n using (project_id, id)
), del as (
  delete from trace_spans s using n where s.project_id = n.project_id and s.trace_id = n.id returning 1
), upd as (
  update rag_traces t set ts = n.ts, query = n.query, response = n.response, contexts = n.contexts, model = n.model,
    provider = n.provider, input_tokens = n.input_tokens, output_tokens = n.output_tokens, token_count = n.token_count,
    latency_ms = n.latency_ms, cost_usd = n.cost_usd, cost_source = n.cost_source, user_id = n.user_id,
    session_id = n.session_id, tags = n.tags, metadata = n.metadata, status = n.status, error = n.error, span_count = n.span_count
  from n where t.project_id = n.project_id and t.id = n.id
  returning t.*
), facts as (
  select ${FACT_COLS}, -1 as sign from old
  union all select ${FACT_COLS}, 1 from upd
), roll as (${TRACE_ROLLUP_DELTA}
  returning 1
), moved as (
  update evaluations e set trace_ts = u.ts from upd u
   where e.project_id = u.project_id and e.trace_id = u.id and e.trace_ts is distinct from u.ts
  returning e.project_id, e.metric, e.score, e.cost_usd, e.tokens, e.trace_ts, (select ts from old) as old_ts
), edelta as (
  select project_id, metric, score, cost_usd, tokens, trace_ts, 1 as sign from moved
  union all select project_id, metric, score, cost_usd, tokens, old_ts, -1 from moved
), eroll as (${EVAL_ROLLUP_DELTA}
  returning 1
), jobs as (
  insert into eval_jobs (id, project_id, trace_id)
  select $2::text, u.project_id, u.id from upd u join old o using (project_id, id)
   where $2::text is not null and (o.query <> u.query or o.response is distinct from u.response or o.contexts <> u.contexts)
  returning 1
)
select (select count(*)::int from upd) as updated, (select count(*)::int from jobs) as jobs`;

const INSERT_SPANS = `insert into trace_spans (${SPAN_NAMES})
select ${SPAN_NAMES} from jsonb_to_recordset($1::jsonb) as s(${SPAN_COLUMNS}) on conflict do nothing`;

export interface TracePageFilter {
  userId?: string | undefined;
  sessionId?: string | undefined;
  name?: string | undefined;
  tags?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface SpanPageFilter {
  id?: string | undefined;
  traceId?: string | undefined;
  name?: string | undefined;
  kinds?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** A stored span row: the columns a span is written with. */
type SpanRow = NewSpan;

const toSpan = (r: SpanRow): Span => ({
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
});

/** A new secret or public key: the Langfuse prefix and 24 random bytes. */
const newKey = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/** Langfuse compatibility: key pairs, per-trace event state, applied event ids, and trace rewrites. */
export function langfuseRepo(pool: pg.Pool) {
  return {
    /** Issue a key pair; the secret exists only in this result. */
    async createKey(input: { projectId: string; name?: string | undefined }): Promise<{ publicKey: string; secretKey: string; record: LangfuseKeyRecord }> {
      const publicKey = newKey('pk-lf-');
      const secretKey = newKey('sk-lf-');
      const r = await pool.query<KeyRow>(
        `insert into langfuse_keys (id, project_id, name, public_key, secret_hash) values ($1, $2, $3, $4, $5) returning ${KEY_COLS}`,
        [newId(), input.projectId, input.name ?? 'langfuse', publicKey, hashApiKey(secretKey)],
      );
      return { publicKey, secretKey, record: toKey(r.rows[0]!) };
    },
    async listKeys(projectId: string): Promise<LangfuseKeyRecord[]> {
      const r = await pool.query<KeyRow>(`select ${KEY_COLS} from langfuse_keys where project_id = $1 order by created_at`, [projectId]);
      return r.rows.map(toKey);
    },
    async revokeKey(projectId: string, id: string): Promise<LangfuseKeyRecord | undefined> {
      await pool.query('update langfuse_keys set revoked_at = now() where project_id = $1 and id = $2 and revoked_at is null', [projectId, id]);
      const r = await pool.query<KeyRow>(`select ${KEY_COLS} from langfuse_keys where project_id = $1 and id = $2`, [projectId, id]);
      return r.rows[0] ? toKey(r.rows[0]) : undefined;
    },
    /** The key whose public half is `publicKey` if `secretKey` matches it; `undefined` for any mismatch. */
    async verify(publicKey: string, secretKey: string): Promise<LangfuseKeyRecord | undefined> {
      const r = await pool.query<KeyRow & { secret_hash: string }>(`select ${KEY_COLS}, secret_hash from langfuse_keys where public_key = $1`, [publicKey]);
      const row = r.rows[0];
      if (!row || !safeEqual(row.secret_hash, hashApiKey(secretKey))) return undefined;
      return toKey(row);
    },
    async touchKeys(ids: string[]): Promise<void> {
      if (ids.length) await pool.query('update langfuse_keys set last_used_at = now() where id = any($1::text[])', [ids]);
    },

    /** Which of these event ids were already applied. */
    async seenEvents(projectId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const r = await pool.query<{ event_id: string }>('select event_id from langfuse_events where project_id = $1 and event_id = any($2::text[])', [projectId, ids]);
      return new Set(r.rows.map((x) => x.event_id));
    },
    async recordEvents(projectId: string, ids: string[]): Promise<void> {
      if (ids.length) await pool.query('insert into langfuse_events (project_id, event_id) select $1, unnest($2::text[]) on conflict do nothing', [projectId, ids]);
    },
    /** Forget event ids applied before `before`. */
    async pruneEvents(before: Date): Promise<number> {
      const r = await pool.query('delete from langfuse_events where created_at < $1', [before]);
      return r.rowCount ?? 0;
    },

    /**
     * Read-modify-write the merged states of several traces in one transaction, under row locks
     * (taken in id order), so concurrent batches of one trace merge one after the other. `merge`
     * gets each stored state (undefined at first) and returns the next, or undefined to leave it.
     */
    async updateStates<T>(projectId: string, traceIds: string[], merge: (traceId: string, prev: unknown) => T | undefined): Promise<Map<string, T>> {
      const out = new Map<string, T>();
      if (traceIds.length === 0) return out;
      const ids = [...new Set(traceIds)].sort();
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`insert into langfuse_trace_state (project_id, trace_id, state) select $1, unnest($2::text[]), 'null'::jsonb on conflict do nothing`, [projectId, ids]);
        const r = await client.query<{ trace_id: string; state: unknown }>(
          'select trace_id, state from langfuse_trace_state where project_id = $1 and trace_id = any($2::text[]) order by trace_id for update',
          [projectId, ids],
        );
        for (const row of r.rows) {
          const next = merge(row.trace_id, row.state ?? undefined);
          if (next !== undefined) out.set(row.trace_id, next);
        }
        if (out.size) {
          await client.query(
            `update langfuse_trace_state s set state = coalesce(x.state, 'null'::jsonb), updated_at = now()
               from jsonb_to_recordset($2::jsonb) as x(trace_id text, state jsonb)
              where s.project_id = $1 and s.trace_id = x.trace_id`,
            [projectId, JSON.stringify([...out].map(([trace_id, state]) => ({ trace_id, state })))],
          );
        }
        await client.query('commit');
        return out;
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },

    /** One page of trace ids (newest first) and how many traces match, for Langfuse's page/limit paging. */
    async pageTraceIds(projectId: string, f: TracePageFilter, limit: number, offset: number): Promise<{ ids: string[]; total: number }> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`];
      if (f.userId) where.push(`user_id = ${p.add(f.userId)}`);
      if (f.sessionId) where.push(`session_id = ${p.add(f.sessionId)}`);
      if (f.name) where.push(`metadata->>'langfuse.name' = ${p.add(f.name)}`);
      if (f.tags?.length) where.push(`tags @> ${p.add(f.tags)}::text[]`);
      if (f.from) where.push(`ts >= ${p.add(f.from)}`);
      if (f.to) where.push(`ts < ${p.add(f.to)}`);
      const w = where.join(' and ');
      const total = await pool.query<{ n: number }>(`select count(*)::int as n from rag_traces where ${w}`, p.values);
      const r = await pool.query<{ id: string }>(`select id from rag_traces where ${w} order by ts desc, id desc limit ${p.add(limit)} offset ${p.add(offset)}`, p.values);
      return { ids: r.rows.map((x) => x.id), total: total.rows[0]?.n ?? 0 };
    },
    /** One page of spans across a project's traces (newest first) and how many match. */
    async pageSpans(projectId: string, f: SpanPageFilter, limit: number, offset: number): Promise<{ spans: Span[]; total: number }> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`];
      if (f.id) where.push(`id = ${p.add(f.id)}`);
      if (f.traceId) where.push(`trace_id = ${p.add(f.traceId)}`);
      if (f.name) where.push(`name = ${p.add(f.name)}`);
      if (f.kinds?.length) where.push(`kind = any(${p.add(f.kinds)}::text[])`);
      if (f.from) where.push(`start_time >= ${p.add(f.from)}`);
      if (f.to) where.push(`start_time < ${p.add(f.to)}`);
      const w = where.join(' and ');
      const total = await pool.query<{ n: number }>(`select count(*)::int as n from trace_spans where ${w}`, p.values);
      const r = await pool.query<SpanRow>(`select ${SPAN_NAMES} from trace_spans where ${w} order by start_time desc, id limit ${p.add(limit)} offset ${p.add(offset)}`, p.values);
      return { spans: r.rows.map(toSpan), total: total.rows[0]?.n ?? 0 };
    },

    /** Replace a stored trace and its spans; enqueue `jobId` when the question, answer or contexts changed. */
    async rewrite(trace: NewTrace, spans: NewSpan[], jobId: string | null): Promise<{ updated: boolean; jobs: number }> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('select 1 from rag_traces where project_id = $1 and id = $2 for update', [trace.project_id, trace.id]);
        const r = await client.query<{ updated: number; jobs: number }>(REWRITE_SQL, [JSON.stringify([trace]), jobId]);
        if (spans.length) await client.query(INSERT_SPANS, [JSON.stringify(spans)]);
        await client.query('commit');
        return { updated: (r.rows[0]?.updated ?? 0) > 0, jobs: r.rows[0]?.jobs ?? 0 };
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
  };
}

export type LangfuseRepo = ReturnType<typeof langfuseRepo>;
