import { channels, type AlertSettings } from '../alerts/index.js';
import type { Store } from '../storage/index.js';
import type { MonitorStatus } from './status.js';

export interface WorstItem {
  itemId: string;
  traceId: string | null;
  metric: string;
  score: number;
  reason: string | null;
}

export interface StatusChange {
  projectId: string;
  monitorId: string;
  monitorName: string;
  from: MonitorStatus;
  to: MonitorStatus;
  /** Per metric: aggregate, threshold, samples, status. */
  metrics: Array<{ metric: string; aggregate: string; value: number | null; n: number; status: MonitorStatus; bound?: { op: '<' | '>'; value: number } }>;
  worst: WorstItem[];
  runId: string;
  link: (path: string) => string;
}

const fmt = (v: number | null) => (v === null ? 'n/a' : String(Number(v.toFixed(4))));

function message(c: StatusChange): string {
  const lines = c.metrics.map((m) => `• *${m.metric}* ${m.aggregate} ${fmt(m.value)} over ${m.n} item(s)${m.bound ? ` (${m.status === 'OK' ? 'bound' : 'threshold'} ${m.bound.op} ${m.bound.value})` : ''}: ${m.status}`);
  const worst = c.worst.map((w) => {
    const where = w.traceId ? `<${c.link(`/traces/${encodeURIComponent(w.traceId)}`)}|${w.itemId}>` : w.itemId;
    return `• ${where} ${w.metric} ${fmt(w.score)}${w.reason ? ` — ${w.reason.slice(0, 140)}` : ''}`;
  });
  return [`Monitor *${c.monitorName}* went from ${c.from} to ${c.to}.`, ...lines, ...(worst.length ? ['Worst items:', ...worst] : [])].join('\n').slice(0, 2900);
}

/**
 * Send a monitor's status change to the project's alert channels through the alert outbox: one
 * open alert per (monitor, non-OK status). Going to another non-OK status closes the old one
 * silently and opens the new; going back to OK resolves it with a "resolved" message. The open-alert
 * uniqueness means two runners seeing the same change send it once.
 */
export async function publishStatusChange(store: Pick<Store, 'alerts'>, settings: AlertSettings | undefined, c: StatusChange): Promise<{ notified: boolean }> {
  const config = settings ? await settings.get(c.projectId) : undefined;
  const active = config ? Object.values(channels).filter((x) => x.enabled(config)).map((x) => x.name) : [];
  const prefix = `monitor:${c.monitorId}:`;
  const open = (await store.alerts.open(c.projectId)).filter((a) => a.dedup_key.startsWith(prefix));
  const headline = c.metrics.find((m) => m.status === c.to) ?? c.metrics[0];
  const details = {
    monitor: c.monitorName,
    status: c.to,
    previous_status: c.from,
    run_id: c.runId,
    value: headline?.value ?? null,
    threshold: headline?.bound?.value ?? null,
    samples: headline?.n ?? 0,
    metrics: c.metrics,
    worst_items: c.worst,
  };
  const text = message(c);
  let notified = false;
  for (const a of open) {
    if (a.dedup_key === `${prefix}${c.to}`) continue;
    const r = await store.alerts.resolve(c.projectId, a.id, 'monitor', c.to === 'OK' ? active : [], { title: `Monitor ${c.monitorName}: ${c.to}`, message: text, details });
    if (r && c.to === 'OK') notified = active.length > 0;
  }
  if (c.to === 'WARNING' || c.to === 'ALERT') {
    const fired = await store.alerts.fire({
      projectId: c.projectId,
      type: 'monitor',
      severity: c.to === 'ALERT' ? 'critical' : 'warning',
      dedupKey: `${prefix}${c.to}`,
      title: `Monitor ${c.monitorName}: ${c.to}`,
      message: text,
      details,
      traceId: null,
      cooldownMinutes: 0,
      channels: active,
    });
    notified = !!fired && active.length > 0;
  }
  return { notified };
}
