import type pg from 'pg';
import { errors } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { TraceQuery } from '../../core/index.js';
import { likeEscape, Params } from '../sql.js';

export type MonitorStatus = 'OK' | 'WARNING' | 'ALERT' | 'NO_DATA';

export interface MonitorRecord {
  id: string;
  projectId: string;
  name: string;
  origin: 'api' | 'file';
  spec: unknown;
  enabled: boolean;
  status: MonitorStatus;
  metricStatus: Record<string, unknown>;
  windowEnd: Date | null;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MonitorRun {
  id: string;
  projectId: string;
  monitorId: string;
  trigger: string;
  dryRun: boolean;
  status: string;
  windowFrom: Date | null;
  windowTo: Date | null;
  itemsSeen: number;
  sampled: number;
  scored: number;
  skippedDuplicates: number;
  failed: number;
  costUsd: number;
  durationMs: number | null;
  errors: string[];
  aggregates: Record<string, { value: number | null; n: number }>;
  metricStatus: Record<string, MonitorStatus>;
  startedAt: Date;
  finishedAt: Date | null;
}

export type RunOutcome = Pick<MonitorRun, 'status' | 'itemsSeen' | 'sampled' | 'scored' | 'skippedDuplicates' | 'failed' | 'costUsd' | 'durationMs' | 'errors' | 'aggregates' | 'metricStatus'>;

export interface NewMonitorResult {
  projectId: string;
  monitorId: string;
  runId: string;
  sourceKey: string;
  itemId: string;
  traceId: string | null;
  metric: string;
  score: number | null;
  label: string | null;
  reason: string | null;
  evaluator: string;
  costUsd: number;
  query: string | null;
  response: string | null;
  itemTs: Date | null;
}

/** The columns of a trace a monitor samples on, before loading the few it scores. */
export interface TraceKey {
  id: string;
  ts: Date;
  model: string | null;
  provider: string | null;
  user_id: string | null;
  session_id: string | null;
  status: string;
  tags: string[];
  latency_ms: number | null;
}

const M_COLS = `id, project_id as "projectId", name, origin, spec, enabled, status, metric_status as "metricStatus", window_end as "windowEnd",
  last_run_at as "lastRunAt", next_run_at as "nextRunAt", created_at as "createdAt", updated_at as "updatedAt"`;
const R_COLS = `id, project_id as "projectId", monitor_id as "monitorId", trigger, dry_run as "dryRun", status, window_from as "windowFrom", window_to as "windowTo",
  items_seen as "itemsSeen", sampled, scored, skipped_duplicates as "skippedDuplicates", failed, cost_usd as "costUsd", duration_ms as "durationMs",
  errors, aggregates, metric_status as "metricStatus", started_at as "startedAt", finished_at as "finishedAt"`;

/** Monitors, their dedup claims, run history and results. Every read is scoped to one project. */
export function monitorsRepo(pool: pg.Pool) {
  return {
    async create(m: { projectId: string; name: string; origin: 'api' | 'file'; spec: unknown; enabled: boolean; nextRunAt: Date | null }): Promise<MonitorRecord> {
      const r = await pool.query<MonitorRecord>(
        `insert into monitors (id, project_id, name, origin, spec, enabled, next_run_at) values ($1, $2, $3, $4, $5::jsonb, $6, $7)
         on conflict (project_id, name) do nothing returning ${M_COLS}`,
        [newId(), m.projectId, m.name, m.origin, JSON.stringify(m.spec), m.enabled, m.nextRunAt],
      );
      if (!r.rows[0]) throw errors.conflict(`A monitor named "${m.name}" already exists in this project`);
      return r.rows[0];
    },
    /** The row a file monitor keeps its dedup and history under (created on first run, spec refreshed). */
    async ensureFileMonitor(projectId: string, name: string, spec: unknown): Promise<MonitorRecord> {
      const r = await pool.query<MonitorRecord>(
        `insert into monitors (id, project_id, name, origin, spec) values ($1, $2, $3, 'file', $4::jsonb)
         on conflict (project_id, name) do update set spec = case when monitors.origin = 'file' then excluded.spec else monitors.spec end, updated_at = now()
         returning ${M_COLS}`,
        [newId(), projectId, name, JSON.stringify(spec)],
      );
      return r.rows[0]!;
    },
    async get(projectId: string, id: string): Promise<MonitorRecord | undefined> {
      return (await pool.query<MonitorRecord>(`select ${M_COLS} from monitors where project_id = $1 and (id = $2 or name = $2)`, [projectId, id])).rows[0];
    },
    async list(projectId: string): Promise<MonitorRecord[]> {
      return (await pool.query<MonitorRecord>(`select ${M_COLS} from monitors where project_id = $1 order by name`, [projectId])).rows;
    },
    async delete(projectId: string, id: string): Promise<boolean> {
      return ((await pool.query('delete from monitors where project_id = $1 and id = $2', [projectId, id])).rowCount ?? 0) > 0;
    },
    /** Stored monitors whose next run is due, across projects (the scheduler's work list). */
    async due(now: Date, limit = 50): Promise<MonitorRecord[]> {
      return (
        await pool.query<MonitorRecord>(
          `select ${M_COLS} from monitors where origin = 'api' and enabled and next_run_at <= $1 and (lease_until is null or lease_until < now()) order by next_run_at limit $2`,
          [now, limit],
        )
      ).rows;
    },
    /**
     * Take a due monitor's lease unless another runner holds a live one; true when this owner holds
     * it. Due-ness is checked in the same statement, so a replica that listed it before another ran
     * it (and moved next_run_at on) does not run it again.
     */
    async acquireDue(id: string, owner: string, ms: number): Promise<boolean> {
      const r = await pool.query(
        `update monitors set lease_owner = $2, lease_until = now() + ($3::int * interval '1 millisecond')
          where id = $1 and enabled and next_run_at <= now() and (lease_until is null or lease_until < now() or lease_owner = $2)`,
        [id, owner, ms],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async releaseLease(id: string, owner: string): Promise<void> {
      await pool.query(`update monitors set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2`, [id, owner]);
    },
    async update(projectId: string, id: string, f: { spec: unknown; enabled: boolean; nextRunAt: Date | null }): Promise<MonitorRecord | undefined> {
      const r = await pool.query<MonitorRecord>(
        `update monitors set spec = $3::jsonb, enabled = $4, next_run_at = $5, updated_at = now() where project_id = $1 and id = $2 and origin = 'api' returning ${M_COLS}`,
        [projectId, id, JSON.stringify(f.spec), f.enabled, f.nextRunAt],
      );
      return r.rows[0];
    },
    async setNextRun(id: string, next: Date | null): Promise<void> {
      await pool.query('update monitors set next_run_at = $2 where id = $1', [id, next]);
    },
    /** Record the outcome on the monitor; the window only moves forward. Returns the status it had. */
    async setStatus(id: string, s: { status: MonitorStatus; metricStatus: Record<string, unknown>; windowEnd: Date | null }): Promise<MonitorStatus> {
      const r = await pool.query<{ prev: MonitorStatus }>(
        `update monitors m set status = $2, metric_status = $3::jsonb, last_run_at = now(), updated_at = now(),
                window_end = greatest(m.window_end, $4::timestamptz)
           from (select status as prev from monitors where id = $1 for update) p where m.id = $1 returning p.prev`,
        [id, s.status, JSON.stringify(s.metricStatus), s.windowEnd],
      );
      return r.rows[0]?.prev ?? 'NO_DATA';
    },

    async startRun(r: { projectId: string; monitorId: string; trigger: string; dryRun: boolean; windowFrom: Date | null; windowTo: Date | null }): Promise<string> {
      const id = newId();
      await pool.query(
        `insert into monitor_runs (id, project_id, monitor_id, trigger, dry_run, window_from, window_to) values ($1, $2, $3, $4, $5, $6, $7)`,
        [id, r.projectId, r.monitorId, r.trigger, r.dryRun, r.windowFrom, r.windowTo],
      );
      return id;
    },
    async finishRun(id: string, o: RunOutcome): Promise<void> {
      await pool.query(
        `update monitor_runs set status = $2, items_seen = $3, sampled = $4, scored = $5, skipped_duplicates = $6, failed = $7, cost_usd = $8,
                duration_ms = $9, errors = $10::jsonb, aggregates = $11::jsonb, metric_status = $12::jsonb, finished_at = now() where id = $1`,
        [id, o.status, o.itemsSeen, o.sampled, o.scored, o.skippedDuplicates, o.failed, o.costUsd, o.durationMs, JSON.stringify(o.errors.slice(0, 50)), JSON.stringify(o.aggregates), JSON.stringify(o.metricStatus)],
      );
    },
    async runs(projectId: string, monitorId: string, limit = 50): Promise<MonitorRun[]> {
      return (await pool.query<MonitorRun>(`select ${R_COLS} from monitor_runs where project_id = $1 and monitor_id = $2 order by started_at desc, id desc limit $3`, [projectId, monitorId, limit])).rows;
    },

    /**
     * Claim items for a run: the insert that wins owns the item. A claim left by a run that died
     * (older than `staleMs`, never scored) can be taken over; a scored item never again.
     */
    async claim(k: { projectId: string; sourceKey: string; monitorId: string; runId: string }, itemIds: string[], staleMs: number): Promise<Set<string>> {
      if (itemIds.length === 0) return new Set();
      const r = await pool.query<{ item_id: string }>(
        `insert into monitor_items (project_id, source_key, monitor_id, item_id, run_id)
         select $1, $2, $3, x, $4 from unnest($5::text[]) as x
         on conflict (project_id, source_key, monitor_id, item_id) do update set run_id = excluded.run_id, claimed_at = now()
           where monitor_items.state = 'claimed' and monitor_items.claimed_at < now() - ($6::int * interval '1 millisecond')
         returning item_id`,
        [k.projectId, k.sourceKey, k.monitorId, k.runId, [...new Set(itemIds)], staleMs],
      );
      return new Set(r.rows.map((x) => x.item_id));
    },
    /** Items already scored (or claimed by a live run), for a dry run's count. */
    async seen(k: { projectId: string; sourceKey: string; monitorId: string }, itemIds: string[]): Promise<Set<string>> {
      if (itemIds.length === 0) return new Set();
      const r = await pool.query<{ item_id: string }>(
        'select item_id from monitor_items where project_id = $1 and source_key = $2 and monitor_id = $3 and item_id = any($4::text[])',
        [k.projectId, k.sourceKey, k.monitorId, itemIds],
      );
      return new Set(r.rows.map((x) => x.item_id));
    },
    async markScored(k: { projectId: string; sourceKey: string; monitorId: string; runId: string }, itemIds: string[]): Promise<void> {
      if (itemIds.length === 0) return;
      await pool.query(
        `update monitor_items set state = 'scored', scored_at = now() where project_id = $1 and source_key = $2 and monitor_id = $3 and run_id = $4 and item_id = any($5::text[])`,
        [k.projectId, k.sourceKey, k.monitorId, k.runId, itemIds],
      );
    },
    /** Give back claims whose scoring failed in a way worth retrying; the next run takes them again. */
    async release(k: { projectId: string; sourceKey: string; monitorId: string; runId: string }, itemIds: string[]): Promise<void> {
      if (itemIds.length === 0) return;
      await pool.query(
        `delete from monitor_items where project_id = $1 and source_key = $2 and monitor_id = $3 and run_id = $4 and state = 'claimed' and item_id = any($5::text[])`,
        [k.projectId, k.sourceKey, k.monitorId, k.runId, itemIds],
      );
    },

    async insertResults(rows: NewMonitorResult[]): Promise<void> {
      if (rows.length === 0) return;
      await pool.query(
        `insert into monitor_results (id, project_id, monitor_id, run_id, source_key, item_id, trace_id, metric, score, label, reason, evaluator, cost_usd, query, response, item_ts)
         select id, "projectId", "monitorId", "runId", "sourceKey", "itemId", "traceId", metric, score, label, reason, evaluator, "costUsd", query, response, "itemTs"
           from jsonb_to_recordset($1::jsonb) as x(id text, "projectId" text, "monitorId" text, "runId" text, "sourceKey" text, "itemId" text, "traceId" text,
             metric text, score float8, label text, reason text, evaluator text, "costUsd" float8, query text, response text, "itemTs" timestamptz)
         on conflict (project_id, monitor_id, source_key, item_id, metric) do nothing`,
        [JSON.stringify(rows.map((r) => ({ id: newId(), ...r })))],
      );
    },
    async results(projectId: string, q: { monitorId: string; runId?: string; limit: number }): Promise<Array<NewMonitorResult & { createdAt: Date }>> {
      const r = await pool.query<NewMonitorResult & { createdAt: Date }>(
        `select project_id as "projectId", monitor_id as "monitorId", run_id as "runId", source_key as "sourceKey", item_id as "itemId", trace_id as "traceId",
                metric, score, label, reason, evaluator, cost_usd as "costUsd", query, response, item_ts as "itemTs", created_at as "createdAt"
           from monitor_results where project_id = $1 and monitor_id = $2 and ($3::text is null or run_id = $3) order by created_at desc, id desc limit $4`,
        [projectId, q.monitorId, q.runId ?? null, q.limit],
      );
      return r.rows;
    },

    /**
     * Trace keys stored in a window under the trace API's filters: enough to sample on without
     * loading bodies. The window is on arrival (created_at), so a trace stamped earlier than it
     * arrived is still seen by the next run.
     */
    async traceKeys(projectId: string, f: Partial<TraceQuery>, from: Date, to: Date, opts: { fields?: boolean } = {}): Promise<Array<TraceKey | Pick<TraceKey, 'id' | 'ts'>>> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`, `created_at >= ${p.add(from)}`, `created_at < ${p.add(to)}`];
      if (f.model) where.push(`model = ${p.add(f.model)}`);
      if (f.provider) where.push(`provider = ${p.add(f.provider)}`);
      if (f.user_id) where.push(`user_id = ${p.add(f.user_id)}`);
      if (f.session_id) where.push(`session_id = ${p.add(f.session_id)}`);
      if (f.tag) where.push(`tags @> array[${p.add(f.tag)}]::text[]`);
      if (f.status) where.push(`status = ${p.add(f.status)}`);
      if (f.min_latency_ms !== undefined) where.push(`latency_ms >= ${p.add(f.min_latency_ms)}`);
      if (f.max_latency_ms !== undefined) where.push(`latency_ms <= ${p.add(f.max_latency_ms)}`);
      if (f.q) {
        const like = p.add(`%${likeEscape(f.q)}%`);
        where.push(`(query ilike ${like} or response ilike ${like})`);
      }
      const r = await pool.query<TraceKey | Pick<TraceKey, 'id' | 'ts'>>(
        `select id, ts${opts.fields ? ', model, provider, user_id, session_id, status, tags, latency_ms' : ''} from rag_traces where ${where.join(' and ')} order by ts, id`,
        p.values,
      );
      return r.rows;
    },
  };
}

export type MonitorsRepo = ReturnType<typeof monitorsRepo>;
