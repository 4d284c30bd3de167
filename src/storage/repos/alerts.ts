import type pg from 'pg';
import { errors } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Alert, AlertQuery, Page, Severity } from '../../core/index.js';
import { Params } from '../sql.js';

export interface FireAlert {
  projectId: string;
  type: string;
  severity: Severity;
  dedupKey: string;
  title: string;
  message: string;
  details: Record<string, unknown>;
  traceId: string | null;
  cooldownMinutes: number;
  /** Channels to notify; one delivery row each, written with the alert. */
  channels: string[];
}

export interface Delivery {
  id: string;
  alertId: string;
  projectId: string;
  channel: string;
  /** `notice`: a change notice of another feature (alertId then names the notice, not an alert). */
  event: 'fired' | 'resolved' | 'test' | 'notice';
  attempts: number;
  createdAt: Date;
}

export interface DeliveryRecord extends Delivery {
  status: string;
  lastError: string | null;
  deliveredAt: Date | null;
  attemptLog: Array<{ attempt: number; ok: boolean; status_code: number | null; error: string | null; duration_ms: number; at: string }>;
}

interface AlertRow extends Omit<Alert, 'created_at' | 'updated_at' | 'resolved_at'> {
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

const COLS = 'id, project_id, type, severity, status, dedup_key, title, message, details, trace_id, created_at, updated_at, resolved_at, resolved_by';
const toAlert = (r: AlertRow): Alert => ({
  ...r,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
  resolved_at: r.resolved_at ? r.resolved_at.toISOString() : null,
});

// The alert exists at most once while open (partial unique index) and not again within the
// cooldown after it resolved; its notifications are written in the same statement (the outbox).
const FIRE_SQL = `
with ins as (
  insert into alerts (id, project_id, type, severity, status, dedup_key, title, message, details, trace_id)
  select $1, $2, $3, $4, 'open', $5, $6, $7, $8::jsonb, $9
   where not exists (
     select 1 from alerts a where a.project_id = $2 and a.dedup_key = $5
        and a.status = 'resolved' and a.resolved_at > now() - ($10::int * interval '1 minute'))
  on conflict (project_id, dedup_key) where status = 'open' do nothing
  returning ${COLS}
), d as (
  insert into alert_deliveries (id, alert_id, project_id, channel, event)
  select gen_random_uuid()::text, ins.id, ins.project_id, c, 'fired' from ins, unnest($11::text[]) as c
  returning 1
)
select * from ins`;

/** Alerts, their configs, and the notification outbox. */
export function alertsRepo(pool: pg.Pool) {
  return {
    async getConfig(projectId: string): Promise<unknown> {
      const r = await pool.query<{ config: unknown }>('select config from alert_configs where project_id = $1', [projectId]);
      return r.rows[0]?.config;
    },
    async putConfig(projectId: string, config: unknown): Promise<void> {
      await pool.query(
        `insert into alert_configs (project_id, config, updated_at) values ($1, $2, now())
         on conflict (project_id) do update set config = excluded.config, updated_at = now()`,
        [projectId, JSON.stringify(config)],
      );
    },
    /** Projects that have an alert config (the scheduler evaluates these). */
    async configuredProjects(): Promise<string[]> {
      return (await pool.query<{ project_id: string }>('select project_id from alert_configs')).rows.map((r) => r.project_id);
    },

    /** Open a new alert unless one is open for the key or it resolved within the cooldown. */
    async fire(a: FireAlert): Promise<Alert | undefined> {
      const r = await pool.query<AlertRow>(FIRE_SQL, [
        newId(),
        a.projectId,
        a.type,
        a.severity,
        a.dedupKey,
        a.title,
        a.message,
        JSON.stringify(a.details),
        a.traceId,
        a.cooldownMinutes,
        a.channels,
      ]);
      return r.rows[0] ? toAlert(r.rows[0]) : undefined;
    },

    /** Refresh the numbers of an open alert (no new notification); title, message and details move together. */
    async refresh(id: string, fields: { severity: Severity; title: string; message: string; details: Record<string, unknown> }): Promise<void> {
      await pool.query(`update alerts set severity = $2, title = $3, message = $4, details = $5::jsonb, updated_at = now() where id = $1 and status = 'open'`, [
        id,
        fields.severity,
        fields.title,
        fields.message,
        JSON.stringify(fields.details),
      ]);
    },

    async open(projectId: string): Promise<Alert[]> {
      const r = await pool.query<AlertRow>(`select ${COLS} from alerts where project_id = $1 and status = 'open'`, [projectId]);
      return r.rows.map(toAlert);
    },

    /**
     * Resolve an open alert and queue its "resolved" notifications; undefined when it was not open.
     * `now` replaces title, message and details with the numbers at resolve time, so the "resolved"
     * message reports the value that cleared the condition, not the one it fired with.
     */
    async resolve(projectId: string, id: string, by: string, channels: string[], now?: { title: string; message: string; details: Record<string, unknown> }): Promise<Alert | undefined> {
      const r = await pool.query<AlertRow>(
        `with up as (
           update alerts set status = 'resolved', resolved_at = now(), resolved_by = $3, updated_at = now(),
                  title = coalesce($5, title), message = coalesce($6, message), details = coalesce($7::jsonb, details)
            where project_id = $1 and id = $2 and status = 'open' returning ${COLS}
         ), d as (
           insert into alert_deliveries (id, alert_id, project_id, channel, event)
           select gen_random_uuid()::text, up.id, up.project_id, c, 'resolved' from up, unnest($4::text[]) as c
           returning 1
         ) select * from up`,
        [projectId, id, by, channels, now?.title ?? null, now?.message ?? null, now ? JSON.stringify(now.details) : null],
      );
      return r.rows[0] ? toAlert(r.rows[0]) : undefined;
    },

    async get(projectId: string, id: string): Promise<Alert | undefined> {
      const r = await pool.query<AlertRow>(`select ${COLS} from alerts where project_id = $1 and id = $2`, [projectId, id]);
      return r.rows[0] ? toAlert(r.rows[0]) : undefined;
    },

    async list(projectId: string, q: AlertQuery): Promise<Page<Alert>> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`];
      if (q.status) where.push(`status = ${p.add(q.status)}`);
      if (q.type) where.push(`type = ${p.add(q.type)}`);
      if (q.from) where.push(`created_at >= ${p.add(q.from)}`);
      if (q.to) where.push(`created_at < ${p.add(q.to)}`);
      if (q.cursor) {
        let at: string;
        let id: string;
        try {
          [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [string, string];
        } catch {
          throw errors.validation([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
        }
        where.push(`(created_at, id) < (${p.add(at)}::timestamptz, ${p.add(id)})`);
      }
      const r = await pool.query<AlertRow>(`select ${COLS} from alerts where ${where.join(' and ')} order by created_at desc, id desc limit ${p.add(q.limit + 1)}`, p.values);
      const rows = r.rows.slice(0, q.limit);
      const last = rows[rows.length - 1];
      const next = r.rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null;
      return { data: rows.map(toAlert), next_cursor: next };
    },

    /** Deliveries of an alert with every attempt. */
    async deliveries(alertId: string): Promise<DeliveryRecord[]> {
      const r = await pool.query<{
        id: string; alert_id: string; project_id: string; channel: string; event: Delivery['event']; attempts: number; created_at: Date;
        status: string; last_error: string | null; delivered_at: Date | null; log: DeliveryRecord['attemptLog'] | null;
      }>(
        `select d.*, (select jsonb_agg(jsonb_build_object('attempt', a.attempt, 'ok', a.ok, 'status_code', a.status_code, 'error', a.error,
                  'duration_ms', a.duration_ms, 'at', a.created_at) order by a.attempt)
                from alert_delivery_attempts a where a.delivery_id = d.id) as log
           from alert_deliveries d where d.alert_id = $1 order by d.created_at, d.channel`,
        [alertId],
      );
      return r.rows.map((x) => ({
        id: x.id, alertId: x.alert_id, projectId: x.project_id, channel: x.channel, event: x.event, attempts: x.attempts, createdAt: x.created_at,
        status: x.status, lastError: x.last_error, deliveredAt: x.delivered_at, attemptLog: x.log ?? [],
      }));
    },

    /** Claim due deliveries for `lockMs` (a sender that dies releases them when the lock lapses). */
    async claimDeliveries(limit: number, lockMs: number): Promise<Delivery[]> {
      const r = await pool.query<{ id: string; alert_id: string; project_id: string; channel: string; event: Delivery['event']; attempts: number; created_at: Date }>(
        `with c as (
           select id from alert_deliveries
            where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
            order by next_attempt_at limit $1 for update skip locked)
         update alert_deliveries d set locked_until = now() + ($2::int * interval '1 millisecond'), attempts = d.attempts + 1
           from c where d.id = c.id
         returning d.id, d.alert_id, d.project_id, d.channel, d.event, d.attempts, d.created_at`,
        [limit, lockMs],
      );
      return r.rows.map((x) => ({ id: x.id, alertId: x.alert_id, projectId: x.project_id, channel: x.channel, event: x.event, attempts: x.attempts, createdAt: x.created_at }));
    },

    /** Record one attempt and its outcome: delivered, retry after `retryInMs`, or failed for good. */
    async settleDelivery(
      d: Delivery,
      outcome: { ok: true } | { ok: false; error: string; statusCode?: number; retryInMs: number | null },
      durationMs: number,
    ): Promise<void> {
      await pool.query(
        `with a as (
           insert into alert_delivery_attempts (id, delivery_id, attempt, ok, status_code, error, duration_ms)
           values (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6) returning 1)
         update alert_deliveries set locked_until = null,
           status = case when $3 then 'delivered' when $7::int is null then 'failed' else 'pending' end,
           delivered_at = case when $3 then now() else null end,
           last_error = $5,
           next_attempt_at = case when $7::int is null then next_attempt_at else now() + ($7::int * interval '1 millisecond') end
         where id = $1`,
        [
          d.id,
          d.attempts,
          outcome.ok,
          outcome.ok ? null : (outcome.statusCode ?? null),
          outcome.ok ? null : outcome.error.slice(0, 2000),
          durationMs,
          outcome.ok ? 0 : outcome.retryInMs,
        ],
      );
    },

    /** Queue notifications for an existing alert (e.g. a test message). */
    async enqueue(alertId: string, projectId: string, event: Delivery['event'], channels: string[]): Promise<void> {
      await pool.query(
        `insert into alert_deliveries (id, alert_id, project_id, channel, event) select gen_random_uuid()::text, $1, $2, c, $3 from unnest($4::text[]) c`,
        [alertId, projectId, event, channels],
      );
    },
  };
}

export type AlertsRepo = ReturnType<typeof alertsRepo>;
