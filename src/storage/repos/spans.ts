import type pg from 'pg';
import type { Context } from '../../core/index.js';
import { EVAL_ROLLUP_DELTA, TRACE_ROLLUP_DELTA } from './rollup-sql.js';
import type { NewSpan } from './traces.js';

/**
 * What a later batch of spans tells about a trace that is already stored. OTel exporters send a
 * trace's spans as they end, so the root span (and the trace's question or answer) may come last.
 */
export interface TracePatch {
  project_id: string;
  id: string;
  /** Set when the batch holds the trace's root span: its start and duration become the trace's. */
  root_ts: Date | null;
  root_latency_ms: number | null;
  /** Fill the trace's fields that are still empty; the root span's question and answer replace others'. */
  query: string | null;
  response: string | null;
  from_root: { query: boolean; response: boolean };
  contexts: Context[] | null;
  model: string | null;
  provider: string | null;
  user_id: string | null;
  session_id: string | null;
  /** Where this batch's costs came from (as ingest decided for it alone); folded into the trace's cost_source. */
  cost_source: string | null;
  /** A failed span in the batch marks the trace failed. */
  error: string | null;
  /** Evaluation job to enqueue if this batch changes the question, answer or contexts (null: not sampled). */
  job_id: string | null;
}

const SPAN_COLUMNS = `project_id text, trace_id text, id text, parent_id text, name text, kind text,
  start_time timestamptz, end_time timestamptz, status text, error text, model text, input_tokens int,
  output_tokens int, cost_usd float8, input jsonb, output jsonb, attributes jsonb`;
const SPAN_NAMES = SPAN_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', ');

// Spans join the stored trace only; a span id already stored is kept as it was.
const INSERT_SPANS = `
insert into trace_spans (${SPAN_NAMES})
select ${SPAN_NAMES.split(', ').map((n) => `s.${n}`).join(', ')}
  from jsonb_to_recordset($1::jsonb) as s(${SPAN_COLUMNS})
 where exists (select 1 from rag_traces t where t.project_id = s.project_id and t.id = s.trace_id)
on conflict do nothing
returning project_id, trace_id`;

// Totals are recomputed from every stored span with the rule the first batch used (an LLM span
// counts unless a child LLM span reports usage for the same call), so re-sent batches add nothing.
// A trace whose facts change (time, latency, tokens, cost, status, model…) moves in the rollups in
// the same statement (old facts out, new ones in), and its evaluations follow its time.
const UPDATE_TRACES = `
with p as (
  select * from jsonb_to_recordset($1::jsonb) as p(project_id text, id text, root_ts timestamptz,
    root_latency_ms float8, query text, response text, from_root jsonb, contexts jsonb, model text, provider text,
    user_id text, session_id text, error text, job_id text, cost_source text)
), old as (
  select t.* from rag_traces t join p using (project_id, id)
), agg as (
  select s.project_id, s.trace_id, count(*)::int as n,
         sum(s.input_tokens) filter (where s.counted) as input_tokens,
         sum(s.output_tokens) filter (where s.counted) as output_tokens,
         sum(s.cost_usd) filter (where s.counted) as cost_usd
    from (select s.project_id, s.trace_id, s.input_tokens, s.output_tokens, s.cost_usd,
                 s.kind = 'llm' and not exists (
                   select 1 from trace_spans c
                    where c.project_id = s.project_id and c.trace_id = s.trace_id and c.parent_id = s.id and c.kind = 'llm'
                      and (c.input_tokens is not null or c.output_tokens is not null or c.cost_usd is not null)) as counted
            from trace_spans s join p on s.project_id = p.project_id and s.trace_id = p.id) s
   group by s.project_id, s.trace_id
), upd as (
  update rag_traces t set
    span_count = a.n,
    ts = coalesce(p.root_ts, t.ts),
    latency_ms = coalesce(p.root_latency_ms, t.latency_ms),
    query = case when coalesce(p.query, '') <> '' and (t.query = '' or (p.from_root->>'query')::boolean) then p.query else t.query end,
    response = case when (p.from_root->>'response')::boolean then p.response else coalesce(t.response, p.response) end,
    contexts = case when jsonb_array_length(t.contexts) = 0 and jsonb_array_length(coalesce(p.contexts, '[]')) > 0 then p.contexts else t.contexts end,
    model = coalesce(t.model, p.model),
    provider = coalesce(t.provider, p.provider),
    user_id = coalesce(t.user_id, p.user_id),
    session_id = coalesce(t.session_id, p.session_id),
    input_tokens = coalesce(a.input_tokens, t.input_tokens),
    output_tokens = coalesce(a.output_tokens, t.output_tokens),
    token_count = case when a.input_tokens is null and a.output_tokens is null then t.token_count
                       else coalesce(a.input_tokens, 0) + coalesce(a.output_tokens, 0) end,
    cost_usd = coalesce(a.cost_usd, t.cost_usd),
    cost_source = case when a.cost_usd is not null then (case when 'computed' in (t.cost_source, p.cost_source) then 'computed' else 'client' end)
                       when a.input_tokens is not null or a.output_tokens is not null then 'unpriced'
                       else t.cost_source end,
    status = case when p.error is not null then 'error' else t.status end,
    error = coalesce(t.error, p.error)
  from agg a join p on a.project_id = p.project_id and a.trace_id = p.id
  where t.project_id = a.project_id and t.id = a.trace_id
  returning t.*
), changed as (
  select o.* from old o join upd u using (project_id, id)
   where (o.ts, o.status, o.model, o.provider, o.user_id, o.input_tokens, o.output_tokens, o.token_count, o.cost_usd, o.latency_ms)
         is distinct from (u.ts, u.status, u.model, u.provider, u.user_id, u.input_tokens, u.output_tokens, u.token_count, u.cost_usd, u.latency_ms)
), facts as (
  select c.project_id, c.ts, c.status, c.model, c.provider, c.user_id, c.tags, c.input_tokens, c.output_tokens, c.token_count,
         c.cost_usd, c.latency_ms, -1 as sign from changed c
  union all
  select u.project_id, u.ts, u.status, u.model, u.provider, u.user_id, u.tags, u.input_tokens, u.output_tokens, u.token_count,
         u.cost_usd, u.latency_ms, 1 from upd u join changed c using (project_id, id)
), roll as (${TRACE_ROLLUP_DELTA}
  returning 1
), prev as (
  select e.project_id, e.trace_id, e.metric, e.trace_ts from evaluations e join p on e.project_id = p.project_id and e.trace_id = p.id
), moved as (
  -- A trace whose time moved (its root span came later) takes its evaluations to its new time.
  update evaluations e set trace_ts = u.ts from upd u
   where e.project_id = u.project_id and e.trace_id = u.id and e.trace_ts is distinct from u.ts
  returning e.project_id, e.trace_id, e.metric, e.score, e.cost_usd, e.tokens, e.trace_ts
), edelta as (
  select project_id, metric, score, cost_usd, tokens, trace_ts, 1 as sign from moved
  union all
  select m.project_id, m.metric, m.score, m.cost_usd, m.tokens, pr.trace_ts, -1 from moved m join prev pr using (project_id, trace_id, metric)
), eroll as (${EVAL_ROLLUP_DELTA}
  returning 1
), jobs as (
  insert into eval_jobs (id, project_id, trace_id)
  select p.job_id, u.project_id, u.id from upd u join old o using (project_id, id) join p using (project_id, id)
   where p.job_id is not null
     and (o.query <> u.query or o.response is distinct from u.response or o.contexts <> u.contexts)
  returning 1
)
select (select count(*)::int from upd) as updated, (select count(*)::int from jobs) as jobs`;

/** Spans that arrive for traces already stored (OTLP exporters send one trace in several requests). */
export function spansRepo(pool: pg.Pool) {
  return {
    /**
     * Add spans to stored traces and fold what they tell into the traces, in one transaction.
     * Spans of traces that do not exist, and span ids already stored, are skipped.
     * Returns how many spans were added and how many evaluation jobs were enqueued.
     */
    async append(spans: NewSpan[], patches: TracePatch[]): Promise<{ spans: number; jobs: number }> {
      if (spans.length === 0) return { spans: 0, jobs: 0 };
      const client = await pool.connect();
      try {
        await client.query('begin');
        // Lock the traces first so concurrent batches of one trace fold in one after the other.
        await client.query(
          `select 1 from rag_traces t join unnest($1::text[], $2::text[]) as k(project_id, id) using (project_id, id) order by t.project_id, t.id for update of t`,
          [patches.map((p) => p.project_id), patches.map((p) => p.id)],
        );
        const ins = await client.query<{ project_id: string; trace_id: string }>(INSERT_SPANS, [JSON.stringify(spans)]);
        const touched = new Set(ins.rows.map((r) => `${r.project_id}\u0000${r.trace_id}`));
        const live = patches.filter((p) => touched.has(`${p.project_id}\u0000${p.id}`));
        let jobs = 0;
        if (live.length) {
          const r = await client.query<{ updated: number; jobs: number }>(UPDATE_TRACES, [JSON.stringify(live)]);
          jobs = r.rows[0]?.jobs ?? 0;
        }
        await client.query('commit');
        return { spans: ins.rowCount ?? 0, jobs };
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
  };
}

export type SpansRepo = ReturnType<typeof spansRepo>;
